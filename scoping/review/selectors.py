"""What the review area reads: the latest version and review, what blocks a submission, and its pages' contents.

The services of this area (submission, decisions, signatures) read through the first half; the review, accepted-risk
and sign-off pages build their contents with the second half, so the views only handle the forms.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import IntegerField, OuterRef, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from documents.models import DocumentStatus, ScopeDocument
from documents.print_context import DocumentMeta, build_document_context
from documents.versioning import changes_by_section, version_diff
from scoping.live_scope import export_scope
from scoping.models import ActivityEvent, DiscoveryProject, Review, ScopeVersion, SigningOrder, SignOffRequest, Stage
from scoping.projects.selectors import (
    ListPage,
    OpenQuestionCount,
    accepted_risk_count,
    paginate,
    version_open_questions,
)
from scoping.scope.readiness import SECTION_LABELS, Finding, Readiness, evaluate
from scoping.signatories import signing_group, signoff_statuses, waiting_on

# --------------------------------------------------------------------------------------------------------------------
# Reads the workflow needs (also used by the review pages and template tags)
# --------------------------------------------------------------------------------------------------------------------


def latest_version(project: DiscoveryProject) -> ScopeVersion | None:
    return ScopeVersion.objects.filter(project=project).order_by("-number").first()


def latest_review(project: DiscoveryProject) -> Review | None:
    return (
        Review.objects.filter(version__project=project)
        .select_related("version", "reviewer")
        .order_by("-created_at", "-id")
        .first()
    )


def project_readiness(project: DiscoveryProject) -> Readiness:
    """Readiness of the live scope."""
    return evaluate(export_scope(project), today=timezone.localdate())


def accepted_codes(scope: Mapping) -> set[str]:
    return {str(risk.get("code") or "").strip() for risk in scope.get("accepted_risks") or ()}


def unaccepted_blockers(readiness: Readiness, accepted_codes: set[str]) -> list[Finding]:
    """Blockers that no accepted risk covers: each of these refuses a submission."""
    return [finding for finding in readiness.blockers if finding.code not in accepted_codes]


def submission_blockers(project: DiscoveryProject, scope: Mapping | None = None) -> list[Finding]:
    """What stops the live scope being submitted now: blockers not accepted as risks.

    ``scope``: the live scope when the caller has read it in this request (the overview page), else it is read now.
    """
    scope = scope if scope is not None else export_scope(project)
    return unaccepted_blockers(evaluate(scope, today=timezone.localdate()), accepted_codes(scope))


def submitter_of(version: ScopeVersion) -> int | None:
    """The id of the user who last submitted this version for review (from the audit trail)."""
    event = (
        ActivityEvent.objects.filter(
            project_id=version.project_id, verb="scope_submitted", object_type=ScopeVersion._meta.label
        )
        .filter(object_id=str(version.pk))
        .order_by("-created_at", "-id")
        .first()
    )
    if event is not None and event.actor_id is not None:
        return event.actor_id
    return version.frozen_by_id


def consent_statement(*, version: ScopeVersion, project: DiscoveryProject) -> str:
    """What the signatory agrees to by ticking the box: it names the exact version and its hash."""
    return (
        f"I have read version {version.label} of the scope “{project.name}” for {project.client.name}, "
        f"SHA-256 {version.sha256}, and I agree to it. I accept that typing my full name here is my signature."
    )


def open_questions(version: ScopeVersion | None) -> OpenQuestionCount:
    """Open questions of a version, counted for the warnings on the review and sign-off-request forms."""
    if version is None:
        return OpenQuestionCount(total=0, overdue=0)
    return version_open_questions(version=version, today=timezone.localdate())


# --------------------------------------------------------------------------------------------------------------------
# The review queue
# --------------------------------------------------------------------------------------------------------------------


def review_queue_page(*, user, page: object, per_page: int) -> ListPage:
    """A page of the projects in review that the user can see, the longest-waiting first.

    Walked in the order of the ``project_stage_age`` index (stage, stage_changed_at, id); the version and the
    accepted risks are correlated subqueries, computed for the page's rows only (never a GROUP BY of every project
    in review); the total is counted up to ``COUNT_CAP``. Four queries whatever the number of projects.
    """
    latest = ScopeVersion.objects.filter(project=OuterRef("pk")).order_by("-number")
    projects = (
        DiscoveryProject.objects.visible_to(user)
        .filter(stage=Stage.IN_REVIEW)
        .select_related("client", "lead_consultant", "reviewer")
        .annotate(
            version_number=Subquery(latest.values("number")[:1]),
            # An explicit output type: SQLite hands back the JSON key as a plain int, not JSON text.
            version_score=Subquery(latest.values("readiness__score")[:1], output_field=IntegerField()),
            accepted_risk_count=accepted_risk_count(),
        )
        .order_by("stage_changed_at", "pk")
    )
    return paginate(projects, page=page, per_page=per_page, noun=("scope waiting", "scopes waiting"))


# --------------------------------------------------------------------------------------------------------------------
# The accepted-risks page
# --------------------------------------------------------------------------------------------------------------------


def risks_page(project: DiscoveryProject) -> tuple[list[dict], list]:
    """Each blocker code of the live scope once, with its messages and acceptance; and accepted risks gone stale.

    The page adds the acceptance form to each row.
    """
    readiness = project_readiness(project)
    accepted = {risk.code: risk for risk in project.accepted_risks.select_related("accepted_by")}
    blockers = []
    seen: set[str] = set()
    for finding in readiness.blockers:
        if finding.code in seen:
            continue  # one acceptance covers every finding with that code
        seen.add(finding.code)
        same_code = [f.message for f in readiness.blockers if f.code == finding.code]
        blockers.append(
            {
                "finding": finding,
                "messages": same_code,
                "section": SECTION_LABELS.get(finding.section, finding.section),
                "risk": accepted.get(finding.code),
            }
        )
    blocker_codes = {finding.code for finding in readiness.blockers}
    stale = [risk for code, risk in accepted.items() if code not in blocker_codes]
    return blockers, stale


# --------------------------------------------------------------------------------------------------------------------
# The review page
# --------------------------------------------------------------------------------------------------------------------


def version_readiness(version: ScopeVersion) -> Readiness:
    """The readiness a frozen version was frozen with; it stays as it was when the rules change later."""
    stored = Readiness.from_json(version.readiness)
    return stored if stored is not None else version_rejudged(version)


def version_rejudged(version: ScopeVersion) -> Readiness:
    """A frozen version judged again by today's rules, as on the day it was frozen (prices age from that day)."""
    return evaluate(version.scope, today=timezone.localtime(version.frozen_at).date())


def rules_changed_findings(version: ScopeVersion, stored: Readiness) -> list[Finding]:
    """What today's rules find in a frozen version that its stored result does not: shown apart, never merged."""
    known = {(finding.code, finding.message) for finding in stored.findings}
    return [finding for finding in version_rejudged(version).findings if (finding.code, finding.message) not in known]


def version_sections(version: ScopeVersion) -> list[dict]:
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


def review_page(*, project: DiscoveryProject, version: ScopeVersion | None, viewer_id: int, comment_boxes) -> dict:
    """What the review page shows besides its form: the version's readiness, what changed, and earlier reviews.

    ``comment_boxes`` is the decision form when the viewer may decide (each section then carries its comment
    field, ``comment_<key>``), else None.
    """
    page: dict = {}
    if version is not None:
        previous = ScopeVersion.objects.filter(project=project, number__lt=version.number).order_by("-number").first()
        readiness = version_readiness(version)
        accepted = {str(r.get("code") or "") for r in version.scope.get("accepted_risks") or ()}
        newer_rules = rules_changed_findings(version, readiness)
        changes = version_diff(previous, version) if previous is not None else []
        page.update(
            previous=previous,
            readiness=readiness,
            findings=[
                {"finding": f, "section": SECTION_LABELS.get(f.section, f.section), "accepted": f.code in accepted}
                for f in readiness.findings
            ],
            newer_rules_findings=[
                {"finding": f, "section": SECTION_LABELS.get(f.section, f.section), "accepted": f.code in accepted}
                for f in newer_rules
            ],
            gates=[
                {"label": SECTION_LABELS[key], "state": state} for key, state in readiness.as_json()["gates"].items()
            ],
            risks=_risk_rows(version.scope),
            changes=changes,
            change_groups=changes_by_section(changes),
            sections=[
                {
                    **section,
                    "comment": comment_boxes[f"comment_{section['key']}"] if comment_boxes is not None else None,
                }
                for section in version_sections(version)
            ],
            own_submission=submitter_of(version) == viewer_id,
            may_decide=comment_boxes is not None,
        )
    page["reviews"] = (
        Review.objects.filter(version__project=project)
        .select_related("version", "reviewer")
        .prefetch_related("comments")
    )
    return page


# --------------------------------------------------------------------------------------------------------------------
# The sign-off page
# --------------------------------------------------------------------------------------------------------------------


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


def signoff_version(project: DiscoveryProject) -> ScopeVersion | None:
    """The version the sign-off page is about: the one out for signature, or the last one that had any."""
    if project.stage in (Stage.AWAITING_SIGNOFF, Stage.SIGNED_OFF):
        return latest_version(project)
    return ScopeVersion.objects.filter(project=project, signoffs__isnull=False).order_by("-number").first()


def signoff_page(project: DiscoveryProject, viewer_id: int) -> dict:
    """What the sign-off page shows besides its forms: the version, who signed it, the consent text and the PDFs."""
    version = signoff_version(project)
    open_for_signature = project.stage == Stage.AWAITING_SIGNOFF and version is not None
    statuses = signoff_statuses(project, version) if version is not None else []
    mine = next((status for status in statuses if status.signatory.user.pk == viewer_id), None)
    documents, pending = _document_links(project, version) if version is not None else ([], False)
    row = SignOffRequest.objects.open().filter(project=project, version=version).first() if version else None
    order = row.order if row is not None else SigningOrder.PARALLEL
    before = waiting_on(statuses, order, mine.signatory) if mine is not None and open_for_signature else []
    return {
        "version": version,
        "statuses": statuses,
        "mine": mine,
        "signing_order": row.get_order_display() if row is not None and order != SigningOrder.PARALLEL else "",
        "signatory_rows": [(status, signing_group(status.signatory, order)) for status in statuses],
        "waiting_on": before,
        "may_sign": open_for_signature and mine is not None and mine.state != "signed" and not before,
        "open_for_signature": open_for_signature,
        "consent_text": consent_statement(version=version, project=project) if version is not None else "",
        "documents": documents,
        "documents_pending": pending,
    }
