"""Scope JSON through HTTP and the command line: export, import by upload and by ``import_scope``, and rejection."""

from __future__ import annotations

import copy
import html
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test.client import FakePayload
from django.urls import reverse

from scoping.models import ActivityEvent, Client, DiscoveryProject
from scoping.models.sections import OpenQuestion
from scoping.projects.scope_io import export_scope, import_scope
from scoping.projects.scope_views import scope_filename
from scoping.scope.schema import validate_scope
from tests.factories import ClientFactory, ProjectFactory, UserFactory

EXAMPLE_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "invoice-coding.json"
HOSTILE = '<script>alert(1)</script> {{ 7*7 }} "quoted" \\ back مرحبا 你好 🚀'
IMPORT_URL = reverse("projects:import")


@pytest.fixture
def example() -> dict[str, Any]:
    return json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def imported(example, lead) -> DiscoveryProject:
    """The worked example in the database, with hostile text and a resolved question to make the round trip harder."""
    example["production_target"]["problem_statement"] = HOSTILE
    example["project"]["name"] = "Invoice coding — phase 1 «北»"
    example["open_questions"].append(
        {"question": HOSTILE, "section": "", "owner": "", "due": None, "status": "answered", "answer": "Yes."}
    )
    return import_scope(data=example, client_name=None, user=lead)


def counts() -> dict[str, int]:
    return {
        "projects": DiscoveryProject.objects.count(),
        "clients": Client.objects.count(),
        "events": ActivityEvent.objects.count(),
        "questions": OpenQuestion.objects.count(),
    }


def upload(content: bytes, name: str = "scope.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/json")


# --- export -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_export_view_returns_exactly_export_scope_as_a_utf8_attachment(client, imported, lead):
    client.force_login(lead)
    response = client.get(reverse("projects:scope_json", args=[imported.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="kestrel-foods-ltd-invoice-coding-phase-1-scope.json"'
    )
    assert json.loads(response.content) == export_scope(imported)
    assert "مرحبا 你好 🚀".encode() in response.content  # ensure_ascii=False: readable, not \u escapes
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_client_stakeholder_may_download_the_scope_of_their_project(client, project, participant):
    client.force_login(participant)
    response = client.get(reverse("projects:scope_json", args=[project.pk]))
    assert response.status_code == 200
    assert response.json()["project"]["name"] == "Invoice coding"


@pytest.mark.django_db
def test_the_export_filename_falls_back_to_the_project_id_when_nothing_slugifies(db):
    project = ProjectFactory(client=ClientFactory(name="北京"), name="你好")
    assert scope_filename(project) == f"project-{project.pk}-scope.json"


# --- round trips --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_then_upload_then_export_gives_the_same_json(client, imported, lead):
    client.force_login(lead)
    first = client.get(reverse("projects:scope_json", args=[imported.pk]))

    response = client.post(IMPORT_URL, {"file": upload(first.content), "client": ""})

    new_project = DiscoveryProject.objects.exclude(pk=imported.pk).get()
    assert response.status_code == 302
    assert response["Location"] == new_project.get_absolute_url()
    assert new_project.lead_consultant == lead and new_project.client == imported.client
    second = client.get(reverse("projects:scope_json", args=[new_project.pk]))
    assert json.loads(second.content) == json.loads(first.content)
    assert second.content == first.content


@pytest.mark.django_db
def test_export_then_import_command_then_export_gives_the_same_json(client, imported, lead, tmp_path):
    client.force_login(lead)
    first = client.get(reverse("projects:scope_json", args=[imported.pk])).content
    path = tmp_path / "scope.json"
    path.write_bytes(first)
    out, err = StringIO(), StringIO()

    call_command("import_scope", str(path), "--lead", "lead", stdout=out, stderr=err)

    new_id = int(out.getvalue().strip())
    assert new_id != imported.pk
    assert f"as project {new_id}" in err.getvalue()
    second = client.get(reverse("projects:scope_json", args=[new_id])).content
    assert second == first


@pytest.mark.django_db
def test_the_import_command_files_the_project_under_the_client_given(example, lead, tmp_path):
    path = tmp_path / "scope.json"
    path.write_text(json.dumps(example), encoding="utf-8")
    out = StringIO()

    call_command("import_scope", str(path), "--client", "Heron Logistics", stdout=out, stderr=StringIO())

    project = DiscoveryProject.objects.get(pk=int(out.getvalue()))
    assert project.client.name == "Heron Logistics"
    assert project.lead_consultant == lead  # the only consultant, no admin: the default lead
    assert export_scope(project)["production_target"] == validate_scope(example)["production_target"]


@pytest.mark.django_db
def test_the_import_command_prefers_an_admin_as_default_lead_and_checks_lead(example, lead, reviewer, tmp_path):
    admin = UserFactory(username="boss", role="admin")
    path = tmp_path / "scope.json"
    path.write_text(json.dumps(example), encoding="utf-8")
    out = StringIO()
    call_command("import_scope", str(path), stdout=out, stderr=StringIO())
    assert DiscoveryProject.objects.get(pk=int(out.getvalue())).lead_consultant == admin

    with pytest.raises(CommandError, match="only consultants and admins can lead"):
        call_command("import_scope", str(path), "--lead", "reviewer", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="no active user with that username"):
        call_command("import_scope", str(path), "--lead", "nobody", stdout=StringIO(), stderr=StringIO())
    assert DiscoveryProject.objects.count() == 1


@pytest.mark.django_db
def test_the_upload_form_files_the_project_under_the_client_given(client, example, lead):
    client.force_login(lead)
    response = client.post(
        IMPORT_URL, {"file": upload(json.dumps(example).encode()), "client": "Heron Logistics"}, follow=True
    )
    project = DiscoveryProject.objects.get()
    assert project.client.name == "Heron Logistics"
    assert "Scope imported as the project" in response.content.decode()


# --- rejection ----------------------------------------------------------------------------------------------------


def _mutated(example: dict[str, Any], change) -> bytes:
    data = copy.deepcopy(example)
    change(data)
    return json.dumps(data, ensure_ascii=False).encode()


def _set(path: tuple, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


BAD_FILES = {
    "malformed JSON": (lambda example: b'{"schema": "firstslice.scope/1", "project": {', ["not valid JSON", "line 1"]),
    "unknown schema": (
        lambda example: _mutated(example, _set(("schema",), "firstslice.scope/9")),
        ["schema: must be 'firstslice.scope/1' or 'firstslice.scope/2'; got text 'firstslice.scope/9'"],
    ),
    "negative count": (
        lambda example: _mutated(example, _set(("production_target", "volume_per_month"), -9000)),
        ["production_target.volume_per_month: must be 0 or more; got -9000"],
    ),
    "text where a number belongs": (
        lambda example: _mutated(example, _set(("first_slice", "duration_weeks"), "eight")),
        ["first_slice.duration_weeks: must be a whole number", "got text 'eight'"],
    ),
    "money with a currency sign": (
        lambda example: _mutated(example, _set(("cost_model", "hosting"), "£1,100")),
        ["cost_model.hosting: must be an amount such as 2.50"],
    ),
    "bad choice": (
        lambda example: _mutated(example, _set(("data_path", "sources", 0, "access_method"), "Manual export")),
        ["data_path.sources[0].access_method: must be one of:", "did you mean 'manual_export'?"],
    ),
    "over-long text": (
        lambda example: _mutated(example, _set(("production_target", "workflow_name"), "w" * 201)),
        ["production_target.workflow_name: is too long: 201 characters; the limit is 200"],
    ),
    "non-UTF-8 bytes": (
        lambda example: json.dumps(example, ensure_ascii=False).encode("utf-16"),
        ["is not UTF-8 text"],
    ),
    "latin-1 text": (
        lambda example: _mutated(example, _set(("project", "name"), "Café")).decode().encode("latin-1"),
        ["is not UTF-8 text"],
    ),
    "NaN amount": (
        lambda example: _mutated(example, _set(("cost_model", "hosting"), 1)).replace(
            b'"hosting": 1', b'"hosting": NaN'
        ),
        ["NaN is not a number JSON allows"],
    ),
    "a number with thousands of digits": (
        lambda example: _mutated(example, _set(("production_target", "volume_per_month"), 7)).replace(
            b'"volume_per_month": 7', b'"volume_per_month": ' + b"9" * 5000
        ),
        ["contains a number with thousands of digits"],
    ),
    "nested far too deep": (lambda example: b"[" * 100_000 + b"]" * 100_000, ["nested too deeply"]),
    "not an object": (lambda example: b"[1, 2, 3]", ["(top level): the scope must be a JSON object"]),
    "empty file": (lambda example: b"   \n", ["The file is empty"]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_the_upload_form_rejects_a_bad_file_whole_naming_the_field(client, example, lead, case):
    build, expected = BAD_FILES[case]
    client.force_login(lead)
    before = counts()

    response = client.post(IMPORT_URL, {"file": upload(build(example)), "client": "Kept client name"})

    page = html.unescape(response.content.decode())
    assert response.status_code == 400  # an invalid file is the sender's error, not a success
    for text in expected:
        assert text in page, case
    assert 'value="Kept client name"' in page
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_the_import_command_rejects_a_bad_file_whole_naming_the_field(example, lead, tmp_path, case):
    build, expected = BAD_FILES[case]
    path = tmp_path / "bad.json"
    path.write_bytes(build(example))
    before = counts()

    with pytest.raises(CommandError) as problem:
        call_command("import_scope", str(path), stdout=StringIO(), stderr=StringIO())

    message = str(problem.value)
    for text in expected:
        text = text.replace("The file is empty", "is empty")
        assert text in message, case
    assert counts() == before


@pytest.mark.django_db
def test_every_problem_in_a_file_is_listed_not_only_the_first(client, example, lead):
    example["production_target"]["user_count"] = "seven"
    example["first_slice"]["pilot_volume_per_month"] = -1
    example["security"]["authentication"] = "passwords"
    example["ownership"]["business_owner"]["email"] = "not an address"
    client.force_login(lead)

    page = client.post(IMPORT_URL, {"file": upload(json.dumps(example).encode())}).content.decode()

    assert "4 problems" in page
    for path in (
        "production_target.user_count:",
        "first_slice.pilot_volume_per_month:",
        "security.authentication:",
        "ownership.business_owner.email:",
    ):
        assert f"<li>{path}" in page
    assert DiscoveryProject.objects.count() == 0


@pytest.mark.django_db
def test_a_file_over_two_megabytes_is_refused_before_it_is_read(client, example, lead):
    client.force_login(lead)
    padded = json.dumps(example).encode() + b" " * (2 * 1024 * 1024)
    before = counts()
    response = client.post(IMPORT_URL, {"file": upload(padded)})
    assert response.status_code == 413
    assert f"The file is {len(padded):,} bytes; the limit is 2 MB" in response.content.decode()
    assert counts() == before


class CountingPayload(FakePayload):
    """A request body that remembers how much of it the server read."""

    bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def _multipart(body_bytes: int) -> tuple[bytes, str]:
    boundary = "BoUnDaRy"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.json"\r\n'
        "Content-Type: application/json\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + b" " * body_bytes + tail, f"multipart/form-data; boundary={boundary}"


@pytest.mark.django_db
def test_a_fifty_megabyte_upload_is_refused_by_its_content_length_without_reading_the_body(client, lead):
    client.force_login(lead)
    body, content_type = _multipart(50 * 1024 * 1024)
    payload = CountingPayload(body)
    before = counts()
    response = client.generic(
        "POST", IMPORT_URL, b"", content_type=content_type, CONTENT_LENGTH=str(len(body)), **{"wsgi.input": payload}
    )
    assert response.status_code == 413
    page = html.unescape(response.content.decode())
    assert f"The upload is {len(body):,} bytes; the limit is 2 MB" in page
    assert payload.bytes_read == 0
    assert counts() == before


@pytest.mark.django_db
def test_an_oversized_upload_without_a_login_is_sent_to_log_in_unread(client):
    body, content_type = _multipart(50 * 1024 * 1024)
    payload = CountingPayload(body)
    response = client.generic(
        "POST", IMPORT_URL, b"", content_type=content_type, CONTENT_LENGTH=str(len(body)), **{"wsgi.input": payload}
    )
    assert response.status_code == 302 and "/login/" in response.url
    assert payload.bytes_read == 0


@pytest.mark.django_db
def test_the_upload_form_still_checks_its_csrf_token(example, lead):
    from django.test import Client as BrowserClient

    strict = BrowserClient(enforce_csrf_checks=True)
    strict.force_login(lead)
    response = strict.post(IMPORT_URL, {"file": upload(json.dumps(example).encode())})
    assert response.status_code == 403
    assert DiscoveryProject.objects.filter(name=example["project"]["name"]).count() == 0


@pytest.mark.django_db
def test_an_empty_client_override_of_spaces_falls_back_to_the_file_and_a_long_one_is_refused(client, example, lead):
    client.force_login(lead)
    page = client.post(IMPORT_URL, {"file": upload(json.dumps(example).encode()), "client": "c" * 201}).content
    assert "Ensure this value has at most 200 characters (it has 201)." in page.decode()
    assert DiscoveryProject.objects.count() == 0


@pytest.mark.django_db
def test_a_hostile_file_is_imported_as_typed_and_shown_escaped_in_the_errors(client, example, lead):
    example["production_target"]["user_count"] = "<script>alert(1)</script>"
    client.force_login(lead)
    page = client.post(IMPORT_URL, {"file": upload(json.dumps(example).encode())}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_people_who_cannot_create_projects_cannot_import(client, example, reviewer, participant):
    for user in (reviewer, participant):
        client.force_login(user)
        response = client.post(IMPORT_URL, {"file": upload(json.dumps(example).encode())})
        assert response.status_code == 403
    assert DiscoveryProject.objects.count() == 1  # only the participant's own project from the fixture


@pytest.mark.django_db
def test_the_pipeline_shows_the_stored_readiness_and_the_import_button(client, example, lead, reviewer):
    ready = import_scope(data=example, client_name=None, user=lead)
    example["project"]["name"] = "Half done"
    example["workflow"]["output_destination"] = ""
    example["ownership"]["business_owner"]["name"] = "TBD"
    half = import_scope(data=example, client_name=None, user=lead)
    client.force_login(lead)

    page = client.get(reverse("projects:list")).content.decode()

    assert ready.readiness_score == 8 and half.readiness_score == 6 and half.readiness_blockers == 2
    assert '<span class="readiness-score" title="Gates without a blocker">8/8</span>' in page
    assert '<span class="readiness-score" title="Gates without a blocker">6/8</span>' in page
    assert "2 blockers" in page
    assert f'href="{IMPORT_URL}">Import scope</a>' in page

    client.force_login(reviewer)
    assert "Import scope" not in client.get(reverse("projects:list")).content.decode()


@pytest.mark.django_db
def test_the_pipeline_reads_the_stored_score_without_extra_queries(
    client, example, lead, django_assert_max_num_queries
):
    for n in range(5):
        example["project"]["name"] = f"Copy {n}"
        import_scope(data=example, client_name=None, user=lead)
    client.force_login(lead)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("projects:list")).content.decode()
    assert page.count("8/8</span>") == 5
