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
    def sees_all_projects(self) -> bool:
        """Reviewers and admins work across the whole pipeline."""
        return self.is_superuser or self.role in (Role.REVIEWER, Role.ADMIN)

    @property
    def can_create_projects(self) -> bool:
        return self.is_superuser or self.role in (Role.CONSULTANT, Role.ADMIN)
