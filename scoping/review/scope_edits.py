"""What editing a frozen scope does: the warning before a save, who may still edit, and the return to draft.

Editing a scope that is in review, approved, awaiting or past sign-off starts a new draft; signatures stay on the
version they were given for. The guided steps reach these through scoping.review.hooks.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from scoping import notifications
from scoping.access import project_access
from scoping.models import DiscoveryProject, Stage
from scoping.projects.services import activity_record
from scoping.review.selectors import latest_version
from scoping.review.stages import (
    CLIENT_EDITABLE,
    REOPENS_ON_EDIT,
    STAGE_PHRASES,
    WITHDRAWN_BY_EDIT,
    stage_check,
)

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
    if stage in CLIENT_EDITABLE or stage == Stage.ARCHIVED or project_access(user, project).manage:
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
