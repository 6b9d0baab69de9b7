"""Scope documents: request a PDF, render it (the job's real work), record failures, retry, sweep stale jobs.

The Celery task in ``documents.tasks`` only passes an id to ``document_render``; ``manage.py render_scope`` and the
bench call the same function, so there is one code path from frozen version to stored PDF.

States: queued -> rendering -> ready | failed. A failed document always carries a message a person understands and
can be retried. A document never stays "rendering" for ever: a worker that dies mid-render leaves the broker message
unacknowledged (acks_late), so Redis delivers it again; a rendering job renews a lease on its row every few seconds,
and ``documents_sweep_stale`` re-queues or fails a document whose lease lapsed (or that has been "rendering" for
longer than the hard time limit plus a margin).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from config.celery import app
from documents.models import DocumentKind, DocumentStatus, ScopeDocument, document_path
from documents.print_context import DocumentMeta
from documents.rendering import RenderError, render_scope_pdf
from documents.selectors import PENDING_STATUSES
from documents.signing import sign_pdf
from documents.storage_faults import STORAGE_ERRORS
from documents.versioning import version_freeze
from scoping.models import DiscoveryProject, ScopeVersion, SignOffDecision
from scoping.notifications import notify_document_ready
from scoping.projects.services import activity_record

logger = logging.getLogger(__name__)

__all__ = [
    "BrokerUnavailable",
    "DocumentRefused",
    "broker_check",
    "document_create",
    "document_download_filename",
    "document_fail",
    "document_meta",
    "document_note_retry",
    "document_open",
    "document_render",
    "document_request",
    "document_request_current",
    "document_retry",
    "documents_sweep_stale",
]

BROKER_UNAVAILABLE_MESSAGE = "The PDF service is not reachable right now; nothing was queued. Try again in a minute."
NOT_QUEUED_MESSAGE = (
    "The PDF service stopped answering just as this document was requested, so it was never queued. "
    "Press Retry when the service is back."
)
STALE_RENDERING_MESSAGE = (
    "The PDF worker stopped while making this document (it may have been restarted). Press Retry to make it again."
)
STALE_QUEUED_MESSAGE = (
    "No PDF worker picked this document up for {minutes} minutes, so the request was given up. Press Retry; if it "
    "happens again, the PDF worker is probably not running: tell your administrator."
)
REQUEUED_NOTE = "The PDF worker stopped while making this document; it was queued again automatically."
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
BROKER_PING_TIMEOUT_SECONDS = 2.0
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
MAX_RENDER_ATTEMPTS = 3
STALE_MARGIN_SECONDS = 60
LEASE_SECONDS = 30
LEASE_RENEW_SECONDS = 10
QUEUED_STALE_SECONDS = 15 * 60
STATUS_LABELS = {
    DocumentKind.DRAFT: "Draft for discussion: not approved",
    DocumentKind.PROPOSAL: "Proposal",
    DocumentKind.SIGNED: "Signed off",
}


class BrokerUnavailable(Exception):
    """The job broker (Redis) does not answer, so no PDF can be queued; nothing was written."""

    def __init__(self, message: str = BROKER_UNAVAILABLE_MESSAGE) -> None:
        super().__init__(message)


class DocumentRefused(ValueError):
    """The document cannot be requested or retried as asked; the message says why, for the person who asked."""


class SigningUnavailable(Exception):
    """The signing certificate is missing or unusable; a signed document cannot be made until an admin fixes it."""


# --- The broker -----------------------------------------------------------------------------------------------------


def broker_check(*, timeout: float = BROKER_PING_TIMEOUT_SECONDS) -> None:
    """Raise ``BrokerUnavailable`` unless the broker answers a ping within ``timeout`` seconds.

    Checked before any row is written, so a request made while Redis is down leaves nothing half-made behind.
    In the embedded demo mode jobs run in-process and there is no broker to ask.
    """
    if app.conf.task_always_eager:
        return
    options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    try:
        with app.connection_for_write(transport_options=options, connect_timeout=timeout) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
            client = getattr(connection.default_channel, "client", None)
            if client is not None and hasattr(client, "ping"):
                client.ping()
    except Exception as exc:  # noqa: BLE001 - whatever the broker library raises, the answer is "not reachable"
        logger.warning("Job broker not reachable (%s: %s); refusing to queue a PDF", type(exc).__name__, exc)
        raise BrokerUnavailable() from exc


def _queue_name() -> str | None:
    return getattr(settings, "DOCUMENT_QUEUE", None) or None


def _enqueue(document_id: int) -> None:
    """Publish the render job (runs after commit, so the worker always finds the row)."""
    from documents.tasks import render_document  # the job calls this module's document_render: import it when used

    options = {"retry": True, "retry_policy": PUBLISH_RETRY_POLICY}
    if queue := _queue_name():
        options["queue"] = queue
    try:
        render_document.apply_async(args=[document_id], **options)
    except Exception:
        logger.exception("Could not queue the render of document %s", document_id)
        ScopeDocument.objects.filter(pk=document_id, status=DocumentStatus.QUEUED).update(
            status=DocumentStatus.FAILED,
            error_message=NOT_QUEUED_MESSAGE,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )


# --- Requesting -----------------------------------------------------------------------------------------------------


def _user_or_none(user):
    return user if getattr(user, "is_authenticated", False) else None


def _pending_twin(*, version: ScopeVersion, kind: str, exclude_pk: int | None = None) -> ScopeDocument | None:
    """The queued or rendering document of this version and kind, if there is one (there is at most one)."""
    pending = ScopeDocument.objects.filter(version=version, kind=kind, status__in=PENDING_STATUSES)
    if exclude_pk is not None:
        pending = pending.exclude(pk=exclude_pk)
    return pending.first()


@transaction.atomic
def document_create(
    *, version: ScopeVersion, kind: str, requested_by, request: HttpRequest | None = None
) -> ScopeDocument:
    """The queued row only, without queueing a job: ``document_request`` queues it; ``render_scope`` renders inline.

    A request identical to one still queued or rendering (same version, same kind) gets that document back, with
    ``reused`` set, instead of a second row and a second render. Requests for one project are serialised on the
    project row, and a partial unique constraint backs that up, so five simultaneous clicks make one document.
    """
    if kind not in DocumentKind.values:
        raise DocumentRefused(f"Unknown document kind {kind!r}; choose draft or proposal.")
    if kind == DocumentKind.SIGNED and not version.signoffs.filter(decision=SignOffDecision.SIGNED).exists():
        raise DocumentRefused(f"{version.label} has no sign-off yet, so there is nothing to put in a signed document.")
    list(DiscoveryProject.objects.select_for_update().filter(pk=version.project_id).values_list("pk"))
    if (pending := _pending_twin(version=version, kind=kind)) is not None:
        pending.reused = True
        return pending
    try:
        with transaction.atomic():
            document = ScopeDocument.objects.create(
                version=version, kind=kind, requested_by=_user_or_none(requested_by)
            )
    except IntegrityError:
        # A retry put a failed twin back in the queue meanwhile (retries do not take the project lock).
        pending = _pending_twin(version=version, kind=kind)
        if pending is None:
            raise
        pending.reused = True
        return pending
    document.reused = False
    activity_record(
        actor=requested_by,
        verb="document_requested",
        request=request,
        project=version.project,
        obj=document,
        object_repr=f"{document.get_kind_display()} PDF of {version.label}",
        changes={"kind": kind, "version": version.label},
    )
    return document


def document_request(
    *,
    version: ScopeVersion,
    kind: str,
    requested_by,
    request: HttpRequest | None = None,
    check_broker: bool = True,
) -> ScopeDocument:
    """Create a queued document for a frozen version and queue its render once the transaction commits.

    An identical document already queued or rendering is returned instead (``reused`` is True; no second job).
    Raises ``BrokerUnavailable`` (before writing anything) when the job broker does not answer. Pass
    ``check_broker=False`` from flows that must not fail because of the broker (the sign-off): the row is then
    created anyway and, if the job cannot be published, marked failed with a Retry button.
    """
    if check_broker:
        broker_check()
    document = document_create(version=version, kind=kind, requested_by=requested_by, request=request)
    if not document.reused:
        transaction.on_commit(partial(_enqueue, document.pk))
    return document


def document_request_current(
    *, project: DiscoveryProject, kind: str, requested_by, request: HttpRequest | None = None
) -> ScopeDocument:
    """A PDF of the live scope: freeze it first (the latest version when nothing changed), then request the PDF."""
    broker_check()
    with transaction.atomic():
        version = version_freeze(project=project, actor=requested_by, request=request)
        return document_request(
            version=version, kind=kind, requested_by=requested_by, request=request, check_broker=False
        )


# --- Rendering ------------------------------------------------------------------------------------------------------


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
    return f"{review.get_decision_display()} by {review.reviewer.display_name} on {when}"


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
                }
            )
    frozen_by = version.frozen_by_name or (version.frozen_by.display_name if version.frozen_by else "")
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
        consultancy=getattr(settings, "CONSULTANCY_NAME", ""),
    )


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
        if document.status == DocumentStatus.FAILED and _pending_twin(
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


@transaction.atomic
def _document_requeue(
    *, document_id: int, actor, request: HttpRequest | None, verb: str, expected_status: str, note: str = ""
) -> bool:
    """Put a document back in the queue if it is still in ``expected_status``; publish the job after commit."""
    document = ScopeDocument.objects.select_for_update().select_related("version__project").get(pk=document_id)
    if document.status != expected_status:
        return False
    document.status = DocumentStatus.QUEUED
    document.error_message = note
    document.started_at = None
    document.finished_at = None
    document.lease_expires_at = None
    document.save(
        update_fields=["status", "error_message", "started_at", "finished_at", "lease_expires_at", "updated_at"]
    )
    if verb:
        activity_record(
            actor=actor,
            verb=verb,
            request=request,
            project=document.version.project,
            obj=document,
            object_repr=f"{document.get_kind_display()} PDF of {document.version.label}",
        )
    transaction.on_commit(partial(_enqueue, document.pk))
    return True


def document_retry(*, document: ScopeDocument, actor, request: HttpRequest | None = None) -> ScopeDocument:
    """Queue a failed document again. Raises ``BrokerUnavailable`` (nothing changed) when the broker is down."""
    if document.status != DocumentStatus.FAILED:
        raise DocumentRefused(f"Only a failed document can be retried; this one is {document.get_status_display()}.")
    already_made = DocumentRefused(
        f"{document.get_kind_display()} PDF of {document.version.label} is already being made (it was requested "
        "again after this one failed); it is shown above."
    )
    if _pending_twin(version=document.version, kind=document.kind, exclude_pk=document.pk):
        raise already_made
    broker_check()
    try:
        requeued = _document_requeue(
            document_id=document.pk,
            actor=actor,
            request=request,
            verb="document_retried",
            expected_status=DocumentStatus.FAILED,
        )
    except IntegrityError:
        raise already_made from None  # a new request of the same PDF was made at the same moment
    if not requeued:
        raise DocumentRefused("This document was already retried; its new status is shown below.")
    document.refresh_from_db()
    return document


def documents_sweep_stale(*, document_ids: Iterable[int] | None = None, now: datetime | None = None) -> int:
    """Re-queue or fail documents whose job has evidently been lost; returns how many were touched.

    "Rendering" with a lapsed lease means the worker died (a live job renews its lease every
    ``DOCUMENT_LEASE_RENEW_SECONDS``), as does "rendering" for longer than the hard time limit plus a margin (the
    hard limit would have stopped a live one): re-queued while attempts remain and the broker answers, else failed.
    "Queued" for a long time means the job message was lost: failed with Retry.
    Runs from the status poll (for the documents on screen) and periodically (``documents.tasks``).
    """
    now = now or timezone.now()
    rendering_limit = settings.CELERY_TASK_TIME_LIMIT + getattr(
        settings, "DOCUMENT_STALE_MARGIN_SECONDS", STALE_MARGIN_SECONDS
    )
    queued_limit = getattr(settings, "DOCUMENT_QUEUED_STALE_SECONDS", QUEUED_STALE_SECONDS)
    rendering = ScopeDocument.objects.filter(status=DocumentStatus.RENDERING)
    candidates = (
        rendering.filter(lease_expires_at__lt=now)
        | rendering.filter(started_at__lt=now - timedelta(seconds=rendering_limit))
        | ScopeDocument.objects.filter(
            status=DocumentStatus.QUEUED, updated_at__lt=now - timedelta(seconds=queued_limit)
        )
    )
    if document_ids is not None:
        candidates = candidates.filter(pk__in=list(document_ids))
    stale = list(candidates.values_list("pk", "status", "attempts"))
    if not stale:
        return 0
    try:
        broker_check()
        broker_ok = True
    except BrokerUnavailable:
        broker_ok = False
    for document_id, status, attempts in stale:
        if status == DocumentStatus.RENDERING and broker_ok and attempts < MAX_RENDER_ATTEMPTS:
            logger.warning("Document %s has been rendering too long; queueing it again", document_id)
            _document_requeue(
                document_id=document_id,
                actor=None,
                request=None,
                verb="",
                expected_status=DocumentStatus.RENDERING,
                note=REQUEUED_NOTE,
            )
        elif status == DocumentStatus.RENDERING:
            logger.warning("Document %s has been rendering too long; marking it failed", document_id)
            document_fail(document_id=document_id, message=STALE_RENDERING_MESSAGE)
        else:
            logger.warning("Document %s has been queued too long; marking it failed", document_id)
            document_fail(document_id=document_id, message=STALE_QUEUED_MESSAGE.format(minutes=queued_limit // 60))
    return len(stale)


def document_open(*, document: ScopeDocument, actor, request: HttpRequest | None = None):
    """Open a ready document's file for download and record who downloaded it. Raises FileNotFoundError."""
    handle = default_storage.open(document.file.name, "rb")
    activity_record(
        actor=actor,
        verb="document_downloaded",
        request=request,
        project=document.version.project,
        obj=document,
        object_repr=f"{document.get_kind_display()} PDF of {document.version.label}",
    )
    return handle
