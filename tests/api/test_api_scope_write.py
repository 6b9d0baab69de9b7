"""PUT /api/v1/projects/<id>/scope: a whole scope written with If-Match; a stale write is refused, losing nothing."""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from api.tokens import token_create
from scoping.access import project_access
from scoping.models import ActivityEvent, DiscoveryProject, ProjectMember, Stage
from scoping.models.sections import CostModel
from tests.review_support import example_scope, import_project, set_stage, submit

pytestmark = pytest.mark.django_db


def bearer(user, scope: str = "read_write") -> dict[str, str]:
    _token, raw = token_create(user=user, name="integration", scope=scope, lifetime_days=30)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def read(client, project, headers) -> tuple[dict, str]:
    response = client.get(f"/api/v1/projects/{project.pk}/scope", **headers)
    assert response.status_code == 200
    return response.json(), response["ETag"]


def write(client, project, headers, scope, etag: str | None, query: str = ""):
    extra = {"HTTP_IF_MATCH": etag} if etag is not None else {}
    return client.put(
        f"/api/v1/projects/{project.pk}/scope{query}",
        data=json.dumps(scope),
        content_type="application/json",
        **headers,
        **extra,
    )


def with_second_step(scope: dict) -> dict:
    scope["cost_model"]["hosting"] = "1300"
    scope["cost_model"]["steps"].append(
        {**scope["cost_model"]["steps"][0], "name": "Check the coding", "model": "small-checker", "calls_per_use": 1}
    )
    return scope


def test_a_write_with_the_etag_it_read_replaces_the_scope_and_returns_the_new_etag(client, lead):
    project = import_project(lead)
    headers = bearer(lead)
    scope, etag = read(client, project, headers)

    response = write(client, project, headers, with_second_step(scope), etag)

    assert response.status_code == 200, response.content
    assert response["ETag"] != etag
    assert response.json()["cost_model"]["hosting"] == "1300"
    cost_model = CostModel.objects.get(project=project)
    assert (cost_model.hosting, cost_model.revision) == (Decimal(1300), 1)  # the import saved revision 0
    assert [step.model for step in cost_model.steps.all()] == ["self-hosted 8B model", "small-checker"]
    again, new_etag = read(client, project, headers)
    assert new_etag == response["ETag"] and again == response.json()
    event = ActivityEvent.objects.filter(project=project, verb="scope_written").get()
    assert event.changes == {"cost_model": ["", "Cost model"]}
    project.refresh_from_db()
    assert project.readiness_score == 8


def test_a_stale_write_is_412_with_the_current_etag_and_writes_nothing(client, lead):
    project = import_project(lead)
    headers = bearer(lead)
    first_read, etag = read(client, project, headers)
    theirs = json.loads(json.dumps(first_read))
    theirs["first_slice"]["in_scope"] = "Their change, made first"
    assert write(client, project, headers, theirs, etag).status_code == 200

    mine = with_second_step(first_read)
    response = write(client, project, headers, mine, etag)

    assert response.status_code == 412
    assert "changed since you read it, so nothing was written" in response.json()["message"]
    current, current_etag = read(client, project, headers)
    assert response["ETag"] == current_etag
    assert current["first_slice"]["in_scope"] == "Their change, made first"  # theirs is kept
    assert current["cost_model"]["hosting"] == "1100" and len(current["cost_model"]["steps"]) == 1  # mine is not


def test_without_if_match_the_write_is_428_and_nothing_changes(client, lead):
    project = import_project(lead)
    headers = bearer(lead)
    scope, _etag = read(client, project, headers)

    response = write(client, project, headers, with_second_step(scope), None)

    assert response.status_code == 428
    assert "If-Match" in response.json()["message"]
    assert CostModel.objects.get(project=project).revision == 0


def test_a_read_only_token_may_not_write(client, lead):
    project = import_project(lead)
    scope, etag = read(client, project, bearer(lead, "read"))

    response = write(client, project, bearer(lead, "read"), with_second_step(scope), etag)

    assert response.status_code == 403
    assert response.json()["message"] == "This token is read-only; create a read-write token to change scopes."


@pytest.mark.parametrize("role", ["member", "outsider", "reviewer", "admin", "participant", "other_client"])
def test_only_people_who_may_edit_write_and_strangers_get_404(client, roles, lead, role):
    project = import_project(lead)
    ProjectMember.objects.get_or_create(project=project, user=roles["member"])
    project.participants.get_or_create(user=roles["participant"], defaults={"can_edit": False})
    scope, etag = read(client, project, bearer(lead))
    user = roles[role]

    response = write(client, project, bearer(user), with_second_step(scope), etag)

    visible = DiscoveryProject.objects.visible_to(user).filter(pk=project.pk).exists()
    if not visible:
        assert response.status_code == 404
        assert project.name not in response.content.decode()
    elif project_access(user, project).edit:
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 403
    if response.status_code != 200:
        assert CostModel.objects.get(project=project).steps.count() == 1


@pytest.mark.parametrize(
    "body,expected",
    [
        (b'{"schema": "firstslice.scope/2", "project": {', "is not valid JSON"),
        (b"", "is empty"),
        (b'{"schema": "firstslice.scope/7"}', "must be 'firstslice.scope/1' or 'firstslice.scope/2'"),
    ],
)
def test_a_bad_body_is_422_with_the_problem_named(client, lead, body, expected):
    project = import_project(lead)
    headers = bearer(lead)
    _scope, etag = read(client, project, headers)

    response = client.put(
        f"/api/v1/projects/{project.pk}/scope",
        data=body,
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **headers,
    )

    assert response.status_code == 422
    assert expected in response.json()["message"]


def test_parts_edited_on_other_pages_must_come_back_as_read(client, lead):
    project = import_project(lead)
    headers = bearer(lead)
    scope, etag = read(client, project, headers)
    scope["open_questions"] = []
    scope["project"]["client"] = "Someone else Ltd"
    scope["cost_model"]["steps"][0]["input_tokens"] = -4

    response = write(client, project, headers, scope, etag)

    assert response.status_code == 422
    message = response.json()["message"]
    assert "cost_model.steps[0].input_tokens" in message
    assert CostModel.objects.get(project=project).steps.get().input_tokens == 3000


def test_a_kept_part_that_changed_is_named(client, lead):
    project = import_project(lead)
    headers = bearer(lead)
    scope, etag = read(client, project, headers)
    scope["open_questions"] = []
    scope["project"]["client"] = "Someone else Ltd"

    response = write(client, project, headers, scope, etag)

    assert response.status_code == 422
    message = response.json()["message"]
    assert "open_questions: must be sent as it was read" in message
    assert "project.client: must be sent as it was read" in message


def test_a_v1_file_is_read_as_v2(client, lead):
    project = import_project(lead)
    headers = bearer(lead)
    _scope, etag = read(client, project, headers)
    v1 = example_scope()
    v1["cost_model"]["input_tokens"] = 5000

    response = write(client, project, headers, v1, etag)

    assert response.status_code == 200, response.content
    assert response.json()["schema"] == "firstslice.scope/2"
    assert CostModel.objects.get(project=project).steps.get().input_tokens == 5000
    # A /1 file has no engagement: the project's proposal stays as it was.
    assert response.json()["engagement"]["price"] == "48000"


def test_writing_the_same_scope_changes_nothing(client, lead):
    project = import_project(lead)
    headers = bearer(lead)
    scope, etag = read(client, project, headers)

    response = write(client, project, headers, scope, etag)

    assert response.status_code == 200
    assert response["ETag"] == etag
    assert not ActivityEvent.objects.filter(project=project, verb="scope_written").exists()


def test_a_scope_in_review_is_reopened_only_when_asked(client, lead):
    project = import_project(lead)
    submit(project, lead)
    headers = bearer(lead)
    scope, etag = read(client, project, headers)

    refused = write(client, project, headers, with_second_step(json.loads(json.dumps(scope))), etag)
    assert refused.status_code == 409
    assert "?reopen=true" in refused.json()["message"]
    project.refresh_from_db()
    assert project.stage == Stage.IN_REVIEW

    reopened = write(client, project, headers, with_second_step(scope), etag, query="?reopen=true")
    assert reopened.status_code == 200, reopened.content
    project.refresh_from_db()
    assert project.stage == Stage.DRAFT
    assert CostModel.objects.get(project=project).steps.count() == 2


def test_a_client_may_not_write_once_the_scope_left_draft(client, lead, participant):
    project = import_project(lead)
    project.participants.update_or_create(user=participant, defaults={"can_edit": True})
    set_stage(project, Stage.IN_REVIEW)
    headers = bearer(participant)
    scope, etag = read(client, project, headers)

    response = write(client, project, headers, with_second_step(scope), etag, query="?reopen=true")

    assert response.status_code == 403
    assert CostModel.objects.get(project=project).steps.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_writes_from_the_same_etag_at_once_one_wins_and_the_other_is_412(lead):
    project = import_project(lead)
    headers = bearer(lead)
    scope, etag = read(Client(), project, headers)
    results: dict[str, int] = {}
    barrier = threading.Barrier(2)

    def put(name: str, hosting: str) -> None:
        body = json.loads(json.dumps(scope))
        body["cost_model"]["hosting"] = hosting
        barrier.wait()
        try:
            results[name] = write(Client(), project, headers, body, etag).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=put, args=(name, hosting)) for name, hosting in (("a", "1500"), ("b", "1700"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results.values()) == [200, 412]
    winner = "1500" if results["a"] == 200 else "1700"
    assert CostModel.objects.get(project=project).hosting == Decimal(winner)


def test_a_write_records_its_writer_as_who_answered_each_field_it_changed(client, lead):
    project = import_project(lead)
    headers = bearer(lead)
    scope, etag = read(client, project, headers)
    scope.pop("field_sources")  # a program that does not send who answered leaves it as it was

    response = write(client, project, headers, with_second_step(scope), etag)

    assert response.status_code == 200, response.content
    sources = response.json()["field_sources"]
    assert set(sources) == {"cost_model.hosting", "cost_model.steps"}
    assert (sources["cost_model.hosting"]["by"], sources["cost_model.hosting"]["role"]) == (
        lead.display_name,
        "consultant",
    )
