"""The pipeline at scale: constant queries, capped counts, clear pages, the typed client filter, the streamed CSV.

DESIGN.md part 2, "Non-functional targets": the list, board, search and review queue cost a fixed number of
queries whatever the number of projects (``make bench`` times them at 10,000 and 100,000).
"""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.tokens import token_create
from scoping.models import AcceptedRisk, Client, DiscoveryProject, OpenQuestion, ProjectMember, ScopeVersion, Stage
from scoping.projects import selectors
from scoping.projects.forms import CLIENT_SELECT_MAX
from tests.factories import ClientFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def teammate(db):
    """A consultant on the team of every other project ``_fill`` makes (and of no other project)."""
    return UserFactory(username="teammate", role="consultant")


STAGES = [Stage.DRAFT, Stage.IN_REVIEW, Stage.APPROVED, Stage.AWAITING_SIGNOFF, Stage.SIGNED_OFF]


def _fill(
    lead, member, count: int, *, start: int = 0, client: Client | None = None, team_every: int = 2
) -> list[DiscoveryProject]:
    """``count`` projects led by ``lead`` (every ``team_every``-th with ``member`` on the team), in every stage."""
    client = client or ClientFactory(name=f"Client {start}")
    now = timezone.now()
    projects = DiscoveryProject.objects.bulk_create(
        [
            DiscoveryProject(
                client=client,
                name=f"Bulk project {number:05d}",
                lead_consultant=lead,
                stage=STAGES[number % len(STAGES)],
                last_activity_at=now - timedelta(minutes=number),
                stage_changed_at=now - timedelta(days=number % 40),
            )
            for number in range(start, start + count)
        ]
    )
    ProjectMember.objects.bulk_create(
        [ProjectMember(project=project, user=member, added_by=lead) for project in projects[::team_every]]
    )
    in_review = [project for project in projects if project.stage == Stage.IN_REVIEW]
    ScopeVersion.objects.bulk_create(
        [
            ScopeVersion(project=p, number=1, canonical_json="{}", scope={}, sha256="0" * 64, readiness={"score": 3})
            for p in in_review
        ]
    )
    AcceptedRisk.objects.bulk_create(
        [AcceptedRisk(project=p, code="data_path.x", reason="r", accepted_by=lead) for p in projects[::3]]
    )
    OpenQuestion.objects.bulk_create([OpenQuestion(project=p, question="Who?", status="open") for p in projects[::4]])
    return projects


def _queries(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


PAGES = {
    "list": "/projects/",
    "search": "/projects/?q=project+000",
    "short search": "/projects/?q=Bu",
    "second page": "/projects/?page=2",
    "board": "/projects/board/",
    "review queue": "/projects/reviews/",
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("identity", ["reviewer", "member"])
def test_five_or_fifty_projects_cost_the_same_queries(client, roles, identity, page, django_assert_max_num_queries):
    client.force_login(roles[identity])
    # The member is on every team, so even five projects fill each page read (an empty page skips reading rows).
    _fill(roles["lead"], roles["member"], 5, team_every=1)
    url = PAGES[page]
    client.get(url)  # warm-up: first-request look-ups (content types, sites) are not the page's
    few = _queries(client, url)
    _fill(roles["lead"], roles["member"], 45, start=5, team_every=1)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("identity", ["reviewer", "member"])
def test_the_api_project_list_costs_the_same_queries_at_five_or_fifty(client, roles, identity):
    _token, raw = token_create(user=roles[identity], name="t", scope="read", lifetime_days=30)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    _fill(roles["lead"], roles["member"], 5)
    client.get("/api/v1/projects", **auth)
    few = _queries(client, "/api/v1/projects?limit=20", **auth)
    _fill(roles["lead"], roles["member"], 45, start=5)
    assert _queries(client, "/api/v1/projects?limit=20", **auth) <= few


# --- search -----------------------------------------------------------------------------------------------------


def _names(response) -> list[str]:
    return [project.name for project in response.context["page"].object_list]


def test_search_finds_names_containing_the_text_whatever_the_case(client, reviewer, lead):
    for name in ("Invoice coding", "Supplier INVOICES", "Claims triage"):
        ProjectFactory(lead_consultant=lead, name=name)
    client.force_login(reviewer)
    assert sorted(_names(client.get("/projects/", {"q": "invoice"}))) == ["Invoice coding", "Supplier INVOICES"]
    assert _names(client.get("/projects/", {"q": "TRIAG"})) == ["Claims triage"]


def test_one_or_two_letters_find_names_that_start_with_them(client, reviewer, lead):
    for name in ("Invoice coding", "Claims intake", "In-house tool"):
        ProjectFactory(lead_consultant=lead, name=name)
    client.force_login(reviewer)
    response = client.get("/projects/", {"q": "in"})
    assert sorted(_names(response)) == ["In-house tool", "Invoice coding"]  # not "Claims intake"
    assert "One or two letters find names that start with them" in response.content.decode()
    assert sorted(_names(client.get("/projects/", {"q": "c"}))) == ["Claims intake"]


def test_wildcards_in_the_search_are_plain_characters(client, reviewer, lead):
    ProjectFactory(lead_consultant=lead, name="Budget 50% cut")
    ProjectFactory(lead_consultant=lead, name="Budget 500 cut")
    ProjectFactory(lead_consultant=lead, name="a_b test")
    ProjectFactory(lead_consultant=lead, name="axb test")
    client.force_login(reviewer)
    assert _names(client.get("/projects/", {"q": "50%"})) == ["Budget 50% cut"]
    assert _names(client.get("/projects/", {"q": "a_"})) == ["a_b test"]


def test_unicode_and_hostile_searches_are_found_and_shown_escaped(client, reviewer, lead):
    ProjectFactory(lead_consultant=lead, name="Zürich façade 日本語")
    hostile = '<script>alert("x")</script>'
    ProjectFactory(lead_consultant=lead, name=hostile)
    client.force_login(reviewer)
    assert _names(client.get("/projects/", {"q": "ZÜRICH FAÇ"})) == ["Zürich façade 日本語"]
    assert _names(client.get("/projects/", {"q": "日本語"})) == ["Zürich façade 日本語"]
    response = client.get("/projects/", {"q": hostile})
    body = response.content.decode()
    assert _names(response) == [hostile]
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_a_search_longer_than_the_box_is_ignored_not_a_500(client, reviewer, lead):
    ProjectFactory(lead_consultant=lead, name="Invoice coding")
    client.force_login(reviewer)
    response = client.get("/projects/", {"q": "x" * 100_000})
    assert response.status_code == 200
    assert _names(response) == ["Invoice coding"]


# --- pages --------------------------------------------------------------------------------------------------------


def test_pages_follow_the_list_order_and_say_where_they_are(client, reviewer, lead, teammate):
    projects = _fill(lead, teammate, 30)
    client.force_login(reviewer)
    first, second = client.get("/projects/"), client.get("/projects/", {"page": "2"})
    assert _names(first) == [project.name for project in projects[:25]]
    assert _names(second) == [project.name for project in projects[25:]]
    body = second.content.decode()
    assert "30 projects; 26–30 shown." in body
    assert "Page 2 of 2" in body and 'href="?page=1"' in body


@pytest.mark.parametrize("raw", ["abc", "-1", "0", "", "1.5", "9" * 40, "２"])
def test_a_page_that_is_not_a_positive_number_is_the_first(client, reviewer, lead, teammate, raw):
    projects = _fill(lead, teammate, 30)
    client.force_login(reviewer)
    response = client.get("/projects/", {"page": raw})
    assert response.status_code == 200
    assert _names(response) == [project.name for project in projects[:25]]


def test_a_page_past_the_end_shows_the_last_page_and_says_so(client, reviewer, lead, teammate):
    projects = _fill(lead, teammate, 30)
    client.force_login(reviewer)
    response = client.get("/projects/", {"page": "999"})
    assert _names(response) == [project.name for project in projects[25:]]
    assert "There is no page 999; this is the last page, 2." in response.content.decode()


def test_past_the_count_cap_the_total_says_more_than_and_next_still_pages(
    client, reviewer, lead, teammate, monkeypatch
):
    monkeypatch.setattr(selectors, "COUNT_CAP", 10)
    monkeypatch.setattr(selectors, "PIPELINE_PAGE_SIZE", 5)
    projects = _fill(lead, teammate, 23)
    client.force_login(teammate)  # not every project unfiltered: no estimate from the table statistics
    visible = [project for project in projects if project.pk in {p.pk for p in projects[::2]}]  # 12 of them
    page = client.get("/projects/", {"page": "2"})
    body = page.content.decode()
    assert _names(page) == [project.name for project in visible[5:10]]
    assert "More than 10 projects; 6–10 shown." in body
    assert "Page 2</span>" in body and "Page 2 of" not in body  # the number of pages is not known
    assert 'href="?page=3">Next' in body
    last = client.get("/projects/", {"page": "3"})
    assert _names(last) == [project.name for project in visible[10:]]
    assert not last.context["page"].has_next
    past = client.get("/projects/", {"page": "7"})
    assert past.status_code == 200 and _names(past) == []
    assert "Page 7 is past the last project (more than 10 projects)." in past.content.decode()


def test_an_estimate_is_rounded_so_it_does_not_look_exact():
    assert selectors._rounded(98_765) == 99_000
    assert selectors._rounded(100_004) == 100_000
    page = selectors.ListPage(object_list=[], number=1, per_page=25, count=selectors.COUNT_CAP + 1, has_next=True)
    assert page.total_label == "more than 10,000 projects"
    page.estimate = 123_456
    assert page.total_label == "about 120,000 projects"


def test_the_review_queue_pages_the_longest_waiting_first_with_its_counts(client, reviewer, lead, teammate):
    projects = _fill(lead, teammate, 50)
    client.force_login(reviewer)
    response = client.get("/projects/reviews/")
    in_review = sorted(
        (project for project in projects if project.stage == Stage.IN_REVIEW),
        key=lambda project: (project.stage_changed_at, project.pk),
    )
    shown = response.context["page"].object_list
    assert [project.pk for project in shown] == [project.pk for project in in_review]
    risks = {project.pk for project in projects[::3]}
    assert [project.accepted_risk_count or 0 for project in shown] == [
        1 if project.pk in risks else 0 for project in in_review
    ]
    assert "10 scopes waiting." in response.content.decode()


# --- the client filter ----------------------------------------------------------------------------------------------


def test_up_to_fifty_clients_the_filter_is_a_select_of_them_all(client, reviewer):
    for number in range(CLIENT_SELECT_MAX - 1):
        ClientFactory(name=f"Client {number:03d}")
    client.force_login(reviewer)
    body = client.get("/projects/").content.decode()
    assert '<select name="client"' in body and 'name="client_name"' not in body
    assert body.count("<option value=") >= CLIENT_SELECT_MAX


def test_past_fifty_clients_the_filter_is_a_typed_name_with_fifty_suggestions(client, reviewer, lead):
    clients = [ClientFactory(name=f"Client {number:04d}") for number in range(120)]
    kestrel = ClientFactory(name="Kestrel Foods")
    kestrel_farm = ClientFactory(name="Kestrel Farms")
    mine = ProjectFactory(lead_consultant=lead, client=kestrel, name="Invoice coding")
    farm = ProjectFactory(lead_consultant=lead, client=kestrel_farm, name="Herd records")
    ProjectFactory(lead_consultant=lead, client=clients[3], name="Claims triage")
    client.force_login(reviewer)
    body = client.get("/projects/").content.decode()
    assert '<select name="client"' not in body
    assert 'name="client_name" id="id_client_name"' in body and 'list="client-suggestions"' in body
    assert body.count('<option value="Client ') == CLIENT_SELECT_MAX
    assert '<label class="form-label" for="id_client_name">Client</label>' in body
    # The whole name picks that client; part of a name keeps every client whose name contains it.
    assert _names(client.get("/projects/", {"client_name": "kestrel foods"})) == [mine.name]
    partial = client.get("/projects/", {"client_name": "Kestrel"})
    assert sorted(_names(partial)) == sorted([mine.name, farm.name])
    assert partial.content.decode().count('<option value="Kestrel') == 2  # suggestions follow what was typed
    # A link's ?client=<id> still works, and the box shows the name.
    linked = client.get("/projects/", {"client": kestrel.pk})
    assert _names(linked) == [mine.name]
    assert 'value="Kestrel Foods"' in linked.content.decode()
    assert _names(client.get("/projects/", {"client_name": "nobody by that name"})) == []


def test_the_client_filter_costs_the_same_queries_at_sixty_or_six_hundred_clients(client, reviewer):
    Client.objects.bulk_create([Client(name=f"Client {number:04d}") for number in range(60)])
    client.force_login(reviewer)
    client.get("/projects/")
    few = {url: _queries(client, url) for url in ("/projects/", "/projects/board/")}
    Client.objects.bulk_create([Client(name=f"Client {number:04d}") for number in range(60, 600)])
    assert {url: _queries(client, url) for url in few} == few


def test_the_board_takes_the_typed_client_and_carries_it_as_an_id(client, reviewer, lead):
    for number in range(CLIENT_SELECT_MAX + 5):
        ClientFactory(name=f"Client {number:04d}")
    kestrel = ClientFactory(name="Kestrel Foods")
    mine = ProjectFactory(lead_consultant=lead, client=kestrel, name="Invoice coding")
    ProjectFactory(lead_consultant=lead, name="Claims triage")
    client.force_login(reviewer)
    response = client.get("/projects/board/", {"client_name": "Kestrel Foods"})
    cards = [card.pk for column in response.context["page"].columns for card in column.cards]
    assert cards == [mine.pk]
    assert response.context["querystring"] == f"client={kestrel.pk}"
    partial = client.get("/projects/board/", {"client_name": "Kestrel"})
    assert partial.context["querystring"] == "client_name=Kestrel"


# --- the CSV export -----------------------------------------------------------------------------------------------


def test_the_csv_of_three_thousand_projects_streams_every_row_in_little_memory(client, reviewer, lead, teammate):
    _fill(lead, teammate, 3000)
    client.force_login(reviewer)
    tracemalloc.start()
    response = client.get(reverse("projects:board_export"))
    assert response.streaming
    first = next(iter(response.streaming_content))  # the header comes before any project is read
    rows = 0
    for chunk in response.streaming_content:
        rows += chunk.count(b"\n")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert first.startswith(b"Client,Project,Stage")
    assert rows == 3000
    # The rows are read 2,000 at a time and written one by one: far less than the whole file and its rows at once.
    assert peak < 6 * 2**20, f"peak {peak / 2**20:.1f} MB"


def test_the_csv_rows_are_those_of_the_filters(client, reviewer, lead, teammate):
    _fill(lead, teammate, 40)
    client.force_login(reviewer)
    body = b"".join(client.get(reverse("projects:board_export"), {"stage": "in_review"}).streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode())))[1:]
    assert len(rows) == 8 and {row[2] for row in rows} == {"In review"}
