"""The project stage machine: submit for review, accept risks, review, sign-off.

Every stage change goes through :data:`ALLOWED`, one explicit table of the moves DESIGN.md permits. A move that is
not in the table is refused with a :class:`WorkflowError` whose message says, to a person, why and what to do.

Review and sign-off always refer to a frozen :class:`ScopeVersion`: submitting freezes one, reviews and signatures
name one, and a signature stays on the version it was given for (editing a signed scope starts a new draft).
Each service locks the project row first, so two people acting at once (two last signatures, a review racing an
edit) are serialised and the stage is decided on fresh data.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from config.client_ip import client_ip
from reports.services import document_request

from . import notifications
from .access import is_project_staff
from .live_scope import export_scope
from .models import (
    AcceptedRisk,
    ActivityEvent,
    DiscoveryProject,
    Review,
    ReviewComment,
    ReviewDecision,
    ScopeVersion,
    SignOff,
    SignOffDecision,
    Stage,
)
from .readiness import SECTION_LABELS, SECTIONS, Finding, Readiness, evaluate
from .services import activity_record, readiness_refresh
from .signatories import Signatory, SignatoryStatus, signatories, signoff_statuses
from .versioning import version_freeze

logger = logging.getLogger(__name__)

__all__ = [
    "ALLOWED",
    "REOPENS_ON_EDIT",
    "Signatory",
    "SignatoryStatus",
    "WorkflowError",
    "EditConsequence",
    "client_edit_refusal",
    "consent_statement",
    "scope_edit_consequence",
    "latest_review",
    "latest_version",
    "project_readiness",
    "review_record",
    "reviewable_by",
    "risk_accept",
    "risk_withdraw",
    "scope_reopen",
    "scope_submit",
    "signatories",
    "signoff_decline",
    "signoff_record",
    "signoff_request",
    "signoff_statuses",
    "stage_check",
    "submission_blockers",
    "submitter_of",
    "unaccepted_blockers",
]

# The only stage changes there are. (from, to) -> what causes it.
ALLOWED: dict[tuple[str, str], str] = {
    (Stage.DRAFT, Stage.IN_REVIEW): "submitted for review",
    (Stage.IN_REVIEW, Stage.APPROVED): "approved by a reviewer",
    (Stage.IN_REVIEW, Stage.CHANGES_REQUESTED): "changes requested by a reviewer",
    (Stage.CHANGES_REQUESTED, Stage.DRAFT): "returned to draft for the changes",
    (Stage.APPROVED, Stage.AWAITING_SIGNOFF): "sign-off requested",
    (Stage.AWAITING_SIGNOFF, Stage.SIGNED_OFF): "signed by every signatory",
    (Stage.AWAITING_SIGNOFF, Stage.DRAFT): "sign-off declined, or the scope was edited",
    # Editing a frozen scope starts a new draft (signatures stay on the version they were given for).
    (Stage.IN_REVIEW, Stage.DRAFT): "edited while in review",
    (Stage.APPROVED, Stage.DRAFT): "edited after approval",
    (Stage.SIGNED_OFF, Stage.DRAFT): "edited after sign-off",
    **{(stage, Stage.ARCHIVED): "archived" for stage in Stage.values if stage != Stage.ARCHIVED},
}

# Stages a scope edit takes back to draft (see scoping.workflow_hooks.after_scope_edit).
REOPENS_ON_EDIT: tuple[str, ...] = (
    Stage.IN_REVIEW,
    Stage.CHANGES_REQUESTED,
    Stage.APPROVED,
    Stage.AWAITING_SIGNOFF,
    Stage.SIGNED_OFF,
)

# Stages a scope edit withdraws from someone's hands: the step says so beforehand and the save needs a confirmation.
WITHDRAWN_BY_EDIT: tuple[str, ...] = (Stage.IN_REVIEW, Stage.APPROVED, Stage.AWAITING_SIGNOFF, Stage.SIGNED_OFF)
# Client participants with editing rights edit only these; afterwards the scope is in the consultancy's hands.
CLIENT_EDITABLE: tuple[str, ...] = (Stage.DRAFT, Stage.CHANGES_REQUESTED)

# (what saving does, as a sentence; the same in a clause for the confirmation) for each stage an edit withdraws.
_EDIT_CONSEQUENCES = {
    Stage.IN_REVIEW: (
        "This scope is in review as {label}; saving withdraws it from review and starts a new draft.",
        "saving withdraws {label} from review and starts a new draft",
    ),
    Stage.APPROVED: (
        "This scope is approved as {label}; saving withdraws the approval and starts a new draft, "
        "which needs review again.",
        "saving withdraws the approval of {label} and starts a new draft",
    ),
    Stage.AWAITING_SIGNOFF: (
        "This scope is awaiting sign-off as {label}; saving withdraws the sign-off request and starts a new draft, "
        "which needs review and sign-off again.",
        "saving withdraws the sign-off request for {label} and starts a new draft",
    ),
    Stage.SIGNED_OFF: (
        "This scope is signed off as {label}; saving starts a new draft. The signatures stay on {label}, "
        "and the new version needs review and sign-off again.",
        "saving starts a new draft after the signed-off {label}",
    ),
}

_WHAT_THE_MOVE_IS = {
    Stage.DRAFT: "returned to draft",
    Stage.IN_REVIEW: "submitted for review",
    Stage.CHANGES_REQUESTED: "sent back for changes",
    Stage.APPROVED: "approved",
    Stage.AWAITING_SIGNOFF: "sent for sign-off",
    Stage.SIGNED_OFF: "signed off",
    Stage.ARCHIVED: "archived",
}

# "This scope is ..." for each stage.
STAGE_PHRASES = {
    Stage.DRAFT: "a draft",
    Stage.IN_REVIEW: "in review",
    Stage.CHANGES_REQUESTED: "waiting for the changes a reviewer requested",
    Stage.APPROVED: "approved",
    Stage.AWAITING_SIGNOFF: "awaiting sign-off",
    Stage.SIGNED_OFF: "signed off",
    Stage.ARCHIVED: "archived",
}

_WHAT_TO_DO_NOW = {
    Stage.DRAFT: "Finish the scope and submit it for review first.",
    Stage.IN_REVIEW: "A reviewer decides on it next.",
    Stage.CHANGES_REQUESTED: "Make the requested changes, then submit it again.",
    Stage.APPROVED: "The next step is to request sign-off.",
    Stage.AWAITING_SIGNOFF: "The signatories have been asked to sign it.",
    Stage.SIGNED_OFF: "Editing the scope starts a new draft.",
    Stage.ARCHIVED: "Nothing in it can change any more.",
}

TYPED_NAME_MAX = 200
REASON_MIN_LENGTH = 10
TEXT_MAX = 5000


class WorkflowError(Exception):
    """A workflow action that is not allowed now; the message says why and what to do, for a person to read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------------------------------------------------
# The stage machine
# --------------------------------------------------------------------------------------------------------------------


def stage_check(current: str, target: str) -> None:
    """Raise WorkflowError unless (current -> target) is in ALLOWED."""
    if (current, target) in ALLOWED:
        return
    phrase = STAGE_PHRASES.get(current, "in an unknown stage")
    if current == target:
        raise WorkflowError(f"This scope is already {phrase}.")
    move = _WHAT_THE_MOVE_IS.get(target, "moved there")
    hint = _WHAT_TO_DO_NOW.get(current, "")
    raise WorkflowError(f"This scope is {phrase}, so it cannot be {move}. {hint}".strip())


def _lock(project: DiscoveryProject) -> DiscoveryProject:
    """The project row, locked until the transaction ends, with fresh values."""
    return DiscoveryProject.objects.select_for_update().select_related("client", "lead_consultant").get(pk=project.pk)


def _move(locked: DiscoveryProject, target: str, *, original: DiscoveryProject | None = None) -> tuple[str, str]:
    """Change the stage of a locked project along ALLOWED; returns (from, to) for the audit trail."""
    current = locked.stage
    stage_check(current, target)
    locked.stage = target
    locked.stage_changed_at = timezone.now()
    locked.save(update_fields=["stage", "stage_changed_at", "updated_at"])
    if original is not None and original is not locked:
        original.stage, original.stage_changed_at = locked.stage, locked.stage_changed_at
    return current, target


def _refuse_if_archived(project: DiscoveryProject) -> None:
    if project.stage == Stage.ARCHIVED:
        raise WorkflowError("This project is archived and read-only.")


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


def _accepted_codes(scope: Mapping) -> set[str]:
    return {str(risk.get("code") or "").strip() for risk in scope.get("accepted_risks") or ()}


def unaccepted_blockers(readiness: Readiness, accepted_codes: set[str]) -> list[Finding]:
    """Blockers that no accepted risk covers: each of these refuses a submission."""
    return [finding for finding in readiness.blockers if finding.code not in accepted_codes]


def submission_blockers(project: DiscoveryProject, scope: Mapping | None = None) -> list[Finding]:
    """What stops the live scope being submitted now: blockers not accepted as risks.

    ``scope``: the live scope when the caller has read it in this request (the overview page), else it is read now.
    """
    scope = scope if scope is not None else export_scope(project)
    return unaccepted_blockers(evaluate(scope, today=timezone.localdate()), _accepted_codes(scope))


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


def reviewable_by(user) -> bool:
    """Reviewers and admins decide on versions in review."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.role in ("reviewer", "admin"))
    )


def consent_statement(*, version: ScopeVersion, project: DiscoveryProject) -> str:
    """What the signatory agrees to by ticking the box: it names the exact version and its hash."""
    return (
        f"I have read version {version.label} of the scope “{project.name}” for {project.client.name}, "
        f"SHA-256 {version.sha256}, and I agree to it. I accept that typing my full name here is my signature."
    )


# --------------------------------------------------------------------------------------------------------------------
# Submit for review, and accepted risks
# --------------------------------------------------------------------------------------------------------------------


def _require_project_staff(actor, project: DiscoveryProject, doing: str) -> None:
    if not is_project_staff(actor, project):
        raise WorkflowError(f"Only the project's consultancy team can {doing}.")


@transaction.atomic
def scope_submit(
    *, project: DiscoveryProject, actor, note: str = "", request: HttpRequest | None = None
) -> ScopeVersion:
    """Freeze the scope as a version and put it in review.

    Refused while the readiness engine reports a blocker that is not accepted as a risk. The check runs on the
    frozen snapshot itself (accepted risks are part of it), so what the reviewer sees is exactly what passed.
    """
    locked = _lock(project)
    _refuse_if_archived(locked)
    _require_project_staff(actor, locked, "submit the scope for review")
    stage_check(locked.stage, Stage.IN_REVIEW)

    previous = latest_version(locked)
    previous_review = latest_review(locked)
    version = version_freeze(project=locked, actor=actor, note=(note or "").strip()[:TEXT_MAX], request=request)
    snapshot = version.scope
    readiness = evaluate(snapshot, today=timezone.localdate())
    open_blockers = unaccepted_blockers(readiness, _accepted_codes(snapshot))
    if open_blockers:
        listed = "; ".join(
            f"{SECTION_LABELS.get(f.section, f.section)}: {f.message.rstrip('.')}" for f in open_blockers[:5]
        )
        more = f"; and {len(open_blockers) - 5} more" if len(open_blockers) > 5 else ""
        count = f"{len(open_blockers)} blocker{'s are' if len(open_blockers) > 1 else ' is'}"
        # Raising rolls the freeze back as well: a refused submission leaves no version behind.
        raise WorkflowError(
            f"This scope cannot be submitted yet: {count} open and not accepted as a risk. "
            f"Close each gap, or accept it as a risk with a written reason. Open: {listed}{more}."
        )
    if (
        previous is not None
        and version.pk == previous.pk
        and previous_review is not None
        and previous_review.version_id == version.pk
        and previous_review.decision == ReviewDecision.REQUEST_CHANGES
    ):
        raise WorkflowError(
            f"Nothing has changed since {version.label} was sent back for changes. "
            "Make the changes the reviewer asked for, then submit again."
        )

    moved = _move(locked, Stage.IN_REVIEW, original=project)
    activity_record(
        actor=actor,
        verb="scope_submitted",
        request=request,
        project=locked,
        obj=version,
        object_repr=f"{version.label} ({version.short_hash})",
        changes={
            "stage": list(moved),
            "version": version.label,
            "sha256": version.sha256,
            "accepted_risks": sorted(_accepted_codes(snapshot)),
        },
    )
    notifications.notify_review_requested(project=locked, version=version, actor=actor)
    return version


@transaction.atomic
def risk_accept(
    *, project: DiscoveryProject, actor, code: str, reason: str, request: HttpRequest | None = None
) -> AcceptedRisk:
    """Accept one blocker as a known risk, with the reason and who accepted it (printed in the PDF).

    Only a finding that is a blocker on the live scope now can be accepted. Accepting again replaces the reason.
    Accepted risks are part of the scope, so this is a scope edit: a frozen scope goes back to draft.
    """
    locked = _lock(project)
    _refuse_if_archived(locked)
    _require_project_staff(actor, locked, "accept a risk")
    code = (code or "").strip()
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise WorkflowError(
            "Write why it is acceptable to go ahead with this gap, and what limits the risk "
            f"(at least {REASON_MIN_LENGTH} characters)."
        )
    if len(reason) > TEXT_MAX:
        raise WorkflowError(f"The reason is too long: {len(reason)} characters; the limit is {TEXT_MAX}.")
    blocker_codes = {finding.code for finding in project_readiness(locked).blockers}
    if code not in blocker_codes:
        raise WorkflowError(
            "That finding is not a blocker on this scope any more, so there is nothing to accept. Reload the page."
        )
    name = actor.display_name[:200]
    risk, created = AcceptedRisk.objects.update_or_create(
        project=locked,
        code=code,
        defaults={"reason": reason, "accepted_by": actor, "accepted_by_name": name},
    )
    activity_record(
        actor=actor,
        verb="risk_accepted",
        request=request,
        project=locked,
        obj=risk,
        object_repr=code,
        changes={"reason": reason, "replaced": not created},
    )
    _after_risk_change(locked, actor, request)
    return risk


@transaction.atomic
def risk_withdraw(*, risk: AcceptedRisk, actor, request: HttpRequest | None = None) -> None:
    """Withdraw an accepted risk: its blocker refuses submission again."""
    locked = _lock(risk.project)
    _refuse_if_archived(locked)
    _require_project_staff(actor, locked, "withdraw an accepted risk")
    code = risk.code
    AcceptedRisk.objects.filter(pk=risk.pk).delete()
    activity_record(actor=actor, verb="risk_withdrawn", request=request, project=locked, object_repr=code)
    _after_risk_change(locked, actor, request)


def _after_risk_change(locked: DiscoveryProject, actor, request: HttpRequest | None) -> None:
    readiness_refresh(project=locked)
    scope_reopen(project=locked, actor=actor, request=request, why="an accepted risk changed")


@dataclass(frozen=True)
class EditConsequence:
    """What saving an edit does to a frozen scope, in words for the step page and its confirmation."""

    stage: str
    label: str
    sentence: str
    clause: str

    @property
    def confirm_label(self) -> str:
        return f"I understand: {self.clause}."

    @property
    def missing_confirmation(self) -> str:
        return f"Tick the box to confirm that {self.clause}, or leave the step without saving."


def _frozen_label(project: DiscoveryProject) -> str:
    version = latest_version(project)
    return version.label if version is not None else "the last version"


def scope_edit_consequence(*, project: DiscoveryProject, stage: str | None = None) -> EditConsequence | None:
    """What saving an edit would do now, or None when the scope is a draft (or changes were requested).

    ``stage`` is the stage to judge by; without it the project's stored stage is read under a row lock, so a
    submission or sign-off cannot slip in between this check and the save that follows it in the same transaction.
    """
    if stage is None:
        stage = (
            DiscoveryProject.objects.select_for_update().filter(pk=project.pk).values_list("stage", flat=True).first()
        )
    if stage not in _EDIT_CONSEQUENCES:
        return None
    label = _frozen_label(project)
    sentence, clause = _EDIT_CONSEQUENCES[stage]
    return EditConsequence(
        stage=stage, label=label, sentence=sentence.format(label=label), clause=clause.format(label=label)
    )


def client_edit_refusal(*, user, project: DiscoveryProject, stage: str | None = None) -> str | None:
    """Why this person may not change the scope in its current stage, or None when they may.

    Client participants edit while the scope is a draft (or changes were requested); once it is in review, approved
    or in sign-off, their save would withdraw it, so only the consultancy team may. They can still park a question.
    ``stage`` defaults to the project's stage as loaded.
    """
    stage = stage or project.stage
    if stage in CLIENT_EDITABLE or stage == Stage.ARCHIVED or is_project_staff(user, project):
        return None
    return (
        f"This scope is {STAGE_PHRASES[stage]} as {_frozen_label(project)}, so only the consultancy team can "
        "change it now. You can still park a question for them on any step."
    )


def scope_reopen(
    *, project: DiscoveryProject, actor, request: HttpRequest | None = None, why: str = "the scope was edited"
) -> str | None:
    """Take a frozen scope (in review, approved, awaiting or after sign-off) back to draft after an edit.

    Returns a message for the person who edited, or None when the project was already a draft. The common case
    (already a draft) costs one indexed SELECT and no transaction of its own, so a step save stays fast.
    """
    previous_stage = (
        DiscoveryProject.objects.filter(pk=project.pk, stage__in=REOPENS_ON_EDIT)
        .values_list("stage", flat=True)
        .first()
    )
    if previous_stage is None:
        return None
    stage_check(previous_stage, Stage.DRAFT)
    with transaction.atomic():
        now = timezone.now()
        # Conditional on the stage just read, so a concurrent stage change is never overwritten.
        changed = DiscoveryProject.objects.filter(pk=project.pk, stage=previous_stage).update(
            stage=Stage.DRAFT, stage_changed_at=now, updated_at=now
        )
        if not changed:
            return None
        project.stage, project.stage_changed_at = Stage.DRAFT, now
        version = latest_version(project)
        label = version.label if version is not None else "the last version"
        activity_record(
            actor=actor,
            verb="scope_reopened",
            request=request,
            project=project,
            object_repr=f"after {label}",
            changes={"stage": [previous_stage, Stage.DRAFT], "why": why},
        )
        if previous_stage in WITHDRAWN_BY_EDIT:
            notifications.notify_scope_reopened(
                project=project, version=version, previous_stage=previous_stage, actor=actor, why=why
            )
    if previous_stage == Stage.SIGNED_OFF:
        return (
            f"This scope was signed off as {label}. Your change starts a new draft; "
            f"the signatures stay on {label}, and the new version needs review and sign-off again."
        )
    if previous_stage == Stage.AWAITING_SIGNOFF:
        return (
            f"{label} was awaiting sign-off. Your change starts a new draft: the sign-off request is withdrawn, "
            "and the new version needs review and sign-off again."
        )
    was = STAGE_PHRASES[previous_stage]
    return f"{label} was {was}. Your change starts a new draft, which needs to be submitted for review again."


# --------------------------------------------------------------------------------------------------------------------
# Review
# --------------------------------------------------------------------------------------------------------------------


def _clean_comments(comments: Mapping[str, str] | None) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for section, text in (comments or {}).items():
        if section not in SECTIONS:
            raise WorkflowError(f"“{section}” is not a section of the scope; comment on one of the eight steps.")
        text = (text or "").strip()
        if len(text) > TEXT_MAX:
            label = SECTION_LABELS[section]
            raise WorkflowError(f"The comment on {label} is too long: {len(text)} characters; the limit is {TEXT_MAX}.")
        if text:
            cleaned[section] = text
    return cleaned


@transaction.atomic
def review_record(
    *,
    project: DiscoveryProject,
    version: ScopeVersion,
    actor,
    decision: str,
    summary: str = "",
    comments: Mapping[str, str] | None = None,
    request: HttpRequest | None = None,
) -> Review:
    """Record a reviewer's decision on the version in review, with comments per section.

    Approving moves the scope to approved. Requesting changes returns it to draft (through changes_requested),
    and the comments show on the steps until the next version. Nobody may approve their own submission.
    """
    locked = _lock(project)
    _refuse_if_archived(locked)
    if not reviewable_by(actor):
        raise WorkflowError("Only reviewers can approve a scope or request changes.")
    if decision not in ReviewDecision.values:
        raise WorkflowError("Choose a decision: approve, or request changes.")
    if locked.stage != Stage.IN_REVIEW:
        target = Stage.APPROVED if decision == ReviewDecision.APPROVE else Stage.CHANGES_REQUESTED
        stage_check(locked.stage, target)
    current = latest_version(locked)
    if version.project_id != locked.pk or current is None or version.pk != current.pk:
        shown = current.label if current is not None else "no version"
        raise WorkflowError(
            f"{version.label} is not the version in review any more ({shown} is). Reload the page and review it."
        )
    summary = (summary or "").strip()
    if len(summary) > TEXT_MAX:
        raise WorkflowError(f"The summary is too long: {len(summary)} characters; the limit is {TEXT_MAX}.")
    cleaned = _clean_comments(comments)

    if decision == ReviewDecision.APPROVE:
        if submitter_of(version) == actor.pk:
            raise WorkflowError(
                f"You submitted {version.label} yourself, so you cannot approve it. Another reviewer must decide."
            )
        moves = [_move(locked, Stage.APPROVED, original=project)]
    else:
        if not cleaned and not summary:
            raise WorkflowError("Say what needs to change: write a comment on at least one section, or a summary.")
        moves = [
            _move(locked, Stage.CHANGES_REQUESTED, original=project),
            _move(locked, Stage.DRAFT, original=project),
        ]

    review = Review.objects.create(version=version, reviewer=actor, decision=decision, summary=summary)
    ReviewComment.objects.bulk_create(
        ReviewComment(review=review, section=section, comment=text)
        for section, text in sorted(cleaned.items(), key=lambda item: SECTIONS.index(item[0]))
    )
    activity_record(
        actor=actor,
        verb="review_approved" if decision == ReviewDecision.APPROVE else "review_changes_requested",
        request=request,
        project=locked,
        obj=review,
        object_repr=f"{version.label} ({version.short_hash})",
        changes={
            "stage": [moves[0][0], moves[-1][1]],
            "version": version.label,
            "sections_commented": list(cleaned),
        },
    )
    if decision == ReviewDecision.APPROVE:
        notifications.notify_approved(review=review)
    else:
        notifications.notify_changes_requested(review=review)
    return review


# --------------------------------------------------------------------------------------------------------------------
# Sign-off
# --------------------------------------------------------------------------------------------------------------------


def _approved_version(locked: DiscoveryProject) -> ScopeVersion:
    version = latest_version(locked)
    review = latest_review(locked)
    if version is None or review is None or review.version_id != version.pk or review.decision != "approve":
        raise WorkflowError(
            "The latest version of this scope has not been approved. Submit it for review, and request sign-off "
            "once a reviewer approves it."
        )
    return version


@transaction.atomic
def signoff_request(*, project: DiscoveryProject, actor, request: HttpRequest | None = None) -> ScopeVersion:
    """Ask every designated signatory to sign the approved version; queues its PDF for them to read."""
    locked = _lock(project)
    _refuse_if_archived(locked)
    _require_project_staff(actor, locked, "request sign-off")
    stage_check(locked.stage, Stage.AWAITING_SIGNOFF)
    version = _approved_version(locked)
    people = signatories(locked)
    if not any(person.is_client for person in people):
        raise WorkflowError(
            "Sign-off needs at least one client signatory. Invite the client's signatory from the Team tab "
            "(tick “Signs off the scope for the client”), then request sign-off."
        )
    moved = _move(locked, Stage.AWAITING_SIGNOFF, original=project)
    activity_record(
        actor=actor,
        verb="signoff_requested",
        request=request,
        project=locked,
        obj=version,
        object_repr=f"{version.label} ({version.short_hash})",
        changes={"stage": list(moved), "signatories": [person.user.display_name for person in people]},
    )
    _queue_document(version=version, kind="proposal", requested_by=actor, request=request)
    notifications.notify_signoff_requested(project=locked, version=version, actor=actor)
    return version


def _queue_document(*, version: ScopeVersion, kind: str, requested_by, request: HttpRequest | None):
    """Queue a PDF of the version; a broker outage must not undo a signature or a sign-off request.

    Without the broker check, the documents service still writes the queued row and, if the job cannot be
    published after commit, marks it failed with a Retry button on the Documents tab.
    """
    try:
        # A savepoint, so a failure inside the documents service cannot poison our transaction.
        with transaction.atomic():
            return document_request(
                version=version, kind=kind, requested_by=requested_by, request=request, check_broker=False
            )
    except Exception:
        logger.exception("Could not queue the %s PDF of %s (project %s)", kind, version, version.project_id)
        return None


def _signatory_for(locked: DiscoveryProject, actor) -> Signatory:
    for person in signatories(locked):
        if person.user.pk == actor.pk:
            return person
    raise WorkflowError(
        "You are not a designated signatory of this scope. Only the client's signatories and the lead consultant "
        "sign it off."
    )


def _version_awaiting_signature(locked: DiscoveryProject, version: ScopeVersion) -> None:
    if locked.stage != Stage.AWAITING_SIGNOFF:
        if locked.stage == Stage.SIGNED_OFF:
            raise WorkflowError("This scope is already signed off; there is nothing left to sign.")
        raise WorkflowError(
            f"This scope is not awaiting sign-off (it is {STAGE_PHRASES[locked.stage]}), so it cannot be signed now."
        )
    current = _approved_version(locked)
    if version.project_id != locked.pk or version.pk != current.pk:
        raise WorkflowError(
            f"{version.label} is not the version awaiting sign-off: {current.label} is. "
            f"Open {current.label}, read it, and sign that version."
        )


def _normalised_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def _request_meta(request: HttpRequest | None) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    return client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:500]


@transaction.atomic
def signoff_record(
    *,
    project: DiscoveryProject,
    version: ScopeVersion,
    actor,
    typed_name: str,
    consent: bool,
    request: HttpRequest | None = None,
) -> SignOff:
    """Record one signatory's signature of the version awaiting sign-off (append-only).

    The last signature makes the scope signed off and queues the signed PDF.
    """
    locked = _lock(project)
    _refuse_if_archived(locked)
    person = _signatory_for(locked, actor)
    _version_awaiting_signature(locked, version)
    typed_name = " ".join((typed_name or "").split())
    if not typed_name:
        raise WorkflowError("Type your full name to sign.")
    if len(typed_name) > TYPED_NAME_MAX:
        raise WorkflowError(f"The name is too long; the limit is {TYPED_NAME_MAX} characters.")
    expected = actor.get_full_name().strip()
    if expected and _normalised_name(typed_name) != _normalised_name(expected):
        raise WorkflowError(f"Type your full name as it appears on your account: {expected}.")
    if consent is not True:
        raise WorkflowError("Tick the consent statement to sign; it names the exact version and its hash.")
    if SignOff.objects.filter(version=version, user=actor, decision=SignOffDecision.SIGNED).exists():
        raise WorkflowError(f"You have already signed {version.label}. A signature cannot be changed or repeated.")

    ip, user_agent = _request_meta(request)
    try:
        with transaction.atomic():
            signoff = SignOff.objects.create(
                version=version,
                user=actor,
                decision=SignOffDecision.SIGNED,
                typed_name=typed_name,
                role=person.role[:200],
                is_client=person.is_client,
                ip=ip,
                user_agent=user_agent,
                version_sha256=version.sha256,
                consent=True,
                consent_text=consent_statement(version=version, project=locked),
            )
    except IntegrityError as error:
        raise WorkflowError(f"You have already signed {version.label}.") from error

    statuses = signoff_statuses(locked, version)
    complete = all(status.state == SignOffDecision.SIGNED for status in statuses)
    changes: dict = {"version": version.label, "sha256": version.sha256, "role": person.role}
    if complete:
        changes["stage"] = list(_move(locked, Stage.SIGNED_OFF, original=project))
    activity_record(
        actor=actor,
        verb="scope_signed",
        request=request,
        project=locked,
        obj=signoff,
        object_repr=f"{version.label} as {person.role}",
        changes=changes,
    )
    if complete:
        activity_record(
            actor=actor,
            verb="scope_signed_off",
            request=request,
            project=locked,
            obj=version,
            object_repr=f"{version.label} ({version.short_hash})",
            changes={"signatories": [status.signoff.typed_name for status in statuses if status.signoff]},
        )
        _queue_document(version=version, kind="signed", requested_by=actor, request=request)
    notifications.notify_signed(signoff=signoff, complete=complete)
    return signoff


@transaction.atomic
def signoff_decline(
    *,
    project: DiscoveryProject,
    version: ScopeVersion,
    actor,
    reason: str,
    request: HttpRequest | None = None,
) -> SignOff:
    """Record a signatory's refusal, with the reason; the scope returns to draft and everyone is told."""
    locked = _lock(project)
    _refuse_if_archived(locked)
    person = _signatory_for(locked, actor)
    _version_awaiting_signature(locked, version)
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise WorkflowError(
            f"Say why you decline, so the team knows what to change (at least {REASON_MIN_LENGTH} characters)."
        )
    if len(reason) > TEXT_MAX:
        raise WorkflowError(f"The reason is too long: {len(reason)} characters; the limit is {TEXT_MAX}.")
    if SignOff.objects.filter(version=version, user=actor, decision=SignOffDecision.SIGNED).exists():
        raise WorkflowError(f"You have already signed {version.label}; a signature cannot be withdrawn.")

    ip, user_agent = _request_meta(request)
    signoff = SignOff.objects.create(
        version=version,
        user=actor,
        decision=SignOffDecision.DECLINED,
        typed_name=actor.display_name[:TYPED_NAME_MAX],
        role=person.role[:200],
        is_client=person.is_client,
        ip=ip,
        user_agent=user_agent,
        version_sha256=version.sha256,
        consent=False,
        consent_text=f"Declined to sign version {version.label} (SHA-256 {version.sha256}).",
        reason=reason,
    )
    moved = _move(locked, Stage.DRAFT, original=project)
    activity_record(
        actor=actor,
        verb="signoff_declined",
        request=request,
        project=locked,
        obj=signoff,
        object_repr=f"{version.label} as {person.role}",
        changes={"stage": list(moved), "version": version.label, "reason": reason},
    )
    notifications.notify_declined(signoff=signoff)
    return signoff
