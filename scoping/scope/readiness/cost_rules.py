"""The cost model gate: volumes, the inputs the cost per use needs, break-even, and how fresh the prices are."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from scoping.scope.cost_steps import deprecated_steps
from scoping.scope.costs import NUMERIC_FIELDS, TIERS, CostResult, compute_costs, format_money
from scoping.scope.readiness.findings import Gap
from scoping.scope.readiness.lenient import (
    as_count,
    as_date,
    as_mapping,
    as_text,
    field_name,
)
from scoping.scope.schema_v2 import COST_MODEL_V2_EXTRA, STEP

PRICE_AGE_LIMIT_DAYS = 180

# The cost_model fields the per-use, fixed and value figures are computed from (DESIGN.md "Cost model").
COST_INPUTS: tuple[str, ...] = NUMERIC_FIELDS


def cost_model_gaps(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    tiers = as_mapping(section.get("tiers"))
    volumes = {tier: as_count(tiers.get(tier)) for tier in TIERS}
    if not any(volumes.values()):
        gaps.append(
            Gap(
                code="cost_model.no_volume_tiers",
                field="tiers",
                message=(
                    "Give the monthly uses at pilot, launch and scale. Cost per use only means something at a "
                    "volume, and volume is what breaks the economics of most pilots."
                ),
            )
        )

    result = compute_costs(section)
    currency = result.currency or as_text(as_mapping(scope.get("project")).get("currency")).upper()
    missing = [field for field in result.missing if field in COST_INPUTS]
    invalid = [field for field in result.invalid if field in COST_INPUTS]
    incomplete = None in (result.per_use, result.fixed_monthly, result.value_per_use)
    step_problems = _step_problems(section, result)
    if missing or invalid or incomplete:
        parts = list(step_problems)
        if missing:
            parts.append("fill in " + ", ".join(field_name("cost_model", field) for field in missing))
        if invalid:
            parts.append(
                "correct "
                + ", ".join(field_name("cost_model", field) for field in invalid)
                + " (a plain number, not negative"
                ", percentages at most 100)"
            )
        gaps.append(
            Gap(
                code="cost_model.missing_inputs",
                field=(missing + invalid + (["steps"] if step_problems else []) + ["calls_per_use"])[0],
                message=(
                    "The cost per use cannot be worked out yet: "
                    + ("; ".join(parts) or "some figures are missing")
                    + ". A gap is never counted as zero."
                ),
            )
        )
    if result.never_breaks_even and result.per_use is not None and result.value_per_use is not None:
        value = format_money(result.value_per_use, currency, per_use=True)
        variable = format_money(result.per_use.variable, currency, per_use=True)
        gaps.append(
            Gap(
                code="cost_model.never_breaks_even",
                field="manual_minutes",
                message=(
                    f"Each use is worth {value} but costs {variable} to run, so more volume only loses more money: "
                    "the volume breaks the economics. Lower the cost per use (fewer calls, a cheaper model, less "
                    "review) or aim at work with more value per use."
                ),
            )
        )

    prices_as_of = as_date(section.get("prices_as_of"))
    if prices_as_of is None:
        gaps.append(
            Gap(
                code="cost_model.prices_undated",
                field="prices_as_of",
                message=(
                    "Give the date the model prices were taken from. Prices change often; an undated cost model "
                    "cannot be trusted."
                ),
            )
        )
    elif (today - prices_as_of).days > PRICE_AGE_LIMIT_DAYS:
        gaps.append(
            Gap(
                code="cost_model.stale_prices",
                field="prices_as_of",
                message=(
                    f"The prices date from {prices_as_of.isoformat()}, more than {PRICE_AGE_LIMIT_DAYS} days ago. "
                    "Check them against the current price list before relying on the cost per use."
                ),
            )
        )

    scale = volumes.get("scale")
    break_even = result.break_even_volume
    above_scale = bool(break_even is not None and scale and break_even > scale)
    if above_scale:
        gaps.append(
            Gap(
                code="cost_model.break_even_above_scale",
                field="tiers",
                message=(
                    f"The system pays for itself only above {break_even:,} uses a month, more than the "
                    f"{scale:,} expected at scale: at the volumes planned it never pays back. Reduce fixed costs, "
                    "raise the value per use or confirm a larger volume."
                ),
            )
        )
    launch = result.tiers.get("launch")
    # Only when the plan pays back at some planned volume: otherwise a blocker above already says it never does.
    if (
        not (result.never_breaks_even or above_scale)
        and launch is not None
        and launch.volume
        and launch.monthly_net is not None
        and launch.monthly_net < 0
    ):
        gaps.append(
            Gap(
                code="cost_model.launch_loses_money",
                field="tiers",
                message=(
                    f"At launch ({launch.volume:,} uses a month) the system costs "
                    f"{format_money(-launch.monthly_net, currency)} a month more than the work it saves. Say who "
                    "funds the gap until volume grows, or lower the fixed costs."
                ),
            )
        )
    gaps.extend(_v2_step_gaps(section, scope, result))
    return gaps


def _step_label(section: Mapping[str, Any], path: str) -> str:
    """ "steps[1].input_price" -> "model step 2 ('Extract') input price per 1M tokens"; other v2 fields by label."""
    head, _, key = path.partition(".")
    if head.startswith("steps[") and head.endswith("]") and head[6:-1].isdigit():
        index = int(head[6:-1])
        rows = section.get("steps") if isinstance(section.get("steps"), list) else []
        row = as_mapping(rows[index]) if index < len(rows) else {}
        name = as_text(row.get("name")) or as_text(row.get("model"))
        step = f"model step {index + 1}" + (f" ('{name}')" if name else "")
        if not key:
            return step
        label = next((spec.label for spec in STEP.fields if spec.key == key), key)
        return f"{step} {label[:1].lower()}{label[1:]}"
    spec = next((spec for spec in COST_MODEL_V2_EXTRA if spec.key == head), None)
    label = spec.label if spec is not None else head
    if spec is not None and key:
        label = next((item.label for item in spec.fields if item.key == key), key)
    return f"{label[:1].lower()}{label[1:]}"


def _step_problems(section: Mapping[str, Any], result: CostResult) -> list[str]:
    """The v2 step inputs that stop the cost per use, each named as a person reads it."""
    if result.steps is None:
        return []
    # Blank inputs read as one "fill in" list; refused ones say what is wrong with each.
    blank = [_step_label(section, problem.path) for problem in result.steps.problems if problem.blank]
    refused = [
        f"{_step_label(section, problem.path)} {problem.message}"
        for problem in result.steps.problems
        if not problem.blank
    ]
    return [*refused, *(["fill in " + ", ".join(blank)] if blank else [])]


def _v2_step_gaps(section: Mapping[str, Any], scope: Mapping[str, Any], result: CostResult) -> list[Gap]:
    """Deprecated models against the handover date, and the peak load against the stated rate limits."""
    gaps: list[Gap] = []
    if result.steps is None:
        return gaps
    handover = as_date(as_mapping(scope.get("ownership")).get("handover_date"))
    if handover is not None:
        for step in deprecated_steps(result.steps, handover):
            gaps.append(
                Gap(
                    code="cost_model.model_deprecated_before_handover",
                    field="steps",
                    message=(
                        f"{_first_up(_step_label(section, f'steps[{step.position - 1}]'))} calls {step.model}, "
                        f"which its provider retires on {step.deprecation_date.isoformat()}, before the handover on "
                        f"{handover.isoformat()}. Pick a model that will still run when the owners take over."
                    ),
                )
            )
        horizon = _one_year_after(handover)
        for step in deprecated_steps(result.steps, horizon):
            if step.deprecation_date is not None and step.deprecation_date >= handover:
                gaps.append(
                    Gap(
                        code="cost_model.model_deprecated_soon",
                        field="steps",
                        message=(
                            f"{_first_up(_step_label(section, f'steps[{step.position - 1}]'))} calls "
                            f"{step.model}, which is retired on {step.deprecation_date.isoformat()}, within a year "
                            "of handover. Plan and budget the move to its successor."
                        ),
                    )
                )
    peak = result.peak
    if peak is not None and (peak.over_rpm or peak.over_tpm):
        over = []
        if peak.over_rpm:
            limit = int(peak.rate_limit_rpm)
            over.append(f"{_rate(peak.calls_per_minute)} calls a minute against a limit of {limit:,}")
        if peak.over_tpm:
            over.append(
                f"{_rate(peak.tokens_per_minute)} tokens a minute against a limit of {int(peak.rate_limit_tpm):,}"
            )
        gaps.append(
            Gap(
                code="cost_model.peak_over_rate_limit",
                field="rate_limit_rpm" if peak.over_rpm else "rate_limit_tpm",
                message=(
                    "At scale the busiest minute needs " + " and ".join(over) + ". Raise the limit with the "
                    "provider, spread the load (batch, queue) or spread it over more than one deployment."
                ),
            )
        )
    return gaps


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def _rate(value) -> str:
    """A per-minute rate for people: whole numbers with separators, one decimal below 10."""
    number = float(value)
    return f"{number:,.1f}" if number < 10 else f"{number:,.0f}"


def _one_year_after(day: date) -> date:
    """The same day a year later ("within 12 months after handover"); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)
