""" "Don't know yet" beside a field, and who answered it: inline, on a phone-wide screen, nothing typed disturbed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scoping.models.sections import OpenQuestion
from tests.browser.conftest import login
from tests.factories import PASSWORD, UserFactory
from tests.review_support import import_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dont_know_yet_parks_a_question_on_the_field_without_touching_what_was_typed(new_page):
    lead = UserFactory(username="casey", role="consultant", first_name="Casey", last_name="Consultant")
    project = import_project(lead)

    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "casey", PASSWORD)
    page.goto(f"/projects/{project.pk}/steps/ownership/")
    page.get_by_label("Budget owner").fill("Typed, not saved yet")

    page.get_by_role("link", name="Don't know yet about Support after launch").click()
    panel = page.locator("#field-ask-support_model")
    question = panel.get_by_label("Question")
    expect(question).to_have_value("Support after launch: still to find out. Who knows the answer?")
    expect(question).to_be_focused()
    panel.get_by_label("Who finds out").fill("Dan <b>Whitfield</b>")
    panel.get_by_label("By when").fill("2030-12-12")
    panel.get_by_role("button", name="Park this question").click()

    extras = page.locator("#field-extras-support_model")
    expect(extras.locator(".field-question")).to_have_text(
        "Open question: Support after launch: still to find out. Who knows the answer? — Dan <b>Whitfield</b>, "
        "due 12 Dec"
    )
    expect(extras.get_by_role("status")).to_contain_text("Question parked")
    expect(page.locator("#field-ask-support_model")).to_have_count(0)
    # Nothing else on the page changed: what was typed is still there, unsaved.
    expect(page.get_by_label("Budget owner")).to_have_value("Typed, not saved yet")
    parked = OpenQuestion.objects.get(project=project, field="support_model")
    assert (parked.section, parked.owner, str(parked.due)) == ("ownership", "Dan <b>Whitfield</b>", "2030-12-12")

    # The page is no wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Saving the step now records who answered the field, and sends nothing of the inline form.
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Ownership saved.").wait_for()
    expect(page.locator('[data-source-for="budget_owner"]')).to_have_text("Casey Consultant, consultant")
    expect(page.locator("#field-extras-support_model .field-question")).to_have_count(1)
    assert OpenQuestion.objects.filter(project=project).exclude(field="").count() == 1
