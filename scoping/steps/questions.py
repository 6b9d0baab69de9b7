"""Writes for open questions: what the room could not answer yet, who finds out and by when.

Questions do not feed the readiness gates, so no readiness refresh is needed; every write still lands in the audit
trail (which also marks the project as active).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from scoping.models import DiscoveryProject
from scoping.models.sections import OpenQuestion
from scoping.projects.services import activity_record
from scoping.review import hooks as workflow_hooks
from scoping.scope.schema import MAX_ROWS

QUESTION_FIELDS = ("question", "section", "owner", "due", "status", "answer")
RESOLVED_STATUSES = ("answered", "dropped")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _changes(before: dict[str, Any], question: OpenQuestion) -> dict[str, list[str]]:
    changes = {}
    for name in QUESTION_FIELDS:
        old, new = before[name], getattr(question, name)
        if old != new:
            changes[name] = [_as_text(old), _as_text(new)]
    return changes


def _summary(question: OpenQuestion) -> str:
    return question.question if len(question.question) <= 120 else question.question[:119] + "…"


@transaction.atomic
def question_create(
    *,
    project: DiscoveryProject,
    actor,
    request: HttpRequest | None = None,
    question: str,
    section: str = "",
    owner: str = "",
    due: date | None = None,
    status: str = "open",
    answer: str = "",
    field: str = "",
) -> OpenQuestion:
    """Add an open question to a project; ``full_clean`` enforces the same limits and choices as the scope JSON.

    ``field``: the field of ``section`` it was raised on ("Don't know yet"); the caller checks that it is one.
    """
    # The scope JSON holds at most MAX_ROWS questions; one more would make the scope impossible to export or freeze.
    if OpenQuestion.objects.filter(project=project).count() >= MAX_ROWS:
        raise ValidationError(
            f"A scope can hold at most {MAX_ROWS} questions. "
            "Drop or merge some that are no longer useful, then add this one."
        )
    item = OpenQuestion(
        project=project,
        question=question,
        section=section,
        owner=owner,
        due=due,
        status=status,
        answer=answer,
        field=field,
    )
    item.full_clean()
    item.save()
    activity_record(
        actor=actor,
        verb="question_added",
        request=request,
        project=project,
        obj=item,
        object_repr=_summary(item),
        changes={name: _as_text(getattr(item, name)) for name in (*QUESTION_FIELDS, "field") if getattr(item, name)},
    )
    # Open questions are part of the scope JSON: changing them on a frozen scope starts a new draft.
    workflow_hooks.after_scope_edit(project=project, actor=actor)
    return item


@transaction.atomic
def question_update(
    *, open_question: OpenQuestion, actor, request: HttpRequest | None = None, **fields: Any
) -> OpenQuestion:
    """Change any of a question's fields; only what actually changed is recorded."""
    # Read "before" from the database: a bound ModelForm has already changed the instance in memory.
    stored = OpenQuestion.objects.select_for_update().get(pk=open_question.pk)
    before = {name: getattr(stored, name) for name in QUESTION_FIELDS}
    for name, value in fields.items():
        if name in QUESTION_FIELDS:
            setattr(open_question, name, value)
    open_question.full_clean()
    open_question.save()
    changes = _changes(before, open_question)
    if changes:
        activity_record(
            actor=actor,
            verb="question_edited",
            request=request,
            project=open_question.project,
            obj=open_question,
            object_repr=_summary(open_question),
            changes=changes,
        )
        workflow_hooks.after_scope_edit(project=open_question.project, actor=actor)
    return open_question


@transaction.atomic
def question_resolve(
    *, open_question: OpenQuestion, actor, status: str, answer: str, request: HttpRequest | None = None
) -> OpenQuestion:
    """Close a question as answered (the answer is required) or dropped (with the reason, if any)."""
    if status not in RESOLVED_STATUSES:
        raise ValidationError({"status": "Choose answered or dropped to resolve a question."})
    if status == "answered" and not answer.strip():
        raise ValidationError({"answer": "Write the answer, and where it came from, to mark the question answered."})
    stored = OpenQuestion.objects.select_for_update().get(pk=open_question.pk)
    before = {name: getattr(stored, name) for name in QUESTION_FIELDS}
    open_question.status, open_question.answer = status, answer
    open_question.full_clean()
    open_question.save(update_fields=["status", "answer", "updated_at"])
    activity_record(
        actor=actor,
        verb="question_resolved",
        request=request,
        project=open_question.project,
        obj=open_question,
        object_repr=_summary(open_question),
        changes=_changes(before, open_question),
    )
    workflow_hooks.after_scope_edit(project=open_question.project, actor=actor)
    return open_question
