"""The webhook events, and the one table that says which audit-trail verbs raise them.

Pure: no Django. Every write in Firstslice records an ``ActivityEvent`` (``scoping.audit``); the webhooks app
listens to those rows rather than to the services, so no other app knows that webhooks exist. A verb may raise
several events: a reviewer's decision is both ``review.decided`` and a stage change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PROJECT_STAGE_CHANGED = "project.stage_changed"
VERSION_FROZEN = "version.frozen"
REVIEW_DECIDED = "review.decided"
SIGNOFF_SIGNED = "signoff.signed"
SIGNOFF_COMPLETED = "signoff.completed"
DOCUMENT_READY = "document.ready"

EVENT_LABELS: dict[str, str] = {
    PROJECT_STAGE_CHANGED: "A project moved to another stage",
    VERSION_FROZEN: "A version of a scope was frozen",
    REVIEW_DECIDED: "A reviewer approved a scope or requested changes",
    SIGNOFF_SIGNED: "A signatory signed a scope",
    SIGNOFF_COMPLETED: "Every signatory signed: the scope is signed off",
    DOCUMENT_READY: "A PDF finished rendering",
}
EVENTS: tuple[str, ...] = tuple(EVENT_LABELS)

# audit verb -> the events it raises besides the stage change. PROJECT_STAGE_CHANGED is not tied to verbs: every
# audit event whose ``changes`` record a stage pair [from, to] that differs raises it, which is how every stage move
# is recorded (``scoping.review.stages.stage_move`` and its callers: submitted, approved, changes requested, sign-off
# requested, the last signature, declined, reopened by an edit, archived), and so a new kind of move needs no entry.
VERB_EVENTS: dict[str, tuple[str, ...]] = {
    "version_frozen": (VERSION_FROZEN,),
    "review_approved": (REVIEW_DECIDED,),
    "review_changes_requested": (REVIEW_DECIDED,),
    "scope_signed": (SIGNOFF_SIGNED,),
    "scope_signed_off": (SIGNOFF_COMPLETED,),
    "document_rendered": (DOCUMENT_READY,),
}


def stage_change(changes: Any) -> tuple[str, str] | None:
    """The (from, to) stages an audit event records, or None when it moved no stage."""
    if not isinstance(changes, Mapping):
        return None
    pair = changes.get("stage")
    if not isinstance(pair, list | tuple) or len(pair) != 2 or not all(isinstance(part, str) for part in pair):
        return None
    before, after = pair
    return (before, after) if before != after else None


def events_for(verb: str, changes: Any) -> tuple[str, ...]:
    """The webhook events one audit event raises: the verb's own, then the stage change if it moved the stage."""
    raised = VERB_EVENTS.get(verb, ())
    return (*raised, PROJECT_STAGE_CHANGED) if stage_change(changes) is not None else raised
