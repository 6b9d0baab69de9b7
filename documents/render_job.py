"""The render job's work: claim a document, keep its lease while rendering, store the PDF, or record the failure.

``documents.tasks.render_document`` passes an id to ``document_render``; ``manage.py render_scope`` and the bench call
the same function, so there is one code path from frozen version to stored PDF. A rendering job renews a lease on its
row every few seconds; ``documents.services.documents_sweep_stale`` re-queues or fails a document whose lease lapsed.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from consultancy.models import ConsultancyProfile
from consultancy.selectors import clause_texts, logo_data_uri
from documents.models import DocumentKind, DocumentStatus, ScopeDocument, document_path
from documents.print_context import PROPOSAL_KINDS, Brand, DocumentMeta
from documents.rendering import RenderError, render_scope_pdf
from documents.selectors import pending_twin
from documents.signing import sign_pdf
from documents.storage_faults import STORAGE_ERRORS
from scoping.models import ScopeVersion, SignOffDecision
from scoping.notifications import notify_document_ready
from scoping.projects.services import activity_record
from scoping.scope.readiness import Readiness
from scoping.signatories import signatories

logger = logging.getLogger(__name__)

TIME_LIMIT_MESSAGE = (
    "Making this PDF took longer than {seconds} seconds and was stopped. Press Retry; if it happens again, tell your "
    "administrator (the scope may be unusually large)."
)
UNEXPECTED_MESSAGE = (
    "The PDF could not be made because of an unexpected error ({error}). Press Retry; if it fails again, tell your "
    "administrator."
)
TRANSIENT_MESSAGE = (
    "The PDF could not be saved because the file store or the database did not answer ({error}), even after "
    "{attempts} attempts. Press Retry in a minute."
)
RETRYING_NOTE = (
    "A temporary problem interrupted the render ({error}); trying again automatically (attempt {attempt} of {total})."
)

# The test hook for a slow render lives in tests/documents/worker_harness.py; production code has none.
LEASE_SECONDS = 30
LEASE_RENEW_SECONDS = 10
STATUS_LABELS = {
    DocumentKind.DRAFT: "Draft for discussion: not approved",
    DocumentKind.PROPOSAL: "Proposal",
    DocumentKind.SIGNED: "Signed off",
}


class SigningUnavailable(Exception):
    """The signing certificate is missing or unusable; a signed document cannot be made until an admin fixes it."""


# --- The render job -------------------------------------------------------------------------------------------------


def document_download_filename(document: ScopeDocument) -> str:
    """``<client>-<project>-v<N>.pdf``, slugified, from the names frozen in the version."""
    frozen = document.version.scope.get("project", {}) if isinstance(document.version.scope, dict) else {}
    project = document.version.project
    client_slug = slugify(frozen.get("client") or project.client.name) or "client"
    project_slug = slugify(frozen.get("name") or project.name) or "scope"
    return f"{client_slug}-{project_slug}-v{document.version.number}.pdf"


def _review_decision(version: ScopeVersion) -> str:
    review = version.reviews.select_related("reviewer").order_by("-created_at").first()
    if review is None:
        return ""
    when = timezone.localtime(review.created_at).strftime("%d %B %Y").lstrip("0")
    # The choice labels are verbs for the reviewer's buttons ("Approve"); the certificate states what happened.
    done = {"approve": "Approved", "request_changes": "Changes requested"}.get(review.decision, review.decision)
    return f"{done} by {review.reviewer.display_name} on {when}"


def document_meta(document: ScopeDocument, *, generated_at: datetime | None = None) -> DocumentMeta:
    """What the PDF prints about the document itself, all taken from the frozen version and its decisions."""
    version = document.version
    signoffs = []
    if document.kind == DocumentKind.SIGNED:
        for signoff in version.signoffs.filter(decision=SignOffDecision.SIGNED).select_related("user"):
            signoffs.append(
                {
                    "name": signoff.user.display_name,
                    "typed_name": signoff.typed_name,
                    "role": signoff.role,
                    "signed_at": signoff.signed_at,
                    "ip": signoff.ip or "",
                    "user_agent": signoff.user_agent,
                    "time_zone": signoff.time_zone,
                    "is_client": signoff.is_client,
                    "identity": signoff.identity,
                }
            )
    frozen_by = version.frozen_by_name or (version.frozen_by.display_name if version.frozen_by else "")
    # The brand is the profile as it stands when the PDF is made, for signed documents too: the scope and the
    # clause wording are frozen with the version, the consultancy's name, logo and address are not.
    profile = ConsultancyProfile.current()
    proposal = _proposal_meta(document, profile) if document.kind in PROPOSAL_KINDS else {}
    return DocumentMeta(
        kind=document.kind,
        version_number=version.number,
        version_sha256=version.sha256,
        frozen_at=version.frozen_at,
        frozen_by=frozen_by,
        status_label=STATUS_LABELS.get(document.kind, document.get_kind_display()),
        generated_at=generated_at or timezone.now(),
        signoffs=signoffs,
        review_decision=_review_decision(version),
        consultancy=profile.name,
        readiness=Readiness.from_json(version.readiness),
        **proposal,
    )


def _proposal_meta(document: ScopeDocument, profile: ConsultancyProfile) -> dict:
    """What only the client's proposal prints: the brand, the chosen clauses as worded at the freeze, who signs."""
    version = document.version
    scope = version.scope if isinstance(version.scope, dict) else {}
    engagement = scope.get("engagement") if isinstance(scope.get("engagement"), dict) else {}
    keys = [key for key in engagement.get("clauses") or () if isinstance(key, str)]
    clauses = clause_texts(keys, as_of=version.frozen_at)
    for note in clauses.notes:
        logger.warning("Proposal PDF of %s: %s", version.label, note)
    brand = Brand(
        name=profile.name,
        legal_name=profile.legal_name,
        address=profile.address,
        website=profile.website,
        email=profile.email,
        colour=profile.brand_colour,
        logo_data_uri=logo_data_uri(profile),
        default_terms=profile.default_terms,
    )
    # Who is to sign is read from the project now (a proposal is sent before anyone signs); a signed document
    # prints the recorded sign-offs instead.
    people = [
        {
            "name": person.user.display_name,
            "role": person.role,
            "is_client": person.is_client,
        }
        for person in signatories(version.project)
    ]
    return {"brand": brand, "clauses": [clause._asdict() for clause in clauses], "signatories": people}


def _sign(pdf: bytes, document: ScopeDocument, meta: DocumentMeta) -> bytes:
    """PAdES-sign a signed-kind document with the deployment's certificate."""
    try:
        pkcs12 = Path(settings.SIGNING_PKCS12_PATH).read_bytes()
    except OSError as exc:
        raise SigningUnavailable(
            "The signing certificate is missing, so the signed PDF cannot be made. An administrator must install it "
            "(SIGNING_PKCS12_PATH) and then press Retry."
        ) from exc
    password = settings.SIGNING_PKCS12_PASSWORD.encode() or None
    version = document.version
    try:
        return sign_pdf(
            pdf,
            pkcs12=pkcs12,
            password=password,
            reason=f"Sign-off of scope v{version.number}, SHA-256 {version.sha256}",
            location=settings.SITE_URL,
            signer_name=meta.consultancy or "Firstslice",
        )
    except ValueError as exc:
        raise SigningUnavailable(
            f"The signed PDF could not be signed: {exc} An administrator must fix the certificate, then press Retry."
        ) from exc


def _claim(document_id: int) -> ScopeDocument | None:
    """Mark the document as rendering (one more attempt), unless it is gone, already ready, or superseded."""
    with transaction.atomic():
        document = (
            ScopeDocument.objects.select_for_update()
            .select_related("version__project__client")
            .filter(pk=document_id)
            .first()
        )
        if document is None or document.status == DocumentStatus.READY:
            return document
        if document.status == DocumentStatus.FAILED and pending_twin(
            version=document.version, kind=document.kind, exclude_pk=document.pk
        ):
            return document  # a late delivery of a failed job; a newer request of the same PDF is already under way
        document.status = DocumentStatus.RENDERING
        document.started_at = timezone.now()
        document.lease_expires_at = document.started_at + timedelta(seconds=_lease_seconds())
        document.finished_at = None
        document.attempts += 1
        document.error_message = ""
        document.save(
            update_fields=[
                "status",
                "started_at",
                "lease_expires_at",
                "finished_at",
                "attempts",
                "error_message",
                "updated_at",
            ]
        )
        return document


def _lease_seconds() -> int:
    return getattr(settings, "DOCUMENT_LEASE_SECONDS", LEASE_SECONDS)


class _LeaseKept:
    """Keeps renewing a rendering document's lease from a background thread while the render runs.

    A worker that dies (SIGKILL, out of memory, the machine going away) stops renewing, so its lease lapses within
    ``DOCUMENT_LEASE_SECONDS`` and the sweep queues the document again. The thread uses its own database
    connection, opened only at the first renewal (a render shorter than the renewal interval never opens one).
    """

    def __init__(self, document_id: int) -> None:
        self.document_id = document_id
        self.every = getattr(settings, "DOCUMENT_LEASE_RENEW_SECONDS", LEASE_RENEW_SECONDS)
        self.length = _lease_seconds()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._renew, name=f"lease-{document_id}", daemon=True)

    def __enter__(self) -> _LeaseKept:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopped.set()
        self.thread.join(timeout=self.every + 5)

    def _renew(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                renewed = ScopeDocument.objects.filter(pk=self.document_id, status=DocumentStatus.RENDERING).update(
                    lease_expires_at=timezone.now() + timedelta(seconds=self.length)
                )
                if not renewed:
                    return  # no longer ours to render (finished, failed or queued again)
        except Exception:  # the database may be away; the lease then lapses and the sweep decides
            logger.exception("Could not renew the render lease of document %s", self.document_id)
        finally:
            connection.close()  # this thread's own connection


def document_render(*, document_id: int) -> ScopeDocument | None:
    """Render, sign (kind "signed"), store and record one document. Idempotent: a ready document is left alone.

    A render or signing problem marks the document failed with a readable message. Transient errors (the file
    store or database not answering: ``OSError``, ``OperationalError``) propagate so the task can retry them.
    Returns None when the document no longer exists.
    """
    document = _claim(document_id)
    if document is None or document.status != DocumentStatus.RENDERING:
        return document
    with _LeaseKept(document_id):
        meta = document_meta(document)
        started = time.perf_counter()
        try:
            rendered = render_scope_pdf(snapshot=document.version.scope, meta=meta)
            pdf = _sign(rendered.pdf, document, meta) if document.kind == DocumentKind.SIGNED else rendered.pdf
        except RenderError as exc:
            if isinstance(exc.__cause__, SoftTimeLimitExceeded):
                return document_fail(document_id=document_id, message=_time_limit_message())
            return document_fail(document_id=document_id, message=str(exc))
        except SigningUnavailable as exc:
            return document_fail(document_id=document_id, message=str(exc))
        render_seconds = time.perf_counter() - started

        filename = document_download_filename(document)
        stored_name = default_storage.save(document_path(document, filename), ContentFile(pdf, name=filename))
    with transaction.atomic():
        locked = ScopeDocument.objects.select_for_update().select_related("version__project").get(pk=document_id)
        if locked.status == DocumentStatus.READY:
            # Another delivery of the same job finished first; keep its file, drop ours.
            default_storage.delete(stored_name)
            return locked
        locked.file.name = stored_name
        locked.status = DocumentStatus.READY
        locked.sha256 = hashlib.sha256(pdf).hexdigest()
        locked.byte_size = len(pdf)
        locked.page_count = rendered.page_count
        locked.render_seconds = round(render_seconds, 4)
        locked.error_message = ""
        locked.finished_at = timezone.now()
        locked.lease_expires_at = None
        locked.save()
        activity_record(
            actor=None,
            verb="document_rendered",
            project=locked.version.project,
            obj=locked,
            object_repr=f"{locked.get_kind_display()} PDF of {locked.version.label}",
            changes={"pages": str(rendered.page_count), "bytes": str(len(pdf)), "sha256": locked.sha256},
        )
        notify_document_ready(locked)  # sent on commit; never raises
    return locked


def _time_limit_message() -> str:
    return TIME_LIMIT_MESSAGE.format(seconds=settings.CELERY_TASK_SOFT_TIME_LIMIT)


def failure_message(exc: BaseException, *, attempts: int | None = None) -> str:
    """What to tell a person about an exception that ended a render job."""
    if isinstance(exc, SoftTimeLimitExceeded):
        return _time_limit_message()
    if isinstance(exc, RenderError | SigningUnavailable):
        return str(exc)
    if isinstance(exc, (*STORAGE_ERRORS, OperationalError, InterfaceError)):
        return TRANSIENT_MESSAGE.format(error=type(exc).__name__, attempts=attempts or 1)
    return UNEXPECTED_MESSAGE.format(error=type(exc).__name__)


def document_fail(*, document_id: int, message: str) -> ScopeDocument | None:
    """Mark a document failed with a message a person understands (a ready document is never downgraded)."""
    with transaction.atomic():
        document = (
            ScopeDocument.objects.select_for_update().select_related("version__project").filter(pk=document_id).first()
        )
        if document is None or document.status == DocumentStatus.READY:
            return document
        document.status = DocumentStatus.FAILED
        document.error_message = message
        document.finished_at = timezone.now()
        document.lease_expires_at = None
        document.save(update_fields=["status", "error_message", "finished_at", "lease_expires_at", "updated_at"])
        activity_record(
            actor=None,
            verb="document_failed",
            project=document.version.project,
            obj=document,
            object_repr=f"{document.get_kind_display()} PDF of {document.version.label}",
            changes={"error": message[:500]},
        )
    return document


def document_note_retry(*, document_id: int, error: BaseException, attempt: int, total: int) -> None:
    """Show that a transient problem is being retried automatically (the row goes back to queued)."""
    ScopeDocument.objects.filter(pk=document_id).exclude(status=DocumentStatus.READY).update(
        status=DocumentStatus.QUEUED,
        error_message=RETRYING_NOTE.format(error=type(error).__name__, attempt=attempt, total=total),
        lease_expires_at=None,
        updated_at=timezone.now(),
    )
