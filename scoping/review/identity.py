"""Proving who signs: a 6-digit code e-mailed to a client signatory, confirmed before their signature counts.

A client's signatory signs in with a password the consultancy cannot vouch for; the code shows they also hold the
mailbox the invitation went to. The flow is send → confirm → sign, in that order and each in its own transaction, so
that a wrong try is counted even though the signature it was meant for is refused:

* ``signing_code_send`` e-mails a fresh code (at most one a minute, five an hour) and keeps only its keyed hash;
* ``signing_code_confirm`` checks a typed code: right → confirmed; wrong → one try fewer; the fifth wrong try locks
  signing of that request for that person for 15 minutes; a code older than ``SIGNING_CODE_MINUTES`` is refused;
* ``signing_code_use`` (called by the signature, under its lock) takes the confirmed code and marks it used, so a
  code signs once.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from scoping import notifications
from scoping.audit import activity_record
from scoping.models import DiscoveryProject, SigningCode, SigningIdentity, SignOffRequest
from scoping.review.stages import WorkflowError, expired_refusal, project_lock
from scoping.signatories import Signatory

MAX_TRIES = 5
LOCK_MINUTES = 15
RESEND_SECONDS = 60
SENDS_PER_HOUR = 5


def code_required(person: Signatory) -> bool:
    """Client signatories confirm an e-mailed code; the consultancy's own lead signs on their staff sign-in."""
    return bool(settings.SIGNOFF_EMAIL_CODE) and person.is_client


def identity_for(person: Signatory) -> str:
    return SigningIdentity.EMAIL_CODE if code_required(person) else SigningIdentity.SIGN_IN


def _hash(row_request_id: int, user_id: int, code: str) -> str:
    return salted_hmac("firstslice.signing-code", f"{row_request_id}:{user_id}:{code}").hexdigest()


def _clean(code: str) -> str:
    """What a person typed, without the spaces and dashes people put in ("482 913", "482-913")."""
    return "".join(character for character in (code or "") if not character.isspace() and character != "-")


def masked_email(address: str) -> str:
    """p•••@client.example: enough for the person to recognise their mailbox, not to read the whole address."""
    local, _at, domain = (address or "").partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "your e-mail address"


def time_text(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _open_request(locked: DiscoveryProject, now: datetime) -> SignOffRequest:
    row = SignOffRequest.objects.open().filter(project=locked).select_related("version").first()
    if row is None:
        latest = SignOffRequest.objects.filter(project=locked).first()
        if latest is not None and latest.expired_at is not None:
            raise WorkflowError(expired_refusal(latest, locked))
        raise WorkflowError("This scope is not out for signature now, so there is nothing to send a code for.")
    if row.expires_at <= now:  # ran out, before the hourly job has closed it
        raise WorkflowError(expired_refusal(row, locked))
    return row


def _lock_of(row: SignOffRequest, user, now: datetime) -> datetime | None:
    locked = (
        SigningCode.objects.filter(request=row, user=user, locked_until__gt=now)
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )
    return locked


def _refuse_if_locked(row: SignOffRequest, user, now: datetime) -> None:
    locked_until = _lock_of(row, user, now)
    if locked_until is not None:
        raise WorkflowError(
            f"Signing is locked after {MAX_TRIES} wrong codes. Try again after {time_text(locked_until)} "
            "with a new code."
        )


@transaction.atomic
def signing_code_send(
    *, project: DiscoveryProject, actor, request: HttpRequest | None = None, now: datetime | None = None
) -> tuple[SigningCode, str]:
    """E-mail a new code to the signatory; returns the row and the code (the caller shows neither to anyone)."""
    now = now or timezone.now()
    locked = project_lock(project)
    row = _open_request(locked, now)
    _refuse_if_locked(row, actor, now)
    if not (actor.email or "").strip():
        raise WorkflowError("Your account has no e-mail address, so no code can be sent. Add one on your profile.")
    sent = SigningCode.objects.filter(request=row, user=actor, sent_at__gt=now - timedelta(hours=1))
    last = sent.order_by("-sent_at").first()
    if last is not None and last.sent_at > now - timedelta(seconds=RESEND_SECONDS):
        wait = RESEND_SECONDS - int((now - last.sent_at).total_seconds())
        raise WorkflowError(
            f"A code was sent to {masked_email(last.sent_to)} a moment ago. Check that mailbox (and its spam folder); "
            f"you can ask for another in {max(wait, 1)} seconds."
        )
    if sent.count() >= SENDS_PER_HOUR:
        raise WorkflowError(
            f"{SENDS_PER_HOUR} codes were sent in the last hour. Use the latest one, or ask again in an hour."
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    signing_code = SigningCode.objects.create(
        request=row, user=actor, code_hash=_hash(row.pk, actor.pk, code), sent_to=actor.email, sent_at=now
    )
    activity_record(
        actor=actor,
        verb="signing_code_sent",
        request=request,
        project=locked,
        obj=signing_code,
        object_repr=row.version.label,
        changes={"to": masked_email(actor.email)},
    )
    notifications.notify_signing_code(
        project=locked,
        version=row.version,
        person=actor,
        code=f"{code[:3]} {code[3:]}",
        code_minutes=settings.SIGNING_CODE_MINUTES,
    )
    return signing_code, code


def signing_code_confirm(
    *, project: DiscoveryProject, actor, code: str, request: HttpRequest | None = None, now: datetime | None = None
) -> SigningCode:
    """Check the typed code against the latest one sent, or raise ``WorkflowError`` saying what to do.

    A wrong try is recorded and committed before the refusal is raised, so nobody gets more than five tries by
    having each refusal roll back. Never call it inside another transaction for the same reason.
    """
    confirmed, refusal = _confirm(project=project, actor=actor, code=code, request=request, now=now or timezone.now())
    if refusal:
        raise WorkflowError(refusal)
    return confirmed


@transaction.atomic
def _confirm(*, project: DiscoveryProject, actor, code: str, request: HttpRequest | None, now: datetime):
    locked = project_lock(project)
    row = _open_request(locked, now)
    _refuse_if_locked(row, actor, now)
    latest = SigningCode.objects.select_for_update().filter(request=row, user=actor).order_by("-sent_at").first()
    if latest is None or latest.used_at is not None:
        raise WorkflowError(
            f"Send yourself a code first: it goes to your e-mail address and works for "
            f"{settings.SIGNING_CODE_MINUTES} minutes."
        )
    typed = _clean(code)
    if not typed:
        raise WorkflowError("Type the 6-digit code from the e-mail.")
    if latest.sent_at <= now - timedelta(minutes=settings.SIGNING_CODE_MINUTES):
        raise WorkflowError(
            f"That code has expired: codes work for {settings.SIGNING_CODE_MINUTES} minutes. Send yourself a new one."
        )
    if constant_time_compare(latest.code_hash, _hash(row.pk, actor.pk, typed)):
        if latest.verified_at is None:
            latest.verified_at = now
            latest.save(update_fields=["verified_at"])
            activity_record(
                actor=actor,
                verb="signing_code_verified",
                request=request,
                project=locked,
                obj=latest,
                object_repr=row.version.label,
            )
        return latest, ""
    latest.attempts += 1
    changes: dict = {"tries": latest.attempts}
    if latest.attempts >= MAX_TRIES:
        latest.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        changes["locked until"] = time_text(latest.locked_until)
    latest.save(update_fields=["attempts", "locked_until"])
    activity_record(
        actor=actor,
        verb="signing_code_wrong",
        request=request,
        project=locked,
        obj=latest,
        object_repr=row.version.label,
        changes=changes,
    )
    if latest.locked_until is not None:
        return None, (
            f"That code is not right, and that was the {MAX_TRIES}th wrong try: signing is locked until "
            f"{time_text(latest.locked_until)}. Then send yourself a new code."
        )
    left = MAX_TRIES - latest.attempts
    return None, f"That code is not right. {left} {'try' if left == 1 else 'tries'} left before signing is locked."


def signing_code_use(*, locked: DiscoveryProject, actor, now: datetime | None = None) -> None:
    """Take the confirmed code for the signature being recorded (the caller holds the project lock): a confirmed,
    unused, unexpired code of the open request, or refuse. Marks it used, so one code signs once."""
    now = now or timezone.now()
    row = _open_request(locked, now)
    _refuse_if_locked(row, actor, now)
    latest = SigningCode.objects.select_for_update().filter(request=row, user=actor).order_by("-sent_at").first()
    fresh = latest is not None and latest.sent_at > now - timedelta(minutes=settings.SIGNING_CODE_MINUTES)
    if latest is None or latest.used_at is not None or latest.verified_at is None or not fresh:
        raise WorkflowError(
            "Confirm the 6-digit code e-mailed to you before signing: send yourself a code, then type it in."
        )
    latest.used_at = now
    latest.save(update_fields=["used_at"])


def code_status(*, project: DiscoveryProject, user, now: datetime | None = None) -> dict:
    """What the sign-off page says about this person's code: where the last one went and when, and any lock."""
    now = now or timezone.now()
    row = SignOffRequest.objects.open().filter(project=project).first()
    latest = SigningCode.objects.filter(request=row, user=user).first() if row is not None else None
    locked_until = _lock_of(row, user, now) if row is not None else None
    live = latest is not None and latest.used_at is None
    return {
        "code_sent_to": masked_email(latest.sent_to) if live else "",
        "code_sent_at": latest.sent_at if live else None,
        "code_verified": bool(live and latest.verified_at),
        "code_locked_until": locked_until,
    }
