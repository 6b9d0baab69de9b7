"""The board costs the same number of queries whatever the number of projects."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoping.models import OpenQuestion, Stage
from tests.board.conftest import make_project
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

STAGES = [Stage.DRAFT, Stage.IN_REVIEW, Stage.APPROVED, Stage.AWAITING_SIGNOFF, Stage.SIGNED_OFF]


def _fill(lead, member_user, count: int) -> None:
    for number in range(count):
        project = make_project(lead, name=f"P{number}", stage=STAGES[number % len(STAGES)])
        MemberFactory(project=project, user=member_user)
        OpenQuestion.objects.create(project=project, question="Who owns it?", status="open")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("identity", ["reviewer", "member"])
def test_three_or_thirty_projects_cost_the_same_queries(client, roles, identity, django_assert_max_num_queries):
    user = roles[identity]
    client.force_login(user)
    _fill(roles["lead"], roles["member"], 3)
    few = _queries(client, reverse("projects:board"))
    _fill(roles["lead"], roles["member"], 27)
    with django_assert_max_num_queries(few):
        client.get(reverse("projects:board"))
    assert few <= 16, few
    print(f"board as {identity}: {few} queries")


def test_the_csv_costs_the_same_queries_for_three_or_thirty_projects(client, roles):
    client.force_login(roles["reviewer"])
    _fill(roles["lead"], roles["member"], 3)
    few = _queries(client, reverse("projects:board_export"))
    _fill(roles["lead"], roles["member"], 27)
    assert _queries(client, reverse("projects:board_export")) == few
