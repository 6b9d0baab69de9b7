"""Who answered what (``field_sources``, DESIGN.md part 2): recorded on every save of a step, read by its pages.

Every field of a step keeps who last answered it, in which role on the project and in which discovery session.
A save records all the fields it changed at once: one query for the live session and one upsert, however many
fields changed. The record keeps the name and role as text, so it reads the same after the account is gone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from scoping.live_scope import field_source_json
from scoping.models import DiscoveryProject
from scoping.models.sessions import DiscoverySession, FieldSource
from scoping.scope.answered import field_labels, source_text
from scoping.steps.status import step_url

__all__ = [
    "FieldExtras",
    "RecordedSources",
    "decorate_step_forms",
    "field_question_text",
    "field_sources_record",
    "open_field_questions",
    "role_label",
    "section_source_texts",
    "step_field_extras",
]

AUDIT_KEY = "answered_as"  # not a field: the role and session a save was made in, shown as "answered as: …"


@dataclass(frozen=True)
class RecordedSources:
    """What a save recorded: the text per changed field, and what its audit entry adds ({} when nothing)."""

    texts: dict[str, str] = field(default_factory=dict)
    audit: dict[str, str] = field(default_factory=dict)


def role_label(user) -> str:
    """The person's role as the record says it: consultant, reviewer, admin, or client (a client stakeholder).

    Roles belong to the person, not the project (a client stakeholder is one only on projects they are invited to,
    and anyone else who sees a project is staff), so this needs no query.
    """
    if user.is_superuser or user.role == Role.ADMIN:
        return "admin"
    if user.role == Role.CLIENT:
        return "client"
    return str(user.role)


def field_sources_record(
    *, project: DiscoveryProject, section_key: str, fields: Iterable[str], actor
) -> RecordedSources:
    """Record ``actor`` as who answered each of ``fields`` of one section now.

    Returns the text per field ("Priya Shah, client, session 2") and the audit entry's {"answered_as": "client,
    session 2"}, so the trail keeps the role and session of every save (its entries cannot be changed later).

    Two queries whatever the number of fields: the live session, then one INSERT … ON CONFLICT UPDATE.
    An anonymous actor (a management command) records nothing.
    """
    names = list(dict.fromkeys(fields))
    if not names or not getattr(actor, "is_authenticated", False):
        return RecordedSources()
    session = DiscoverySession.objects.live_for(project)
    now = timezone.now()
    by_name = actor.display_name[:200]
    role = role_label(actor)
    FieldSource.objects.bulk_create(
        [
            FieldSource(
                project=project,
                section=section_key,
                field=name,
                by=actor,
                by_name=by_name,
                role=role,
                at=now,
                session=session,
            )
            for name in names
        ],
        update_conflicts=True,
        unique_fields=["project", "section", "field"],
        update_fields=["by", "by_name", "role", "at", "session"],
    )
    number = session.number if session is not None else None
    text = source_text({"by": by_name, "role": role, "session": number})
    return RecordedSources(
        texts=dict.fromkeys(names, text), audit={AUDIT_KEY: f"{role}, session {number}" if number else role}
    )


def section_source_texts(project: DiscoveryProject, section_key: str) -> dict[str, str]:
    """{field key: "Priya Shah, client, session 2"} for one section, in one query."""
    records = FieldSource.objects.filter(project=project, section=section_key).select_related("session")
    return {record.field: source_text(field_source_json(record)) for record in records}


# --- what the step page shows beside each field ----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldExtras:
    """Beside one field (or list of rows) of a step: who answered it, its open questions, and "Don't know yet"."""

    key: str
    label: str
    source: str = ""
    questions: tuple = ()
    ask_url: str = ""  # the inline question form (htmx); "" for people who may not edit
    fallback_url: str = ""  # the same without JavaScript: the step's park-question panel, prefilled


def field_question_text(label: str) -> str:
    """The question "Don't know yet" starts with, from the field's label."""
    return f"{label}: still to find out. Who knows the answer?"


def open_field_questions(questions: Iterable, section_key: str) -> dict[str, list]:
    """{field key: its open questions, due date first} from a project's questions (prefetched: no query)."""
    by_field: dict[str, list] = {}
    for question in questions:
        if question.section == section_key and question.field and question.status == "open":
            by_field.setdefault(question.field, []).append(question)
    for listed in by_field.values():
        listed.sort(key=lambda question: (question.due is None, question.due or date.min, question.pk))
    return by_field


def step_field_extras(
    *, project: DiscoveryProject, section_key: str, sources: dict[str, str], questions: Iterable, can_ask: bool
) -> dict[str, FieldExtras]:
    """What each field of a step shows beside its label; ``sources`` and ``questions`` as already read."""
    by_field = open_field_questions(questions, section_key)
    extras = {}
    for key, label in field_labels(section_key).items():
        ask_url = fallback = ""
        if can_ask:
            ask_url = reverse("projects:step_field_question", args=[project.pk, section_key, key])
            fallback = f"{step_url(project, section_key)}?ask={key}#park-question"
        extras[key] = FieldExtras(
            key=key,
            label=label,
            source=sources.get(key, ""),
            questions=tuple(by_field.get(key, ())),
            ask_url=ask_url,
            fallback_url=fallback,
        )
    return extras


STEP_FIELD_TEMPLATE = "scoping/steps/crispy_field.html"


def decorate_step_forms(forms, extras: dict[str, FieldExtras]) -> None:
    """Give a step's forms their decorations: each field's label gets its block, each list's heading too.

    Every input is described by its block's source line and open questions (``aria-describedby``), after its help.
    """
    form = forms.form
    form.field_extras = extras
    for helper in (form.helper, getattr(form, "helper_top", None)):
        if helper is not None:
            helper.field_template = STEP_FIELD_TEMPLATE
    for name, form_field in form.fields.items():
        if name not in extras or getattr(form_field.widget, "use_fieldset", False):
            continue
        bound = form[name]
        described = [f"{bound.auto_id}_helptext"] if form_field.help_text else []
        described.append(f"field-source-{name}")
        if extras[name].questions:
            described.append(f"field-questions-{name}")
        form_field.widget.attrs["aria-describedby"] = " ".join(described)
    for block in forms.row_blocks:
        block.extras = extras.get(block.key)
