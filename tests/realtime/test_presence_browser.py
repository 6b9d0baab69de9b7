"""Two people on one project in real browsers, on the ASGI server: each sees the other in the presence bar, and the
attendee who ticks "Follow the facilitator" is moved with the consultant's step."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import PASSWORD, ParticipantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def step_url(project, key: str) -> str:
    return f"/projects/{project.pk}/steps/{key}/"


def test_two_people_see_each_other_and_the_attendee_follows_the_facilitator(new_live_page, project):
    ParticipantFactory(
        project=project,
        user=UserFactory(username="priya", role="client", client=project.client, first_name="Priya", last_name="Shah"),
        role_title="Finance Director",
    )
    consultant, attendee = new_live_page(), new_live_page()
    login(consultant, "lead", PASSWORD)
    login(attendee, "priya", PASSWORD)
    consultant.goto(step_url(project, "first_slice"))
    attendee.goto(step_url(project, "data_path"))

    for page in (consultant, attendee):
        expect(page.locator("[data-live-state]")).to_have_text("Live")
        people = page.locator("[data-live-people] li")
        expect(people).to_have_count(2)
    expect(consultant.locator("[data-live-people]")).to_contain_text(
        "Priya Shah, Client, Finance Director, on Data path"
    )
    expect(attendee.locator("[data-live-people]")).to_contain_text("Lena Lead, Lead consultant, facilitator, on First")
    expect(attendee.locator("[data-live-people] li").first.locator(".badge")).to_have_text("LL")
    # The facilitator leads; only the others may follow.
    expect(consultant.get_by_label("Follow the facilitator")).to_be_hidden()

    attendee.get_by_label("Follow the facilitator").click()  # she is taken to the facilitator's step at once
    expect(attendee).to_have_url(re.compile(re.escape(step_url(project, "first_slice")) + "$"))
    expect(attendee.locator("[data-live-state]")).to_have_text("Live")
    expect(attendee.get_by_label("Follow the facilitator")).to_be_checked()
    consultant.goto(step_url(project, "security"))
    expect(attendee).to_have_url(re.compile(re.escape(step_url(project, "security")) + "$"))
    expect(attendee.get_by_label("Follow the facilitator")).to_be_checked()  # following lasts across pages
    expect(consultant.locator("[data-live-people]")).to_contain_text(
        "Priya Shah, Client, Finance Director, on Security"
    )

    # She stops following: the consultant moves on alone.
    attendee.get_by_label("Follow the facilitator").uncheck()
    consultant.goto(step_url(project, "ownership"))
    expect(attendee.locator("[data-live-people]")).to_contain_text("Lena Lead, Lead consultant, facilitator, on Own")
    expect(attendee).to_have_url(re.compile(re.escape(step_url(project, "security")) + "$"))

    # She leaves: the consultant's bar shows one person.
    attendee.close()
    expect(consultant.locator("[data-live-people] li")).to_have_count(1)
