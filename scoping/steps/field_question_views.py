""" "Don't know yet" beside a field of a step: park an open question on that field without leaving the step.

With htmx the link opens a small form under the field's label (the question prefilled from the label, who finds out,
by when) and parking it swaps in the field's decorations with the new question; nothing else on the page changes,
so whatever was typed in the step stays. Without JavaScript the link leads to the step's park-question panel,
prefilled, which posts here too.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from scoping.access import ProjectAccess, resolve_project
from scoping.models import DiscoveryProject
from scoping.review import hooks as workflow_hooks
from scoping.scope.answered import field_labels
from scoping.scope.catalogue import SECTION_LABELS
from scoping.steps import questions as question_services
from scoping.steps.question_forms import ParkQuestionForm
from scoping.steps.sources import FieldExtras, field_question_text, section_source_texts, step_field_extras
from scoping.steps.status import STEP_KEYS, step_url

FIELD_QUESTION_FORM_ID = "field-question-form"  # the form outside the step form that the inline inputs belong to


def _consequence(request: HttpRequest, project: DiscoveryProject):
    """What parking a question does to a frozen scope when staff do it; a client's question never withdraws it."""
    if workflow_hooks.edit_refusal(user=request.user, project=project) is not None:
        return None
    return workflow_hooks.edit_consequence(project=project, stage=project.stage)


def inline_form(*, key: str, label: str, consequence, data=None) -> ParkQuestionForm:
    """The inline form of one field: its own prefix (several may be open), its inputs owned by the outer form."""
    form = ParkQuestionForm(
        data, consequence=consequence, prefix=f"ask-{key}", initial={"question": field_question_text(label)}
    )
    for field in form.fields.values():
        # Not part of the step form: neither its submission, nor its unsaved-changes check, nor autosave.
        field.widget.attrs["form"] = FIELD_QUESTION_FORM_ID
    form.fields["question"].widget.attrs["autofocus"] = True  # the panel opens where the person is looking
    form.helper.disable_csrf = True  # the outer form carries the token (and so does every htmx request)
    form.fields["owner"].label = "Who finds out"
    form.fields["due"].label = "By when"
    return form


def _extras(access: ProjectAccess, section_key: str, key: str) -> FieldExtras:
    project = access.project
    extras = step_field_extras(
        project=project,
        section_key=section_key,
        sources=section_source_texts(project, section_key),
        questions=project.open_questions.filter(section=section_key, field=key, status="open"),
        can_ask=True,
    )
    return extras[key]


def _render(request, access, section_key: str, extras: FieldExtras, *, form=None, parked=None) -> HttpResponse:
    return render(
        request,
        "scoping/steps/field_extras.html",
        {
            "project": access.project,
            "access": access,
            "section_key": section_key,
            "x": extras,
            "ask_form": form,
            "parked": parked,
            "field_question_form_id": FIELD_QUESTION_FORM_ID,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def step_field_question(request: HttpRequest, project_id: int, section_key: str, field: str) -> HttpResponse:
    """GET: the inline form (htmx) or the prefilled park panel; POST: park the question on the field."""
    if section_key not in STEP_KEYS:
        raise Http404("There is no such step.")
    access = resolve_project(request.user, project_id, need="edit")
    project = access.project
    label = field_labels(section_key).get(field)
    if label is None:
        return HttpResponseBadRequest(
            f"“{field}” is not a field of the {SECTION_LABELS[section_key]} step, so no question was parked on it.",
            content_type="text/plain; charset=utf-8",
        )
    htmx = bool(request.headers.get("HX-Request"))
    if request.method == "GET":
        if not htmx:
            return redirect(f"{step_url(project, section_key)}?ask={field}#park-question")
        form = (
            None
            if request.GET.get("close")
            else inline_form(key=field, label=label, consequence=_consequence(request, project))
        )
        return _render(request, access, section_key, _extras(access, section_key, field), form=form)

    consequence = _consequence(request, project)
    if htmx:
        form = inline_form(key=field, label=label, consequence=consequence, data=request.POST)
    else:  # the step's park-question panel, opened by the link without JavaScript
        form = ParkQuestionForm(request.POST, consequence=consequence)
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
                field=field,
            )
        except ValidationError as problem:
            form.add_error(None, ValidationError(problem.messages))
    if not htmx:
        if parked is not None:
            messages.success(request, f"Question parked on “{label}”: “{parked.question}”.")
            return redirect(f"{step_url(project, section_key)}#field-extras-{field}")
        errors = [str(error) for errors in form.errors.values() for error in errors]
        messages.error(request, "The question was not parked: " + " ".join(errors))
        return redirect(f"{step_url(project, section_key)}?ask={field}#park-question")
    return _render(
        request, access, section_key, _extras(access, section_key, field), form=None if parked else form, parked=parked
    )
