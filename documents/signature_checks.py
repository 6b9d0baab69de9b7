"""Reading the signatures in a PDF: what each one proves, in plain words for the verify page.

No Django import here: the verify page and the tests call :func:`inspect_signatures` with bytes they already hold.
Only the certificates given are trusted; nothing is fetched from the network.

Built on pyHanko 0.38 and pyhanko-certvalidator 0.33.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
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

from documents.certificates import DEVELOPMENT_CERTIFICATE_NOTE, DEVELOPMENT_CERTIFICATE_ORGANISATION, load_trust_roots
from documents.signing import require_pdf, run_pyhanko

logger = logging.getLogger(__name__)

__all__ = ["SignatureReport", "inspect_signatures"]

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


def inspect_signatures(pdf: bytes, *, trusted_certificates: Iterable[bytes] = ()) -> list[SignatureReport]:
    """Check every signature in a PDF and say, in plain words, what each one proves.

    Never raises on uploaded bytes, except :class:`NotAPdfError` for input that is not a PDF at all.
    An unsigned PDF gives ``[]``. A PDF too damaged to read (for instance cut short in transfer) gives a single
    failed report with an empty ``field_name``, so a caller shows a failure rather than "not signed".

    ``trusted_certificates`` are DER or PEM certificates (the deployment's own one, typically). Nothing else is
    trusted: the operating system's trust store is not consulted and nothing is fetched from the network.
    Raises ``ValueError`` if a trusted certificate cannot be parsed, because that is a configuration error.
    """
    require_pdf(pdf)
    trust_roots = load_trust_roots(trusted_certificates)
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
        status = run_pyhanko(_validate(embedded, trust_roots, is_timestamp=is_timestamp))
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
    return _unreadable_report(
        field_name="",
        summary=(
            "This PDF is damaged or incomplete (it may have been cut short in transfer), "
            "so its signature cannot be checked. Ask for a fresh copy."
        ),
    )


def _unreadable_signature_report(field_name: str) -> SignatureReport:
    return _unreadable_report(
        field_name=field_name,
        summary="The signature data in this PDF is damaged and cannot be read. Do not rely on this copy.",
    )


def _unreadable_report(*, field_name: str, summary: str) -> SignatureReport:
    """A report that fails every check: nothing could be read, so nothing may be trusted."""
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
        summary=summary,
    )
