"""Hooks through which scope editing tells the review and sign-off workflow that something changed.

The guided steps call these without knowing what the workflow does with them, so the two areas stay independent.
"""

from __future__ import annotations


def after_scope_edit(*, project, actor) -> str | None:
    """Called inside the save transaction after a scope section actually changed.

    Editing a frozen scope (in review, approved, awaiting or past sign-off) starts a new draft: the project goes back
    to draft with an audit event, and signatures stay on the version they were given for. Returns the message to
    show the person who edited (e.g. ``messages.warning``), or None when the project already was a draft; that
    common case costs one indexed query.
    """
    from scoping.workflow import scope_reopen

    return scope_reopen(project=project, actor=actor)
