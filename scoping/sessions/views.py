"""Pages of the session record (list, plan, the live session, its minutes) and presenter mode.

Every view resolves the project through the access rule: anyone who sees the project reads its sessions, minutes
and the presenter screen; planning, starting, running and ending a session is for its staff who may change the
scope (``selectors.runs_sessions``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from scoping.access import ProjectAccess, resolve_project
from scoping.models import DiscoverySession
from scoping.scope.catalogue import SECTION_LABELS
from scoping.sessions import selectors
from scoping.sessions import services as session_services
from scoping.sessions.forms import ActionForm, DecisionForm, ParkForm, SessionPlanForm
from scoping.sessions.minutes import session_minutes
from scoping.sessions.presenter import presented_step


def _runner(request: HttpRequest, project_id: int) -> ProjectAccess:
    """The project, for someone who may run its sessions: 404 for a stranger, 403 for anyone else."""
    return resolve_project(request.user, project_id, need="manage").require("edit")


def _session_url(session: DiscoverySession) -> str:
    return reverse("projects:session", args=[session.project_id, session.number])


@login_required
@require_GET
def session_list(request: HttpRequest, project_id: int) -> HttpResponse:
    access = resolve_project(request.user, project_id)
    sessions = list(selectors.sessions_of(access.project))
    return render(
        request,
        "scoping/sessions/list.html",
        {
            "project": access.project,
            "access": access,
            "sessions": sessions,
            "runs_sessions": selectors.runs_sessions(access),
            "live": next((session for session in sessions if session.is_live), None),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_plan(request: HttpRequest, project_id: int) -> HttpResponse:
    access = _runner(request, project_id)
    project = access.project
    staff, clients = selectors.invitable_people(project)
    staff = [user for user in staff if user.pk != request.user.pk]  # the planner facilitates: always there
    form = SessionPlanForm(request.POST or None, staff_users=staff, client_users=clients)
    if request.method == "POST" and form.is_valid():
        try:
            session = session_services.session_plan(
                project=project,
                actor=request.user,
                request=request,
                title=form.cleaned_data["title"],
                staff=form.cleaned_data["staff"],
                participants=form.cleaned_data["participants"],
                guests=form.cleaned_data["guests"],
                agenda=form.cleaned_data["agenda"],
            )
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            messages.success(request, f"{session} is planned. Start it when everyone is there.")
            return redirect(_session_url(session))
    return render(request, "scoping/sessions/plan.html", {"project": project, "access": access, "form": form})


def _session_context(access: ProjectAccess, session: DiscoverySession, **forms) -> dict:
    item = selectors.current_item(session)
    agenda = list(session.agenda.all())
    now = timezone.now()
    notes = list(session.notes.all())
    runs = selectors.runs_sessions(access) and session.is_live
    context = {
        "project": access.project,
        "access": access,
        "session": session,
        "agenda": agenda,
        "item": item,
        "item_ends_at": selectors.item_ends_at(item) if item else None,
        "minutes_left": selectors.item_minutes_left(item, now) if item else None,
        "overrun": selectors.item_overrun_minutes(item, now) if item else 0,
        "now": now,
        "decisions": [note for note in notes if note.kind == "decision"],
        "parked": [note for note in notes if note.kind == "parked"],
        "actions": list(session.actions.order_by("due", "id")),
        "attendees": list(session.attendees.all()),
        "step_labels": SECTION_LABELS,
        "runs_sessions": selectors.runs_sessions(access),
        "may_start": selectors.runs_sessions(access) and session.started_at is None,
        "runs_live": runs,
        "has_next": any(entry.started_at is None for entry in agenda),
    }
    if runs:
        context.update(
            decision_form=forms.get("decision_form") or DecisionForm(),
            action_form=forms.get("action_form") or ActionForm(),
            park_form=forms.get("park_form") or ParkForm(),
        )
    return context


@login_required
@require_GET
def session_detail(request: HttpRequest, project_id: int, number: int) -> HttpResponse:
    """The session: its agenda and timer while live, what was logged, and the way to its minutes."""
    access = resolve_project(request.user, project_id)
    session = selectors.session_of(access, number)
    context = _session_context(access, session)
    if request.GET.get("part") == "live":  # the htmx refresh of the agenda, timer and records
        return render(request, "scoping/sessions/live_part.html", context)
    return render(request, "scoping/sessions/detail.html", context)


def _session_post(
    action: Callable[[HttpRequest, ProjectAccess, DiscoverySession], HttpResponse],
) -> Callable[..., HttpResponse]:
    """A write on one session: strangers 404, people who may not run sessions 403 (whatever the method), then POST."""

    @login_required
    def view(request: HttpRequest, project_id: int, number: int) -> HttpResponse:
        access = _runner(request, project_id)
        session = selectors.session_of(access, number)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            return action(request, access, session)
        except session_services.SessionRefused as refusal:
            messages.error(request, refusal.message)
            return redirect(_session_url(session))

    view.__name__ = action.__name__
    view.__doc__ = action.__doc__
    return view


@_session_post
def session_start(request: HttpRequest, access: ProjectAccess, session: DiscoverySession) -> HttpResponse:
    session_services.session_start(session=session, actor=request.user, request=request)
    messages.success(request, f"{session} has started.")
    return redirect(_session_url(session))


@_session_post
def session_next(request: HttpRequest, access: ProjectAccess, session: DiscoverySession) -> HttpResponse:
    following = session_services.session_next_item(session=session, actor=request.user)
    if following is None:
        messages.info(request, "That was the last item of the agenda. End the session when you are done.")
    else:
        messages.success(request, f"Now on {SECTION_LABELS[following.step]}.")
    return redirect(_session_url(session))


def _rerender(request, access, session, **forms) -> HttpResponse:
    messages.error(request, "Nothing was recorded: correct what is marked below.")
    return render(request, "scoping/sessions/detail.html", _session_context(access, session, **forms), status=400)


def _note_post(
    request, access, session, *, form_class, form_name: str, record, done: str, anchor: str, error_field="text"
):
    """Record one note of a live session from its form: back to the session, or the page again with the form marked."""
    form = form_class(request.POST)
    if form.is_valid():
        try:
            record(form.cleaned_data)
        except ValidationError as problem:
            form.add_error(error_field, ValidationError(problem.messages))
        else:
            messages.success(request, done)
            return redirect(_session_url(session) + anchor)
    return _rerender(request, access, session, **{form_name: form})


@_session_post
def session_decision(request: HttpRequest, access: ProjectAccess, session: DiscoverySession) -> HttpResponse:
    return _note_post(
        request,
        access,
        session,
        form_class=DecisionForm,
        form_name="decision_form",
        record=lambda data: session_services.session_decision_log(
            session=session, actor=request.user, text=data["text"]
        ),
        done="Decision recorded.",
        anchor="#decisions",
    )


@_session_post
def session_park(request: HttpRequest, access: ProjectAccess, session: DiscoverySession) -> HttpResponse:
    return _note_post(
        request,
        access,
        session,
        form_class=ParkForm,
        form_name="park_form",
        record=lambda data: session_services.session_park(session=session, actor=request.user, text=data["text"]),
        done="Parked for later.",
        anchor="#parking-lot",
    )


@_session_post
def session_action(request: HttpRequest, access: ProjectAccess, session: DiscoverySession) -> HttpResponse:
    return _note_post(
        request,
        access,
        session,
        form_class=ActionForm,
        form_name="action_form",
        record=lambda data: session_services.session_action_log(
            session=session, actor=request.user, request=request, **data
        ),
        done="Action recorded; it is on the project's open questions.",
        anchor="#actions",
        error_field=None,  # an action's refusal may be about its owner or due date as well as its text
    )


@_session_post
def session_cancel(request: HttpRequest, access: ProjectAccess, session: DiscoverySession) -> HttpResponse:
    session_services.session_cancel(session=session, actor=request.user, request=request)
    messages.success(request, f"{session} is cancelled. Nobody was told: let the attendees know if they expected it.")
    return redirect("projects:sessions", access.project.pk)


@_session_post
def session_end(request: HttpRequest, access: ProjectAccess, session: DiscoverySession) -> HttpResponse:
    session_services.session_end(session=session, actor=request.user, request=request)
    messages.success(request, f"{session} has ended. Its minutes are below and have been e-mailed to the attendees.")
    return redirect("projects:session_minutes", access.project.pk, session.number)


@login_required
@require_GET
def session_minutes_page(request: HttpRequest, project_id: int, number: int) -> HttpResponse:
    access = resolve_project(request.user, project_id)
    session = selectors.session_of(access, number)
    minutes = session_minutes(session)
    return render(
        request,
        "scoping/sessions/minutes.html",
        {
            "project": access.project,
            "access": access,
            "session": session,
            "minutes": minutes,
            "step_labels": SECTION_LABELS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_minutes_pdf(request: HttpRequest, project_id: int, number: int) -> HttpResponse:
    """The minutes' PDF, made by a Celery job when the session ended: the file once made, else where it stands.

    A POST (the project's team) has it made again, e.g. after a failure.
    """
    access = resolve_project(request.user, project_id, need="manage" if request.method == "POST" else "see")
    session = selectors.session_of(access, number)
    minutes_page = reverse("projects:session_minutes", args=[access.project.pk, session.number])
    if session.ended_at is None:
        messages.info(request, "The PDF of the minutes is made when the session ends.")
        return redirect(minutes_page)
    if request.method == "POST":
        session_services.minutes_pdf_queue(session=session)
        messages.success(request, "The PDF of the minutes is being made again.")
        return redirect(request.path)
    problem = session.minutes_pdf_error
    if session.minutes_pdf and request.GET.get("status") != "1":
        try:
            return FileResponse(
                session.minutes_pdf.open("rb"),
                content_type="application/pdf",
                filename=f"session-{session.number}-minutes.pdf",
            )
        except OSError:
            problem = "The stored PDF of the minutes could not be read. Make it again."
    context = {
        "project": access.project,
        "access": access,
        "session": session,
        "ready": bool(session.minutes_pdf) and not problem,
        "problem": problem,
        "may_retry": access.manage,
    }
    template = "minutes_pdf_state.html" if request.GET.get("status") == "1" else "minutes_pdf_status.html"
    return render(request, f"scoping/sessions/{template}", context)


@login_required
@require_GET
def present(request: HttpRequest, project_id: int) -> HttpResponse:
    """Presenter mode: a clean, large-type screen of the current step for sharing with the client."""
    access = resolve_project(request.user, project_id)
    shown = presented_step(access.project, request.GET.get("step", ""))
    return render(request, "scoping/sessions/present.html", {"project": access.project, "access": access, "p": shown})


@login_required
@require_GET
def present_content(request: HttpRequest, project_id: int) -> HttpResponse:
    """The presenter screen's content alone, fetched again on every live event and every few seconds."""
    access = resolve_project(request.user, project_id)
    shown = presented_step(access.project, request.GET.get("step", ""))
    return render(
        request, "scoping/sessions/present_content.html", {"project": access.project, "access": access, "p": shown}
    )
