"""Template tags of the guided-step pages; what they show is worked out in ``scoping.steps.status``."""

from __future__ import annotations

from typing import Any

from django import template

from scoping.steps.status import scope_status

register = template.Library()


@register.inclusion_tag("scoping/steps/readiness_box.html", takes_context=True)
def readiness_overview(context: template.Context) -> dict[str, Any]:
    """The readiness box of the project overview: score, one gate per section, findings linked to the field."""
    project = context["project"]
    # The step page says whether its form is shown; elsewhere the capability decides.
    can_edit = context.get("can_edit")
    if can_edit is None:
        can_edit = context["access"].edit
    status = context.get("status") or scope_status(project)  # the overview reads the scope once, in the view
    return {"project": project, "status": status, "can_edit": can_edit}


@register.simple_tag
def state_badge_class(state: str) -> str:
    return {
        "empty": "text-bg-light border",
        "in_progress": "text-bg-info",
        "complete": "text-bg-success",
        "has_blockers": "text-bg-danger",
    }.get(state, "text-bg-secondary")


@register.simple_tag
def gate_badge_class(gate: str) -> str:
    return {"clear": "text-bg-success", "warning": "text-bg-warning", "blocked": "text-bg-danger"}.get(
        gate, "text-bg-secondary"
    )
