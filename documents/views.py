"""Versions and documents of a project: freeze, compare, request PDFs, watch them render, download them.

Every view resolves the project through the access rule (``scoping.access.resolve_project``: strangers get 404,
people who see the project but lack the right to act get 403), then calls one service. Downloads only ever go
through ``document_download``: documents are never served from a public media URL.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from documents import render_job, selectors, services
from documents.forms import DocumentRequestForm, VersionCompareForm, VersionFreezeForm
from documents.models import DocumentStatus, ScopeDocument
from documents.storage_faults import (
    FILE_MISSING_MESSAGE,
    RETRY_AFTER_SECONDS,
    STORAGE_ERRORS,
    STORE_UNAVAILABLE_MESSAGE,
    is_missing_file,
)
from documents.versioning import version_diff, version_freeze, version_is_current
from scoping.access import resolve_project
from scoping.scope.readiness import SECTION_LABELS, SECTIONS
from scoping.scope.schema import ScopeValidationError

logger = logging.getLogger(__name__)

DOCUMENTS_PER_PAGE = 25
GATE_LABELS = {"clear": "Clear", "warning": "Warnings", "blocked": "Blocked"}


def _document_or_404(project, document_id: int) -> ScopeDocument:
    return get_object_or_404(
        ScopeDocument.objects.select_related("version", "requested_by"), pk=document_id, version__project=project
    )


def _gates(readiness: dict) -> list[dict]:
    gates = readiness.get("gates", {}) if isinstance(readiness, dict) else {}
    findings = readiness.get("findings", []) if isinstance(readiness, dict) else []
    return [
        {
            "key": section,
            "label": SECTION_LABELS[section],
            "gate": gates.get(section, "clear"),
            "gate_label": GATE_LABELS.get(gates.get(section, "clear"), ""),
            "findings": [finding for finding in findings if finding.get("section") == section],
        }
        for section in SECTIONS
    ]


def _grouped(changes) -> list[dict]:
    groups: list[dict] = []
    for change in changes:
        if not groups or groups[-1]["section"] != change.section:
            groups.append({"section": change.section, "label": change.section_label, "changes": []})
        groups[-1]["changes"].append(change)
    return groups


# --- Versions -------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def version_list(request, project_id: int):
    access = resolve_project(request.user, project_id)
    project = access.project
    versions = list(selectors.project_versions(project=project))
    latest = versions[0] if versions else None
    return render(
        request,
        "reports/web/versions.html",
        {
            "project": project,
            "access": access,
            "versions": versions,
            "latest": latest,
            "live_matches_latest": version_is_current(project, latest) if access.edit else None,
            "compare_form": VersionCompareForm(
                versions=versions,
                initial={
                    "from_version": str(versions[1].number) if len(versions) > 1 else "0",
                    "to_version": str(latest.number) if latest else "",
                },
            ),
            "client_seen": selectors.client_last_seen_version(project=project),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_freeze_view(request, project_id: int):
    access = resolve_project(request.user, project_id, need="edit")
    project = access.project
    form = VersionFreezeForm(request.POST if request.method == "POST" else None)
    latest = project.versions.order_by("-number").first()
    if request.method == "POST" and form.is_valid():
        try:
            version = version_freeze(
                project=project, actor=request.user, note=form.cleaned_data["note"], request=request
            )
        except ScopeValidationError as exc:
            form.add_error(None, f"The scope cannot be frozen until these are fixed: {exc}")
        else:
            if latest is not None and version.pk == latest.pk:
                messages.info(request, f"Nothing has changed since {version.label}, so no new version was made.")
            else:
                messages.success(request, f"Froze {version.label} (fingerprint {version.short_hash}).")
            return redirect("projects:version_detail", project.pk, version.number)
    return render(
        request,
        "reports/web/version_freeze.html",
        {
            "project": project,
            "access": access,
            "form": form,
            "latest": latest,
            "live_matches_latest": version_is_current(project, latest),
        },
    )


@login_required
@require_GET
def version_detail(request, project_id: int, number: int):
    access = resolve_project(request.user, project_id)
    project = access.project
    version = get_object_or_404(project.versions.select_related("frozen_by"), number=number)
    previous = project.versions.filter(number__lt=version.number).order_by("-number").first()
    return render(
        request,
        "reports/web/version_detail.html",
        {
            "project": project,
            "access": access,
            "version": version,
            "previous": previous,
            "groups": _grouped(version_diff(previous, version)),
            "gates": _gates(version.readiness),
            "readiness": version.readiness,
            "documents": selectors.version_documents(version=version),
            "request_form": DocumentRequestForm(versions=[version], allow_current=False) if access.manage else None,
        },
    )


@login_required
@require_GET
def version_compare(request, project_id: int):
    """The field-level diff of two versions; by default what changed since the client last saw the scope."""
    access = resolve_project(request.user, project_id)
    project = access.project
    versions = list(selectors.project_versions(project=project))
    context = {"project": project, "access": access, "versions": versions}
    if not versions:
        return render(request, "reports/web/version_diff.html", context)
    client_seen = selectors.client_last_seen_version(project=project)
    if "from" in request.GET or "to" in request.GET:
        data = {"from_version": request.GET.get("from", ""), "to_version": request.GET.get("to", "")}
    else:
        data = selectors.default_comparison(versions=versions, client_seen=client_seen)
    form = VersionCompareForm(data, versions=versions)
    context.update(form=form, old=None, new=None, groups=[], change_count=0, client_seen=client_seen)
    context["latest"] = versions[0]
    if form.is_valid():
        old, new = form.selected()
        changes = version_diff(old, new)
        context.update(old=old, new=new, groups=_grouped(changes), change_count=len(changes))
    return render(request, "reports/web/version_diff.html", context)


# --- Documents ------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def document_list(request, project_id: int):
    access = resolve_project(request.user, project_id, need="manage" if request.method == "POST" else "see")
    project = access.project
    versions = list(project.versions.order_by("-number"))
    form = None
    if access.manage:
        form = DocumentRequestForm(
            request.POST if request.method == "POST" else None, versions=versions, allow_current=access.edit
        )
    if request.method == "POST" and form.is_valid() and _request_document(request, project, form):
        return redirect("projects:documents", project.pk)
    page = Paginator(selectors.project_documents(project=project), DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/web/documents.html",
        {"project": project, "access": access, "page": page, "form": form, "versions": versions},
    )


def _request_document(request, project, form: DocumentRequestForm) -> bool:
    """Queue the PDF the form asks for; True when it is queued (or one is already being made), else False."""
    kind = form.cleaned_data["kind"]
    version = form.selected_version()
    try:
        if version is None:
            document = services.document_request_current(
                project=project, kind=kind, requested_by=request.user, request=request
            )
        else:
            document = services.document_request(version=version, kind=kind, requested_by=request.user, request=request)
    except services.BrokerUnavailable as exc:
        messages.error(request, str(exc))
        return False
    except (services.DocumentRefused, ScopeValidationError) as exc:
        form.add_error(None, str(exc))
        return False
    if document.reused:
        messages.info(
            request,
            f"{document.get_kind_display()} PDF of {document.version.label} is already being made, so "
            "no second copy was queued. It appears below as soon as it is ready.",
        )
    else:
        messages.success(
            request,
            f"{document.get_kind_display()} PDF of {document.version.label} requested. "
            "It appears below as soon as it is ready.",
        )
    return True


@login_required
@require_GET
def document_status(request, project_id: int, document_id: int):
    """The document's table row, polled by htmx every second while it is queued or rendering."""
    access = resolve_project(request.user, project_id)
    project = access.project
    document = _document_or_404(project, document_id)
    if document.status in selectors.PENDING_STATUSES and services.documents_sweep_stale(document_ids=[document.pk]):
        document.refresh_from_db()
    context = {"project": project, "access": access, "document": document}
    if request.htmx:
        return render(request, "reports/web/document_row.html", context)
    return render(request, "reports/web/document_status_page.html", context)


@login_required
@require_GET
def document_download(request, project_id: int, document_id: int):
    access = resolve_project(request.user, project_id)
    project = access.project
    document = _document_or_404(project, document_id)
    if document.status != DocumentStatus.READY or not document.file:
        raise Http404("This document is not ready yet.")
    try:
        handle = services.document_open(document=document, actor=request.user, request=request)
    except STORAGE_ERRORS as exc:
        return _document_unavailable(request, access, document, exc)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=render_job.document_download_filename(document),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _document_unavailable(request, access, document: ScopeDocument, exc: BaseException):
    """The store lost the file (404) or did not answer (503): say which, in words, instead of a server error."""
    if is_missing_file(exc):
        logger.error("The file of document %s is missing from storage: %s", document.pk, exc)
        status, message = 404, FILE_MISSING_MESSAGE
    else:
        logger.error("The document store did not answer for document %s: %r", document.pk, exc)
        status, message = 503, STORE_UNAVAILABLE_MESSAGE
    response = render(
        request,
        "reports/web/document_unavailable.html",
        {"project": access.project, "access": access, "document": document, "message": message},
        status=status,
    )
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@login_required
def document_retry(request, project_id: int, document_id: int):
    project = resolve_project(request.user, project_id, need="manage").project
    document = _document_or_404(project, document_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.document_retry(document=document, actor=request.user, request=request)
    except services.BrokerUnavailable as exc:
        messages.error(request, str(exc))
    except services.DocumentRefused as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, f"{document.get_kind_display()} PDF of {document.version.label} queued again.")
    return redirect("projects:documents", project.pk)
