"""The engagement step: the statement of work beside the scope, with live fees and the proposal check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from proposals.figures import engagement_from_form
from proposals.forms import build_engagement_forms
from proposals.models import ENGAGEMENT_ROWS, Engagement
from proposals.services import EngagementConflict, engagement_save
from scoping.access import resolve_project
from scoping.live_scope import export_scope
from scoping.review import hooks as workflow_hooks
from scoping.scope.fees import compute_fees, proposal_gaps
from scoping.scope.timeline_chart import timeline_chart
from scoping.steps.services import EditNeedsConfirmation, EditRefused


def _fees_context(engagement_json) -> dict:
    fees = compute_fees(engagement_json)
    return {
        "fees": fees,
        "proposal_gaps": proposal_gaps(engagement_json, timezone.localdate()),
        "currency": fees.currency,
        "timeline": timeline_chart(engagement_json, today=timezone.localdate()),  # the proposal PDF draws the same
    }


@login_required
@require_http_methods(["GET", "POST"])
def engagement_step(request, project_id: int):
    access = resolve_project(request.user, project_id, need="edit" if request.method == "POST" else "see")
    project = access.project
    engagement = Engagement.objects.filter(project=project).first() or Engagement(project=project)
    rows = {key: list(getattr(engagement, key).all()) for key in ENGAGEMENT_ROWS} if engagement.pk else {}
    consequence = workflow_hooks.edit_consequence(project=project, stage=project.stage) if access.edit else None
    error = None
    if request.method == "POST":
        forms = build_engagement_forms(engagement=engagement, rows=rows, data=request.POST)
        if forms.is_valid():
            try:
                saved = engagement_save(
                    project=project,
                    forms=forms,
                    expected_revision=int(request.POST.get("revision") or 0),
                    actor=request.user,
                    confirmed=request.POST.get("confirm_reopen") == "yes",
                    request=request,
                )
            except (EngagementConflict, EditNeedsConfirmation, EditRefused) as refused:
                error = str(refused)
            except ValueError:
                error = "This page is out of date; reload it and save again."
            else:
                messages.success(request, "Engagement saved." if saved.changed else "Nothing changed.")
                if saved.notice:
                    messages.warning(request, saved.notice)
                return redirect("projects:engagement", project.pk)
        figures = _fees_context(engagement_from_form(request.POST))
    else:
        forms = build_engagement_forms(engagement=engagement, rows=rows)
        figures = _fees_context(export_scope(project)["engagement"])
    status = 409 if error else (400 if request.method == "POST" else 200)
    return render(
        request,
        "proposals/engagement.html",
        {
            "project": project,
            "access": access,
            "forms": forms,
            "revision": engagement.revision,
            "consequence": consequence,
            "error": error,
            **figures,
        },
        status=status,
    )


@login_required
def engagement_figures(request, project_id: int):
    """The live totals of what is typed (htmx, POST): nothing is saved. Strangers get 404 before anything else."""
    access = resolve_project(request.user, project_id)
    if not access.edit:
        raise PermissionDenied("Only people who may edit the scope see figures of unsaved values.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return render(request, "proposals/figures.html", _fees_context(engagement_from_form(request.POST)))
