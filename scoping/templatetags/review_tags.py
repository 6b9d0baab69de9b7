"""Template tags of the review area: the overview box, review comments on the steps, accepted-risk notes."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from scoping.access import is_firm_staff
from scoping.models import AcceptedRisk, ReviewDecision, Stage
from scoping.review import selectors, stages
from scoping.scope.readiness import SECTION_LABELS, code_title
from scoping.signatories import signatories, signoff_statuses

register = template.Library()


@register.inclusion_tag("scoping/review/overview.html", takes_context=True)
def review_overview(context, project):
    """Stage, what to do next (or why it cannot be done), accepted risks, and the signatories' status."""
    user = context.get("user")
    access = context["access"]
    version = selectors.latest_version(project)
    last_review = selectors.latest_review(project)
    status = context.get("status")  # the overview's one read of the live scope, shared with the readiness box
    scope = status.scope if status is not None else None
    blockers = selectors.submission_blockers(project, scope) if project.stage == Stage.DRAFT else []
    submit_problem = ""
    try:
        stages.stage_check(project.stage, Stage.IN_REVIEW)
    except stages.WorkflowError as error:
        submit_problem = error.message
    signing = project.stage in (Stage.AWAITING_SIGNOFF, Stage.SIGNED_OFF)
    statuses = signoff_statuses(project, version) if signing else []
    mine = next((s for s in statuses if user is not None and s.signatory.user.pk == user.pk), None)
    return {
        "project": project,
        "user": user,
        "access": access,
        "version": version,
        "last_review": last_review,
        "changes_requested": bool(
            last_review is not None
            and last_review.decision == ReviewDecision.REQUEST_CHANGES
            and version is not None
            and last_review.version_id == version.pk
            and project.stage == Stage.DRAFT
        ),
        "blockers": blockers,
        "submit_problem": submit_problem,
        "risks": list(project.accepted_risks.all()),
        "signatories": signatories(project) if not signing else [],
        "statuses": statuses,
        "my_signature_pending": bool(
            mine is not None and mine.state != "signed" and project.stage == Stage.AWAITING_SIGNOFF
        ),
    }


@register.inclusion_tag("scoping/review/section_comments.html")
def review_comments_for(project, section_key: str):
    """The reviewer's comments on one step, while the scope is back in draft after changes were requested.

    They show until a new version is frozen: the next submission is the answer to them.
    """
    comments = []
    review = None
    # A scope never frozen has no review: the version is read first, so the common draft costs one query.
    version = selectors.latest_version(project) if project is not None and project.stage == Stage.DRAFT else None
    if version is not None:
        review = selectors.latest_review(project)
        if review is not None and review.decision == ReviewDecision.REQUEST_CHANGES and review.version_id == version.pk:
            comments = [comment for comment in review.comments.all() if comment.section == section_key]
    return {
        "review": review,
        "comments": comments,
        "section_label": SECTION_LABELS.get(section_key, section_key),
    }


@register.inclusion_tag("scoping/review/accepted_risks_note.html")
def accepted_risks_note(project):
    """A one-line note for wherever the readiness score is shown: how many blockers are accepted as risks."""
    risks = list(AcceptedRisk.objects.filter(project=project).only("code", "reason", "accepted_by_name"))
    return {"project": project, "risks": risks}


@register.filter
def section_label(section_key: str) -> str:
    """The readable name of a scope section key, e.g. "Data path" for data_path."""
    return SECTION_LABELS.get(section_key, section_key)


@register.filter
def rule_title(code: str) -> str:
    """The plain title of a readiness rule code, for everyone to read (the code itself is for staff)."""
    return code_title(code)


@register.simple_tag(takes_context=True)
def rule_code(context, code: str) -> str:
    """The rule code itself, folded in a detail, for consultancy staff only; nothing for anyone else."""
    user = context.get("user")
    if user is None or not user.is_authenticated or not is_firm_staff.test(user):
        return ""
    return format_html('<details class="rule-code"><summary>Rule code</summary><code>{}</code></details>', code)
