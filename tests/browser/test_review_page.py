"""The reviewer reads the version under review beside the comment boxes, and a diff with room for both columns."""

from __future__ import annotations

import pytest

from scoping.review import decisions
from tests.browser.conftest import login
from tests.factories import PASSWORD, UserFactory
from tests.review.test_review_page import NEW_FALLBACK, OLD_FALLBACK, edit_fallback
from tests.review_support import import_project, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_OLD = OLD_FALLBACK + " " + "They check each line against the purchase order before it is posted. " * 3
LONG_NEW = NEW_FALLBACK + " " + "They check each line against the purchase order before it is posted. " * 3


def test_a_reviewer_reads_each_section_beside_its_comment_box_and_a_roomy_diff(new_page):
    lead = UserFactory(username="lena", role="consultant", first_name="Lena", last_name="Lead")
    reviewer = UserFactory(username="rhea", role="reviewer", first_name="Rhea", last_name="Reviewer")
    project = import_project(lead)
    edit_fallback(project, LONG_OLD)
    first = submit(project, lead)
    decisions.review_record(project=project, version=first, actor=reviewer, decision="request_changes", summary="Who?")
    edit_fallback(project, LONG_NEW)
    submit(project, lead)

    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, "rhea", PASSWORD)
    page.goto(f"/projects/{project.pk}/review/")

    # The workflow section shows the frozen text, and its comment box sits to its right, level with it.
    section = page.locator("#review-section-workflow")
    section.get_by_text("They check each line", exact=False).first.wait_for()
    content = section.locator("dl").first.bounding_box()
    box = page.get_by_label("Comment on Workflow").bounding_box()
    assert box["x"] > content["x"] + content["width"] - 1
    assert box["y"] < content["y"] + content["height"]

    # Both diff columns get room: each at least a third of the table, and the changed words are marked.
    table = page.locator("table.diff-table").first
    row = table.locator("tbody tr").filter(has=page.locator("ins")).first
    before, after = row.locator("td").nth(0).bounding_box(), row.locator("td").nth(1).bounding_box()
    width = table.bounding_box()["width"]
    assert before["width"] > width / 3 and after["width"] > width / 3
    assert after["height"] < 12 * 24  # a few lines, not one word per line
    assert row.locator("ins").first.inner_text() == "team lead codes"

    page.get_by_label("Request changes (the scope goes back to draft)").check()
    page.get_by_label("Comment on Workflow").fill("Name the team lead.")
    page.get_by_role("button", name="Record decision").click()
    page.get_by_text("Changes requested on v2.").wait_for()
