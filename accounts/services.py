"""Writes for accounts: outbound e-mail (queued as Celery jobs) and a person's own profile.

E-mail never runs inside a request. ``email_queue`` writes one ``OutboundEmail`` row per recipient and publishes
the send job after the surrounding transaction commits; the job calls ``email_deliver``, which makes one attempt
with ``EMAIL_TIMEOUT`` and records the outcome on the row, where the sender sees it. ``email_queue_event`` is the
one way an event's e-mail is written: it renders ``templates/emails/<event>/subject.txt`` and ``body.txt``.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.http import HttpRequest
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone

from accounts.models import DeliveryStatus, OutboundEmail
from scoping.audit import activity_record

logger = logging.getLogger(__name__)

User = get_user_model()

MAX_ERROR_LENGTH = 500
# Publishing runs at the end of a request: if the broker is down, give up within about a second and say so on the
# row rather than keep the person waiting.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
RETRY_BACKOFF_CAP_SECONDS = 3600


_held: ContextVar[bool] = ContextVar("emails_held", default=False)


@contextlib.contextmanager
def emails_held() -> Iterator[None]:
    """Within the block, ``email_queue`` records and sends nothing (``seed_demo`` walks the workflow silently)."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


class DeliveryFailed(Exception):
    """One attempt to hand a message to the mail server failed; the job may try again."""


def retry_delay(*, retries: int, base: int, cap: int = RETRY_BACKOFF_CAP_SECONDS) -> int:
    """Exponential backoff: base, 2·base, 4·base … seconds, never more than ``cap``."""
    return min(cap, max(1, base) * 2 ** max(0, retries))


def _publish(email_id: int) -> None:
    """Hand the send job to the broker (runs after commit, so the worker always finds the row)."""
    from accounts.tasks import send_email  # the job calls this module's email_deliver: import it when used

    options: dict[str, Any] = {"retry": True, "retry_policy": PUBLISH_RETRY_POLICY}
    if settings.EMAIL_QUEUE:
        options["queue"] = settings.EMAIL_QUEUE
    try:
        send_email.apply_async(args=[email_id], **options)
    except Exception as exc:  # noqa: BLE001 - whatever the broker library raises, the message did not go
        logger.exception("Could not queue e-mail %s", email_id)
        OutboundEmail.objects.filter(pk=email_id, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.FAILED, last_error=f"Could not queue the e-mail: {exc}"[:MAX_ERROR_LENGTH]
        )


@transaction.atomic
def email_queue(*, to: str, subject: str, body: str, kind: str = "", invitation=None) -> OutboundEmail | None:
    """Record one message and send it by a Celery job after the transaction commits (never if it rolls back)."""
    if _held.get():
        return None
    email = OutboundEmail.objects.create(
        to=to, subject=subject[:300], body=body, kind=kind, invitation=invitation, status=DeliveryStatus.QUEUED
    )
    transaction.on_commit(lambda: _publish(email.pk))
    return email


def email_render(event: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """The subject and body of the event's e-mail, from ``templates/emails/<event>/``.

    Both are plain text, so nothing is HTML-escaped (a client name with "&" reads as "&"). The subject is one line
    whatever the templates or the names in them hold: a line break in a header would start another header.
    """
    subject, body = (
        # The backend's template wraps the engine's; only the engine's takes a Context that turns escaping off.
        get_template(f"emails/{event}/{part}.txt").template.render(Context(context, autoescape=False))
        for part in ("subject", "body")
    )
    return " ".join(line.strip() for line in subject.splitlines() if line.strip()), body.rstrip()


def email_queue_event(
    *, to: str, event: str, context: Mapping[str, Any], kind: str, invitation=None
) -> OutboundEmail | None:
    """Render the event's e-mail for one recipient and queue it (``email_queue``: sent after the commit)."""
    subject, body = email_render(event, context)
    return email_queue(to=to, subject=subject, body=body, kind=kind, invitation=invitation)


# Links in a message (invitation, password reset) work until used: the row keeps the message, not the working link.
LINK = re.compile(r"https?://\S+")
LINK_REMOVED = "[link removed once the e-mail was sent or given up]"


# A signing code is a secret too: its line ("Your code: 482 913") is blanked the same way.
SIGNING_CODE = re.compile(r"(?m)^(Your code: ).*$")
SIGNING_CODE_REMOVED = r"\1[removed once the e-mail was sent or given up]"


def _without_links(body: str) -> str:
    return SIGNING_CODE.sub(SIGNING_CODE_REMOVED, LINK.sub(LINK_REMOVED, body))


def email_deliver(*, email_id: int, final: bool = True) -> OutboundEmail | None:
    """Make one attempt to send a queued message and record the outcome; idempotent (a sent message stays sent).

    Raises ``DeliveryFailed`` when the attempt failed, after recording it: ``retrying`` if another attempt
    follows, ``failed`` if ``final``.
    """
    email = OutboundEmail.objects.filter(pk=email_id).first()
    if email is None:
        logger.warning("E-mail %s is gone; nothing to send", email_id)
        return None
    if email.status == DeliveryStatus.SENT:
        return email
    attempts = email.attempts + 1
    try:
        connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
        EmailMessage(email.subject, email.body, None, [email.to], connection=connection).send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]
        status = DeliveryStatus.FAILED if final else DeliveryStatus.RETRYING
        kept = {"body": _without_links(email.body)} if final else {}
        OutboundEmail.objects.filter(pk=email.pk).update(attempts=attempts, last_error=error, status=status, **kept)
        logger.warning(
            "Could not send the notification %r to %s (attempt %d, %s): %s",
            email.subject,
            email.to,
            attempts,
            "giving up" if final else "will retry",
            error,
        )
        raise DeliveryFailed(error) from exc
    OutboundEmail.objects.filter(pk=email.pk).update(
        attempts=attempts,
        last_error="",
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        body=_without_links(email.body),
    )
    email.refresh_from_db()
    return email


def email_record_failure(*, email_id: int, error: str) -> None:
    """The job itself died (time limit, bug): say so on the row, unless it went out meanwhile."""
    email = OutboundEmail.objects.filter(pk=email_id).exclude(status=DeliveryStatus.SENT).first()
    if email is not None:
        OutboundEmail.objects.filter(pk=email.pk).exclude(status=DeliveryStatus.SENT).update(
            status=DeliveryStatus.FAILED, last_error=error[:MAX_ERROR_LENGTH], body=_without_links(email.body)
        )


# --- Profile --------------------------------------------------------------------------------------------------------
PROFILE_FIELDS = ("first_name", "last_name", "email")


@transaction.atomic
def profile_update(*, user, actor, request: HttpRequest | None = None, **fields: Any):
    """Change a person's display name or e-mail; the audit trail keeps the old and new values."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = {name: getattr(locked, name) for name in PROFILE_FIELDS}
    for name in PROFILE_FIELDS:
        if name in fields:
            value = (fields[name] or "").strip()
            setattr(locked, name, value.lower() if name == "email" else value)
    if not locked.first_name:
        raise ValidationError({"first_name": "Give your first name: you sign with your name."})
    if User.objects.filter(email__iexact=locked.email).exclude(pk=locked.pk).exists():
        raise ValidationError({"email": "Another account already uses this e-mail address."})
    locked.full_clean(exclude=["password", "username", "client"])
    locked.save(update_fields=list(PROFILE_FIELDS))
    for name in PROFILE_FIELDS:  # the caller's instance (often request.user) shows the new values only once saved
        setattr(user, name, getattr(locked, name))
    changes = {
        name: [str(before[name]), str(getattr(locked, name))]
        for name in PROFILE_FIELDS
        if before[name] != getattr(locked, name)
    }
    if changes:
        activity_record(actor=actor, verb="profile_changed", request=request, obj=user, changes=changes)
    return user


@transaction.atomic
def password_change_record(*, user, request: HttpRequest | None = None) -> None:
    """A person changed their own password (the form saved it); note it in the audit trail, without the password."""
    activity_record(actor=user, verb="password_changed", request=request, obj=user)
