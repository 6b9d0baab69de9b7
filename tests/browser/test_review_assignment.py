"""A reviewer takes a scope from the review queue, then gives it back, in a browser (laptop and phone widths)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot
from tests.factories import PASSWORD, UserFactory
from tests.review_support import import_project, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_a_reviewer_takes_a_scope_from_the_queue_and_gives_it_back(new_page, width, height):
    lead = UserFactory(username="lena", role="consultant", first_name="Lena", last_name="Lead")
    UserFactory(username="rhea", role="reviewer", first_name="Rhea", last_name="Reviewer")
    project = import_project(lead)
    submit(project, lead)

    page = new_page()
    page.set_viewport_size({"width": width, "height": height})
    login(page, "rhea", PASSWORD)
    page.goto("/projects/reviews/")
    page.get_by_role("button", name=f"Take it (the review of {project.name})").click()
    expect(page.get_by_role("alert").filter(has_text="You have the review")).to_be_visible()
    expect(page.locator("tbody tr").first).to_contain_text("Rhea Reviewer")
    screenshot(page, f"review-queue-{width}")

    page.get_by_role("link", name=f"Review {project.name}").click()
    holder = page.locator("#review-holder")
    expect(holder).to_contain_text("Reviewer: Rhea Reviewer since")
    page.once("dialog", lambda dialog: dialog.accept())
    holder.get_by_role("button", name="Give it back").click()
    expect(page.locator("#review-holder")).to_contain_text("Reviewer: nobody yet")
    expect(page.locator("#review-holder").get_by_role("button", name="Take this review")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    project.refresh_from_db()
    assert project.reviewer is None
