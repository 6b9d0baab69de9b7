"""The pipeline board beside the list: columns by stage, moves, the CSV of what it shows, and saved views.

A move on the board is the same stage change as the button on the project's pages: it calls the same service
(``scope_submit``, ``review_record``, ``signoff_request``), after the same form checks, and a refused move shows the
service's sentence on the board. The board is a page over every area, like the project overview, so it may import
the review area (see the ``areas`` contract in pyproject.toml).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from accounts.models import Role, SavedView, User
from scoping.access import ProjectAccess, resolve_project
from scoping.models import Stage
from scoping.projects import board_selectors
from scoping.projects.board_selectors import BLOCKED, READY, BoardFilters
from scoping.projects.forms import ProjectFilterForm
from scoping.projects.widgets import QuickSelect
from scoping.review import decisions, signatures, submission
from scoping.review import selectors as review_selectors
from scoping.review.forms import ReviewForm, SignoffRequestForm
from scoping.review.stages import WorkflowError, stage_problem
from scoping.scope import board_charts
from scoping.scope.schema import ScopeValidationError

SAVED_VIEWS_MAX = 50


# --- filters -------------------------------------------------------------------------------------------------------


class LeadChoices(forms.models.ModelChoiceIterator):
    """(pk, display name) pairs read with ``values_list``: no model instance per option."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, first, last, username in self.queryset.values_list("pk", "first_name", "last_name", "username"):
            yield (pk, f"{first} {last}".strip() or username)


class LeadChoiceField(forms.ModelChoiceField):
    iterator = LeadChoices


class BoardFilterForm(ProjectFilterForm):
    """The list's filters (same names, so a link carries them across) plus lead, readiness and overdue."""

    stage = forms.ChoiceField(
        required=False,
        choices=[("", "All stages"), *Stage.choices],
        widget=QuickSelect(attrs={"class": "form-select"}),
    )
    lead = LeadChoiceField(
        required=False,
        queryset=User.objects.filter(role__in=(Role.CONSULTANT, Role.ADMIN), is_active=True).order_by(
            "first_name", "last_name", "username"
        ),
        empty_label="All leads",
        widget=QuickSelect(attrs={"class": "form-select"}),
    )
    readiness = forms.ChoiceField(
        required=False,
        choices=[("", "Any readiness"), (READY, "Ready"), (BLOCKED, "Has blockers")],
        widget=QuickSelect(attrs={"class": "form-select"}),
    )
    overdue = forms.BooleanField(required=False, label="Only overdue decisions")

    FIELDS = ("q", "stage", "client", "client_name", "lead", "readiness", "overdue")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_valid()  # bad filter values are ignored, never a 500

    @property
    def values(self) -> dict:
        return getattr(self, "cleaned_data", {})

    def board_filters(self) -> BoardFilters:
        data = self.values
        client, lead = data.get("client"), data.get("lead")
        return BoardFilters(
            query=data.get("q") or "",
            stage=data.get("stage") or "",
            client_id=client.pk if client else None,
            client_query=data.get("client_query") or "",
            lead_id=lead.pk if lead else None,
            readiness=data.get("readiness") or "",
            overdue=bool(data.get("overdue")),
        )

    def querystring(self, *, only: Iterable[str] | None = None, **override) -> str:
        """The valid filters as a query string, in a fixed order; ``only`` keeps the names the list understands.

        A typed client name that picked one client is carried as that client's id; only part of a name stays text.
        """
        data = {**self.values, **override}
        data["client_name"] = data.get("client_query") or ""
        pairs = []
        for name in only or self.FIELDS:
            value = data.get(name)
            if value in (None, "", False):
                continue
            pairs.append((name, "1" if value is True else getattr(value, "pk", value)))
        return urlencode(pairs)

    @property
    def active(self) -> bool:
        return bool(self.querystring())


def _filters(request: HttpRequest, source: QueryDict | None = None) -> BoardFilterForm:
    source = request.GET if source is None else source
    data = source.copy()
    data.pop("page", None)
    return BoardFilterForm(data or None)


def _board_url(querystring: str) -> str:
    return reverse("projects:board") + (f"?{querystring}" if querystring else "")


# --- moves ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    action: str
    target: str
    label: str
    capability: str
    asks_about_open_questions: bool = False


MOVES: dict[str, Move] = {
    move.action: move
    for move in (
        Move("submit", Stage.IN_REVIEW, "Submit for review", "manage"),
        Move("approve", Stage.APPROVED, "Approve", "review", asks_about_open_questions=True),
        Move("request_signoff", Stage.AWAITING_SIGNOFF, "Request sign-off", "manage", asks_about_open_questions=True),
    )
}


def moves_for(access: ProjectAccess) -> list[Move]:
    """The moves this person may make from the card's stage: those the stage table allows and their role permits.

    Requesting changes needs comments and signing needs the signatory's page, so those stay on their own pages.
    """
    project = access.project
    return [
        move
        for move in MOVES.values()
        if getattr(access, move.capability)
        and not project.is_archived
        and not stage_problem(project.stage, move.target)
    ]


def _perform(request: HttpRequest, access: ProjectAccess, move: Move) -> str:
    """Run the move through its service; returns the success message, or raises WorkflowError with the reason."""
    project, actor = access.project, request.user
    confirmed = {"confirm_open_questions": request.POST.get("confirm_open_questions", "")}
    if move.action == "submit":
        try:
            version = submission.scope_submit(project=project, actor=actor, request=request)
        except ScopeValidationError as error:
            raise WorkflowError(f"The scope cannot be frozen: {error}") from None
        return f"{version.label} of “{project.name}” submitted for review. Reviewers have been told."
    version = review_selectors.latest_version(project)
    if version is None:
        raise WorkflowError("This scope has no frozen version yet. Submit it for review first.")
    questions = review_selectors.open_questions(version)
    if move.action == "approve":
        form = ReviewForm(
            {"decision": "approve", "version_id": version.pk, **confirmed},
            open_questions=questions,
            version_label=version.label,
        )
        _require_valid(form)
        decisions.review_record(project=project, version=version, actor=actor, decision="approve", request=request)
        return f"{version.label} of “{project.name}” approved. The team can now request sign-off."
    # The signing window is the form's default (the latest day allowed), as on the sign-off page left unchanged.
    form = SignoffRequestForm(confirmed, open_questions=questions, version_label=version.label, project=project)
    _require_valid(form)
    version = signatures.signoff_request(
        project=project, actor=actor, request=request, expires_on=form.cleaned_data.get("expires_on")
    )
    return f"Sign-off of {version.label} of “{project.name}” requested. Each signatory has been e-mailed."


def _require_valid(form: forms.Form) -> None:
    if not form.is_valid():
        raise WorkflowError(" ".join(message for errors in form.errors.values() for message in errors))


# --- pages ---------------------------------------------------------------------------------------------------------


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The board: one column per stage, capped; filtered to one stage, that column pages through every project."""
    filters = _filters(request)
    page_number = request.GET.get("page", "1")
    now = timezone.now()
    page = board_selectors.board_page(
        user=request.user,
        filters=filters.board_filters(),
        now=now,
        page=int(page_number) if page_number.isdigit() else 1,
    )
    for column in page.columns:
        for card in column.cards:
            card.moves = moves_for(board_selectors.card_access(request.user, card))
            card.asks_about_open_questions = card.open_question_count and any(
                move.asks_about_open_questions for move in card.moves
            )
    querystring = filters.querystring()
    staff = request.user.is_firm_staff
    context = {
        "filters": filters,
        "page": page,
        "querystring": querystring,
        "list_querystring": filters.querystring(only=("q", "stage", "client", "client_name")),
        "list_drops_filters": bool(filters.querystring(only=("lead", "readiness", "overdue"))),
        # The chart module escapes every text it writes.
        "funnel_svg": mark_safe(board_charts.funnel_svg(page.funnel)),  # noqa: S308
        "funnel_summary": board_charts.chart_summary(page.funnel),
        "ageing_svg": mark_safe(board_charts.ageing_svg(page.ageing)),  # noqa: S308
        "ageing_summary": board_charts.chart_summary(page.ageing),
        "workload": board_selectors.reviewer_workload(
            user=request.user, filters=filters.board_filters(), today=now.date(), in_review=page.in_review
        )
        if staff
        else None,
        "saved_views": board_selectors.saved_views_of(request.user),
        "save_form": SavedViewForm(),
        "nav": "projects",
    }
    return render(request, "scoping/board/board.html", context)


@login_required
def board_move(request: HttpRequest, project_id: int) -> HttpResponse:
    """Move one card: the stage change of the matching button, through the same service; back to the board."""
    access = resolve_project(request.user, project_id)
    if request.method != "POST":  # after the access check, so a stranger gets 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    back = _board_url(_filters(request, QueryDict(request.POST.get("filters", ""))).querystring())
    move = MOVES.get(request.POST.get("action", ""))
    if move is None:
        messages.error(request, "Choose where to move the card, then press Move.")
        return redirect(back)
    access.require(move.capability)
    try:
        done = _perform(request, access, move)
    except WorkflowError as error:
        messages.error(request, f"“{access.project.name}” was not moved. {error.message}")
    else:
        messages.success(request, done)
    return redirect(back)


def _spreadsheet_safe(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ (or a tab or return) gets a leading quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(board_selectors.EXPORT_HEADER)
    for row in rows:
        yield writer.writerow([_spreadsheet_safe(cell) for cell in row])


@login_required
def board_export(request: HttpRequest) -> StreamingHttpResponse:
    """Every project the filters show, as CSV, streamed row by row (100,000 projects never sit in memory)."""
    filters = _filters(request)
    now = timezone.now()
    rows = board_selectors.export_rows(user=request.user, filters=filters.board_filters(), now=now)
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="scope-pipeline-{now.date().isoformat()}.csv"'
    return response


# --- saved views ---------------------------------------------------------------------------------------------------


class SavedViewForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Name these filters",
        help_text="e.g. My overdue decisions. Saving under a name you already use replaces it.",
        error_messages={"required": "Give the view a name, e.g. My overdue decisions."},
    )
    filters = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)


@transaction.atomic
def saved_view_save(*, user, name: str, query_string: str) -> SavedView:
    """Save (or replace, under the same name) one person's board filters."""
    existing = SavedView.objects.select_for_update().filter(user=user)
    if not existing.filter(name=name).exists() and existing.count() >= SAVED_VIEWS_MAX:
        raise ValidationError(f"You have {SAVED_VIEWS_MAX} saved views, the most there can be. Delete one first.")
    try:
        view, _created = SavedView.objects.update_or_create(
            user=user, name=name, defaults={"query_string": query_string}
        )
    except IntegrityError:  # the same name saved twice at once
        raise ValidationError("A view of that name was saved just now. Try again.") from None
    return view


@transaction.atomic
def saved_view_delete(*, saved_view: SavedView) -> None:
    SavedView.objects.filter(pk=saved_view.pk).delete()


@login_required
@require_http_methods(["POST"])
def saved_view_create(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    querystring = _filters(request, QueryDict(request.POST.get("filters", ""))).querystring()
    if form.is_valid():
        try:
            view = saved_view_save(user=request.user, name=form.cleaned_data["name"].strip(), query_string=querystring)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"View “{view.name}” saved. It is listed above the board; only you see it.")
    else:
        messages.error(request, " ".join(form.errors.get("name", ["The view could not be saved."])))
    return redirect(_board_url(querystring))


@login_required
@require_http_methods(["GET", "POST"])
def saved_view_remove(request: HttpRequest, view_id: int) -> HttpResponse:
    """Confirm, then delete one of the person's own saved views (anyone else's is 404)."""
    view = get_object_or_404(board_selectors.saved_views_of(request.user), pk=view_id)
    if request.method == "POST":
        saved_view_delete(saved_view=view)
        messages.success(request, f"View “{view.name}” deleted.")
        return redirect("projects:board")
    return render(
        request,
        "scoping/confirm.html",
        {
            "title": f"Delete the saved view “{view.name}”?",
            "message": "Only the name and the filters are deleted; no project changes.",
            "confirm_label": "Delete view",
            "cancel_url": _board_url(view.query_string),
        },
    )
