"""Hooks through which scope editing tells the review and sign-off workflow that something changed.

The guided steps call these without knowing what the workflow does with them: they depend on these three calls,
not on the workflow's internals.
"""

from __future__ import annotations

from scoping.review import scope_edits


def after_scope_edit(*, project, actor, why: str | None = None) -> str | None:
    """Called inside the save transaction after a scope section actually changed.

    Editing a frozen scope (in review, approved, awaiting or past sign-off) starts a new draft: the project goes back
    to draft with an audit event, reviewers and signatories are e-mailed, and signatures stay on the version they
    were given for. Returns the message to show the person who edited (e.g. ``messages.warning``), or None when the
    project already was a draft; that common case costs one indexed query.

    A client participant never withdraws a frozen scope: the steps refuse their saves once it left draft, and an
    open question they park (their way to raise something) is added without taking the scope out of review.
    """
    if getattr(actor, "is_client_stakeholder", False):
        return None
    if why:
        return scope_edits.scope_reopen(project=project, actor=actor, why=why)
    return scope_edits.scope_reopen(project=project, actor=actor)


def edit_consequence(*, project, stage: str | None = None):
    """What saving an edit does to the scope now (an ``EditConsequence``), or None for a draft.

    The step page shows it before editing and the save needs a confirmation while it is not None. Without ``stage``,
    the stored stage is read under a row lock (call it inside the save's transaction).
    """
    return scope_edits.scope_edit_consequence(project=project, stage=stage)


def edit_refusal(*, user, project, stage: str | None = None) -> str | None:
    """Why this person may not change the scope in its current stage (a client once it left draft), or None."""
    return scope_edits.client_edit_refusal(user=user, project=project, stage=stage)
