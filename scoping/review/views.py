"""Review and sign-off pages: submit, accepted risks, the review queue and page, and the signatory's page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from scoping.access import is_admin, is_reviewer, require_firm_staff, resolve_project
from scoping.models import DiscoveryProject, ScopeVersion, SigningOrder, SignOffReminder, SignOffRequest, Stage
from scoping.review import assignment, decisions, identity, reminders, selectors, signatures, submission
from scoping.review.forms import (
    DeclineForm,
    RemindForm,
    ReviewForm,
    RiskAcceptForm,
    SignForm,
    SignoffRequestForm,
    SubmitForm,
)
from scoping.review.stages import WorkflowError, stage_problem
from scoping.scope.readiness import code_title
from scoping.scope.schema import ScopeValidationError
from scoping.signatories import owner_checks, signatories, signoff_statuses

QUEUE_PAGE_SIZE = 50


# --- Submit and accepted risks -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, project_id: int) -> HttpResponse:
    """Confirm and submit the scope for review; shows what stops it when it cannot be submitted."""
    access = resolve_project(request.user, project_id, need="manage")
    project = access.project
    form = SubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = submission.scope_submit(
                project=project, actor=request.user, note=form.cleaned_data["note"], request=request
            )
        except WorkflowError as error:
            form.add_error(None, error.message)
        except ScopeValidationError as error:
            form.add_error(None, f"The scope cannot be frozen: {error}")
        else:
            messages.success(request, f"{version.label} submitted for review. Reviewers have been told.")
            return redirect(project)
    blockers = selectors.submission_blockers(project)
    return render(
        request,
        "scoping/review/submit.html",
        {
            "project": project,
            "access": access,
            "form": form,
            "blockers": blockers,
            "stage_problem": stage_problem(project.stage, Stage.IN_REVIEW),
            "risks": project.accepted_risks.all(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def risks(request: HttpRequest, project_id: int) -> HttpResponse:
    """Blockers of the live scope, each with a form to accept it as a risk; and the risks accepted so far."""
    access = resolve_project(request.user, project_id, need="accept_risks" if request.method == "POST" else "see")
    project = access.project
    failed_form = None
    if request.method == "POST":
        failed_form = _risk_action(request, project)
        if failed_form is None:
            return redirect("projects:risks", project.pk)
    failed_code = request.POST.get("code", "") if failed_form is not None else ""
    blockers, stale = selectors.risks_page(project)
    for row in blockers:
        code = row["finding"].code
        row["form"] = failed_form if failed_code == code else RiskAcceptForm(initial={"code": code})
    return render(
        request,
        "scoping/review/risks.html",
        {"project": project, "access": access, "blockers": blockers, "stale_risks": stale, "tab": "review"},
        status=400 if failed_form is not None else 200,
    )


def _risk_action(request: HttpRequest, project: DiscoveryProject) -> RiskAcceptForm | None:
    """Withdraw or accept a risk as posted; returns the acceptance form with its errors, or None when it is done."""
    if request.POST.get("action") == "withdraw":
        risk = get_object_or_404(project.accepted_risks, pk=request.POST.get("risk_id") or 0)
        try:
            submission.risk_withdraw(risk=risk, actor=request.user, request=request)
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Acceptance of “{code_title(risk.code)}” withdrawn: it blocks submission again.")
        return None
    form = RiskAcceptForm(request.POST)
    if form.is_valid():
        try:
            risk = submission.risk_accept(
                project=project,
                actor=request.user,
                code=form.cleaned_data["code"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            message = f"“{code_title(risk.code)}” accepted as a risk. It is printed in the scope PDF with your reason."
            messages.success(request, message)
            return None
    return form


# --- Review ----------------------------------------------------------------------------------------------------------


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Every project in review that the user can see, the longest-waiting first."""
    require_firm_staff(request.user)
    page = selectors.review_queue_page(user=request.user, page=request.GET.get("page"), per_page=QUEUE_PAGE_SIZE)
    context = {"page": page, "now": timezone.now(), "nav": "reviews", "may_claim": is_reviewer.test(request.user)}
    return render(request, "scoping/review/queue.html", context)


@login_required
def review_assignment(request: HttpRequest, project_id: int) -> HttpResponse:
    """Claim the review, give it back, or (an admin) assign it; then back to the queue or the review page."""
    access = resolve_project(request.user, project_id, need="view_review")  # strangers 404 whatever the method
    project = access.project
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    action = request.POST.get("action")
    try:
        if action == "claim":
            assignment.review_claim(project=project, actor=request.user, request=request)
            messages.success(request, f"You have the review of {project.name}.")
        elif action == "release":
            assignment.review_release(project=project, actor=request.user, request=request)
            messages.success(request, f"The review of {project.name} is back in the queue for anyone to take.")
        elif action == "assign":
            reviewer_id = request.POST.get("reviewer", "")
            if not reviewer_id.isdigit():
                raise WorkflowError("Choose a reviewer from the list.")
            project = assignment.review_assign(
                project=project, actor=request.user, reviewer_id=int(reviewer_id), request=request
            )
            messages.success(request, f"{project.reviewer.display_name} now has the review of {project.name}.")
        else:
            messages.error(request, "Nothing was changed: choose to take, give back or assign the review.")
    except WorkflowError as error:
        messages.error(request, error.message)
    if request.POST.get("back") == "queue":
        return redirect("projects:review_queue")
    return redirect("projects:review", project.pk)


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, project_id: int) -> HttpResponse:
    """The reviewer's page: the version in review, its readiness, what changed, and the decision form."""
    access = resolve_project(request.user, project_id, need="view_review")
    project = access.project
    version = selectors.latest_version(project)
    in_review = project.stage == Stage.IN_REVIEW and version is not None
    open_questions = selectors.open_questions(version)
    form = ReviewForm(
        request.POST or None,
        initial={"version_id": version.pk if version else None},
        open_questions=open_questions,
        version_label=version.label if version else "",
    )
    if request.method == "POST":
        access.require("review")
        if form.is_valid() and _decide(request, project, form):
            return redirect("projects:review_queue")
    may_decide = in_review and access.review
    page = selectors.review_page(
        project=project, version=version, viewer_id=request.user.pk, comment_boxes=form if may_decide else None
    )
    context = {"project": project, "access": access, "form": form, "version": version, "in_review": in_review}
    context.update(page, tab="review", open_questions=open_questions, **_holder_context(request, project))
    return render(request, "scoping/review/review.html", context, status=400 if form.errors else 200)


def _holder_context(request: HttpRequest, project: DiscoveryProject) -> dict:
    """Who has the review and what this person may do about it (take it, give it back, assign it)."""
    may_assign = is_admin.test(request.user)
    return {
        "may_claim": is_reviewer.test(request.user) and project.reviewer_id is None,
        "may_release": project.reviewer_id is not None and (project.reviewer_id == request.user.pk or may_assign),
        "may_assign": may_assign,
        "reviewers": list(assignment.reviewers()) if may_assign else [],
    }


def _decide(request: HttpRequest, project: DiscoveryProject, form: ReviewForm) -> bool:
    """Record the posted decision; True when it is recorded, else the form carries the reason."""
    try:
        decided = _posted_version(project, form)
        saved = decisions.review_record(
            project=project,
            version=decided,
            actor=request.user,
            decision=form.cleaned_data["decision"],
            summary=form.cleaned_data["summary"],
            comments=form.comments(),
            request=request,
        )
    except WorkflowError as error:
        form.add_error(None, error.message)
        return False
    if saved.decision == "approve":
        message = f"{decided.label} approved. The team can now request sign-off."
    else:
        message = f"Changes requested on {decided.label}. The scope is back in draft."
    messages.success(request, message)
    return True


def _posted_version(project: DiscoveryProject, form) -> ScopeVersion:
    """The version a review or sign-off form names; refused unless it is one of this project's."""
    version = ScopeVersion.objects.filter(project=project, pk=form.cleaned_data["version_id"]).first()
    if version is None:
        raise WorkflowError("That version does not belong to this project. Reload the page.")
    return version


# --- Sign-off --------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def signoff(request: HttpRequest, project_id: int) -> HttpResponse:
    """The signatory's page: the exact version as a PDF, its hash, and the sign or decline forms."""
    access = resolve_project(request.user, project_id)
    project = access.project
    page = selectors.signoff_page(project, request.user.pk)
    page.update(_request_context(project, page["version"], access))
    if page["expired_request"]:
        page["may_sign"] = False  # the request ran out: the page says so instead of offering the forms
    initial = {"version_id": page["version"].pk if page["version"] else None}
    action = request.POST.get("action") if request.method == "POST" else ""
    needs_code = bool(page["may_sign"] and identity.code_required(page["mine"].signatory))
    sign_form = SignForm(
        request.POST if action == "sign" else None,
        initial=initial,
        consent_text=page["consent_text"],
        needs_code=needs_code,
    )
    decline_form = DeclineForm(request.POST if action == "decline" else None, initial=initial)
    if request.method == "POST":
        access.require("sign")
        if action == "send_code":
            return _send_code(request, project, may=needs_code)
        form = sign_form if action == "sign" else decline_form if action == "decline" else None
        if form is None:
            raise Http404("Unknown action.")
        if form.is_valid() and _sign_or_decline(request, project, action, form):
            return redirect("projects:signoff", project.pk)
    elif page["may_sign"]:
        reminders.signoff_view_record(project=project, version=page["version"], actor=request.user, request=request)
    page.update(project=project, access=access, sign_form=sign_form, decline_form=decline_form, tab="signoff")
    page["needs_code"] = needs_code
    if needs_code:
        page.update(identity.code_status(project=project, user=request.user))
    shown = page["version"] or getattr(page["expired_request"], "version", None)
    page["timeline"] = (
        reminders.signoff_timeline(project=project, version=shown, with_views=access.manage) if shown else []
    )
    status = 400 if (sign_form.errors or decline_form.errors) else 200
    return render(request, "scoping/review/signoff.html", page, status=status)


def _request_context(project: DiscoveryProject, version: ScopeVersion | None, access) -> dict:
    """The sign-off request around the page: its expiry, its last reminder, and the note once it expired.

    A request counts as expired from its expiry time on, before the hourly job has returned the scope to approved.
    """
    latest = SignOffRequest.objects.filter(project=project).select_related("version").first()
    if latest is not None and version is not None and latest.version_id != version.pk:
        latest = None  # a request of another version: this page is about ``version``
    is_open = latest is not None and latest.is_open and project.stage == Stage.AWAITING_SIGNOFF
    ran_out = is_open and latest.expires_at <= timezone.now()
    # Expired and still the last word: the scope is approved again on the version that ran out (not a newer one).
    expired = ran_out or (
        latest is not None
        and latest.expired_at is not None
        and project.stage == Stage.APPROVED
        and getattr(selectors.latest_version(project), "pk", None) == latest.version_id
    )
    is_open = is_open and not ran_out
    reminded = SignOffReminder.objects.filter(request=latest).order_by("-sent_at", "-id") if is_open else None
    return {
        "signoff_request": latest if is_open else None,
        "expired_request": latest if expired else None,
        "expired_note": signatures.expired_refusal(latest, project) if expired else "",
        "last_reminder": reminded.first() if reminded is not None else None,
        "may_remind": access.manage and is_open,
    }


@login_required
@require_http_methods(["GET", "POST"])
def signoff_remind(request: HttpRequest, project_id: int) -> HttpResponse:
    """Confirm, then e-mail a reminder now to every signatory who has not signed (at most once an hour)."""
    access = resolve_project(request.user, project_id, need="manage")
    project = access.project
    form = RemindForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            people = reminders.signoff_remind_now(project=project, actor=request.user, request=request)
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            names = ", ".join(person.display_name for person in people)
            messages.success(request, f"Reminder sent to {names}.")
            return redirect("projects:signoff", project.pk)
    version = selectors.signoff_version(project)
    pending = [
        status.signatory
        for status in (signoff_statuses(project, version) if version is not None else [])
        if status.state != "signed" and status.signatory.user.pk != request.user.pk
    ]
    context = {"project": project, "access": access, "form": form, "version": version, "pending": pending}
    if project.stage != Stage.AWAITING_SIGNOFF:
        context["problem"] = "This scope is not awaiting sign-off, so there is nobody to remind."
    context["tab"] = "signoff"
    return render(request, "scoping/review/signoff_remind.html", context, status=400 if form.errors else 200)


def _send_code(request: HttpRequest, project: DiscoveryProject, *, may: bool) -> HttpResponse:
    """E-mail the signatory a code to confirm before signing; the page then says where it went."""
    if not may:
        messages.error(request, "There is nothing for you to sign here now, so no code was sent.")
        return redirect("projects:signoff", project.pk)
    try:
        row, _code = identity.signing_code_send(project=project, actor=request.user, request=request)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"We e-mailed a 6-digit code to {identity.masked_email(row.sent_to)}. "
            f"Type it below within {settings.SIGNING_CODE_MINUTES} minutes.",
        )
    return redirect(reverse("projects:signoff", args=[project.pk]) + "#sign-heading")


def _sign_or_decline(request: HttpRequest, project: DiscoveryProject, action: str, form) -> bool:
    """Record the posted signature or refusal; True when it is recorded, else the form carries the reason."""
    if action == "sign" and "code" in form.fields:
        try:  # its own transaction, before the signature's: a wrong try counts even though the signature is refused
            identity.signing_code_confirm(
                project=project, actor=request.user, code=form.cleaned_data["code"], request=request
            )
        except WorkflowError as error:
            form.add_error("code", error.message)
            return False
    try:
        chosen = _posted_version(project, form)
        if action == "sign":
            signatures.signoff_record(
                project=project,
                version=chosen,
                actor=request.user,
                typed_name=form.cleaned_data["typed_name"],
                consent=form.cleaned_data["consent"],
                request=request,
                time_zone=form.cleaned_data.get("time_zone", ""),
            )
        else:
            signatures.signoff_decline(
                project=project, version=chosen, actor=request.user, reason=form.cleaned_data["reason"], request=request
            )
    except WorkflowError as error:
        form.add_error(None, error.message)
        return False
    if action == "sign":
        project.refresh_from_db(fields=["stage", "stage_changed_at"])
        done = " That was the last signature: the scope is signed off." if project.stage == Stage.SIGNED_OFF else ""
        messages.success(request, f"You signed {chosen.label}.{done}")
    else:
        messages.warning(request, f"You declined {chosen.label}. The team has been told; the scope is back in draft.")
    return True


@login_required
@require_http_methods(["GET", "POST"])
def signoff_request(request: HttpRequest, project_id: int) -> HttpResponse:
    """Confirm and send the approved version to every designated signatory."""
    access = resolve_project(request.user, project_id, need="manage")
    project = access.project
    problem = ""
    version = selectors.latest_version(project)
    open_questions = selectors.open_questions(version)
    form = SignoffRequestForm(
        request.POST if request.method == "POST" else None,
        open_questions=open_questions,
        version_label=version.label if version else "",
        project=project,
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = signatures.signoff_request(
                project=project,
                actor=request.user,
                request=request,
                expires_on=form.cleaned_data["expires_on"],
                order=form.cleaned_data["order"],
            )
        except WorkflowError as error:
            problem = error.message
        else:
            asked = "Each signatory" if form.cleaned_data["order"] == SigningOrder.PARALLEL else "The first group"
            messages.success(request, f"Sign-off of {version.label} requested. {asked} has been e-mailed.")
            return redirect("projects:signoff", project.pk)
    return render(
        request,
        "scoping/review/signoff_request.html",
        {
            "project": project,
            "access": access,
            "version": version,
            "signatories": signatories(project),
            "owner_checks": owner_checks(project, version.scope) if version is not None else [],
            "problem": problem or stage_problem(project.stage, Stage.AWAITING_SIGNOFF),
            "tab": "signoff",
            "form": form,
            "open_questions": open_questions,
        },
        status=400 if request.method == "POST" else 200,
    )
