"""The minutes of a session: who came, what changed in the scope from its start to its end and who answered it,
the decisions, actions, open questions and the parking lot; as page context, as PDF bytes and as e-mails.

"What changed" is the versions' own diff (``documents.versioning.scope_diff``) over the two scope snapshots the
session kept, so the minutes and the version comparison never disagree. Who answered each changed field is read
from ``FieldSource`` rows attributed to this session (written by the step save).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.services import email_queue_event
from documents.rendering import RenderedPdf, html_to_pdf
from documents.versioning import FieldChange, changes_by_section, scope_diff
from scoping.live_scope import export_scope
from scoping.models import AgendaItem, DiscoverySession, FieldSource, SessionAttendee, SessionNote
from scoping.models.sections import OpenQuestion
from scoping.scope.catalogue import SECTION_LABELS

PDF_TEMPLATE = "reports/session_minutes.html"
EMAIL_EVENT = "session_minutes"
# Open questions are listed on their own in the minutes (actions, then the rest), not again as scope changes.
PARTS_LISTED_APART = ("open_questions",)


@dataclass(frozen=True)
class AnsweredChange:
    """One change of the scope in the session, with who answered that field (empty when nobody on record)."""

    change: FieldChange
    answered_by: str

    def __getattr__(self, name: str):  # the diff table reads label, before_marked, ... as for a FieldChange
        return getattr(self.change, name)


@dataclass
class Minutes:
    session: DiscoverySession
    attendees: list[SessionAttendee]
    agenda: list[AgendaItem]
    changes: list[AnsweredChange]
    decisions: list[SessionNote]
    parked: list[SessionNote]
    actions: list[OpenQuestion]
    open_questions: list[OpenQuestion]
    groups: list[dict] = field(default_factory=list)

    @property
    def project(self):
        return self.session.project

    @property
    def duration_minutes(self) -> int | None:
        if self.session.started_at and self.session.ended_at:
            return int((self.session.ended_at - self.session.started_at).total_seconds() // 60)
        return None


def _field_candidates(change: FieldChange) -> list[str]:
    """The ``FieldSource.field`` keys a change can be recorded under: a field, a group's flat column, a row list."""
    parts = change.path.split(".")[1:]
    if not parts:
        return []
    first = parts[0].split("[", 1)[0]
    candidates = []
    if len(parts) > 1 and "[" not in parts[0]:
        candidates.append(f"{first}_{parts[1]}")  # a group stored flat: business_owner.name -> business_owner_name
    candidates.append(first)
    return candidates


def _source_text(source: FieldSource) -> str:
    return f"{source.by_name}, {source.role}" if source.role else source.by_name


def answered_by_now(session: DiscoverySession) -> dict[str, str]:
    """Who answered each field in this session, from its ``FieldSource`` rows: "<section>.<field>" -> "name, role"."""
    return {
        f"{source.section}.{source.field}": _source_text(source)
        for source in FieldSource.objects.filter(session=session).order_by("section", "field")
    }


def answered_changes(session: DiscoverySession, changes: list[FieldChange]) -> list[AnsweredChange]:
    """The changes with who answered them: as kept when the session ended, or as recorded now while it runs."""
    answered_by = session.answered_by if session.answered_by is not None else answered_by_now(session)
    answered = []
    for change in changes:
        keys = (f"{change.section}.{key}" for key in _field_candidates(change))
        who = next((answered_by[key] for key in keys if key in answered_by), "")
        answered.append(AnsweredChange(change=change, answered_by=who))
    return answered


def session_minutes(session: DiscoverySession) -> Minutes:
    """Everything the minutes show. For a session still live, "what changed" runs to the scope as it is now."""
    end_scope = session.end_scope
    if end_scope is None and session.started_at is not None:
        end_scope = export_scope(session.project)
    changes = []
    if session.start_scope is not None and end_scope is not None:
        changes = [c for c in scope_diff(session.start_scope, end_scope) if c.section not in PARTS_LISTED_APART]
    answered = answered_changes(session, changes)
    notes = list(session.notes.all())
    actions = list(session.actions.order_by("due", "id"))
    action_ids = {action.pk for action in actions}
    open_questions = [
        question
        for question in session.project.open_questions.filter(status="open").order_by("due", "id")
        if question.pk not in action_ids
    ]
    minutes = Minutes(
        session=session,
        attendees=list(session.attendees.all()),
        agenda=list(session.agenda.all()),
        changes=answered,
        decisions=[note for note in notes if note.kind == SessionNote.Kind.DECISION],
        parked=[note for note in notes if note.kind == SessionNote.Kind.PARKED],
        actions=actions,
        open_questions=open_questions,
    )
    minutes.groups = changes_by_section(answered)  # type: ignore[arg-type]  (reads .section/.section_label)
    return minutes


def step_label(key: str) -> str:
    return SECTION_LABELS.get(key, key)


def _context(minutes: Minutes) -> dict:
    return {"minutes": minutes, "session": minutes.session, "project": minutes.project, "step_labels": SECTION_LABELS}


def minutes_html(minutes: Minutes, **extra) -> str:
    """The print HTML of the minutes (the PDF's own template; every value autoescaped).

    ``extra``: more context, e.g. the reader's ``access``, so a page rendering it answers like every project page.
    """
    return render_to_string(PDF_TEMPLATE, {**_context(minutes), "printed_at": timezone.now(), **extra})


def minutes_pdf(minutes: Minutes, **extra) -> RenderedPdf:
    """The minutes as a PDF, laid out by the documents' renderer with the project's print fonts and stylesheet."""
    return html_to_pdf(minutes_html(minutes, **extra))


MAX_ERROR_LENGTH = 500


def minutes_pdf_store(*, session_id: int) -> DiscoverySession | None:
    """Render an ended session's minutes and keep the PDF on the session; harmless to run twice.

    Called by the Celery job (``scoping.sessions.tasks``), never in a request: a long session's minutes take
    seconds to lay out. A session not ended (or gone) is left alone.
    """
    session = DiscoverySession.objects.select_related("project__client", "facilitator").filter(pk=session_id).first()
    if session is None or session.ended_at is None or session.minutes_pdf:
        return session
    rendered = minutes_pdf(session_minutes(session))
    session.minutes_pdf.save(
        f"{session.project_id}-session-{session.number}-minutes.pdf", ContentFile(rendered.pdf), save=False
    )
    DiscoverySession.objects.filter(pk=session.pk).update(minutes_pdf=session.minutes_pdf.name, minutes_pdf_error="")
    session.minutes_pdf_error = ""
    return session


def minutes_pdf_record_failure(*, session_id: int, error: str) -> None:
    """Say on the session why its PDF could not be made, so the person waiting for it sees it."""
    DiscoverySession.objects.filter(pk=session_id).update(minutes_pdf_error=error[:MAX_ERROR_LENGTH])


def minutes_url(session: DiscoverySession) -> str:
    return settings.SITE_URL + reverse("projects:session_minutes", args=[session.project_id, session.number])


def minutes_email_queue(*, session: DiscoverySession) -> int:
    """Queue one e-mail of the minutes to each attendee with an address; returns how many were queued.

    Guests have no account, so the message carries the minutes in full rather than only a link.
    """
    minutes = session_minutes(session)
    link = minutes_url(session)
    queued = 0
    seen: set[str] = set()
    for attendee in minutes.attendees:
        address = attendee.email.strip().lower()
        if not address or address in seen:
            continue
        seen.add(address)
        email_queue_event(
            to=attendee.email,
            event=EMAIL_EVENT,
            context={
                **_context(minutes),
                "recipient": SimpleNamespace(display_name=attendee.name),
                "link": link,
                "scope_name": f"“{session.project.name}” ({session.project.client.name})",
            },
            kind="notification",
        )
        queued += 1
    return queued
