"""The cost step's live figures: worked out from what is typed, never saved, never a server error."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from scoping.models import ActivityEvent, ModelPrice
from scoping.models.sections import CostModel, ModelStep
from scoping.projects.scope_io import import_scope
from scoping.scope.costs import compute_costs, format_money
from scoping.scope.schema import validate_scope
from scoping.steps.cost_inputs import form_values_of

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice_project(lead):
    data = json.loads((FIXTURES / "invoice-coding.json").read_text(encoding="utf-8"))
    return import_scope(data=data, client_name=None, user=lead)


@pytest.fixture
def example_values(invoice_project):
    return form_values_of(CostModel.objects.get(project=invoice_project))


def figures(client, project, values, **changes):
    return client.post(reverse("projects:cost_figures", args=[project.pk]), {**values, **changes})


def text_of(response) -> str:
    return response.content.decode()


def tier_row(html: str, tier: str) -> str:
    match = re.search(rf'<tr class="tier-{tier}">(.*?)</tr>', html, re.S)
    assert match, f"no {tier} row"
    return match.group(1)


def cost_per_use_cell(html: str, tier: str) -> str:
    match = re.search(r'class="[^"]*cost-per-use[^"]*">([^<]*)</td>', tier_row(html, tier))
    return match.group(1).strip()


def test_it_shows_the_verdict_and_the_break_even_for_the_worked_example(client, lead, invoice_project, example_values):
    client.force_login(lead)
    response = figures(client, invoice_project, example_values)

    assert response.status_code == 200
    html = text_of(response)
    assert "At launch volume each use costs £0.84 and saves £2.80; break-even at 946 uses a month." in html
    assert "alert-success" in html
    assert "Break-even:</span>\n        946 uses a month." in html
    assert 'class="break-even" data-volume="946"' in html  # the chart marks the same point
    for tier, label in (("pilot", "Pilot 1,500"), ("launch", "Launch 6,000"), ("scale", "Scale 9,000")):
        assert re.search(rf'<g class="tier tier-{tier}">.*?>{label}</text>', html), tier
    assert cost_per_use_cell(html, "launch") == "£0.84"


def test_it_recomputes_from_the_typed_values_without_saving_them(client, lead, invoice_project, example_values):
    client.force_login(lead)
    before = CostModel.objects.get(project=invoice_project)
    events = ActivityEvent.objects.count()

    response = figures(client, invoice_project, example_values, **{"steps-0-input_tokens": "300000"})

    # 2 calls × (300000 × 0.20 + 400 × 0.60) / 1M × 1.03 + 0.004 + 0.4667 review + 2200 / 6000 fixed = £0.96
    assert cost_per_use_cell(text_of(response), "launch") == "£0.96"
    after = CostModel.objects.get(pk=before.pk)
    assert after.revision == before.revision
    assert after.steps.get().input_tokens == 3000
    assert ActivityEvent.objects.count() == events


def test_a_zero_volume_tier_shows_a_dash_for_cost_per_use(client, lead, invoice_project, example_values):
    client.force_login(lead)
    response = figures(client, invoice_project, example_values, tier_pilot="0")

    assert response.status_code == 200
    html = text_of(response)
    assert cost_per_use_cell(html, "pilot") == "—"
    assert cost_per_use_cell(html, "launch") == "£0.84"
    assert "cost-gaps" not in html  # a zero tier is a valid volume, not a gap


def test_a_trillion_uses_a_month_keeps_exact_cents(client, lead, invoice_project, example_values):
    client.force_login(lead)
    response = figures(client, invoice_project, example_values, tier_scale="1000000000000")

    row = tier_row(text_of(response), "scale")
    # variable 0.47239706666… × 10^12 + 2,200 fixed = 472,397,068,866.666… → £472,397,068,866.67
    assert "1,000,000,000,000" in row
    assert "£472,397,068,866.67" in row
    # net: (2.80 − 0.47239706666…) × 10^12 − 2,200 = 2,327,602,931,133.333… → £2,327,602,931,133.33
    assert "£2,327,602,931,133.33" in row


@pytest.mark.parametrize(
    "field,typed,expected",
    [
        ("hosting", "-5", "Hosting per month (GBP a month): cannot be negative; enter 0 or more"),
        (
            "steps-0-input_tokens",
            "-300",
            "Model step 1: Input tokens per call (tokens per call): must be 1 or more: zero or a negative",
        ),
        (
            "steps-0-cached_share_pct",
            "150",
            "Model step 1: Cached share of input (% of input tokens): is a percentage, so it must be between 0 and 100",
        ),
        ("review_rate_pct", "-1", "Share of uses reviewed (% of uses): cannot be negative; enter 0 or more"),
        ("steps-0-output_tokens", "lots", "Model step 1: Output tokens per call (tokens per call): “lots” is not a"),
        ("steps-0-calls_per_use", "1.5", "Model step 1: Calls per use (calls per use): must be a whole number"),
        (
            "steps-0-output_price",
            "",
            "Model step 1: Output price per 1M tokens (GBP per 1M tokens): blank. The figures leave a gap here rather",
        ),
        ("steps-0-model", "", "Model step 1: Model: names no model: pick the model this step calls."),
        # Writing to the cache with no cache-write price is a gap, never free.
        (
            "steps-0-cache_write_share_pct",
            "30",
            "Model step 1: Cache-write price per 1M tokens (GBP per 1M tokens): blank.",
        ),
        ("tier_launch", "", "Uses per month: launch (uses a month): blank."),
    ],
)
def test_bad_or_blank_inputs_are_named_as_gaps_with_their_units(
    client, lead, invoice_project, example_values, field, typed, expected
):
    client.force_login(lead)
    response = figures(client, invoice_project, example_values, **{field: typed})

    assert response.status_code == 200
    html = text_of(response)
    gaps = re.search(r'<div class="alert alert-warning cost-gaps">(.*?)</div>', html, re.S).group(1)
    assert expected in gaps.replace("&quot;", '"')
    assert "alert-success" not in html


def test_cached_and_written_shares_over_100_together_are_refused_by_name(client, lead, invoice_project, example_values):
    client.force_login(lead)
    typed = {"steps-0-cached_share_pct": "70", "steps-0-cache_write_share_pct": "40", "steps-0-cache_write_price": "1"}
    response = figures(client, invoice_project, example_values, **typed)

    gaps = re.search(r'<div class="alert alert-warning cost-gaps">(.*?)</div>', text_of(response), re.S).group(1)
    assert (
        "Model step 1: Share of input written to the cache (% of input tokens): and the cached share add up to 110%; "
        "together they can be at most 100%." in gaps
    )
    assert cost_per_use_cell(text_of(response), "launch") == "—"


def test_a_missing_price_is_a_gap_and_never_counted_as_zero(client, lead, invoice_project, example_values):
    client.force_login(lead)
    response = figures(client, invoice_project, example_values, **{"steps-0-input_price": ""})

    html = text_of(response)
    assert "The cost per use cannot be worked out yet — missing step 1 input price." in html
    assert cost_per_use_cell(html, "launch") == "—"
    variable = re.search(r"Variable cost per use.*?<td[^>]*>([^<]*)</td>", html, re.S).group(1)
    assert variable.strip() == "—"
    assert "Model step 1: Input price per 1M tokens (GBP per 1M tokens): blank." in html
    assert "The cost chart needs the cost inputs." in html


def test_the_verdict_warns_when_volume_breaks_the_economics(client, lead, invoice_project, example_values):
    client.force_login(lead)
    response = figures(client, invoice_project, example_values, review_minutes="10")

    html = text_of(response)
    assert "alert-danger" in html
    assert "volume breaks the economics" in html
    assert "never: each use costs more than it saves" in html
    assert 'class="never-breaks-even"' in html


def test_the_sensitivity_table_doubles_tokens_prices_and_review(client, lead, invoice_project, example_values):
    client.force_login(lead)
    response = figures(client, invoice_project, example_values, review_rate_pct="40")

    table = re.search(r'<table class="[^"]*cost-sensitivity">(.*?)</table>', text_of(response), re.S).group(1)
    rows = {
        label: cells
        for label, *cells in (
            [cell.strip() for cell in re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
        )
    }
    # 40% × 1 min × £28/60 = £0.18667 review; ×2 → £0.37333, so cost per use at launch goes from £0.55906 to
    # £0.74573 (+33.4%). Doubling tokens or prices adds only 2 × 1,680 tokens' worth: £0.00173.
    assert rows["As entered"][1] == "£0.56"
    assert rows["Review rate ×2"][1] == "£0.75"
    assert rows["Review rate ×2"][3] == "+33.4%"
    assert rows["Tokens ×2"][1] == rows["Prices ×2"][1] == "£0.56"
    assert rows["Tokens ×2"][3] == rows["Prices ×2"][3] == "+0.3%"


def test_hostile_and_absurd_values_never_break_the_figures(client, lead, invoice_project, example_values):
    client.force_login(lead)
    nasty = ["<script>alert(1)</script>", "1e999", "NaN", "Infinity", "9" * 60, "１２", "0x10", "\x00", " ", "--1"]
    fields = ("hosting", "steps-0-input_tokens", "steps-0-cached_share_pct", "steps-TOTAL_FORMS", "tier_scale")
    for field in (*fields, "currency", "prices_as_of", "residency_uplift_pct", "self_hosted_gpu_count"):
        for value in nasty:
            response = figures(client, invoice_project, example_values, **{field: value})
            assert response.status_code == 200, (field, value)
            assert "<script>alert(1)</script>" not in text_of(response)


def test_thousands_separators_and_percent_signs_read_as_the_step_form_reads_them(
    client, lead, invoice_project, example_values
):
    client.force_login(lead)
    response = figures(client, invoice_project, example_values, tier_launch="6,000", review_rate_pct="100%")

    html = text_of(response)
    assert "cost-gaps" not in html
    assert cost_per_use_cell(html, "launch") == "£0.84"


def test_get_shows_the_figures_of_the_saved_scope(client, participant, invoice_project, lead):
    invoice_project.participants.create(user=participant, can_edit=False)
    client.force_login(participant)
    response = client.get(reverse("projects:cost_figures", args=[invoice_project.pk]))

    assert response.status_code == 200
    assert "break-even at 946 uses a month" in text_of(response)


def test_a_stranger_gets_404_and_sees_no_figures(client, outsider, invoice_project, example_values):
    client.force_login(outsider)
    response = figures(client, invoice_project, example_values)

    assert response.status_code == 404
    assert "946" not in text_of(response)


def test_an_anonymous_visitor_is_sent_to_log_in(client, invoice_project, example_values):
    response = figures(client, invoice_project, example_values)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_cost_step_shows_units_the_picker_and_live_figures(client, lead, invoice_project):
    call_command("load_starter_prices", stdout=io.StringIO())
    client.force_login(lead)
    response = client.get(reverse("projects:step", args=[invoice_project.pk, "cost_model"]))

    assert response.status_code == 200
    html = text_of(response)
    assert "All money on this step is in <strong>GBP</strong>" in html
    assert "Model prices are per 1 million tokens" in html
    assert 'hx-include="#step-form"' in html
    assert '<optgroup label="openai">' in html
    assert "gpt-4.1-mini · in 0.4 / cached 0.1 / out 1.6 USD per 1M · as of 2025-06-01" in html
    assert "break-even at 946 uses a month" in html  # shown before any JavaScript runs


def test_a_reader_sees_the_saved_figures_without_the_picker(client, reviewer, invoice_project):
    client.force_login(reviewer)
    response = client.get(reverse("projects:step", args=[invoice_project.pk, "cost_model"]))

    assert response.status_code == 200
    html = text_of(response)
    assert "break-even at 946 uses a month" in html
    assert "model-pick-form" not in html
    assert "hx-post" not in html.split('id="cost-figures"')[1][:200]


def test_picking_without_javascript_saves_and_returns_to_the_step(client, lead, invoice_project):
    call_command("load_starter_prices", stdout=io.StringIO())
    section = CostModel.objects.get(project=invoice_project)
    usd = ModelPrice.objects.get(model="gpt-4o-mini")
    client.force_login(lead)

    response = client.post(
        reverse("projects:cost_model_pick", args=[invoice_project.pk]),
        {"price": usd.pk, "revision": section.revision, "exchange_rate": "0.8"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("projects:step", args=[invoice_project.pk, "cost_model"])
    assert "Copied the prices of gpt-4o-mini (openai, as of 2025-06-01) into model step 1" in text_of(response)
    saved = ModelStep.objects.get(cost_model=section)  # the scope's one step: the picker's default
    assert (saved.model, saved.provider) == ("gpt-4o-mini", "openai, USD prices × 0.8")
    assert (saved.input_price, saved.cached_input_price, saved.output_price) == (
        Decimal("0.12"),
        Decimal("0.06"),
        Decimal("0.48"),
    )
    assert CostModel.objects.get(pk=section.pk).revision == section.revision + 1


def test_picking_into_a_new_step_without_javascript_adds_the_step(client, lead, invoice_project):
    call_command("load_starter_prices", stdout=io.StringIO())
    section = CostModel.objects.get(project=invoice_project)
    usd = ModelPrice.objects.get(model="gpt-4o-mini")
    client.force_login(lead)

    response = client.post(
        reverse("projects:cost_model_pick", args=[invoice_project.pk]),
        {"price": usd.pk, "revision": section.revision, "exchange_rate": "0.8", "step": "new"},
        follow=True,
    )

    html = text_of(response)
    assert "into a new model step 2" in html
    steps = list(ModelStep.objects.filter(cost_model=section).order_by("position"))
    assert [(step.model, step.input_price) for step in steps] == [
        ("self-hosted 8B model", Decimal("0.2")),
        ("gpt-4o-mini", Decimal("0.12")),
    ]
    assert 'value="gpt-4o-mini"' in html  # the page it returns to shows the new step's row, saved
    assert '<option value="1">Step 2 — gpt-4o-mini</option>' in html  # and offers it to the next pick


def test_the_live_figures_also_update_the_pinned_summary(client, lead, invoice_project, example_values):
    client.force_login(lead)
    response = client.post(
        reverse("projects:cost_figures", args=[invoice_project.pk]),
        {**example_values, "tier_launch": "3000"},
        HTTP_HX_REQUEST="true",
    )

    summary = re.search(r'<div id="cost-summary"[^>]*hx-swap-oob="true"[^>]*>(.*?)</div>', text_of(response), re.S)
    assert summary, "the htmx response carries the summary out of band"
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", summary.group(1)))
    assert "Pays its way at launch volume" in text
    assert "Cost per use at launch £1.21" in text
    assert "break-even 946 uses a month" in text


def test_the_step_page_puts_the_picker_and_summary_above_the_form(client, lead, invoice_project):
    client.force_login(lead)
    call_command("load_starter_prices", stdout=io.StringIO())
    html = text_of(client.get(reverse("projects:step", args=[invoice_project.pk, "cost_model"])))

    summary, picker, form, figures = (
        html.index('id="cost-summary"'),
        html.index('id="model-pick-form"'),
        html.index('id="step-form"'),
        html.index('id="cost-figures"'),
    )
    assert summary < picker < form < figures
    assert "hx-swap-oob" not in html[summary - 200 : picker]  # a full page has nothing to swap out of band


def test_an_imported_three_step_scope_shows_its_own_inputs_and_the_figures_of_scope_check(client, lead):
    data = json.loads((FIXTURES / "invoice-coding-three-steps.json").read_text(encoding="utf-8"))
    project = import_scope(data=data, client_name=None, user=lead)
    client.force_login(lead)

    html = text_of(client.get(reverse("projects:step", args=[project.pk, "cost_model"])))

    # Never a default over a saved value: the file's 10% residency uplift is what the form shows.
    assert re.search(r'name="residency_uplift_pct" value="10(\.00)?"', html)
    launch = compute_costs(validate_scope(data)["cost_model"]).tiers["launch"]
    assert cost_per_use_cell(html, "launch") == format_money(launch.cost_per_use, "GBP", per_use=True) == "£0.86"
    assert html.count('class="cost-step-line"') == 3
