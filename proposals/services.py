"""Saving the engagement step: compare-and-set on its revision, lists replaced in order, audit, the workflow told.

The engagement is part of the scope JSON (v2), so it is hashed into frozen versions like the sections: editing it
on a frozen scope reopens the scope, exactly as a step save does, and needs the same confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from proposals.forms import row_fields
from proposals.models import ENGAGEMENT_ROWS, Engagement
from scoping.models import DiscoveryProject
from scoping.projects.services import activity_record
from scoping.review import hooks as workflow_hooks
from scoping.steps.forms import StepForms
from scoping.steps.services import EditNeedsConfirmation, EditRefused

AUDIT_VALUE_MAX = 200


class EngagementConflict(Exception):
    """Someone saved the engagement after this person opened it; nothing was saved."""

    def __init__(self, updated_by_name: str) -> None:
        self.updated_by_name = updated_by_name
        super().__init__(
            f"{updated_by_name or 'Someone'} saved the engagement after you opened it, so nothing was saved. Your "
            "values are still in the form: copy what you need, reload the page, and save again."
        )


@dataclass(frozen=True)
class EngagementSaved:
    engagement: Engagement
    changed: tuple[str, ...]
    notice: str | None = None


def engagement_of(project: DiscoveryProject) -> Engagement:
    """The project's engagement, created empty the first time it is needed."""
    engagement, _created = Engagement.objects.get_or_create(project=project)
    return engagement


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:AUDIT_VALUE_MAX]


def _rows_of(engagement: Engagement) -> dict[str, list[dict[str, Any]]]:
    return {
        key: [{name: getattr(row, name) for name in row_fields(key)} for row in getattr(engagement, key).all()]
        for key in ENGAGEMENT_ROWS
    }


@transaction.atomic
def engagement_save(
    *,
    project: DiscoveryProject,
    forms: StepForms,
    expected_revision: int,
    actor,
    confirmed: bool = False,
    request: HttpRequest | None = None,
) -> EngagementSaved:
    """Write the validated engagement forms; raise ``EngagementConflict`` on a stale revision (nothing written),
    ``EditRefused`` when this person may not edit the scope now, ``EditNeedsConfirmation`` on a frozen scope."""
    engagement_of(project)
    current = Engagement.objects.select_for_update(of=("self",)).select_related("updated_by").get(project=project)
    fields = forms.form.cleaned_data
    before = {name: getattr(current, name) for name in fields}
    rows_before = _rows_of(current)
    rows_after = {key: forms.formsets[key].rows() for key in ENGAGEMENT_ROWS}
    changed = [name for name, value in fields.items() if _text(before[name]) != _text(value)]
    changed += [key for key in ENGAGEMENT_ROWS if _normal(rows_before[key]) != _normal(rows_after[key])]
    if not changed:
        return EngagementSaved(engagement=current, changed=())
    if current.revision != expected_revision:
        who = getattr(current.updated_by, "display_name", "") if current.updated_by else ""
        raise EngagementConflict(who)
    refusal = workflow_hooks.edit_refusal(user=actor, project=project)
    if refusal:
        raise EditRefused(refusal)
    consequence = workflow_hooks.edit_consequence(project=project)
    if consequence is not None and not confirmed:
        raise EditNeedsConfirmation(consequence)

    for name, value in fields.items():
        setattr(current, name, value)
    current.revision += 1
    current.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    current.save()
    for rows_key, (row_model, parent) in ENGAGEMENT_ROWS.items():
        if rows_key not in changed:
            continue
        row_model.objects.filter(**{parent: current}).delete()
        row_model.objects.bulk_create(
            row_model(position=position, **{parent: current}, **values)
            for position, values in enumerate(rows_after[rows_key])
        )
    activity_record(
        actor=actor,
        verb="engagement_saved",
        request=request,
        project=project,
        obj=current,
        object_repr="Engagement",
        changes={
            name: [_text(before[name]), _text(fields[name])] if name in fields else ["", "list changed"]
            for name in changed
        },
    )
    notice = workflow_hooks.after_scope_edit(project=project, actor=actor)
    return EngagementSaved(engagement=current, changed=tuple(changed), notice=notice)


def _normal(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{name: _text(value) for name, value in row.items()} for row in rows]
