"""The funnel and ageing charts: pure SVG whose numbers are the board's counts, with every text escaped."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scoping.models import DiscoveryProject
from scoping.review import decisions, selectors
from scoping.scope import board_charts
from tests.board.conftest import make_project
from tests.review_support import submit


def _counts(svg: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-count="(\d+)"', svg)]


def test_each_bar_shows_its_count_and_the_longest_bar_is_the_largest():
    svg = board_charts.funnel_svg([("Draft", 4), ("In review", 2), ("Approved", 0)])
    assert _counts(svg) == [4, 2, 0]
    widths = [int(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="(\d+)"', svg)]
    assert widths[0] == max(widths) and widths[1] == widths[0] // 2 and widths[2] == 0
    assert 'role="img"' in svg
    assert '<desc id="funnel-chart-desc">6 projects in all. Draft: 4; In review: 2; Approved: 0.</desc>' in svg


def test_every_text_in_a_chart_is_escaped():
    svg = board_charts.bar_chart_svg([("<script>&", 1)], title='"Q" <b>', chart_id='x"y')
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;&amp;" in svg and 'id="x&quot;y-title"' in svg


@pytest.mark.parametrize(
    "days,label",
    [
        (0, "Under 1 week"),
        (6, "Under 1 week"),
        (7, "1 to 4 weeks"),
        (29, "1 to 4 weeks"),
        (30, "1 to 3 months"),
        (89, "1 to 3 months"),
        (90, "3 months or more"),
        (-1, "Under 1 week"),
    ],
)
def test_age_buckets_have_their_edges_where_their_labels_say(days, label):
    assert board_charts.age_bucket(days).label == label


@pytest.mark.django_db
def test_the_boards_charts_count_the_projects_the_board_shows(client, reviewer, lead):
    now = timezone.now()
    ages = {"draft": [1, 10, 40], "in_review": [100], "approved": [3], "signed_off": [200]}
    for stage, days_list in ages.items():
        for days in days_list:
            make_project(lead, stage=stage, stage_changed_at=now - timedelta(days=days, hours=1))
    client.force_login(reviewer)
    response = client.get(reverse("projects:board"))
    page = response.context["page"]
    assert page.funnel == [("Draft", 3), ("In review", 1), ("Approved", 1), ("Awaiting sign-off", 0), ("Signed off", 1)]
    assert [column.total for column in page.columns] == [3, 1, 1, 0, 1]
    # Signed-off projects have stopped moving, so the ageing chart leaves them out.
    assert page.ageing == [("Under 1 week", 2), ("1 to 4 weeks", 1), ("1 to 3 months", 1), ("3 months or more", 1)]
    body = response.content.decode()
    assert _counts(str(response.context["funnel_svg"])) == [3, 1, 1, 0, 1]
    assert "6 projects in all. Draft: 3; In review: 1; Approved: 1; Awaiting sign-off: 0; Signed off: 1." in body
    assert "5 projects in all. Under 1 week: 2; 1 to 4 weeks: 1; 1 to 3 months: 1; 3 months or more: 1." in body


@pytest.mark.django_db
def test_reviewer_workload_counts_in_review_projects_by_their_last_reviewer(client, lead, reviewer, sound_project):
    version = submit(sound_project, lead)
    decisions.review_record(
        project=sound_project, version=version, actor=reviewer, decision="request_changes", summary="Name the owner."
    )
    sound_project.refresh_from_db()
    make_project(lead, name="Fresh in review", stage="in_review")
    # The scope is unchanged, so resubmitting is refused; put the reviewed project back in review directly.
    DiscoveryProject.objects.filter(pk=sound_project.pk).update(stage="in_review")
    assert selectors.latest_review(sound_project).reviewer == reviewer
    client.force_login(reviewer)
    workload = {row.name: row.in_review for row in client.get(reverse("projects:board")).context["workload"]}
    assert workload[reviewer.display_name] == 1
    assert workload["Not reviewed before"] == 1
