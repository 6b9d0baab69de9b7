"""Open questions of a project: the list, editing one, resolving one."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from scoping.access import resolve_project
from scoping.models import DiscoveryProject
from scoping.models.sections import OpenQuestion
from scoping.scope.readiness import SECTIONS
from scoping.steps import questions as question_services
from scoping.steps.question_forms import QuestionForm, ResolveForm


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
