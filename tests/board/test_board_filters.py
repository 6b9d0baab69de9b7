"""The board's filters, the empty state and the list/board toggle."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.board.conftest import board_cards, make_project
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(reviewer):
    lena = UserFactory(username="lena2", role="consultant", first_name="Lena", last_name="Lead")
    omar = UserFactory(username="omar", role="consultant", first_name="Omar", last_name="Other")
    acme = ClientFactory(name="Acme Foods")
    today = timezone.localdate()
    return {
        "ready": make_project(lena, name="Ready one", client=acme, readiness_score=8, readiness_blockers=0),
        "blocked": make_project(lena, name="Blocked one", readiness_score=5, readiness_blockers=2),
        "overdue": make_project(omar, name="Overdue one", target_decision_date=today - timedelta(days=3)),
        "signed_late": make_project(
            omar, name="Signed late", stage="signed_off", target_decision_date=today - timedelta(days=3)
        ),
        "in_review": make_project(omar, name="In review one", stage="in_review", client=acme),
        "lena": lena,
        "omar": omar,
        "acme": acme,
    }


def _shown(browser_client, **params) -> set[str]:
    response = browser_client.get(reverse("projects:board"), params)
    assert response.status_code == 200
    return {card.name for column in response.context["page"].columns for card in column.cards}


def test_each_filter_narrows_the_board_to_what_it_names(client, reviewer, spread):
    client.force_login(reviewer)
    assert _shown(client, lead=spread["lena"].pk) == {"Ready one", "Blocked one"}
    assert _shown(client, client=spread["acme"].pk) == {"Ready one", "In review one"}
    assert _shown(client, stage="in_review") == {"In review one"}
    assert _shown(client, readiness="ready") == {"Ready one"}
    assert _shown(client, readiness="blocked") == {"Blocked one"}
    # A signed-off scope is not overdue: the decision was taken.
    assert _shown(client, overdue="1") == {"Overdue one"}
    assert _shown(client, lead=spread["omar"].pk, stage="signed_off") == {"Signed late"}
    assert _shown(client, q="one", lead=spread["omar"].pk) == {"Overdue one", "In review one"}


def test_bad_filter_values_are_ignored_rather_than_an_error(client, reviewer, spread):
    client.force_login(reviewer)
    assert len(_shown(client, stage="nonsense", lead="x", client="999999", readiness="maybe")) == 5


def test_an_overdue_decision_is_marked_in_words_not_colour_alone(client, reviewer, spread):
    client.force_login(reviewer)
    body = client.get(reverse("projects:board"), {"overdue": "1"}).content.decode()
    assert '<span class="text-danger fw-semibold">Overdue: ' in body


def test_no_match_shows_the_empty_state_with_a_link_that_clears_the_filters(client, reviewer, spread):
    client.force_login(reviewer)
    response = client.get(reverse("projects:board"), {"q": "no such project"})
    body = response.content.decode()
    assert "No projects match these filters." in body
    assert f'<a href="{reverse("projects:board")}">Clear the filters</a>' in body
    assert board_cards(response) == set()


def test_the_toggle_carries_the_filters_the_list_understands(client, reviewer, spread):
    client.force_login(reviewer)
    body = client.get(reverse("projects:board"), {"stage": "draft", "q": "one", "overdue": "1"}).content.decode()
    assert f'href="{reverse("projects:list")}?q=one&amp;stage=draft"' in body
    listing = client.get(reverse("projects:list"), {"stage": "draft"}).content.decode()
    assert f'href="{reverse("projects:board")}' in listing  # and back: the list links to the board


def test_a_full_column_links_to_all_of_it_and_pages_through_it(client, reviewer, lead, settings):
    from scoping.projects.board_selectors import CARDS_PER_COLUMN

    for number in range(CARDS_PER_COLUMN + 3):
        make_project(lead, name=f"Draft {number:02d}")
    client.force_login(reviewer)
    response = client.get(reverse("projects:board"))
    draft = response.context["page"].columns[0]
    assert (draft.stage, draft.total, len(draft.cards)) == ("draft", CARDS_PER_COLUMN + 3, CARDS_PER_COLUMN)
    assert f"Show all {CARDS_PER_COLUMN + 3} in draft" in response.content.decode()
    second = client.get(reverse("projects:board"), {"stage": "draft", "page": "2"})
    column = second.context["page"].columns[0]
    assert (column.page, column.pages, len(column.cards)) == (2, 2, 3)
    first_page = client.get(reverse("projects:board"), {"stage": "draft"}).context["page"].columns[0]
    assert not {c.pk for c in first_page.cards} & {c.pk for c in column.cards}
