"""The cost step's live figures: form values (typed or saved) -> the figures partial's context.

Read by the cost step's views and by its template tags (the step page renders the panel on first load), so it lives
below both. Never raises on any input: a gap or an unusable value is shown as one, never counted as zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.utils import timezone
from django.utils.safestring import mark_safe

from scoping.models import DiscoveryProject
from scoping.models.sections import CostModel
from scoping.scope import catalogue
from scoping.scope.catalogue import TIER_LABELS
from scoping.scope.chart import cost_chart_svg, cost_per_use_chart_svg
from scoping.scope.costs import TIERS, CostResult, compute_costs, verdict
from scoping.scope.readiness import PRICE_AGE_LIMIT_DAYS
from scoping.scope.sensitivity import sensitivity
from scoping.steps.cost_inputs import (
    CostInputs,
    cost_inputs_from_form,
    field_label,
    field_unit,
    form_field_name,
    form_values_of,
    labelled,
)

__all__ = ["figures_context", "saved_form_values"]


NARROW_CHART_WIDTH = 360
STEP_LABELS = {spec.key: spec.label for spec in catalogue.section("cost_model").field("steps").fields}


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    detail: str
    amount: Decimal | None
    is_total: bool = False


@dataclass(frozen=True)
class SensitivityLine:
    label: str
    variable: Decimal | None
    cost_per_use: Decimal | None
    monthly_cost: Decimal | None
    change: str


def _shown(value: Any, suffix: str = "") -> str:
    """An input as typed, or "?" where it is blank or unusable, for the breakdown's explanations."""
    if value in (None, "") or not isinstance(value, str) or not value.replace(".", "", 1).isdigit():
        return "?"
    return f"{value}{suffix}"


def _inference_detail(values: Mapping[str, Any]) -> str:
    steps = values.get("steps") or []
    count = len(steps)
    what = f"{count} model step{'s' if count != 1 else ''} (by step below)" if count else "no model step yet"
    return f"{what}, with {_shown(values.get('residency_uplift_pct'), '%')} data-residency uplift"


@dataclass(frozen=True)
class StepLine:
    """One model step's share of a use, as the step's table shows it."""

    position: int
    name: str
    model: str
    calls: Decimal
    tokens_per_use: Decimal
    cost_per_use: Decimal
    deprecation_date: Any


def _step_lines(result: CostResult) -> list[StepLine]:
    if result.steps is None:
        return []
    return [
        StepLine(
            position=step.position,
            name=step.name,
            model=step.model,
            calls=_decimal(step.calls, "0.01"),
            tokens_per_use=_decimal(step.tokens_per_use, "1"),
            cost_per_use=_decimal(step.cost, "0.000001"),
            deprecation_date=step.deprecation_date,
        )
        for step in result.steps.steps
    ]


def _decimal(value: Fraction, places: str) -> Decimal:
    """An exact fraction shown to ``places`` (half-up), for display only: the maths stays exact."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _breakdown(inputs: CostInputs, result: CostResult) -> list[BreakdownRow]:
    values = inputs.cost_model
    per_use = result.per_use
    retry_extra = per_use.inference_adj - per_use.inference if per_use is not None else None
    return [
        BreakdownRow("Model inference", _inference_detail(values), per_use.inference if per_use else None),
        BreakdownRow(
            "Retries", f"{_shown(values['retry_overhead_pct'], '%')} extra calls on top of inference", retry_extra
        ),
        BreakdownRow("Retrieval", "search, embeddings and look-ups", per_use.retrieval if per_use else None),
        BreakdownRow("Other", "other costs per use", per_use.other if per_use else None),
        BreakdownRow(
            "Human review",
            f"{_shown(values['review_rate_pct'], '%')} of uses × {_shown(values['review_minutes'])} min "
            "at the reviewer's hourly cost",
            per_use.review if per_use else None,
        ),
        BreakdownRow("Variable cost per use", "", per_use.variable if per_use else None, is_total=True),
    ]


def _change(value: Decimal | None, base: Decimal | None) -> str:
    if value is None or base is None or base == 0:
        return "—"
    percent = ((value - base) * 100 / base).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return "no change" if percent == 0 else f"{percent:+}%"


def _tone(result: CostResult) -> str:
    launch = result.tiers["launch"]
    if result.never_breaks_even:
        return "danger"
    if result.variable is None or result.value_per_use is None or result.fixed_monthly is None:
        return "secondary"
    if launch.volume is None:
        return "secondary"
    if launch.monthly_net is not None and launch.monthly_net < 0:
        return "danger"
    return "success"


def _gaps(inputs: CostInputs, result: CostResult) -> list[str]:
    """Every blank or unusable input, in the form's words with its unit; a gap is never counted as zero."""
    problems = {problem.field: str(problem) for problem in inputs.problems}
    gaps = []
    for name in result.missing:
        if name == "steps":
            gaps.append("Model steps: none yet. Add the model call (or calls) one use makes.")
            continue
        field = form_field_name(name)
        unit = field_unit(field, inputs.currency)
        gaps.append(
            f"{labelled(field_label(field), unit)}: blank. The figures leave a gap here rather than count it as 0."
        )
    gaps.extend(problems.values())
    # Refusals only the step maths can see (a step with no model, cached and written shares over 100% together).
    step_problems = result.steps.problems if result.steps is not None else ()
    hosted_problems = result.self_hosted.problems if result.self_hosted is not None else ()
    for problem in (*step_problems, *hosted_problems):
        field = form_field_name(problem.path)
        if problem.blank or field in problems or problem.path in result.missing:
            continue
        gaps.append(f"{labelled(field_label(field), field_unit(field, inputs.currency))}: {problem.message}.")
    if all(result.tiers[tier].volume is None for tier in TIERS) and not any(
        name.startswith("tiers.") for name in result.missing
    ):
        gaps.append("Volume tiers: give the uses per month at pilot, launch and scale.")
    return gaps


def _summary_status(result: CostResult, tone: str, gaps: list[str]) -> str:
    """The pinned summary's first line: the verdict in a few words."""
    if result.never_breaks_even:
        return "Never breaks even: each use costs more than it saves"
    if tone == "secondary":
        count = len(gaps)
        return (
            f"Not worked out yet: {count} gap{'s' if count != 1 else ''} in the inputs"
            if count
            else "Not worked out yet"
        )
    if tone == "danger":
        return "Loses money at launch volume"
    return "Pays its way at launch volume"


def figures_context(*, project: DiscoveryProject, data: Mapping[str, Any]) -> dict[str, Any]:
    """The figures partial's context from form values (typed or saved). Never raises on any input."""
    inputs = cost_inputs_from_form(data, default_currency=project.currency)
    result = compute_costs(inputs.cost_model)
    rows = sensitivity(inputs.cost_model)
    base = rows[0].cost_per_use if rows else None
    price_age = (timezone.localdate() - inputs.prices_as_of).days if inputs.prices_as_of else None
    tone = _tone(result)
    gaps = _gaps(inputs, result)
    return {
        "project": project,
        "currency": inputs.currency,
        "result": result,
        "verdict": verdict(result),
        "tone": tone,
        "summary_status": _summary_status(result, tone, gaps),
        "launch": result.tiers["launch"],
        "breakdown": _breakdown(inputs, result),
        "step_lines": _step_lines(result),
        "step_labels": STEP_LABELS,
        "self_hosted_label": catalogue.section("cost_model").field("self_hosted").label,
        "peak": result.peak,
        "self_hosted": result.self_hosted,
        "tiers": [(TIER_LABELS[tier], result.tiers[tier]) for tier in TIERS],
        "sensitivity": [
            SensitivityLine(
                row.label, row.variable, row.cost_per_use, row.monthly_cost, _change(row.cost_per_use, base)
            )
            for row in rows
        ],
        # cost_chart_svg escapes every text it writes, so its markup is safe to place in the page as it is.
        "chart": mark_safe(cost_chart_svg(inputs.cost_model)),  # noqa: S308
        # The same chart drawn for a narrow box (a phone, the side panel), so its text stays readable there.
        "chart_narrow": mark_safe(cost_chart_svg(inputs.cost_model, width=NARROW_CHART_WIDTH, height=340)),  # noqa: S308
        # Cost per use against volume (a log volume axis when the tiers span a wide range), in both widths too.
        "chart_per_use": mark_safe(cost_per_use_chart_svg(inputs.cost_model)),  # noqa: S308
        "chart_per_use_narrow": mark_safe(  # noqa: S308
            cost_per_use_chart_svg(inputs.cost_model, width=NARROW_CHART_WIDTH, height=320)
        ),
        "gaps": gaps,
        "prices_as_of": inputs.prices_as_of,
        "prices_stale": price_age is not None and price_age > PRICE_AGE_LIMIT_DAYS,
        "price_age_limit": PRICE_AGE_LIMIT_DAYS,
    }


def saved_form_values(project: DiscoveryProject) -> dict[str, str]:
    section = CostModel.objects.filter(project=project).first()
    return form_values_of(section) if section is not None else {}
