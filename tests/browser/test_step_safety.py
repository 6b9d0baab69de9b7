"""Nothing typed is lost or overwritten on a step: frozen scopes ask first, edit conflicts merge, and leaving warns."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import expect

from scoping.models import DiscoveryProject, Stage
from scoping.models.sections import OpenQuestion, WorkflowIntegration
from tests.browser.conftest import login
from tests.factories import PASSWORD, ParticipantFactory, UserFactory
from tests.review_support import import_project, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FALLBACK = "Unsure invoices stay uncoded and go to the AP queue, as today."


@pytest.fixture
def people(db):
    lead = UserFactory(username="casey", role="consultant", first_name="Casey", last_name="Consultant")
    reviewer = UserFactory(username="rhea", role="reviewer", first_name="Rhea", last_name="Reviewer")
    project = import_project(lead)
    editor = UserFactory(username="cleo", role="client", client=project.client, first_name="Cleo", last_name="Client")
    ParticipantFactory(project=project, user=editor, can_edit=True, is_signatory=False)
    return {"lead": lead, "reviewer": reviewer, "editor": editor, "project": project}


def workflow_url(project) -> str:
    return f"/projects/{project.pk}/steps/workflow/"


def test_editing_a_scope_in_review_says_so_first_needs_a_confirmation_and_tells_the_reviewer(new_page, people):
    project, reviewer = people["project"], people["reviewer"]
    submit(project, people["lead"])
    mail.outbox.clear()

    page = new_page()
    login(page, "casey", PASSWORD)
    page.goto(workflow_url(project))
    notice = page.locator("#frozen-notice")
    expect(notice).to_contain_text(
        "This scope is in review as v1; saving withdraws it from review and starts a new draft."
    )
    page.get_by_label("Fallback").fill(FALLBACK)
    page.get_by_role("button", name="Save", exact=True).click()

    # Refused without the confirmation; what was typed is still there.
    expect(page.locator("#form-errors")).to_contain_text("Nothing was saved yet")
    expect(page.locator("#confirm-reopen")).to_contain_text("Tick the box to confirm that saving withdraws v1")
    expect(page.get_by_label("Fallback")).to_have_value(FALLBACK)
    assert DiscoveryProject.objects.get(pk=project.pk).stage == Stage.IN_REVIEW

    page.get_by_label("I understand: saving withdraws v1 from review and starts a new draft.").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Workflow saved.").wait_for()
    expect(page.locator(".alert-warning").first).to_contain_text("new draft")
    assert DiscoveryProject.objects.get(pk=project.pk).stage == Stage.DRAFT
    assert WorkflowIntegration.objects.get(project=project).fallback == FALLBACK
    told = [message for message in mail.outbox if message.to == [reviewer.email]]
    assert [message.subject for message in told] == [f"Withdrawn from review: {project.name} v1"]


def test_a_client_editor_reads_a_frozen_step_and_can_still_park_a_question(new_page, people):
    project = people["project"]
    submit(project, people["lead"])

    page = new_page()
    login(page, "cleo", PASSWORD)
    page.goto(workflow_url(project))
    expect(page.get_by_role("status").filter(has_text="only the consultancy team can change it now")).to_be_visible()
    assert page.locator("#step-form").count() == 0
    page.locator("#id_park-question").fill("Can the ERP take coding by API?")
    page.get_by_label("Who finds out").fill("Dan Whitfield")
    page.get_by_label("Due").fill("2030-01-31")
    page.get_by_role("button", name="Park this question").click()
    expect(page.locator("#park-question [data-parked]")).to_contain_text("Can the ERP take coding by API?")
    assert DiscoveryProject.objects.get(pk=project.pk).stage == Stage.IN_REVIEW


def test_two_tabs_editing_different_fields_merge_and_keep_mine_writes_only_what_i_changed(new_page, people):
    project = people["project"]
    tab_a, tab_b = new_page(), new_page()
    login(tab_a, "casey", PASSWORD)
    login(tab_b, "cleo", PASSWORD)
    # This is about the button saves: B gets no live updates, as a tab whose socket and polling are down
    # (tests/browser/test_autosave.py has the live path).
    tab_b.route("**/steps/workflow/state/", lambda route: route.abort())
    tab_b.goto(workflow_url(project))  # B opens first
    tab_a.goto(workflow_url(project))

    tab_a.get_by_label("Change management").fill("One-hour walkthrough with a clerk champion.")
    tab_a.get_by_role("button", name="Save", exact=True).click()
    tab_a.get_by_text("Workflow saved.").wait_for()

    # B never touched Change management: its save merges, and A's edit survives.
    tab_b.get_by_label("Fallback").fill(FALLBACK)
    tab_b.get_by_role("button", name="Save", exact=True).click()
    expect(tab_b.locator(".alert-success", has_text="Workflow saved.")).to_contain_text(
        "their changes are kept alongside yours"
    )
    saved = WorkflowIntegration.objects.get(project=project)
    assert (saved.change_management, saved.fallback) == ("One-hour walkthrough with a clerk champion.", FALLBACK)

    # Now both change Fallback: only that field is a conflict, and "Keep mine" leaves A's other edit alone.
    tab_a.reload()
    tab_b.reload()
    tab_a.get_by_label("Fallback").fill("Route unsure invoices to the team lead.")
    tab_a.get_by_label("Feedback loop").fill("Edits are pulled nightly into the labelled set.")
    tab_a.get_by_role("button", name="Save", exact=True).click()
    tab_a.get_by_text("Workflow saved.").wait_for()
    tab_b.get_by_label("Fallback").fill("Park unsure invoices for a day.")
    tab_b.get_by_role("button", name="Save", exact=True).click()
    conflict = tab_b.locator("#conflict")
    expect(conflict).to_contain_text("saved this step while you were editing it")
    assert conflict.locator("tr[data-field]").evaluate_all("rows => rows.map(row => row.dataset.field)") == ["fallback"]
    expect(tab_b.get_by_label("Feedback loop")).to_have_value("Edits are pulled nightly into the labelled set.")
    expect(tab_b.get_by_label("Fallback")).to_have_value("Park unsure invoices for a day.")
    # The conflict page holds unsaved values from the start: the navigator asks before dropping them.
    asked = []
    tab_b.once("dialog", lambda dialog: asked.append(dialog.type) or dialog.dismiss())
    tab_b.locator('.step-nav a[data-step="ownership"]').click()
    tab_b.wait_for_timeout(300)
    assert asked == ["confirm"] and tab_b.url.endswith(workflow_url(project))
    tab_b.get_by_role("button", name="Keep mine").click()
    tab_b.get_by_text("Workflow saved.").wait_for()
    saved.refresh_from_db()
    assert (saved.fallback, saved.feedback_loop, saved.change_management) == (
        "Park unsure invoices for a day.",
        "Edits are pulled nightly into the labelled set.",
        "One-hour walkthrough with a clerk champion.",
    )


def test_typed_values_survive_parking_a_question_and_leaving_asks_first(new_page, people):
    project = people["project"]
    page = new_page()
    login(page, "casey", PASSWORD)
    page.goto(f"/projects/{project.pk}/")
    # The server cannot be reached for autosave (what typed text must survive): the step stays unsaved.
    page.route("**/steps/workflow/autosave/", lambda route: route.abort())
    page.goto(workflow_url(project))
    page.get_by_label("Fallback").fill(FALLBACK)
    expect(page.locator("[data-unsaved-note]")).to_be_visible()

    # Park a question inline: the page does not reload, and Fallback keeps what was typed.
    expect(page.get_by_role("link", name="Park it as a question")).to_have_attribute("href", "#park-question")
    page.locator("#id_park-question").fill("Who trains the clerks on the new screen?")
    page.get_by_role("button", name="Park this question").click()
    expect(page.locator("#park-question")).to_contain_text("Name who finds out the answer.")
    page.get_by_label("Who finds out").fill("Dan Whitfield")
    page.get_by_label("Due").fill("2030-01-31")
    page.get_by_role("button", name="Park this question").click()
    expect(page.locator("#park-question [data-parked]")).to_contain_text("Who trains the clerks on the new screen?")
    expect(page.locator("#step-questions")).to_contain_text("Dan Whitfield")
    expect(page.get_by_label("Fallback")).to_have_value(FALLBACK)
    assert OpenQuestion.objects.filter(project=project, section="workflow", owner="Dan Whitfield").exists()

    # The navigator asks before leaving while the autosave failed; "stay" keeps the page and the text.
    expect(page.locator("#autosave-status")).to_contain_text("Not saved")
    dialogs = []

    def stay(dialog):
        dialogs.append((dialog.type, dialog.message))
        dialog.dismiss()

    page.on("dialog", stay)
    page.locator('.step-nav a[data-step="ownership"]').click()
    page.wait_for_timeout(300)
    assert dialogs and dialogs[0] == (
        "confirm",
        "This step has changes that are not saved yet. Leave the page and lose them?",
    )
    assert page.url.endswith(workflow_url(project))
    expect(page.get_by_label("Fallback")).to_have_value(FALLBACK)

    # The browser's Back button asks too (beforeunload).
    dialogs.clear()
    page.evaluate("history.back()")
    page.wait_for_timeout(500)
    assert [kind for kind, _message in dialogs] == ["beforeunload"]
    assert page.url.endswith(workflow_url(project))
    page.remove_listener("dialog", stay)

    # Saving is not leaving: no question asked, and then leaving is free.
    page.on("dialog", lambda dialog: dialogs.append((dialog.type, dialog.message)) or dialog.dismiss())
    dialogs.clear()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Workflow saved.").wait_for()
    page.locator('.step-nav a[data-step="ownership"]').click()
    page.wait_for_url("**/steps/ownership/")
    assert dialogs == []


def test_after_the_park_a_question_link_save_and_continue_opens_the_next_step_at_its_top(new_page, people):
    # The link puts #park-question in the address; the step form must not carry it into the next step, which would
    # open scrolled down to its own park box, below every field the person came to fill in.
    project = people["project"]
    page = new_page()
    login(page, "casey", PASSWORD)
    page.goto(workflow_url(project))
    page.get_by_role("link", name="Park it as a question").click()
    page.get_by_label("Fallback").fill(FALLBACK)
    page.get_by_role("button", name="Save & continue").click()
    page.wait_for_url("**/steps/ownership/**")
    assert page.url.endswith(f"/projects/{project.pk}/steps/ownership/")
    assert page.evaluate("window.scrollY") == 0
