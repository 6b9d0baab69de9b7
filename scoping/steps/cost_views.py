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
from scoping.models import DiscoveryProject
from scoping.models.sections import CostModel
from scoping.projects.scope_io import ensure_sections
from scoping.steps.cost_figures import figures_context, saved_form_values
from scoping.steps.cost_forms import ModelPickForm
from scoping.steps.cost_inputs import form_values_of
from scoping.steps.prices import PriceCopyConflict, PriceCopyRefused, model_prices_copy


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


def _pick_response(request, project: DiscoveryProject, *, ok: bool, message: str, section: CostModel | None = None):
    """htmx: a status line, plus an event carrying the new values for the page's inputs. Otherwise: back to the step."""
    if request.headers.get("HX-Request") != "true":
        (messages.success if ok else messages.error)(request, message)
        return redirect(reverse("projects:step", args=[project.pk, "cost_model"]))
    response = render(request, "scoping/costs/picker.html#pick_result", {"ok": ok, "message": message})
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
    project = resolve_project(request.user, project_id, need="edit").project
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
