"""Review and sign-off pages: submit, accepted risks, the review queue and page, and the signatory's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from documents.models import DocumentStatus, ScopeDocument
from documents.rendering import DocumentMeta, build_document_context
from documents.versioning import changes_by_section, version_diff
from scoping.access import require_firm_staff, resolve_project
from scoping.models import DiscoveryProject, Review, ScopeVersion, Stage
from scoping.projects import selectors
from scoping.review import workflow
from scoping.review.forms import DeclineForm, ReviewForm, RiskAcceptForm, SignForm, SignoffRequestForm, SubmitForm
from scoping.review.workflow import WorkflowError
from scoping.scope.readiness import SECTION_LABELS, code_title, evaluate
from scoping.scope.schema import ScopeValidationError

QUEUE_PAGE_SIZE = 50


def _stage_problem(project: DiscoveryProject, target: str) -> str:
    try:
        workflow.stage_check(project.stage, target)
    except WorkflowError as error:
        return error.message
    return ""


def _version_readiness(version: ScopeVersion):
    """Readiness of a frozen version, judged as on the day it was frozen."""
    return evaluate(version.scope, today=timezone.localtime(version.frozen_at).date())


def _version_sections(version: ScopeVersion) -> list[dict]:
    """The frozen version's content, section by section, worded as in its PDF (the same pure builder)."""
    meta = DocumentMeta(
        kind="proposal",
        version_number=version.number,
        version_sha256=version.sha256,
        frozen_at=version.frozen_at,
        frozen_by=version.frozen_by_name,
        status_label="",
        generated_at=timezone.now(),
    )
    return build_document_context(snapshot=version.scope, meta=meta)["sections"]


def _risk_rows(scope: dict) -> list[dict]:
    return [
        {
            "code": risk.get("code", ""),
            "section": SECTION_LABELS.get(str(risk.get("code", "")).split(".")[0], ""),
            "reason": risk.get("reason", ""),
            "accepted_by": risk.get("accepted_by", ""),
        }
        for risk in scope.get("accepted_risks") or ()
    ]


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
            version = workflow.scope_submit(
                project=project, actor=request.user, note=form.cleaned_data["note"], request=request
            )
        except WorkflowError as error:
            form.add_error(None, error.message)
        except ScopeValidationError as error:
            form.add_error(None, f"The scope cannot be frozen: {error}")
        else:
            messages.success(request, f"{version.label} submitted for review. Reviewers have been told.")
            return redirect(project)
    blockers = workflow.submission_blockers(project)
    return render(
        request,
        "scoping/review/submit.html",
        {
            "project": project,
            "access": access,
            "form": form,
            "blockers": blockers,
            "stage_problem": _stage_problem(project, Stage.IN_REVIEW),
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
    failed_form, failed_code = None, ""
    if request.method == "POST":
        if request.POST.get("action") == "withdraw":
            risk = get_object_or_404(project.accepted_risks, pk=request.POST.get("risk_id") or 0)
            try:
                workflow.risk_withdraw(risk=risk, actor=request.user, request=request)
            except WorkflowError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, f"Acceptance of “{code_title(risk.code)}” withdrawn: it blocks submission again."
                )
            return redirect("projects:risks", project.pk)
        form = RiskAcceptForm(request.POST)
        if form.is_valid():
            try:
                message = _accept(request, project, form)
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, message)
                return redirect("projects:risks", project.pk)
        failed_form, failed_code = form, request.POST.get("code", "")

    readiness = workflow.project_readiness(project)
    accepted = {risk.code: risk for risk in project.accepted_risks.select_related("accepted_by")}
    blockers = []
    seen: set[str] = set()
    for finding in readiness.blockers:
        if finding.code in seen:
            continue  # one acceptance covers every finding with that code
        seen.add(finding.code)
        same_code = [f.message for f in readiness.blockers if f.code == finding.code]
        form = failed_form if failed_code == finding.code else RiskAcceptForm(initial={"code": finding.code})
        blockers.append(
            {
                "finding": finding,
                "messages": same_code,
                "section": SECTION_LABELS.get(finding.section, finding.section),
                "risk": accepted.get(finding.code),
                "form": form,
            }
        )
    blocker_codes = {finding.code for finding in readiness.blockers}
    stale = [risk for code, risk in accepted.items() if code not in blocker_codes]
    return render(
        request,
        "scoping/review/risks.html",
        {"project": project, "access": access, "blockers": blockers, "stale_risks": stale, "tab": "review"},
        status=400 if failed_form is not None else 200,
    )


def _accept(request: HttpRequest, project: DiscoveryProject, form: RiskAcceptForm) -> str:
    risk = workflow.risk_accept(
        project=project,
        actor=request.user,
        code=form.cleaned_data["code"],
        reason=form.cleaned_data["reason"],
        request=request,
    )
    return f"“{code_title(risk.code)}” accepted as a risk. It is printed in the scope PDF with your reason."


# --- Review ----------------------------------------------------------------------------------------------------------


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Every project in review that the user can see, the longest-waiting first."""
    require_firm_staff(request.user)
    latest = ScopeVersion.objects.filter(project=OuterRef("pk")).order_by("-number")
    projects = (
        DiscoveryProject.objects.visible_to(request.user)
        .filter(stage=Stage.IN_REVIEW)
        .select_related("client", "lead_consultant")
        .annotate(
            version_number=Subquery(latest.values("number")[:1]),
            # An explicit output type: SQLite hands back the JSON key as a plain int, not JSON text.
            version_score=Subquery(latest.values("readiness__score")[:1], output_field=IntegerField()),
            accepted_risk_count=Count("accepted_risks", distinct=True),
        )
        .order_by("stage_changed_at", "pk")
    )
    page = Paginator(projects, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "scoping/review/queue.html", {"page": page, "now": timezone.now(), "nav": "reviews"})


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, project_id: int) -> HttpResponse:
    """The reviewer's page: the version in review, its readiness, what changed, and the decision form."""
    access = resolve_project(request.user, project_id, need="view_review")
    project = access.project
    version = workflow.latest_version(project)
    in_review = project.stage == Stage.IN_REVIEW and version is not None
    may_decide = in_review and access.review
    open_questions = _open_questions(version)
    form = ReviewForm(
        request.POST or None,
        initial={"version_id": version.pk if version else None},
        open_questions=open_questions,
        version_label=version.label if version else "",
    )
    if request.method == "POST":
        access.require("review")
        if form.is_valid():
            decided = ScopeVersion.objects.filter(project=project, pk=form.cleaned_data["version_id"]).first()
            try:
                if decided is None:
                    raise WorkflowError("That version does not belong to this project. Reload the page.")
                saved = workflow.review_record(
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
            else:
                if saved.decision == "approve":
                    messages.success(request, f"{decided.label} approved. The team can now request sign-off.")
                else:
                    messages.success(request, f"Changes requested on {decided.label}. The scope is back in draft.")
                return redirect("projects:review_queue")

    context = {
        "project": project,
        "access": access,
        "form": form,
        "version": version,
        "in_review": in_review,
        "tab": "review",
        "open_questions": open_questions,
    }
    if version is not None:
        previous = ScopeVersion.objects.filter(project=project, number__lt=version.number).order_by("-number").first()
        readiness = _version_readiness(version)
        accepted_codes = {str(r.get("code") or "") for r in version.scope.get("accepted_risks") or ()}
        submitter_id = workflow.submitter_of(version)
        changes = version_diff(previous, version) if previous is not None else []
        context.update(
            previous=previous,
            readiness=readiness,
            findings=[
                {
                    "finding": f,
                    "section": SECTION_LABELS.get(f.section, f.section),
                    "accepted": f.code in accepted_codes,
                }
                for f in readiness.findings
            ],
            gates=[
                {"label": SECTION_LABELS[key], "state": state} for key, state in readiness.as_json()["gates"].items()
            ],
            risks=_risk_rows(version.scope),
            changes=changes,
            change_groups=changes_by_section(changes),
            sections=[
                {**section, "comment": form[f"comment_{section['key']}"] if may_decide else None}
                for section in _version_sections(version)
            ],
            own_submission=submitter_id == request.user.pk,
            may_decide=may_decide,
        )
    context["reviews"] = (
        Review.objects.filter(version__project=project)
        .select_related("version", "reviewer")
        .prefetch_related("comments")
    )
    return render(request, "scoping/review/review.html", context, status=400 if form.errors else 200)


# --- Sign-off --------------------------------------------------------------------------------------------------------


def _document_links(project: DiscoveryProject, version: ScopeVersion) -> tuple[list[dict], bool]:
    """Ready PDFs of the version (signed first), and whether one is still being prepared."""
    order = {"signed": 0, "proposal": 1, "draft": 2}
    documents = list(ScopeDocument.objects.filter(version=version).order_by("-created_at"))
    ready = sorted(
        (doc for doc in documents if doc.status == DocumentStatus.READY), key=lambda doc: order.get(doc.kind, 9)
    )
    links = []
    for doc in ready:
        try:
            url = reverse("projects:document_download", args=[project.pk, doc.pk])
        except NoReverseMatch:
            continue
        links.append({"document": doc, "url": url})
    pending = any(doc.status in (DocumentStatus.QUEUED, DocumentStatus.RENDERING) for doc in documents)
    return links, pending


def _signoff_version(project: DiscoveryProject) -> ScopeVersion | None:
    """The version the sign-off page is about: the one out for signature, or the last one that had any."""
    if project.stage in (Stage.AWAITING_SIGNOFF, Stage.SIGNED_OFF):
        return workflow.latest_version(project)
    return ScopeVersion.objects.filter(project=project, signoffs__isnull=False).order_by("-number").first()


@login_required
@require_http_methods(["GET", "POST"])
def signoff(request: HttpRequest, project_id: int) -> HttpResponse:
    """The signatory's page: the exact version as a PDF, its hash, and the sign or decline forms."""
    access = resolve_project(request.user, project_id)
    project = access.project
    version = _signoff_version(project)
    open_for_signature = project.stage == Stage.AWAITING_SIGNOFF and version is not None
    statuses = workflow.signoff_statuses(project, version) if version is not None else []
    mine = next((status for status in statuses if status.signatory.user.pk == request.user.pk), None)
    consent_text = workflow.consent_statement(version=version, project=project) if version is not None else ""
    initial = {"version_id": version.pk if version else None}
    action = request.POST.get("action") if request.method == "POST" else ""
    sign_form = SignForm(request.POST if action == "sign" else None, initial=initial, consent_text=consent_text)
    decline_form = DeclineForm(request.POST if action == "decline" else None, initial=initial)

    if request.method == "POST":
        access.require("sign")
        form = sign_form if action == "sign" else decline_form if action == "decline" else None
        if form is None:
            raise Http404("Unknown action.")
        if form.is_valid():
            chosen = ScopeVersion.objects.filter(project=project, pk=form.cleaned_data["version_id"]).first()
            try:
                if chosen is None:
                    raise WorkflowError("That version does not belong to this project. Reload the page.")
                if action == "sign":
                    workflow.signoff_record(
                        project=project,
                        version=chosen,
                        actor=request.user,
                        typed_name=form.cleaned_data["typed_name"],
                        consent=form.cleaned_data["consent"],
                        request=request,
                    )
                else:
                    workflow.signoff_decline(
                        project=project,
                        version=chosen,
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                        request=request,
                    )
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                if action == "sign":
                    project.refresh_from_db(fields=["stage", "stage_changed_at"])
                    done = (
                        " That was the last signature: the scope is signed off."
                        if project.stage == Stage.SIGNED_OFF
                        else ""
                    )
                    messages.success(request, f"You signed {chosen.label}.{done}")
                else:
                    messages.warning(
                        request, f"You declined {chosen.label}. The team has been told; the scope is back in draft."
                    )
                return redirect("projects:signoff", project.pk)

    documents, pending = _document_links(project, version) if version is not None else ([], False)
    may_sign = open_for_signature and mine is not None and mine.state != "signed"
    return render(
        request,
        "scoping/review/signoff.html",
        {
            "project": project,
            "access": access,
            "version": version,
            "statuses": statuses,
            "mine": mine,
            "may_sign": may_sign,
            "open_for_signature": open_for_signature,
            "consent_text": consent_text,
            "sign_form": sign_form,
            "decline_form": decline_form,
            "documents": documents,
            "documents_pending": pending,
            "tab": "signoff",
        },
        status=400 if (sign_form.errors or decline_form.errors) else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def signoff_request(request: HttpRequest, project_id: int) -> HttpResponse:
    """Confirm and send the approved version to every designated signatory."""
    access = resolve_project(request.user, project_id, need="manage")
    project = access.project
    problem = ""
    version = workflow.latest_version(project)
    open_questions = _open_questions(version)
    form = SignoffRequestForm(
        request.POST if request.method == "POST" else None,
        open_questions=open_questions,
        version_label=version.label if version else "",
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = workflow.signoff_request(project=project, actor=request.user, request=request)
        except WorkflowError as error:
            problem = error.message
        else:
            messages.success(request, f"Sign-off of {version.label} requested. Each signatory has been e-mailed.")
            return redirect("projects:signoff", project.pk)
    return render(
        request,
        "scoping/review/signoff_request.html",
        {
            "project": project,
            "access": access,
            "version": version,
            "signatories": workflow.signatories(project),
            "problem": problem or _stage_problem(project, Stage.AWAITING_SIGNOFF),
            "tab": "signoff",
            "form": form,
            "open_questions": open_questions,
        },
        status=400 if request.method == "POST" else 200,
    )


def _open_questions(version: ScopeVersion | None) -> selectors.OpenQuestionCount:
    if version is None:
        return selectors.OpenQuestionCount(total=0, overdue=0)
    return selectors.version_open_questions(version=version, today=timezone.localdate())
