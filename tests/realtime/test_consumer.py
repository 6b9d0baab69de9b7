"""The live channel over real sockets: uvicorn serving config.asgi, channels-redis on the test Redis, PostgreSQL."""

from __future__ import annotations

import json
import time

import pytest
import redis
from django.db import transaction
from websockets.exceptions import InvalidStatus

from scoping.models import ClientParticipant
from scoping.projects.services import participant_remove, project_member_remove
from scoping.realtime.broadcast import project_broadcast
from scoping.realtime.presence import presence_key
from tests.factories import MemberFactory, ParticipantFactory, ProjectFactory, UserFactory
from tests.realtime.sockets import closed_code, messages_within, next_message, open_socket

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = '<img src=x onerror="alert(1)"><script>alert("x")</script> & "quotes" \u202e'


def saved(project_id: int, value: str = "Invoices arrive by e-mail") -> dict:
    """A ``section.saved`` message as the save service sends it (the contract of #12)."""
    return {
        "type": "section.saved",
        "project": project_id,
        "section": "problem",
        "revision": 3,
        "changed": ["problem_statement"],
        "fields": {"problem_statement": {"value": value, "fingerprint": "f" * 16}},
        "rows": {},
        "by": {"id": 1, "name": "Lena Lead", "role": "Lead consultant"},
        "at": "2026-12-03T18:30:00Z",
        "origin": "tab-1",
        "sources": {"problem_statement": "Lena Lead, consultant, session 1"},
    }


def refused_status(server, project_id, user, **kwargs) -> int:
    with pytest.raises(InvalidStatus) as refused:
        open_socket(server, project_id, user, **kwargs).close()
    return refused.value.response.status_code


def test_anonymous_people_are_refused_at_the_handshake(asgi_live_server, project):
    assert refused_status(asgi_live_server, project.pk, None) == 403


def test_people_who_may_not_see_the_project_are_refused_as_the_pages_refuse_them(
    asgi_live_server, project, other_client_user, outsider, lead
):
    assert refused_status(asgi_live_server, project.pk, other_client_user) == 403  # another project's client
    assert refused_status(asgi_live_server, project.pk, outsider) == 403  # a consultant not on the team
    assert refused_status(asgi_live_server, 987654, lead) == 403  # no such project
    # Another site's page may not open a socket with the visitor's cookie.
    assert refused_status(asgi_live_server, project.pk, lead, origin="https://evil.example") == 403


def test_a_member_receives_a_save_after_commit_and_never_one_rolled_back(asgi_live_server, project, member):
    with open_socket(asgi_live_server, project.pk, member, step="problem") as socket:
        next_message(socket, "presence.state")
        with pytest.raises(RuntimeError), transaction.atomic():
            project_broadcast(project.pk, saved(project.pk, "rolled back"))
            raise RuntimeError("the save failed")
        with transaction.atomic():
            project_broadcast(project.pk, saved(project.pk, "committed"))
        message = next_message(socket, "section.saved")
        assert message == saved(project.pk, "committed")  # the first one to arrive is the committed one
        assert not [m for m in messages_within(socket, 0.5) if m.get("type") == "section.saved"]


def test_hostile_text_travels_as_data(asgi_live_server, project, lead):
    lead.first_name = HOSTILE  # a name is data too, in the presence bar (live.js sets it with textContent)
    lead.save(update_fields=["first_name"])
    with open_socket(asgi_live_server, project.pk, lead) as socket:
        assert next_message(socket, "presence.state")["people"][0]["name"] == f"{HOSTILE} Lead"
        with transaction.atomic():
            project_broadcast(project.pk, saved(project.pk, HOSTILE))
        message = next_message(socket, "section.saved")
        assert message["fields"]["problem_statement"]["value"] == HOSTILE


def test_a_socket_for_one_project_never_receives_another_projects_messages(asgi_live_server, project, lead):
    other = ProjectFactory(lead_consultant=lead, name="Other")
    with open_socket(asgi_live_server, project.pk, lead) as socket:
        with transaction.atomic():
            project_broadcast(other.pk, saved(other.pk, "elsewhere"))
            project_broadcast(project.pk, saved(project.pk, "here"))
        assert next_message(socket, "section.saved")["fields"]["problem_statement"]["value"] == "here"


def test_a_participant_removed_mid_session_is_disconnected_and_stops_receiving(asgi_live_server, project, lead):
    priya = ParticipantFactory(project=project, user=UserFactory(username="priya", role="client")).user
    with (
        open_socket(asgi_live_server, project.pk, priya, step="problem") as theirs,
        open_socket(asgi_live_server, project.pk, lead, step="problem") as ours,
    ):
        next_message(theirs, "presence.state", where=lambda m: len(m["people"]) == 2)
        participant_remove(participant=ClientParticipant.objects.get(user=priya), actor=lead)
        assert closed_code(theirs) == 4403
        # The lead's presence bar no longer lists them, and the lead's socket carries on.
        next_message(ours, "presence.state", where=lambda m: [p["id"] for p in m["people"]] == [lead.pk])
        with transaction.atomic():
            project_broadcast(project.pk, saved(project.pk, "after the removal"))
        assert next_message(ours, "section.saved")["fields"]["problem_statement"]["value"] == "after the removal"
    assert refused_status(asgi_live_server, project.pk, priya) == 403  # and they cannot come back


def test_a_member_removed_from_the_team_is_disconnected(asgi_live_server, project, lead):
    membership = MemberFactory(project=project, user=UserFactory(username="mo", role="consultant"))
    with open_socket(asgi_live_server, project.pk, membership.user) as socket:
        next_message(socket, "presence.state")
        project_member_remove(member=membership, actor=lead)
        assert closed_code(socket) == 4403


def test_logging_out_closes_the_socket_at_the_next_check(asgi_live_server, project, lead):
    with open_socket(asgi_live_server, project.pk, lead) as socket:
        next_message(socket, "presence.state")
        from django.contrib.sessions.models import Session

        Session.objects.all().delete()
        with transaction.atomic():
            project_broadcast(project.pk, {"type": "access.recheck"})
        assert closed_code(socket) == 4401


def test_presence_shows_two_people_on_two_steps_and_drops_one_who_leaves(asgi_live_server, project, lead, settings):
    # A leave is sent at once; should the message be lost (see the next test), the heartbeat corrects the bar.
    settings.LIVE_HEARTBEAT_SECONDS = 2
    priya = ParticipantFactory(
        project=project,
        user=UserFactory(username="priya", role="client", first_name="Priya", last_name="Shah"),
        role_title="Finance Director",
    ).user
    with open_socket(asgi_live_server, project.pk, lead, step="problem") as ours:
        with open_socket(asgi_live_server, project.pk, priya, step="sources") as theirs:
            state = next_message(ours, "presence.state", where=lambda m: len(m["people"]) == 2)
            assert [(p["name"], p["initials"], p["role"], p["step"], p["facilitator"]) for p in state["people"]] == [
                ("Lena Lead", "LL", "Lead consultant", "problem", True),  # the facilitator first
                ("Priya Shah", "PS", "Client, Finance Director", "sources", False),
            ]
            # She moves on; then she leaves.
            theirs.send(json.dumps({"type": "presence", "step": "metrics", "path": "", "follow": True}))
            next_message(ours, "presence.state", where=lambda m: m["people"][-1]["step"] == "metrics")
        state = next_message(ours, "presence.state", where=lambda m: len(m["people"]) == 1)
        assert state["people"][0]["id"] == lead.pk


def test_a_presence_message_that_never_arrived_is_corrected_by_the_next_heartbeat(
    asgi_live_server, project, lead, participant, settings
):
    settings.LIVE_HEARTBEAT_SECONDS = 0.5
    broker = redis.Redis.from_url(settings.REDIS_URL)
    key = presence_key(project.pk)
    with open_socket(asgi_live_server, project.pk, lead, step="problem") as ours:
        next_message(ours, "presence.state", where=lambda m: len(m["people"]) == 1)
        # A socket of another server process joins and its message is lost on the way: only Redis knows.
        entry = {"id": participant.pk, "name": "Priya Shah", "initials": "PS", "role": "Client", "step": "sources"}
        broker.hset(key, "specific.elsewhere!1", json.dumps({**entry, "moved": time.time(), "seen": time.time()}))
        state = next_message(ours, "presence.state", timeout=5, where=lambda m: len(m["people"]) == 2)
        assert [(p["id"], p["step"]) for p in state["people"]] == [(lead.pk, "problem"), (participant.pk, "sources")]
        # ... and leaves, its message lost too.
        broker.hdel(key, "specific.elsewhere!1")
        state = next_message(ours, "presence.state", timeout=5, where=lambda m: len(m["people"]) == 1)
        assert state["people"][0]["id"] == lead.pk


def test_the_facilitator_moving_tells_everyone_where_to_follow(asgi_live_server, project, lead, participant):
    with (
        open_socket(asgi_live_server, project.pk, lead, step="problem") as facilitator,
        open_socket(asgi_live_server, project.pk, participant, step="problem") as attendee,
    ):
        next_message(attendee, "presence.state", where=lambda m: len(m["people"]) == 2)
        attendee.send(json.dumps({"type": "presence", "step": "metrics", "path": "", "follow": True}))
        path = f"/projects/{project.pk}/steps/sources/"
        facilitator.send(json.dumps({"type": "presence", "step": "sources", "path": path, "follow": False}))
        message = next_message(attendee, "facilitator.step")
        assert message == {"type": "facilitator.step", "step": "sources", "url": path}
        # Only the facilitator leads: the attendee's own moves send nothing of the kind.
        received = messages_within(facilitator, 0.5)
        assert [m for m in received if m["type"] == "facilitator.step"] == [message]


def test_bad_messages_from_the_browser_get_an_error_and_the_socket_carries_on(asgi_live_server, project, lead):
    with open_socket(asgi_live_server, project.pk, lead) as socket:
        next_message(socket, "presence.state")
        for bad, why in [
            ("not json {", "not JSON"),
            (json.dumps(["presence"]), "Unknown message"),
            (json.dumps({"type": "section.saved", "project": project.pk}), "Unknown message"),  # no forging saves
            (json.dumps({"type": "presence", "step": "<script>", "follow": True}), "Presence needs"),
            (json.dumps({"type": "presence", "step": "a", "path": "https://evil.example/", "follow": 1}), "Presence"),
            (json.dumps({"type": "presence", "step": "a", "path": "/projects/999/steps/a/", "follow": True}), "Pres"),
            ("x" * 100_000, "too long"),
            (b"\x00\x01binary", "not binary"),
        ]:
            socket.send(bad)
            assert why in next_message(socket, "error")["error"]
        socket.send(json.dumps({"type": "presence", "step": "sources", "path": "", "follow": False}))
        assert next_message(socket, "presence.state")["people"][0]["step"] == "sources"


def test_redis_losing_its_data_mid_session_loses_nothing_and_the_socket_recovers(
    asgi_live_server, project, lead, settings
):
    settings.LIVE_HEARTBEAT_SECONDS = 0.5
    with open_socket(asgi_live_server, project.pk, lead, step="problem") as socket:
        next_message(socket, "presence.state")
        project.name = "Saved before Redis went away"
        project.save(update_fields=["name"])
        broker = redis.Redis.from_url(settings.REDIS_URL)
        broker.flushdb()  # this test's Redis database only: the groups and presence are gone
        # Every connection to this database is cut, as by a restart.
        for client in broker.client_list():
            if client.get("db") == str(broker.connection_pool.connection_kwargs.get("db", 0)) and client["name"] != "x":
                if int(client["id"]) != broker.client_id():
                    broker.client_kill_filter(_id=client["id"])
        # The heartbeat puts the socket back in its group and its presence back in Redis.
        next_message(socket, "presence.state", timeout=10)
        deadline = time.monotonic() + 10
        while True:
            with transaction.atomic():
                project_broadcast(project.pk, saved(project.pk, "after the flush"))
            received = [m for m in messages_within(socket, 0.5) if m.get("type") == "section.saved"]
            if received or time.monotonic() > deadline:
                break
        assert received and received[0]["fields"]["problem_statement"]["value"] == "after the flush"
        project.refresh_from_db()
        assert project.name == "Saved before Redis went away"
