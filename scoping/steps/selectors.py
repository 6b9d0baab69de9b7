"""Reads for the step page: where a step sits among the eight, where a save leads, and what the form may do."""

from __future__ import annotations

from django.urls import reverse

from scoping.models import DiscoveryProject
from scoping.review import hooks as workflow_hooks
from scoping.steps.forms import StepForms
from scoping.steps.status import STEP_KEYS, step_intro, step_url


def neighbour_step(section_key: str, offset: int) -> str | None:
    """The step ``offset`` places from this one, or None past either end."""
    index = STEP_KEYS.index(section_key) + offset
    return STEP_KEYS[index] if 0 <= index < len(STEP_KEYS) else None


def step_after_save(project: DiscoveryProject, section_key: str, action: str) -> str:
    """Where a save leads: the next step (the whole scope after the last), the previous one, or this step again."""
    if action == "continue":
        following = neighbour_step(section_key, 1)
        return step_url(project, following) if following else reverse("projects:scope_review", args=[project.pk])
    if action == "back":
        previous = neighbour_step(section_key, -1)
        return step_url(project, previous) if previous else project.get_absolute_url()
    return step_url(project, section_key)


def step_navigation(section_key: str) -> dict[str, str | None]:
    """The step's introduction and its neighbours, for the page."""
    return {
        "intro": step_intro(section_key),
        "previous_step": neighbour_step(section_key, -1),
        "next_step": neighbour_step(section_key, 1),
    }


def step_edit_state(
    *,
    project: DiscoveryProject,
    forms: StepForms | None,
    revision: int,
    opened: dict[str, str] | None,
    refusal: str | None,
    confirm_error: str | None,
    confirmed: bool,
    opened_rows: dict[str, list[str]] | None = None,
) -> dict:
    """What the page says about editing: the forms, the revision and opened values they carry, and what saving does."""
    return {
        "can_edit": forms is not None,  # the form is shown: may edit, and the stage lets them
        "revision": revision,
        # A list of pairs, not a dict: a field may be called "items" (see the activity page).
        "opened_fields": sorted((opened or {}).items()),
        # Each list's row fingerprints as opened, comma-separated: a stale save merges the list row by row.
        "opened_rows_fields": sorted((name, ",".join(fps)) for name, fps in (opened_rows or {}).items()),
        # Said before editing: what saving does to a scope that is in review, approved, or in or after sign-off.
        "consequence": workflow_hooks.edit_consequence(project=project, stage=project.stage) if forms else None,
        "confirm_error": confirm_error,
        "confirmed": confirmed and not confirm_error,
        "refusal": refusal,
        "forms": forms,
        "form": forms.form if forms else None,
    }
