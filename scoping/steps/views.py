"""The eight guided scoping steps, and the whole scope on one readable page."""

from __future__ import annotations

from datetime import date

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from scoping.access import ProjectAccess, resolve_project
from scoping.live_scope import scope_of, with_scope
from scoping.models import DiscoveryProject
from scoping.models.sections import SECTION_MODELS, OpenQuestion
from scoping.review import hooks as workflow_hooks
from scoping.scope.readiness import SECTION_LABELS
from scoping.steps import questions as question_services
from scoping.steps.forms import StepForms, build_step_forms
from scoping.steps.question_forms import ParkQuestionForm
from scoping.steps.services import (
    EditConflict,
    EditNeedsConfirmation,
    EditRefused,
    forms_showing,
    section_fingerprints,
    section_save,
    section_with_rows,
)
from scoping.steps.status import STEP_KEYS, scope_shown, scope_status, section_shown, step_intro, step_url

ACTIONS = ("save", "continue", "back")
PROJECTS = DiscoveryProject.objects.select_related("client", "lead_consultant")
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
    # A GET reads the whole scope once, with the project: the navigator, the findings and the form all use it.
    access = resolve_project(
        request.user,
        project_id,
        need="edit" if request.method == "POST" else "see",
        queryset=with_scope(PROJECTS) if request.method == "GET" else None,
    )
    project = access.project
    # A client participant edits only a draft: once the scope is in review or beyond, their save would withdraw it.
    refusal = workflow_hooks.edit_refusal(user=request.user, project=project) if access.edit else None
    if request.method == "POST":
        if refusal:
            raise PermissionDenied(refusal)
        return _step_post(request, access, section_key)
    editable = access.edit and not refusal
    section, rows = section_with_rows(project=project, section_key=section_key, loaded=True)
    forms = None
    if editable:
        forms = build_step_forms(section_key, section=section, rows=rows, default_currency=project.currency)
    shown = None if editable else section_shown(section_key, section, rows, currency=project.currency)
    opened = section_fingerprints(section_key=section_key, section=section, rows=rows) if editable else None
    return _render_step(
        request,
        access,
        section_key,
        forms=forms,
        revision=section.revision,
        shown=shown,
        opened=opened,
        refusal=refusal,
        scope=scope_of(project),
    )


def _step_post(request: HttpRequest, access: ProjectAccess, section_key: str) -> HttpResponse:
    project = access.project
    # The service reads the saved section under a lock, so the form validates against a blank instance: one read.
    blank = SECTION_MODELS[section_key](project=project)
    forms = build_step_forms(section_key, section=blank, rows={}, data=request.POST)
    revision = _posted_revision(request.POST.get("revision"))
    action = request.POST.get("step_action", "save")
    action = action if action in ACTIONS else "save"
    opened = _posted_opened(request)
    confirmed = request.POST.get("confirm_reopen") == "yes"
    if not forms.is_valid():
        return _render_step(
            request, access, section_key, forms=forms, revision=revision, opened=opened, confirmed=confirmed
        )
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
            reopen_confirmed=confirmed,
        )
    except EditRefused as refused:  # a client, and the scope left draft after they opened the step
        raise PermissionDenied(str(refused)) from None
    except EditNeedsConfirmation as unconfirmed:
        return _render_step(
            request,
            access,
            section_key,
            forms=forms,
            revision=revision,
            opened=opened,
            confirm_error=unconfirmed.consequence.missing_confirmation,
            status=400,
        )
    except EditConflict as conflict:
        # The re-rendered form carries the new revision and the fingerprints of their values, so submitting it
        # again means "keep mine" for the fields both changed. It shows their values where only they changed one.
        shown_forms = forms
        if opened is not None and conflict.shown_values is not None:
            shown_forms = forms_showing(project=project, section_key=section_key, values=conflict.shown_values)
        return _render_step(
            request,
            access,
            section_key,
            forms=shown_forms,
            revision=conflict.current_revision,
            conflict=conflict,
            status=409,
            opened=conflict.opened,
            confirmed=confirmed,
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
    access: ProjectAccess,
    section_key: str,
    *,
    forms: StepForms | None,
    revision: int,
    shown=None,
    conflict: EditConflict | None = None,
    status: int = 200,
    opened: dict[str, str] | None = None,
    refusal: str | None = None,
    confirm_error: str | None = None,
    confirmed: bool = False,
    scope: dict | None = None,
) -> HttpResponse:
    project = access.project
    status_now = scope_status(project, scope)
    # Said before editing: what saving does to a scope that is in review, approved, or in or after sign-off.
    consequence = workflow_hooks.edit_consequence(project=project, stage=project.stage) if forms else None
    context = {
        "project": project,
        "access": access,
        "tab": "steps",
        "section_key": section_key,
        "status": status_now,
        "step": status_now.step(section_key),
        "intro": step_intro(section_key),
        "previous_step": _neighbour(section_key, -1),
        "next_step": _neighbour(section_key, 1),
        "can_edit": forms is not None,  # the form is shown: may edit, and the stage lets them
        "revision": revision,
        # A list of pairs, not a dict: a field may be called "items" (see the activity page).
        "opened_fields": sorted((opened or {}).items()),
        "consequence": consequence,
        "confirm_error": confirm_error,
        "confirmed": confirmed and not confirm_error,
        "refusal": refusal,
        "conflict": conflict,
        "forms": forms,
        "form": forms.form if forms else None,
        "shown": shown,
        **_park_context(request, access, section_key),
    }
    return render(request, "scoping/steps/step.html", context, status=status)


def _park_consequence(request: HttpRequest, project: DiscoveryProject):
    """What parking a question does to a frozen scope when staff do it; a client's question never withdraws it."""
    if workflow_hooks.edit_refusal(user=request.user, project=project) is not None:
        return None
    return workflow_hooks.edit_consequence(project=project, stage=project.stage)


def _park_context(
    request: HttpRequest,
    access: ProjectAccess,
    section_key: str,
    *,
    park_form: ParkQuestionForm | None = None,
    parked: OpenQuestion | None = None,
) -> dict:
    project = access.project
    if access.edit and park_form is None:
        park_form = ParkQuestionForm(consequence=_park_consequence(request, project))
    # Sorted here (due date first, undated last) so that a project loaded with its scope needs no query.
    questions = sorted(
        (q for q in project.open_questions.all() if q.section == section_key and q.status == "open"),
        key=lambda question: (question.due is None, question.due or date.min, question.pk),
    )
    return {
        "project": project,
        "access": access,
        "section_key": section_key,
        "park_form": park_form if access.edit else None,
        "parked": parked,
        "step_questions": questions,
    }


@login_required
def step_question(request: HttpRequest, project_id: int, section_key: str) -> HttpResponse:
    """Park an open question for this step without leaving it; htmx swaps in the panel, typed step values stay."""
    if section_key not in STEP_KEYS:
        raise Http404("There is no such step.")
    access = resolve_project(request.user, project_id, need="edit")
    if request.method != "POST":  # after the access check, so a stranger gets 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    project = access.project
    form = ParkQuestionForm(request.POST, consequence=_park_consequence(request, project))
    parked = None
    if form.is_valid():
        try:
            parked = question_services.question_create(
                project=project,
                actor=request.user,
                request=request,
                question=form.cleaned_data["question"],
                owner=form.cleaned_data["owner"],
                due=form.cleaned_data["due"],
                section=section_key,
                status="open",
            )
        except ValidationError as problem:
            form.add_error(None, ValidationError(problem.messages))
    if not request.headers.get("HX-Request"):
        if parked is not None:
            messages.success(request, f"Question parked: “{parked.question}”.")
        else:
            messages.error(request, "The question was not parked: " + " ".join(_errors_of(form)))
        return redirect(step_url(project, section_key) + "#park-question")
    context = _park_context(request, access, section_key, park_form=None if parked else form, parked=parked)
    # 200 even when the form has errors: htmx swaps only successful answers, and the errors belong in the panel.
    return render(request, "scoping/steps/step.html#park_question", context)


def _errors_of(form: django_forms.Form) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


@login_required
@require_GET
def scope_review(request: HttpRequest, project_id: int) -> HttpResponse:
    """The whole scope on one page, with its findings: for reading together, and for printing."""
    access = resolve_project(request.user, project_id)
    project = access.project
    status_now = scope_status(project)
    sections = scope_shown(project)
    steps = {step.key: step for step in status_now.steps}
    return render(
        request,
        "scoping/scope_review.html",
        {
            "project": project,
            "access": access,
            "tab": "scope",
            "status": status_now,
            "sections": [(section, steps[section.key]) for section in sections],
        },
    )
