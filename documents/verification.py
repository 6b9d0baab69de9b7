"""Answer "is this PDF a genuine Firstslice document?" for the public verify page.

Three independent pieces of evidence, weighed in :func:`verify_pdf`:

1. The SHA-256 of the uploaded bytes, looked up among the documents this installation rendered. A match means
   the file is exactly one we issued, byte for byte.
2. The PAdES signature, checked with pyHanko against this installation's own certificate only.
3. The ``firstslice-version-sha256:<hash>`` keyword the renderer writes into the PDF metadata. It survives most
   edits, so a changed file can still be named ("this claims to be v3 of ...") and reported as modified.

Never raises on uploaded bytes: empty, non-PDF, damaged and hostile files all give a result with a message.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from pypdf import PdfReader

from documents.certificates import DEVELOPMENT_CERTIFICATE_NOTE, certificate_from_pkcs12, is_development_certificate
from documents.models import DocumentKind, DocumentStatus, ScopeDocument
from documents.signature_checks import SignatureReport, inspect_signatures
from documents.signing import NotAPdfError
from scoping.models import ScopeVersion, SignOff, SignOffDecision

logger = logging.getLogger(__name__)

__all__ = ["VerifyResult", "installation_certificates", "read_version_keyword", "verify_pdf"]

KEYWORD_RE = re.compile(r"firstslice-version-sha256:([0-9a-f]{64})")
_PDF_HEADER = b"%PDF-"
_PDF_HEADER_WINDOW = 1024

# Outcomes, from best to worst news.
AUTHENTIC = "authentic"  # exactly a file this installation issued
MODIFIED = "modified"  # recognisably one of ours, but changed
UNKNOWN = "unknown"  # not a document this installation issued
NOT_A_PDF = "not_pdf"
EMPTY = "empty"


@dataclass(frozen=True)
class Signer:
    """One person's signature of the version, from the sign-off records."""

    name: str
    role: str
    signed_at: object


@dataclass(frozen=True)
class VerifyResult:
    """What the verify page tells the person who uploaded the file."""

    outcome: str
    headline: str
    file_sha256: str = ""
    byte_size: int = 0
    document: ScopeDocument | None = None
    version: ScopeVersion | None = None
    claimed_version_sha256: str = ""
    signatures: tuple[SignatureReport, ...] = ()
    signers: tuple[Signer, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def issued_here(self) -> bool:
        return self.document is not None

    @property
    def unmodified(self) -> bool | None:
        """True for an exact match; False when recognisably changed; None when nothing is known about it."""
        if self.outcome == AUTHENTIC:
            return True
        if self.outcome == MODIFIED:
            return False
        return None

    @property
    def is_signed(self) -> bool:
        return bool(self.signatures)

    @property
    def signature_valid(self) -> bool | None:
        """Whether every signature is intact, valid, trusted and covers the whole file; None when unsigned."""
        if not self.signatures:
            return None
        return all(report.authentic for report in self.signatures)

    @property
    def project_name(self) -> str:
        return self.version.project.name if self.version is not None else ""

    @property
    def client_name(self) -> str:
        return self.version.project.client.name if self.version is not None else ""


def installation_certificates() -> list[bytes]:
    """The DER certificate this installation signs with, as the only trusted one; [] when it cannot be read.

    In production (DEBUG off) a development certificate is never trusted, even when
    FIRSTSLICE_ALLOW_DEV_CERTIFICATE lets the site start with one: anyone can make such a certificate.
    """
    path = Path(settings.SIGNING_PKCS12_PATH or "")
    password = (settings.SIGNING_PKCS12_PASSWORD or "").encode() or None
    try:
        certificate = certificate_from_pkcs12(path.read_bytes(), password)
    except (OSError, ValueError):
        logger.warning("The signing certificate at %s cannot be read; no signature will be trusted", path)
        return []
    if not settings.DEBUG and is_development_certificate(certificate):
        return []
    return [certificate]


def read_version_keyword(data: bytes) -> str:
    """The version SHA-256 named in the PDF's keywords metadata, or "" (also for unreadable files)."""
    try:
        metadata = PdfReader(io.BytesIO(data), strict=False).metadata
        keywords = str((metadata or {}).get("/Keywords") or "")
    except Exception:  # any parse failure of untrusted input means "no claim", never a crash
        logger.info("No readable metadata in an uploaded PDF", exc_info=True)
        return ""
    match = KEYWORD_RE.search(keywords)
    return match.group(1) if match else ""


def _signers(version: ScopeVersion) -> tuple[Signer, ...]:
    return tuple(
        Signer(name=signoff.typed_name, role=signoff.role, signed_at=signoff.signed_at)
        for signoff in SignOff.objects.filter(version=version, decision=SignOffDecision.SIGNED).order_by("signed_at")
    )


def _inspect(data: bytes) -> tuple[SignatureReport, ...]:
    try:
        return tuple(inspect_signatures(data, trusted_certificates=installation_certificates()))
    except NotAPdfError:
        return ()
    except Exception:  # pyHanko on hostile input: report as damaged rather than fail the page
        logger.exception("Signature inspection failed on an uploaded PDF")
        return ()


def verify_pdf(data: bytes) -> VerifyResult:
    """Check an uploaded file against the documents this installation issued."""
    data = bytes(data or b"")
    if not data:
        return VerifyResult(outcome=EMPTY, headline="The file is empty. Choose the PDF you want to check.")
    file_sha256 = hashlib.sha256(data).hexdigest()
    if _PDF_HEADER not in data[:_PDF_HEADER_WINDOW]:
        return VerifyResult(
            outcome=NOT_A_PDF,
            headline="That file is not a PDF. Only Firstslice scope documents (PDF files) can be checked here.",
            file_sha256=file_sha256,
            byte_size=len(data),
        )

    signatures = _inspect(data)
    document = (
        ScopeDocument.objects.filter(sha256=file_sha256, status=DocumentStatus.READY)
        .select_related("version__project__client")
        .order_by("-created_at")
        .first()
    )
    common = {"file_sha256": file_sha256, "byte_size": len(data), "signatures": signatures}

    if document is not None:
        version = document.version
        notes: list[str] = []
        signers: tuple[Signer, ...] = ()
        if document.kind == DocumentKind.SIGNED:
            signers = _signers(version)
            if not signatures:
                notes.append("This signed document carries no digital signature: treat it with caution.")
            elif any(report.development_certificate for report in signatures):
                notes.append(DEVELOPMENT_CERTIFICATE_NOTE)
            elif not all(report.authentic for report in signatures):
                notes.append(
                    "The file is the one issued, but its digital signature does not check out with this site's "
                    "current certificate (the certificate may have been replaced since)."
                )
        else:
            notes.append(
                f"This is a {document.get_kind_display().lower()} document, not the signed scope: "
                "it carries no signatures."
            )
        return VerifyResult(
            outcome=AUTHENTIC,
            headline=(
                f"Authentic: this is the {document.get_kind_display().lower()} PDF of {version.label} of "
                f"“{version.project.name}” ({version.project.client.name}), exactly as this site issued it."
            ),
            document=document,
            version=version,
            claimed_version_sha256=version.sha256,
            signers=signers,
            notes=tuple(notes),
            **common,
        )

    # inspect_signatures reports a file too damaged to parse as one nameless failed "signature".
    damaged = any(not report.field_name for report in signatures)
    signatures = tuple(report for report in signatures if report.field_name)
    common["signatures"] = signatures
    claimed = read_version_keyword(data)
    version = (
        ScopeVersion.objects.filter(sha256=claimed).select_related("project__client").order_by("-frozen_at").first()
        if claimed
        else None
    )
    broken_signature = any(not report.intact or not report.valid for report in signatures)
    if version is not None:
        notes = ["Ask the sender for the original file, or download it again from Firstslice."]
        if damaged:
            notes.insert(0, "The file is also damaged or incomplete: it may have been cut short in transfer.")
        elif broken_signature:
            notes.insert(0, "The digital signature confirms it: the content was changed after it was signed.")
        return VerifyResult(
            outcome=MODIFIED,
            headline=(
                f"Modified: this file says it is {version.label} of “{version.project.name}” "
                f"({version.project.client.name}), but it is not a file this site issued. It has been changed."
            ),
            version=version,
            claimed_version_sha256=claimed,
            notes=tuple(notes),
            **common,
        )
    if broken_signature or (signatures and any(report.trusted for report in signatures)):
        # Our certificate, or a broken signature, but no record of the file: changed beyond recognition.
        return VerifyResult(
            outcome=MODIFIED,
            headline=(
                "Modified: this file carries a signature, but it does not match any document this site issued. "
                "Do not rely on it."
            ),
            claimed_version_sha256=claimed,
            **common,
        )
    notes = ("The file is damaged or incomplete (it may have been cut short in transfer).",) if damaged else ()
    return VerifyResult(
        outcome=UNKNOWN,
        headline=(
            "Not recognised: this PDF was not issued by this Firstslice site, or it was changed so much that it "
            "can no longer be recognised."
        ),
        claimed_version_sha256=claimed,
        notes=notes,
        **common,
    )
