"""The cost step and the overview at phone and desktop width (issue 9, items 10 and 15).

While typing in a field low on the cost step, the figures stay in view and follow what is typed; the price picker
sits above the prices it fills; no page scrolls sideways at 390 px; the chart's text stays readable on screen.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from documents.models import DocumentKind, DocumentStatus, ScopeDocument
from documents.versioning import version_freeze
from scoping.projects.scope_io import import_scope
from tests.browser.conftest import login
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DESKTOP = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
LAUNCH_COST_PER_USE = "#cost-figures tr.tier-launch td.cost-per-use"

IN_VIEWPORT = """sel => {
  const box = document.querySelector(sel).getBoundingClientRect();
  return {top: box.top, bottom: box.bottom, left: box.left, right: box.right,
          width: box.width, height: box.height, vw: innerWidth, vh: innerHeight};
}"""

# Smallest on-screen size of the visible chart's text: font size x (rendered width / viewBox width).
# The smallest chart text as drawn, in CSS pixels, over the two visible charts (monthly cost, cost per use).
CHART_TEXT_PX = """() => {
  const charts = [...document.querySelectorAll('#cost-figures svg.cost-chart')]
    .filter(svg => svg.getClientRects().length);
  if (charts.length !== 2) { return -charts.length; }
  return Math.min(...charts.map(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return Math.min(...[...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale));
  }));
}"""


@pytest.fixture
def project(live_server):
    lead = UserFactory(username="lena", role="consultant", first_name="Lena", last_name="Lead")
    data = json.loads((FIXTURES / "invoice-coding.json").read_text(encoding="utf-8"))
    return import_scope(data=data, client_name=None, user=lead)


def open_cost_step(page, project) -> None:
    login(page, "lena", PASSWORD)
    page.goto(f"/projects/{project.pk}/steps/cost_model/")
    page.wait_for_function(
        "sel => document.querySelector(sel) && document.querySelector(sel).textContent.trim() === '£0.84'",
        arg=LAUNCH_COST_PER_USE,
    )


def assert_in_viewport(page, selector: str) -> None:
    box = page.evaluate(IN_VIEWPORT, selector)
    assert box["height"] > 0 and box["width"] > 0, (selector, box)
    assert 0 <= box["top"] and box["bottom"] <= box["vh"], (selector, box)
    assert 0 <= box["left"] and box["right"] <= box["vw"], (selector, box)


def type_launch_volume_low_on_the_page(page) -> None:
    field = page.get_by_label("Uses per month: launch")
    field.scroll_into_view_if_needed()
    field.click()
    field.fill("3000")
    # 2,200 fixed / 3,000 + 0.4724 variable = £1.21 per use at launch
    page.wait_for_function("sel => document.querySelector(sel).textContent.trim() === '£1.21'", arg=LAUNCH_COST_PER_USE)
    assert_in_viewport(page, "#id_tier_launch")


def test_at_1920_the_figures_stay_beside_the_field_being_typed_in(new_page, project):
    page = new_page()
    page.set_viewport_size(DESKTOP)
    open_cost_step(page, project)

    picker = page.evaluate(IN_VIEWPORT, "#model-pick-form")
    prices = page.evaluate(IN_VIEWPORT, "#id_steps-0-input_price")
    assert picker["bottom"] <= prices["top"], "the price picker sits above the prices it fills"

    type_launch_volume_low_on_the_page(page)
    assert page.evaluate("scrollY") > 400  # the field is well down the page
    assert_in_viewport(page, "#cost-figures .cost-verdict")
    assert "each use costs £1.21" in page.locator("#cost-figures .cost-verdict").inner_text()
    assert page.evaluate(CHART_TEXT_PX) >= 10


def test_at_390_a_pinned_summary_follows_the_typing(new_page, project):
    page = new_page()
    page.set_viewport_size(PHONE)
    open_cost_step(page, project)

    picker = page.evaluate(IN_VIEWPORT, "#model-pick-form")
    prices = page.evaluate(IN_VIEWPORT, "#id_steps-0-input_price")
    assert picker["bottom"] <= prices["top"]

    type_launch_volume_low_on_the_page(page)
    assert_in_viewport(page, "#cost-summary")
    page.wait_for_function("() => document.querySelector('#cost-summary').textContent.includes('£1.21')")
    summary = page.evaluate(IN_VIEWPORT, "#cost-summary")
    assert summary["height"] <= PHONE["height"] / 4, "the pinned summary leaves room to type"


def test_at_390_the_cost_step_never_scrolls_sideways_and_the_chart_stays_readable(new_page, project):
    page = new_page()
    page.set_viewport_size(PHONE)
    open_cost_step(page, project)

    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    assert page.evaluate(CHART_TEXT_PX) >= 10
    tiers = page.locator("#cost-figures table.cost-tiers")
    assert tiers.evaluate("t => t.closest('.table-responsive') !== null")


def test_at_390_the_overview_with_documents_never_scrolls_sideways(new_page, project):
    version = version_freeze(project=project, actor=None, actor_name="Lena Lead")
    for status in (DocumentStatus.READY, DocumentStatus.FAILED, DocumentStatus.QUEUED):
        ScopeDocument.objects.create(
            version=version, kind=DocumentKind.DRAFT, status=status, error_message="The renderer ran out of time."
        )
    page = new_page()
    page.set_viewport_size(PHONE)
    login(page, "lena", PASSWORD)
    page.goto(f"/projects/{project.pk}/")
    page.locator("table").first.wait_for()

    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), page.evaluate(
        "[document.scrollingElement.scrollWidth, innerWidth]"
    )


def test_at_1920_the_volume_tiers_fit_their_side_panel_without_a_sideways_scroll(new_page, project):
    # The side panel was 25rem inside a 1320 px page, leaving 600 px of the screen empty while the tier table hid
    # its last columns behind a sideways scroll; every figure of the table must be readable at once.
    page = new_page()
    page.set_viewport_size(DESKTOP)
    open_cost_step(page, project)
    page.get_by_label("Uses per month: scale").fill("2000000")  # six-figure monthly amounts, as a real scale tier has
    tiers = page.locator("#cost-figures .cost-tiers")
    expect(tiers).to_contain_text("2,000,000")
    box = tiers.evaluate("t => ({table: t.scrollWidth, box: t.closest('.table-responsive').clientWidth})")
    assert box["table"] <= box["box"], box
