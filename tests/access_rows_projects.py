"""Access-matrix rows of projects, their team, clients, accounts and health."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from scoping.models import Invitation
from scoping.models.projects import hash_token
from tests.access_rows import (
    CREATES,
    MANAGES_PROJECT,
    MANAGES_PROJECT_POST_ONLY,
    SEES_PROJECT,
    STAFF_ONLY,
    client_url,
    expect,
    project_url,
)


def _invitation(ctx) -> Invitation:
    if "invitation" not in ctx:
        ctx["invitation"] = Invitation.objects.create(
            project=ctx["project"],
            email="new.stakeholder@client.test",
            first_name="New",
            token_hash=hash_token("access-matrix-invitation"),
            expires_at=timezone.now() + timedelta(days=7),
        )
    return ctx["invitation"]


def _team_url(name, row):
    return lambda ctx: reverse(name, args=[ctx["project"].pk, row(ctx).pk])


def _membership(ctx):
    return ctx["project"].memberships.get(user=ctx["roles"]["member"])


def _participation(ctx):
    return ctx["project"].participants.get(user=ctx["roles"]["participant"])


ROWS = [
    ("project list", lambda ctx: reverse("projects:list"), expect()),
    ("project create", lambda ctx: reverse("projects:create"), expect(reviewer=403, participant=403, other_client=403)),
    ("project detail", project_url("projects:detail"), SEES_PROJECT),
    ("project edit", project_url("projects:edit"), MANAGES_PROJECT),
    ("project archive", project_url("projects:archive"), MANAGES_PROJECT),
    ("project team", project_url("projects:team"), SEES_PROJECT),
    ("project activity", project_url("projects:activity"), SEES_PROJECT),
    ("member remove", _team_url("projects:member_remove", _membership), MANAGES_PROJECT_POST_ONLY),
    ("participant remove", _team_url("projects:participant_remove", _participation), MANAGES_PROJECT_POST_ONLY),
    ("invitation resend", _team_url("projects:invitation_resend", _invitation), MANAGES_PROJECT_POST_ONLY),
    ("invitation link", _team_url("projects:invitation_link", _invitation), MANAGES_PROJECT_POST_ONLY),
    ("invitation revoke", _team_url("projects:invitation_revoke", _invitation), MANAGES_PROJECT),
    ("client list", lambda ctx: reverse("clients:list"), STAFF_ONLY),
    ("client create", lambda ctx: reverse("clients:create"), CREATES),
    ("client detail", client_url("clients:detail"), STAFF_ONLY),
    ("client edit", client_url("clients:edit"), CREATES),
    ("client archive", client_url("clients:archive"), CREATES),
    ("profile", lambda ctx: reverse("profile"), expect()),
    ("health", lambda ctx: reverse("healthz"), expect(anonymous=200)),
    (
        "bogus invite",
        lambda ctx: reverse("accept_invite", args=["not-a-real-token"]),
        expect(
            anonymous=404,
            lead=404,
            member=404,
            outsider=404,
            reviewer=404,
            admin=404,
            participant=404,
            other_client=404,
        ),
    ),
]
