"""Users: consultancy staff (consultant, reviewer, admin) and client stakeholders."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class Role(models.TextChoices):
    CONSULTANT = "consultant", "Consultant"
    REVIEWER = "reviewer", "Reviewer"
    ADMIN = "admin", "Admin"
    CLIENT = "client", "Client stakeholder"


STAFF_ROLES = (Role.CONSULTANT, Role.REVIEWER, Role.ADMIN)


class User(AbstractUser):
    """A person who logs in. Client stakeholders belong to one client organisation; staff to none."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CONSULTANT)
    client = models.ForeignKey(
        "scoping.Client",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="Only for client stakeholders: the organisation they belong to.",
    )
    email = models.EmailField("e-mail address", unique=True)

    objects = UserManager()

    class Meta:
        ordering = ("first_name", "last_name", "username")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_firm_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_client_stakeholder(self) -> bool:
        return self.role == Role.CLIENT

    @property
    def sees_all_projects(self) -> bool:
        """Reviewers and admins work across the whole pipeline."""
        return self.is_superuser or self.role in (Role.REVIEWER, Role.ADMIN)

    @property
    def can_create_projects(self) -> bool:
        return self.is_superuser or self.role in (Role.CONSULTANT, Role.ADMIN)


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RETRYING = "retrying", "Not delivered yet, retrying"
    SENT = "sent", "Sent"
    FAILED = "failed", "Not delivered"


class OutboundEmail(models.Model):
    """One e-mail to one person, sent by a Celery job; the row tells the sender whether it went out.

    The web request only writes this row; the job (``accounts.tasks.send_email``) talks to the mail server.
    """

    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    kind = models.CharField(max_length=40, blank=True, help_text="What the message is about, e.g. invitation.")
    invitation = models.ForeignKey(
        "scoping.Invitation", null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to} ({self.get_status_display()})"

    @property
    def delivered(self) -> bool:
        return self.status == DeliveryStatus.SENT

    @property
    def undelivered(self) -> bool:
        return self.status in (DeliveryStatus.RETRYING, DeliveryStatus.FAILED)


class SavedView(models.Model):
    """A person's named set of board filters, kept as the query string the board reads; only its owner sees it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=100)
    query_string = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "id")
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="unique_saved_view_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"
