"""The session pages and presenter mode through the client: who may do what, bad input, hostile text."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scoping.live_scope import export_scope
from scoping.models import ActivityEvent, DiscoverySession
from scoping.scope.readiness import evaluate
from scoping.sessions import services
from tests.sessions.support import plan, save_step

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert('x')</script>"


def url(name, session):
    return reverse(name, args=[session.project_id, session.number])


@pytest.fixture
def reader(project, participant):
    """The project's client stakeholder, allowed to read only."""
    project.participants.filter(user=participant).update(can_edit=False)
    return participant


def test_the_empty_list_offers_one_clear_action_to_staff_and_none_to_clients(client, project, lead, reader):
    client.force_login(lead)
    page = client.get(reverse("projects:sessions", args=[project.pk])).content.decode()
    assert "No session yet." in page and page.count(reverse("projects:session_plan", args=[project.pk])) == 1
    client.force_login(reader)
    page = client.get(reverse("projects:sessions", args=[project.pk])).content.decode()
    assert "No session yet." in page and reverse("projects:session_plan", args=[project.pk]) not in page


def test_planning_through_the_form_creates_the_session(client, project, lead, participant):
    client.force_login(lead)
    response = client.post(
        reverse("projects:session_plan", args=[project.pk]),
        {
            "title": "Data path",
            "participants": [participant.pk],
            "guests": "Dana Okafor, dana@example.test\nSam Guest",
            "minutes_data_path": "20",
            "minutes_ownership": "10",
        },
    )
    session = DiscoverySession.objects.get(project=project)
    assert response.status_code == 302 and response["Location"] == url("projects:session", session)
    assert [(i.step, i.minutes) for i in session.agenda.all()] == [("data_path", 20), ("ownership", 10)]
    assert [a.name for a in session.attendees.filter(kind="guest")] == ["Dana Okafor", "Sam Guest"]


def test_a_plan_without_agenda_or_with_a_bad_guest_is_refused_keeping_what_was_typed(client, project, lead):
    client.force_login(lead)
    response = client.post(
        reverse("projects:session_plan", args=[project.pk]),
        {"title": "Kick-off <b>typed</b>", "guests": "Dana, not-an-address"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Put at least one step on the agenda" in page
    assert "“not-an-address” is not an e-mail address" in page
    assert 'value="Kick-off &lt;b&gt;typed&lt;/b&gt;"' in page and "Dana, not-an-address</textarea>" in page
    assert not DiscoverySession.objects.exists()


def test_a_client_reader_sees_the_session_and_minutes_but_cannot_start_or_end_it(client, project, lead, reader):
    session = plan(project, lead)
    client.force_login(reader)
    assert client.get(url("projects:session", session)).status_code == 200
    assert client.post(url("projects:session_start", session)).status_code == 403
    services.session_start(session=session, actor=lead)
    assert client.post(url("projects:session_end", session)).status_code == 403
    assert client.post(url("projects:session_decision", session), {"decision-text": "x"}).status_code == 403
    assert client.get(url("projects:session_minutes", session)).status_code == 200
    session.refresh_from_db()
    assert session.is_live and not session.notes.exists()


def test_a_stranger_gets_404_on_every_write(client, project, lead, outsider):
    session = plan(project, lead)
    client.force_login(outsider)
    for name in ("projects:session_start", "projects:session_end", "projects:session_action"):
        assert client.post(url(name, session)).status_code == 404


def test_a_second_live_session_is_refused_on_the_page_with_a_sentence(client, project, lead):
    first, second = plan(project, lead), plan(project, lead, title="Other")
    client.force_login(lead)
    client.post(url("projects:session_start", first))
    response = client.post(url("projects:session_start", second), follow=True)
    assert (
        "Session 1 is already running on this project. End it before starting session 2." in response.content.decode()
    )
    second.refresh_from_db()
    assert second.started_at is None


def test_running_a_session_through_its_page(client, project, lead):
    session = plan(project, lead)
    client.force_login(lead)
    client.post(url("projects:session_start", session))
    page = client.get(url("projects:session", session)).content.decode()
    assert 'aria-current="step"' in page and "Now: Production target" in page and "10 minutes planned" in page
    client.post(url("projects:session_decision", session), {"decision-text": f"Go {HOSTILE}"})
    due = (date.today() + timedelta(days=3)).isoformat()
    client.post(
        url("projects:session_action", session),
        {"action-question": "Check the ERP export", "action-owner": "Priya", "action-due": due},
    )
    client.post(url("projects:session_park", session), {"park-text": "Retention"})
    client.post(url("projects:session_next", session))
    part = client.get(url("projects:session", session) + "?part=live").content.decode()
    assert "Now: Data path" in part and "Check the ERP export" in part and "Retention" in part
    assert HOSTILE not in part and "Go &lt;script&gt;" in part
    action = session.actions.get()
    assert (action.section, action.owner, str(action.due)) == ("production_target", "Priya", due)
    response = client.post(url("projects:session_end", session))
    assert response["Location"] == url("projects:session_minutes", session)


def test_an_action_without_owner_or_date_records_nothing_and_keeps_the_text(client, project, lead):
    session = services.session_start(session=plan(project, lead), actor=lead)
    client.force_login(lead)
    response = client.post(url("projects:session_action", session), {"action-question": "Half typed action"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Half typed action</textarea>" in page and "Nothing was recorded" in page
    assert not session.actions.exists()


# --- presenter mode ------------------------------------------------------------------------------------------------


def test_presenter_shows_the_asked_step_without_rule_codes_hashes_or_controls(client, project, lead, reader):
    client.force_login(lead)
    save_step(client, project, "production_target", {"workflow_name": f"Invoices {HOSTILE}"})
    codes = {finding.code for finding in evaluate(export_scope(project), today=timezone.localdate()).findings}
    assert codes  # an unfinished scope: findings whose codes must not show
    client.force_login(reader)
    response = client.get(reverse("projects:present", args=[project.pk]) + "?step=production_target")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-live-project="{project.pk}"' in page
    assert "Production target" in page and "Invoices &lt;script&gt;" in page and HOSTILE not in page
    assert "of 8 steps ready" in page
    assert "The cost of each use at launch volume is not known yet." in page  # no cost model yet: said, not zero
    assert not [code for code in codes if code in page]
    assert not re.search(r"\b[0-9a-f]{64}\b", page)
    assert "<form" not in page and "<button" not in page and "navbar" not in page


def test_presenter_follows_the_live_sessions_current_item(client, project, lead, reader):
    session = services.session_start(session=plan(project, lead), actor=lead)
    services.session_next_item(session=session, actor=lead)
    client.force_login(reader)
    content = client.get(reverse("projects:present_content", args=[project.pk]) + "?step=ownership").content.decode()
    assert "Data path" in content and "now on the agenda" in content and "15 minutes planned" in content


def test_presenter_shows_the_cost_figures_in_words(client, sound_project, lead):
    client.force_login(lead)
    page = client.get(reverse("projects:present", args=[sound_project.pk]) + "?step=cost_model").content.decode()
    assert re.search(r"Each use at launch volume costs [^<]*\d", page)
    assert re.search(r"Running it at launch volume costs [^<]*\d[^<]* a month", page)
    assert "8 of 8 steps ready" in page


def test_a_planned_session_can_be_cancelled_and_a_started_one_cannot(client, project, lead, reader):
    planned, other = plan(project, lead), plan(project, lead, title="Workshop")
    client.force_login(reader)
    assert client.post(url("projects:session_cancel", planned)).status_code == 403
    client.force_login(lead)
    page = client.get(url("projects:session", planned)).content.decode()
    assert f'data-confirm="Cancel {planned}? Its attendees and agenda are dropped; nobody is told."' in page

    response = client.post(url("projects:session_cancel", planned), follow=True)
    assert response.redirect_chain[-1][0] == reverse("projects:sessions", args=[project.pk])
    assert f"{planned} is cancelled." in response.content.decode()
    assert list(project.discovery_sessions.values_list("number", flat=True)) == [other.number]
    event = ActivityEvent.objects.get(project=project, verb="session_cancelled")
    assert (event.actor, event.object_repr) == (lead, str(planned))
    assert event.verb_label == "cancelled a planned discovery session"

    services.session_start(session=other, actor=lead)
    response = client.post(url("projects:session_cancel", other), follow=True)
    assert (
        "has started, so it is part of the project&#x27;s record and cannot be cancelled." in response.content.decode()
    )
    assert DiscoverySession.objects.filter(pk=other.pk).exists()
    assert "Cancel session" not in client.get(url("projects:session", other)).content.decode()
