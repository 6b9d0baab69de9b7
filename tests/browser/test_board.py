"""The pipeline board in a browser: filter it, open a card, move a card and read why it was refused, export CSV;
and at phone width the columns scroll inside their own box, never the page."""

from __future__ import annotations

import csv
import io

import pytest

from tests.browser.conftest import login
from tests.factories import PASSWORD, ProjectFactory, UserFactory
from tests.review_support import import_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_consultant_filters_the_board_moves_a_card_reads_the_refusal_and_exports(new_page):
    lead = UserFactory(username="lena", role="consultant", first_name="Lena", last_name="Lead")
    blocked = ProjectFactory(lead_consultant=lead, name="Blocked intake")
    import_project(lead)  # the worked example: ready to submit
    approved = ProjectFactory(lead_consultant=lead, name="Already approved")
    type(approved).objects.filter(pk=approved.pk).update(stage="approved")

    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, "lena", PASSWORD)
    page.goto("/projects/board/")
    page.get_by_role("heading", name="Scope pipeline").wait_for()
    assert page.get_by_role("heading", name="Already approved").is_visible()

    # Filter to drafts: the approved card goes, both drafts stay.
    page.get_by_label("Stage", exact=True).select_option("draft")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/projects/board/?*stage=draft*")
    assert page.get_by_role("heading", name="Already approved").count() == 0
    assert page.get_by_role("heading", name="Blocked intake").is_visible()

    # Move the blocked draft to review: refused, and the board says why, keeping the filter.
    card = page.get_by_role("article", name="Blocked intake")
    card.get_by_label("Move “Blocked intake” to").select_option("submit")
    card.get_by_role("button", name="Move “Blocked intake”").click()
    page.wait_for_url("**/projects/board/?stage=draft")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "“Blocked intake” was not moved. This scope cannot be submitted yet:" in alert.inner_text()
    blocked.refresh_from_db()
    assert blocked.stage == "draft"

    # Export what the filters show.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(csv.reader(io.StringIO(open(download_info.value.path(), encoding="utf-8").read())))
    assert rows[0][:3] == ["Client", "Project", "Stage"]
    assert sorted(row[1] for row in rows[1:]) == ["Blocked intake", "Supplier invoice coding"]
    assert {row[2] for row in rows[1:]} == {"Draft"}

    # Open a card.
    card.get_by_role("link", name="Blocked intake").click()
    page.wait_for_url(f"**/projects/{blocked.pk}/")
    page.get_by_role("heading", name="Blocked intake").first.wait_for()


def test_at_phone_width_the_columns_scroll_inside_their_box_and_the_page_does_not(new_page):
    lead = UserFactory(username="lena", role="consultant", first_name="Lena", last_name="Lead")
    for stage in ("draft", "in_review", "approved", "awaiting_signoff", "signed_off"):
        project = ProjectFactory(lead_consultant=lead, name=f"A project with a long name in {stage}")
        type(project).objects.filter(pk=project.pk).update(stage=stage)

    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "lena", PASSWORD)
    page.goto("/projects/board/")
    page.get_by_role("heading", name="Scope pipeline").wait_for()
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), page.evaluate(
        "[document.scrollingElement.scrollWidth, innerWidth]"
    )
    columns = page.get_by_role("region", name="Board: one column per stage; scroll sideways for more")
    sizes = columns.evaluate("box => ({content: box.scrollWidth, shown: box.clientWidth})")
    assert sizes["content"] > sizes["shown"]  # the columns scroll sideways, inside their own box
    assert page.get_by_role("heading", name="A project with a long name in draft").is_visible()
