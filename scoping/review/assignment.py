"""Who reviews a scope: a reviewer claims it, an admin assigns it, and the holder (or an admin) gives it back.

The review queue shows who has each scope, so two reviewers do not review the same one; the claim stays through
changes requested, so the next version returns to the same reviewer. Every change is on the audit trail. Claiming
is for reviewers (the same rule as deciding, ``scoping.access.is_reviewer``); assigning someone else, or taking a
scope from its holder, is for admins.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Role
from scoping.access import is_admin, is_reviewer
from scoping.audit import activity_record
from scoping.models import DiscoveryProject, Stage
from scoping.review.stages import WorkflowError, project_lock, refuse_if_archived

# A claim is for the scopes on their way through review; approved and signed ones have had theirs.
CLAIMABLE_STAGES = (Stage.IN_REVIEW, Stage.CHANGES_REQUESTED, Stage.DRAFT)


def reviewers():
    """Everyone an admin may assign a review to: active people who may decide reviews, by name."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(role__in=(Role.REVIEWER, Role.ADMIN))
        .order_by("first_name", "last_name", "username")
    )


def _holder_name(project: DiscoveryProject) -> str:
    return project.reviewer.display_name if project.reviewer_id else "nobody"


def _set(project: DiscoveryProject, reviewer, *, actor, verb: str, request: HttpRequest | None) -> DiscoveryProject:
    before = _holder_name(project)
    project.reviewer = reviewer
    project.reviewer_since = timezone.now() if reviewer is not None else None
    project.save(update_fields=["reviewer", "reviewer_since"])
    activity_record(
        actor=actor,
        verb=verb,
        request=request,
        project=project,
        obj=project,
        changes={"reviewer": [before, _holder_name(project)]},
    )
    return project


def _claimable(project: DiscoveryProject) -> DiscoveryProject:
    locked = project_lock(project)
    refuse_if_archived(locked)
    if locked.stage not in CLAIMABLE_STAGES:
        raise WorkflowError(f"This scope is {locked.get_stage_display().lower()}: its review is over.")
    return locked


@transaction.atomic
def review_claim(*, project: DiscoveryProject, actor, request: HttpRequest | None = None) -> DiscoveryProject:
    """The actor takes the review of this scope; refused while another reviewer has it."""
    if not is_reviewer.test(actor):
        raise WorkflowError("Only reviewers can take a review.")
    locked = _claimable(project)
    if locked.reviewer_id == actor.pk:
        return locked
    if locked.reviewer_id is not None:
        raise WorkflowError(
            f"{locked.reviewer.display_name} already has this review. Ask them, or an admin, to hand it over."
        )
    if locked.lead_consultant_id == actor.pk:
        raise WorkflowError("You lead this project, so someone else reviews it.")
    return _set(locked, actor, actor=actor, verb="review_claimed", request=request)


@transaction.atomic
def review_assign(
    *, project: DiscoveryProject, actor, reviewer_id: int, request: HttpRequest | None = None
) -> DiscoveryProject:
    """An admin gives the review to a reviewer (taking it from whoever had it)."""
    if not is_admin.test(actor):
        raise WorkflowError("Only an admin can assign a review to someone else.")
    reviewer = reviewers().filter(pk=reviewer_id).first()
    if reviewer is None:
        raise WorkflowError("Choose a reviewer from the list: that person cannot review scopes.")
    locked = _claimable(project)
    if locked.lead_consultant_id == reviewer.pk:
        raise WorkflowError(f"{reviewer.display_name} leads this project, so someone else reviews it.")
    if locked.reviewer_id == reviewer.pk:
        return locked
    return _set(locked, reviewer, actor=actor, verb="review_assigned", request=request)


@transaction.atomic
def review_release(*, project: DiscoveryProject, actor, request: HttpRequest | None = None) -> DiscoveryProject:
    """The holder (or an admin) gives the review back to the queue."""
    locked = project_lock(project)
    if locked.reviewer_id is None:
        return locked
    if locked.reviewer_id != actor.pk and not is_admin.test(actor):
        raise WorkflowError(f"{locked.reviewer.display_name} has this review; only they or an admin can give it back.")
    return _set(locked, None, actor=actor, verb="review_released", request=request)
