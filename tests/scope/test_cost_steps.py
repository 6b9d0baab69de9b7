"""Cost model v2: model steps, residency uplift, the peak-load check, the self-hosted comparison, and the /1 upgrade.

The worked example is tests/fixtures/invoice-coding-three-steps.json; every figure below is computed by hand.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from fractions import Fraction
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from scoping.scope.costs import compute_costs, format_money
from scoping.scope.readiness import evaluate
from scoping.scope.schema import BOTH_SCHEMAS, ScopeValidationError, validate_scope
from scoping.scope.schema_v2 import SCHEMA_V2, upgrade_scope

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
V1_EXAMPLE: dict[str, Any] = json.loads((FIXTURES / "invoice-coding.json").read_text(encoding="utf-8"))
THREE_STEPS: dict[str, Any] = json.loads((FIXTURES / "invoice-coding-three-steps.json").read_text(encoding="utf-8"))
TODAY = date(2027, 1, 15)


def three_steps(**changes: Any) -> dict[str, Any]:
    """The three-step cost model, with step fields changed as ``step2__batch_share_pct="80"``."""
    cost_model = copy.deepcopy(THREE_STEPS["cost_model"])
    for name, value in changes.items():
        if name.startswith("step") and "__" in name:
            index, field = name.removeprefix("step").split("__", 1)
            cost_model["steps"][int(index) - 1][field] = value
        else:
            cost_model[name] = value
    return cost_model


def test_the_three_step_pipeline_matches_hand_computation_to_the_cent():
    result = compute_costs(three_steps())

    # Step 1, classify: 1,000 in (50 % cached) x 0.10 / 0.025, 20 out x 0.40
    #   = (500 x 0.10 + 500 x 0.025 + 20 x 0.40) / 1M = 70.5 / 1M = 0.0000705
    # Step 2, extract, 2 calls: 3,000 in (40 % cached, 10 % written) x 2.00 / 0.50 / 2.50, 400 out x 8.00
    #   = 2 x (1,500 x 2.00 + 1,200 x 0.50 + 300 x 2.50 + 400 x 8.00) / 1M = 2 x 7,550 / 1M = 0.0151
    # Step 3, check: 2,000 in x 1.10, 100 out and 1,500 reasoning x 4.40 (blank reasoning price = output price),
    #   60 % batched at 50 % off: (2,200 + 440 + 6,600) / 1M x (1 - 0.6 x 0.5) = 0.00924 x 0.7 = 0.006468
    assert [step.cost for step in result.steps.steps] == [
        Fraction("0.0000705"),
        Fraction("0.0151"),
        Fraction("0.006468"),
    ]
    # Sum 0.0216385 x 1.10 residency uplift = 0.02380235; x 1.03 retries = 0.0245164205
    assert result.per_use.inference == Decimal("0.02380235")
    assert result.per_use.inference_adj == Decimal("0.0245164205")
    # + 0.004 other + 100 % x 1 min x £28 / 60 review = 0.4951830871666...
    assert format_money(result.variable, "GBP", exact=True).startswith("£0.49518308716")
    # Launch 6,000: 6,000 x 0.49518308716... + £2,200 fixed = £5,171.098523
    assert result.tiers["launch"].monthly_cost == Decimal("5171.098523")
    assert format_money(result.tiers["launch"].monthly_cost, "GBP") == "£5,171.10"
    assert format_money(result.tiers["launch"].monthly_net, "GBP") == "£11,628.90"
    # Break-even: £2,200 / (£2.80 - £0.49518...) = 954.5 -> 955 uses a month
    assert result.break_even_volume == 955


def test_the_peak_load_and_the_self_hosted_comparison_match_hand_computation():
    result = compute_costs(three_steps())

    # Peak: 9,000 uses x 5 % / 43,200 minutes = 0.0104166 uses a minute; x 4 calls, x 11,420 tokens a use
    assert result.peak.calls_per_minute == Fraction(9000 * 5, 100 * 43200) * 4
    assert result.peak.tokens_per_minute == Fraction(9000 * 5, 100 * 43200) * (1020 + 6800 + 3600)
    assert (result.peak.over_rpm, result.peak.over_tpm) == (False, False)
    # Self-hosted: 1 GPU x £2.50 x 730 h + 20 ops hours x £95 = £3,725 a month
    # capacity 1 x 1,000 tokens/s x 50 % x 2,592,000 s = 1,296,000,000 tokens; scale needs 9,000 x 11,420
    hosted = result.self_hosted
    assert hosted.monthly == 3725
    assert hosted.capacity_tokens == 1_296_000_000
    assert hosted.covers_scale is True
    # Cheaper once 0.0245164205 x volume > 3,725: 151,938.97..., so from 151,939 uses a month
    assert hosted.cheaper_above == 151_939
    assert Fraction("0.0245164205") * 151_939 > 3725 >= Fraction("0.0245164205") * 151_938


def test_a_v1_scope_and_its_v2_upgrade_give_identical_figures():
    v1 = validate_scope(copy.deepcopy(V1_EXAMPLE))
    v2 = validate_scope(upgrade_scope(v1), schemas=BOTH_SCHEMAS)

    old, new = compute_costs(v1["cost_model"]).as_json(), compute_costs(v2["cost_model"]).as_json()

    assert v2["schema"] == SCHEMA_V2
    assert len(v2["cost_model"]["steps"]) == 1
    assert {key: new[key] for key in old} == old
    assert new["steps"][0]["cost_per_use"] == "0.00168"  # 2 calls x (3,000 x 0.25 + 400 x 0.45) / 1M
    assert evaluate(v2, today=TODAY).as_json() == evaluate(v1, today=TODAY).as_json()


FLAT = st.fixed_dictionaries(
    {
        "calls_per_use": st.integers(1, 20),
        "input_tokens": st.integers(1, 200_000),
        "output_tokens": st.integers(1, 50_000),
        "cached_share_pct": st.integers(0, 100).map(str),
        "input_price": st.decimals("0", "100", places=3).map(str),
        "cached_input_price": st.decimals("0", "100", places=3).map(str),
        "output_price": st.decimals("0", "100", places=3).map(str),
        "retry_overhead_pct": st.integers(0, 100).map(str),
    }
)


@settings(max_examples=150, deadline=None)
@given(flat=FLAT)
def test_any_v1_cost_model_upgrades_to_the_same_figures(flat):
    scope = copy.deepcopy(V1_EXAMPLE)
    scope["cost_model"].update(flat)
    v1 = validate_scope(scope)

    v2 = validate_scope(upgrade_scope(v1), schemas=BOTH_SCHEMAS)

    old, new = compute_costs(v1["cost_model"]), compute_costs(v2["cost_model"])
    assert new.per_use == old.per_use
    assert new.tiers == old.tiers
    assert new.break_even_volume == old.break_even_volume


STEP_NUMBERS = st.fixed_dictionaries(
    {
        "calls_per_use": st.integers(1, 10),
        "input_tokens": st.integers(0, 100_000),
        "cached_share_pct": st.integers(0, 50).map(str),
        "cache_write_share_pct": st.integers(0, 50).map(str),
        "output_tokens": st.integers(0, 20_000),
        "reasoning_tokens": st.integers(0, 20_000),
        "input_price": st.decimals("0", "50", places=2).map(str),
        "cached_input_price": st.decimals("0", "50", places=2).map(str),
        "cache_write_price": st.decimals("0", "50", places=2).map(str),
        "output_price": st.decimals("0", "50", places=2).map(str),
        "batch_share_pct": st.integers(0, 100).map(str),
        "batch_discount_pct": st.integers(0, 100).map(str),
    }
)


@settings(max_examples=150, deadline=None)
@given(step=STEP_NUMBERS, low=st.integers(0, 10**6), extra=st.integers(1, 10**6))
def test_cost_grows_with_volume_and_cost_per_use_never_falls_below_variable(step, low, extra):
    cost_model = three_steps()
    cost_model["steps"][1].update(step)
    cost_model["tiers"] = {"pilot": low, "launch": low + extra, "scale": low + 2 * extra}

    result = compute_costs(cost_model)

    tiers = [result.tiers[name] for name in ("pilot", "launch", "scale")]
    assert tiers[0].monthly_cost <= tiers[1].monthly_cost <= tiers[2].monthly_cost
    for tier in tiers:
        if tier.cost_per_use is not None:
            assert tier.cost_per_use >= result.variable


@settings(max_examples=150, deadline=None)
@given(step=STEP_NUMBERS, more=st.integers(0, 100))
def test_sending_more_traffic_to_batch_never_raises_the_cost(step, more):
    cost_model = three_steps()
    cost_model["steps"][2].update(step)
    less_batched = compute_costs(cost_model).per_use.inference
    share = min(100, int(step["batch_share_pct"]) + more)
    cost_model["steps"][2]["batch_share_pct"] = str(share)

    assert compute_costs(cost_model).per_use.inference <= less_batched


@pytest.mark.parametrize(
    ("changes", "path", "words"),
    [
        ({"step2__model": ""}, "steps[1].model", "names no model"),
        ({"step1__input_tokens": "-5"}, "steps[0].input_tokens", "cannot be negative"),
        ({"step2__cache_write_share_pct": "70"}, "steps[1].cache_write_share_pct", "add up to 110%"),
        ({"step3__batch_discount_pct": "150"}, "steps[2].batch_discount_pct", "between 0 and 100"),
        ({"step1__output_price": ""}, "steps[0].output_price", "is blank"),
        ({"step2__calls_per_use": 0}, "steps[1].calls_per_use", "is 0"),
        ({"residency_uplift_pct": None}, "residency_uplift_pct", "is blank"),
        ({"steps": []}, "steps", "has no model step"),
    ],
)
def test_bad_step_input_is_a_named_gap_never_zero(changes, path, words):
    cost_model = three_steps(**changes)

    result = compute_costs(cost_model)

    assert result.per_use is None  # never worked out with the gap read as zero
    problem = next(problem for problem in result.steps.problems if problem.path == path)
    assert words in problem.message
    assert path in result.missing + result.invalid


def test_a_blank_cache_write_price_costs_nothing_only_without_cache_writes():
    without_writes = compute_costs(three_steps(step2__cache_write_share_pct="0", step2__cache_write_price=None))
    with_writes = compute_costs(three_steps(step2__cache_write_price=None))

    assert without_writes.per_use is not None
    assert with_writes.per_use is None
    assert "steps[1].cache_write_price" in with_writes.missing


def test_a_zero_gpu_self_hosted_block_is_a_named_problem():
    cost_model = three_steps()
    cost_model["self_hosted"]["gpu_count"] = 0

    hosted = compute_costs(cost_model).self_hosted

    assert [problem.path for problem in hosted.problems] == ["self_hosted.gpu_count"]
    assert hosted.cheaper_above is None


def test_the_peak_over_a_rate_limit_is_flagged():
    result = compute_costs(three_steps(rate_limit_tpm=100, rate_limit_rpm=1))

    assert result.peak.over_tpm is True
    assert result.peak.over_rpm is False  # 0.04 calls a minute is under 1


# --- readiness on v2 ----------------------------------------------------------------------------------------------


def scope_with(cost_model: dict[str, Any], *, handover: str = "2027-05-31") -> dict[str, Any]:
    scope = copy.deepcopy(THREE_STEPS)
    scope["cost_model"] = cost_model
    scope["ownership"]["handover_date"] = handover
    return scope


def codes(scope: dict[str, Any]) -> list[str]:
    return [finding.code for finding in evaluate(scope, today=TODAY).findings]


def test_the_three_step_example_is_ready():
    assert codes(copy.deepcopy(THREE_STEPS)) == []


def test_a_model_retired_before_handover_is_a_blocker_naming_the_step():
    scope = scope_with(three_steps(step2__deprecation_date="2027-05-30"))

    findings = evaluate(scope, today=TODAY).findings

    assert [finding.code for finding in findings] == ["cost_model.model_deprecated_before_handover"]
    assert findings[0].severity == "blocker"
    assert "Model step 2 ('Extract and code the lines') calls claude-sonnet-4" in findings[0].message
    assert "2027-05-30" in findings[0].message and "2027-05-31" in findings[0].message


@pytest.mark.parametrize(("retired", "expected"), [("2027-05-31", True), ("2028-05-30", True), ("2028-05-31", False)])
def test_a_model_retired_within_a_year_after_handover_is_a_warning(retired, expected):
    scope = scope_with(three_steps(step3__deprecation_date=retired))

    assert ("cost_model.model_deprecated_soon" in codes(scope)) is expected
    assert "cost_model.model_deprecated_before_handover" not in codes(scope)


def test_a_retirement_date_with_no_handover_date_is_not_judged():
    scope = scope_with(three_steps(step3__deprecation_date="2020-01-01"))
    scope["ownership"]["handover_date"] = None

    assert codes(scope) == []


def test_a_peak_over_the_rate_limit_is_a_warning_with_both_figures():
    scope = scope_with(three_steps(rate_limit_tpm=100))

    finding = next(f for f in evaluate(scope, today=TODAY).findings if f.code == "cost_model.peak_over_rate_limit")

    assert finding.severity == "warning"
    assert "119 tokens a minute against a limit of 100" in finding.message


def test_missing_step_inputs_are_named_in_the_missing_inputs_blocker():
    scope = scope_with(three_steps(step2__model="", step3__output_price=""))

    finding = next(f for f in evaluate(scope, today=TODAY).findings if f.code == "cost_model.missing_inputs")

    assert "model step 2 ('Extract and code the lines') model names no model" in finding.message
    assert "fill in model step 3 ('Check the coding') output price per 1M tokens" in finding.message
    assert finding.field == "steps"


# --- schema /2 and scope_check ------------------------------------------------------------------------------------


def test_a_file_of_another_schema_is_refused_naming_both_that_are_read():
    scope = copy.deepcopy(THREE_STEPS)
    scope["schema"] = "firstslice.scope/3"

    with pytest.raises(ScopeValidationError, match="must be 'firstslice.scope/1' or 'firstslice.scope/2'"):
        validate_scope(scope)


def test_a_malformed_v2_file_names_each_field():
    scope = copy.deepcopy(THREE_STEPS)
    scope["cost_model"]["steps"][0]["input_tokens"] = "lots"
    scope["cost_model"]["steps"][1]["tokens"] = 5
    scope["engagement"] = {"pricing": "barter"}

    with pytest.raises(ScopeValidationError) as raised:
        validate_scope(scope, schemas=BOTH_SCHEMAS)

    paths = [path for path, _message in raised.value.errors]
    assert "cost_model.steps[0].input_tokens" in paths
    assert "cost_model.steps[1].tokens" in paths
    assert "engagement.pricing" in paths


def run_check(path: Path, *args: str) -> tuple[str, str, int]:
    out = StringIO()
    try:
        call_command("scope_check", str(path), *args, stdout=out)
    except CommandError as problem:
        return out.getvalue(), str(problem), problem.returncode
    return out.getvalue(), "", 0


def test_scope_check_gives_the_same_figures_for_the_example_in_both_schemas(tmp_path):
    upgraded = tmp_path / "invoice-coding.v2.json"
    upgraded.write_text(json.dumps(upgrade_scope(validate_scope(copy.deepcopy(V1_EXAMPLE)))), encoding="utf-8")

    v1_out, _, v1_status = run_check(FIXTURES / "invoice-coding.json", "--json")
    v2_out, _, v2_status = run_check(upgraded, "--json")

    v1, v2 = json.loads(v1_out), json.loads(v2_out)
    assert (v1_status, v2_status) == (0, 0)
    assert {key: v2["costs"][key] for key in v1["costs"]} == v1["costs"]
    assert v2["costs"]["steps"][0]["cost_per_use"] == "0.00168"
    assert v2["findings"] == v1["findings"]


def test_scope_check_prints_each_step_of_a_v2_file():
    out, _, status = run_check(FIXTURES / "invoice-coding-three-steps.json")

    assert status == 0
    assert "2. Extract and code the lines (claude-sonnet-4): 2 call(s), 6800 tokens, £0.0151 per use" in out
    assert "self-hosted: £3,725.00 a month, cheaper above 151,939 uses a month" in out
    assert "6,000 uses/month: monthly cost £5,171.10" in out


def test_scope_check_exits_2_naming_the_field_of_a_malformed_v2_file(tmp_path):
    scope = copy.deepcopy(THREE_STEPS)
    scope["cost_model"]["steps"][2]["batch_discount_pct"] = "150"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(scope), encoding="utf-8")

    _, message, status = run_check(path)

    assert status == 2
    assert "cost_model.steps[2].batch_discount_pct" in message
