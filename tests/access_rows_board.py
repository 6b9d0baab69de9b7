"""Access-matrix rows of the pipeline board, in the format of tests/access_rows_*.py.

Kept here, beside the board's tests, which run them as every identity (tests/board/test_board_access.py); the
shared matrix in tests/test_access_matrix.py can take them by adding this module to its AREAS.
"""

from __future__ import annotations

from django.urls import reverse

from accounts.models import SavedView
from tests.access_rows import expect, project_url


def _lead_saved_view(ctx):
    view, _ = SavedView.objects.get_or_create(user=ctx["roles"]["lead"], name="Mine", defaults={"query_string": ""})
    return reverse("projects:saved_view_delete", args=[view.pk])


# A POST-only URL: who sees the project gets 405 for a GET, a stranger 404 whatever the method.
SEES_PROJECT_POST_ONLY = expect(
    lead=405, member=405, outsider=404, reviewer=405, admin=405, participant=405, other_client=404
)
POST_ONLY = expect(lead=405, member=405, outsider=405, reviewer=405, admin=405, participant=405, other_client=405)
OWNER_ONLY = expect(member=404, outsider=404, reviewer=404, admin=404, participant=404, other_client=404)

ROWS = [
    ("board", lambda ctx: reverse("projects:board"), expect()),
    ("board export", lambda ctx: reverse("projects:board_export"), expect()),
    ("board move", project_url("projects:board_move"), SEES_PROJECT_POST_ONLY),
    ("saved view create", lambda ctx: reverse("projects:saved_view_create"), POST_ONLY),
    ("saved view delete", _lead_saved_view, OWNER_ONLY),
]
