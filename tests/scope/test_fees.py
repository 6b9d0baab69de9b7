"""Engagement fees and the proposal check (scoping/scope/fees.py), against hand-computed figures to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from scoping.scope.fees import compute_fees, proposal_gaps

TODAY = date(2026, 12, 2)

# Lead 1,200.00 x 10 days = 12,000.00; engineer 850.50 x 15.5 days = 13,182.75; together 25,182.75.
TEAM = [
    {"role": "Lead consultant", "person": "Ana Ruiz", "day_rate": "1,200", "days": "10"},
    {"role": "ML engineer", "person": "Li Wei", "day_rate": "850.50", "days": "15.5"},
]


def engagement(**overrides):
    base = {
        "pricing": "time_and_materials",
        "currency": "EUR",
        "tax_rate_pct": "20",
        "valid_until": "2027-01-31",
        "team": TEAM,
        "phases": [
            {"name": "Discovery", "starts": "2027-01-04", "ends": "2027-01-29", "goal": "Agreed scope"},
            {"name": "Build", "starts": "2027-02-01", "ends": "2027-03-26", "goal": "First slice live"},
        ],
        "milestones": [
            {"name": "Scope accepted", "phase": "Discovery", "due": "2027-01-29", "payment_pct": "30"},
            {"name": "Pilot live", "phase": "Build", "due": "2027-03-12", "payment_pct": "30"},
            {"name": "Handover", "phase": "Build", "due": "2027-03-26", "payment_pct": "40"},
        ],
    }
    base.update(overrides)
    return base


def fields(gaps):
    return [gap.field for gap in gaps]


def test_time_and_materials_charges_the_days_and_adds_tax_separately() -> None:
    fees = compute_fees(engagement())
    assert fees.team_total == Decimal("25182.75")
    assert fees.fee == Decimal("25182.75")
    assert fees.tax == Decimal("5036.55")  # 25,182.75 x 20 %
    assert fees.total == Decimal("30219.30")
    assert fees.gaps == ()


def test_fixed_price_is_paid_in_milestones() -> None:
    fees = compute_fees(engagement(pricing="fixed", price="40000", tax_rate_pct="19"))
    assert fees.fee == Decimal(40000)
    assert fees.tax == Decimal(7600)
    assert fees.total == Decimal(47600)
    assert [(i.milestone, i.amount) for i in fees.schedule] == [
        ("Scope accepted", Decimal("12000.00")),
        ("Pilot live", Decimal("12000.00")),
        ("Handover", Decimal("16000.00")),
    ]


def test_fixed_without_a_price_charges_the_days_and_the_last_milestone_takes_the_rounding_remainder() -> None:
    thirds = [
        {"name": "One", "payment_pct": "33.33"},
        {"name": "Two", "payment_pct": "33.33"},
        {"name": "Three", "payment_pct": "33.34"},
    ]
    fees = compute_fees(engagement(pricing="fixed", milestones=thirds))
    assert fees.fee == Decimal("25182.75")
    # 25,182.75 x 33.33 % = 8,393.410575 -> 8,393.41 twice; the rest is 25,182.75 - 16,786.82 = 8,395.93.
    assert [i.amount for i in fees.schedule] == [Decimal("8393.41"), Decimal("8393.41"), Decimal("8395.93")]
    assert sum(i.amount for i in fees.schedule) == Decimal("25182.75")


def test_capped_charges_the_days_but_never_more_than_the_cap() -> None:
    assert compute_fees(engagement(pricing="capped", cap="20000")).fee == Decimal(20000)
    assert compute_fees(engagement(pricing="capped", cap="30000")).fee == Decimal("25182.75")
    capped = compute_fees(engagement(pricing="capped", cap="20000", tax_rate_pct="7.5"))
    assert capped.tax == Decimal(1500)
    assert capped.total == Decimal(21500)


def test_a_currency_without_cents_rounds_instalments_to_whole_units() -> None:
    fees = compute_fees(
        engagement(
            pricing="fixed",
            currency="JPY",
            price="1000001",
            milestones=[{"name": "A", "payment_pct": "50"}, {"name": "B", "payment_pct": "50"}],
        )
    )
    assert [i.amount for i in fees.schedule] == [Decimal(500001), Decimal(500000)]


def test_fixed_payments_that_do_not_total_100_percent_are_a_named_gap() -> None:
    milestones = [{"name": "A", "payment_pct": "50"}, {"name": "B", "payment_pct": "40"}]
    fees = compute_fees(engagement(pricing="fixed", price="10000", milestones=milestones))
    assert fees.schedule == ()
    assert "milestones" in fields(fees.gaps)
    assert "total 90 %" in " ".join(gap.message for gap in fees.gaps)


def test_negative_and_absurd_day_rates_are_refused_on_their_field_never_read_as_zero() -> None:
    team = [
        {"role": "Lead", "day_rate": "-500", "days": "3"},
        {"role": "Engineer", "day_rate": "45000000", "days": "3"},
    ]
    fees = compute_fees(engagement(team=team))
    assert fees.fee is None and fees.total is None
    messages = {gap.field: gap.message for gap in fees.gaps}
    assert "cannot be negative" in messages["team.0.day_rate"]
    assert "more than the limit" in messages["team.1.day_rate"]
    # Also on fixed pricing with a price given: a refused rate is still shown, only "not given yet" is dropped.
    fixed = compute_fees(engagement(pricing="fixed", price="9000", team=team))
    assert fixed.fee == Decimal(9000)
    assert {"team.0.day_rate", "team.1.day_rate"} <= set(fields(fixed.gaps))


def test_missing_inputs_are_gaps_not_zeros() -> None:
    fees = compute_fees({"pricing": "capped", "currency": "EUR", "team": []})
    assert fees.fee is None
    assert {"team", "cap"} <= set(fields(fees.gaps))
    assert fields(compute_fees({}).gaps)[0] == "pricing"
    assert compute_fees("not an object").fee is None


def test_the_proposal_check_passes_a_complete_engagement() -> None:
    assert proposal_gaps(engagement(), TODAY) == ()


def test_the_proposal_check_names_each_bad_input() -> None:
    bad = engagement(
        valid_until="2026-11-30",
        phases=[{"name": "Build", "starts": "2027-03-01", "ends": "2027-02-01"}],
        milestones=[
            {"name": "Early", "phase": "Build", "due": "2027-04-15", "payment_pct": "100"},
            {"name": "Lost", "phase": "Nowhere", "due": "2027-03-10", "payment_pct": "0"},
        ],
    )
    gaps = {gap.field: gap.message for gap in proposal_gaps(bad, TODAY)}
    assert "ends before it starts" in gaps["phases.0.ends"]
    assert "outside its phase" in gaps["milestones.0.due"]
    assert "not in the plan" in gaps["milestones.1.phase"]
    assert "has passed" in gaps["valid_until"]


def test_the_proposal_check_needs_pricing_and_a_milestone() -> None:
    gaps = fields(proposal_gaps(engagement(pricing=None, milestones=[]), TODAY))
    assert "pricing" in gaps and "milestones" in gaps
    assert "valid_until" in fields(proposal_gaps(engagement(valid_until=""), TODAY))
    assert "valid_until" in fields(proposal_gaps(engagement(valid_until="2026-12-02"), TODAY))  # today is not future


@given(
    price=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    cuts=st.lists(st.integers(min_value=1, max_value=99), min_size=0, max_size=5, unique=True),
)
def test_instalments_always_add_up_to_the_fee(price, cuts) -> None:
    bounds = [0, *sorted(cuts), 100]
    milestones = [{"name": f"M{i}", "payment_pct": str(b - a)} for i, (a, b) in enumerate(pairwise(bounds))]
    fees = compute_fees(engagement(pricing="fixed", price=str(price), milestones=milestones))
    assert sum(i.amount for i in fees.schedule) == price
