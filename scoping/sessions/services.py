"""Writes of the session record: plan, start, move through the agenda, log decisions, actions and parked items, end.

Each write runs in one transaction and, once it commits, tells every open page of the project with a
``session.updated`` message (the live contract); the database is the record, the message only a nudge. At most one
session of a project is live at a time: the database refuses a second (``one_live_session_per_project``) and
``session_start`` turns that refusal into a sentence.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from scoping.audit import activity_record
from scoping.live_scope import export_scope
from scoping.models import AgendaItem, AttendeeKind, DiscoveryProject, DiscoverySession, SessionAttendee, SessionNote
from scoping.models.sections import OpenQuestion
from scoping.models.sessions import TEXT_MAX
from scoping.realtime.broadcast import project_broadcast
from scoping.scope.catalogue import SECTION_KEYS, SECTION_LABELS
from scoping.sessions.minutes import answered_by_now, minutes_email_queue, minutes_pdf_record_failure
from scoping.sessions.selectors import current_item
from scoping.steps import questions as question_services

logger = logging.getLogger(__name__)

MAX_ITEM_MINUTES = 240
MAX_AGENDA_ITEMS = 20


class SessionRefused(Exception):
    """The session cannot do that now; the message says why and what to do, to the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Guest:
    """A named attendee without an account; without an e-mail address they are not sent the minutes."""

    name: str
    email: str = ""


def session_message(session: DiscoverySession) -> dict[str, Any]:
    """The ``session.updated`` message of the live contract, as it stands now."""
    item = current_item(session)
    return {
        "type": "session.updated",
        "session": session.number,
        "status": "live" if session.is_live else "ended" if session.ended_at else "planned",
        "current_step": item.step if item else "",
        "item_started_at": item.started_at.isoformat() if item and item.started_at else "",
        "item_minutes": item.minutes if item else None,
    }


def _broadcast(session: DiscoverySession) -> None:
    message = session_message(session)
    project_broadcast(session.project_id, message)


def _name(user) -> str:
    return getattr(user, "display_name", "") or user.get_username()


def _check_agenda(agenda: Sequence[tuple[str, int]]) -> None:
    if len(agenda) > MAX_AGENDA_ITEMS:
        raise ValidationError(f"An agenda holds at most {MAX_AGENDA_ITEMS} items; merge some steps.")
    for step, minutes in agenda:
        if step not in SECTION_KEYS:
            raise ValidationError(f"“{step}” is not a step of the scope; pick one of the eight steps.")
        if not 1 <= int(minutes) <= MAX_ITEM_MINUTES:
            raise ValidationError(
                f"Give {SECTION_LABELS[step]} between 1 and {MAX_ITEM_MINUTES} minutes on the agenda."
            )


@transaction.atomic
def session_plan(
    *,
    project: DiscoveryProject,
    actor,
    title: str,
    staff: Iterable = (),
    participants: Iterable = (),
    guests: Iterable[Guest] = (),
    agenda: Sequence[tuple[str, int]] = (),
    request: HttpRequest | None = None,
) -> DiscoverySession:
    """Plan the project's next session (numbered after the last), with its attendees and agenda.

    The person planning it facilitates and attends it. ``staff`` and ``participants`` are users already known to
    be on the project (the form offers only those); ``agenda`` is (step key, minutes) in order.
    """
    _check_agenda(agenda)
    # Lock the project row so two people planning at once do not both take the same number.
    DiscoveryProject.objects.select_for_update().filter(pk=project.pk).first()
    last = project.discovery_sessions.aggregate(last=Max("number"))["last"] or 0
    session = DiscoverySession.objects.create(project=project, number=last + 1, title=title.strip(), facilitator=actor)
    people: list[tuple[str, Any]] = [(AttendeeKind.STAFF, actor)]
    people += [(AttendeeKind.STAFF, user) for user in staff]
    people += [(AttendeeKind.CLIENT, user) for user in participants]
    seen: set[int] = set()
    for kind, user in people:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        SessionAttendee.objects.create(session=session, kind=kind, user=user, name=_name(user), email=user.email or "")
    for guest in guests:
        if guest.name.strip():
            attendee = SessionAttendee(
                session=session, kind=AttendeeKind.GUEST, name=guest.name.strip(), email=guest.email.strip()
            )
            attendee.full_clean(exclude=["user"])
            attendee.save()
    AgendaItem.objects.bulk_create(
        AgendaItem(session=session, position=position, step=step, minutes=int(minutes))
        for position, (step, minutes) in enumerate(agenda, start=1)
    )
    _session_event(session, actor=actor, verb="session_planned", request=request)
    return session


def _session_event(session: DiscoverySession, *, actor, verb: str, request: HttpRequest | None) -> None:
    """One event of the session's life on the project's audit trail."""
    activity_record(
        actor=actor, verb=verb, request=request, project=session.project, obj=session, object_repr=str(session)
    )


def _locked(session: DiscoverySession) -> DiscoverySession:
    return DiscoverySession.objects.select_for_update().select_related("project").get(pk=session.pk)


def _require_live(session: DiscoverySession) -> None:
    if not session.is_live:
        state = "has ended" if session.ended_at else "has not started yet"
        raise SessionRefused(f"Session {session.number} {state}, so nothing can be logged in it.")


@transaction.atomic
def session_cancel(*, session: DiscoverySession, actor, request: HttpRequest | None = None) -> None:
    """Drop a planned session that never started, with its attendees and agenda; the audit trail keeps that it was.

    A started session is part of the project's record (its minutes, who answered what in it): it cannot go.
    """
    session = _locked(session)
    if session.started_at is not None:
        raise SessionRefused(
            f"Session {session.number} has started, so it is part of the project's record and cannot be cancelled."
        )
    _session_event(session, actor=actor, verb="session_cancelled", request=request)
    session.delete()


@transaction.atomic
def session_start(*, session: DiscoverySession, actor, request: HttpRequest | None = None) -> DiscoverySession:
    """Start a planned session: keep the scope as it is now (the minutes' "before") and start its first item.

    A second live session on the project is refused by the database's constraint; the refusal names the live one.
    """
    session = _locked(session)
    if session.ended_at is not None:
        raise SessionRefused(f"Session {session.number} has already ended; plan a new session to meet again.")
    if session.started_at is not None:
        raise SessionRefused(f"Session {session.number} is already running.")
    now = timezone.now()
    session.started_at = now
    session.start_scope = export_scope(session.project)
    session.facilitator = actor
    try:
        with transaction.atomic():  # a savepoint: the refusal leaves the outer transaction usable
            session.save(update_fields=["started_at", "start_scope", "facilitator"])
    except IntegrityError:
        live = DiscoverySession.objects.live_for(session.project)
        which = f"Session {live.number}" if live else "Another session"
        raise SessionRefused(
            f"{which} is already running on this project. End it before starting session {session.number}."
        ) from None
    first = session.agenda.order_by("position").first()
    if first is not None:
        first.started_at = now
        first.save(update_fields=["started_at"])
    _session_event(session, actor=actor, verb="session_started", request=request)
    _broadcast(session)
    return session


@transaction.atomic
def session_next_item(*, session: DiscoverySession, actor) -> AgendaItem | None:
    """End the current agenda item and start the next one; None when the agenda is done."""
    session = _locked(session)
    _require_live(session)
    now = timezone.now()
    item = current_item(session)
    after = 0
    if item is not None:
        item.ended_at = now
        item.save(update_fields=["ended_at"])
        after = item.position
    following = session.agenda.filter(position__gt=after, started_at__isnull=True).order_by("position").first()
    if following is not None:
        following.started_at = now
        following.save(update_fields=["started_at"])
    _broadcast(session)
    return following


def _note(*, session: DiscoverySession, actor, kind: str, text: str) -> SessionNote:
    session = _locked(session)
    _require_live(session)
    text = text.strip()
    if not text:
        raise ValidationError("Write what to record first.")
    if len(text) > TEXT_MAX:
        raise ValidationError(f"Keep it under {TEXT_MAX} characters (this is {len(text)}).")
    item = current_item(session)
    note = SessionNote.objects.create(
        session=session,
        kind=kind,
        text=text,
        step=item.step if item else "",
        by=actor,
        by_name=_name(actor),
        at=timezone.now(),
    )
    _broadcast(session)
    return note


@transaction.atomic
def session_decision_log(*, session: DiscoverySession, actor, text: str) -> SessionNote:
    """Record a decision taken in the session, by whom and when."""
    return _note(session=session, actor=actor, kind=SessionNote.Kind.DECISION, text=text)


@transaction.atomic
def session_park(*, session: DiscoverySession, actor, text: str) -> SessionNote:
    """Put something on the session's parking lot, to come back to later."""
    return _note(session=session, actor=actor, kind=SessionNote.Kind.PARKED, text=text)


@transaction.atomic
def session_action_log(
    *,
    session: DiscoverySession,
    actor,
    question: str,
    owner: str,
    due: date,
    request: HttpRequest | None = None,
) -> OpenQuestion:
    """An action of the session: an open question of the project with an owner and a due date, tied to the session
    and to the step of the current agenda item."""
    session = _locked(session)
    _require_live(session)
    if not owner.strip():
        raise ValidationError("Name who owns the action.")
    item = current_item(session)
    action = question_services.question_create(
        project=session.project,
        actor=actor,
        request=request,
        question=question,
        section=item.step if item else "",
        owner=owner.strip(),
        due=due,
    )
    action.session = session
    action.save(update_fields=["session"])
    _broadcast(session)
    return action


@transaction.atomic
def session_end(*, session: DiscoverySession, actor, request: HttpRequest | None = None) -> DiscoverySession:
    """End a live session: keep the scope as it is now (the minutes' "after") and send the minutes to attendees."""
    session = _locked(session)
    _require_live(session)
    now = timezone.now()
    item = current_item(session)
    if item is not None:
        item.ended_at = now
        item.save(update_fields=["ended_at"])
    session.ended_at = now
    session.end_scope = export_scope(session.project)
    session.answered_by = answered_by_now(session)
    session.save(update_fields=["ended_at", "end_scope", "answered_by"])
    _session_event(session, actor=actor, verb="session_ended", request=request)
    session_minutes_send(session=session)
    minutes_pdf_queue(session=session)
    _broadcast(session)
    return session


PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


def _publish_minutes_pdf(session_id: int) -> None:
    from scoping.sessions.tasks import render_session_minutes  # the job calls minutes: import it where published

    options: dict[str, Any] = {"retry": True, "retry_policy": PUBLISH_RETRY_POLICY}
    # The PDF is laid out where the scope documents are: the worker that has the print fonts.
    if queue := getattr(settings, "DOCUMENT_QUEUE", None):
        options["queue"] = queue
    try:
        render_session_minutes.apply_async(args=[session_id], **options)
    except Exception as exc:  # noqa: BLE001 - the broker is down: say so on the session, never break the end
        logger.exception("Could not queue the minutes PDF of session %s", session_id)
        minutes_pdf_record_failure(session_id=session_id, error=f"The PDF could not be queued ({exc}); try again.")


def minutes_pdf_queue(*, session: DiscoverySession) -> None:
    """Have the minutes' PDF made by a Celery job once the transaction commits (it takes seconds, so never inline)."""
    if session.minutes_pdf_error:
        DiscoverySession.objects.filter(pk=session.pk).update(minutes_pdf_error="")
        session.minutes_pdf_error = ""
    transaction.on_commit(partial(_publish_minutes_pdf, session.pk))


def session_minutes_send(*, session: DiscoverySession) -> int:
    """Queue the minutes to every attendee with an e-mail address, one message each (sent after the commit).

    Goes through the mail queue (``accounts.services.email_queue_event``): the Celery job sends it with a timeout
    and retries and records the outcome on its ``OutboundEmail`` row; nothing talks to the mail server here.
    """
    return minutes_email_queue(session=session)
