"""The cost model: hand-computed examples to the cent, gaps and bad input, and properties over random models."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scoping.scope.costs import (
    TIERS,
    CostResult,
    compute_costs,
    format_money,
    verdict,
)
from scoping.scope.sensitivity import sensitivity

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def zero_model(**overrides: object) -> dict:
    """A complete cost model where everything costs nothing; each test switches on what it checks."""
    model = {
        "currency": "GBP",
        "calls_per_use": 1,
        "input_tokens": 0,
        "output_tokens": 0,
        "cached_share_pct": 0,
        "input_price": "0",
        "cached_input_price": "0",
        "output_price": "0",
        "retry_overhead_pct": 0,
        "retrieval_per_use": "0",
        "other_per_use": "0",
        "review_rate_pct": 0,
        "review_minutes": 0,
        "reviewer_hourly_rate": "0",
        "hosting": "0",
        "monitoring": "0",
        "licences": "0",
        "maintenance_hours": 0,
        "maintenance_rate": "0",
        "manual_minutes": 0,
        "manual_hourly_rate": "0",
        "other_value_per_use": "0",
        "tiers": {"pilot": 100, "launch": 1000, "scale": 10000},
    }
    model.update(overrides)
    return model


def invoice_cost_model() -> dict:
    return json.loads((FIXTURES / "invoice-coding.json").read_text())["cost_model"]


# --- Hand-computed examples -------------------------------------------------------------------------------------


def test_the_invoice_coding_example_matches_the_hand_computation() -> None:
    # inference     = 2 × (3000 × 1 × 0.20 + 3000 × 0 × 0.20 + 400 × 0.60) / 1e6 = 2 × 840 / 1e6 = 0.00168
    # inference_adj = 0.00168 × 1.03                                                  = 0.0017304
    # review        = 1.00 × 1 min × £28 / 60                                          = 0.4666…
    # variable      = 0.0017304 + 0 + 0.004 + 0.4666…                                  = 0.4723970666…
    # fixed_monthly = 1100 + 150 + 0 + 10 × 95                                         = 2200
    # value_per_use = 6 min × £28 / 60 + 0                                             = 2.80
    # launch 6000:  monthly_cost = 6000 × 0.0057304 + 6000 × 28/60 + 2200 = 34.3824 + 2800 + 2200 = 5034.3824
    #               cost_per_use = 5034.3824 / 6000 = 0.83906… → £0.84;  net = 16800 − 2834.3824 − 2200 = 11765.6176
    # pilot 1500:   8.5956 + 700 + 2200 = 2908.5956;  scale 9000: 51.5736 + 4200 + 2200 = 6451.5736
    # break-even    = ceil(2200 / (2.80 − 0.4723970666…)) = ceil(945.17…) = 946
    result = compute_costs(invoice_cost_model())

    assert result.currency == "GBP"
    assert result.missing == ()
    assert result.invalid == ()
    assert result.per_use.inference == Decimal("0.00168")
    assert result.per_use.inference_adj == Decimal("0.0017304")
    assert result.per_use.review.quantize(Decimal("0.000001")) == Decimal("0.466667")
    assert result.fixed_monthly == Decimal("2200")
    assert result.value_per_use == Decimal("2.80")
    assert result.tiers["pilot"].monthly_cost == Decimal("2908.5956")
    assert result.tiers["launch"].monthly_cost == Decimal("5034.3824")
    assert result.tiers["scale"].monthly_cost == Decimal("6451.5736")
    assert result.tiers["launch"].monthly_net == Decimal("11765.6176")
    assert format_money(result.tiers["launch"].cost_per_use, "GBP", per_use=True) == "£0.84"
    assert format_money(result.tiers["launch"].monthly_cost, "GBP") == "£5,034.38"
    assert result.break_even_volume == 946
    assert result.never_breaks_even is False


def test_cached_tokens_are_charged_at_the_cached_price() -> None:
    # inference = 1 × (10000 × 0.6 × 3.00 + 10000 × 0.4 × 0.30 + 500 × 15.00) / 1e6
    #           = (18000 + 1200 + 7500) / 1e6 = 0.0267;  at 1000 uses: 26.70 a month
    result = compute_costs(
        zero_model(
            input_tokens=10000,
            output_tokens=500,
            cached_share_pct=40,
            input_price="3.00",
            cached_input_price="0.30",
            output_price="15.00",
        )
    )

    assert result.per_use.inference == Decimal("0.0267")
    assert result.per_use.variable == Decimal("0.0267")
    assert result.tiers["launch"].monthly_cost == Decimal("26.70")


def test_retry_overhead_inflates_inference_only() -> None:
    # inference     = 3 × (2000 × 0.50 + 1000 × 1.50) / 1e6 = 3 × 2500 / 1e6 = 0.0075
    # inference_adj = 0.0075 × 1.10 = 0.00825;  variable = 0.00825 + 0.002 + 0.001 = 0.01125
    # scale 100000: 1125.00 a month, 0.01125 per use
    result = compute_costs(
        zero_model(
            calls_per_use=3,
            input_tokens=2000,
            output_tokens=1000,
            input_price="0.50",
            output_price="1.50",
            retry_overhead_pct=10,
            retrieval_per_use="0.002",
            other_per_use="0.001",
            tiers={"pilot": 100, "launch": 1000, "scale": 100000},
        )
    )

    assert result.per_use.inference == Decimal("0.0075")
    assert result.per_use.inference_adj == Decimal("0.00825")
    assert result.per_use.variable == Decimal("0.01125")
    assert result.tiers["scale"].monthly_cost == Decimal("1125.00")
    assert result.tiers["scale"].cost_per_use == Decimal("0.01125")


def test_review_multiplies_before_dividing_so_4_minutes_at_45_an_hour_is_exactly_3() -> None:
    # review = 100% × 4 min × €45 / 60 = 180 / 60 = 3.00 (not 2.99… as 4/60 × 45 would give in floats)
    # at 25% of uses: 25 × 4 × 45 / 6000 = 4500 / 6000 = 0.75
    full = compute_costs(zero_model(currency="EUR", review_rate_pct=100, review_minutes=4, reviewer_hourly_rate="45"))
    quarter = compute_costs(zero_model(review_rate_pct=25, review_minutes=4, reviewer_hourly_rate="45"))

    assert full.per_use.review == Decimal("3")
    assert format_money(full.per_use.review, full.currency, per_use=True) == "€3.00"
    assert quarter.per_use.review == Decimal("0.75")


def test_fixed_costs_and_break_even_round_up_to_the_first_profitable_volume() -> None:
    # fixed  = 500 + 100 + 250 + 8 h × 75 = 1450;  variable = review 100% × 1 min × 45 / 60 = 0.75
    # value  = 10 min × 30 / 60 + 0.50 = 5.50;  margin = 4.75
    # break-even = ceil(1450 / 4.75) = ceil(305.26…) = 306
    # net at 306 = 4.75 × 306 − 1450 = 3.50;  net at 305 = 1448.75 − 1450 = −1.25
    result = compute_costs(
        zero_model(
            review_rate_pct=100,
            review_minutes=1,
            reviewer_hourly_rate="45",
            hosting="500",
            monitoring="100",
            licences="250",
            maintenance_hours=8,
            maintenance_rate="75",
            manual_minutes=10,
            manual_hourly_rate="30",
            other_value_per_use="0.50",
            tiers={"pilot": 305, "launch": 306, "scale": 1000},
        )
    )

    assert result.fixed_monthly == Decimal("1450")
    assert result.value_per_use == Decimal("5.50")
    assert result.break_even_volume == 306
    assert result.tiers["launch"].monthly_net == Decimal("3.50")
    assert result.tiers["pilot"].monthly_net == Decimal("-1.25")
    assert verdict(result) == "At launch volume each use costs £5.49 and saves £5.50; break-even at 306 uses a month."


def test_break_even_is_exact_when_fixed_costs_divide_evenly() -> None:
    # fixed 1000, value 2.50, variable 0 → 1000 / 2.50 = 400 exactly; net at 400 = 0
    result = compute_costs(zero_model(hosting="1000", other_value_per_use="2.50", tiers={"pilot": 399, "launch": 400}))

    assert result.break_even_volume == 400
    assert result.tiers["launch"].monthly_net == Decimal("0")
    assert result.tiers["pilot"].monthly_net == Decimal("-2.50")


def test_value_at_or_below_variable_cost_never_breaks_even_and_says_so() -> None:
    # variable = other 3.10; value = 1.20; fixed 0 → at launch 1000: cost per use 3.10, saves 1.20
    result = compute_costs(zero_model(other_per_use="3.10", other_value_per_use="1.20"))

    assert result.never_breaks_even is True
    assert result.break_even_volume is None
    assert result.tiers["launch"].monthly_net == Decimal("-1900")
    assert verdict(result) == (
        "At launch volume each use costs £3.10 but saves only £1.20: volume breaks the economics — "
        "the more it is used, the more it loses."
    )


def test_zero_fixed_cost_breaks_even_from_the_first_use() -> None:
    result = compute_costs(zero_model(other_per_use="0.10", other_value_per_use="1"))

    assert result.break_even_volume == 0
    assert (
        verdict(result) == "At launch volume each use costs £0.10 and saves £1.00; it pays its way from the first use."
    )


def test_a_trillion_uses_a_month_is_exact_to_the_cent() -> None:
    # variable = 0.0017304 + 0.004 + 100% × 1 min × £30 / 60 = 0.5057304
    # 1e12 × 0.5057304 + 2200 = 505 730 400 000 + 2200 = 505 730 402 200 exactly
    model = dict(invoice_cost_model(), reviewer_hourly_rate="30", tiers={"pilot": 1, "launch": 10**6, "scale": 10**12})
    result = compute_costs(model)

    assert result.tiers["scale"].monthly_cost == Decimal("505730402200")
    assert result.tiers["scale"].cost_per_use == Decimal("0.5057304022")
    assert format_money(result.tiers["scale"].monthly_cost, "GBP") == "£505,730,402,200.00"


def test_a_zero_volume_tier_has_a_monthly_cost_but_no_cost_per_use() -> None:
    result = compute_costs(zero_model(hosting="300", tiers={"pilot": 0, "launch": 10, "scale": 20}))

    assert result.tiers["pilot"].volume == 0
    assert result.tiers["pilot"].cost_per_use is None
    assert result.tiers["pilot"].monthly_cost == Decimal("300")
    assert result.as_json()["tiers"]["pilot"]["cost_per_use"] is None


# --- Gaps and bad input -----------------------------------------------------------------------------------------


def test_a_missing_price_is_a_gap_not_a_zero() -> None:
    result = compute_costs(zero_model(input_tokens=1000, input_price="", output_price=None))

    assert result.missing == ("input_price", "output_price")
    assert result.per_use is None
    assert result.tiers["launch"].monthly_cost is None
    assert result.tiers["launch"].cost_per_use is None
    assert result.break_even_volume is None
    assert verdict(result) == "The cost per use cannot be worked out yet — missing input price, output price."


def test_an_absent_field_and_absent_tiers_are_reported_as_missing() -> None:
    model = zero_model()
    del model["hosting"]
    del model["tiers"]

    result = compute_costs(model)

    assert result.missing == ("hosting", "tiers.pilot", "tiers.launch", "tiers.scale")
    assert result.fixed_monthly is None
    assert all(result.tiers[tier].volume is None for tier in TIERS)


def test_a_cached_price_is_only_needed_when_some_input_is_cached() -> None:
    unused = compute_costs(zero_model(cached_share_pct=0, cached_input_price=""))
    used = compute_costs(zero_model(cached_share_pct=50, cached_input_price=""))

    assert unused.missing == ()
    assert unused.per_use is not None
    assert used.missing == ("cached_input_price",)
    assert used.per_use is None


def test_out_of_range_and_non_numeric_inputs_land_in_invalid_and_count_as_missing_values() -> None:
    result = compute_costs(
        zero_model(
            input_price="-0.01",
            review_rate_pct=101,
            hosting="about 1000",
            monitoring="NaN",
            licences=True,
            retry_overhead_pct=-5,
            tiers={"pilot": "1.5", "launch": -10, "scale": "9000"},
        )
    )

    assert result.invalid == (
        "input_price",
        "retry_overhead_pct",
        "review_rate_pct",
        "hosting",
        "monitoring",
        "licences",
        "tiers.pilot",
        "tiers.launch",
    )
    assert result.missing == ()
    assert result.per_use is None
    assert result.fixed_monthly is None
    assert result.tiers["scale"].volume == 9000
    assert result.tiers["launch"].volume is None
    assert result.as_json()["invalid"][0] == "input_price"
    assert "not usable" in verdict(result)


def test_a_percent_of_exactly_100_and_numbers_in_any_accepted_form_are_valid() -> None:
    result = compute_costs(
        zero_model(review_rate_pct="100", review_minutes=" 4 ", reviewer_hourly_rate=45.0, tiers={"launch": "2000"})
    )

    assert result.invalid == ()
    assert result.per_use.review == Decimal("3")
    assert result.tiers["launch"].volume == 2000


def test_a_cost_model_that_is_not_an_object_reports_everything_missing_without_raising() -> None:
    result = compute_costs(None)  # type: ignore[arg-type]

    assert isinstance(result, CostResult)
    assert "input_price" in result.missing
    assert result.per_use is None


# --- JSON, display, sensitivity ---------------------------------------------------------------------------------


def test_as_json_gives_exact_decimal_strings_and_nulls() -> None:
    data = compute_costs(invoice_cost_model()).as_json()

    assert data["currency"] == "GBP"
    assert data["fixed_monthly"] == "2200.00"
    assert data["value_per_use"] == "2.80"
    assert data["per_use"]["inference_adj"] == "0.0017304"
    assert data["break_even_volume"] == 946
    assert data["tiers"]["launch"] == {
        "volume": 6000,
        "variable": data["variable"],
        "fixed_monthly": "2200.00",
        "monthly_cost": "5034.3824",
        "cost_per_use": data["tiers"]["launch"]["cost_per_use"],
        "value_per_use": "2.80",
        "monthly_net": "11765.6176",
        "break_even_volume": 946,
    }
    assert data["tiers"]["launch"]["cost_per_use"].startswith("0.8390637333")
    assert json.loads(json.dumps(data)) == data


def test_as_json_of_an_empty_model_has_nulls_where_values_are_undefined() -> None:
    data = compute_costs({}).as_json()

    assert data["per_use"] is None
    assert data["variable"] is None
    assert data["tiers"]["scale"]["monthly_cost"] is None
    assert data["break_even_volume"] is None


def test_format_money_rounds_half_up_and_keeps_small_per_use_amounts_visible() -> None:
    assert format_money(Decimal("2.345"), "GBP") == "£2.35"
    assert format_money(Decimal("2.344999"), "GBP") == "£2.34"
    assert format_money(Decimal("1234567.005"), "EUR") == "€1,234,567.01"
    assert format_money(Decimal("-12"), "USD") == "-$12.00"
    assert format_money(Decimal("0.0012"), "GBP", per_use=True) == "£0.0012"
    assert format_money(Decimal("0.0012"), "GBP") == "£0.00"
    assert format_money(Decimal("0.04725"), "GBP", per_use=True) == "£0.047"
    assert format_money(Decimal("0.8391"), "GBP", per_use=True) == "£0.84"
    assert format_money(Decimal("3"), "CHF") == "CHF 3.00"
    assert format_money(None, "GBP") == "—"


def test_sensitivity_doubles_tokens_prices_and_review_rate() -> None:
    # as entered: inference = (1000 × 1.00 + 200 × 4.00) / 1e6 = 0.0018; review = 30% × 2 min × 60 / 60 = 0.60
    #             variable = 0.6018; launch 1000: (601.80 + 400) / 1000 = 1.0018
    # tokens ×2:  inference 0.0036 → variable 0.6036, cost per use 1.0036
    # prices ×2:  the same 0.0036 → 0.6036, 1.0036
    # review ×2:  60% → review 1.20, variable 1.2018, cost per use 1.6018
    model = zero_model(
        input_tokens=1000,
        output_tokens=200,
        input_price="1.00",
        output_price="4.00",
        review_rate_pct=30,
        review_minutes=2,
        reviewer_hourly_rate="60",
        hosting="400",
    )

    rows = sensitivity(model)

    assert [row.label for row in rows] == ["As entered", "Tokens ×2", "Prices ×2", "Review rate ×2"]
    assert [row.variable for row in rows] == [
        Decimal("0.6018"),
        Decimal("0.6036"),
        Decimal("0.6036"),
        Decimal("1.2018"),
    ]
    assert [row.cost_per_use for row in rows] == [
        Decimal("1.0018"),
        Decimal("1.0036"),
        Decimal("1.0036"),
        Decimal("1.6018"),
    ]


def test_sensitivity_caps_a_doubled_review_rate_at_100_percent() -> None:
    rows = sensitivity(zero_model(review_rate_pct=70, review_minutes=6, reviewer_hourly_rate="10"))

    # 70% × 6 × 10 / 60 = 0.70; doubled would be 140% but is capped: 100% × 6 × 10 / 60 = 1.00
    assert rows[0].variable == Decimal("0.70")
    assert rows[3].variable == Decimal("1.00")


def test_sensitivity_with_missing_inputs_gives_gaps_not_zeros() -> None:
    rows = sensitivity(zero_model(output_price=""))

    assert all(row.variable is None and row.cost_per_use is None for row in rows)


def test_verdict_warns_when_launch_volume_is_below_break_even() -> None:
    # fixed 1000, value 2.00, variable 0 → break-even 500; launch 400 loses 1000 − 800 = 200 a month
    result = compute_costs(zero_model(hosting="1000", other_value_per_use="2", tiers={"launch": 400}))

    assert verdict(result) == (
        "At launch volume each use costs £2.50 and saves £2.00; break-even at 500 uses a month. "
        "Launch volume (400 uses) is below break-even and loses £200.00 a month."
    )


# --- Properties -------------------------------------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False).map(str)
percent = st.integers(min_value=0, max_value=100)
count = st.integers(min_value=0, max_value=100_000)


@st.composite
def cost_models(draw: st.DrawFn) -> dict:
    return zero_model(
        calls_per_use=draw(st.integers(min_value=0, max_value=10)),
        input_tokens=draw(count),
        output_tokens=draw(count),
        cached_share_pct=draw(percent),
        input_price=draw(money),
        cached_input_price=draw(money),
        output_price=draw(money),
        retry_overhead_pct=draw(percent),
        retrieval_per_use=draw(money),
        other_per_use=draw(money),
        review_rate_pct=draw(percent),
        review_minutes=draw(st.integers(min_value=0, max_value=120)),
        reviewer_hourly_rate=draw(money),
        hosting=draw(money),
        monitoring=draw(money),
        licences=draw(money),
        maintenance_hours=draw(st.integers(min_value=0, max_value=200)),
        maintenance_rate=draw(money),
        manual_minutes=draw(st.integers(min_value=0, max_value=600)),
        manual_hourly_rate=draw(money),
        other_value_per_use=draw(money),
    )


volumes = st.integers(min_value=0, max_value=10**12)


@settings(max_examples=200, deadline=None)
@given(model=cost_models(), low=volumes, high=volumes)
def test_monthly_cost_never_decreases_with_volume(model: dict, low: int, high: int) -> None:
    low, high = sorted((low, high))
    result = compute_costs(dict(model, tiers={"pilot": low, "launch": high}))

    assert result.tiers["pilot"].monthly_cost <= result.tiers["launch"].monthly_cost


@settings(max_examples=200, deadline=None)
@given(
    model=cost_models(), low=st.integers(min_value=1, max_value=10**12), high=st.integers(min_value=1, max_value=10**12)
)
def test_cost_per_use_falls_toward_the_variable_cost_as_volume_grows(model: dict, low: int, high: int) -> None:
    low, high = sorted((low, high))
    result = compute_costs(dict(model, tiers={"pilot": low, "launch": high}))

    assert result.tiers["pilot"].cost_per_use >= result.tiers["launch"].cost_per_use >= result.per_use.variable


@settings(max_examples=300, deadline=None)
@given(model=cost_models())
def test_break_even_is_the_first_volume_whose_net_is_not_negative(model: dict) -> None:
    result = compute_costs(model)
    if result.never_breaks_even:
        assert result.value_per_use <= result.per_use.variable
        return

    break_even = result.break_even_volume
    probe = compute_costs(dict(model, tiers={"pilot": max(break_even - 1, 0), "launch": break_even}))

    assert probe.tiers["launch"].monthly_net >= 0
    if break_even > 0:
        assert probe.tiers["pilot"].monthly_net < 0
