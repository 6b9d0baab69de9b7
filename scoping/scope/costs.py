"""Cost-per-use model of a scope: pure functions over the scope JSON's ``cost_model`` object.

All money is ``Decimal`` and stays unrounded; rounding (half-up) happens only in ``format_money``.
Every formula multiplies before it divides, so exact inputs give exact results (4 min x 45 / 60 is 3.00): the
arithmetic runs on exact fractions and is turned into 60-digit Decimals only at the end, so even a per-use cost
of a third of a penny times a trillion uses comes out to the cent.
Blank inputs are reported in ``missing`` and out-of-range or non-numeric ones in ``invalid``; neither is ever
treated as zero, so a gap in the inputs shows as a gap in the results.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from scoping.scope import money
from scoping.scope.cost_steps import PeakLoad, SelfHosted, StepsResult, peak_load, read_steps, self_hosted, steps_json
from scoping.scope.schema_v2 import V1_CALL_FIELDS

TIERS = ("pilot", "launch", "scale")

# High precision keeps cents exact even for a trillion uses a month at many-decimal per-use prices.
_CONTEXT = decimal.Context(
    prec=60,
    rounding=ROUND_HALF_UP,
    Emax=999_999,
    Emin=-999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

HUNDRED = Decimal(100)

PERCENT_FIELDS = ("cached_share_pct", "retry_overhead_pct", "review_rate_pct")
COUNT_FIELDS = (
    "calls_per_use",
    "input_tokens",
    "output_tokens",
    "review_minutes",
    "maintenance_hours",
    "manual_minutes",
)
MONEY_FIELDS = (
    "input_price",
    "cached_input_price",
    "output_price",
    "retrieval_per_use",
    "other_per_use",
    "reviewer_hourly_rate",
    "hosting",
    "monitoring",
    "licences",
    "maintenance_rate",
    "manual_hourly_rate",
    "other_value_per_use",
)
# The per-call fields of a /1 cost model; a /2 cost model has model steps instead (``cost_steps``).
CALL_FIELDS = tuple(name for name in V1_CALL_FIELDS if name != "model")
PER_USE_FIELDS = (
    *CALL_FIELDS,
    "retry_overhead_pct",
    "retrieval_per_use",
    "other_per_use",
    "review_rate_pct",
    "review_minutes",
    "reviewer_hourly_rate",
)
FIXED_FIELDS = (
    "hosting",
    "monitoring",
    "licences",
    "maintenance_hours",
    "maintenance_rate",
)
VALUE_FIELDS = ("manual_minutes", "manual_hourly_rate", "other_value_per_use")
NUMERIC_FIELDS = PER_USE_FIELDS + FIXED_FIELDS + VALUE_FIELDS

# A field that only matters when another one is non-zero: (dependent, gate). When the gate is known to be zero the
# dependent may stay blank without opening a gap (nobody should have to price cached input they never use).
_ONLY_NEEDED_WHEN = {
    "cached_input_price": "cached_share_pct",
    "review_minutes": "review_rate_pct",
    "reviewer_hourly_rate": "review_rate_pct",
    "maintenance_rate": "maintenance_hours",
    "manual_hourly_rate": "manual_minutes",
}


@dataclass(frozen=True)
class PerUseCost:
    """Variable cost of one use, by component (unrounded)."""

    inference: Decimal
    inference_adj: Decimal
    retrieval: Decimal
    other: Decimal
    review: Decimal
    variable: Decimal


@dataclass(frozen=True)
class TierCost:
    """Monthly economics at one volume tier."""

    tier: str
    volume: int | None
    monthly_cost: Decimal | None
    cost_per_use: Decimal | None
    monthly_net: Decimal | None


@dataclass(frozen=True)
class CostResult:
    """Everything the page, the PDF and ``scope_check --json`` show about costs."""

    currency: str
    missing: tuple[str, ...]
    per_use: PerUseCost | None
    fixed_monthly: Decimal | None
    value_per_use: Decimal | None
    break_even_volume: int | None
    never_breaks_even: bool
    tiers: dict[str, TierCost]
    invalid: tuple[str, ...] = ()
    # Cost model v2 only (a cost model with ``steps``): per-step figures, the peak-load check, the self-hosted block.
    steps: StepsResult | None = None
    peak: PeakLoad | None = None
    self_hosted: SelfHosted | None = None

    @property
    def variable(self) -> Decimal | None:
        return self.per_use.variable if self.per_use is not None else None

    def as_json(self) -> dict[str, Any]:
        """Plain JSON: money as exact decimal strings, ``None`` where a value is undefined."""
        per_use = None
        if self.per_use is not None:
            per_use = {
                "inference": decimal_string(self.per_use.inference),
                "inference_adj": decimal_string(self.per_use.inference_adj),
                "retrieval": decimal_string(self.per_use.retrieval),
                "other": decimal_string(self.per_use.other),
                "review": decimal_string(self.per_use.review),
                "variable": decimal_string(self.per_use.variable),
            }
        variable = decimal_string(self.variable)
        fixed_monthly = decimal_string(self.fixed_monthly)
        value_per_use = decimal_string(self.value_per_use)
        return {
            "currency": self.currency,
            "missing": list(self.missing),
            "invalid": list(self.invalid),
            "per_use": per_use,
            "variable": variable,
            "fixed_monthly": fixed_monthly,
            "value_per_use": value_per_use,
            "break_even_volume": self.break_even_volume,
            "never_breaks_even": self.never_breaks_even,
            "tiers": {
                name: {
                    "volume": tier.volume,
                    "variable": variable,
                    "fixed_monthly": fixed_monthly,
                    "monthly_cost": decimal_string(tier.monthly_cost),
                    "cost_per_use": decimal_string(tier.cost_per_use),
                    "value_per_use": value_per_use,
                    "monthly_net": decimal_string(tier.monthly_net),
                    "break_even_volume": self.break_even_volume,
                }
                for name, tier in self.tiers.items()
            },
            **(steps_json(self.steps, self.peak, self.self_hosted) if self.steps is not None else {}),
        }


def decimal_string(value: Decimal | None) -> str | None:
    """Exact fixed-point string (no exponent), with at least two decimals: ``Decimal("3")`` -> ``"3.00"``."""
    if value is None:
        return None
    if value == 0:
        return "0.00"  # also folds the negative zero that 0 x a negative margin gives
    with decimal.localcontext(_CONTEXT):
        text = format(value.normalize(), "f")
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def _parse_number(raw: Any) -> Decimal | None:
    """A finite Decimal from an int, a float or a decimal string; ``None`` when it is not a number."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(str(raw))
    elif isinstance(raw, str):
        try:
            value = Decimal(raw.strip())
        except decimal.InvalidOperation:
            return None
    else:
        return None
    return value if value.is_finite() else None


def _parse_volume(raw: Any) -> int | None:
    value = _parse_number(raw)
    if value is None or value < 0 or value != value.to_integral_value():
        return None
    return int(value)


class _Inputs:
    """Parsed cost-model inputs, remembering which were blank and which were unusable."""

    def __init__(self, cost_model: Mapping[str, Any], fields: tuple[str, ...] = NUMERIC_FIELDS) -> None:
        self.fields = fields
        self.values: dict[str, Decimal] = {}
        self.blank: set[str] = set()
        self.invalid: list[str] = []
        for name in fields:
            raw = cost_model.get(name)
            if _is_blank(raw):
                self.blank.add(name)
                continue
            value = _parse_number(raw)
            if value is None or value < 0 or (name in PERCENT_FIELDS and value > HUNDRED):
                self.invalid.append(name)
                continue
            self.values[name] = value

        tiers_raw = cost_model.get("tiers")
        tiers_raw = tiers_raw if isinstance(tiers_raw, Mapping) else {}
        self.volumes: dict[str, int | None] = {}
        self.missing_tiers: list[str] = []
        for tier in TIERS:
            raw = tiers_raw.get(tier)
            if _is_blank(raw):
                self.missing_tiers.append(f"tiers.{tier}")
                self.volumes[tier] = None
                continue
            volume = _parse_volume(raw)
            if volume is None:
                self.invalid.append(f"tiers.{tier}")
            self.volumes[tier] = volume

    def is_needed(self, name: str) -> bool:
        gate = _ONLY_NEEDED_WHEN.get(name)
        return gate is None or self.values.get(gate) != 0

    def get(self, name: str) -> Decimal | None:
        """The value, zero for an unneeded blank, or ``None`` when the value is unknown."""
        if name in self.values:
            return self.values[name]
        if name in self.blank and not self.is_needed(name):
            return Decimal(0)
        return None

    def all_known(self, names: tuple[str, ...]) -> bool:
        return all(self.get(name) is not None for name in names)

    @property
    def missing(self) -> tuple[str, ...]:
        blank_needed = [name for name in self.fields if name in self.blank and self.is_needed(name)]
        return tuple(blank_needed + self.missing_tiers)


def _exact(value: Decimal) -> Fraction:
    return Fraction(value)


def _to_decimal(value: Fraction | None) -> Decimal | None:
    """Back to Decimal at the very end; exact whenever the value terminates within 60 significant digits."""
    if value is None:
        return None
    with decimal.localcontext(_CONTEXT):
        return Decimal(value.numerator) / Decimal(value.denominator)


@dataclass(frozen=True)
class _Exact:
    """The model's intermediate values as exact fractions, so that no division rounds before the last step."""

    inference: Fraction
    inference_adj: Fraction
    retrieval: Fraction
    other: Fraction
    review: Fraction
    variable: Fraction


def _per_use(inputs: _Inputs, steps: StepsResult | None) -> _Exact | None:
    """Per-use cost; with model steps (v2) their inference replaces the /1 per-call formula."""
    fields = PER_USE_FIELDS if steps is None else tuple(name for name in PER_USE_FIELDS if name not in CALL_FIELDS)
    if not inputs.all_known(fields):
        return None
    v = {name: _exact(inputs.get(name)) for name in fields}
    if steps is not None:
        if steps.inference is None:
            return None
        inference = steps.inference
    else:
        cached_share = v["cached_share_pct"] / 100
        token_cost = (
            v["input_tokens"] * (1 - cached_share) * v["input_price"]
            + v["input_tokens"] * cached_share * v["cached_input_price"]
            + v["output_tokens"] * v["output_price"]
        )
        inference = v["calls_per_use"] * token_cost / 1_000_000
    inference_adj = inference * (100 + v["retry_overhead_pct"]) / 100
    review = v["review_rate_pct"] * v["review_minutes"] * v["reviewer_hourly_rate"] / (100 * 60)
    retrieval = v["retrieval_per_use"]
    other = v["other_per_use"]
    return _Exact(
        inference=inference,
        inference_adj=inference_adj,
        retrieval=retrieval,
        other=other,
        review=review,
        variable=inference_adj + retrieval + other + review,
    )


def _fixed_monthly(inputs: _Inputs) -> Fraction | None:
    if not inputs.all_known(FIXED_FIELDS):
        return None
    hosting, monitoring, licences, hours, rate = (_exact(inputs.get(name)) for name in FIXED_FIELDS)
    return hosting + monitoring + licences + hours * rate


def _value_per_use(inputs: _Inputs) -> Fraction | None:
    if not inputs.all_known(VALUE_FIELDS):
        return None
    minutes, hourly_rate, other_value = (_exact(inputs.get(name)) for name in VALUE_FIELDS)
    return minutes * hourly_rate / 60 + other_value


def _break_even(
    variable: Fraction | None,
    fixed_monthly: Fraction | None,
    value_per_use: Fraction | None,
) -> tuple[int | None, bool]:
    if variable is None or fixed_monthly is None or value_per_use is None:
        return None, False
    margin = value_per_use - variable
    if margin <= 0:
        return None, True
    return math.ceil(fixed_monthly / margin), False


def _tier_cost(
    tier: str,
    volume: int | None,
    variable: Fraction | None,
    fixed_monthly: Fraction | None,
    value: Fraction | None,
) -> TierCost:
    monthly_cost = cost_per_use = monthly_net = None
    if volume is not None and variable is not None and fixed_monthly is not None:
        monthly_cost = variable * volume + fixed_monthly
        if volume > 0:
            cost_per_use = monthly_cost / volume
        if value is not None:
            monthly_net = (value - variable) * volume - fixed_monthly
    return TierCost(
        tier=tier,
        volume=volume,
        monthly_cost=_to_decimal(monthly_cost),
        cost_per_use=_to_decimal(cost_per_use),
        monthly_net=_to_decimal(monthly_net),
    )


def compute_costs(cost_model: Mapping[str, Any]) -> CostResult:
    """Per-use, per-tier and break-even economics of a scope's ``cost_model`` (never raises on bad input)."""
    if not isinstance(cost_model, Mapping):
        cost_model = {}
    steps = read_steps(cost_model) if "steps" in cost_model else None
    fields = NUMERIC_FIELDS if steps is None else tuple(name for name in NUMERIC_FIELDS if name not in CALL_FIELDS)
    with decimal.localcontext(_CONTEXT):
        inputs = _Inputs(cost_model, fields)
    exact = _per_use(inputs, steps)
    variable = exact.variable if exact is not None else None
    fixed_monthly = _fixed_monthly(inputs)
    value_per_use = _value_per_use(inputs)
    break_even_volume, never_breaks_even = _break_even(variable, fixed_monthly, value_per_use)
    tiers = {tier: _tier_cost(tier, inputs.volumes[tier], variable, fixed_monthly, value_per_use) for tier in TIERS}
    per_use = None
    if exact is not None:
        per_use = PerUseCost(
            inference=_to_decimal(exact.inference),
            inference_adj=_to_decimal(exact.inference_adj),
            retrieval=_to_decimal(exact.retrieval),
            other=_to_decimal(exact.other),
            review=_to_decimal(exact.review),
            variable=_to_decimal(exact.variable),
        )
    currency = cost_model.get("currency")
    peak = hosted = None
    if steps is not None:
        scale = inputs.volumes["scale"]
        peak = peak_load(cost_model, steps, scale)
        rate = inputs.get("maintenance_rate")
        hosted = self_hosted(
            cost_model,
            steps,
            api_inference_adj=exact.inference_adj if exact is not None else None,
            maintenance_rate=_exact(rate) if rate is not None else None,
            scale_volume=scale,
        )
    return CostResult(
        currency=currency.strip().upper() if isinstance(currency, str) else "",
        missing=inputs.missing + (steps.missing if steps else ()),
        per_use=per_use,
        fixed_monthly=_to_decimal(fixed_monthly),
        value_per_use=_to_decimal(value_per_use),
        break_even_volume=break_even_volume,
        never_breaks_even=never_breaks_even,
        tiers=tiers,
        invalid=tuple(inputs.invalid) + (steps.invalid if steps else ()),
        steps=steps,
        peak=peak,
        self_hosted=hosted,
    )


def format_money(value: Decimal | None, currency: str, *, per_use: bool = False, exact: bool = False) -> str:
    """Display form of money: the one formatter, ``scoping.scope.money.format_money`` (Babel, any ISO 4217 currency)."""
    return money.format_money(value, currency, per_use=per_use, exact=exact)


def _field_label(name: str) -> str:
    """A field path in a few words for the verdict: "launch volume", "step 2 input price", "model steps"."""
    if name.startswith("tiers."):
        return f"{name.removeprefix('tiers.')} volume"
    if name == "steps":
        return "model steps"
    if name.startswith("steps[") and "]." in name:
        index, _bracket, field = name.removeprefix("steps[").partition("].")
        position = int(index) + 1 if index.isdigit() else index
        return f"step {position} {_field_label(field)}"
    return name.removesuffix("_pct").replace("_", " ")


def verdict(result: CostResult) -> str:
    """One plain-language sentence on the economics at launch volume, for the page, the PDF and the client."""
    currency = result.currency
    launch = result.tiers.get("launch")
    variable = result.variable
    value = result.value_per_use
    if variable is None or value is None or result.fixed_monthly is None or launch is None or launch.volume is None:
        gaps = [_field_label(name) for name in result.missing]
        problems = [_field_label(name) for name in result.invalid]
        parts = []
        if gaps:
            parts.append("missing " + ", ".join(gaps))
        if problems:
            parts.append("not usable (check the number and its range): " + ", ".join(problems))
        detail = "; ".join(parts) if parts else "some inputs are missing"
        return f"The cost per use cannot be worked out yet — {detail}."

    def money(amount: Decimal | None) -> str:
        return format_money(amount, currency, per_use=True)

    if launch.volume == 0:
        each = f"At launch volume (0 uses a month) each use would cost {money(variable)}"
    else:
        each = f"At launch volume each use costs {money(launch.cost_per_use)}"

    if result.never_breaks_even:
        return (
            f"{each} but saves only {money(value)}: volume breaks the economics — "
            "the more it is used, the more it loses."
        )
    break_even = result.break_even_volume
    if break_even == 0:
        sentence = f"{each} and saves {money(value)}; it pays its way from the first use."
    else:
        sentence = f"{each} and saves {money(value)}; break-even at {break_even:,} uses a month."
    if break_even is not None and launch.volume < break_even and launch.monthly_net is not None:
        loss = format_money(-launch.monthly_net, currency)
        sentence += f" Launch volume ({launch.volume:,} uses) is below break-even and loses {loss} a month."
    return sentence
