"""Periodic jobs of the scoping app (scheduled by Celery beat in settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from scoping.review.reminders import signoff_reminders_send, signoff_requests_expire
from scoping.steps.drift import price_drift_check

# The daily drift watch reads every scope that uses a catalogue model once; it may take minutes on a large pipeline.
# Longer than the broker's visibility timeout, so it is acknowledged on receipt (acks_late=False): a run lost with its
# worker is simply tomorrow's run, and the PriceDrift rows make a repeated run say nothing twice.
DRIFT_SOFT_TIME_LIMIT = 30 * 60


@shared_task(
    name="scoping.check_price_drift",
    ignore_result=True,
    acks_late=False,
    soft_time_limit=DRIFT_SOFT_TIME_LIMIT,
    time_limit=DRIFT_SOFT_TIME_LIMIT + 60,
)
def check_price_drift() -> str:
    """Daily: re-cost scopes whose catalogue prices changed; alert the owners of signed scopes (each change once)."""
    return str(price_drift_check())


# The sign-off jobs are short, and each request they handle is recorded (expired_at, SignOffReminder), so a run lost
# with its worker is simply the next run, and a repeated run does nothing twice: acknowledged on receipt, like the
# drift watch.


@shared_task(name="scoping.expire_signoff_requests", ignore_result=True, acks_late=False)
def expire_signoff_requests() -> int:
    """Hourly: return the scopes whose sign-off request expired to approved, and tell their leads."""
    return len(signoff_requests_expire())


@shared_task(name="scoping.send_signoff_reminders", ignore_result=True, acks_late=False)
def send_signoff_reminders() -> int:
    """Daily: remind each signatory who has not signed, every SIGNOFF_REMINDER_DAYS days, until the request ends."""
    return signoff_reminders_send()
