"""The JSON API, ``/api/v1/`` (django-ninja): projects, scope, readiness, costs and versions, read through tokens.

Every object is found through ``DiscoveryProject.objects.visible_to(user)``, the one access rule of the pages, so a
token never sees more than its user, and a project someone may not see is a 404, as on the pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.pagination import LimitOffsetPagination, paginate

from api.auth import PerTokenThrottle, TokenAuth
from api.schemas import CostsOut, DocumentIn, DocumentOut, Error, ProjectOut, ReadinessOut, SignoffOut, VersionOut
from documents import services
from documents.models import DocumentStatus
from documents.render_job import document_download_filename
from documents.selectors import PENDING_STATUSES, project_documents
from documents.storage_faults import FILE_MISSING_MESSAGE, STORAGE_ERRORS, STORE_UNAVAILABLE_MESSAGE, is_missing_file
from scoping.access import resolve_project
from scoping.live_scope import export_scope
from scoping.models import DiscoveryProject, ScopeVersion
from scoping.review.selectors import signoff_version
from scoping.scope.costs import compute_costs
from scoping.scope.reader import UPLOAD_MAX_BYTES, parse_scope_bytes
from scoping.scope.readiness import code_title, evaluate
from scoping.scope.schema import ScopeValidationError
from scoping.signatories import signoff_statuses
from scoping.steps.scope_write import ScopeStale, ScopeWriteRefused, scope_etag, scope_write

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
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = 'The request body is not valid JSON; send an object such as {"kind": "draft"}.'
    return api.create_response(request, {"message": message}, status=exc.status_code)


def resolve_api_project(request: HttpRequest, project_id: int, *, need: str) -> DiscoveryProject:
    """The project through the pages' capability rule: 404 for a stranger, 403 for someone who may not ``need``."""
    try:
        return resolve_project(request.user, project_id, need=need).project
    except PermissionDenied as denied:
        raise HttpError(403, str(denied) or "You may not change this project.") from None


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
    """The live scope in the ``firstslice.scope/2`` format. ``ETag`` is its SHA-256, for ``If-Match`` on writes."""
    scope = export_scope(_project(request, project_id))
    response["ETag"] = scope_etag(scope)
    return scope


WRITE_ERRORS = {**ERRORS, 403: Error, 409: Error, 412: Error, 428: Error}
SCOPE_BODY = {
    "requestBody": {
        "required": True,
        "description": "A whole scope (firstslice.scope/2, or /1), as GET returned it with your changes.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@api.put(
    "/projects/{project_id}/scope",
    response={200: dict, **WRITE_ERRORS},
    summary="Replace the live scope (If-Match required)",
    openapi_extra=SCOPE_BODY,
)
def scope_replace(request: HttpRequest, project_id: int, response: HttpResponse, reopen: bool = False):
    """Writes the eight sections and the project's name, currency and decision date. Send the ``ETag`` you read in
    ``If-Match``: if the scope changed since, the answer is 412 with the current ``ETag`` and nothing is written.
    A scope in review or sign-off is only reopened with ``?reopen=true``. Needs a read-write token."""
    if not request.api_token.can_write:
        raise HttpError(403, "This token is read-only; create a read-write token to change scopes.")
    project = resolve_api_project(request, project_id, need="edit")
    if_match = request.headers.get("If-Match", "")
    if not if_match:
        raise HttpError(428, "Send the scope's ETag (from GET) in an If-Match header, so a stale write loses nothing.")
    try:
        data = parse_scope_bytes(request.body, max_bytes=UPLOAD_MAX_BYTES)
        scope, _changed = scope_write(
            project=project, data=data, actor=request.user, if_match=if_match, reopen=reopen, request=request
        )
    except ScopeValidationError as problem:
        raise HttpError(422, problem.summary().replace("\n  ", " ").replace("\n", " ")) from None
    except ScopeStale as stale:
        response = api.create_response(request, {"message": str(stale)}, status=412)
        response["ETag"] = stale.current_etag
        return response
    except ScopeWriteRefused as refused:
        raise HttpError(refused.status, str(refused)) from None
    response["ETag"] = scope_etag(scope)
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


def _document(project: DiscoveryProject, document_id: int):
    document = project_documents(project=project).filter(pk=document_id).first()
    if document is None:
        raise HttpError(404, "No such document of this project.")
    return document


@api.post(
    "/projects/{project_id}/documents",
    response={202: DocumentOut, **WRITE_ERRORS, 400: Error, 503: Error},
    summary="Request a PDF (queued; poll its status)",
)
def document_request(request: HttpRequest, project_id: int, payload: DocumentIn, response: HttpResponse):
    """Queues the PDF as the Documents tab does; an identical one already being made is returned instead of a
    second. Without ``version`` the live scope is frozen first (needs edit rights). Needs a read-write token."""
    if not request.api_token.can_write:
        raise HttpError(403, "This token is read-only; create a read-write token to request documents.")
    project = resolve_api_project(request, project_id, need="manage" if payload.version is not None else "edit")
    try:
        if payload.version is None:
            document = services.document_request_current(
                project=project, kind=payload.kind, requested_by=request.user, request=request
            )
        else:
            version = ScopeVersion.objects.filter(project=project, number=payload.version).first()
            if version is None:
                raise HttpError(404, f"This project has no version {payload.version}.")
            document = services.document_request(
                version=version, kind=payload.kind, requested_by=request.user, request=request
            )
    except services.BrokerUnavailable as exc:
        raise HttpError(503, str(exc)) from None
    except (services.DocumentRefused, ScopeValidationError) as exc:
        raise HttpError(409, str(exc)) from None
    response["Location"] = f"/api/v1/projects/{project.pk}/documents/{document.pk}"
    return 202, document


@api.get(
    "/projects/{project_id}/documents/{document_id}", response={200: DocumentOut, **ERRORS}, summary="One PDF's status"
)
def document_read(request: HttpRequest, project_id: int, document_id: int):
    document = _document(_project(request, project_id), document_id)
    if document.status in PENDING_STATUSES and services.documents_sweep_stale(document_ids=[document.pk]):
        document.refresh_from_db()
    return document


@api.get(
    "/projects/{project_id}/documents/{document_id}/download",
    response={200: None, **ERRORS, 409: Error, 503: Error},
    summary="Download a ready PDF",
    openapi_extra={"responses": {"200": {"description": "The PDF", "content": {"application/pdf": {}}}}},
)
def document_download(request: HttpRequest, project_id: int, document_id: int):
    """The PDF itself once its status is ``ready`` (409 before); the download is recorded as on the pages."""
    document = _document(_project(request, project_id), document_id)
    if document.status != DocumentStatus.READY or not document.file:
        raise HttpError(409, f"This document is not ready yet (it is {document.get_status_display().lower()}).")
    try:
        handle = services.document_open(document=document, actor=request.user, request=request)
    except STORAGE_ERRORS as exc:
        if is_missing_file(exc):
            raise HttpError(404, FILE_MISSING_MESSAGE) from None
        raise HttpError(503, STORE_UNAVAILABLE_MESSAGE) from None
    response = FileResponse(
        handle, as_attachment=True, filename=document_download_filename(document), content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


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
