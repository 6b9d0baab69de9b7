"""Access-matrix rows for review and sign-off, and the public verify page."""

from __future__ import annotations

from django.urls import reverse

from tests.access_rows import MANAGES_PROJECT, SEES_PROJECT, STAFF_ONLY, expect, project_url

# The reviewer's page is for consultancy staff who can see the project: client people get 403, strangers 404.
FIRM_STAFF_ON_PROJECT = expect(outsider=404, participant=403, other_client=404)
EVERYONE = expect(anonymous=200)
# Taking or assigning a review: POST only, so the staff's GET is 405; client people 403, strangers 404.
FIRM_STAFF_ON_PROJECT_POST_ONLY = expect(
    lead=405, member=405, outsider=404, reviewer=405, admin=405, participant=403, other_client=404
)

ROWS = [
    ("review queue", lambda ctx: reverse("projects:review_queue"), STAFF_ONLY),
    ("submit for review", project_url("projects:submit"), MANAGES_PROJECT),
    ("blockers and accepted risks", project_url("projects:risks"), SEES_PROJECT),
    ("review page", project_url("projects:review"), FIRM_STAFF_ON_PROJECT),
    (
        "take, give back or assign a review (POST only)",
        project_url("projects:review_assignment"),
        FIRM_STAFF_ON_PROJECT_POST_ONLY,
    ),
    ("sign-off page", project_url("projects:signoff"), SEES_PROJECT),
    ("request sign-off", project_url("projects:signoff_request"), MANAGES_PROJECT),
    ("remind the signatories now", project_url("projects:signoff_remind"), MANAGES_PROJECT),
    ("verify page", lambda ctx: reverse("verify"), EVERYONE),
]
