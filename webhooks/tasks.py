"""Celery job of the webhooks app: deliver one webhook.

The job takes a ``WebhookDelivery`` id and calls ``webhooks.services.delivery_attempt``; running it twice is harmless
(a finished delivery is not sent again). A failed attempt is retried ``WEBHOOKS_MAX_RETRIES`` times with exponential
backoff from ``WEBHOOKS_RETRY_BACKOFF`` seconds (doubling, at most an hour); the service decides, because it also
records each attempt and counts the failures that disable an endpoint.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task

from webhooks import services

logger = logging.getLogger(__name__)


class DeliverWebhookTask(Task):
    """Records a job that died outright (time limit, bug) on the delivery, so the admin sees it."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        delivery_id = (kwargs or {}).get("delivery_id", args[0] if args else None)
        if delivery_id is None:
            return
        try:
            error = f"The job failed: {type(exc).__name__}: {exc}"
            services.delivery_record_crash(delivery_id=delivery_id, error=error)
        except Exception:  # the database may be what failed
            logger.exception("Could not record the failure of webhook delivery %s", delivery_id)


@shared_task(
    bind=True,
    base=DeliverWebhookTask,
    name="webhooks.deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the count is settings.WEBHOOKS_MAX_RETRIES, read by the service at run time
    ignore_result=True,
)
def deliver_webhook(self, delivery_id: str) -> str:
    """Make one attempt at a delivery by id; schedule the next one with backoff when the service says so."""
    result = services.delivery_attempt(delivery_id=delivery_id, retries=self.request.retries)
    if result.outcome == "retry":
        raise self.retry(countdown=result.retry_in)
    return result.outcome
