"""Access-matrix rows of the costs area: the live figures (anyone who sees the project) and the model picker."""

from __future__ import annotations

from tests.access_rows import EDITS_SCOPE_POST_ONLY, SEES_PROJECT, project_url

# The picker only takes POST: who may edit the scope gets 405 for a GET; who may not gets 403 or 404 first.

ROWS = [
    ("cost figures", project_url("projects:cost_figures"), SEES_PROJECT),
    ("cost model pick", project_url("projects:cost_model_pick"), EDITS_SCOPE_POST_ONLY),
]
