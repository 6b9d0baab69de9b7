"""Money in every currency Babel knows (issue 9, item 12): one formatter for pages, PDFs and the chart."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from documents.print_context import DocumentMeta
from documents.rendering import render_scope_html
from scoping.models.sections import CostModel, ModelStep
from scoping.projects.forms import ProjectForm
from scoping.scope.chart import cost_chart_svg
from scoping.scope.money import format_compact_money, format_money, is_currency_code
from scoping.steps.cost_inputs import cost_inputs_from_form
from scoping.steps.display import display_value

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "invoice-coding.json"


@pytest.mark.parametrize(
    "value,currency,options,expected",
    [
        ("1234567.125", "GBP", {}, "£1,234,567.13"),  # half-up, not Babel's half-even
        ("1234567", "INR", {}, "₹12,34,567.00"),  # lakhs, as en_IN writes them
        ("1234567.5", "JPY", {}, "¥1,234,568"),  # no minor unit
        ("2.8", "JPY", {"per_use": True}, "¥2.8"),  # a per-use amount under ten yen keeps a decimal
        ("1500", "EUR", {}, "€1,500.00"),
        ("-5", "USD", {}, "-$5.00"),
        ("0.0017", "GBP", {"per_use": True}, "£0.0017"),
        ("0.395", "GBP", {"exact": True}, "£0.395"),  # a price keeps its significant decimals
        ("0.395", "USD", {"exact": True}, "$0.395"),
        ("1100.000000", "GBP", {"exact": True}, "£1,100.00"),
        ("12", "CHF", {}, "CHF 12.00"),
        ("5", "", {}, "5.00"),
    ],
)
def test_format_money_follows_the_currency(value, currency, options, expected):
    assert format_money(Decimal(value), currency, **options) == expected


def test_only_iso_4217_codes_babel_knows_are_currencies():
    assert all(is_currency_code(code) for code in ("EUR", "GBP", "USD", "JPY", "INR", "CHF", "BRL"))
    assert not any(is_currency_code(code) for code in ("XYZ", "ABC", "EURO", "eur", "", "€"))


@pytest.mark.django_db
def test_the_project_form_refuses_three_letters_that_are_no_currency(project, lead):
    base = {"client": project.client.pk, "name": "Invoice coding", "lead_consultant": lead.pk}
    refused = ProjectForm(data={**base, "currency": "XYZ"})
    assert not refused.is_valid()
    assert "ISO 4217" in refused.errors["currency"][0]
    assert ProjectForm(data={**base, "currency": "jpy"}).is_valid()


def test_the_live_figures_refuse_an_unknown_currency_and_name_it():
    inputs = cost_inputs_from_form({"currency": "XYZ"}, default_currency="EUR")
    assert inputs.currency == "EUR"
    (problem,) = inputs.problems
    assert problem.field == "currency"
    assert "ISO 4217" in problem.message


def test_a_price_on_the_scope_page_keeps_its_decimals():
    field = ModelStep._meta.get_field("input_price")  # prices live on each model step since scope /2
    assert display_value(field, Decimal("0.395000"), currency="GBP") == "£0.395"
    assert display_value(CostModel._meta.get_field("hosting"), Decimal("1234567"), currency="INR") == "₹12,34,567.00"


def _document(**cost_changes) -> str:
    scope = json.loads(FIXTURE.read_text(encoding="utf-8"))
    scope["cost_model"].update(cost_changes)
    meta = DocumentMeta(
        kind="draft",
        version_number=3,
        version_sha256="0" * 64,
        frozen_at=datetime(2027, 1, 20, 10, 30, tzinfo=UTC),
        frozen_by="Lena Lead",
        status_label="Draft for discussion",
        generated_at=datetime(2027, 2, 1, 11, 0, tzinfo=UTC),
        consultancy="Northwind Advisory",
        signoffs=(),
        review_decision="",
    )
    return html.unescape(re.sub(r"<[^>]+>", " ", render_scope_html(snapshot=scope, meta=meta)))


def test_the_pdf_prints_yen_without_decimals_and_prices_with_theirs():
    # The fixture is a /1 scope: its input price prints in the one model step's row, under prices per 1M tokens.
    text = " ".join(_document(currency="JPY", input_price="0.395", hosting="1500").split())
    assert "Prices per 1M tokens, caching and batch" in text
    # The step's row: input price, cached share and price, cache writes, output, reasoning (blank: as output), batch.
    assert "1. Model call ¥0.395 0% ¥0.2 0% — ¥0.6 As output 0% —" in text
    assert "0.40" not in text
    assert "¥1,500 a month" in text
    assert not re.search(r"£\d", text.replace("above £10,000", ""))  # the fixture's prose names £10,000


def test_the_pdf_groups_rupees_in_lakhs():
    text = " ".join(_document(currency="INR", hosting="1234567").split())
    assert "₹12,34,567.00 a month" in text


@pytest.mark.parametrize(
    "value,currency,expected",
    [
        ("500000000000", "EUR", "€500B"),
        ("1200000", "JPY", "¥1.2M"),
        ("2500", "GBP", "£2.5K"),
        ("950", "GBP", "£950"),
        ("0", "USD", "$0"),
        ("500000000000", "XYZ", "XYZ 500B"),
    ],
)
def test_axis_labels_are_compact(value, currency, expected):
    assert format_compact_money(Decimal(value), currency) == expected


def test_huge_values_give_short_y_axis_labels():
    scope = json.loads(FIXTURE.read_text(encoding="utf-8"))
    cost_model = dict(scope["cost_model"], currency="XYZ", tiers={"pilot": 10**9, "launch": 10**11, "scale": 10**12})
    svg = cost_chart_svg(cost_model)
    labels = re.findall(r'text-anchor="end" fill="#000000">([^<]+)</text>', svg)
    assert len(labels) >= 3
    assert all(len(label) <= 10 for label in labels), labels
    assert "bn" not in " ".join(labels)


@pytest.mark.parametrize("amount", ["1e26", "123456789012345678901234567.5", "1e40"])
def test_amounts_beyond_28_digits_still_format(amount):
    # Babel quantizes in the caller's decimal context (28 digits by default): 1e26 raised InvalidOperation, a 500
    # on any page or PDF showing it. hypothesis found it with other_per_use=1e26.
    value = Decimal(amount)
    assert format_money(value, "GBP").startswith("£1")
    assert format_money(value, "GBP", per_use=True).startswith("£1")
    assert format_money(value, "GBP", exact=True).startswith("£1")
    assert format_money(value, "JPY").startswith("¥1")
    assert format_compact_money(value, "EUR")
