"""The eight guided scoping steps, and the whole scope on one readable page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ..access import can_edit_scope, is_project_staff, project_for_user
from ..models import DiscoveryProject
from ..models.sections import SECTION_MODELS
from ..readiness import SECTION_LABELS
from ..step_forms import StepForms, build_step_forms
from ..step_services import EditConflict, forms_showing, section_fingerprints, section_save, section_with_rows
from ..templatetags.steps_tags import STEP_KEYS, scope_shown, scope_status, section_shown, step_intro, step_url

ACTIONS = ("save", "continue", "back")
OPENED_PREFIX = "opened__"


def _posted_revision(value: str | None) -> int:
    """The revision the form was opened at; anything unreadable counts as "unknown", which can only conflict."""
    try:
        revision = int(value or "")
    except ValueError:
        return -1
    return revision if revision >= 0 else -1


def _posted_opened(request: HttpRequest) -> dict[str, str] | None:
    """The fingerprints of the values the form was opened with, or None from a form that did not carry them."""
    opened = {
        name.removeprefix(OPENED_PREFIX): value
        for name, value in request.POST.items()
        if name.startswith(OPENED_PREFIX)
    }
    return opened or None


def _neighbour(section_key: str, offset: int) -> str | None:
    index = STEP_KEYS.index(section_key) + offset
    return STEP_KEYS[index] if 0 <= index < len(STEP_KEYS) else None


def _after_save(project: DiscoveryProject, section_key: str, action: str) -> str:
    if action == "continue":
        following = _neighbour(section_key, 1)
        return step_url(project, following) if following else reverse("projects:scope_review", args=[project.pk])
    if action == "back":
        previous = _neighbour(section_key, -1)
        return step_url(project, previous) if previous else project.get_absolute_url()
    return step_url(project, section_key)


@login_required
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, project_id: int, section_key: str) -> HttpResponse:
    """One guided step: the form for people who may edit the scope, the values read-only for everyone else."""
    if section_key not in STEP_KEYS:
        raise Http404("There is no such step.")
    project = project_for_user(request.user, project_id)
    editable = can_edit_scope(request.user, project)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(
                "You can read this scope but not change it. Ask the project's consultant for access."
            )
        return _step_post(request, project, section_key)
    section, rows = section_with_rows(project=project, section_key=section_key)
    forms = None
    if editable:
        forms = build_step_forms(section_key, section=section, rows=rows, default_currency=project.currency)
    shown = None if editable else section_shown(section_key, section, rows, currency=project.currency)
    opened = section_fingerprints(section_key=section_key, section=section, rows=rows) if editable else None
    return _render_step(
        request, project, section_key, forms=forms, revision=section.revision, shown=shown, opened=opened
    )


def _step_post(request: HttpRequest, project: DiscoveryProject, section_key: str) -> HttpResponse:
    # The service reads the saved section under a lock, so the form validates against a blank instance: one read.
    blank = SECTION_MODELS[section_key](project=project)
    forms = build_step_forms(section_key, section=blank, rows={}, data=request.POST)
    revision = _posted_revision(request.POST.get("revision"))
    action = request.POST.get("step_action", "save")
    action = action if action in ACTIONS else "save"
    opened = _posted_opened(request)
    if not forms.is_valid():
        return _render_step(request, project, section_key, forms=forms, revision=revision, opened=opened)
    try:
        result = section_save(
            project=project,
            section_key=section_key,
            form=forms.form,
            formsets=forms.formsets,
            expected_revision=revision,
            actor=request.user,
            request=request,
            opened=opened,
        )
    except EditConflict as conflict:
        # The re-rendered form carries the new revision and the fingerprints of their values, so submitting it
        # again means "keep mine" for the fields both changed. It shows their values where only they changed one.
        shown_forms = forms
        if opened is not None and conflict.shown_values is not None:
            shown_forms = forms_showing(project=project, section_key=section_key, values=conflict.shown_values)
        return _render_step(
            request,
            project,
            section_key,
            forms=shown_forms,
            revision=conflict.current_revision,
            conflict=conflict,
            status=409,
            opened=conflict.opened,
        )
    if result.saved:
        saved = f"{SECTION_LABELS[section_key]} saved."
        if result.merged_with:
            saved += (
                f" {result.merged_with} saved other fields of this step after you opened it;"
                " their changes are kept alongside yours."
            )
        messages.success(request, saved)
    elif action == "save":
        messages.info(request, "Nothing had changed, so there was nothing to save.")
    if result.workflow_notice:
        messages.warning(request, result.workflow_notice)
    return redirect(_after_save(project, section_key, action))


def _render_step(
    request: HttpRequest,
    project: DiscoveryProject,
    section_key: str,
    *,
    forms: StepForms | None,
    revision: int,
    shown=None,
    conflict: EditConflict | None = None,
    status: int = 200,
    opened: dict[str, str] | None = None,
) -> HttpResponse:
    status_now = scope_status(project)
    context = {
        "project": project,
        "tab": "steps",
        "section_key": section_key,
        "status": status_now,
        "step": status_now.step(section_key),
        "intro": step_intro(section_key),
        "previous_step": _neighbour(section_key, -1),
        "next_step": _neighbour(section_key, 1),
        "can_edit": forms is not None,
        "is_staff_member": is_project_staff(request.user, project),
        "revision": revision,
        # A list of pairs, not a dict: a field may be called "items" (see the activity page).
        "opened_fields": sorted((opened or {}).items()),
        "conflict": conflict,
        "forms": forms,
        "form": forms.form if forms else None,
        "shown": shown,
    }
    return render(request, "scoping/steps/step.html", context, status=status)


@login_required
@require_GET
def scope_review(request: HttpRequest, project_id: int) -> HttpResponse:
    """The whole scope on one page, with its findings: for reading together, and for printing."""
    project = project_for_user(request.user, project_id)
    status_now = scope_status(project)
    sections = scope_shown(project)
    steps = {step.key: step for step in status_now.steps}
    return render(
        request,
        "scoping/scope_review.html",
        {
            "project": project,
            "tab": "scope",
            "status": status_now,
            "sections": [(section, steps[section.key]) for section in sections],
            "can_edit": can_edit_scope(request.user, project),
        },
    )
