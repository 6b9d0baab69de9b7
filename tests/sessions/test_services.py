"""The session record's writes: plan, start (one live session per project), agenda, decisions, actions, end."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError
from django.utils import timezone

from scoping.models import DiscoverySession, SessionNote
from scoping.realtime.broadcast import project_group
from scoping.sessions import services
from scoping.sessions.selectors import current_item, item_minutes_left, item_overrun_minutes
from tests.factories import ParticipantFactory, UserFactory
from tests.sessions.support import plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """The session.updated messages broadcast (project id, message), captured as they are queued."""
    messages: list = []
    monkeypatch.setattr(
        services, "project_broadcast", lambda project_id, message: messages.append((project_id, message))
    )
    return messages


def test_planning_numbers_sessions_and_keeps_attendees_and_agenda(project, lead, participant):
    first = plan(
        project,
        lead,
        participants=[participant],
        guests=[services.Guest(name="Dana Okafor", email="dana@example.test"), services.Guest(name="No Mail")],
    )
    second = plan(project, lead, title="Second")
    assert (first.number, second.number) == (1, 2)
    assert first.facilitator == lead
    kinds = [(a.kind, a.name, a.email) for a in first.attendees.all()]
    assert kinds == [
        ("staff", lead.display_name, lead.email),
        ("client", participant.display_name, participant.email),
        ("guest", "Dana Okafor", "dana@example.test"),
        ("guest", "No Mail", ""),
    ]
    assert [(item.position, item.step, item.minutes) for item in first.agenda.all()] == [
        (1, "production_target", 10),
        (2, "data_path", 15),
    ]


def test_an_agenda_with_an_unknown_step_or_silly_minutes_is_refused(project, lead):
    with pytest.raises(ValidationError, match="not a step"):
        plan(project, lead, agenda=[("nope", 5)])
    with pytest.raises(ValidationError, match="between 1 and 240"):
        plan(project, lead, agenda=[("data_path", 0)])
    assert not DiscoverySession.objects.exists()


def test_starting_keeps_the_scope_starts_the_first_item_and_broadcasts(project, lead, sent):
    session = plan(project, lead)
    started = services.session_start(session=session, actor=lead)
    assert started.is_live
    assert started.start_scope["project"]["name"] == "Invoice coding"
    item = current_item(started)
    assert item.step == "production_target" and item.started_at == started.started_at
    assert DiscoverySession.objects.live_for(project) == started
    assert sent[-1] == (
        project.pk,
        {
            "type": "session.updated",
            "session": 1,
            "status": "live",
            "current_step": "production_target",
            "item_started_at": item.started_at.isoformat(),
            "item_minutes": 10,
        },
    )


def test_a_second_live_session_is_refused_with_a_sentence(project, lead):
    services.session_start(session=plan(project, lead), actor=lead)
    second = plan(project, lead)
    with pytest.raises(services.SessionRefused) as refused:
        services.session_start(session=second, actor=lead)
    assert refused.value.message == "Session 1 is already running on this project. End it before starting session 2."
    second.refresh_from_db()
    assert second.started_at is None and second.start_scope is None


def test_starting_twice_or_after_the_end_is_refused(project, lead):
    session = services.session_start(session=plan(project, lead), actor=lead)
    with pytest.raises(services.SessionRefused, match="already running"):
        services.session_start(session=session, actor=lead)
    services.session_end(session=session, actor=lead)
    with pytest.raises(services.SessionRefused, match="already ended"):
        services.session_start(session=session, actor=lead)


def test_next_item_ends_the_current_one_and_starts_the_following(project, lead, sent):
    session = services.session_start(session=plan(project, lead), actor=lead)
    following = services.session_next_item(session=session, actor=lead)
    assert following.step == "data_path"
    assert current_item(session) == following
    first = session.agenda.get(position=1)
    assert first.ended_at is not None
    assert sent[-1][1]["current_step"] == "data_path" and sent[-1][1]["item_minutes"] == 15
    assert services.session_next_item(session=session, actor=lead) is None
    assert current_item(session) is None
    assert sent[-1][1]["current_step"] == "" and sent[-1][1]["item_started_at"] == ""


def test_decisions_and_parked_items_record_text_who_when_and_step(project, lead, sent):
    session = services.session_start(session=plan(project, lead), actor=lead)
    decision = services.session_decision_log(session=session, actor=lead, text="  Pilot with the Leeds office.  ")
    parked = services.session_park(session=session, actor=lead, text="Archive retention rules")
    assert (decision.kind, decision.text, decision.by, decision.by_name, decision.step) == (
        SessionNote.Kind.DECISION,
        "Pilot with the Leeds office.",
        lead,
        lead.display_name,
        "production_target",
    )
    assert parked.kind == SessionNote.Kind.PARKED
    assert abs((timezone.now() - decision.at).total_seconds()) < 5
    assert len([m for _p, m in sent if m["type"] == "session.updated"]) == 3  # start, decision, parked
    with pytest.raises(ValidationError, match="Write what to record"):
        services.session_decision_log(session=session, actor=lead, text="   ")


def test_an_action_becomes_an_open_question_of_the_session_and_the_current_step(project, lead):
    session = services.session_start(session=plan(project, lead), actor=lead)
    services.session_next_item(session=session, actor=lead)
    due = date.today() + timedelta(days=7)
    action = services.session_action_log(
        session=session, actor=lead, question="Who owns the vendor master?", owner="Priya Raman", due=due
    )
    action.refresh_from_db()
    assert (action.session, action.section, action.owner, action.due, action.status) == (
        session,
        "data_path",
        "Priya Raman",
        due,
        "open",
    )
    assert list(session.actions.all()) == [action]
    assert list(project.open_questions.all()) == [action]


def test_nothing_is_logged_in_a_session_that_is_not_live(project, lead):
    session = plan(project, lead)
    with pytest.raises(services.SessionRefused, match="has not started yet"):
        services.session_decision_log(session=session, actor=lead, text="Too early")
    services.session_start(session=session, actor=lead)
    services.session_end(session=session, actor=lead)
    with pytest.raises(services.SessionRefused, match="has ended"):
        services.session_action_log(session=session, actor=lead, question="Q", owner="O", due=date.today())
    assert not project.open_questions.exists()


def test_ending_keeps_the_end_scope_closes_the_item_and_frees_the_project(project, lead, sent):
    session = services.session_start(session=plan(project, lead), actor=lead)
    ended = services.session_end(session=session, actor=lead)
    assert ended.ended_at is not None and ended.end_scope["project"]["name"] == "Invoice coding"
    assert current_item(ended) is None
    assert DiscoverySession.objects.live_for(project) is None
    assert sent[-1][1]["status"] == "ended"
    services.session_start(session=plan(project, lead), actor=lead)  # the next one may start now


def test_the_timer_counts_minutes_left_and_overrun(project, lead):
    session = services.session_start(session=plan(project, lead), actor=lead)
    item = current_item(session)
    assert item_minutes_left(item, item.started_at + timedelta(minutes=3, seconds=10)) == 7
    assert item_overrun_minutes(item, item.started_at + timedelta(minutes=3)) == 0
    assert item_overrun_minutes(item, item.started_at + timedelta(minutes=14, seconds=30)) == 4


def test_a_staff_member_and_a_client_are_attendees_once(project, lead):
    colleague = UserFactory(username="colleague")
    client_user = ParticipantFactory(project=project).user
    session = plan(project, lead, staff=[colleague, lead], participants=[client_user, client_user])
    assert session.attendees.count() == 3


def test_the_start_reaches_the_projects_channel_group_after_the_commit(
    project, lead, django_capture_on_commit_callbacks
):
    layer = get_channel_layer()
    session = plan(project, lead)

    def start() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.session_start(session=session, actor=lead)

    async def listen_while_starting() -> dict:
        # One event loop for the whole exchange: the pub/sub layer's channels belong to the loop that made them.
        channel = await layer.new_channel()
        await layer.group_add(project_group(project.pk), channel)
        try:
            await sync_to_async(start)()  # the save, in this test's thread and transaction
            return await asyncio.wait_for(layer.receive(channel), timeout=10)
        finally:
            await layer.group_discard(project_group(project.pk), channel)

    received = async_to_sync(listen_while_starting)()
    assert received["type"] == "project.event"
    assert received["message"]["type"] == "session.updated" and received["message"]["status"] == "live"
