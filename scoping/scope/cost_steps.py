"""Cost model v2: model steps, residency uplift, the peak-load check and the self-hosted comparison (DESIGN.md part 2).

Pure and exact like ``costs``: inputs are read into fractions, every formula multiplies before it divides, and
nothing blank is read as zero except where DESIGN.md says so (a blank reasoning price takes the output price; a blank
cache-write price costs nothing when no input is written to the cache, as a blank cached price with no cached share).
Problems are reported by field path ("steps[1].input_price"), as the schema validator names them.

    step_tokens_cost = input x (1 - cached - write) x input_price + input x cached x cached_input_price
                     + input x write x cache_write_price + output x output_price + reasoning x reasoning_price
                                                                                         (all / 1,000,000)
    step_cost        = calls_per_use x step_tokens_cost x (1 - batch_share x batch_discount)
    inference        = sum of step_cost x (1 + residency_uplift)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from scoping.scope.numbers import NumberRefused, NumberRule, read_number

STEP_COUNTS = ("calls_per_use", "input_tokens", "output_tokens", "reasoning_tokens")
STEP_PERCENTS = ("cached_share_pct", "cache_write_share_pct", "batch_share_pct", "batch_discount_pct")
STEP_PRICES = ("input_price", "cached_input_price", "cache_write_price", "output_price", "reasoning_price")
STEP_NUMBERS = STEP_COUNTS + STEP_PERCENTS + STEP_PRICES
# A price needed only when its share is not zero: (price, share).
_PRICE_NEEDED_WHEN = {
    "cached_input_price": "cached_share_pct",
    "cache_write_price": "cache_write_share_pct",
    "batch_discount_pct": "batch_share_pct",
}
SELF_HOSTED_NUMBERS = (
    "gpu_count",
    "gpu_hourly_rate",
    "tokens_per_second_per_gpu",
    "utilisation_pct",
    "ops_hours_per_month",
)
HOURS_PER_MONTH = 730
SECONDS_PER_MONTH = 2_592_000  # 30 days, as the peak-load check's 30 x 24 x 60 minutes
MINUTES_PER_MONTH = 30 * 24 * 60
MILLION = 1_000_000


@dataclass(frozen=True)
class Problem:
    """A step input that stops a figure being worked out: the field's path and what is wrong, for a person."""

    path: str
    message: str
    blank: bool = False  # a blank input (reported as missing) rather than a refused one (reported as invalid)


@dataclass(frozen=True)
class StepCost:
    """One model step's share of the cost of one use, and the tokens it moves (exact fractions)."""

    position: int
    name: str
    model: str
    calls: Fraction
    tokens_per_use: Fraction  # input + output + reasoning tokens of every call of the step
    cost: Fraction  # after batch discount, before residency uplift
    deprecation_date: date | None


@dataclass(frozen=True)
class StepsResult:
    """The model steps of a cost model: per-step costs and inference per use, or the problems that stop them."""

    steps: tuple[StepCost, ...]
    problems: tuple[Problem, ...]
    residency_uplift: Fraction | None

    @property
    def inference(self) -> Fraction | None:
        """Sum of step costs x (1 + residency uplift); None while any step input is missing or refused."""
        if self.problems or not self.steps or self.residency_uplift is None:
            return None
        return sum((step.cost for step in self.steps), Fraction(0)) * (1 + self.residency_uplift)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(problem.path for problem in self.problems if problem.blank)

    @property
    def invalid(self) -> tuple[str, ...]:
        return tuple(problem.path for problem in self.problems if not problem.blank)

    @property
    def calls_per_use(self) -> Fraction:
        return sum((step.calls for step in self.steps), Fraction(0))

    @property
    def tokens_per_use(self) -> Fraction:
        return sum((step.tokens_per_use for step in self.steps), Fraction(0))


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _read(raw: Any, rule: NumberRule, path: str, problems: list[Problem]) -> Fraction | None:
    """A number through the one number reader; a refusal becomes a problem naming the field."""
    try:
        value = read_number(raw, rule)
    except NumberRefused as refused:
        problems.append(Problem(path, refused.reason))
        return None
    return None if value is None else Fraction(value)


_COUNT = NumberRule(whole=True)
_PERCENT = NumberRule(percent=True, max_value=Decimal(100))
_PRICE = NumberRule()


def _rule(name: str) -> NumberRule:
    if name in STEP_COUNTS:
        return _COUNT
    return _PERCENT if name.endswith("_pct") else _PRICE


def read_step(raw: Mapping[str, Any], position: int, path: str) -> tuple[StepCost | None, list[Problem]]:
    """One step's cost, or the problems (each naming its field) that stop it being worked out."""
    problems: list[Problem] = []
    model = str(raw.get("model") or "").strip()
    if not model:
        problems.append(Problem(f"{path}.model", "names no model: pick the model this step calls"))
    values: dict[str, Fraction] = {}
    for name in STEP_NUMBERS:
        value = _read(raw.get(name), _rule(name), f"{path}.{name}", problems)
        if value is not None:
            values[name] = value
    for name in STEP_NUMBERS:
        if name in values or not _blank(raw.get(name)):
            continue
        share = _PRICE_NEEDED_WHEN.get(name)
        if share is not None and values.get(share) == 0:
            values[name] = Fraction(0)  # nothing is cached, written or batched, so its price costs nothing
        elif name == "reasoning_price" and "output_price" in values:
            values[name] = values["output_price"]  # DESIGN.md: a blank reasoning price takes the output price
        elif name == "reasoning_price":
            continue  # it follows the output price, whose own gap or refusal is reported already
        else:
            problems.append(Problem(f"{path}.{name}", "is blank; a gap is never counted as zero", blank=True))
    cached, write = values.get("cached_share_pct"), values.get("cache_write_share_pct")
    if cached is not None and write is not None and cached + write > 100:
        problems.append(
            Problem(
                f"{path}.cache_write_share_pct",
                f"and the cached share add up to {float(cached + write):g}%; together they can be at most 100%",
            )
        )
    if values.get("calls_per_use") == 0:
        problems.append(Problem(f"{path}.calls_per_use", "is 0; a step that is never called belongs out of the list"))
    if problems:
        return None, problems
    v = values
    cached, write = v["cached_share_pct"] / 100, v["cache_write_share_pct"] / 100
    tokens_cost = (
        v["input_tokens"] * (1 - cached - write) * v["input_price"]
        + v["input_tokens"] * cached * v["cached_input_price"]
        + v["input_tokens"] * write * v["cache_write_price"]
        + v["output_tokens"] * v["output_price"]
        + v["reasoning_tokens"] * v["reasoning_price"]
    )
    batch = v["batch_share_pct"] * v["batch_discount_pct"] / 10_000
    cost = v["calls_per_use"] * tokens_cost * (1 - batch) / MILLION
    return (
        StepCost(
            position=position,
            name=str(raw.get("name") or "").strip(),
            model=model,
            calls=v["calls_per_use"],
            tokens_per_use=v["calls_per_use"] * (v["input_tokens"] + v["output_tokens"] + v["reasoning_tokens"]),
            cost=cost,
            deprecation_date=_date(raw.get("deprecation_date")),
        ),
        [],
    )


def _date(raw: Any) -> date | None:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip()) if not _blank(raw) else None
    except ValueError:
        return None


def read_steps(cost_model: Mapping[str, Any]) -> StepsResult:
    """Every step of a v2 cost model, with the residency uplift; problems are collected, never raised."""
    raw_steps = cost_model.get("steps")
    problems: list[Problem] = []
    steps: list[StepCost] = []
    rows = [row for row in raw_steps if isinstance(row, Mapping)] if isinstance(raw_steps, list) else []
    if not rows:
        problems.append(Problem("steps", "has no model step: add the model call (or calls) one use makes", blank=True))
    for index, row in enumerate(rows):
        step, found = read_step(row, index + 1, f"steps[{index}]")
        problems.extend(found)
        if step is not None:
            steps.append(step)
    uplift = _read(cost_model.get("residency_uplift_pct"), _PERCENT, "residency_uplift_pct", problems)
    if uplift is None and _blank(cost_model.get("residency_uplift_pct")):
        problems.append(
            Problem("residency_uplift_pct", "is blank; give 0 when no data-residency uplift applies", blank=True)
        )
    return StepsResult(
        steps=tuple(steps),
        problems=tuple(problems),
        residency_uplift=uplift / 100 if uplift is not None else None,
    )


# --- the peak-load check ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeakLoad:
    """Calls and tokens a minute in the peak minute at scale volume, against the provider's stated rate limits."""

    calls_per_minute: Fraction
    tokens_per_minute: Fraction
    rate_limit_rpm: Fraction | None
    rate_limit_tpm: Fraction | None

    @property
    def over_rpm(self) -> bool:
        return self.rate_limit_rpm is not None and self.calls_per_minute > self.rate_limit_rpm

    @property
    def over_tpm(self) -> bool:
        return self.rate_limit_tpm is not None and self.tokens_per_minute > self.rate_limit_tpm


def peak_load(cost_model: Mapping[str, Any], steps: StepsResult, scale_volume: int | None) -> PeakLoad | None:
    """peak calls a minute = scale volume x peak share x calls per use / (30 x 24 x 60); None when not stated."""
    problems: list[Problem] = []
    share = _read(cost_model.get("peak_share_pct"), _PERCENT, "peak_share_pct", problems)
    rpm = _read(cost_model.get("rate_limit_rpm"), _COUNT, "rate_limit_rpm", problems)
    tpm = _read(cost_model.get("rate_limit_tpm"), _COUNT, "rate_limit_tpm", problems)
    if problems or share is None or not scale_volume or not steps.steps or steps.problems:
        return None
    per_minute = Fraction(scale_volume) * (share / 100) / MINUTES_PER_MONTH
    return PeakLoad(
        calls_per_minute=per_minute * steps.calls_per_use,
        tokens_per_minute=per_minute * steps.tokens_per_use,
        rate_limit_rpm=rpm,
        rate_limit_tpm=tpm,
    )


# --- the self-hosted comparison -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SelfHosted:
    """Running the model on rented GPUs instead of the API: monthly cost, capacity and where it becomes cheaper."""

    monthly: Fraction
    capacity_tokens: Fraction  # a month
    cheaper_above: int | None  # the smallest monthly volume at which self-hosting costs less than the API
    scale_tokens: Fraction | None  # tokens a month at scale volume
    problems: tuple[Problem, ...] = ()

    @property
    def covers_scale(self) -> bool | None:
        return None if self.scale_tokens is None else self.scale_tokens <= self.capacity_tokens


def self_hosted(
    cost_model: Mapping[str, Any],
    steps: StepsResult,
    *,
    api_inference_adj: Fraction | None,
    maintenance_rate: Fraction | None,
    scale_volume: int | None,
) -> SelfHosted | None:
    """DESIGN.md: monthly = gpus x hourly rate x 730 + ops hours x maintenance rate; capacity = gpus x tokens/s x
    utilisation x 2,592,000. None when no self-hosted block is given; problems when it is given but unusable."""
    block = cost_model.get("self_hosted")
    if not isinstance(block, Mapping) or all(_blank(block.get(name)) for name in SELF_HOSTED_NUMBERS):
        return None
    problems: list[Problem] = []
    values = {}
    for name in SELF_HOSTED_NUMBERS:
        rule = _COUNT if name == "gpu_count" else (_PERCENT if name.endswith("_pct") else _PRICE)
        value = _read(block.get(name), rule, f"self_hosted.{name}", problems)
        if value is None and _blank(block.get(name)):
            problems.append(Problem(f"self_hosted.{name}", "is blank; a gap is never counted as zero", blank=True))
        values[name] = value
    if values.get("gpu_count") == 0:
        problems.append(Problem("self_hosted.gpu_count", "is 0; self-hosting needs at least one GPU"))
    if maintenance_rate is None and values.get("ops_hours_per_month"):
        problems.append(Problem("maintenance_rate", "is needed to price the self-hosted operations hours"))
    if problems:
        return SelfHosted(Fraction(0), Fraction(0), None, None, problems=tuple(problems))
    monthly = values["gpu_count"] * values["gpu_hourly_rate"] * HOURS_PER_MONTH + values["ops_hours_per_month"] * (
        maintenance_rate or 0
    )
    capacity = (
        values["gpu_count"] * values["tokens_per_second_per_gpu"] * values["utilisation_pct"] / 100 * SECONDS_PER_MONTH
    )
    cheaper_above = None
    if api_inference_adj is not None and api_inference_adj > 0:
        # Self-hosting is cheaper once api x volume > monthly: the smallest whole volume strictly above the ratio.
        cheaper_above = math.floor(monthly / api_inference_adj) + 1
    scale_tokens = steps.tokens_per_use * scale_volume if scale_volume and steps.steps else None
    return SelfHosted(monthly=monthly, capacity_tokens=capacity, cheaper_above=cheaper_above, scale_tokens=scale_tokens)


def deprecated_steps(steps: StepsResult, before: date) -> list[StepCost]:
    """Steps whose model the catalogue retires before the given day."""
    return [step for step in steps.steps if step.deprecation_date is not None and step.deprecation_date < before]


def fraction_json(value: Fraction | None) -> str | None:
    """An exact decimal string where the fraction terminates, else 40 significant digits (never a float)."""
    if value is None:
        return None
    return format(Decimal(value.numerator) / Decimal(value.denominator), "f") if value.denominator != 1 else str(value)


def steps_json(steps: StepsResult, peak: PeakLoad | None, hosted: SelfHosted | None) -> dict[str, Any]:
    """What ``scope_check --json`` prints under ``costs`` for a v2 cost model: per-step figures and the checks."""
    return {
        "steps": [
            {
                "position": step.position,
                "name": step.name,
                "model": step.model,
                "calls_per_use": fraction_json(step.calls),
                "tokens_per_use": fraction_json(step.tokens_per_use),
                "cost_per_use": fraction_json(step.cost),
                "deprecation_date": step.deprecation_date.isoformat() if step.deprecation_date else None,
            }
            for step in steps.steps
        ],
        "step_problems": [{"field": problem.path, "message": problem.message} for problem in steps.problems],
        "peak": None
        if peak is None
        else {
            "calls_per_minute": fraction_json(peak.calls_per_minute),
            "tokens_per_minute": fraction_json(peak.tokens_per_minute),
            "rate_limit_rpm": fraction_json(peak.rate_limit_rpm),
            "rate_limit_tpm": fraction_json(peak.rate_limit_tpm),
            "over_rpm": peak.over_rpm,
            "over_tpm": peak.over_tpm,
        },
        "self_hosted": None
        if hosted is None
        else {
            "monthly": fraction_json(hosted.monthly),
            "capacity_tokens": fraction_json(hosted.capacity_tokens),
            "cheaper_above": hosted.cheaper_above,
            "covers_scale": hosted.covers_scale,
            "problems": [{"field": problem.path, "message": problem.message} for problem in hosted.problems],
        },
    }
