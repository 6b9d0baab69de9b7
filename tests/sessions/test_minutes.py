"""The minutes of a session: exactly the fields that changed, who answered them, decisions, actions; page, PDF, mail."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import OutboundEmail
from scoping.models import FieldSource
from scoping.sessions import services, tasks
from scoping.sessions.minutes import session_minutes
from tests.sessions.support import plan, save_step

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert('x')</script>"


def _answered(project, session, section, field, name, role):
    # The step save writes these (another part of #12); update_or_create keeps the test true either way.
    FieldSource.objects.update_or_create(
        project=project,
        section=section,
        field=field,
        defaults={"by_name": name, "role": role, "at": timezone.now(), "session": session},
    )


@pytest.fixture
def held(client, project, lead, participant):
    """A session in which two fields were answered, a decision and an action logged, then ended."""
    client.force_login(lead)
    save_step(client, project, "production_target", {"workflow_name": "Code supplier invoices"})
    session = plan(
        project,
        lead,
        participants=[participant],
        guests=[services.Guest("Dana Guest", "dana@example.test"), services.Guest("Sam NoMail")],
    )
    services.session_start(session=session, actor=lead)
    save_step(
        client,
        project,
        "production_target",
        {"workflow_name": "Code supplier invoices to the ledger", "volume_per_month": 9000},
    )
    _answered(project, session, "production_target", "workflow_name", "Priya Raman", "client")
    _answered(project, session, "production_target", "volume_per_month", "Lena Lead", "consultant")
    _answered(project, None, "data_path", "sources", "Someone Earlier", "client")  # not this session's
    services.session_decision_log(session=session, actor=lead, text=f"Pilot in Leeds {HOSTILE}")
    services.session_action_log(
        session=session,
        actor=lead,
        question="Confirm the ERP export format",
        owner="Priya Raman",
        due=date.today() + timedelta(days=5),
    )
    services.session_park(session=session, actor=lead, text="Retention policy")
    mail.outbox.clear()
    return services.session_end(session=session, actor=lead)


def test_the_minutes_list_exactly_the_fields_that_changed_and_who_answered_them(held):
    minutes = session_minutes(held)
    rows = [(c.path, c.before, c.after, c.answered_by) for c in minutes.changes]
    assert rows == [
        (
            "production_target.workflow_name",
            "Code supplier invoices",
            "Code supplier invoices to the ledger",
            "Priya Raman, client",
        ),
        ("production_target.volume_per_month", "", "9,000", "Lena Lead, consultant"),
    ]
    assert [group["label"] for group in minutes.groups] == ["Production target"]


def test_a_later_answer_of_the_same_field_does_not_rewrite_the_minutes(held, project):
    assert held.answered_by["production_target.workflow_name"] == "Priya Raman, client"
    _answered(project, None, "production_target", "workflow_name", "Later Person", "consultant")  # after the session
    held.refresh_from_db()
    assert session_minutes(held).changes[0].answered_by == "Priya Raman, client"


def test_the_minutes_list_decisions_actions_parked_and_attendees(held, lead, participant):
    minutes = session_minutes(held)
    assert [note.text for note in minutes.decisions] == [f"Pilot in Leeds {HOSTILE}"]
    assert [(a.question, a.owner, a.section) for a in minutes.actions] == [
        ("Confirm the ERP export format", "Priya Raman", "production_target")
    ]
    assert [note.text for note in minutes.parked] == ["Retention policy"]
    assert minutes.open_questions == []  # the action is listed once, as an action
    assert [a.name for a in minutes.attendees] == [
        lead.display_name,
        participant.display_name,
        "Dana Guest",
        "Sam NoMail",
    ]


def test_the_minutes_page_shows_them_escaped(client, held, participant):
    client.force_login(participant)  # a client stakeholder reads the minutes
    response = client.get(reverse("projects:session_minutes", args=[held.project_id, held.number]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Code supplier invoices to the ledger" in page and "Priya Raman, client" in page
    assert "Confirm the ERP export format" in page and "Retention policy" in page
    assert HOSTILE not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "Someone Earlier" not in page


def test_ending_queues_the_pdf_job_after_the_commit(project, lead, monkeypatch, django_capture_on_commit_callbacks):
    published = []
    monkeypatch.setattr(tasks.render_session_minutes, "apply_async", lambda args, **options: published.append(args))
    session = services.session_start(session=plan(project, lead), actor=lead)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.session_end(session=session, actor=lead)
    assert published == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert published == [[session.pk]]


def test_the_minutes_pdf_made_by_the_job_carries_the_same_text(client, held, participant, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    pdf_url = reverse("projects:session_minutes_pdf", args=[held.project_id, held.number])
    client.force_login(participant)
    waiting = client.get(pdf_url)
    assert waiting.status_code == 200 and "is being made" in waiting.content.decode()
    tasks.render_session_minutes.run(held.pk)  # what the worker runs; running it twice is harmless
    tasks.render_session_minutes.run(held.pk)
    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = " ".join(text.split())
    assert "Minutes of Session 1: Kick-off" in text
    assert "Code supplier invoices to the ledger" in text and "Priya Raman, client" in text
    assert f"Pilot in Leeds {HOSTILE}" in text  # printed as text, never interpreted
    assert "Confirm the ERP export format" in text and "Retention policy" in text and "Dana Guest" in text
    assert len(list(tmp_path.rglob("*.pdf"))) == 1


def test_a_failed_pdf_job_is_said_on_the_page_and_the_team_can_make_it_again(client, held, lead, participant):
    tasks.MinutesPdfTask().on_failure(RuntimeError("fonts missing"), "id", [held.pk], {}, None)
    pdf_url = reverse("projects:session_minutes_pdf", args=[held.project_id, held.number])
    client.force_login(participant)
    page = client.get(pdf_url).content.decode()
    assert "could not be made (RuntimeError: fonts missing)" in page and "Make the PDF again" not in page
    assert client.post(pdf_url).status_code == 403
    client.force_login(lead)
    assert "Make the PDF again" in client.get(pdf_url).content.decode()
    assert client.post(pdf_url).status_code == 302
    held.refresh_from_db()
    assert held.minutes_pdf_error == ""


def test_ending_mails_the_minutes_to_every_attendee_with_an_address_through_the_job(
    project, lead, participant, django_capture_on_commit_callbacks
):
    session = plan(
        project,
        lead,
        participants=[participant],
        guests=[services.Guest("Dana Guest", "dana@example.test"), services.Guest("Sam NoMail")],
    )
    services.session_start(session=session, actor=lead)
    services.session_decision_log(session=session, actor=lead, text="Go with the pilot")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_end(session=session, actor=lead)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [lead.email, participant.email, "dana@example.test"]
    )
    guest = next(message for message in mail.outbox if message.to == ["dana@example.test"])
    assert guest.subject == "Minutes: Invoice coding, Session 1: Kick-off"
    assert guest.body.startswith("Hello Dana Guest,")
    assert "- Go with the pilot" in guest.body
    assert "/sessions/1/minutes/" in guest.body
    rows = OutboundEmail.objects.filter(kind="notification", to="dana@example.test")
    assert [row.status for row in rows] == ["sent"]
