"""Who sees what on the board: every URL × every identity, and every identity sees exactly its visible projects."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scoping.access import ProjectAccess
from scoping.models import DiscoveryProject
from scoping.projects import board_selectors
from scoping.projects.board_selectors import BoardFilters
from tests.access_rows import ROLES
from tests.access_rows_board import ROWS
from tests.board.conftest import board_cards, csv_rows, make_project
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("label,url,expected", [pytest.param(*row, id=row[0]) for row in ROWS])
@pytest.mark.parametrize("role", ROLES)
def test_board_urls_answer_each_identity_as_the_access_rule_says(client, roles, project, role, label, url, expected):
    user = roles[role]
    if user is not None:
        client.force_login(user)
    response = client.get(url({"project": project, "roles": roles}))
    assert response.status_code == expected[role], f"{label} as {role}: {response.status_code}"
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_each_identity_sees_on_the_board_and_in_the_csv_exactly_the_projects_it_may(client, roles, project, role):
    stranger = make_project(UserFactory(username="stranger-lead"), name="Stranger's secret project")
    make_project(roles["lead"], name="Second of lena's", stage="in_review")
    make_project(roles["outsider"], name="The outsider's own", stage="approved")
    user = roles[role]
    client.force_login(user)
    visible = set(DiscoveryProject.objects.visible_to(user).values_list("pk", flat=True))
    assert visible  # every identity sees at least one project here, so the comparison means something

    page = client.get(reverse("projects:board"))
    assert board_cards(page) == visible
    names = {row[1] for row in csv_rows(client.get(reverse("projects:board_export")))[1:]}
    assert names == set(DiscoveryProject.objects.filter(pk__in=visible).values_list("name", flat=True))
    if stranger.pk not in visible:
        assert "Stranger's secret project" not in page.content.decode()
        assert "Stranger's secret project" not in names


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_a_cards_capabilities_are_those_of_the_access_rule(roles, project, role):
    user = roles[role]
    page = board_selectors.board_page(user=user, filters=BoardFilters(), now=project.stage_changed_at)
    for card in (card for column in page.columns for card in column.cards):
        fresh = DiscoveryProject.objects.get(pk=card.pk)
        expected = ProjectAccess.of(user, fresh)
        got = board_selectors.card_access(user, card)
        assert {name: getattr(got, name) for name in ("see", "edit", "manage", "review", "sign", "change_team")} == {
            name: getattr(expected, name) for name in ("see", "edit", "manage", "review", "sign", "change_team")
        }, role


def test_client_people_do_not_get_the_reviewer_workload_or_the_staff_filters(client, participant, reviewer):
    client.force_login(participant)
    body = client.get(reverse("projects:board")).content.decode()
    assert "Reviewer workload" not in body
    assert 'name="lead"' not in body and 'name="client"' not in body
    client.force_login(reviewer)
    assert "Reviewer workload" in client.get(reverse("projects:board")).content.decode()
