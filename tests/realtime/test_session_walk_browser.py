"""A whole discovery session in real browsers on the ASGI server (#12's "done means"): a consultant and two client
participants, with a guest who has no account. Agenda and timer, fields typed by all three and seen live, one field
typed by two at once (the inline conflict), two "Don't know yet" questions, a decision and an action, the end; the
minutes list what changed and who answered it, and go to every attendee by e-mail, the guest included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from accounts.models import OutboundEmail
from scoping.models import DiscoverySession, OpenQuestion
from scoping.models.sections import WorkflowIntegration
from scoping.sessions import services
from tests.browser.conftest import login, screenshot
from tests.factories import PASSWORD, ParticipantFactory, UserFactory
from tests.review_support import import_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARRIVES_MS = 8_000  # a save reaches the others over the socket in well under a second; this allows a busy machine


@pytest.fixture
def no_pdf_job(monkeypatch):
    # The minutes PDF job is tested with a real worker in tests/sessions/test_minutes_job.py.
    monkeypatch.setattr(services, "_publish_minutes_pdf", lambda session_id: None)


def _conflicted(pages, seconds: float):
    """The page that shows the inline conflict (whoever saved second), waiting up to ``seconds``."""
    for _ in range(int(seconds / 0.2)):
        for page in pages:
            if page.locator(".live-conflict").count():
                return page
        pages[0].wait_for_timeout(200)
    return None


def _dont_know_yet(page, label: str, owner: str, due: date) -> None:
    page.get_by_role("link", name=f"Don't know yet about {label}").click()
    panel = page.get_by_role("group", name=f"Park a question on “{label}”")
    expect(panel.get_by_label("Question")).to_have_value(f"{label}: still to find out. Who knows the answer?")
    panel.get_by_label("Who finds out").fill(owner)
    panel.get_by_label("By when").fill(due.isoformat())
    with page.expect_response(
        lambda response: response.request.method == "POST" and "/question/" in response.url
    ) as sent:
        panel.get_by_role("button", name="Park this question").click()
    answer = sent.value.text()
    assert "invalid-feedback" not in answer, answer[answer.find("invalid-feedback") - 300 :][:900]
    expect(page.locator(".field-question", has_text=f"{label}: still to find out")).to_have_count(1)


def test_a_whole_session_with_a_consultant_two_clients_and_a_guest(new_live_page, no_pdf_job):
    casey = UserFactory(
        username="casey", role="consultant", first_name="Casey", last_name="Consultant", email="casey@example.test"
    )
    project = import_project(casey)
    for username, first, last in [("priya", "Priya", "Shah"), ("omar", "Omar", "Haddad")]:
        user = UserFactory(
            username=username,
            role="client",
            client=project.client,
            first_name=first,
            last_name=last,
            email=f"{username}@example.test",
        )
        ParticipantFactory(project=project, user=user, can_edit=True, is_signatory=False)
    consultant, priya, omar = new_live_page(), new_live_page(), new_live_page()
    login(consultant, "casey", PASSWORD)
    login(priya, "priya", PASSWORD)
    login(omar, "omar", PASSWORD)

    # The consultant plans the session: both clients, a guest without an account, two steps on the agenda.
    consultant.goto(f"/projects/{project.pk}/sessions/new/")
    consultant.get_by_label("Title").fill("Discovery, part one")
    consultant.get_by_label("Priya Shah").check()
    consultant.get_by_label("Omar Haddad").check()
    consultant.get_by_label("Guests without an account").fill("Dana Okafor, dana@example.test")
    consultant.get_by_label("Workflow (minutes)").fill("20")
    consultant.get_by_label("Ownership (minutes)").fill("10")
    consultant.get_by_role("button", name="Plan session").click()
    consultant.get_by_role("button", name="Start session").click()
    expect(consultant.locator("#session-timer")).to_contain_text("Now: Workflow")
    expect(consultant.locator("#session-timer .timer-text")).to_contain_text("min left")
    screenshot(consultant, "walk-1-session-live")

    # All three on the workflow step, each typing into a field of their own; each sees the others' answers.
    step = f"/projects/{project.pk}/steps/workflow/"
    for page in (consultant, priya, omar):
        page.goto(step)
        expect(page.locator("[data-live-state]")).to_have_text("Live", timeout=ARRIVES_MS)
    expect(consultant.locator("[data-live-people] li")).to_have_count(3, timeout=ARRIVES_MS)
    typed = {
        consultant: ("Where the output lands", "The coding fields of the invoice in the ERP"),
        priya: ("Who acts on it", "AP clerk in the Leeds office"),
        omar: ("Change management", "A one-hour walkthrough; a clerk champion per office"),
    }
    for page, (label, text) in typed.items():
        page.get_by_label(label, exact=True).fill(text)
    for page in typed:
        for other, (label, text) in typed.items():
            if other is not page:
                expect(page.get_by_label(label, exact=True)).to_have_value(text, timeout=ARRIVES_MS)
    screenshot(priya, "walk-2-three-people-on-one-step")

    # Priya and Omar answer the same field at once: whoever saved second sees both and keeps theirs.
    priya.get_by_label("Fallback").fill("Unsure invoices wait for a clerk, uncoded")
    omar.get_by_label("Fallback").fill("Invoices go to the AP queue for manual coding")
    second = _conflicted([priya, omar], ARRIVES_MS / 1000)
    assert second is not None, "neither client saw the inline conflict"
    conflict = second.locator(".live-conflict")
    expect(conflict).to_contain_text("Unsure invoices wait for a clerk, uncoded")
    expect(conflict).to_contain_text("Invoices go to the AP queue for manual coding")
    screenshot(second, "walk-3-inline-conflict")
    conflict.get_by_role("button", name="Keep mine").click()
    expect(second.locator(".live-conflict")).to_have_count(0)
    kept = second.get_by_label("Fallback").input_value()
    for page in (consultant, priya, omar):
        page.get_by_role("heading", level=2).first.click()  # nobody is typing in it: the kept value arrives
        expect(page.get_by_label("Fallback")).to_have_value(kept, timeout=ARRIVES_MS)

    # Two "Don't know yet": one by a client on this step, one by the consultant on the next.
    due = date.today() + timedelta(days=7)
    _dont_know_yet(omar, "What they do", "Priya Shah", due)

    consultant.goto(f"/projects/{project.pk}/sessions/1/")
    consultant.get_by_label("Decision").fill("Pilot with the Leeds office first")
    consultant.get_by_role("button", name="Record decision").click()
    consultant.get_by_label("Action").fill("Send an ERP export sample")
    consultant.get_by_label("Owner").fill("Omar Haddad")
    consultant.get_by_label("Due").fill(due.isoformat())
    consultant.get_by_role("button", name="Record action").click()
    consultant.get_by_role("button", name="Next item").click()
    expect(consultant.locator("#session-timer")).to_contain_text("Now: Ownership")

    consultant.goto(f"/projects/{project.pk}/steps/ownership/")
    _dont_know_yet(consultant, "Support after launch", "Omar Haddad", due)

    consultant.goto(f"/projects/{project.pk}/sessions/1/")
    consultant.once("dialog", lambda dialog: dialog.accept())
    consultant.get_by_role("button", name="End session").click()
    consultant.wait_for_url(f"**/projects/{project.pk}/sessions/1/minutes/")
    screenshot(consultant, "walk-4-minutes")

    changes = consultant.inner_text(".minutes-changes")
    for label, text in typed.values():
        assert label in changes and text in changes
    assert "Fallback" in changes and kept in changes
    for name in ("Casey Consultant", "Priya Shah", "Omar Haddad"):
        assert name in changes  # who answered each change
    assert "Pilot with the Leeds office first" in consultant.inner_text(".minutes-decisions")
    assert "Send an ERP export sample — Omar Haddad" in consultant.inner_text(".minutes-actions")
    questions = consultant.inner_text(".minutes-questions")
    assert "What they do: still to find out" in questions and "Support after launch: still to find out" in questions
    attendees = consultant.inner_text(".minutes-attendees")
    assert all(name in attendees for name in ("Casey Consultant", "Priya Shah", "Omar Haddad", "Dana Okafor"))

    # What was stored, and the minutes e-mailed to each attendee with an address, the guest too.
    session = DiscoverySession.objects.get(project=project)
    assert session.ended_at is not None
    saved = WorkflowIntegration.objects.get(project=project)
    assert (saved.output_destination, saved.acting_role, saved.fallback) == (
        "The coding fields of the invoice in the ERP",
        "AP clerk in the Leeds office",
        kept,
    )
    assert OpenQuestion.objects.filter(project=project).exclude(field="").count() == 2
    minutes_mail = OutboundEmail.objects.filter(subject__icontains="minutes")
    assert sorted(minutes_mail.values_list("to", flat=True)) == [
        "casey@example.test",
        "dana@example.test",
        "omar@example.test",
        "priya@example.test",
    ]
