"""One reader for every number people type (issue 9, item 11): the same rules on the steps, the cost step and the
live figures, with a message that names the field."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from scoping.models.sections import SECTION_MODELS, CostModel
from scoping.projects.scope_io import export_scope, import_scope
from scoping.scope.numbers import NumberRefused, NumberRule, read_number
from scoping.scope.readiness import evaluate
from scoping.steps.cost_inputs import cost_inputs_from_form, form_values_of
from scoping.steps.forms import build_step_forms
from tests.steps.step_helpers import step_post

MONEY = NumberRule(max_value=Decimal(10) ** 12, decimal_places=6)
COUNT = NumberRule(whole=True, max_value=10**12)
PERCENT = NumberRule(percent=True, max_value=Decimal(100), decimal_places=2)
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.mark.parametrize(
    "typed,rule,expected",
    [
        ("1,100", MONEY, Decimal(1100)),
        ("1 100", MONEY, Decimal(1100)),
        ("1\u00a0100", MONEY, Decimal(1100)),
        ("1100.50", MONEY, Decimal("1100.50")),
        ("1,100.50", MONEY, Decimal("1100.50")),
        ("12,345,678", COUNT, Decimal(12345678)),
        ("2,000", COUNT, Decimal(2000)),
        ("0,395", MONEY, Decimal("0.395")),
        ("£1,100", MONEY, Decimal(1100)),
        ("1e9", COUNT, Decimal(10**9)),
        ("1e9", MONEY, Decimal(10**9)),
        ("12.5 %", PERCENT, Decimal("12.5")),
        ("١٢٣٤", COUNT, Decimal(1234)),  # Arabic-Indic digits
        ("१,२००", COUNT, Decimal(1200)),  # Devanagari digits
        ("１２３", COUNT, Decimal(123)),  # full-width digits
        ("  7  ", COUNT, Decimal(7)),
        ("", MONEY, None),
        ("   ", COUNT, None),
    ],
)
def test_it_reads_numbers_as_people_write_them(typed, rule, expected):
    assert read_number(typed, rule) == expected


@pytest.mark.parametrize(
    "typed,rule,reason",
    [
        ("-5", MONEY, "cannot be negative; enter 0 or more"),
        ("-5", COUNT, "cannot be negative; enter 0 or more"),
        ("abc", MONEY, "“abc” is not a number; type digits, such as 1100 or 1,100.50"),
        ("1,10", COUNT, "must be a whole number"),  # a lone comma not grouping by three is a decimal comma
        ("1,1,0", COUNT, "“1,1,0” is not a number"),
        ("1.5", COUNT, "must be a whole number, such as 9000"),
        ("101", PERCENT, "is a percentage, so it must be between 0 and 100"),
        ("99999999999999999999", MONEY, "is more than the limit of 1,000,000,000,000"),
        ("1e999", COUNT, "is more than the limit of 1,000,000,000,000"),
        ("9" * 41, MONEY, "is too long to be a number; type the figure with digits only"),
        ("0.0000001", MONEY, "has more than 6 decimal places"),
        ("NaN", MONEY, "“NaN” is not a number"),
        ("Infinity", MONEY, "“Infinity” is not a number"),
        ("0", NumberRule(whole=True, min_value=1), "must be 1 or more"),
        ("-3", NumberRule(whole=True, min_value=1), "must be 1 or more"),
    ],
)
def test_it_refuses_what_is_not_a_usable_number_in_plain_words(typed, rule, reason):
    with pytest.raises(NumberRefused) as refused:
        read_number(typed, rule)
    assert refused.value.reason.startswith(reason)
    assert refused.value.for_field("Hosting per month").startswith(f"Hosting per month: {reason}")


def _cost_form(data):
    base = step_post("cost_model", {}, revision=0)
    base.update(data)
    return build_step_forms("cost_model", section=SECTION_MODELS["cost_model"](), rows={}, data=base)


def test_money_fields_accept_thousands_separators_like_volume_fields():
    forms = _cost_form(
        {"hosting": "1,100", "licences": "1 100", "reviewer_hourly_rate": "1100.50", "tier_scale": "2,000"}
    )
    assert forms.is_valid(), forms.form.errors
    data = forms.form.cleaned_data
    assert (data["hosting"], data["licences"], data["reviewer_hourly_rate"]) == (
        Decimal(1100),
        Decimal(1100),
        Decimal("1100.50"),
    )
    assert data["tier_scale"] == 2000


@pytest.mark.parametrize(
    "field,typed",
    [
        ("hosting", "-5"),
        ("hosting", "abc"),
        ("steps-0-input_tokens", "1.5"),
        ("steps-0-batch_share_pct", "120"),
        ("retry_overhead_pct", "120"),
        ("tier_pilot", "x"),
    ],
)
def test_the_step_form_and_the_live_figures_give_the_same_reason_naming_the_field(field, typed):
    typed_values = {field: typed, "currency": "GBP"}
    if field.startswith("steps-0-"):
        typed_values.update({"steps-TOTAL_FORMS": "1", "steps-0-model": "small"})
    forms = _cost_form(typed_values)
    assert not forms.is_valid()
    if field.startswith("steps-0-"):  # a model step's field: its row form holds the error
        [form] = forms.formsets["steps"].forms
        name = field.removeprefix("steps-0-")
    else:
        form, name = forms.form, field
    saved_error = " ".join(form.errors[name])
    label = form.fields[name].label
    assert saved_error.startswith(f"{label}: ")

    live = cost_inputs_from_form(typed_values, default_currency="GBP")
    (problem,) = [problem for problem in live.problems if problem.field == field]
    assert saved_error == f"{label}: {problem.message}."


def test_other_steps_use_the_same_reader():
    base = step_post("production_target", {}, revision=0)
    base.update({"volume_per_month": "12,500", "user_count": "١٢"})
    forms = build_step_forms("production_target", section=SECTION_MODELS["production_target"](), rows={}, data=base)
    assert forms.is_valid(), forms.form.errors
    assert forms.form.cleaned_data["volume_per_month"] == 12500
    assert forms.form.cleaned_data["user_count"] == 12

    base.update({"volume_per_month": "lots"})
    forms = build_step_forms("production_target", section=SECTION_MODELS["production_target"](), rows={}, data=base)
    assert not forms.is_valid()
    label = forms.form.fields["volume_per_month"].label
    assert forms.form.errors["volume_per_month"] == [
        f"{label}: “lots” is not a number; type digits, such as 9000 or 9,000."
    ]


@pytest.mark.django_db
def test_saving_1100_with_a_comma_keeps_it_and_the_finding_lists_only_what_is_missing(client, lead):
    data = json.loads((FIXTURES / "invoice-coding.json").read_text(encoding="utf-8"))
    project = import_scope(data=data, client_name=None, user=lead)
    values = form_values_of(CostModel.objects.get(project=project))
    section = CostModel.objects.get(project=project)
    client.force_login(lead)
    post = {
        **values,
        "hosting": "1,100",
        "steps-0-output_price": "",
        "revision": str(section.revision),
        "step_action": "save",
    }
    response = client.post(reverse("projects:step", args=[project.pk, "cost_model"]), post)
    assert response.status_code == 302, response.content.decode()[:2000]
    section.refresh_from_db()
    assert section.hosting == Decimal(1100)

    report = evaluate(export_scope(project), today=date(2026, 12, 1))
    (finding,) = [gap for gap in report.findings if gap.code == "cost_model.missing_inputs"]
    assert finding.message.startswith(
        "The cost per use cannot be worked out yet: fill in model step 1 ('Model call') output price per 1M tokens."
    )
    assert "hosting" not in finding.message.lower()
    assert "input price" not in finding.message.lower()
