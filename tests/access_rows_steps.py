"""Access-matrix rows of the guided steps and the scope page."""

from __future__ import annotations

from django.urls import reverse

from scoping.scope.catalogue import SECTION_KEYS
from tests.access_rows import EDITS_SCOPE_POST_ONLY, SEES_PROJECT, expect, project_url


def step_url(section_key):
    return lambda ctx: reverse("projects:step", args=[ctx["project"].pk, section_key])


# Everyone who can see the project may open a step: editors get the form, the others a read-only view (never a 500).
ROWS = [
    *((f"guided step {key}", step_url(key), SEES_PROJECT) for key in SECTION_KEYS),
    ("scope review page", project_url("projects:scope_review"), SEES_PROJECT),
    (
        "park a question from a step (POST only: strangers get 404, who may not edit 403)",
        lambda ctx: reverse("projects:step_question", args=[ctx["project"].pk, "workflow"]),
        EDITS_SCOPE_POST_ONLY,
    ),
    (
        "\"don't know yet\" on a field (GET without htmx: back to the step's prefilled park panel)",
        lambda ctx: reverse("projects:step_field_question", args=[ctx["project"].pk, "ownership", "budget_owner"]),
        expect(lead=302, member=302, outsider=404, reviewer=403, admin=302, participant=302, other_client=404),
    ),
    (
        "\"don't know yet\" on a field that is not one of the step's",
        lambda ctx: reverse("projects:step_field_question", args=[ctx["project"].pk, "ownership", "no_such_field"]),
        expect(lead=400, member=400, outsider=404, reviewer=403, admin=400, participant=400, other_client=404),
    ),
    (
        "autosave a step (POST only, JSON: strangers get 404, who may not edit 403)",
        lambda ctx: reverse("projects:step_autosave", args=[ctx["project"].pk, "workflow"]),
        EDITS_SCOPE_POST_ONLY,
    ),
    (
        "a step's saved state (JSON, for polling and catch-up)",
        lambda ctx: reverse("projects:step_state", args=[ctx["project"].pk, "failure_modes"]),
        SEES_PROJECT,
    ),
    (
        "unknown guided step",
        step_url("not_a_step"),
        expect(lead=404, member=404, outsider=404, reviewer=404, admin=404, participant=404, other_client=404),
    ),
]
