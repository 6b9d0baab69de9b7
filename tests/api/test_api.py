"""The JSON API: tokens are the only way in, every route answers through the access rule, errors are sentences."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.routes import api
from api.tokens import token_create, token_hash
from documents.models import ScopeDocument
from documents.versioning import version_freeze
from tests.factories import ProjectFactory
from tests.review_support import import_project, submit

pytestmark = pytest.mark.django_db

PROJECT_ROUTES = ("", "/scope", "/readiness", "/costs", "/versions", "/documents", "/signoff")
DOCUMENT_ROUTES = ("", "/download")


def bearer(user, **options) -> dict[str, str]:
    _token, raw = token_create(user=user, name="test", scope=options.pop("scope", "read"), lifetime_days=30)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- every route x every identity ---------------------------------------------------------------------------------

# A token acts as its user: it sees what its user sees on the pages (tests/access_rows.py), never more.
SEES = {
    "anonymous": 401,
    "lead": 200,
    "member": 200,
    "outsider": 404,
    "reviewer": 200,
    "admin": 200,
    "participant": 200,
    "other_client": 404,
}


@pytest.mark.parametrize("route", PROJECT_ROUTES)
@pytest.mark.parametrize("role", SEES)
def test_every_project_route_as_every_identity(client, roles, project, role, route):
    headers = bearer(roles[role]) if roles[role] is not None else {}

    response = client.get(f"/api/v1/projects/{project.pk}{route}", **headers)

    assert response.status_code == SEES[role], f"{route} as {role}"
    assert response["Content-Type"].startswith("application/json")
    if SEES[role] == 404:
        assert response.json() == {"message": "No such project, or you may not see it."}
        assert project.name not in response.content.decode()


@pytest.mark.parametrize("role", SEES)
def test_the_project_list_holds_exactly_what_the_user_may_see(client, roles, project, role):
    headers = bearer(roles[role]) if roles[role] is not None else {}

    response = client.get("/api/v1/projects", **headers)

    if role == "anonymous":
        assert response.status_code == 401
        return
    names = {item["name"] for item in response.json()["items"]}
    assert (project.name in names) is (SEES[role] == 200), role
    if role == "other_client":
        assert names == {"Someone else's project"}


def test_every_route_in_the_schema_is_covered_here():
    paths = set(api.get_openapi_schema()["paths"])

    assert paths == {
        "/api/v1/projects",
        *(f"/api/v1/projects/{{project_id}}{route}" for route in PROJECT_ROUTES),
        *(f"/api/v1/projects/{{project_id}}/documents/{{document_id}}{route}" for route in DOCUMENT_ROUTES),
    }


@pytest.mark.parametrize("route", DOCUMENT_ROUTES)
@pytest.mark.parametrize("role", SEES)
def test_a_document_as_every_identity(client, roles, project, role, route):
    version = version_freeze(project=project, actor=roles["lead"])
    document = ScopeDocument.objects.create(version=version, kind="draft")
    headers = bearer(roles[role]) if roles[role] is not None else {}

    response = client.get(f"/api/v1/projects/{project.pk}/documents/{document.pk}{route}", **headers)

    # Seen by those who see the project; the download of a queued PDF is a 409 with a sentence, never a 500.
    expected = 409 if route and SEES[role] == 200 else SEES[role]
    assert response.status_code == expected, f"{route} as {role}"
    if SEES[role] == 404:
        assert response.json() == {"message": "No such project, or you may not see it."}


# --- tokens --------------------------------------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_hash(lead):
    token, raw = token_create(user=lead, name="CRM sync", scope="read", lifetime_days=90)

    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == token_hash(raw) != raw
    assert raw.startswith(stored.prefix) and len(stored.prefix) == 10
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().first())


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer fs_nonsense", "Token fs_x", "Basic bGVhZDpwYXNz", "Bearer " + "fs_" + "x" * 500],
)
def test_a_missing_or_bad_token_gets_401_with_a_sentence(client, header):
    response = client.get("/api/v1/projects", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert "A valid API token is needed" in response.json()["message"]


def test_a_revoked_or_expired_token_gets_401(client, lead, project):
    revoked, raw_revoked = token_create(user=lead, name="old", scope="read", lifetime_days=30)
    expired, raw_expired = token_create(user=lead, name="older", scope="read", lifetime_days=30)
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    for raw in (raw_revoked, raw_expired):
        assert client.get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_a_deactivated_user_s_token_stops_working(client, lead):
    headers = bearer(lead)
    lead.is_active = False
    lead.save()

    assert client.get("/api/v1/projects", **headers).status_code == 401


def test_a_session_alone_does_not_open_the_api(client, lead, project):
    client.force_login(lead)

    assert client.get(f"/api/v1/projects/{project.pk}").status_code == 401


def test_use_is_recorded_as_last_used(client, lead):
    token, raw = token_create(user=lead, name="t", scope="read", lifetime_days=30)

    client.get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


# --- what the routes return ----------------------------------------------------------------------------------------


def test_the_scope_carries_an_etag_of_its_content(client, lead):
    project = import_project(lead)
    headers = bearer(lead)

    first = client.get(f"/api/v1/projects/{project.pk}/scope", **headers)
    second = client.get(f"/api/v1/projects/{project.pk}/scope", **headers)

    assert first.json()["schema"] == "firstslice.scope/2"
    assert first["ETag"] == second["ETag"] and len(first["ETag"]) == 66


def test_readiness_costs_and_versions_of_the_worked_example(client, sound_project, lead):
    submit(sound_project, lead)
    headers = bearer(lead)
    base = f"/api/v1/projects/{sound_project.pk}"

    readiness = client.get(f"{base}/readiness", **headers).json()
    costs = client.get(f"{base}/costs", **headers).json()
    versions = client.get(f"{base}/versions", **headers).json()

    assert (readiness["score"], readiness["ready"]) == (8, True)
    assert costs["break_even_volume"] == 946
    assert costs["tiers"]["launch"]["monthly_net"].startswith("11765.6")
    assert [version["number"] for version in versions] == [1]
    assert versions[0]["readiness_score"] == 8


def test_the_list_pages_with_limit_and_offset_at_constant_queries(client, lead, django_assert_max_num_queries):
    for index in range(12):
        ProjectFactory(lead_consultant=lead, name=f"Project {index:02}")
    headers = bearer(lead)

    with django_assert_max_num_queries(6):
        page = client.get("/api/v1/projects?limit=5&offset=5", **headers).json()

    assert page["count"] == 12
    assert len(page["items"]) == 5
    assert client.get("/api/v1/projects?limit=1000", **headers).status_code == 422


def test_a_bad_parameter_is_a_422_with_a_sentence(client, lead):
    response = client.get("/api/v1/projects?limit=abc", **bearer(lead))

    assert response.status_code == 422
    assert response.json()["message"].startswith("The request is not valid: limit:")


def test_the_docs_page_is_served_without_a_cdn(client):
    html = client.get("/api/v1/docs").content.decode()

    assert "cdn." not in html and "unpkg" not in html
    assert "/static/ninja/swagger-ui-bundle.js" in html


# --- the tokens page -----------------------------------------------------------------------------------------------


def test_a_new_token_is_shown_once_on_the_tokens_page(client, lead):
    client.force_login(lead)

    response = client.post(
        reverse("api_tokens"), {"name": "CRM sync", "scope": "read", "lifetime_days": 30}, follow=True
    )
    again = client.get(reverse("api_tokens"))

    token = ApiToken.objects.get(user=lead)
    html = response.content.decode()
    raw = html.split('id="new-token" class="form-control font-monospace" readonly value="')[1].split('"')[0]
    assert token_hash(raw) == token.token_hash
    assert raw not in again.content.decode()
    assert token.prefix in again.content.decode()


@pytest.mark.parametrize("days", ["0", "366", "-1", "abc", ""])
def test_a_bad_lifetime_is_refused_and_what_was_typed_stays(client, lead, days):
    client.force_login(lead)

    response = client.post(reverse("api_tokens"), {"name": "CRM sync", "scope": "read", "lifetime_days": days})

    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert 'value="CRM sync"' in response.content.decode()


def test_revoking_needs_your_own_token(client, lead, outsider):
    token, raw = token_create(user=lead, name="t", scope="read", lifetime_days=30)
    client.force_login(outsider)

    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None

    client.force_login(lead)
    client.post(reverse("api_token_revoke", args=[token.pk]))
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert client.get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_the_tokens_page_needs_a_login(client):
    response = client.get(reverse("api_tokens"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_documents_and_signoff_status_of_a_project_awaiting_signatures(client, sound_project, lead, reviewer):
    from tests.review_support import to_awaiting_signoff

    version = to_awaiting_signoff(sound_project, lead, reviewer)
    headers = bearer(lead)
    base = f"/api/v1/projects/{sound_project.pk}"

    documents = client.get(f"{base}/documents", **headers).json()
    signoff = client.get(f"{base}/signoff", **headers).json()

    assert documents["count"] >= 1
    assert {item["kind"] for item in documents["items"]} >= {"proposal"}
    assert all(item["version"] == version.number for item in documents["items"])
    assert (signoff["stage"], signoff["version"]) == ("awaiting_signoff", version.number)
    assert [person["state"] for person in signoff["signatories"]] == ["pending", "pending"]
    assert {person["is_client"] for person in signoff["signatories"]} == {True, False}


@pytest.mark.parametrize("query", ["offset=39748880714839820861440", "offset=-1", "limit=0", "limit=101"])
def test_an_out_of_range_page_is_a_422_not_a_500(client, lead, query):
    response = client.get(f"/api/v1/projects?{query}", **bearer(lead))

    assert response.status_code == 422
    assert response.json()["message"].startswith("The request is not valid:")


@pytest.mark.parametrize("route", PROJECT_ROUTES)
def test_a_project_id_beyond_the_database_s_integers_is_a_404(client, lead, route):
    response = client.get(f"/api/v1/projects/39748880714839820861440{route}", **bearer(lead))

    assert response.status_code == 404
    assert response.json() == {"message": "No such project, or you may not see it."}
