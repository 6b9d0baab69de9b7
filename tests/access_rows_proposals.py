"""Access-matrix rows of the engagement step: read by whoever sees the project; live totals for who may edit."""

from __future__ import annotations

from tests.access_rows import EDITS_SCOPE_POST_ONLY, SEES_PROJECT, project_url

ROWS = [
    ("engagement step", project_url("projects:engagement"), SEES_PROJECT),
    ("engagement figures", project_url("projects:engagement_figures"), EDITS_SCOPE_POST_ONLY),
]
