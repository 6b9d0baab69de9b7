"""Scope documents: request a PDF, retry a failed one, sweep jobs that were lost, open a ready one.

The render job itself (claim, lease, store, record a failure) is in ``documents.render_job``.

States: queued -> rendering -> ready | failed. A failed document always carries a message a person understands and
can be retried. A document never stays "rendering" for ever: a worker that dies mid-render leaves the broker message
unacknowledged (acks_late), so Redis delivers it again; a rendering job renews a lease on its row every few seconds,
and ``documents_sweep_stale`` re-queues or fails a document whose lease lapsed (or that has been "rendering" for
longer than the hard time limit plus a margin).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from config.celery import app
from documents.models import DocumentKind, DocumentStatus, ScopeDocument
from documents.render_job import document_fail
from documents.selectors import pending_twin
from documents.versioning import version_freeze
from scoping.models import DiscoveryProject, ScopeVersion, SignOffDecision
from scoping.projects.services import activity_record

logger = logging.getLogger(__name__)

__all__ = [
    "BrokerUnavailable",
    "DocumentRefused",
    "broker_check",
    "document_create",
    "document_open",
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

BROKER_PING_TIMEOUT_SECONDS = 2.0
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
MAX_RENDER_ATTEMPTS = 3
STALE_MARGIN_SECONDS = 60
QUEUED_STALE_SECONDS = 15 * 60


class BrokerUnavailable(Exception):
    """The job broker (Redis) does not answer, so no PDF can be queued; nothing was written."""

    def __init__(self, message: str = BROKER_UNAVAILABLE_MESSAGE) -> None:
        super().__init__(message)


class DocumentRefused(ValueError):
    """The document cannot be requested or retried as asked; the message says why, for the person who asked."""


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
    if (pending := pending_twin(version=version, kind=kind)) is not None:
        pending.reused = True
        return pending
    try:
        with transaction.atomic():
            document = ScopeDocument.objects.create(
                version=version, kind=kind, requested_by=_user_or_none(requested_by)
            )
    except IntegrityError:
        # A retry put a failed twin back in the queue meanwhile (retries do not take the project lock).
        pending = pending_twin(version=version, kind=kind)
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


# --- Retrying and sweeping ------------------------------------------------------------------------------------------


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
    if pending_twin(version=document.version, kind=document.kind, exclude_pk=document.pk):
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
