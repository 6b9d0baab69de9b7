"""Live discovery sessions, and who answered each field of a scope (DESIGN.md part 2, "Live discovery sessions").

A session belongs to a project: it is planned, started (the scope JSON at that moment is kept, so its minutes can
show what changed) and ended. At most one session of a project is live at a time; saves made while it is live are
attributed to it in ``FieldSource``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from scoping.scope.catalogue import SECTION_LABELS


class DiscoverySessionQuerySet(models.QuerySet):
    def live(self) -> DiscoverySessionQuerySet:
        return self.filter(started_at__isnull=False, ended_at__isnull=True)

    def live_for(self, project) -> DiscoverySession | None:
        """The session running on this project now, if any."""
        return self.live().filter(project=project).order_by("-started_at").first()


class DiscoverySession(models.Model):
    """One discovery session of a project: numbered 1, 2, … within the project."""

    project = models.ForeignKey("scoping.DiscoveryProject", on_delete=models.CASCADE, related_name="discovery_sessions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)  # None: planned, not started
    ended_at = models.DateTimeField(null=True, blank=True)
    # The scope JSON when the session started and ended: the minutes' "what changed" is the diff of the two.
    start_scope = models.JSONField(null=True, blank=True)
    end_scope = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Who answered each field in the session, kept when it ended ("<section>.<field>" -> "Priya Shah, client"): a
    # FieldSource row says who answered *last*, so a later edit would otherwise rewrite the minutes.
    answered_by = models.JSONField(null=True, blank=True)
    # The minutes' PDF, made once by a Celery job when the session ends (a record of the session as it ended).
    minutes_pdf = models.FileField(upload_to="sessions/", blank=True)
    minutes_pdf_error = models.CharField(max_length=500, blank=True)

    objects = DiscoverySessionQuerySet.as_manager()

    class Meta:
        ordering = ("project", "number")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="unique_session_number"),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(started_at__isnull=False, ended_at__isnull=True),
                name="one_live_session_per_project",
            ),
        ]

    def __str__(self) -> str:
        return f"Session {self.number}" + (f": {self.title}" if self.title else "")

    @property
    def is_live(self) -> bool:
        return self.started_at is not None and self.ended_at is None


class FieldSource(models.Model):
    """Who last answered one field of a project's scope, in which role and session (``field_sources`` in JSON v2).

    ``field`` is a field key of the section, or the key of a list of rows (a list counts as one field). ``by_name``
    and ``role`` are kept as text so the record reads the same after the person's account is gone.
    """

    project = models.ForeignKey("scoping.DiscoveryProject", on_delete=models.CASCADE, related_name="field_sources")
    section = models.CharField(max_length=40)
    field = models.CharField(max_length=80)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=200)
    role = models.CharField(max_length=40)
    at = models.DateTimeField()
    session = models.ForeignKey(
        DiscoverySession, null=True, blank=True, on_delete=models.SET_NULL, related_name="field_sources"
    )

    class Meta:
        ordering = ("project", "section", "field")
        constraints = [
            models.UniqueConstraint(fields=["project", "section", "field"], name="unique_field_source"),
        ]

    def __str__(self) -> str:
        return f"{self.section}.{self.field}: {self.by_name} ({self.role})"


# --- the session record: who came, the agenda, what was decided and parked (issue #12, items 6 and 7) -----------

TEXT_MAX = 2000


class AttendeeKind(models.TextChoices):
    STAFF = "staff", "Consultancy"
    CLIENT = "client", "Client"
    GUEST = "guest", "Guest"


class SessionAttendee(models.Model):
    """Someone invited to a session: a staff user, a client participant, or a named guest who has no account.

    ``name`` and ``email`` are copied when the attendee is added, so the minutes read the same after an account
    changes or goes; a guest has only these (the e-mail is optional: without one the minutes are not sent to them).
    """

    session = models.ForeignKey(DiscoverySession, on_delete=models.CASCADE, related_name="attendees")
    kind = models.CharField(max_length=10, choices=AttendeeKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ("session", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], condition=Q(user__isnull=False), name="unique_session_attendee_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class AgendaItem(models.Model):
    """One step of a session's agenda, with the minutes planned for it.

    The current item is the one started and not ended; at most one per session is current.
    """

    session = models.ForeignKey(DiscoverySession, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveIntegerField()
    step = models.CharField(max_length=40)  # a section key (scoping.scope.catalogue.SECTION_KEYS)
    minutes = models.PositiveIntegerField()
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("session", "position")
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="unique_agenda_position"),
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(started_at__isnull=False, ended_at__isnull=True),
                name="one_current_agenda_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.step} ({self.minutes} min)"

    @property
    def is_current(self) -> bool:
        return self.started_at is not None and self.ended_at is None

    @property
    def step_label(self) -> str:
        return SECTION_LABELS.get(self.step, self.step)


class SessionNote(models.Model):
    """A decision taken, or an item parked for later, during a session: text, who, when."""

    class Kind(models.TextChoices):
        DECISION = "decision", "Decision"
        PARKED = "parked", "Parking lot"

    session = models.ForeignKey(DiscoverySession, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(max_length=TEXT_MAX)
    step = models.CharField(max_length=40, blank=True)  # the agenda item current when it was written
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=200)
    at = models.DateTimeField()

    class Meta:
        ordering = ("session", "at", "id")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"
