"""Every URL × every role → the expected status. Extend ROWS whenever a URL is added.

Roles: anonymous, lead (the project's lead consultant), member (staff member of the project), outsider (a consultant
not on the project), reviewer, admin, participant (the project's client stakeholder), other_client (a stakeholder of
another client's project). Anonymous users are redirected to the login page (302).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

ROLES = ("anonymous", "lead", "member", "outsider", "reviewer", "admin", "participant", "other_client")


def expect(
    anonymous=302, lead=200, member=200, outsider=200, reviewer=200, admin=200, participant=200, other_client=200
):
    return dict(
        zip(ROLES, (anonymous, lead, member, outsider, reviewer, admin, participant, other_client), strict=True)
    )


SEES_PROJECT = expect(outsider=404, other_client=404)
MANAGES_PROJECT = expect(outsider=404, reviewer=403, participant=403, other_client=404)
STAFF_ONLY = expect(participant=404, other_client=404)
CREATES = expect(reviewer=403, participant=404, other_client=404)


def project_url(name):
    return lambda ctx: reverse(name, args=[ctx["project"].pk])


def client_url(name):
    return lambda ctx: reverse(name, args=[ctx["project"].client_id])


# (label, url builder, expected statuses by role)
ROWS = [
    ("project list", lambda ctx: reverse("projects:list"), expect()),
    ("project create", lambda ctx: reverse("projects:create"), expect(reviewer=403, participant=403, other_client=403)),
    ("project detail", project_url("projects:detail"), SEES_PROJECT),
    ("project edit", project_url("projects:edit"), MANAGES_PROJECT),
    ("project archive", project_url("projects:archive"), MANAGES_PROJECT),
    ("project team", project_url("projects:team"), SEES_PROJECT),
    ("project activity", project_url("projects:activity"), SEES_PROJECT),
    ("client list", lambda ctx: reverse("clients:list"), STAFF_ONLY),
    ("client create", lambda ctx: reverse("clients:create"), CREATES),
    ("client detail", client_url("clients:detail"), STAFF_ONLY),
    ("client edit", client_url("clients:edit"), CREATES),
    ("client archive", client_url("clients:archive"), CREATES),
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

EXTRA_ROWS: list = []  # other modules' rows are appended by tests/access_rows.py


def _all_rows():
    from . import access_rows

    return ROWS + access_rows.ROWS


@pytest.mark.django_db
@pytest.mark.parametrize("label,url,expected", [pytest.param(*row, id=row[0]) for row in _all_rows()])
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, roles, project, role, label, url, expected):
    user = roles[role]
    if user is not None:
        client.force_login(user)
    ctx = {"project": project, "roles": roles}
    response = client.get(url(ctx))
    assert response.status_code == expected[role], f"{label} as {role}: {response.status_code}"
    if role == "anonymous" and expected[role] == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_a_stranger_never_sees_the_project_name(client, project, outsider):
    client.force_login(outsider)
    response = client.get(reverse("projects:list"))
    assert project.name not in response.content.decode()
    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 404


@pytest.mark.django_db
def test_a_participant_cannot_post_team_changes(client, project, participant):
    client.force_login(participant)
    response = client.post(reverse("projects:team", args=[project.pk]), {"action": "invite", "email": "x@y.test"})
    assert response.status_code == 403
    assert project.invitations.count() == 0
