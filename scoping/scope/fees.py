"""Engagement fees and the proposal check: pure functions over the scope JSON v2 ``engagement`` object.

Fees follow DESIGN.md part 2: fixed pricing charges ``price`` (or the team's days at their day rates when the price
is blank) and is paid in milestones whose shares must total 100 %; time and materials charges the team's days;
capped charges the days but never more than ``cap``. Tax is shown separately; ``expenses`` is text and adds nothing.

Arithmetic is exact (fractions, multiply before dividing) and rounded half-up to the currency's minor unit only for
the payment schedule, where the last milestone takes the remainder so the instalments add up to the fee exactly.
Blank or unusable inputs are reported as gaps with the field named, never treated as zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from scoping.scope.money import minor_digits
from scoping.scope.numbers import NumberRefused, NumberRule, read_number

PRICING_MODELS = ("fixed", "time_and_materials", "capped")
RUN_COSTS_PAID_BY = ("client", "consultancy", "shared")

# Far above any real engagement in any currency (a yen day rate of ten million is absurd), low enough that a
# slipped key ("45000000") is caught on the field instead of printed on a proposal.
MAX_DAY_RATE = Decimal(10_000_000)
MAX_DAYS = Decimal(10_000)
MAX_PRICE = Decimal(10**12)

_AMOUNT = NumberRule(decimal_places=2, max_value=MAX_PRICE)
_DAY_RATE = NumberRule(decimal_places=2, max_value=MAX_DAY_RATE)
_DAYS = NumberRule(decimal_places=2, max_value=MAX_DAYS)
_PERCENT = NumberRule(percent=True, decimal_places=2)


@dataclass(frozen=True)
class Gap:
    """Something that keeps the fees or the proposal from being worked out or sent, on the field that fixes it."""

    field: str
    message: str


@dataclass(frozen=True)
class Instalment:
    milestone: str
    payment_pct: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Fees:
    """What the engagement costs the client; amounts are ``None`` where a gap keeps them from being known."""

    pricing: str | None
    currency: str
    team_total: Decimal | None
    fee: Decimal | None
    tax: Decimal | None
    total: Decimal | None
    schedule: tuple[Instalment, ...] = ()
    gaps: tuple[Gap, ...] = field(default=())


def _rows(value: Any) -> list[Mapping[str, Any]]:
    return [row for row in value if isinstance(row, Mapping)] if isinstance(value, Sequence) else []


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(raw: Any, rule: NumberRule, where: str, label: str, gaps: list[Gap]) -> Fraction | None:
    try:
        number = read_number(raw, rule)
    except NumberRefused as refused:
        gaps.append(Gap(where, f"{label} {refused.reason}."))
        return None
    return None if number is None else Fraction(number)


def _team_total(team: list[Mapping[str, Any]], gaps: list[Gap], missing: list[Gap]) -> Fraction | None:
    """The team's days at their day rates; refused numbers go to ``gaps``, figures not given yet to ``missing``."""
    total = Fraction(0)
    known = True
    for index, row in enumerate(team):
        who = _text(row.get("role")) or _text(row.get("person")) or f"team row {index + 1}"
        rate = _number(row.get("day_rate"), _DAY_RATE, f"team.{index}.day_rate", f"The day rate of {who}", gaps)
        days = _number(row.get("days"), _DAYS, f"team.{index}.days", f"The days of {who}", gaps)
        if rate is None or days is None:
            if row.get("day_rate") in (None, "") or row.get("days") in (None, ""):
                missing.append(Gap(f"team.{index}", f"Give {who} a day rate and a number of days."))
            known = False
            continue
        total += rate * days
    if not team:
        missing.append(Gap("team", "Add the team: each role with its day rate and days."))
        return None
    return total if known else None


def _to_decimal(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value.numerator) / Decimal(value.denominator) if value.denominator != 1 else Decimal(value.numerator)


def _rounded(value: Fraction, digits: int) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _schedule(
    milestones: list[Mapping[str, Any]], fee: Fraction | None, digits: int, gaps: list[Gap], *, fixed: bool
) -> tuple[Instalment, ...]:
    shares: list[tuple[str, Fraction]] = []
    for index, row in enumerate(milestones):
        name = _text(row.get("name")) or f"Milestone {index + 1}"
        share = _number(
            row.get("payment_pct"), _PERCENT, f"milestones.{index}.payment_pct", f"The payment of {name}", gaps
        )
        if share is None:
            if fixed and row.get("payment_pct") in (None, ""):
                gaps.append(Gap(f"milestones.{index}.payment_pct", f"Say what share of the price {name} pays."))
            return ()
        shares.append((name, share))
    if not shares:
        return ()
    total_share = sum((share for _, share in shares), Fraction(0))
    if fixed and total_share != 100:
        gaps.append(
            Gap(
                "milestones",
                f"On fixed pricing the milestone payments must total 100 %; they total {_to_decimal(total_share)} %.",
            )
        )
        return ()
    if fee is None or total_share != 100:
        return ()
    instalments = []
    paid = Decimal(0)
    for position, (name, share) in enumerate(shares):
        last = position == len(shares) - 1
        # The last instalment takes the remainder, so the rounded instalments add up to the rounded fee exactly.
        amount = _rounded(fee, digits) - paid if last else _rounded(fee * share / 100, digits)
        paid += amount
        instalments.append(Instalment(milestone=name, payment_pct=_to_decimal(share), amount=amount))
    return tuple(instalments)


def compute_fees(engagement: Mapping[str, Any]) -> Fees:
    """The fee, tax, total and payment schedule of an engagement, with the gaps that keep any of them unknown."""
    if not isinstance(engagement, Mapping):
        engagement = {}
    gaps: list[Gap] = []
    pricing = engagement.get("pricing") if engagement.get("pricing") in PRICING_MODELS else None
    currency = _text(engagement.get("currency")).upper()
    if pricing is None:
        gaps.append(Gap("pricing", "Choose how the engagement is priced: fixed, time and materials, or capped."))
    missing: list[Gap] = []
    team_total = _team_total(_rows(engagement.get("team")), gaps, missing)
    fee: Fraction | None = None
    if pricing == "fixed":
        price = _number(engagement.get("price"), _AMOUNT, "price", "The price", gaps)
        fee = price if price is not None else team_total
    elif pricing == "time_and_materials":
        fee = team_total
    elif pricing == "capped":
        cap = _number(engagement.get("cap"), _AMOUNT, "cap", "The cap", gaps)
        if cap is None and engagement.get("cap") in (None, ""):
            gaps.append(Gap("cap", "Capped pricing needs a cap: the most the client pays for the days."))
        fee = min(team_total, cap) if team_total is not None and cap is not None else None
    if not (pricing == "fixed" and engagement.get("price") not in (None, "")):
        gaps.extend(missing)  # a fixed price that is given does not need the team's days to be complete
    tax_rate = _number(engagement.get("tax_rate_pct"), _PERCENT, "tax_rate_pct", "The tax rate", gaps)
    tax = fee * tax_rate / 100 if fee is not None and tax_rate is not None else None
    if tax_rate is None and engagement.get("tax_rate_pct") in (None, ""):
        tax = Fraction(0) if fee is not None else None  # no tax rate stated: no tax is added, and the page says so
    schedule = _schedule(
        _rows(engagement.get("milestones")), fee, minor_digits(currency), gaps, fixed=pricing == "fixed"
    )
    return Fees(
        pricing=pricing,
        currency=currency,
        team_total=_to_decimal(team_total),
        fee=_to_decimal(fee),
        tax=_to_decimal(tax),
        total=_to_decimal(fee + tax) if fee is not None and tax is not None else None,
        schedule=schedule,
        gaps=tuple(gaps),
    )


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _date_gaps(engagement: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    phases: dict[str, tuple[date | None, date | None]] = {}
    for index, row in enumerate(_rows(engagement.get("phases"))):
        name = _text(row.get("name")) or f"Phase {index + 1}"
        starts, ends = _day(row.get("starts")), _day(row.get("ends"))
        if starts and ends and ends < starts:
            gaps.append(Gap(f"phases.{index}.ends", f"{name} ends before it starts; check its dates."))
        phases[_text(row.get("name"))] = (starts, ends)
    for index, row in enumerate(_rows(engagement.get("milestones"))):
        name = _text(row.get("name")) or f"Milestone {index + 1}"
        due = _day(row.get("due"))
        phase = _text(row.get("phase"))
        if phase and phase not in phases:
            gaps.append(
                Gap(f"milestones.{index}.phase", f"{name} belongs to a phase that is not in the plan: {phase}.")
            )
        elif phase and due:
            starts, ends = phases[phase]
            if (starts and due < starts) or (ends and due > ends):
                gaps.append(
                    Gap(f"milestones.{index}.due", f"{name} is due outside its phase ({phase}); move its date.")
                )
    valid_until = _day(engagement.get("valid_until"))
    if valid_until is None:
        gaps.append(Gap("valid_until", "Say until when the proposal is valid."))
    elif valid_until <= today:
        gaps.append(Gap("valid_until", "The proposal's validity date has passed; set a date in the future."))
    return gaps


def proposal_gaps(engagement: Mapping[str, Any], today: date) -> tuple[Gap, ...]:
    """Why the proposal cannot be sent for sign-off yet; empty when it can (DESIGN.md part 2, the proposal check)."""
    if not isinstance(engagement, Mapping):
        engagement = {}
    fees = compute_fees(engagement)
    gaps = list(fees.gaps)
    if fees.pricing is not None and fees.fee is None and not gaps:
        gaps.append(Gap("pricing", "The fee cannot be worked out yet; complete the pricing inputs."))
    if not _rows(engagement.get("milestones")):
        gaps.append(Gap("milestones", "Add at least one milestone, with what the client accepts and when."))
    gaps.extend(_date_gaps(engagement, today))
    return tuple(gaps)
