"""A consultant walks the eight guided steps with the invoice-coding scope to 8/8; a client editor's change shows."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scoping.projects.scope_io import export_scope
from scoping.scope.catalogue import SECTION_KEYS
from scoping.scope.field_checks import Boolean, Choice, ChoiceList, Group, Rows
from scoping.scope.schema import SECTIONS, validate_scope
from tests.browser.conftest import login
from tests.factories import PASSWORD, ClientFactory, ParticipantFactory, ProjectFactory, UserFactory
from tests.steps.step_helpers import invoice_scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEPS = SECTION_KEYS
ADD_ROW_BUTTONS = {
    "success_metrics": "Add a success metric",
    "acceptance_criteria": "Add an acceptance criterion",
    "sources": "Add a data source",
    "items": "Add a failure mode",
    "access_roles": "Add an access role",
    "responsibilities": "Add a responsibility",
}


def fill(page, element_id: str, item, value) -> None:
    """Enter one value the way a person would: type text, pick from a list, tick boxes."""
    field = page.locator(f"#{element_id}")
    if isinstance(item, Boolean):
        field.select_option({True: "true", False: "false", None: "unknown"}[value])
    elif isinstance(item, Choice):
        field.select_option(value or "")
    elif isinstance(item, ChoiceList):
        for regime in value:
            page.locator(f'input[name="{element_id.removeprefix("id_")}"][value="{regime}"]').check()
    else:
        field.fill("" if value is None else str(value))


def fill_step(page, section_key: str, values: dict) -> None:
    for item in SECTIONS[section_key]:
        if isinstance(item, Group):
            for sub in item.fields:
                fill(page, f"id_{item.attr_prefix}{sub.key}", sub, values[item.key][sub.key])
        elif isinstance(item, Rows):
            for index, row in enumerate(values[item.key]):
                first = f"id_{item.key}-{index}-{item.fields[0].key}"
                if page.locator(f"#{first}").count() == 0:
                    page.get_by_role("button", name=ADD_ROW_BUTTONS[item.key]).click()
                    expect(page.locator(f"#{first}")).to_be_focused()
                for sub in item.fields:
                    fill(page, f"id_{item.key}-{index}-{sub.key}", sub, row[sub.key])
        else:
            fill(page, f"id_{item.key}", item, values[item.key])


def step_state(page, section_key: str) -> str:
    return page.locator(f'.step-nav a[data-step="{section_key}"]').get_attribute("data-state")


def test_a_consultant_walks_all_eight_steps_to_8_of_8_and_sees_a_client_editors_change(new_page):
    consultant = UserFactory(username="casey", role="consultant", first_name="Casey", last_name="Consultant")
    project = ProjectFactory(
        client=ClientFactory(name="Kestrel Foods Ltd"),
        lead_consultant=consultant,
        name="Supplier invoice coding",
        currency="GBP",
    )
    editor = ParticipantFactory(project=project, can_edit=True).user
    scope = invoice_scope()

    page = new_page()
    login(page, "casey", PASSWORD)
    page.goto(f"/projects/{project.pk}/")
    assert page.locator("#readiness [data-readiness-score]").inner_text().replace("\n", "").endswith("0/8")
    page.get_by_role("link", name="Continue scoping").click()
    page.wait_for_url(f"**/projects/{project.pk}/steps/production_target/")

    for number, key in enumerate(STEPS, start=1):
        assert page.locator(".step-findings .finding-blocker").count() > 0, f"{key} starts without blockers"
        assert step_state(page, key) == "empty"
        fill_step(page, key, scope[key])
        page.get_by_role("button", name="Save", exact=True).click()
        page.locator(".alert-success", has_text="saved.").wait_for()
        # The blockers of this step have cleared, and the navigator says so.
        assert page.locator(".step-findings .finding-blocker").count() == 0, page.locator(".step-findings").inner_text()
        assert step_state(page, key) == "complete"
        assert page.locator(".step-nav [data-readiness-score]").inner_text().endswith(f"{number}/8")
        page.get_by_role("button", name="Save & continue" if key != "ownership" else "Save & review the scope").click()
        if key != "ownership":
            page.wait_for_url(f"**/steps/{STEPS[number]}/")

    page.wait_for_url(f"**/projects/{project.pk}/scope/")
    saved, typed = export_scope(project), validate_scope(scope)
    assert {key: saved[key] for key in STEPS} == {key: typed[key] for key in STEPS}
    assert page.locator("[data-readiness-score]").first.inner_text() == "8/8"
    assert page.get_by_text("Vendor master and chart of accounts").count() == 1
    page.goto(f"/projects/{project.pk}/")
    assert page.locator("#readiness [data-readiness-score]").inner_text().replace("\n", "").endswith("8/8")
    assert page.locator('#readiness [data-status="blocked"]').count() == 0

    # The client editor changes who acts on the output.
    client_page = new_page()
    login(client_page, editor.username, PASSWORD)
    client_page.goto(f"/projects/{project.pk}/steps/workflow/")
    client_page.get_by_label("Who acts on it").fill("AP team lead")
    client_page.get_by_role("button", name="Save", exact=True).click()
    client_page.get_by_text("Workflow saved.").wait_for()

    page.goto(f"/projects/{project.pk}/steps/workflow/")
    assert page.get_by_label("Who acts on it").input_value() == "AP team lead"
    page.goto(f"/projects/{project.pk}/scope/")
    assert page.locator("#section-workflow").get_by_text("AP team lead").count() == 1
