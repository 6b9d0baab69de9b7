"""PAdES signing and verification of scope PDFs, as plain functions over bytes.

No Django import here: the render job, the verify page and management commands all call these functions
with bytes they already hold, so the signing layer can be tested and reused without a database.

Built on pyHanko 0.38 and pyhanko-certvalidator 0.33.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
from collections.abc import Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12 as pkcs12_format
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    KeyUsageConstraints,
    SignatureCoverageLevel,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.status import DocumentTimestampStatus, PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)

__all__ = [
    "DEVELOPMENT_CERTIFICATE_ORGANISATION",
    "NotAPdfError",
    "SignatureReport",
    "certificate_fingerprint",
    "certificate_from_pkcs12",
    "inspect_signatures",
    "is_development_certificate",
    "make_self_signed_pkcs12",
    "sign_pdf",
]

# Acrobat accepts a PDF whose header starts anywhere in the first 1024 bytes; so do we.
_PDF_HEADER = b"%PDF-"
_PDF_HEADER_WINDOW = 1024

# A certificate that allows either usage can sign documents; many CA-issued signing certificates
# carry only one of the two, so demanding non_repudiation alone (pyHanko's default) would reject them.
_SIGNER_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)

# How to describe, to a client, what pyHanko's diff analysis found added after a signature.
_ADDITIONS_AFTER_SIGNING = {
    ModificationLevel.NONE: "extra bytes were appended to the end of the file (they change nothing it shows)",
    ModificationLevel.LTA_UPDATES: "validation data or a timestamp was added",
    ModificationLevel.FORM_FILLING: "form fields were filled in or further signatures were added",
    ModificationLevel.ANNOTATIONS: "annotations were added or changed",
}

_T = TypeVar("_T")

# The organisation `make_dev_certificate` writes into its self-signed certificate. Production refuses to start with
# such a certificate (config/checks.py), and the verify page says plainly when a file was signed with one.
DEVELOPMENT_CERTIFICATE_ORGANISATION = "Firstslice (development)"
DEVELOPMENT_CERTIFICATE_NOTE = (
    "It was signed with a Firstslice development certificate, which anyone can make: "
    "the signature does not prove who issued the file."
)


class NotAPdfError(ValueError):
    """The bytes are not a PDF at all, so there is nothing to sign or verify."""


@dataclass(frozen=True)
class SignatureReport:
    """What a person needs to know about one signature in a PDF.

    ``intact``: the signed bytes hash to the digest the signer signed (no byte of the signed content changed).
    ``valid``: the signature is cryptographically sound *for this document*: intact, and the signature value
    verifies with the signer's public key. A tampered document is therefore never ``valid``.
    ``trusted``: valid, and the signer's certificate chains to one of the trusted certificates given.
    ``covers_whole_file``: nothing at all was added to the file after signing.
    ``modification_level``: pyHanko's judgement of changes after signing: ``none``, ``lta_updates``,
    ``form_filling``, ``annotations``, ``other``, or ``unknown`` when it could not be determined.
    """

    field_name: str
    signer_common_name: str
    signer_organisation: str
    signing_time: datetime | None
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    modification_level: str
    summary: str
    signer_certificate_sha256: str = ""

    @property
    def authentic(self) -> bool:
        """Whether the verify page may call the document authentic and unmodified.

        Firstslice never adds anything to a signed PDF, so any later change, even one pyHanko deems
        harmless, means this is not the file that was issued.
        """
        return self.intact and self.valid and self.trusted and self.covers_whole_file

    @property
    def development_certificate(self) -> bool:
        """Whether the signer's certificate is one `make_dev_certificate` made (for development and tests only)."""
        return self.signer_organisation == DEVELOPMENT_CERTIFICATE_ORGANISATION


# --------------------------------------------------------------------------------------------------------------------
# Keys and certificates
# --------------------------------------------------------------------------------------------------------------------


def make_self_signed_pkcs12(
    *,
    common_name: str,
    organisation: str,
    password: bytes,
    valid_days: int = 825,
    key_algorithm: Literal["ec-p256", "rsa-3072"] = "ec-p256",
) -> bytes:
    """Generate a development signing key and a self-signed document-signing certificate, as PKCS#12.

    EC P-256 is the default because it is generated instantly and every current PDF reader verifies it;
    ``rsa-3072`` is there for a deployment that needs RSA. Production should use a CA-issued certificate.
    """
    if not password:
        raise ValueError("A PKCS#12 password is required: the file holds a private key.")
    if not common_name.strip():
        raise ValueError("The certificate needs a common name (who signs the documents).")
    if valid_days < 1:
        raise ValueError("valid_days must be at least 1.")

    private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if key_algorithm == "ec-p256":
        private_key = ec.generate_private_key(ec.SECP256R1())
    elif key_algorithm == "rsa-3072":
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    else:
        raise ValueError(f"Unknown key algorithm {key_algorithm!r}; use 'ec-p256' or 'rsa-3072'.")

    name_attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organisation.strip():
        name_attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    subject = x509.Name(name_attributes)
    public_key = private_key.public_key()
    # Backdate a little so a verifier whose clock is slightly behind does not see a "not yet valid" certificate.
    not_before = datetime.now(UTC) - timedelta(minutes=5)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # a.k.a. nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key),
            critical=False,
        )
        .sign(private_key, hashes.SHA256())
    )
    return pkcs12_format.serialize_key_and_certificates(
        name=common_name.encode("utf-8"),
        key=private_key,
        cert=certificate,
        cas=None,
        encryption_algorithm=serialization.BestAvailableEncryption(password),
    )


def certificate_from_pkcs12(pkcs12: bytes, password: bytes | None) -> bytes:
    """Return the DER of the signing certificate in a PKCS#12 file, to pass as a trusted certificate."""
    try:
        _key, certificate, _chain = pkcs12_format.load_key_and_certificates(pkcs12, password)
    except Exception as error:  # cryptography raises ValueError or TypeError depending on the fault
        raise ValueError("Could not open the PKCS#12 file: check the file and its password.") from error
    if certificate is None:
        raise ValueError("The PKCS#12 file holds no certificate.")
    return certificate.public_bytes(serialization.Encoding.DER)


def is_development_certificate(der: bytes) -> bool:
    """Whether a DER certificate is a development one made by `make_dev_certificate` (by its organisation)."""
    certificate = x509.load_der_x509_certificate(der)
    organisations = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return any(attribute.value == DEVELOPMENT_CERTIFICATE_ORGANISATION for attribute in organisations)


def certificate_fingerprint(der: bytes) -> str:
    """SHA-256 of a DER certificate as lowercase hex, the form pyHanko and most viewers display."""
    return hashlib.sha256(der).hexdigest()


# --------------------------------------------------------------------------------------------------------------------
# Signing
# --------------------------------------------------------------------------------------------------------------------


def sign_pdf(
    pdf: bytes,
    *,
    pkcs12: bytes,
    password: bytes | None,
    reason: str,
    location: str = "",
    signer_name: str = "",
    field_name: str = "FirstsliceSignature",
) -> bytes:
    """Add an invisible PAdES baseline B-B signature to a PDF, as an incremental update.

    The original bytes are kept unchanged at the start of the result, so the SHA-256 of the rendered
    document stays meaningful next to the signed one.
    """
    _require_pdf(pdf)
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(pkcs12, other_certs=[], passphrase=password)
    except ValueError as error:
        raise ValueError("Could not load the signing key: check the PKCS#12 file and its password.") from error
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or None,
        location=location or None,
        name=signer_name or None,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = io.BytesIO()
    pdf_signer = signers.PdfSigner(metadata, signer=signer)
    _run_coroutine(pdf_signer.async_sign_pdf(writer, output=output))
    return output.getvalue()


# --------------------------------------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------------------------------------


def inspect_signatures(pdf: bytes, *, trusted_certificates: Iterable[bytes] = ()) -> list[SignatureReport]:
    """Check every signature in a PDF and say, in plain words, what each one proves.

    Never raises on uploaded bytes, except :class:`NotAPdfError` for input that is not a PDF at all.
    An unsigned PDF gives ``[]``. A PDF too damaged to read (for instance cut short in transfer) gives a single
    failed report with an empty ``field_name``, so a caller shows a failure rather than "not signed".

    ``trusted_certificates`` are DER or PEM certificates (the deployment's own one, typically). Nothing else is
    trusted: the operating system's trust store is not consulted and nothing is fetched from the network.
    Raises ``ValueError`` if a trusted certificate cannot be parsed, because that is a configuration error.
    """
    _require_pdf(pdf)
    trust_roots = _load_trust_roots(trusted_certificates)
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=True)
        signature_fields = list(fields.enumerate_sig_fields(reader, filled_status=True))
    except Exception:  # any parse failure of untrusted input is "damaged", never a crash
        logger.info("Unreadable PDF structure while inspecting signatures", exc_info=True)
        return [_unreadable_file_report()]

    reports: list[tuple[int, SignatureReport]] = []
    for fully_qualified_name, _signature_object, field_ref in signature_fields:
        try:
            embedded = EmbeddedPdfSignature(reader, field_ref, fully_qualified_name)
        except Exception:
            logger.info("Unreadable signature %r", fully_qualified_name, exc_info=True)
            reports.append((-1, _unreadable_signature_report(fully_qualified_name)))
            continue
        report = _inspect_embedded_signature(embedded, trust_roots)
        reports.append((embedded.signed_revision, report))
    # Oldest signature first, as pyHanko orders them.
    reports.sort(key=lambda revision_and_report: revision_and_report[0])
    return [report for _revision, report in reports]


def _inspect_embedded_signature(
    embedded: EmbeddedPdfSignature, trust_roots: list[asn1_x509.Certificate]
) -> SignatureReport:
    common_name, organisation, fingerprint = _signer_identity(embedded)
    try:
        is_timestamp = embedded.sig_object_type == "/DocTimeStamp"
        status = _run_coroutine(_validate(embedded, trust_roots, is_timestamp=is_timestamp))
    except Exception:
        # pyHanko raises on unsupported SubFilters, malformed CMS structures, hybrid xref files, ...
        logger.info("Signature %r could not be validated", embedded.field_name, exc_info=True)
        return SignatureReport(
            field_name=embedded.field_name,
            signer_common_name=common_name,
            signer_organisation=organisation,
            signing_time=_claimed_signing_time(embedded),
            intact=False,
            valid=False,
            trusted=False,
            covers_whole_file=False,
            modification_level="unknown",
            summary=(
                "This signature could not be checked: it is damaged or of a kind this site cannot verify. "
                "Treat the document as unverified."
            ),
            signer_certificate_sha256=fingerprint,
        )

    if isinstance(status, DocumentTimestampStatus):
        signing_time: datetime | None = status.timestamp
    else:
        signing_time = status.signer_reported_dt or _claimed_signing_time(embedded)
    intact = bool(status.intact)
    valid = intact and bool(status.valid)
    trusted = valid and status.trusted
    covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    modification = status.modification_level
    modification_level = modification.name.lower() if modification is not None else "unknown"
    return SignatureReport(
        field_name=embedded.field_name,
        signer_common_name=common_name,
        signer_organisation=organisation,
        signing_time=signing_time,
        intact=intact,
        valid=valid,
        trusted=trusted,
        covers_whole_file=covers_whole_file,
        modification_level=modification_level,
        summary=_summarise(
            status,
            signer=_signer_label(common_name, organisation),
            signing_time=signing_time,
            intact=intact,
            valid=valid,
            trusted=trusted,
            covers_whole_file=covers_whole_file,
            is_timestamp=isinstance(status, DocumentTimestampStatus),
            development_certificate=organisation == DEVELOPMENT_CERTIFICATE_ORGANISATION,
        ),
        signer_certificate_sha256=fingerprint,
    )


async def _validate(
    embedded: EmbeddedPdfSignature,
    trust_roots: list[asn1_x509.Certificate],
    *,
    is_timestamp: bool,
) -> PdfSignatureStatus | DocumentTimestampStatus:
    # A fresh context per signature: contexts cache paths and are closed after use. An explicit (possibly empty)
    # trust_roots list stops pyHanko falling back to the OS trust store; allow_fetching=False keeps the verify page
    # from making network calls on behalf of an anonymous upload.
    validation_context = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False)
    try:
        if is_timestamp:
            return await async_validate_pdf_timestamp(embedded, validation_context=validation_context)
        return await async_validate_pdf_signature(
            embedded,
            signer_validation_context=validation_context,
            key_usage_settings=_SIGNER_KEY_USAGE,
        )
    finally:
        await validation_context.aclose()


def _summarise(
    status: PdfSignatureStatus | DocumentTimestampStatus,
    *,
    signer: str,
    signing_time: datetime | None,
    intact: bool,
    valid: bool,
    trusted: bool,
    covers_whole_file: bool,
    is_timestamp: bool,
    development_certificate: bool = False,
) -> str:
    """A few plain sentences a client can act on, the most serious problem first."""
    what = f"Document timestamp by {signer}" if is_timestamp else f"Signed by {signer}"
    when = f" on {signing_time.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if signing_time else ""
    if not intact:
        return (
            f"{what}{when}, but the document was changed after it was signed: "
            "its content no longer matches the signature. Do not rely on this copy."
        )
    if not valid:
        return (
            f"{what}{when}, but the signature value does not verify with the signer's certificate: "
            "the signature is forged or damaged. Do not rely on this copy."
        )
    if status.modification_level in (None, ModificationLevel.OTHER) and not covers_whole_file:
        changes = "content was added to the file after it was signed, and those additions could change what it shows"
        return f"{what}{when}, but {changes}. Do not rely on this copy."
    sentences = [f"{what}{when}."]
    if covers_whole_file:
        sentences.append("The document is unchanged since it was signed.")
    else:
        additions = _ADDITIONS_AFTER_SIGNING.get(status.modification_level, "data was added to the file")
        sentences.append(
            f"The signed content is unchanged, but after signing {additions}, so this is not the file as it was issued."
        )
    if development_certificate:
        sentences.append(DEVELOPMENT_CERTIFICATE_NOTE)
    elif trusted:
        sentences.append("The signing certificate is trusted by this site.")
    else:
        sentences.append(_trust_problem(status))
    return " ".join(sentences)


def _trust_problem(status: PdfSignatureStatus | DocumentTimestampStatus) -> str:
    problem = status.trust_problem_indic
    if status.revoked or problem in (
        AdESFailure.REVOKED,
        AdESIndeterminate.REVOKED_NO_POE,
    ):
        return "The signing certificate has been revoked, so the signer's identity cannot be confirmed."
    if problem in (AdESIndeterminate.EXPIRED, AdESIndeterminate.OUT_OF_BOUNDS_NO_POE):
        return "The signing certificate has expired, so the signer's identity cannot be confirmed today."
    if problem in (AdESFailure.NOT_YET_VALID, AdESIndeterminate.NOT_YET_VALID):
        return "The signing certificate is not valid yet, so the signer's identity cannot be confirmed."
    if problem == AdESIndeterminate.SIG_CONSTRAINTS_FAILURE:
        return "The signing certificate is not allowed to sign documents, so the signature is not trusted."
    return (
        "The signing certificate is not one this site trusts, so the signer's identity cannot be confirmed "
        "(anyone can make a certificate with any name)."
    )


def _signer_identity(embedded: EmbeddedPdfSignature) -> tuple[str, str, str]:
    """Common name, organisation and SHA-256 fingerprint of the certificate the signature claims."""
    try:
        certificate = embedded.signer_cert
        subject = certificate.subject.native
        return (
            _first_text(subject.get("common_name")),
            _first_text(subject.get("organization_name")),
            certificate.sha256.hex(),
        )
    except Exception:
        logger.info("No readable signer certificate in %r", embedded.field_name, exc_info=True)
        return "", "", ""


def _first_text(value: Any) -> str:
    # Subject attributes may repeat, in which case asn1crypto gives a list.
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value) if value else ""


def _signer_label(common_name: str, organisation: str) -> str:
    if common_name and organisation:
        return f"{common_name} ({organisation})"
    return common_name or organisation or "an unnamed signer"


def _claimed_signing_time(embedded: EmbeddedPdfSignature) -> datetime | None:
    try:
        return embedded.self_reported_timestamp
    except Exception:
        logger.info("Unreadable signing time in %r", embedded.field_name, exc_info=True)
        return None


def _unreadable_file_report() -> SignatureReport:
    return SignatureReport(
        field_name="",
        signer_common_name="",
        signer_organisation="",
        signing_time=None,
        intact=False,
        valid=False,
        trusted=False,
        covers_whole_file=False,
        modification_level="unknown",
        summary=(
            "This PDF is damaged or incomplete (it may have been cut short in transfer), "
            "so its signature cannot be checked. Ask for a fresh copy."
        ),
    )


def _unreadable_signature_report(field_name: str) -> SignatureReport:
    return SignatureReport(
        field_name=field_name,
        signer_common_name="",
        signer_organisation="",
        signing_time=None,
        intact=False,
        valid=False,
        trusted=False,
        covers_whole_file=False,
        modification_level="unknown",
        summary="The signature data in this PDF is damaged and cannot be read. Do not rely on this copy.",
    )


def _require_pdf(pdf: bytes) -> None:
    if _PDF_HEADER not in bytes(pdf[:_PDF_HEADER_WINDOW]):
        raise NotAPdfError("That file is not a PDF.")


def _load_trust_roots(certificates: Iterable[bytes]) -> list[asn1_x509.Certificate]:
    """Parse DER or PEM certificates strictly (asn1crypto parses lazily and would fail later, mid-validation)."""
    roots = []
    for data in certificates:
        try:
            if b"-----BEGIN" in data:
                parsed = x509.load_pem_x509_certificates(data)
            else:
                parsed = [x509.load_der_x509_certificate(data)]
        except ValueError as error:
            raise ValueError("A trusted certificate could not be read; give it as DER or PEM.") from error
        # pyhanko-certvalidator's docstring promises bytes are accepted as trust roots, but 0.33 needs
        # asn1crypto certificates.
        roots.extend(asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)) for cert in parsed)
    return roots


def _run_coroutine(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run pyHanko's async API from sync code, even when the caller already runs an event loop.

    pyHanko's own sync wrappers call ``asyncio.run``, which fails inside a running loop (an async view,
    an async test); there we run the coroutine on a worker thread with its own loop instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
