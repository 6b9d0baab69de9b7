"""Open questions: add, edit, resolve, who may do it, limits, overdue highlighting and escaping."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from scoping.models import ActivityEvent, DiscoveryProject, Stage
from scoping.models.sections import OpenQuestion
from scoping.steps import questions as question_services
from tests.factories import ParticipantFactory

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)> {{ 7*7 }} مرحبا 你好 🚀"


def questions_url(project) -> str:
    return reverse("projects:questions", args=[project.pk])


def edit_url(question) -> str:
    return reverse("projects:question_edit", args=[question.project_id, question.pk])


def resolve_url(question) -> str:
    return reverse("projects:question_resolve", args=[question.project_id, question.pk])


def add_data(**overrides) -> dict[str, str]:
    data = {
        "question": "Can the supplier portal push invoices by webhook?",
        "section": "data_path",
        "owner": "Dan Whitfield",
        "due": "2027-01-15",
        "status": "open",
        "answer": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def question(project):
    return OpenQuestion.objects.create(
        project=project,
        question="Who signs the data processing agreement?",
        section="security",
        owner="Priya Raman",
        due=date(2027, 2, 1),
    )


# --- adding -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_adds_a_question_with_owner_and_due_date_and_records_it(client, project, lead):
    DiscoveryProject.objects.filter(pk=project.pk).update(last_activity_at=timezone.now() - timedelta(days=30))
    client.force_login(lead)

    response = client.post(questions_url(project), add_data())

    question = OpenQuestion.objects.get(project=project)
    assert response.status_code == 302
    assert response["Location"] == f"{questions_url(project)}#question-{question.pk}"
    assert (question.question, question.section, question.owner, question.due, question.status) == (
        "Can the supplier portal push invoices by webhook?",
        "data_path",
        "Dan Whitfield",
        date(2027, 1, 15),
        "open",
    )
    event = ActivityEvent.objects.get(project=project, verb="question_added")
    assert event.actor == lead and event.object_id == str(question.pk)
    assert event.verb_label == "added an open question"
    project.refresh_from_db()
    assert timezone.now() - project.last_activity_at < timedelta(minutes=1)


@pytest.mark.django_db
def test_a_client_stakeholder_who_may_edit_can_add_a_question(client, project, participant):
    client.force_login(participant)
    response = client.post(questions_url(project), add_data(section=""))
    assert response.status_code == 302
    assert OpenQuestion.objects.get(project=project).section == ""


@pytest.mark.django_db
def test_it_refuses_an_open_question_without_owner_or_due_date_and_keeps_what_was_typed(client, project, lead):
    client.force_login(lead)
    response = client.post(questions_url(project), add_data(owner="  ", due=""))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Name who finds out the answer." in page
    assert "Give the date the answer is needed by." in page
    assert "Can the supplier portal push invoices by webhook?" in page
    assert OpenQuestion.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field,length,limit",
    [("question", 5001, 5000), ("answer", 5001, 5000), ("owner", 201, 200)],
)
def test_it_refuses_over_long_text_and_states_the_limit(client, project, lead, field, length, limit):
    client.force_login(lead)
    response = client.post(questions_url(project), add_data(**{field: "x" * length}))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"at most {limit} characters (it has {length})" in page
    assert OpenQuestion.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"section": "marketing"}, "Select a valid choice."),
        ({"status": "closed"}, "Select a valid choice."),
        ({"due": "next Tuesday"}, "Enter a valid date."),
        ({"due": "2027-02-30"}, "Enter a valid date."),
        ({"question": ""}, "This field is required."),
        ({"question": "bad\x00byte"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_gets_a_form_error_never_a_500(client, project, lead, overrides, message):
    client.force_login(lead)
    response = client.post(questions_url(project), add_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert OpenQuestion.objects.count() == 0


@pytest.mark.django_db
def test_a_due_date_in_the_past_is_allowed_and_shown_as_overdue(client, project, lead):
    client.force_login(lead)
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    client.post(questions_url(project), add_data(due=past))
    client.post(questions_url(project), add_data(question="Future question", due="2999-01-01"))

    page = client.get(questions_url(project)).content.decode()
    overdue = OpenQuestion.objects.get(due=past)
    future = OpenQuestion.objects.get(question="Future question")

    assert f'<tr id="question-{overdue.pk}" class="table-danger question-overdue">' in page
    assert f'<tr id="question-{future.pk}">' in page
    assert page.count(">Overdue</span>") == 1
    assert "1 overdue" in page


@pytest.mark.django_db
def test_open_questions_are_listed_earliest_due_first_with_undated_ones_last(client, project, lead):
    for text, due in (("Later", date(2027, 6, 1)), ("Undated", None), ("Sooner", date(2027, 1, 1))):
        OpenQuestion.objects.create(project=project, question=text, due=due, owner="Dan")
    client.force_login(lead)
    page = client.get(questions_url(project)).content.decode()
    assert page.index("Sooner") < page.index("Later") < page.index("Undated")


@pytest.mark.django_db
def test_the_list_shows_an_empty_state_and_the_add_form_only_to_editors(client, project, lead, reviewer):
    client.force_login(lead)
    page = client.get(questions_url(project)).content.decode()
    assert "No open questions." in page
    assert "Add question" in page

    client.force_login(reviewer)
    page = client.get(questions_url(project)).content.decode()
    assert "No open questions." in page
    assert "Add question" not in page


# --- who may change questions ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_reviewer_not_on_the_project_cannot_add_edit_or_resolve(client, project, reviewer, question):
    client.force_login(reviewer)
    assert client.post(questions_url(project), add_data()).status_code == 403
    assert client.post(edit_url(question), add_data(question="Changed")).status_code == 403
    assert client.post(resolve_url(question), {"status": "dropped", "answer": ""}).status_code == 403
    question.refresh_from_db()
    assert question.question == "Who signs the data processing agreement?" and question.status == "open"
    assert OpenQuestion.objects.count() == 1


@pytest.mark.django_db
def test_a_read_only_stakeholder_sees_questions_but_cannot_change_them(client, project, question):
    viewer = ParticipantFactory(project=project, can_edit=False, is_signatory=False).user
    client.force_login(viewer)
    page = client.get(questions_url(project)).content.decode()
    assert "Who signs the data processing agreement?" in page
    assert edit_url(question) not in page
    assert client.post(questions_url(project), add_data()).status_code == 403
    assert client.get(edit_url(question)).status_code == 403


@pytest.mark.django_db
def test_a_stranger_gets_404_not_the_question(client, question, outsider, other_client_user):
    for user in (outsider, other_client_user):
        client.force_login(user)
        assert client.get(questions_url(question.project)).status_code == 404
        assert client.post(edit_url(question), add_data()).status_code == 404


@pytest.mark.django_db
def test_a_question_of_another_project_is_not_reachable_through_this_one(client, project, lead, question):
    from tests.factories import ProjectFactory

    mine = ProjectFactory(lead_consultant=lead)
    client.force_login(lead)
    url = reverse("projects:question_edit", args=[mine.pk, question.pk])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_questions_of_an_archived_project_are_read_only(client, project, lead, question):
    DiscoveryProject.objects.filter(pk=project.pk).update(stage=Stage.ARCHIVED)
    client.force_login(lead)
    assert client.get(questions_url(project)).status_code == 200
    assert client.post(questions_url(project), add_data()).status_code == 403
    assert client.post(resolve_url(question), {"status": "dropped"}).status_code == 403


# --- editing ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_editing_changes_the_question_and_records_only_what_changed(client, project, lead, question):
    client.force_login(lead)
    form_page = client.get(edit_url(question)).content.decode()
    assert 'value="2027-02-01"' in form_page

    response = client.post(
        edit_url(question),
        add_data(question=question.question, section="security", owner="Sam Okafor", due="2027-02-01"),
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.owner == "Sam Okafor"
    event = ActivityEvent.objects.get(verb="question_edited")
    assert event.changes == {"owner": ["Priya Raman", "Sam Okafor"]}


@pytest.mark.django_db
def test_an_edit_with_errors_keeps_every_typed_value(client, project, lead, question):
    client.force_login(lead)
    response = client.post(
        edit_url(question), add_data(question="Rewritten question", owner="y" * 201, due="2027-03-03")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Rewritten question" in page and 'value="2027-03-03"' in page
    question.refresh_from_db()
    assert question.question == "Who signs the data processing agreement?"


@pytest.mark.django_db
def test_marking_answered_in_the_edit_form_needs_the_answer(client, project, lead, question):
    client.force_login(lead)
    response = client.post(edit_url(question), add_data(status="answered", answer=""))
    assert "Write the answer to mark the question answered." in response.content.decode()
    question.refresh_from_db()
    assert question.status == "open"


# --- resolving ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_resolving_asks_first_then_records_the_answer(client, project, lead, question):
    client.force_login(lead)
    confirm = client.get(resolve_url(question)).content.decode()
    assert "Resolve this question?" in confirm and "Who signs the data processing agreement?" in confirm
    question.refresh_from_db()
    assert question.status == "open"

    response = client.post(resolve_url(question), {"status": "answered", "answer": "The CFO signs it."})

    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.status, question.answer) == ("answered", "The CFO signs it.")
    event = ActivityEvent.objects.get(verb="question_resolved")
    assert event.changes == {"status": ["open", "answered"], "answer": ["", "The CFO signs it."]}
    page = client.get(questions_url(project)).content.decode()
    assert "No open questions." in page and "The CFO signs it." in page


@pytest.mark.django_db
def test_answering_without_an_answer_is_refused_but_dropping_is_allowed(client, project, lead, question):
    client.force_login(lead)
    refused = client.post(resolve_url(question), {"status": "answered", "answer": "   "})
    assert "Write the answer to mark the question answered." in refused.content.decode()
    question.refresh_from_db()
    assert question.status == "open"

    client.post(resolve_url(question), {"status": "dropped", "answer": ""})
    question.refresh_from_db()
    assert question.status == "dropped"


@pytest.mark.django_db
def test_resolving_refuses_open_as_an_outcome(client, project, lead, question):
    client.force_login(lead)
    response = client.post(resolve_url(question), {"status": "open", "answer": "x"})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    with pytest.raises(ValidationError):
        question_services.question_resolve(open_question=question, actor=lead, status="open", answer="x")
    question.refresh_from_db()
    assert question.status == "open"
    assert not ActivityEvent.objects.filter(verb="question_resolved").exists()


# --- showing ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_hostile_text_round_trips_and_is_shown_escaped_everywhere(client, project, lead):
    client.force_login(lead)
    client.post(questions_url(project), add_data(question=HOSTILE, owner=HOSTILE[:200]))
    question = OpenQuestion.objects.get(project=project)
    assert question.question == HOSTILE

    for url in (questions_url(project), edit_url(question), resolve_url(question), project.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url
        assert "مرحبا 你好 🚀" in page, url

    exported = client.get(reverse("projects:scope_json", args=[project.pk])).json()
    assert exported["open_questions"][0]["question"] == HOSTILE


@pytest.mark.django_db
def test_the_overview_counts_open_questions_and_lists_the_next_due(client, project, lead):
    today = timezone.localdate()
    OpenQuestion.objects.create(project=project, question="Overdue one", owner="A", due=today - timedelta(days=1))
    for n in range(4):
        OpenQuestion.objects.create(project=project, question=f"Upcoming {n}", owner="B", due=today + timedelta(n + 1))
    OpenQuestion.objects.create(project=project, question="Settled", status="answered", answer="yes")
    client.force_login(lead)

    page = client.get(project.get_absolute_url()).content.decode()

    assert "<strong>5</strong> open" in page and "1 overdue" in page
    assert "Overdue one" in page and "Upcoming 0" in page and "Upcoming 1" in page
    assert "Upcoming 2" not in page and "Settled" not in page
    assert reverse("projects:questions", args=[project.pk]) in page


@pytest.mark.django_db
def test_the_project_tabs_link_to_the_questions(client, project, lead):
    client.force_login(lead)
    page = client.get(project.get_absolute_url()).content.decode()
    assert f'href="{questions_url(project)}">Open questions</a>' in page


@pytest.mark.django_db
def test_parking_a_question_from_a_step_preselects_that_section(client, project, lead):
    client.force_login(lead)
    step = client.get(reverse("projects:step", args=[project.pk, "data_path"])).content.decode()
    link = reverse("projects:questions", args=[project.pk]) + "?section=data_path#add-question"
    assert link in step
    page = client.get(reverse("projects:questions", args=[project.pk]), {"section": "data_path"}).content.decode()
    assert '<option value="data_path" selected>' in page
    # An unknown section in the link is ignored, not an error.
    assert client.get(reverse("projects:questions", args=[project.pk]), {"section": "<script>"}).status_code == 200


@pytest.mark.django_db
def test_a_scope_cannot_hold_more_questions_than_its_json_allows(client, project, lead):
    from scoping.projects.scope_io import export_scope
    from scoping.scope.schema import MAX_ROWS

    OpenQuestion.objects.bulk_create(
        OpenQuestion(project=project, question=f"Question {n}", owner="Dan", due=date(2027, 1, 1), status="open")
        for n in range(MAX_ROWS)
    )
    client.force_login(lead)
    response = client.post(
        reverse("projects:questions", args=[project.pk]),
        {"question": "One too many", "owner": "Dan", "due": "2027-01-01", "status": "open"},
    )
    assert response.status_code == 200
    assert f"at most {MAX_ROWS} questions" in response.content.decode()
    assert "One too many" in response.content.decode()  # what was typed is kept
    assert project.open_questions.count() == MAX_ROWS
    assert len(export_scope(project)["open_questions"]) == MAX_ROWS  # the scope still exports


def _label_of(page: str, field_id: str) -> str:
    start = page.index(f'for="{field_id}"')
    return page[start : page.index("</label>", start)]


def _input_of(page: str, field_id: str) -> str:
    start = page.rindex("<input", 0, page.index(f'id="{field_id}"'))
    return page[start : page.index(">", start)]


@pytest.mark.django_db
def test_the_add_form_marks_who_finds_out_and_due_as_required(client, project, lead):
    client.force_login(lead)
    page = client.get(questions_url(project)).content.decode()
    for field_id in ("id_owner", "id_due", "id_question"):
        assert "asteriskField" in _label_of(page, field_id), field_id
        assert " required" in _input_of(page, field_id) or field_id == "id_question", field_id
    for field_id in ("id_answer", "id_section"):
        assert "asteriskField" not in _label_of(page, field_id), field_id
    assert "Fields marked * are required" in page


@pytest.mark.django_db
def test_the_edit_form_of_an_open_question_marks_them_too(client, project, lead, question):
    client.force_login(lead)
    page = client.get(edit_url(question)).content.decode()
    assert "asteriskField" in _label_of(page, "id_owner")
    assert "asteriskField" in _label_of(page, "id_due")


@pytest.mark.django_db
def test_an_answered_question_may_be_saved_without_who_finds_out_or_due(client, project, lead, question):
    client.force_login(lead)
    response = client.post(edit_url(question), add_data(status="answered", answer="Legal signs it.", owner="", due=""))
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.status, question.owner, question.due) == ("answered", "", None)
