"""The cost step in a browser: the figures follow what is typed, and a model pick keeps everything else typed."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from scoping.models import ModelPrice
from scoping.models.sections import CostModel
from scoping.projects.scope_io import import_scope
from tests.browser.conftest import login
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LAUNCH_COST_PER_USE = "#cost-figures tr.tier-launch td.cost-per-use"


@pytest.fixture
def cost_step_url(live_server):
    lead = UserFactory(username="lena", role="consultant", first_name="Lena", last_name="Lead")
    data = json.loads((FIXTURES / "invoice-coding.json").read_text(encoding="utf-8"))
    project = import_scope(data=data, client_name=None, user=lead)
    call_command("load_starter_prices", stdout=io.StringIO())
    return project, f"/projects/{project.pk}/steps/cost_model/"


def open_step(page, url: str) -> None:
    login(page, "lena", PASSWORD)
    page.goto(url)
    page.wait_for_function(
        "sel => document.querySelector(sel) && document.querySelector(sel).textContent.trim() === '£0.84'",
        arg=LAUNCH_COST_PER_USE,
    )
    page.evaluate("window.costStepMarker = 'still the same page'")


def same_page_as_before(page) -> bool:
    return page.evaluate(
        "window.costStepMarker === 'still the same page' && performance.getEntriesByType('navigation').length === 1"
    )


def test_typing_a_new_token_count_updates_the_figures_without_a_reload(new_page, cost_step_url):
    project, url = cost_step_url
    page = new_page()
    open_step(page, url)

    page.locator("#id_steps-0-input_tokens").fill("300000")

    # 2 calls × (300,000 × £0.20 + 400 × £0.60) / 1M × 1.03 + £0.004 + £0.4667 review + £2,200 / 6,000 = £0.96
    page.wait_for_function("sel => document.querySelector(sel).textContent.trim() === '£0.96'", arg=LAUNCH_COST_PER_USE)
    assert same_page_as_before(page)
    assert page.url.endswith(url)
    assert "each use costs £0.96" in page.locator("#cost-figures .cost-verdict").inner_text()
    # The step saves itself after a pause (#12's autosave), on the same page.
    expect(page.locator("#autosave-status")).to_contain_text("Saved at", timeout=10_000)
    assert CostModel.objects.get(project=project).steps.get().input_tokens == 300000
    hosting_before = CostModel.objects.get(project=project).hosting

    page.get_by_label("Hosting per month").fill("-5")
    page.locator("#cost-figures .cost-gaps").get_by_text(
        "Hosting per month (GBP a month): cannot be negative"
    ).wait_for()
    assert page.locator(LAUNCH_COST_PER_USE).inner_text().strip() == "—"
    # A refused value is kept as typed and not saved.
    expect(page.locator("#autosave-status")).to_contain_text("Some fields are not saved", timeout=10_000)
    assert page.get_by_label("Hosting per month").input_value() == "-5"
    assert CostModel.objects.get(project=project).hosting == hosting_before
    assert same_page_as_before(page)


def test_picking_a_model_fills_its_prices_in_and_keeps_what_was_typed(new_page, cost_step_url):
    project, url = cost_step_url
    page = new_page()
    open_step(page, url)
    page.get_by_label("Hosting per month").fill("1300")

    page.locator("#model-pick-price").select_option(str(ModelPrice.objects.get(model="gpt-4o-mini").pk))
    page.locator("#model-pick-rate").fill("0.8")
    page.get_by_role("button", name="Copy prices into this scope").click()

    page.locator("#model-pick-status").get_by_text("Copied the prices of gpt-4o-mini").wait_for()
    assert page.get_by_label("Input price per 1M tokens (GBP)", exact=True).input_value() == "0.12"
    assert page.get_by_label("Output price per 1M tokens (GBP)", exact=True).input_value() == "0.48"
    assert page.get_by_label("Prices checked on").input_value() == "2025-06-01"
    assert page.get_by_label("Hosting per month").input_value() == "1300"  # unsaved typing survives the pick
    # The figures follow the new prices: 2 × (3,000 × £0.12 + 400 × £0.48) / 1M = £0.0011 of inference per use.
    page.wait_for_function(
        "() => document.querySelector('#cost-figures .cost-breakdown tbody td').textContent.trim() === '£0.0011'"
    )
    assert same_page_as_before(page)

    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Cost model saved.").wait_for()
    saved = CostModel.objects.get(project=project)
    step = saved.steps.get()  # the scope's one model step was filled, no second one added
    assert (saved.hosting, step.input_price, step.output_price, step.model) == (
        Decimal("1300"),
        Decimal("0.12"),
        Decimal("0.48"),
        "gpt-4o-mini",
    )
