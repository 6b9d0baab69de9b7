"""A consultant runs a discovery session: plan, start, log a decision and an action, next item, end, read the minutes;
and the presenter screen at a laptop's and a projector's width."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scoping.models import DiscoverySession
from scoping.sessions import services
from tests.browser.conftest import login, screenshot
from tests.factories import PASSWORD, ParticipantFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_pdf_job(monkeypatch):
    # The PDF job is tested on its own (tests/sessions/test_minutes.py); here nothing is published to the broker.
    monkeypatch.setattr(services, "_publish_minutes_pdf", lambda session_id: None)


def test_a_consultant_runs_a_session_and_reads_its_minutes(new_page, no_pdf_job):
    casey = UserFactory(username="casey", role="consultant", first_name="Casey", last_name="Consultant")
    project = ProjectFactory(lead_consultant=casey, name="Invoice coding")
    priya = ParticipantFactory(
        project=project,
        user=UserFactory(username="priya", role="client", client=project.client, first_name="Priya", last_name="Raman"),
    ).user
    page = new_page()
    login(page, "casey", PASSWORD)
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="Sessions").click()
    assert "No session yet." in page.inner_text("main")
    page.get_by_role("link", name="Plan a session").click()

    page.get_by_label("Title").fill("Kick-off")
    page.get_by_label(priya.display_name).check()
    page.get_by_label("Guests without an account").fill("Dana Okafor, dana@example.test")
    page.get_by_label("Production target (minutes)").fill("10")
    page.get_by_label("Data path (minutes)").fill("15")
    page.get_by_role("button", name="Plan session").click()
    page.wait_for_url(f"**/projects/{project.pk}/sessions/1/")
    assert "Session 1: Kick-off is planned" in page.inner_text("main")

    page.get_by_role("button", name="Start session").click()
    assert "Now: Production target" in page.inner_text("#session-timer")
    assert "min left" in page.inner_text("#session-timer .timer-text")  # the JS countdown from the server's clock
    screenshot(page, "session-live")

    # A field answered during the session: the minutes show it changed.
    page.goto(f"/projects/{project.pk}/steps/production_target/")
    page.get_by_label("Workflow", exact=True).fill("Code incoming supplier invoices")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Production target saved.").wait_for()
    page.goto(f"/projects/{project.pk}/sessions/1/")

    page.get_by_label("Decision").fill("Pilot with the Leeds office <b>first</b>")
    page.get_by_role("button", name="Record decision").click()
    assert "Pilot with the Leeds office <b>first</b>" in page.inner_text(".session-decisions")

    page.get_by_label("Action").fill("Confirm the ERP export format")
    page.get_by_label("Owner").fill("Priya Raman")
    page.get_by_label("Due").fill((date.today() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Record action").click()
    assert "Confirm the ERP export format" in page.inner_text(".session-actions")

    page.get_by_role("button", name="Next item").click()
    assert "Now: Data path" in page.inner_text("#session-timer")
    assert page.locator('#agenda [aria-current="step"]').inner_text().startswith("Data path")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"**/projects/{project.pk}/sessions/1/minutes/")
    minutes = page.inner_text("main")
    assert "Minutes of Session 1: Kick-off" in minutes
    assert "Pilot with the Leeds office <b>first</b>" in page.inner_text(".minutes-decisions")
    assert "Confirm the ERP export format — Priya Raman" in page.inner_text(".minutes-actions")
    changes = page.inner_text(".minutes-changes")
    assert "Workflow" in changes and "Code incoming supplier invoices" in changes
    attendees = page.inner_text(".minutes-attendees")
    assert "Casey Consultant" in attendees and "Priya Raman" in attendees and "Dana Okafor" in attendees
    screenshot(page, "session-minutes")
    session = DiscoverySession.objects.get(project=project)
    assert session.ended_at is not None and session.actions.count() == 1


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (2560, 1440)])
def test_the_presenter_screen_fits_a_laptop_and_a_projector(new_page, width, height):
    casey = UserFactory(username="casey", role="consultant", first_name="Casey", last_name="Consultant")
    project = ProjectFactory(lead_consultant=casey, name="Invoice coding")
    session = services.session_plan(project=project, actor=casey, title="Kick-off", agenda=[("data_path", 15)])
    services.session_start(session=session, actor=casey)
    page = new_page()
    page.set_viewport_size({"width": width, "height": height})
    login(page, "casey", PASSWORD)
    page.goto(f"/projects/{project.pk}/present/")
    assert page.inner_text(".presenter-title") == "Data path"
    assert "of 8 steps ready" in page.inner_text(".presenter-figures")
    assert "min left" in page.inner_text("#presenter-timer")
    # No horizontal scrolling, and the type is large: at least 20 px, larger on the projector.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    size = float(page.evaluate("getComputedStyle(document.body).fontSize").removesuffix("px"))
    assert size >= (20 if width <= 1280 else 30)
    figures = page.locator(".presenter-figures").bounding_box()
    assert figures["x"] > width / 2  # beside the step, not pushed below it
    # The content refreshes itself (htmx GET of its partial) on a live event.
    with page.expect_response(lambda response: "/present/content/" in response.url):
        page.evaluate("document.dispatchEvent(new CustomEvent('firstslice:live', {detail: {type: 'session.updated'}}))")
    screenshot(page, f"presenter-{width}")
