"""Sign-off requests over time: expiry, reminders (daily and by hand), page views, and the request's timeline.

The two Celery beat jobs in ``scoping.tasks`` call :func:`signoff_requests_expire` and :func:`signoff_reminders_send`;
both take ``now`` so tests move the clock instead of sleeping. Each request is handled in its own transaction with the
project row locked first (the order every workflow service locks in), and each reminder leaves a ``SignOffReminder``
row, so a job run twice, or a restarted beat, sends nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateformat import format as date_format

from scoping import notifications
from scoping.audit import version_event_record
from scoping.models import (
    ActivityEvent,
    DiscoveryProject,
    ScopeVersion,
    SigningCode,
    SignOff,
    SignOffDecision,
    SignOffReminder,
    SignOffRequest,
    Stage,
)
from scoping.review.selectors import latest_version
from scoping.review.stages import WorkflowError, project_lock, require_project_staff, stage_move
from scoping.signatories import signing_group, signing_turn, signoff_statuses

logger = logging.getLogger(__name__)

# "Remind now" may be pressed at most this often per request; the daily job is not counted.
REMIND_BY_HAND_EVERY = timedelta(hours=1)
# A signatory opening the sign-off page again within this time is not recorded again.
VIEW_RECORD_EVERY = timedelta(hours=1)


def _lock_open_request(request_id: int) -> tuple[DiscoveryProject, SignOffRequest] | None:
    """The project and the request, both locked (project first), or None when the request is no longer open."""
    project_id = SignOffRequest.objects.filter(pk=request_id).values_list("project_id", flat=True).first()
    if project_id is None:
        return None
    locked = project_lock(DiscoveryProject(pk=project_id))
    row = SignOffRequest.objects.select_for_update().select_related("version").get(pk=request_id)
    if not row.is_open:
        return None
    return locked, row


def _still_awaited(locked: DiscoveryProject, row: SignOffRequest, now: datetime) -> bool:
    """Whether the request still stands; closes it when the scope moved on without it (an edit, an archive)."""
    current = latest_version(locked)
    if locked.stage == Stage.AWAITING_SIGNOFF and current is not None and current.pk == row.version_id:
        return True
    row.closed_at = now
    row.save(update_fields=["closed_at"])
    return False


def _unsigned(locked: DiscoveryProject, version: ScopeVersion, *, order: str, exclude=None) -> list:
    """The signatories who have not signed ``version``, whose turn it is (``order``), and who can be e-mailed, in
    the sign-off page's order. Signing in sequence, the later group is not reminded of what it may not sign yet."""
    people = []
    statuses = signoff_statuses(locked, version)
    turn = signing_turn(statuses, order)
    for status in statuses:
        user = status.signatory.user
        if status.state == SignOffDecision.SIGNED or not user.is_active or not user.email:
            continue
        if signing_group(status.signatory, order) != turn:
            continue
        if exclude is not None and user.pk == exclude.pk:
            continue
        people.append(user)
    return people


# --- Expiry ----------------------------------------------------------------------------------------------------------


def signoff_requests_expire(*, now: datetime | None = None) -> list[int]:
    """Expire every open request whose time ran out; the ids of those that expired now (none twice)."""
    now = now or timezone.now()
    due = SignOffRequest.objects.open().filter(expires_at__lte=now).order_by("expires_at", "pk")
    return [pk for pk in due.values_list("pk", flat=True) if signoff_request_expire(request_id=pk, now=now)]


@transaction.atomic
def signoff_request_expire(*, request_id: int, now: datetime | None = None) -> bool:
    """Move an expired request's scope back to approved, record ``signoff_expired`` and tell the lead.

    False when there is nothing to do: the request is closed, already expired, not yet due, or the scope moved on.
    Signatures already given stay on the version; a new request of the same version counts them.
    """
    now = now or timezone.now()
    found = _lock_open_request(request_id)
    if found is None:
        return False
    locked, row = found
    if row.expires_at > now or not _still_awaited(locked, row, now):
        return False
    moved = stage_move(locked, Stage.APPROVED)
    row.expired_at = now
    row.save(update_fields=["expired_at"])
    version = row.version
    signed = [
        signoff.typed_name for signoff in SignOff.objects.filter(version=version, decision=SignOffDecision.SIGNED)
    ]
    version_event_record(
        actor=None,
        verb="signoff_expired",
        project=locked,
        version=version,
        changes={
            "stage": list(moved),
            "expired": date_format(timezone.localtime(row.expires_at), "j M Y"),
            "signed_before_expiry": signed or "nobody",
        },
    )
    notifications.notify_signoff_expired(signoff_request=row, project=locked, signed=signed)
    logger.info("Sign-off request %s of project %s expired", row.pk, locked.pk)
    return True


# --- Reminders -------------------------------------------------------------------------------------------------------


def signoff_reminders_send(*, now: datetime | None = None) -> int:
    """Remind, on every open request, each signatory who has not signed and is due; the number of e-mails queued.

    Due: SIGNOFF_REMINDER_DAYS calendar days since their last reminder (by hand or not) or since the request. Days,
    not hours, so a daily job sends on the same day each interval whatever time it runs, and never twice a day.
    """
    now = now or timezone.now()
    open_requests = SignOffRequest.objects.open().filter(expires_at__gt=now).order_by("pk")
    return sum(len(signoff_request_remind(request_id=pk, now=now)) for pk in open_requests.values_list("pk", flat=True))


@transaction.atomic
def signoff_request_remind(*, request_id: int, now: datetime | None = None) -> list:
    """The daily reminder of one request: e-mails the signatories who are due, once each; returns them."""
    now = now or timezone.now()
    found = _lock_open_request(request_id)
    if found is None:
        return []
    locked, row = found
    if row.expires_at <= now or not _still_awaited(locked, row, now):
        return []
    last_sent = dict(
        SignOffReminder.objects.filter(request=row)
        .values("user_id")
        .annotate(last=Max("sent_at"))
        .values_list("user_id", "last")
    )
    today = timezone.localdate(now)
    due = [
        user
        for user in _unsigned(locked, row.version, order=row.order)
        if (today - timezone.localdate(last_sent.get(user.pk, row.requested_at))).days >= settings.SIGNOFF_REMINDER_DAYS
    ]
    if due:
        _remind(locked, row, due, now=now, actor=None, request=None)
    return due


@transaction.atomic
def signoff_remind_now(
    *, project: DiscoveryProject, actor, request: HttpRequest | None = None, now: datetime | None = None
) -> list:
    """ "Remind now": e-mail every signatory who has not signed (but the sender); at most once an hour a request."""
    now = now or timezone.now()
    locked = project_lock(project)
    require_project_staff(actor, locked, "remind the signatories")
    if locked.stage != Stage.AWAITING_SIGNOFF:
        raise WorkflowError("This scope is not awaiting sign-off, so there is nobody to remind.")
    row = SignOffRequest.objects.open().select_for_update().filter(project=locked).select_related("version").first()
    if row is None or row.expires_at <= now:
        raise WorkflowError("This sign-off request has expired; request sign-off again instead of reminding.")
    last = SignOffReminder.objects.filter(request=row, by_hand=True).aggregate(last=Max("sent_at"))["last"]
    if last is not None and now - last < REMIND_BY_HAND_EVERY:
        again = timezone.localtime(last + REMIND_BY_HAND_EVERY)
        raise WorkflowError(
            f"The signatories were reminded at {timezone.localtime(last):%H:%M} UTC; "
            f"you can remind them again from {again:%H:%M} UTC."
        )
    people = _unsigned(locked, row.version, order=row.order, exclude=actor)
    if not people:
        raise WorkflowError("Every other signatory has signed; there is nobody to remind.")
    _remind(locked, row, people, now=now, actor=actor, request=request)
    return people


def _remind(locked: DiscoveryProject, row: SignOffRequest, people: list, *, now, actor, request) -> None:
    SignOffReminder.objects.bulk_create(
        [SignOffReminder(request=row, user=user, sent_at=now, by_hand=actor is not None) for user in people]
    )
    version_event_record(
        actor=actor,
        verb="signoff_reminded",
        request=request,
        project=locked,
        version=row.version,
        changes={"signatories": [user.display_name for user in people], "sent": "by hand" if actor else "daily"},
    )
    notifications.notify_signoff_reminder(signoff_request=row, project=locked, people=people, actor=actor)


# --- Page views ------------------------------------------------------------------------------------------------------


@transaction.atomic
def signoff_view_record(
    *, project: DiscoveryProject, version: ScopeVersion, actor, request: HttpRequest | None = None
) -> bool:
    """Record that a signatory opened the page of the version out for signature: at most once an hour each.

    The open request's row is locked, so two tabs opened at once record one view. True when recorded.
    """
    row = SignOffRequest.objects.open().select_for_update().filter(project=project, version=version).first()
    if row is None:
        return False
    since = timezone.now() - VIEW_RECORD_EVERY
    seen = ActivityEvent.objects.filter(
        verb="signoff_viewed", project=project, actor=actor, object_id=str(version.pk), created_at__gte=since
    )
    if seen.exists():
        return False
    version_event_record(actor=actor, verb="signoff_viewed", request=request, project=project, version=version)
    return True


# --- The timeline ----------------------------------------------------------------------------------------------------

# The audit verbs of a sign-off request, as the timeline names them.
TIMELINE_KINDS = {
    "signoff_requested": "sent",
    "signoff_viewed": "viewed",
    "signoff_reminded": "reminded",
    "signing_code_verified": "code verified",
    "scope_signed": "signed",
    "signoff_declined": "declined",
    "signoff_expired": "expired",
    "scope_signed_off": "signed off",
}


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # one of TIMELINE_KINDS' values
    at: datetime
    sentence: str


def _sentence(event: ActivityEvent) -> str:
    who = event.actor_repr or "Firstslice"
    changes = event.changes if isinstance(event.changes, dict) else {}
    names = ", ".join(str(name) for name in changes.get("signatories") or ())
    match event.verb:
        case "signoff_requested":
            expires = f"; it expires on {changes['expires']}" if changes.get("expires") else ""
            return f"{who} sent it for signature to {names}{expires}."
        case "signoff_viewed":
            return f"{who} opened the sign-off page."
        case "signing_code_verified":
            return f"{who} confirmed the code e-mailed to them."
        case "signoff_reminded":
            how = "by hand" if changes.get("sent") == "by hand" else "as the reminders fell due"
            return f"{who} reminded {names} {how}."
        case "scope_signed":
            role = event.object_repr.partition(" as ")[2]
            return f"{who} signed{f' as {role}' if role else ''}."
        case "signoff_declined":
            return f"{who} declined: {changes.get('reason', '')}"
        case "signoff_expired":
            return f"The request expired on {changes.get('expired', '')} unsigned; the scope is approved again."
        case _:
            return "Every signatory has signed: the scope is signed off."


def signoff_timeline(*, project: DiscoveryProject, version: ScopeVersion, with_views: bool) -> list[TimelineEntry]:
    """What happened to the sign-off of ``version``, oldest first, read from the audit trail.

    ``with_views``: include who opened the page (the consultancy's team sees it; signatories see each other's
    signatures, not each other's visits).
    """
    verbs = set(TIMELINE_KINDS) if with_views else set(TIMELINE_KINDS) - {"signoff_viewed"}
    signoffs = [str(pk) for pk in SignOff.objects.filter(version=version).values_list("pk", flat=True)]
    codes = [str(pk) for pk in SigningCode.objects.filter(request__version=version).values_list("pk", flat=True)]
    events = (
        ActivityEvent.objects.filter(project=project, verb__in=verbs)
        .filter(
            Q(object_type=ScopeVersion._meta.label, object_id=str(version.pk))
            | Q(object_type=SignOff._meta.label, object_id__in=signoffs)
            | Q(object_type=SigningCode._meta.label, object_id__in=codes)
        )
        .order_by("created_at", "id")
    )
    return [
        TimelineEntry(kind=TIMELINE_KINDS[event.verb], at=event.created_at, sentence=_sentence(event))
        for event in events
    ]
