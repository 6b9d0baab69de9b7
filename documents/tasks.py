"""Celery jobs of the reports app: render one scope document, and sweep documents whose job was lost.

The render task takes an id and calls ``documents.render_job.document_render``; running it twice is harmless (a ready
document is left alone). ``acks_late`` + ``reject_on_worker_lost``: a worker killed mid-render does not lose the
job; the broker delivers it again. Transient errors (file store, database) are retried with exponential backoff;
whatever finally fails is written on the row in words a person understands, with a Retry button on the page.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from documents import render_job, services
from documents.storage_faults import STORAGE_ERRORS

logger = logging.getLogger(__name__)

# Worth another try after a pause: the file store (disk or S3) or the database did not answer. A bad template or
# scope is not.
TRANSIENT_ERRORS = (*STORAGE_ERRORS, OperationalError, InterfaceError)
MAX_RETRIES = 3


def _document_id(args, kwargs) -> int | None:
    if kwargs and "document_id" in kwargs:
        return kwargs["document_id"]
    return args[0] if args else None


class RenderDocumentTask(Task):
    """Records the outcome on the ScopeDocument row, so the person waiting sees it."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        document_id = _document_id(args, kwargs)
        if document_id is None:
            return
        try:
            render_job.document_fail(
                document_id=document_id,
                message=render_job.failure_message(exc, attempts=self.request.retries + 1),
            )
        except Exception:  # the database may be what failed; the stale sweep will catch the row later
            logger.exception("Could not record the failure of document %s", document_id)

    def on_retry(self, exc, task_id, args, kwargs, einfo) -> None:
        document_id = _document_id(args, kwargs)
        if document_id is None:
            return
        try:
            render_job.document_note_retry(
                document_id=document_id, error=exc, attempt=self.request.retries + 2, total=self.max_retries + 1
            )
        except Exception:
            logger.exception("Could not record the retry of document %s", document_id)


@shared_task(
    bind=True,
    base=RenderDocumentTask,
    name="reports.render_document",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    ignore_result=True,
)
def render_document(self, document_id: int) -> str:
    """Render one ScopeDocument by id (idempotent)."""
    document = render_job.document_render(document_id=document_id)
    return document.status if document is not None else "missing"


@shared_task(name="reports.sweep_stale_documents", ignore_result=True)
def sweep_stale_documents() -> int:
    """Periodic: re-queue or fail documents stuck in queued/rendering (schedule it with celery beat)."""
    return services.documents_sweep_stale()
