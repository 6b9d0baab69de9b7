"""Access-matrix rows of the guided steps and the scope page (collected by tests/access_rows.py)."""

from __future__ import annotations

from django.urls import reverse

from scoping.scope.catalogue import SECTION_KEYS
from tests.test_access_matrix import SEES_PROJECT, expect, project_url


def step_url(section_key):
    return lambda ctx: reverse("projects:step", args=[ctx["project"].pk, section_key])


# Everyone who can see the project may open a step: editors get the form, the others a read-only view (never a 500).
ROWS = [
    *((f"guided step {key}", step_url(key), SEES_PROJECT) for key in SECTION_KEYS),
    ("scope review page", project_url("projects:scope_review"), SEES_PROJECT),
    (
        "park a question from a step (POST only: a GET reveals nothing)",
        lambda ctx: reverse("projects:step_question", args=[ctx["project"].pk, "workflow"]),
        expect(lead=405, member=405, outsider=405, reviewer=405, admin=405, participant=405, other_client=405),
    ),
    (
        "unknown guided step",
        step_url("not_a_step"),
        expect(lead=404, member=404, outsider=404, reviewer=404, admin=404, participant=404, other_client=404),
    ),
]
