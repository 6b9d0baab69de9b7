"""Every URL × every identity → the expected status. Add a row whenever a URL is added.

The rows live beside their area, one module each, imported here by name; the identities and the common
expectations are in tests/access_rows.py, and the rule they follow in the docstring of scoping/access.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import get_resolver, resolve, reverse

from tests import (
    access_rows_api,
    access_rows_board,
    access_rows_costs,
    access_rows_documents,
    access_rows_projects,
    access_rows_proposals,
    access_rows_review,
    access_rows_scope,
    access_rows_sessions,
    access_rows_steps,
)
from tests.access_rows import ROLES

AREAS = (
    access_rows_projects,
    access_rows_steps,
    access_rows_scope,
    access_rows_costs,
    access_rows_review,
    access_rows_documents,
    access_rows_api,
    access_rows_board,
    access_rows_proposals,
    access_rows_sessions,
)
ROWS = [row for area in AREAS for row in area.ROWS]

OUR_PACKAGES = ("accounts", "api", "config", "proposals", "reports", "scoping")
# Views of the app that take no part in the matrix, and why.
NOT_IN_THE_MATRIX = {
    "home",  # a redirect to the project list, for everyone
    "readyz",  # answers about the database and the broker, tested in tests/test_health.py
}


@pytest.mark.django_db
@pytest.mark.parametrize("label,url,expected", [pytest.param(*row, id=row[0]) for row in ROWS])
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, roles, project, role, label, url, expected):
    user = roles[role]
    if user is not None:
        client.force_login(user)
    ctx = {"project": project, "roles": roles}
    path = url(ctx)
    response = client.get(path)
    assert response.status_code == expected[role], f"{label} as {role}: {response.status_code}"
    if role == "anonymous" and expected[role] == 302:
        assert response["Location"].startswith(reverse("login"))
    if response.status_code == 200 and response.context is not None and "project_id" in resolve(path).kwargs:
        # Templates read the capabilities from this one object; a project page without it would hide every control.
        assert response.context.get("access") is not None, f"{label} as {role}: no access in the context"
        assert response.context["access"].project == project


def test_every_rows_module_is_imported():
    on_disk = {path.stem for path in Path(__file__).parent.glob("access_rows_*.py")}
    assert on_disk == {area.__name__.rsplit(".", 1)[1] for area in AREAS}


def _app_view_names() -> set[str]:
    """The names of every URL served by our own code (Django's login and password views are not ours)."""
    names: set[str] = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif pattern.name and pattern.callback.__module__.split(".")[0] in OUR_PACKAGES:
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns)
    return names


@pytest.mark.django_db
def test_every_url_of_the_app_has_a_row(roles, project):
    ctx = {"project": project, "roles": roles}
    covered = {resolve(url(ctx).split("?")[0]).view_name for _label, url, _expected in ROWS}
    assert _app_view_names() - NOT_IN_THE_MATRIX - covered == set()


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
