"""Access-matrix rows of the costs area: the live figures (anyone who sees the project) and the model picker."""

from __future__ import annotations

from tests.test_access_matrix import SEES_PROJECT, expect, project_url

# The picker only takes POST: who may edit the scope gets 405 for a GET; who may not gets 403 or 404 first.
EDITS_SCOPE_POST_ONLY = expect(
    lead=405, member=405, outsider=404, reviewer=403, admin=405, participant=405, other_client=404
)

ROWS = [
    ("cost figures", project_url("projects:cost_figures"), SEES_PROJECT),
    ("cost model pick", project_url("projects:cost_model_pick"), EDITS_SCOPE_POST_ONLY),
]
