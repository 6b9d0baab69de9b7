"""The eight guided scoping steps, and the whole scope on one readable page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from scoping.access import ProjectAccess, resolve_project
from scoping.live_scope import scope_of, with_scope
from scoping.models import DiscoveryProject
from scoping.models.sections import SECTION_MODELS, OpenQuestion
from scoping.review import hooks as workflow_hooks
from scoping.scope.answered import section_sources
from scoping.steps import questions as question_services
from scoping.steps.field_question_views import FIELD_QUESTION_FORM_ID
from scoping.steps.forms import StepForms, build_step_forms
from scoping.steps.question_forms import ParkQuestionForm
from scoping.steps.selectors import step_after_save, step_edit_state, step_navigation
from scoping.steps.services import (
    EditConflict,
    EditNeedsConfirmation,
    EditRefused,
    conflict_forms,
    section_fingerprints,
    section_row_fingerprints,
    section_save,
    section_save_notices,
    section_with_rows,
)
from scoping.steps.sources import (
    decorate_step_forms,
    field_question_text,
    section_source_texts,
    step_field_extras,
)
from scoping.steps.status import STEP_KEYS, scope_shown, scope_status, section_shown, step_url

ACTIONS = ("save", "continue", "back")
PROJECTS = DiscoveryProject.objects.select_related("client", "lead_consultant")
OPENED_PREFIX = "opened__"
OPENED_ROWS_PREFIX = "opened_rows__"


@dataclass(frozen=True)
class PostedStep:
    """What a step form carries besides the values: the revision and fingerprints it was opened with, and the button."""

    revision: int  # -1 when unreadable: "unknown", which can only conflict
    opened: dict[str, str] | None  # None from a form that did not carry them
    action: str
    confirmed: bool
    # Each list's row fingerprints as opened (comma-separated in the form): a list both changed merges row by row.
    opened_rows: dict[str, list[str]] | None = None

    @classmethod
    def read(cls, post) -> PostedStep:
        try:
            revision = int(post.get("revision") or "")
        except ValueError:
            revision = -1
        opened = {
            name.removeprefix(OPENED_PREFIX): value for name, value in post.items() if name.startswith(OPENED_PREFIX)
        }
        opened_rows = {
            name.removeprefix(OPENED_ROWS_PREFIX): [fp for fp in value.split(",") if fp]
            for name, value in post.items()
            if name.startswith(OPENED_ROWS_PREFIX)
        }
        action = post.get("step_action", "save")
        return cls(
            revision=revision if revision >= 0 else -1,
            opened=opened or None,
            action=action if action in ACTIONS else "save",
            confirmed=post.get("confirm_reopen") == "yes",
            opened_rows=opened_rows or None,
        )


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
    scope = scope_of(project)
    shown = None
    if not editable:
        sources = section_sources(scope.get("field_sources"), section_key)
        shown = section_shown(section_key, section, rows, currency=project.currency, sources=sources)
    opened = section_fingerprints(section_key=section_key, section=section, rows=rows) if editable else None
    return _render_step(
        request,
        access,
        section_key,
        forms=forms,
        revision=section.revision,
        shown=shown,
        opened=opened,
        opened_rows=section_row_fingerprints(section_key=section_key, rows=rows) if editable else None,
        refusal=refusal,
        scope=scope,
    )


def _step_post(request: HttpRequest, access: ProjectAccess, section_key: str) -> HttpResponse:
    project = access.project
    # The service reads the saved section under a lock, so the form validates against a blank instance: one read.
    blank = SECTION_MODELS[section_key](project=project)
    forms = build_step_forms(section_key, section=blank, rows={}, data=request.POST)
    posted = PostedStep.read(request.POST)
    if not forms.is_valid():
        return _render_unsaved(request, access, section_key, forms=forms, posted=posted)
    try:
        result = section_save(
            project=project,
            section_key=section_key,
            form=forms.form,
            formsets=forms.formsets,
            expected_revision=posted.revision,
            actor=request.user,
            request=request,
            opened=posted.opened,
            opened_rows=posted.opened_rows,
            reopen_confirmed=posted.confirmed,
        )
    except EditRefused as refused:  # a client, and the scope left draft after they opened the step
        raise PermissionDenied(str(refused)) from None
    except (EditNeedsConfirmation, EditConflict) as problem:
        return _render_unsaved(request, access, section_key, forms=forms, posted=posted, problem=problem)
    for level, text in section_save_notices(result, action=posted.action):
        messages.add_message(request, level, text)
    return redirect(step_after_save(project, section_key, posted.action))


def _render_unsaved(
    request: HttpRequest,
    access: ProjectAccess,
    section_key: str,
    *,
    forms: StepForms,
    posted: PostedStep,
    problem: EditNeedsConfirmation | EditConflict | None = None,
) -> HttpResponse:
    """The step again, with what was typed: invalid values (200), a reopen not confirmed (400), or a conflict (409)."""
    page = {
        "forms": forms,
        "revision": posted.revision,
        "opened": posted.opened,
        "opened_rows": posted.opened_rows,
        "confirmed": posted.confirmed,
    }
    if isinstance(problem, EditNeedsConfirmation):
        page.update(confirm_error=problem.consequence.missing_confirmation, confirmed=False, status=400)
    elif isinstance(problem, EditConflict):
        # The re-rendered form carries the new revision and the fingerprints of their values, so submitting it
        # again means "keep mine" for the fields both changed. It shows their values where only they changed one.
        shown_forms = conflict_forms(
            project=access.project, section_key=section_key, forms=forms, opened=posted.opened, conflict=problem
        )
        page.update(
            forms=shown_forms,
            revision=problem.current_revision,
            opened=problem.opened,
            opened_rows=problem.opened_rows,
        )
        page.update(conflict=problem, status=409)
    return _render_step(request, access, section_key, **page)


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
    opened_rows: dict[str, list[str]] | None = None,
    refusal: str | None = None,
    confirm_error: str | None = None,
    confirmed: bool = False,
    scope: dict | None = None,
) -> HttpResponse:
    status_now = scope_status(access.project, scope)
    field_context = _field_context(request, access, section_key, forms=forms, scope=scope)
    context = {
        "tab": "steps",
        "status": status_now,
        "step": status_now.step(section_key),
        **step_navigation(section_key),
        **step_edit_state(
            project=access.project,
            forms=forms,
            revision=revision,
            opened=opened,
            opened_rows=opened_rows,
            refusal=refusal,
            confirm_error=confirm_error,
            confirmed=confirmed,
        ),
        "conflict": conflict,
        "shown": shown,
        **_park_context(request, access, section_key, ask=field_context["ask"]),  # also the project and access
        **field_context,
    }
    return render(request, "scoping/steps/step.html", context, status=status)


def _field_context(
    request: HttpRequest, access: ProjectAccess, section_key: str, *, forms: StepForms | None, scope: dict | None
) -> dict:
    """Who answered each field and its open questions, beside its label; "Don't know yet" for who may edit.

    A GET has read the scope (its ``field_sources``) and the questions with the project: no query. A form shown again
    after a refused save reads them afresh.
    """
    project = access.project
    if scope is not None:
        sources = section_sources(scope.get("field_sources"), section_key)
        questions = project.open_questions.all()
    else:
        sources = section_source_texts(project, section_key)
        questions = project.open_questions.filter(section=section_key, status="open").exclude(field="")
    extras = step_field_extras(
        project=project, section_key=section_key, sources=sources, questions=questions, can_ask=forms is not None
    )
    if forms is not None:
        decorate_step_forms(forms, extras)
    asked = request.GET.get("ask", "")
    return {
        "field_extras": extras,
        "field_sources": sources,
        "ask": extras[asked] if forms is not None and asked in extras else None,
        "field_question_form_id": FIELD_QUESTION_FORM_ID,
    }


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
    ask=None,
) -> dict:
    project = access.project
    if access.edit and park_form is None:
        # "Don't know yet" without JavaScript (``?ask=<field>``): the panel starts from that field's question.
        initial = {"question": field_question_text(ask.label)} if ask is not None else None
        park_form = ParkQuestionForm(consequence=_park_consequence(request, project), initial=initial)
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
    sections = scope_shown(project, status_now.scope.get("field_sources"))
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
