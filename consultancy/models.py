"""The consultancy that sends the proposals: its profile (one row) and its clause library (append-only versions)."""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone

from consultancy.colours import DEFAULT_BRAND_COLOUR, normalise_hex
from consultancy.validators import validate_brand_colour, validate_logo

PROFILE_ID = 1


def logo_upload_to(instance: ConsultancyProfile, filename: str) -> str:
    """``consultancy/logo-<random>.png``: a fresh name per upload, so a PDF never mixes an old logo with a new one."""
    suffix = PurePath(filename).suffix.lower()
    return f"consultancy/logo-{secrets.token_hex(8)}{suffix if suffix in ('.png', '.svg') else ''}"


class ConsultancyProfile(models.Model):
    """Who sends the proposals: name, address, brand and default terms. Exactly one row, id 1 (``current()``)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=PROFILE_ID, editable=False)
    name = models.CharField(max_length=200, help_text="As clients know you; printed on the cover of every proposal.")
    legal_name = models.CharField(
        max_length=200, blank=True, help_text="The contracting entity, e.g. “Acme Advisory Ltd”; blank: the name."
    )
    address = models.TextField(blank=True, help_text="Registered or postal address, one line per line.")
    website = models.URLField(blank=True)
    email = models.EmailField("e-mail", blank=True, help_text="Where clients write about a proposal.")
    brand_colour = models.CharField(
        max_length=7,
        default=DEFAULT_BRAND_COLOUR,
        validators=[validate_brand_colour],
        help_text="#rrggbb. The proposal prints white text on it, so it must be dark enough for a contrast of 4.5:1.",
    )
    logo = models.FileField(
        upload_to=logo_upload_to,
        blank=True,
        max_length=200,
        validators=[validate_logo],
        help_text="PNG (at most 4000 × 4000 pixels) or SVG without scripts or outside references.",
    )
    default_terms = models.TextField(
        blank=True, help_text="General terms printed with every proposal, before the clauses a project picks."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        verbose_name = "consultancy profile"
        constraints = [models.CheckConstraint(condition=models.Q(id=PROFILE_ID), name="consultancy_profile_one_row")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> ConsultancyProfile:
        """The profile, created on first use with the name from ``CONSULTANCY_NAME``."""
        profile, _ = cls.objects.get_or_create(pk=PROFILE_ID, defaults={"name": settings.CONSULTANCY_NAME})
        return profile

    def clean(self) -> None:
        self.brand_colour = normalise_hex(self.brand_colour)

    @property
    def contracting_name(self) -> str:
        return self.legal_name or self.name


class ClauseCategory(models.TextChoices):
    IP = "ip", "Intellectual property"
    DATA_PROCESSING = "data_processing", "Data processing"
    WARRANTY_HYPERCARE = "warranty_hypercare", "Warranty and hypercare"
    CHANGE_CONTROL = "change_control", "Change control"
    TERMINATION = "termination", "Termination"
    OTHER = "other", "Other"


class Clause(models.Model):
    """A contract clause projects can pick by ``key`` (scope JSON ``engagement.clauses``); its text has versions."""

    key = models.SlugField(
        max_length=60, unique=True, help_text="What scopes store; it cannot change once projects may have picked it."
    )
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=30, choices=ClauseCategory.choices, default=ClauseCategory.OTHER)
    position = models.PositiveSmallIntegerField(default=100, help_text="Order in the picker (smaller first).")
    is_active = models.BooleanField(
        "offered to projects",
        default=True,
        help_text="Untick to stop offering it; proposals that already chose it still print it.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("position", "title")

    def __str__(self) -> str:
        return self.title


class ClauseVersion(models.Model):
    """One wording of a clause. Append-only (database triggers refuse UPDATE and DELETE); the highest number is
    current, and a frozen scope prints the one current when it was frozen."""

    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("clause", "-number")
        constraints = [
            models.UniqueConstraint(fields=("clause", "number"), name="clause_version_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="clause_version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.clause.key} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("A clause version is never changed; add a new version instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A clause version is never deleted: proposals frozen with it must still print it.")
