"""Autosave of a guided step, and the step's saved state for polling and catch-up: JSON for ``static/js/autosave.js``.

The autosave takes the step form's whole FormData, as a button save does, and goes through the same save service:
only the fields the person changed (by their ``opened__`` fingerprints) are written, a field someone else changed
meanwhile is kept, lists merge row by row. Unlike a button save it never refuses the whole form for one bad value:
the fields that validate are saved, the others are reported and left as saved (the browser keeps what was typed).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseNotAllowed, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from scoping.access import resolve_project
from scoping.models.sections import SECTION_MODELS
from scoping.review import hooks as workflow_hooks
from scoping.steps.forms import SECTION_FORM_FIELDS, StepForms, build_step_forms, rows_keys
from scoping.steps.live_state import step_state
from scoping.steps.services import (
    EditConflict,
    EditNeedsConfirmation,
    EditRefused,
    conflict_theirs,
    section_save,
    section_with_rows,
)
from scoping.steps.sources import section_source_texts
from scoping.steps.status import STEP_KEYS
from scoping.steps.views import PostedStep

CLIENT_HEADER = "X-Firstslice-Client"
# "Precondition required": nothing was saved; the person must tick the confirmation that saving withdraws the scope.
NEEDS_CONFIRMATION = 428


def _refused(message: str) -> JsonResponse:
    return JsonResponse({"status": "refused", "message": message}, status=403)


def _errors(forms: StepForms) -> tuple[dict[str, list[str]], set[str]]:
    """The messages by input name, and the fields (or whole lists) that did not validate: those are not saved."""
    errors: dict[str, list[str]] = {}
    unchanged: set[str] = set()
    for name, messages in forms.form.errors.items():
        errors[name] = [str(message) for message in messages]
        if name in SECTION_FORM_FIELDS[forms.form.section_key]:
            unchanged.add(name)
    for block in forms.row_blocks:
        formset = block.formset
        if formset.is_valid():
            continue
        unchanged.add(block.key)
        if formset.non_form_errors():
            errors[block.key] = [str(message) for message in formset.non_form_errors()]
        for row_form in formset.forms:
            for name, messages in row_form.errors.items():
                key = row_form.add_prefix(name) if name != "__all__" else row_form.prefix
                errors[key] = [str(message) for message in messages]
    return errors, unchanged


def _state_answer(state: dict[str, Any]) -> dict[str, Any]:
    """The parts of a step's state every answer carries: revision, fresh fingerprints, values."""
    return {
        "revision": state["revision"],
        "opened": {
            **{name: field["fingerprint"] for name, field in state["fields"].items()},
            **{key: rows["fingerprint"] for key, rows in state["rows"].items()},
        },
        "opened_rows": {key: rows["row_fingerprints"] for key, rows in state["rows"].items()},
        "fields": state["fields"],
        "rows": state["rows"],
        "updated_by": state["updated_by"],
    }


@login_required
def step_autosave(request: HttpRequest, project_id: int, section_key: str) -> JsonResponse | HttpResponseNotAllowed:
    """Save what changed in a step's form; answer what was saved, what clashed and what was refused, as JSON."""
    if section_key not in STEP_KEYS:
        raise Http404("There is no such step.")
    try:
        access = resolve_project(request.user, project_id, need="edit")
    except PermissionDenied as refused:
        return _refused(str(refused))
    if request.method != "POST":  # after the access check, so a stranger gets 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    project = access.project
    refusal = workflow_hooks.edit_refusal(user=request.user, project=project)
    if refusal:
        return _refused(refusal)
    blank = SECTION_MODELS[section_key](project=project)
    forms = build_step_forms(section_key, section=blank, rows={}, data=request.POST)
    forms.is_valid()  # runs every check; what failed is left out below, and reported
    errors, unchanged = _errors(forms)
    names = {*SECTION_FORM_FIELDS[section_key], *rows_keys(section_key)}
    # Fields the person has not decided on yet (an inline conflict still open in the tab): left as saved.
    held = {name for name in request.POST.get("hold", "").split(",") if name in names}
    posted = PostedStep.read(request.POST)
    try:
        result = section_save(
            project=project,
            section_key=section_key,
            form=forms.form,
            formsets=forms.formsets,
            expected_revision=posted.revision,
            actor=request.user,
            request=request,
            opened=posted.opened,
            opened_rows=posted.opened_rows,
            reopen_confirmed=posted.confirmed,
            unchanged=unchanged | held,
            origin=request.headers.get(CLIENT_HEADER, ""),
        )
    except EditRefused as refused:  # a client, and the scope left draft after they opened the step
        return _refused(str(refused))
    except EditNeedsConfirmation as problem:
        message = problem.consequence.missing_confirmation
        return JsonResponse(
            {"status": "needs_confirmation", "message": message, "errors": errors}, status=NEEDS_CONFIRMATION
        )
    except EditConflict as conflict:
        theirs = conflict_theirs(project=project, section_key=section_key, conflict=conflict)
        answer = {
            "status": "conflict",
            "by": conflict.updated_by_name,
            "conflicts": [
                {
                    "name": difference.name,
                    "label": difference.label,
                    "theirs": difference.theirs,
                    "theirs_value": theirs.get(difference.name, ""),
                    "yours": difference.yours,
                }
                for difference in conflict.differences
            ],
            "revision": conflict.current_revision,
            "opened": conflict.opened,
            "opened_rows": conflict.opened_rows,
            "errors": errors,
        }
        return JsonResponse(answer, status=409)
    state = result.state
    if state is None:
        section, rows = section_with_rows(project=project, section_key=section_key)
        state = step_state(project=project, section_key=section_key, section=section, rows=rows)
    now = timezone.localtime()
    notice = " ".join(text for text in (*result.notices, result.workflow_notice or "") if text)
    return JsonResponse(
        {
            "status": "saved" if result.saved else "unchanged",
            **_state_answer(state),
            "saved_at": now.isoformat() if result.saved else "",
            "saved_at_text": f"{now:%H:%M}" if result.saved else "",
            "time_zone": settings.TIME_ZONE,
            "changed": list(result.changed_fields),
            "differs": list(result.differs),
            "merged_with": result.merged_with or "",
            "notice": notice,
            "errors": errors,
        }
    )


@login_required
@require_GET
def step_state_view(request: HttpRequest, project_id: int, section_key: str) -> JsonResponse:
    """The step as saved now, for a tab that polls (no socket) or catches up after a reconnect."""
    if section_key not in STEP_KEYS:
        raise Http404("There is no such step.")
    project = resolve_project(request.user, project_id).project
    section, rows = section_with_rows(project=project, section_key=section_key)
    state = step_state(project=project, section_key=section_key, section=section, rows=rows)
    return JsonResponse(
        {
            "status": "state",
            "section": section_key,
            **_state_answer(state),
            "sources": section_source_texts(project, section_key),
        }
    )
