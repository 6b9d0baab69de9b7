""" "Don't know yet" beside a field: an inline open question on that field, shown on the field until it is closed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.urls import reverse

from documents.print_context import DocumentMeta
from documents.rendering import render_scope_html
from scoping.models import ActivityEvent
from scoping.models.sections import OpenQuestion
from scoping.scope.schema_v2 import upgrade_scope
from scoping.steps import questions as question_services
from scoping.steps.status import step_url

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "invoice-coding.json"


def ask_url(project, field="budget_owner", section="ownership"):
    return reverse("projects:step_field_question", args=[project.pk, section, field])


def inline(field="budget_owner", **values):
    return {f"ask-{field}-{name}": value for name, value in values.items()}


def test_the_link_opens_an_inline_form_prefilled_from_the_label(client, project, lead):
    client.force_login(lead)
    page = client.get(step_url(project, "ownership")).content.decode()
    assert f'hx-get="{ask_url(project)}"' in page
    assert f'href="{step_url(project, "ownership")}?ask=budget_owner#park-question"' in page

    fragment = client.get(ask_url(project), **HTMX).content.decode()

    assert "<!doctype html>" not in fragment.lower()
    assert 'id="field-extras-budget_owner"' in fragment
    assert "Budget owner: still to find out. Who knows the answer?</textarea>" in fragment
    # Its inputs belong to the form outside the step form, so saving the step never sends them.
    assert 'name="ask-budget_owner-owner" maxlength="200" form="field-question-form"' in fragment
    assert 'id="field-question-form"' in page and page.index('id="field-question-form"') > page.index("</form>")


def test_parking_on_a_field_creates_the_question_and_shows_it_on_the_field(client, project, lead):
    client.force_login(lead)
    data = inline(question="Who holds the <b>budget</b>?", owner="Dan Whitfield", due="2030-12-12")

    response = client.post(ask_url(project), data, **HTMX)
    fragment = response.content.decode()

    assert response.status_code == 200
    question = OpenQuestion.objects.get(project=project)
    assert (question.section, question.field, question.owner, question.due, question.status) == (
        "ownership",
        "budget_owner",
        "Dan Whitfield",
        date(2030, 12, 12),
        "open",
    )
    assert "Open question:</span> Who holds the &lt;b&gt;budget&lt;/b&gt;? " in fragment
    assert "— Dan Whitfield, due 12 Dec" in fragment
    assert 'role="status"' in fragment and "<textarea" not in fragment
    added = ActivityEvent.objects.get(project=project, verb="question_added")
    assert added.changes["field"] == "budget_owner"

    # After a reload the field still shows it; resolving it on the questions page removes it.
    page = client.get(step_url(project, "ownership")).content.decode()
    assert page.count('<li class="field-question"') == 1 and "— Dan Whitfield, due 12 Dec<" in page
    assert 'aria-describedby="id_budget_owner_helptext field-source-budget_owner field-questions-budget_owner"' in page
    question_services.question_resolve(open_question=question, actor=lead, status="answered", answer="Finance")
    assert '<li class="field-question"' not in client.get(step_url(project, "ownership")).content.decode()


def test_missing_owner_and_date_are_said_in_the_panel_and_the_question_is_kept(client, project, lead):
    client.force_login(lead)
    response = client.post(ask_url(project), inline(question="Who pays?"), **HTMX)
    fragment = response.content.decode()
    assert response.status_code == 200
    assert "Name who finds out the answer." in fragment and "Give the date the answer is needed by." in fragment
    assert "Who pays?</textarea>" in fragment
    assert not OpenQuestion.objects.exists()


def test_a_field_that_is_not_of_this_step_is_refused_clearly(client, project, lead):
    client.force_login(lead)
    for field in ("no_such_field", "data_classification"):  # the second is a field of another step
        response = client.post(
            ask_url(project, field), inline(field, question="Q", owner="A", due="2030-01-01"), **HTMX
        )
        assert response.status_code == 400
        assert f"“{field}” is not a field of the Ownership step" in response.content.decode()
    assert not OpenQuestion.objects.exists()


def test_without_javascript_the_link_leads_to_the_prefilled_park_panel_which_parks_on_the_field(client, project, lead):
    client.force_login(lead)
    response = client.get(ask_url(project))
    assert response.status_code == 302
    assert response["Location"] == f"{step_url(project, 'ownership')}?ask=budget_owner#park-question"

    page = client.get(response["Location"]).content.decode()
    assert "Budget owner: still to find out. Who knows the answer?</textarea>" in page
    assert f'action="{ask_url(project)}" id="park-form"' in page

    parked = client.post(ask_url(project), {"park-question": "Budget?", "park-owner": "Dan", "park-due": "2030-01-31"})
    assert parked.status_code == 302
    assert parked["Location"] == f"{step_url(project, 'ownership')}#field-extras-budget_owner"
    assert OpenQuestion.objects.get(project=project).field == "budget_owner"


def test_a_reader_gets_403_and_a_stranger_404(client, project, reviewer, outsider, other_client_user):
    data = inline(question="Q", owner="A", due="2030-01-01")
    client.force_login(reviewer)
    assert client.get(ask_url(project), **HTMX).status_code == 403
    assert client.post(ask_url(project), data, **HTMX).status_code == 403
    for stranger in (outsider, other_client_user):
        client.force_login(stranger)
        assert client.get(ask_url(project), **HTMX).status_code == 404
        assert client.post(ask_url(project), data, **HTMX).status_code == 404
        assert client.post(ask_url(project, "no_such_field"), data, **HTMX).status_code == 404
    assert not OpenQuestion.objects.exists()


def test_a_client_editor_may_ask_too(client, project, participant):
    client.force_login(participant)
    response = client.post(ask_url(project), inline(question="Q?", owner="Ann", due="2030-01-01"), **HTMX)
    assert response.status_code == 200 and "— Ann, due 1 Jan" in response.content.decode()


def test_the_pdf_says_who_answered_each_field():
    scope = upgrade_scope(json.loads(FIXTURE.read_text(encoding="utf-8")))
    scope["field_sources"] = {
        "ownership.budget_owner": {"by": "Priya <i>Shah</i>", "role": "client", "at": "", "session": 2}
    }
    meta = DocumentMeta(
        kind="draft",
        version_number=3,
        version_sha256="a" * 64,
        frozen_at=datetime(2027, 1, 20, tzinfo=UTC),
        frozen_by="Lena Lead",
        status_label="Draft for discussion",
        generated_at=datetime(2027, 2, 1, tzinfo=UTC),
        consultancy="Northwind Advisory",
    )
    html = render_scope_html(snapshot=scope, meta=meta)
    assert '<span class="answered-item">Budget owner: Priya &lt;i&gt;Shah&lt;/i&gt;, client, session 2</span>' in html
    # A version frozen before field_sources existed prints as before, with no such line.
    assert "answered-by" not in render_scope_html(snapshot=json.loads(FIXTURE.read_text(encoding="utf-8")), meta=meta)
