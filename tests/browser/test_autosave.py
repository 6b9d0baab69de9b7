"""Two people on one step in two browsers (the WSGI live server: no socket, so the polling path): autosave, each
other's text arriving, an inline conflict on the same field, and rows added at once in both."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from scoping.models.sections import ProductionTarget, WorkflowIntegration
from tests.browser.conftest import login
from tests.factories import PASSWORD, ParticipantFactory, UserFactory
from tests.review_support import import_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Polling every 3 s plus the 0.8 s pause before a save, on a busy machine.
ARRIVES_MS = 12_000


@pytest.fixture
def two_tabs(new_page, db):
    lead = UserFactory(username="casey", role="consultant", first_name="Casey", last_name="Consultant")
    project = import_project(lead)
    editor = UserFactory(username="priya", role="client", client=project.client, first_name="Priya", last_name="Shah")
    ParticipantFactory(project=project, user=editor, can_edit=True, is_signatory=False)
    tab_a, tab_b = new_page(), new_page()
    login(tab_a, "casey", PASSWORD)
    login(tab_b, "priya", PASSWORD)
    return project, tab_a, tab_b


def step_url(project, key: str) -> str:
    return f"/projects/{project.pk}/steps/{key}/"


def test_two_people_type_into_different_fields_and_each_sees_the_other(two_tabs):
    project, tab_a, tab_b = two_tabs
    tab_a.goto(step_url(project, "workflow"))
    tab_b.goto(step_url(project, "workflow"))

    tab_a.get_by_label("Fallback").fill("Unsure invoices go to the AP queue.")
    tab_b.get_by_label("Change management").fill("A one-hour walkthrough <b>with</b> a clerk champion.")

    expect(tab_a.locator("#autosave-status")).to_contain_text("Saved at", timeout=ARRIVES_MS)
    expect(tab_b.locator("#autosave-status")).to_contain_text("Saved at", timeout=ARRIVES_MS)
    expect(tab_b.get_by_label("Fallback")).to_have_value("Unsure invoices go to the AP queue.", timeout=ARRIVES_MS)
    expect(tab_a.get_by_label("Change management")).to_have_value(
        "A one-hour walkthrough <b>with</b> a clerk champion.", timeout=ARRIVES_MS
    )
    expect(tab_a.locator("[data-unsaved-note]")).to_be_hidden()
    saved = WorkflowIntegration.objects.get(project=project)
    assert (saved.fallback, saved.change_management) == (
        "Unsure invoices go to the AP queue.",
        "A one-hour walkthrough <b>with</b> a clerk champion.",
    )

    # Leaving is free once saved (no "unsaved changes" question), and a reload shows both.
    dialogs = []
    tab_a.on("dialog", lambda dialog: dialogs.append(dialog.type) or dialog.dismiss())
    tab_a.locator('.step-nav a[data-step="ownership"]').click()
    tab_a.wait_for_url("**/steps/ownership/")
    assert dialogs == []
    tab_a.goto(step_url(project, "workflow"))
    expect(tab_a.get_by_label("Fallback")).to_have_value("Unsure invoices go to the AP queue.")
    expect(tab_a.get_by_label("Change management")).to_have_value(
        "A one-hour walkthrough <b>with</b> a clerk champion."
    )


def _conflicted(tabs, timeout_s: float):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for tab in tabs:
            if tab.locator(".live-conflict").count():
                return tab
        tabs[0].wait_for_timeout(200)
    return None


def test_both_editing_the_same_field_shows_both_values_inline_and_the_choice_is_saved(two_tabs):
    project, tab_a, tab_b = two_tabs
    tab_a.goto(step_url(project, "workflow"))
    tab_b.goto(step_url(project, "workflow"))
    texts = {tab_a: "Edits are pulled nightly.", tab_b: "Edits are reviewed weekly by the AP lead."}
    tab_a.get_by_label("Feedback loop").fill(texts[tab_a])
    tab_b.get_by_label("Feedback loop").fill(texts[tab_b])

    # Whoever saved second meets the first one's value under the field; their own text stays in it.
    loser = _conflicted([tab_a, tab_b], ARRIVES_MS / 1000)
    assert loser is not None, "neither tab showed the inline conflict"
    winner = tab_b if loser is tab_a else tab_a
    conflict = loser.locator(".live-conflict")
    expect(conflict).to_contain_text(texts[winner])
    expect(conflict).to_contain_text(texts[loser])
    expect(conflict).to_contain_text("Casey Consultant saved" if winner is tab_a else "Priya Shah saved")
    expect(loser.get_by_role("textbox", name="Feedback loop")).to_have_value(texts[loser])
    assert WorkflowIntegration.objects.get(project=project).feedback_loop == texts[winner]

    # The choice is keyboard-reachable: "Keep mine" is a button; pressing it saves mine.
    keep_mine = conflict.get_by_role("button", name="Keep mine")
    keep_mine.focus()
    loser.keyboard.press("Enter")
    expect(loser.locator(".live-conflict")).to_have_count(0)
    expect(loser.locator("#autosave-status")).to_contain_text("Saved at", timeout=ARRIVES_MS)
    deadline = time.monotonic() + ARRIVES_MS / 1000
    while WorkflowIntegration.objects.get(project=project).feedback_loop != texts[loser]:
        assert time.monotonic() < deadline, "Keep mine did not save"
        loser.wait_for_timeout(200)
    # The other tab takes it once its field has no focus.
    winner.get_by_role("heading", level=2).click()
    expect(winner.get_by_role("textbox", name="Feedback loop")).to_have_value(texts[loser], timeout=ARRIVES_MS)


def test_rows_added_in_both_tabs_at_once_are_both_kept(two_tabs):
    project, tab_a, tab_b = two_tabs
    tab_a.goto(step_url(project, "production_target"))
    tab_b.goto(step_url(project, "production_target"))
    rows_a = tab_a.locator("#success_metrics-rows [data-formset-row]")
    before = rows_a.count()

    for tab, text in ((tab_a, "Hours saved a month"), (tab_b, "Invoices coded without an edit")):
        tab.get_by_role("button", name="Add a success metric").click()
        tab.locator("#success_metrics-rows [data-formset-row]").last.locator("[name$='-metric']").fill(text)
    for tab in (tab_a, tab_b):
        tab.get_by_role("heading", level=2).click()  # leave the list: it may be rebuilt as saved

    for tab in (tab_a, tab_b):
        rows = tab.locator("#success_metrics-rows [data-formset-row]")
        expect(rows).to_have_count(before + 2, timeout=ARRIVES_MS)
        values = rows.evaluate_all("rows => rows.map(row => row.querySelector('[name$=\"-metric\"]').value)")
        assert "Hours saved a month" in values and "Invoices coded without an edit" in values
    saved = list(ProductionTarget.objects.get(project=project).success_metrics.values_list("metric", flat=True))
    assert "Hours saved a month" in saved and "Invoices coded without an edit" in saved
    assert len(saved) == before + 2
    tab_a.reload()
    expect(tab_a.locator("#success_metrics-rows [data-formset-row]")).to_have_count(before + 2)
