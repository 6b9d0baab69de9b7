"""What the API returns: typed schemas, so the OpenAPI document says exactly what a client receives."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Schema


class Error(Schema):
    """Every error: a sentence for a person (and the HTTP status says the rest)."""

    message: str


class ProjectOut(Schema):
    """A project as the pipeline shows it; the readiness figures are those of its live scope."""

    id: int
    name: str
    client: str
    stage: str
    stage_label: str
    currency: str
    lead: str
    readiness_score: int
    readiness_blockers: int
    readiness_warnings: int
    target_decision_date: date | None
    stage_changed_at: datetime
    last_activity_at: datetime

    @staticmethod
    def resolve_client(project) -> str:
        return project.client.name

    @staticmethod
    def resolve_stage_label(project) -> str:
        return project.get_stage_display()

    @staticmethod
    def resolve_lead(project) -> str:
        return project.lead_consultant.display_name if project.lead_consultant_id else ""


class FindingOut(Schema):
    code: str
    title: str
    severity: str
    section: str
    field: str
    message: str


class ReadinessOut(Schema):
    score: int
    out_of: int
    ready: bool
    gates: dict[str, str]
    findings: list[FindingOut]


class VersionOut(Schema):
    number: int
    sha256: str
    frozen_at: datetime
    frozen_by: str
    note: str
    readiness_score: int | None


class CostsOut(Schema):
    """The cost figures as ``scope_check --json`` prints them: money as exact decimal strings, null where undefined."""

    currency: str
    missing: list[str]
    invalid: list[str]
    per_use: dict[str, str | None] | None
    variable: str | None
    fixed_monthly: str | None
    value_per_use: str | None
    break_even_volume: int | None
    never_breaks_even: bool
    tiers: dict[str, dict[str, Any]]


class DocumentOut(Schema):
    """A PDF of a frozen version: its status while it is made, and its fingerprint once it is ready."""

    id: int
    version: int
    kind: str
    status: str
    sha256: str
    page_count: int | None
    byte_size: int | None
    error_message: str
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_version(document) -> int:
        return document.version.number


class DocumentIn(Schema):
    """A PDF to make: of a frozen version (its number), or of the live scope (no version: it is frozen first)."""

    kind: Literal["draft", "proposal", "signed"]
    version: int | None = None


class SignatoryOut(Schema):
    name: str
    role: str
    is_client: bool
    state: str
    signed_at: datetime | None


class SignoffOut(Schema):
    """Where sign-off stands: the version out for signature (or last signed), and each signatory's state."""

    stage: str
    version: int | None
    signatories: list[SignatoryOut]
