"""Celery job of the sessions area: make an ended session's minutes PDF.

The job takes a session id and calls ``minutes.minutes_pdf_store``; running it twice is harmless (a made PDF is kept).
A database or file-store hiccup is retried with exponential backoff; whatever finally fails is written on the session
(``minutes_pdf_error``), where the minutes page shows it with a way to try again.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from scoping.sessions import minutes

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OSError, OperationalError, InterfaceError)
MAX_RETRIES = 3
RETRY_BACKOFF_SECONDS = 5


class MinutesPdfTask(Task):
    """Records a job that failed for good on the session, so the person waiting for the PDF sees why."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        session_id = (kwargs or {}).get("session_id", args[0] if args else None)
        if session_id is None:
            return
        try:
            minutes.minutes_pdf_record_failure(
                session_id=session_id, error=f"The PDF of the minutes could not be made ({type(exc).__name__}: {exc})."
            )
        except Exception:  # the database may be what failed
            logger.exception("Could not record the failure of the minutes PDF of session %s", session_id)


@shared_task(
    bind=True,
    base=MinutesPdfTask,
    name="scoping.sessions.render_minutes",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=90,
    time_limit=120,
    ignore_result=True,
)
def render_session_minutes(self, session_id: int) -> str:
    try:
        minutes.minutes_pdf_store(session_id=session_id)
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=RETRY_BACKOFF_SECONDS * 2**self.request.retries) from exc
    return "done"
