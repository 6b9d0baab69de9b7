"""The project stage machine: which stage changes there are, and the checks every move goes through.

Every stage change goes through :data:`ALLOWED`, one explicit table of the moves DESIGN.md permits. A move that is
not in the table is refused with a :class:`WorkflowError` whose message says, to a person, why and what to do.
Each service of the review area locks the project row first (:func:`project_lock`), so two people acting at once
(two last signatures, a review racing an edit) are serialised and the stage is decided on fresh data.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format

from scoping.access import project_access
from scoping.models import DiscoveryProject, SignOffRequest, Stage

# The only stage changes there are. (from, to) -> what causes it.
ALLOWED: dict[tuple[str, str], str] = {
    (Stage.DRAFT, Stage.IN_REVIEW): "submitted for review",
    (Stage.IN_REVIEW, Stage.APPROVED): "approved by a reviewer",
    (Stage.IN_REVIEW, Stage.CHANGES_REQUESTED): "changes requested by a reviewer",
    (Stage.CHANGES_REQUESTED, Stage.DRAFT): "returned to draft for the changes",
    (Stage.APPROVED, Stage.AWAITING_SIGNOFF): "sign-off requested",
    (Stage.AWAITING_SIGNOFF, Stage.SIGNED_OFF): "signed by every signatory",
    (Stage.AWAITING_SIGNOFF, Stage.DRAFT): "sign-off declined, or the scope was edited",
    (Stage.AWAITING_SIGNOFF, Stage.APPROVED): "the sign-off request expired unsigned",
    # Editing a frozen scope starts a new draft (signatures stay on the version they were given for).
    (Stage.IN_REVIEW, Stage.DRAFT): "edited while in review",
    (Stage.APPROVED, Stage.DRAFT): "edited after approval",
    (Stage.SIGNED_OFF, Stage.DRAFT): "edited after sign-off",
    **{(stage, Stage.ARCHIVED): "archived" for stage in Stage.values if stage != Stage.ARCHIVED},
}

# Stages a scope edit takes back to draft (see scoping.review.hooks.after_scope_edit).
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


def project_lock(project: DiscoveryProject) -> DiscoveryProject:
    """The project row, locked until the transaction ends, with fresh values."""
    return DiscoveryProject.objects.select_for_update().select_related("client", "lead_consultant").get(pk=project.pk)


def stage_move(locked: DiscoveryProject, target: str, *, original: DiscoveryProject | None = None) -> tuple[str, str]:
    """Change the stage of a locked project along ALLOWED; returns (from, to) for the audit trail."""
    current = locked.stage
    stage_check(current, target)
    locked.stage = target
    locked.stage_changed_at = timezone.now()
    locked.save(update_fields=["stage", "stage_changed_at", "updated_at"])
    if original is not None and original is not locked:
        original.stage, original.stage_changed_at = locked.stage, locked.stage_changed_at
    return current, target


def refuse_if_archived(project: DiscoveryProject) -> None:
    if project.stage == Stage.ARCHIVED:
        raise WorkflowError("This project is archived and read-only.")


def stage_problem(current: str, target: str) -> str:
    """Why the scope cannot move from ``current`` to ``target`` now, for a person to read; "" when it can."""
    try:
        stage_check(current, target)
    except WorkflowError as error:
        return error.message
    return ""


def require_project_staff(actor, project: DiscoveryProject, doing: str) -> None:
    if not project_access(actor, project).manage:
        raise WorkflowError(f"Only the project's consultancy team can {doing}.")


def day_text(moment: datetime | date) -> str:
    """A day as people read it in e-mails and refusals: "3 Jan 2027"."""
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment)
    return date_format(moment, "j M Y")


def expired_refusal(signoff_request: SignOffRequest, project: DiscoveryProject) -> str:
    """The sentence a signatory reads when they try to sign an expired request."""
    return (
        f"This sign-off request expired on {day_text(signoff_request.expires_at)}; "
        f"ask {project.lead_consultant.display_name} to send it again."
    )
