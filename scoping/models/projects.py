"""Clients, discovery projects and who may see them."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class Client(models.Model):
    """An organisation being scoped."""

    name = models.CharField(max_length=200, unique=True)
    industry = models.CharField(max_length=200, blank=True)
    contacts = models.TextField(
        blank=True,
        max_length=5000,
        help_text="Contact people at the client: name, role, e-mail, one per line.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("clients:detail", args=[self.pk])


class Stage(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    AWAITING_SIGNOFF = "awaiting_signoff", "Awaiting sign-off"
    SIGNED_OFF = "signed_off", "Signed off"
    ARCHIVED = "archived", "Archived"


class DiscoveryProjectQuerySet(models.QuerySet):
    def visible_to(self, user) -> DiscoveryProjectQuerySet:
        """The access rule: every view that touches a project, or anything below it, starts here.

        Reviewers and admins see every project; consultants see the projects they lead or are members of;
        client stakeholders see only the projects they were invited to.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.sees_all_projects:
            return self.all()
        if user.is_client_stakeholder:
            return self.filter(pk__in=ClientParticipant.objects.filter(user=user).values("project_id"))
        return self.filter(
            Q(lead_consultant=user) | Q(pk__in=ProjectMember.objects.filter(user=user).values("project_id"))
        )


class DiscoveryProject(models.Model):
    """One engagement being scoped for production: it holds the eight scope sections and the open questions."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="projects")
    name = models.CharField(max_length=200)
    lead_consultant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_projects")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ProjectMember", through_fields=("project", "user"), related_name="+"
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.DRAFT, db_index=True)
    currency = models.CharField(
        max_length=3, default="EUR", help_text="ISO 4217 code used for every amount in this scope, e.g. EUR, GBP, USD."
    )
    target_decision_date = models.DateField(
        null=True, blank=True, help_text="When the client intends to decide whether to go ahead."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    archived_from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True, editable=False)
    # Who reviews this scope: claimed by a reviewer or assigned by an admin (scoping.review.assignment); it stays
    # through changes requested, so a re-submission returns to the same reviewer.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    reviewer_since = models.DateTimeField(null=True, blank=True, editable=False)
    # Denormalised from the readiness engine on every scope save, so the pipeline never recomputes 10,000 scopes.
    readiness_score = models.PositiveSmallIntegerField(default=0, editable=False)
    readiness_blockers = models.PositiveIntegerField(default=0, editable=False)
    readiness_warnings = models.PositiveIntegerField(default=0, editable=False)

    objects = DiscoveryProjectQuerySet.as_manager()

    class Meta:
        ordering = ("-last_activity_at",)
        indexes = [
            models.Index(fields=["stage", "-last_activity_at"]),
            # The list's order (newest activity first, id breaking ties): a page's ids come from this index alone.
            models.Index(fields=["last_activity_at", "id"], name="project_activity_order"),
            # The review queue's order (longest in the stage first) and the board's per-stage age counts.
            models.Index(fields=["stage", "stage_changed_at", "id"], name="project_stage_age"),
            # Search by name is a trigram index on PostgreSQL only (migration 0018): it is not declared here, so
            # SQLite (the demo) never sees it, not even when it rebuilds this table.
        ]

    def __str__(self) -> str:
        return f"{self.client.name} – {self.name}" if self.client_id else self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.stage == Stage.ARCHIVED


class ProjectMember(models.Model):
    """A consultancy staff member working on a project."""

    project = models.ForeignKey(DiscoveryProject, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="unique_project_member")]

    def __str__(self) -> str:
        return f"{self.user} on {self.project}"


class ClientParticipant(models.Model):
    """A client stakeholder invited to one project."""

    project = models.ForeignKey(DiscoveryProject, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations")
    can_edit = models.BooleanField(default=False, help_text="May edit the scope during discovery sessions.")
    is_signatory = models.BooleanField(default=False, help_text="Must sign off the scope for the client.")
    role_title = models.CharField(max_length=200, blank=True, help_text="Their role, e.g. Finance Director.")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="unique_client_participant")]

    def __str__(self) -> str:
        return f"{self.user} at {self.project}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """A single-use, expiring link that lets a client stakeholder set a password and join one project.

    Only the SHA-256 of the token is stored, so a database leak does not leak working links.
    """

    project = models.ForeignKey(DiscoveryProject, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150, blank=True)
    role_title = models.CharField(max_length=200, blank=True)
    can_edit = models.BooleanField(default=False)
    is_signatory = models.BooleanField(default=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    link_copied_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff last took a fresh link to pass on (any e-mailed link stopped)."
    )

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.project}"

    @property
    def emailed_link_replaced(self) -> bool:
        """A link was copied after the last e-mail went out, so the link in that e-mail no longer works."""
        sent = self.latest_email
        return sent is not None and self.link_copied_at is not None and self.link_copied_at > sent.created_at

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def is_pending(self) -> bool:
        """Not accepted and not revoked (possibly expired): re-inviting the address refreshes this row."""
        return self.accepted_at is None and self.revoked_at is None

    @property
    def latest_email(self):
        """The last invitation e-mail queued for this row (prefetch ``emails`` to avoid a query per row)."""
        emails = list(self.emails.all())
        return emails[0] if emails else None
