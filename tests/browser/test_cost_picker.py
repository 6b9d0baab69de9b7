"""The price picker in a browser: a model picked into a new step fills a row of its own, and nothing typed is lost."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from scoping.models import ModelPrice
from scoping.models.sections import CostModel, ModelStep
from scoping.projects.scope_io import import_scope
from tests.browser.conftest import login
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LAUNCH_COST_PER_USE = "#cost-figures tr.tier-launch td.cost-per-use"


@pytest.fixture
def cost_step(live_server):
    lead = UserFactory(username="lena", role="consultant", first_name="Lena", last_name="Lead")
    data = json.loads((FIXTURES / "invoice-coding.json").read_text(encoding="utf-8"))
    project = import_scope(data=data, client_name=None, user=lead)  # one model step: "Model call"
    call_command("load_starter_prices", stdout=io.StringIO())
    return project, f"/projects/{project.pk}/steps/cost_model/"


def open_step(page, url: str) -> None:
    login(page, "lena", PASSWORD)
    page.goto(url)
    wait_for_launch_cost(page, "£0.84")
    page.evaluate("window.costStepMarker = 'still the same page'")


def wait_for_launch_cost(page, shown: str) -> None:
    page.wait_for_function(
        "([sel, shown]) => document.querySelector(sel) && document.querySelector(sel).textContent.trim() === shown",
        arg=[LAUNCH_COST_PER_USE, shown],
    )


def same_page_as_before(page) -> bool:
    return page.evaluate(
        "window.costStepMarker === 'still the same page' && performance.getEntriesByType('navigation').length === 1"
    )


def field(page, index: int, name: str):
    return page.locator(f"#step-form [name='steps-{index}-{name}']")


def pick_into(page, target: str, model: str = "gpt-4o-mini", rate: str = "0.8") -> None:
    page.locator("#model-pick-price").select_option(str(ModelPrice.objects.get(model=model).pk))
    page.get_by_label("Into").select_option(label=target)
    page.locator("#model-pick-rate").fill(rate)
    page.get_by_role("button", name="Copy prices into this scope").click()


def test_a_model_picked_into_a_new_step_fills_a_new_row_that_saves(new_page, cost_step):
    project, url = cost_step
    page = new_page()
    open_step(page, url)
    page.get_by_label("Hosting per month").fill("1300")  # typed, not saved: must survive the pick

    pick_into(page, "A new step")

    page.locator("#model-pick-status").get_by_text("into a new model step 2").wait_for()
    # gpt-4o-mini is 0.15 / 0.075 / 0.60 USD per 1M in the starter catalogue; × 0.8 into GBP.
    assert field(page, 1, "model").input_value() == "gpt-4o-mini"
    assert field(page, 1, "provider").input_value() == "openai, USD prices × 0.8"
    assert [field(page, 1, name).input_value() for name in ("input_price", "cached_input_price", "output_price")] == [
        "0.12",
        "0.06",
        "0.48",
    ]
    assert field(page, 1, "reasoning_tokens").input_value() == "0"
    assert field(page, 1, "calls_per_use").input_value() == ""
    # The step that was there, and everything else typed, are as they were.
    assert field(page, 0, "model").input_value() == "self-hosted 8B model"
    assert field(page, 0, "input_price").input_value() == "0.20"  # as the page showed it
    assert page.get_by_label("Hosting per month").input_value() == "1300"
    assert page.get_by_label("Into").locator("option:checked").inner_text() == "Step 2 — gpt-4o-mini"
    # The new step's calls are not known yet: the figures say so rather than count them as none.
    wait_for_launch_cost(page, "—")
    page.locator("#cost-figures .cost-gaps").get_by_text("Model step 2: Calls per use").first.wait_for()

    field(page, 1, "name").fill("Summarise the invoice")
    field(page, 1, "calls_per_use").fill("1")
    field(page, 1, "input_tokens").fill("100000")
    field(page, 1, "output_tokens").fill("10000")
    field(page, 1, "cached_share_pct").fill("0")

    # 1 call × (100,000 × £0.12 + 10,000 × £0.48) / 1M × 1.03 retries = £0.0173 more a use; launch cost £0.84
    # (£0.839064) + £0.017304, with hosting £1,300 instead of £1,100 adding £200 / 6,000 = £0.0333: £0.89.
    wait_for_launch_cost(page, "£0.89")
    assert same_page_as_before(page)

    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Cost model saved.").wait_for()
    steps = list(ModelStep.objects.filter(cost_model__project=project).order_by("position"))
    assert [(step.name, step.model, step.calls_per_use, step.input_price) for step in steps] == [
        ("Model call", "self-hosted 8B model", 2, Decimal("0.2")),
        ("Summarise the invoice", "gpt-4o-mini", 1, Decimal("0.12")),
    ]
    assert CostModel.objects.get(project=project).hosting == Decimal("1300")


def test_a_row_typed_into_is_never_taken_for_the_new_step(new_page, cost_step):
    project, url = cost_step
    page = new_page()
    open_step(page, url)
    page.locator("[data-formset-add='steps']").click()
    field(page, 1, "name").fill("Check the coding")  # a row of the person's own (autosaved before the pick)

    pick_into(page, "A new step")

    # The pick waits for autosave, which saved the typed row as step 2: the new step is step 3.
    page.locator("#model-pick-status").get_by_text("into a new model step 3").wait_for()
    assert field(page, 1, "name").input_value() == "Check the coding"
    assert field(page, 1, "model").input_value() == ""
    assert field(page, 2, "model").input_value() == "gpt-4o-mini"
    assert field(page, 2, "input_price").input_value() == "0.12"
    assert page.locator("#id_steps-TOTAL_FORMS").input_value() == "3"

    # Picked again into the step just made: the same row is filled, not a fourth one added.
    pick_into(page, "Step 3 — gpt-4o-mini", model="gpt-4.1-mini")
    page.locator("#model-pick-status").get_by_text("into model step 3").wait_for()
    assert field(page, 2, "model").input_value() == "gpt-4.1-mini"
    assert field(page, 1, "name").input_value() == "Check the coding"
    assert page.locator("#id_steps-TOTAL_FORMS").input_value() == "3"
    assert same_page_as_before(page)
    assert [step.model for step in ModelStep.objects.filter(cost_model__project=project).order_by("position")] == [
        "self-hosted 8B model",
        "",
        "gpt-4.1-mini",
    ]
