"""Celery job of the accounts app: send one queued e-mail.

The job takes an ``OutboundEmail`` id and calls ``accounts.services.email_deliver``; running it twice is harmless
(a sent message is not sent again). A failed attempt (mail server down, refusing, or hanging past
``EMAIL_TIMEOUT``) is retried ``EMAIL_MAX_RETRIES`` times with exponential backoff from ``EMAIL_RETRY_BACKOFF``
seconds; the last failure marks the row "not delivered", which the sender sees (the team page offers Resend).
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings

from accounts import services

logger = logging.getLogger(__name__)


class SendEmailTask(Task):
    """Records a job that died outright (time limit, bug) on the row, so the sender sees it."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        email_id = (kwargs or {}).get("email_id", args[0] if args else None)
        if email_id is None:
            return
        try:
            services.email_record_failure(email_id=email_id, error=f"{type(exc).__name__}: {exc}")
        except Exception:  # the database may be what failed
            logger.exception("Could not record the failure of e-mail %s", email_id)


@shared_task(
    bind=True,
    base=SendEmailTask,
    name="accounts.send_email",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the count is settings.EMAIL_MAX_RETRIES, read at run time (see below)
    ignore_result=True,
)
def send_email(self, email_id: int) -> str:
    """Send one OutboundEmail by id; retry a failed attempt with exponential backoff, then record it as failed."""
    retries = self.request.retries
    final = retries >= settings.EMAIL_MAX_RETRIES
    try:
        services.email_deliver(email_id=email_id, final=final)
    except services.DeliveryFailed as exc:
        if final:
            return "failed"
        delay = services.retry_delay(retries=retries, base=settings.EMAIL_RETRY_BACKOFF)
        raise self.retry(exc=exc, countdown=delay) from exc
    return "sent"
