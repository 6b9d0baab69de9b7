"""A reviewer's decision on the version in review: approve it, or request changes with comments per section."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.http import HttpRequest

from scoping import notifications
from scoping.access import is_reviewer
from scoping.audit import version_event_record
from scoping.models import DiscoveryProject, Review, ReviewComment, ReviewDecision, ScopeVersion, Stage
from scoping.review.selectors import latest_version, submitter_of
from scoping.review.stages import TEXT_MAX, WorkflowError, project_lock, refuse_if_archived, stage_check, stage_move
from scoping.scope.readiness import SECTION_LABELS, SECTIONS


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
    locked = project_lock(project)
    refuse_if_archived(locked)
    if not is_reviewer.test(actor):
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
        moves = [stage_move(locked, Stage.APPROVED, original=project)]
    else:
        if not cleaned and not summary:
            raise WorkflowError("Say what needs to change: write a comment on at least one section, or a summary.")
        moves = [
            stage_move(locked, Stage.CHANGES_REQUESTED, original=project),
            stage_move(locked, Stage.DRAFT, original=project),
        ]

    review = Review.objects.create(version=version, reviewer=actor, decision=decision, summary=summary)
    ReviewComment.objects.bulk_create(
        ReviewComment(review=review, section=section, comment=text)
        for section, text in sorted(cleaned.items(), key=lambda item: SECTIONS.index(item[0]))
    )
    version_event_record(
        actor=actor,
        verb="review_approved" if decision == ReviewDecision.APPROVE else "review_changes_requested",
        request=request,
        project=locked,
        version=version,
        obj=review,
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
