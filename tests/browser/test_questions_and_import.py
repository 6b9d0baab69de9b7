"""A consultant imports a scope file, adds an open question, sees it overdue, and resolves it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from scoping.models import DiscoveryProject
from tests.browser.conftest import login, screenshot
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "invoice-coding.json"


def test_a_consultant_imports_a_scope_and_works_through_its_questions(new_page, tmp_path):
    UserFactory(username="casey", role="consultant", first_name="Casey", last_name="Consultant")
    page = new_page()
    login(page, "casey", PASSWORD)

    page.get_by_role("link", name="Import scope").click()
    broken = tmp_path / "broken.json"
    broken.write_text(
        '{"schema": "firstslice.scope/1", "project": {"name": "x", "currency": "EUR"}, '
        '"first_slice": {"duration_weeks": -2, "pilot_volume_per_month": "lots"}}'
    )
    page.get_by_label("Scope JSON file").set_input_files(str(broken))
    page.get_by_role("button", name="Import scope").click()
    errors = page.locator(".import-errors li")
    assert errors.count() == 2
    assert "first_slice.duration_weeks: must be 0 or more" in errors.nth(0).inner_text()
    screenshot(page, "import-errors")
    assert DiscoveryProject.objects.count() == 0

    page.get_by_label("Scope JSON file").set_input_files(str(EXAMPLE_PATH))
    page.get_by_role("button", name="Import scope").click()
    page.wait_for_url("**/projects/*/")
    assert "Scope imported" in page.inner_text("main")
    assert "Can the supplier portal push invoices by webhook?" in page.inner_text("#overview-questions")

    page.get_by_role("link", name="Open questions", exact=True).click()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    page.get_by_label("Question").fill("Who owns the vendor master after go-live? <b>not bold</b>")
    page.get_by_label("Section").select_option("ownership")
    page.get_by_label("Who finds out").fill("Priya Raman")
    page.get_by_label("Due").fill(yesterday)
    page.get_by_role("button", name="Add question").click()
    overdue_row = page.locator("tr.question-overdue")
    assert overdue_row.count() == 1
    assert "Who owns the vendor master after go-live? <b>not bold</b>" in overdue_row.inner_text()
    screenshot(page, "questions")

    overdue_row.get_by_role("link", name="Resolve…").click()
    page.get_by_role("textbox", name="Answer").fill("Finance operations, from March.")
    screenshot(page, "resolve")
    page.get_by_role("button", name="Mark resolved").click()
    assert page.locator("tr.question-overdue").count() == 0
    assert "Finance operations, from March." in page.inner_text("main")

    page.goto("/projects/")
    assert "8/8" in page.inner_text("table")
    screenshot(page, "pipeline")
