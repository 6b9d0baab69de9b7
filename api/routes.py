"""The JSON API, ``/api/v1/`` (django-ninja): projects, scope, readiness, costs and versions, read through tokens.

Every object is found through ``DiscoveryProject.objects.visible_to(user)``, the one access rule of the pages, so a
token never sees more than its user, and a project someone may not see is a 404, as on the pages.
"""

from __future__ import annotations

import hashlib

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.pagination import LimitOffsetPagination, paginate

from api.auth import PerTokenThrottle, TokenAuth
from api.schemas import CostsOut, DocumentOut, Error, ProjectOut, ReadinessOut, SignoffOut, VersionOut
from documents.selectors import project_documents
from scoping.live_scope import export_scope
from scoping.models import DiscoveryProject, ScopeVersion
from scoping.review.selectors import signoff_version
from scoping.scope.costs import compute_costs
from scoping.scope.readiness import code_title, evaluate
from scoping.scope.schema import canonical_json
from scoping.signatories import signoff_statuses

api = NinjaAPI(
    title="Firstslice API",
    version="1",
    description="Scopes of AI engagements: projects, their scope, readiness, costs and frozen versions. "
    "Authenticate with a personal access token from your profile page: `Authorization: Bearer fs_…`.",
    urls_namespace="api-v1",
    auth=TokenAuth(),
    throttle=PerTokenThrottle(),
)

NOT_FOUND = "No such project, or you may not see it."
# Far beyond any real list, and well inside PostgreSQL's bigint OFFSET (schemathesis found 4e22 gave a 500).
MAX_OFFSET = 1_000_000_000
MAX_LIMIT = 100


class Pages(LimitOffsetPagination):
    """limit (1 to 100) and offset (0 to a billion): anything else is a 422 with a sentence, never a 500."""

    class Input(Schema):
        limit: int = Field(20, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


ERRORS = {401: Error, 404: Error, 422: Error, 429: Error}


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request,
        {
            "message": "A valid API token is needed: send 'Authorization: Bearer <token>'. Tokens that are revoked "
            "or expired no longer work; create a new one on your profile page."
        },
        status=401,
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"message": NOT_FOUND}, status=404)


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"message": "Too many requests with this token; wait a minute."}, status=429)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = "; ".join(
        f"{'.'.join(str(part) for part in error.get('loc', ())[1:]) or 'request'}: {error.get('msg', 'is not valid')}"
        for error in exc.errors
    )
    return api.create_response(request, {"message": f"The request is not valid: {problems}."}, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"message": str(exc)}, status=exc.status_code)


def _project(request: HttpRequest, project_id: int) -> DiscoveryProject:
    """The project, through the access rule; a stranger gets the same 404 as for a project that does not exist."""
    project = (
        DiscoveryProject.objects.visible_to(request.user)
        .select_related("client", "lead_consultant")
        .filter(pk=project_id)
        .first()
    )
    if project is None:
        raise Http404
    return project


@api.get("/projects", response={200: list[ProjectOut], **ERRORS}, summary="Projects you may see")
@paginate(Pages, max_limit=MAX_LIMIT)
def projects_list(request: HttpRequest):
    """Newest activity first; ``limit`` (at most 100) and ``offset`` page through them. Two queries a page."""
    return (
        DiscoveryProject.objects.visible_to(request.user)
        .select_related("client", "lead_consultant")
        .order_by("-last_activity_at", "-id")
    )


@api.get("/projects/{project_id}", response={200: ProjectOut, **ERRORS}, summary="One project")
def project_read(request: HttpRequest, project_id: int):
    return _project(request, project_id)


@api.get("/projects/{project_id}/scope", response={200: dict, **ERRORS}, summary="The live scope (scope JSON)")
def scope_read(request: HttpRequest, project_id: int, response: HttpResponse):
    """The live scope in the ``firstslice.scope/1`` format. ``ETag`` is its SHA-256, for ``If-Match`` on writes."""
    scope = export_scope(_project(request, project_id))
    response["ETag"] = f'"{hashlib.sha256(canonical_json(scope)).hexdigest()}"'
    return scope


@api.get("/projects/{project_id}/readiness", response={200: ReadinessOut, **ERRORS}, summary="Readiness")
def readiness_read(request: HttpRequest, project_id: int):
    judged = evaluate(export_scope(_project(request, project_id)), today=timezone.localdate())
    data = judged.as_json()
    return {
        **data,
        "ready": judged.is_ready,
        "findings": [{**finding, "title": code_title(finding["code"])} for finding in data["findings"]],
    }


@api.get("/projects/{project_id}/costs", response={200: CostsOut, **ERRORS}, summary="Cost figures")
def costs_read(request: HttpRequest, project_id: int):
    return compute_costs(export_scope(_project(request, project_id))["cost_model"]).as_json()


@api.get("/projects/{project_id}/versions", response={200: list[VersionOut], **ERRORS}, summary="Frozen versions")
def versions_list(request: HttpRequest, project_id: int):
    project = _project(request, project_id)
    versions = ScopeVersion.objects.filter(project=project).order_by("-number")
    return [
        {
            "number": version.number,
            "sha256": version.sha256,
            "frozen_at": version.frozen_at,
            "frozen_by": version.frozen_by_name,
            "note": version.note,
            "readiness_score": (version.readiness or {}).get("score"),
        }
        for version in versions
    ]


@api.get("/projects/{project_id}/documents", response={200: list[DocumentOut], **ERRORS}, summary="PDF documents")
@paginate(Pages, max_limit=MAX_LIMIT)
def documents_list(request: HttpRequest, project_id: int):
    """Newest first, with each one's status (queued, rendering, ready, failed); the same list as the Documents tab."""
    return project_documents(project=_project(request, project_id))


@api.get("/projects/{project_id}/signoff", response={200: SignoffOut, **ERRORS}, summary="Sign-off status")
def signoff_read(request: HttpRequest, project_id: int):
    project = _project(request, project_id)
    version = signoff_version(project)
    statuses = signoff_statuses(project, version) if version is not None else []
    return {
        "stage": project.stage,
        "version": version.number if version is not None else None,
        "signatories": [
            {
                "name": status.signatory.user.display_name,
                "role": status.signatory.role,
                "is_client": status.signatory.is_client,
                "state": status.state,
                "signed_at": status.signoff.signed_at if status.signoff is not None else None,
            }
            for status in statuses
        ],
    }
