"""The whole scope as a file: downloading scope.json and importing a scope file as a new project."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from scoping.access import require_creator, resolve_project
from scoping.models import DiscoveryProject
from scoping.projects.forms import ScopeImportForm
from scoping.projects.scope_io import export_scope, import_scope
from scoping.scope.reader import UPLOAD_MAX_BYTES, too_big_message
from scoping.scope.schema import ScopeValidationError


def scope_filename(project: DiscoveryProject) -> str:
    """``<client>-<project>-scope.json``, slugified; names with no Latin letters fall back to the project id."""
    stem = "-".join(part for part in (slugify(project.client.name), slugify(project.name)) if part)
    return f"{stem or f'project-{project.pk}'}-scope.json"


@never_cache
@login_required
@require_GET
def scope_json(request: HttpRequest, project_id: int) -> HttpResponse:
    """The live scope in the scope JSON format, as a download."""
    project = resolve_project(request.user, project_id).project
    response = JsonResponse(
        export_scope(project),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{scope_filename(project)}"'
    return response


# A multipart body carries headers and the client field besides the file; a body far beyond the file limit is
# refused by its Content-Length before a byte of it is read (the server reads no more than Content-Length).
_BODY_ALLOWANCE = 64 * 1024


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_exempt  # CSRF is still checked, by _scope_import_page, after the size check (the check reads the body)
@login_required
@require_http_methods(["GET", "POST"])
def scope_import(request: HttpRequest) -> HttpResponse:
    """Create a project from an uploaded scope file; a bad file is rejected whole, with every problem listed."""
    require_creator(request.user)
    if request.method == "POST" and (size := _content_length(request)) > UPLOAD_MAX_BYTES + _BODY_ALLOWANCE:
        form = ScopeImportForm()
        form.upload_error = f"The upload {too_big_message(size)} Nothing was read or imported; choose the scope file."
        return render(request, "scoping/import.html", {"form": form}, status=413)
    return _scope_import_page(request)


@csrf_protect
def _scope_import_page(request: HttpRequest) -> HttpResponse:
    form = ScopeImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return render(request, "scoping/import.html", {"form": form})
    if form.is_valid():
        try:
            project = import_scope(
                data=form.cleaned_data["file"], client_name=form.cleaned_data["client"] or None, user=request.user
            )
        except ScopeValidationError as problem:
            for path, message in problem.errors:
                form.add_error(None, f"{path}: {message}")
        except ValidationError as problem:
            form.add_error(None, ValidationError(problem.messages))
        else:
            messages.success(request, f"Scope imported as the project “{project.name}” for {project.client.name}.")
            return redirect(project)
    # The file was refused: answer 4xx (413 when it was too big), with every problem on the page.
    return render(request, "scoping/import.html", {"form": form}, status=413 if form.too_large else 400)
