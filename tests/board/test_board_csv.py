"""The CSV export: exactly what the filters show, every row (not just the first cards), streamed, injection-safe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from scoping.models import OpenQuestion
from scoping.projects.board_selectors import CARDS_PER_COLUMN, EXPORT_HEADER
from tests.board.conftest import csv_rows, make_project
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_the_csv_holds_one_row_per_project_with_what_the_card_shows(client, reviewer, lead):
    decision = timezone.localdate() - timedelta(days=2)
    project = make_project(
        lead,
        name="Invoice coding",
        client=ClientFactory(name="Kestrel Foods"),
        readiness_score=6,
        readiness_blockers=2,
        target_decision_date=decision,
        stage_changed_at=timezone.now() - timedelta(days=12, hours=1),
    )
    OpenQuestion.objects.create(project=project, question="Who owns it?", status="open")
    OpenQuestion.objects.create(project=project, question="Answered", status="answered")
    client.force_login(reviewer)
    response = client.get(reverse("projects:board_export"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="scope-pipeline-')
    rows = csv_rows(response)
    assert rows[0] == list(EXPORT_HEADER)
    assert rows[1:] == [
        ["Kestrel Foods", "Invoice coding", "Draft", "6/8", "2", "12", decision.isoformat(), "yes", "Lena Lead", "1"]
    ]


def test_the_csv_is_streamed_and_follows_the_filters_past_the_column_cap(client, reviewer, lead):
    for number in range(CARDS_PER_COLUMN + 5):
        make_project(lead, name=f"Draft {number}")
    make_project(lead, name="Approved one", stage="approved")
    client.force_login(reviewer)
    response = client.get(reverse("projects:board_export"), {"stage": "draft"})
    assert isinstance(response, StreamingHttpResponse) and response.streaming
    rows = csv_rows(response)[1:]
    assert len(rows) == CARDS_PER_COLUMN + 5
    assert {row[2] for row in rows} == {"Draft"}


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://evil.test")', "+1+2", "-2+3", "@SUM(A1)"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(client, reviewer, lead, dangerous):
    make_project(lead, name=dangerous, client=ClientFactory(name=dangerous))
    client.force_login(reviewer)
    row = csv_rows(client.get(reverse("projects:board_export")))[1]
    assert row[0] == row[1] == "'" + dangerous
