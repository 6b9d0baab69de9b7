"""Open questions, and the scope as a JSON file: export, and import through an upload form."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from scoping.readiness import SECTIONS

from .. import question_services
from ..access import require_creator, resolve_project
from ..forms import QuestionForm, ResolveForm, ScopeImportForm
from ..models import DiscoveryProject
from ..models.sections import OpenQuestion
from ..scope_file import UPLOAD_MAX_BYTES, too_big_message
from ..scope_io import export_scope, import_scope
from ..scope_schema import ScopeValidationError

# --- open questions -------------------------------------------------------------------------------------------


def is_overdue(question: OpenQuestion, today: date) -> bool:
    return question.status == "open" and question.due is not None and question.due < today


def _questions_url(project: DiscoveryProject, question: OpenQuestion | None = None) -> str:
    url = reverse("projects:questions", args=[project.pk])
    return f"{url}#question-{question.pk}" if question is not None else url


@login_required
@require_http_methods(["GET", "POST"])
def question_list(request: HttpRequest, project_id: int) -> HttpResponse:
    """Every question of the project, open ones first by due date, with the add form for editors."""
    access = resolve_project(request.user, project_id, need="edit" if request.method == "POST" else "see")
    project = access.project
    initial = {"status": "open"}
    if request.GET.get("section") in SECTIONS:  # "Park it as an open question" from a guided step
        initial["section"] = request.GET["section"]
    form = QuestionForm(request.POST or None, initial=initial) if access.edit else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            question = question_services.question_create(
                project=project, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as problem:
            form.add_error(None, ValidationError(problem.messages))
        else:
            messages.success(request, "Question added.")
            return redirect(_questions_url(project, question))
    today = timezone.localdate()
    questions = list(project.open_questions.order_by(F("due").asc(nulls_last=True), "id"))
    for question in questions:
        question.is_overdue = is_overdue(question, today)
    open_questions = [question for question in questions if question.status == "open"]
    resolved = [question for question in questions if question.status != "open"]
    return render(
        request,
        "scoping/questions.html",
        {
            "project": project,
            "access": access,
            "form": form,
            "open_questions": open_questions,
            "resolved_questions": resolved,
            "overdue_count": sum(1 for question in open_questions if question.is_overdue),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, project_id: int, question_id: int) -> HttpResponse:
    access = resolve_project(request.user, project_id, need="edit")
    project = access.project
    question = get_object_or_404(project.open_questions, pk=question_id)
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        try:
            question_services.question_update(
                open_question=question, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as problem:
            form.add_error(None, ValidationError(problem.messages))
        else:
            messages.success(request, "Question saved.")
            return redirect(_questions_url(project, question))
    return render(
        request,
        "scoping/questions_form.html",
        {"project": project, "access": access, "question": question, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_resolve(request: HttpRequest, project_id: int, question_id: int) -> HttpResponse:
    """A small confirmation page (GET) for closing a question as answered or dropped (POST)."""
    access = resolve_project(request.user, project_id, need="edit")
    project = access.project
    question = get_object_or_404(project.open_questions, pk=question_id)
    initial = {"status": question.status if question.status != "open" else "answered", "answer": question.answer}
    form = ResolveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            question_services.question_resolve(
                open_question=question,
                actor=request.user,
                request=request,
                status=form.cleaned_data["status"],
                answer=form.cleaned_data["answer"],
            )
        except ValidationError as problem:
            form.add_error(None, ValidationError(problem.messages))
        else:
            messages.success(request, f"Question marked {question.get_status_display().lower()}.")
            return redirect(_questions_url(project, question))
    return render(
        request,
        "scoping/questions_resolve.html",
        {"project": project, "access": access, "question": question, "form": form},
    )


# --- scope JSON -------------------------------------------------------------------------------------------------


def scope_filename(project: DiscoveryProject) -> str:
    """``<client>-<project>-scope.json``, slugified; names with no Latin letters fall back to the project id."""
    stem = "-".join(part for part in (slugify(project.client.name), slugify(project.name)) if part)
    return f"{stem or f'project-{project.pk}'}-scope.json"


@never_cache
@login_required
@require_GET
def scope_json(request: HttpRequest, project_id: int) -> HttpResponse:
    """The live scope in the scope JSON format, as a download."""
    project = resolve_project(request.user, project_id).project
    response = JsonResponse(
        export_scope(project),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{scope_filename(project)}"'
    return response


# A multipart body carries headers and the client field besides the file; a body far beyond the file limit is
# refused by its Content-Length before a byte of it is read (the server reads no more than Content-Length).
_BODY_ALLOWANCE = 64 * 1024


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_exempt  # CSRF is still checked, by _scope_import_page, after the size check (the check reads the body)
@login_required
@require_http_methods(["GET", "POST"])
def scope_import(request: HttpRequest) -> HttpResponse:
    """Create a project from an uploaded scope file; a bad file is rejected whole, with every problem listed."""
    require_creator(request.user)
    if request.method == "POST" and (size := _content_length(request)) > UPLOAD_MAX_BYTES + _BODY_ALLOWANCE:
        form = ScopeImportForm()
        form.upload_error = f"The upload {too_big_message(size)} Nothing was read or imported; choose the scope file."
        return render(request, "scoping/import.html", {"form": form}, status=413)
    return _scope_import_page(request)


@csrf_protect
def _scope_import_page(request: HttpRequest) -> HttpResponse:
    form = ScopeImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return render(request, "scoping/import.html", {"form": form})
    if form.is_valid():
        try:
            project = import_scope(
                data=form.cleaned_data["file"], client_name=form.cleaned_data["client"] or None, user=request.user
            )
        except ScopeValidationError as problem:
            for path, message in problem.errors:
                form.add_error(None, f"{path}: {message}")
        except ValidationError as problem:
            form.add_error(None, ValidationError(problem.messages))
        else:
            messages.success(request, f"Scope imported as the project “{project.name}” for {project.client.name}.")
            return redirect(project)
    # The file was refused: answer 4xx (413 when it was too big), with every problem on the page.
    return render(request, "scoping/import.html", {"form": form}, status=413 if form.too_large else 400)
