"""Submitting a scope for review, and accepting a blocker as a known risk.

Submitting freezes the scope as a :class:`ScopeVersion`; review and sign-off always refer to that frozen version.
A submission is refused while a blocker is open and not accepted as a risk with a written reason.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from documents.versioning import version_freeze
from scoping import notifications
from scoping.audit import version_event_record
from scoping.models import AcceptedRisk, DiscoveryProject, ReviewDecision, ScopeVersion, Stage
from scoping.projects.services import activity_record, readiness_refresh
from scoping.review.scope_edits import scope_reopen
from scoping.review.selectors import (
    accepted_codes,
    latest_review,
    latest_version,
    project_readiness,
    unaccepted_blockers,
)
from scoping.review.stages import (
    REASON_MIN_LENGTH,
    TEXT_MAX,
    WorkflowError,
    project_lock,
    refuse_if_archived,
    require_project_staff,
    stage_check,
    stage_move,
)
from scoping.scope.readiness import SECTION_LABELS, evaluate


@transaction.atomic
def scope_submit(
    *, project: DiscoveryProject, actor, note: str = "", request: HttpRequest | None = None
) -> ScopeVersion:
    """Freeze the scope as a version and put it in review.

    Refused while the readiness engine reports a blocker that is not accepted as a risk. The check runs on the
    frozen snapshot itself (accepted risks are part of it), so what the reviewer sees is exactly what passed.
    """
    locked = project_lock(project)
    refuse_if_archived(locked)
    require_project_staff(actor, locked, "submit the scope for review")
    stage_check(locked.stage, Stage.IN_REVIEW)

    previous = latest_version(locked)
    previous_review = latest_review(locked)
    version = version_freeze(project=locked, actor=actor, note=(note or "").strip()[:TEXT_MAX], request=request)
    snapshot = version.scope
    readiness = evaluate(snapshot, today=timezone.localdate())
    open_blockers = unaccepted_blockers(readiness, accepted_codes(snapshot))
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

    moved = stage_move(locked, Stage.IN_REVIEW, original=project)
    version_event_record(
        actor=actor,
        verb="scope_submitted",
        request=request,
        project=locked,
        version=version,
        changes={
            "stage": list(moved),
            "version": version.label,
            "sha256": version.sha256,
            "accepted_risks": sorted(accepted_codes(snapshot)),
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
    locked = project_lock(project)
    refuse_if_archived(locked)
    require_project_staff(actor, locked, "accept a risk")
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
    locked = project_lock(risk.project)
    refuse_if_archived(locked)
    require_project_staff(actor, locked, "withdraw an accepted risk")
    code = risk.code
    AcceptedRisk.objects.filter(pk=risk.pk).delete()
    activity_record(actor=actor, verb="risk_withdrawn", request=request, project=locked, object_repr=code)
    _after_risk_change(locked, actor, request)


def _after_risk_change(locked: DiscoveryProject, actor, request: HttpRequest | None) -> None:
    readiness_refresh(project=locked)
    scope_reopen(project=locked, actor=actor, request=request, why="an accepted risk changed")
