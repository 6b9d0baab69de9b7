"""Money in the project's currency, and the cost step's extra panel (model picker, units legend, live figures)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import groupby
from typing import Any

from django import template

from scoping.models import ModelPrice
from scoping.models.sections import CostModel, ModelStep
from scoping.scope.costs import format_money
from scoping.steps.cost_figures import figures_context, saved_form_values
from scoping.steps.cost_forms import default_target, pick_targets
from scoping.steps.cost_inputs import FIELD_UNITS, field_label, field_unit

register = template.Library()


@register.filter
def money(value: Decimal | None, currency: str = "") -> str:
    """``{{ amount|money:currency }}``: half-up to the currency's minor unit, in its own sign and grouping (Babel);
    ``—`` when the amount is undefined."""
    return format_money(value, currency or "")


@register.filter
def money_per_use(value: Decimal | None, currency: str = "") -> str:
    """Like ``money`` but keeps up to four decimals for amounts under 0.10, so 0.0017 does not show as 0.00."""
    return format_money(value, currency or "", per_use=True)


@register.filter
def whole_number(value: int | None) -> str:
    """``9,000`` with thousands separators; ``—`` when there is no number."""
    return "—" if value is None else f"{value:,}"


@register.filter
def plain_number(value: Decimal | None) -> str:
    """A catalogue price as people write it: 2.5, 10, 0.075 (no trailing zeros, no exponent)."""
    if value is None:
        return "—"
    return format(value.normalize(), "f") if value else "0"


@register.filter
def per_minute(value: Fraction | Decimal | int | None) -> str:
    """A load figure such as calls a minute: grouped; decimals below 10 so 2.5 calls do not read as 3, and 0.03
    calls as 0.03 rather than 0."""
    if value is None:
        return "—"
    exact = Fraction(value)
    places = Decimal("0.01") if exact < 1 else Decimal("0.1") if exact < 10 else Decimal(1)
    shown = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(places, rounding=ROUND_HALF_UP)
    return f"{shown:,}"


@register.filter
def fraction_money(value: Fraction | None, currency: str = "") -> str:
    """An exact fraction of money (the cost steps' maths) as ``money`` shows it."""
    if value is None:
        return "—"
    return format_money(Decimal(value.numerator) / Decimal(value.denominator), currency or "")


def picker_groups() -> list[tuple[str, list[ModelPrice]]]:
    """Catalogue rows grouped by provider, the newest date of each model first."""
    rows = ModelPrice.objects.order_by("provider", "model", "-effective_date")
    return [(provider, list(models)) for provider, models in groupby(rows, key=lambda row: row.provider)]


@register.inclusion_tag("scoping/costs/step_panel.html", takes_context=True)
def cost_step_panel(context: template.Context) -> dict[str, Any]:
    """Everything the cost step adds to the generic step page, computed from the page's project and user."""
    project = context["project"]
    # A step page re-shown after a refused save carries what was typed; otherwise the figures are of the saved scope.
    # The figures follow the step form live only where there is one (people who may edit); readers see the saved.
    form = context.get("form")
    data = form.data if getattr(form, "is_bound", False) else saved_form_values(project)
    figures = figures_context(project=project, data=data)
    currency = figures["currency"]
    section = CostModel.objects.filter(project=project).only("revision").first()
    return {
        **figures,
        "access": context["access"],
        "live": form is not None,
        "revision": section.revision if section else 0,
        "units": [(field_label(name), field_unit(name, currency)) for name in FIELD_UNITS],
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }


@register.inclusion_tag("scoping/costs/top.html", takes_context=True)
def cost_step_top(context: template.Context) -> dict[str, Any]:
    """Above the cost step's form: the pinned summary of the figures and the catalogue picker (above the prices)."""
    project = context["project"]
    form = context.get("form")
    data = form.data if getattr(form, "is_bound", False) else saved_form_values(project)
    section = CostModel.objects.filter(project=project).only("revision").first()
    # The saved steps a pick can fill (the picker names them by their place, as the step form's rows).
    steps = list(ModelStep.objects.filter(cost_model=section).only("name", "model", "position")) if section else []
    return {
        **figures_context(project=project, data=data),
        "access": context["access"],
        "revision": section.revision if section else 0,
        "picker_groups": picker_groups(),
        "pick_targets": pick_targets(steps),
        "pick_default": default_target(len(steps)),
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
