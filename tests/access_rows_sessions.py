"""Access-matrix rows of the session record and presenter mode."""

from __future__ import annotations

from django.urls import reverse

from scoping.models import DiscoverySession
from tests.access_rows import MANAGES_PROJECT, MANAGES_PROJECT_POST_ONLY, SEES_PROJECT, expect, project_url


def session_url(name, number=1):
    def build(ctx):
        DiscoverySession.objects.get_or_create(project=ctx["project"], number=1, defaults={"title": "Kick-off"})
        return reverse(name, args=[ctx["project"].pk, number])

    return build


NOBODY = expect(lead=404, member=404, outsider=404, reviewer=404, admin=404, participant=404, other_client=404)

# Everyone who sees the project reads its sessions, minutes and the presenter screen; planning and running a session
# is for the project's staff who may change the scope (the participant may edit the scope, but not run sessions).
ROWS = [
    ("sessions list", project_url("projects:sessions"), SEES_PROJECT),
    ("plan a session", project_url("projects:session_plan"), MANAGES_PROJECT),
    ("a session", session_url("projects:session"), SEES_PROJECT),
    ("a session that does not exist", session_url("projects:session", number=99), NOBODY),
    ("start a session (POST only)", session_url("projects:session_start"), MANAGES_PROJECT_POST_ONLY),
    ("next agenda item (POST only)", session_url("projects:session_next"), MANAGES_PROJECT_POST_ONLY),
    ("log a decision (POST only)", session_url("projects:session_decision"), MANAGES_PROJECT_POST_ONLY),
    ("log an action (POST only)", session_url("projects:session_action"), MANAGES_PROJECT_POST_ONLY),
    ("park an item (POST only)", session_url("projects:session_park"), MANAGES_PROJECT_POST_ONLY),
    ("end a session (POST only)", session_url("projects:session_end"), MANAGES_PROJECT_POST_ONLY),
    ("cancel a planned session (POST only)", session_url("projects:session_cancel"), MANAGES_PROJECT_POST_ONLY),
    ("session minutes", session_url("projects:session_minutes"), SEES_PROJECT),
    (
        "session minutes PDF (of a session not ended: sent to the minutes page)",
        session_url("projects:session_minutes_pdf"),
        expect(lead=302, member=302, outsider=404, reviewer=302, admin=302, participant=302, other_client=404),
    ),
    ("presenter mode", project_url("projects:present"), SEES_PROJECT),
    ("presenter mode content", project_url("projects:present_content"), SEES_PROJECT),
]
