"""The cost step's live figures (htmx, nothing saved) and the model picker that copies catalogue prices in."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from scoping.access import resolve_project
from scoping.models import DiscoveryProject, ModelPrice
from scoping.models.sections import CostModel
from scoping.projects.scope_io import ensure_sections
from scoping.steps.cost_figures import figures_context, saved_form_values
from scoping.steps.cost_forms import ModelPickForm, pick_targets
from scoping.steps.cost_inputs import STEPS_KEY, form_values_of
from scoping.steps.prices import (
    COPIED_STEP_FIELDS,
    PriceCopyConflict,
    PriceCopyRefused,
    PricesCopied,
    model_prices_copy,
)


@login_required
@require_http_methods(["GET", "POST"])
def cost_figures(request, project_id: int):
    """GET: the figures of the saved cost model. POST (htmx, as the person types): of the posted values, unsaved."""
    access = resolve_project(request.user, project_id)
    data = request.POST if request.method == "POST" else saved_form_values(access.project)
    context = figures_context(project=access.project, data=data)
    # The pinned summary lives outside the figures box; htmx swaps it in by its id.
    oob = request.headers.get("HX-Request") == "true"
    return render(request, "scoping/costs/figures.html", {**context, "access": access, "oob": oob})


def _pick_response(request, project: DiscoveryProject, *, ok: bool, message: str, copied: PricesCopied | None = None):
    """htmx: a status line, plus an event carrying the new values for the page's inputs. Otherwise: back to the step.

    The event says which step row the values belong to (``steps-<index>-…``) and whether the step is new, so the
    page fills that row, or a row it adds, and leaves everything else typed as it is.
    """
    if request.headers.get("HX-Request") != "true":
        (messages.success if ok else messages.error)(request, message)
        return redirect(reverse("projects:step", args=[project.pk, "cost_model"]))
    response = render(request, "scoping/costs/picker.html#pick_result", {"ok": ok, "message": message})
    if ok and copied is not None:
        section = copied.cost_model
        values = form_values_of(section)
        prefix = f"{STEPS_KEY}-{copied.step_index}-"
        # All the step's values, for a row new to the page (its defaults included); a saved step's row on the page
        # takes only the ``copied`` ones, keeping the name, calls and tokens typed there.
        detail = {
            "values": {name: values[name] for name in _COPIED_SECTION_FIELDS},
            "step": {
                "index": copied.step_index,
                "new": copied.created,
                "values": {
                    name.removeprefix(prefix): value for name, value in values.items() if name.startswith(prefix)
                },
                "copied": list(COPIED_STEP_FIELDS),
            },
            "targets": [
                {"value": target.value, "label": target.label} for target in pick_targets(list(section.steps.all()))
            ],
            "revision": section.revision,
        }
        response["HX-Trigger"] = json.dumps({"cost-prices-copied": detail})
    return response


_COPIED_SECTION_FIELDS = ("currency", "prices_as_of")


def _copied_message(copied: PricesCopied, price: ModelPrice) -> str:
    where = f"{price.model} ({price.provider}, as of {price.effective_date.isoformat()})"
    step = f"model step {copied.step_index + 1}"
    if copied.step.name:
        step += f" ({copied.step.name})"
    if not copied.changed:
        return f"{step[:1].upper()}{step[1:]} already holds the prices of {where}; nothing changed."
    if copied.created:
        message = (
            f"Copied the prices of {where} into a new {step}. Give its calls per use and tokens per call there; "
            "until then the figures leave a gap."
        )
    else:
        message = f"Copied the prices of {where} into {step}."
    if price.cached_input_per_1m is None:
        message += " The catalogue has no cached-input price for it, so that stays a gap."
    message += " Later changes to the catalogue do not change this scope."
    if copied.notice:
        message += f" {copied.notice}"
    return message


@login_required
def cost_model_pick(request, project_id: int) -> HttpResponse:
    """Copy a catalogue model's prices into a model step of the scope (a copy: later catalogue edits stay out)."""
    project = resolve_project(request.user, project_id, need="edit").project
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    section = CostModel.objects.filter(project=project).first() or ensure_sections(project)["cost_model"]
    form = ModelPickForm(request.POST, step_count=section.steps.count())
    if not form.is_valid():
        message = " ".join(error for errors in form.errors.values() for error in errors)
        return _pick_response(request, project, ok=False, message=message)
    price = form.cleaned_data["price"]
    try:
        copied = model_prices_copy(
            cost_model=section,
            price=price,
            step_index=form.cleaned_data["step"],
            expected_revision=form.cleaned_data["revision"],
            exchange_rate=form.cleaned_data["exchange_rate"],
            actor=request.user,
            request=request,
        )
    except (PriceCopyConflict, PriceCopyRefused) as error:
        return _pick_response(request, project, ok=False, message=str(error))
    return _pick_response(request, project, ok=True, message=_copied_message(copied, price), copied=copied)
