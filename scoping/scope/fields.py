"""The words the catalogue is written in: limits, kinds of field, choices, and one field's description.

Pure: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# --- limits ---------------------------------------------------------------------------------------------------------

SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 5000
EMAIL_MAX = 254
CHOICE_MAX = 20
MAX_ROWS = 200

COUNT_MAX = 1_000_000_000
VOLUME_MAX = 1_000_000_000_000
TOKENS_MAX = 100_000_000
WEEKS_MAX = 520

MONEY_MAX = Decimal("1000000000000")
MONEY_DECIMAL_PLACES = 6
PERCENT_DECIMAL_PLACES = 2
QUANTITY_MAX = Decimal("1000000")
QUANTITY_DECIMAL_PLACES = 2

# --- kinds ----------------------------------------------------------------------------------------------------------

TEXT = "text"
LONG_TEXT = "long text"
EMAIL = "email"
CURRENCY = "currency"
INTEGER = "integer"
MONEY = "decimal money"
PERCENT = "percent"
QUANTITY = "quantity"
BOOLEAN = "boolean"
DATE = "date"
CHOICE = "choice"
CHOICE_LIST = "choice list"
GROUP = "group"
ROWS = "rows"

# --- choices --------------------------------------------------------------------------------------------------------

_SENSITIVITY = (
    ("public", "Public"),
    ("internal", "Internal"),
    ("confidential", "Confidential"),
    ("restricted", "Restricted"),
)

# Keyed by the JSON field name that uses them; "section" is added by the catalogue, which knows the sections.
CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "ai_role": (
        ("automate", "Automate"),
        ("augment", "Augment"),
        ("triage", "Triage"),
        ("draft", "Draft"),
        ("other", "Other"),
    ),
    "kind": (
        ("structured", "Structured data"),
        ("documents", "Documents"),
        ("text", "Free text"),
        ("images", "Images"),
        ("audio", "Audio"),
        ("video", "Video"),
        ("other", "Other"),
    ),
    "sensitivity": _SENSITIVITY,
    "data_classification": _SENSITIVITY,
    "access_method": (
        ("api", "API"),
        ("database", "Database"),
        ("file_drop", "File drop"),
        ("stream", "Stream"),
        ("manual_export", "Manual export"),
    ),
    "refresh": (
        ("real_time", "Real time"),
        ("hourly", "Hourly"),
        ("daily", "Daily"),
        ("weekly", "Weekly"),
        ("monthly", "Monthly"),
        ("one_off", "One-off"),
    ),
    "access_status": (
        ("available", "Available"),
        ("requested", "Requested"),
        ("blocked", "Blocked"),
        ("unknown", "Unknown"),
    ),
    "category": (
        ("bad_input", "Bad input"),
        ("model_error", "Model error"),
        ("hallucination", "Hallucination"),
        ("data_drift", "Data drift"),
        ("dependency_outage", "Dependency outage"),
        ("misuse", "Misuse"),
        ("bias", "Bias"),
        ("privacy", "Privacy"),
        ("other", "Other"),
    ),
    "likelihood": (
        ("low", "Low"),
        ("medium", "Medium"),
        ("high", "High"),
    ),
    "impact": (
        ("low", "Low"),
        ("medium", "Medium"),
        ("high", "High"),
        ("critical", "Critical"),
    ),
    "regimes": (
        ("gdpr", "GDPR"),
        ("ccpa", "CCPA"),
        ("hipaa", "HIPAA"),
        ("pci_dss", "PCI DSS"),
        ("soc2", "SOC 2"),
        ("iso27001", "ISO 27001"),
        ("eu_ai_act", "EU AI Act"),
        ("other", "Other"),
    ),
    "eu_ai_act_risk": (
        ("minimal", "Minimal"),
        ("limited", "Limited"),
        ("high", "High"),
        ("prohibited", "Prohibited"),
        ("not_applicable", "Not applicable"),
        ("unknown", "Unknown"),
    ),
    "authentication": (
        ("sso", "Single sign-on (SSO)"),
        ("app_accounts", "App accounts"),
        ("api_keys", "API keys"),
        ("none", "None"),
    ),
    "integration": (
        ("api", "API"),
        ("embedded", "Embedded in an existing tool"),
        ("notification", "Notification"),
        ("standalone_ui", "Standalone UI"),
        ("file_export", "File export"),
    ),
    "support_model": (
        ("client_team", "Client team"),
        ("consultancy", "Consultancy"),
        ("shared", "Shared"),
    ),
    # The engagement (scope JSON v2).
    "pricing": (
        ("fixed", "Fixed price"),
        ("time_and_materials", "Time and materials"),
        ("capped", "Time and materials, capped"),
    ),
    "run_costs_paid_by": (
        ("client", "The client"),
        ("consultancy", "The consultancy"),
        ("shared", "Shared"),
    ),
    "status": (
        ("open", "Open"),
        ("answered", "Answered"),
        ("dropped", "Dropped"),
    ),
}

# --- the description of a field and of a section ------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One field of the scope: what it is called, what it holds and what the person is told about it."""

    key: str
    label: str
    kind: str
    help: str = ""
    print_label: str = ""  # only where the PDF needs a shorter label than ``label``
    max_length: int = 0  # text kinds
    max_value: int | Decimal | None = None  # number kinds
    decimal_places: int = 0  # decimal kinds
    at_least_one: bool = False  # a count where zero is nonsense (a workflow that never runs)
    what: str = ""  # how the validator names a valid value, e.g. "a number of minutes such as 1.5"
    choices_key: str = ""  # choice kinds: the key of CHOICES
    default: str = ""  # choice kinds: the value when nothing is chosen
    required: bool = False
    required_hint: str = ""
    fields: tuple[FieldSpec, ...] = ()  # group and rows kinds
    attr_prefix: str = ""  # group: its fields are stored flat on the section model as prefix + key
    noun: str = ""  # rows: what one row is called ("success metric")
    max_rows: int = MAX_ROWS

    @property
    def printed(self) -> str:
        """The label the PDF prints."""
        return self.print_label or self.label

    @property
    def choices(self) -> tuple[tuple[str, str], ...]:
        return CHOICES[self.choices_key] if self.choices_key else ()

    def field(self, key: str) -> FieldSpec:
        """A group's or a row's field by key."""
        return next(item for item in self.fields if item.key == key)


@dataclass(frozen=True)
class SectionSpec:
    """One of the eight sections: one guided step, one gate, one part of the PDF."""

    key: str
    label: str
    description: str
    fields: tuple[FieldSpec, ...]

    def field(self, path: str) -> FieldSpec:
        """A field by key, or a group's field by "group.key" ("tiers.pilot", "business_owner.name")."""
        head, _, rest = path.partition(".")
        spec = next(item for item in self.fields if item.key == head)
        return spec.field(rest) if rest else spec


# Builders, so each field below reads as one line: key, label, help, then only what differs from the kind's default.


def text(key: str, label: str, help: str = "", **extra) -> FieldSpec:
    return FieldSpec(key, label, TEXT, help, max_length=SHORT_TEXT_MAX, **extra)


def long_text(key: str, label: str, help: str = "", **extra) -> FieldSpec:
    return FieldSpec(key, label, LONG_TEXT, help, max_length=LONG_TEXT_MAX, **extra)


def email(key: str, label: str, help: str = "", **extra) -> FieldSpec:
    return FieldSpec(key, label, EMAIL, help, max_length=EMAIL_MAX, **extra)


def currency(key: str, label: str, help: str = "", **extra) -> FieldSpec:
    return FieldSpec(key, label, CURRENCY, help, max_length=3, **extra)


def count(key: str, label: str, help: str = "", *, max_value: int = COUNT_MAX, **extra) -> FieldSpec:
    return FieldSpec(key, label, INTEGER, help, max_value=max_value, **extra)


def money(key: str, label: str, help: str = "", **extra) -> FieldSpec:
    return FieldSpec(
        key,
        label,
        MONEY,
        help,
        max_value=MONEY_MAX,
        decimal_places=MONEY_DECIMAL_PLACES,
        what="an amount such as 2.50",
        **extra,
    )


def percent(key: str, label: str, help: str = "", **extra) -> FieldSpec:
    return FieldSpec(
        key,
        label,
        PERCENT,
        help,
        max_value=Decimal(100),
        decimal_places=PERCENT_DECIMAL_PLACES,
        what="a percentage between 0 and 100, such as 12.5",
        **extra,
    )


def quantity(key: str, label: str, help: str = "", *, what: str, **extra) -> FieldSpec:
    """Minutes or hours: decimals, because a review can take half a minute."""
    return FieldSpec(
        key, label, QUANTITY, help, max_value=QUANTITY_MAX, decimal_places=QUANTITY_DECIMAL_PLACES, what=what, **extra
    )


def yes_no(key: str, label: str, help: str = "", **extra) -> FieldSpec:
    """Three states: yes, no, and not answered yet, so an unanswered question is not read as 'no'."""
    return FieldSpec(key, label, BOOLEAN, help, **extra)


def day(key: str, label: str, help: str = "", **extra) -> FieldSpec:
    return FieldSpec(key, label, DATE, help, **extra)


def choice(key: str, label: str, help: str = "", *, choices_key: str = "", **extra) -> FieldSpec:
    return FieldSpec(key, label, CHOICE, help, max_length=CHOICE_MAX, choices_key=choices_key or key, **extra)


def choice_list(key: str, label: str, help: str = "", **extra) -> FieldSpec:
    return FieldSpec(key, label, CHOICE_LIST, help, choices_key=key, **extra)


def group(key: str, label: str, *, attr_prefix: str, fields: tuple[FieldSpec, ...]) -> FieldSpec:
    return FieldSpec(key, label, GROUP, fields=fields, attr_prefix=attr_prefix)


def rows(key: str, label: str, *, noun: str, fields: tuple[FieldSpec, ...], help: str = "") -> FieldSpec:
    return FieldSpec(key, label, ROWS, help, fields=fields, noun=noun)
