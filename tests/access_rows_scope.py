"""Access-matrix rows for the scope area: open questions, scope.json export and the import form."""

from __future__ import annotations

from django.urls import reverse

from scoping.models.sections import OpenQuestion
from tests.access_rows import EDITS_SCOPE, SEES_PROJECT, expect, project_url

# Editing a question needs the "edit" capability. Creating projects is refused (403) to everyone but consultants
# and admins.
CREATES_PROJECTS = expect(reviewer=403, participant=403, other_client=403)


def _question_url(name):
    def build(ctx):
        question, _created = OpenQuestion.objects.get_or_create(
            project=ctx["project"], question="Who approves the ERP API access?"
        )
        return reverse(name, args=[ctx["project"].pk, question.pk])

    return build


ROWS = [
    ("questions list", project_url("projects:questions"), SEES_PROJECT),
    ("question edit", _question_url("projects:question_edit"), EDITS_SCOPE),
    ("question resolve", _question_url("projects:question_resolve"), EDITS_SCOPE),
    ("scope json", project_url("projects:scope_json"), SEES_PROJECT),
    ("scope import", lambda ctx: reverse("projects:import"), CREATES_PROJECTS),
]
