"""Open questions, and the scope as a JSON file: export, and import through an upload form."""

from __future__ import annotations

from datetime import date

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
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
from ..access import can_edit_scope, project_for_user
from ..models import DiscoveryProject
from ..models.sections import OpenQuestion
from ..scope_file import UPLOAD_MAX_BYTES, parse_scope_bytes, too_big_message
from ..scope_io import export_scope, import_scope
from ..scope_schema import CHOICES, LONG_TEXT_MAX, SHORT_TEXT_MAX, ScopeValidationError

# --- forms ------------------------------------------------------------------------------------------------------


OPEN_QUESTION_NEEDS = {"owner": "Name who finds out the answer.", "due": "Give the date the answer is needed by."}


class QuestionForm(forms.ModelForm):
    """Add or edit a question. An open question needs someone who finds out and a date; an answered one, the answer."""

    class Meta:
        model = OpenQuestion
        fields = ("question", "section", "owner", "due", "status", "answer")
        widgets = {
            "question": forms.Textarea(attrs={"rows": 2}),
            "due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "answer": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].required = True
        self.fields["question"].help_text = f"{self.fields['question'].help_text} Up to {LONG_TEXT_MAX} characters."
        self.fields["section"].choices = [("", "Not tied to one step"), *CHOICES["section"]]
        self.fields["status"].choices = CHOICES["status"]
        self.fields["status"].required = True
        self.fields["owner"].help_text = f"{self.fields['owner'].help_text} Up to {SHORT_TEXT_MAX} characters."
        self.fields["answer"].help_text = f"{self.fields['answer'].help_text} Up to {LONG_TEXT_MAX} characters."
        # An open question needs who finds out and by when: marked required (asterisk, required attribute) while
        # the question is, or is being saved as, open; an answered or dropped one may leave them empty.
        for name, message in OPEN_QUESTION_NEEDS.items():
            self.fields[name].required = self._status() == "open"
            self.fields[name].error_messages["required"] = message
        self.helper = FormHelper()
        self.helper.form_tag = False

    def _status(self) -> str:
        if self.is_bound:
            return self.data.get(self.add_prefix("status")) or ""
        return self.initial.get("status") or (self.instance.status if self.instance.pk else "open")

    def clean(self) -> dict:
        cleaned = super().clean()
        status = cleaned.get("status")
        if status == "open":
            if "owner" in cleaned and not cleaned["owner"].strip():
                self.add_error("owner", OPEN_QUESTION_NEEDS["owner"])
            if "due" in cleaned and cleaned["due"] is None:
                self.add_error("due", OPEN_QUESTION_NEEDS["due"])
        if status == "answered" and "answer" in cleaned and not cleaned["answer"].strip():
            self.add_error("answer", "Write the answer to mark the question answered.")
        return cleaned


class ResolveForm(forms.Form):
    status = forms.ChoiceField(
        choices=[choice for choice in CHOICES["status"] if choice[0] != "open"],
        widget=forms.RadioSelect,
        label="Outcome",
        initial="answered",
    )
    answer = forms.CharField(
        max_length=LONG_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"The answer and where it came from, or why the question was dropped. Up to {LONG_TEXT_MAX} "
        "characters.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("status") == "answered" and "answer" in cleaned and not cleaned["answer"].strip():
            self.add_error("answer", "Write the answer to mark the question answered.")
        return cleaned


class ScopeImportForm(forms.Form):
    file = forms.FileField(
        label="Scope JSON file",
        help_text=f"A file in the Firstslice scope format (firstslice.scope/1), at most "
        f"{UPLOAD_MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    client = forms.CharField(
        label="Client (optional)",
        max_length=SHORT_TEXT_MAX,
        required=False,
        help_text="Leave empty to use the client named in the file. A client of that name is reused if it exists, "
        "otherwise it is created.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    too_large = False
    upload_error = ""  # set by the view when the body was refused unread

    def clean_file(self) -> object:
        """Read and parse the upload; the parsed JSON replaces the file in ``cleaned_data``."""
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            self.too_large = True
            raise ValidationError(f"The file {too_big_message(upload.size)}")
        try:
            return parse_scope_bytes(upload.read(), max_bytes=UPLOAD_MAX_BYTES)
        except ScopeValidationError as problem:
            raise ValidationError([f"The file {message}" for _path, message in problem.errors]) from None


# --- open questions -------------------------------------------------------------------------------------------


def _editable_project(request: HttpRequest, project_id: int) -> DiscoveryProject:
    project = project_for_user(request.user, project_id)
    if not can_edit_scope(request.user, project):
        raise PermissionDenied("Only the project team and client stakeholders who may edit can change questions.")
    return project


def is_overdue(question: OpenQuestion, today: date) -> bool:
    return question.status == "open" and question.due is not None and question.due < today


def _questions_url(project: DiscoveryProject, question: OpenQuestion | None = None) -> str:
    url = reverse("projects:questions", args=[project.pk])
    return f"{url}#question-{question.pk}" if question is not None else url


@login_required
@require_http_methods(["GET", "POST"])
def question_list(request: HttpRequest, project_id: int) -> HttpResponse:
    """Every question of the project, open ones first by due date, with the add form for editors."""
    project = project_for_user(request.user, project_id)
    can_edit = can_edit_scope(request.user, project)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Only the project team and client stakeholders who may edit can add questions.")
    initial = {"status": "open"}
    if request.GET.get("section") in SECTIONS:  # "Park it as an open question" from a guided step
        initial["section"] = request.GET["section"]
    form = QuestionForm(request.POST or None, initial=initial) if can_edit else None
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
            "can_edit": can_edit,
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
    project = _editable_project(request, project_id)
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
    return render(request, "scoping/questions_form.html", {"project": project, "question": question, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def question_resolve(request: HttpRequest, project_id: int, question_id: int) -> HttpResponse:
    """A small confirmation page (GET) for closing a question as answered or dropped (POST)."""
    project = _editable_project(request, project_id)
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
        {"project": project, "question": question, "form": form},
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
    project = project_for_user(request.user, project_id)
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
    if not request.user.can_create_projects:
        raise PermissionDenied("Only consultants and admins can create projects.")
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
