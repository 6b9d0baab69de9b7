"""The cost step's live figures (htmx, nothing saved) and the model picker that copies catalogue prices in."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from ..access import can_edit_scope, project_for_user
from ..cost_chart import cost_chart_svg
from ..cost_inputs import (
    CostInputs,
    cost_inputs_from_form,
    field_label,
    field_unit,
    form_field_name,
    form_values_of,
    labelled,
)
from ..costs import TIERS, CostResult, compute_costs, sensitivity, verdict
from ..models import DiscoveryProject, ModelPrice
from ..models.sections import CostModel
from ..price_services import PriceCopyConflict, PriceCopyRefused, model_prices_copy
from ..readiness import PRICE_AGE_LIMIT_DAYS
from ..scope_io import ensure_sections
from ..step_forms import AmountField

TIER_LABELS = {"pilot": "Pilot", "launch": "Launch", "scale": "Scale"}
NARROW_CHART_WIDTH = 360


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


def _breakdown(inputs: CostInputs, result: CostResult) -> list[BreakdownRow]:
    values = inputs.cost_model
    per_use = result.per_use
    retry_extra = per_use.inference_adj - per_use.inference if per_use is not None else None
    return [
        BreakdownRow(
            "Model inference",
            (
                f"{_shown(values['calls_per_use'])} calls × ({_shown(values['input_tokens'])} input tokens, "
                f"{_shown(values['cached_share_pct'], '%')} of them cached, + {_shown(values['output_tokens'])} "
                "output tokens)"
            ),
            per_use.inference if per_use else None,
        ),
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
        field = form_field_name(name)
        unit = field_unit(field, inputs.currency)
        gaps.append(
            f"{labelled(field_label(field), unit)}: blank. The figures leave a gap here rather than count it as 0."
        )
    gaps.extend(problems.values())
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
        "gaps": gaps,
        "prices_as_of": inputs.prices_as_of,
        "prices_stale": price_age is not None and price_age > PRICE_AGE_LIMIT_DAYS,
        "price_age_limit": PRICE_AGE_LIMIT_DAYS,
    }


def saved_form_values(project: DiscoveryProject) -> dict[str, str]:
    section = CostModel.objects.filter(project=project).first()
    return form_values_of(section) if section is not None else {}


@login_required
@require_http_methods(["GET", "POST"])
def cost_figures(request, project_id: int):
    """GET: the figures of the saved cost model. POST (htmx, as the person types): of the posted values, unsaved."""
    project = project_for_user(request.user, project_id)
    data = request.POST if request.method == "POST" else saved_form_values(project)
    context = figures_context(project=project, data=data)
    # The pinned summary lives outside the figures box; htmx swaps it in by its id.
    return render(
        request, "scoping/costs/figures.html", {**context, "oob": request.headers.get("HX-Request") == "true"}
    )


class ModelPickForm(forms.Form):
    price = forms.ModelChoiceField(
        queryset=ModelPrice.objects.all(),
        label="Model from the price catalogue",
        error_messages={
            "required": "Choose a model from the catalogue.",
            "invalid_choice": "That model is no longer in the catalogue; reload the page and choose again.",
        },
    )
    revision = forms.IntegerField(
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={"required": "This page is out of date; reload it and pick the model again."},
    )
    # Read like every other number on the steps ("1,25", "0.8"), with the field named in the message.
    exchange_rate = AmountField(
        label="Exchange rate",
        max_value=Decimal(1_000_000),
        max_digits=16,
        decimal_places=6,
        is_percent=False,
        help_text="Only when the catalogue's currency differs from the scope's: how many scope-currency units one "
        "unit of the price currency buys.",
    )

    def clean_exchange_rate(self) -> Decimal | None:
        rate = self.cleaned_data.get("exchange_rate")
        if rate is not None and rate <= 0:
            raise forms.ValidationError("Exchange rate: must be more than 0, such as 0.85.")
        return rate


def _pick_response(request, project: DiscoveryProject, *, ok: bool, message: str, section: CostModel | None = None):
    """htmx: a status line, plus an event carrying the new values for the page's inputs. Otherwise: back to the step."""
    if request.headers.get("HX-Request") != "true":
        (messages.success if ok else messages.error)(request, message)
        return redirect(reverse("projects:step", args=[project.pk, "cost_model"]))
    response = render(request, "scoping/costs/pick_result.html", {"ok": ok, "message": message})
    if ok and section is not None:
        values = form_values_of(section)
        detail = {
            "values": {name: values[name] for name in _COPIED_FIELDS},
            "revision": section.revision,
        }
        response["HX-Trigger"] = json.dumps({"cost-prices-copied": detail})
    return response


_COPIED_FIELDS = ("currency", "model", "input_price", "cached_input_price", "output_price", "prices_as_of")


@login_required
def cost_model_pick(request, project_id: int) -> HttpResponse:
    """Copy a catalogue model's prices and date into the scope's cost model (a copy: later catalogue edits stay out)."""
    project = project_for_user(request.user, project_id)
    if not can_edit_scope(request.user, project):
        raise PermissionDenied("Only people who may edit this scope can copy prices into it.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ModelPickForm(request.POST)
    if not form.is_valid():
        message = " ".join(error for errors in form.errors.values() for error in errors)
        return _pick_response(request, project, ok=False, message=message)
    section = CostModel.objects.filter(project=project).first() or ensure_sections(project)["cost_model"]
    price = form.cleaned_data["price"]
    try:
        copied = model_prices_copy(
            cost_model=section,
            price=price,
            expected_revision=form.cleaned_data["revision"],
            exchange_rate=form.cleaned_data["exchange_rate"],
            actor=request.user,
            request=request,
        )
    except (PriceCopyConflict, PriceCopyRefused) as error:
        return _pick_response(request, project, ok=False, message=str(error))
    where = f"{price.model} ({price.provider}, as of {price.effective_date.isoformat()})"
    if not copied.changed:
        message = f"The cost model already holds the prices of {where}; nothing changed."
    else:
        message = f"Copied the prices of {where} into the cost model."
        if price.cached_input_per_1m is None:
            message += " The catalogue has no cached-input price for it, so that stays a gap."
        message += " Later changes to the catalogue do not change this scope."
    if copied.notice:
        message += f" {copied.notice}"
    return _pick_response(request, project, ok=True, message=message, section=copied.cost_model)
