"""The eight scope sections, their rows, open questions and accepted risks.

Every column comes from ``scoping.scope.catalogue``: its name, label and limits, so a section saved through a form
always exports as a valid scope. The columns are added from the catalogue after each class is defined
(``add_columns``), so this module only says what the catalogue cannot: which table belongs to which project, and
how the rows hang off their section. Help texts are not here: the step forms read them from the catalogue, so a
help-text edit is not a migration.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from scoping.scope import catalogue
from scoping.scope import fields as kinds
from scoping.scope.fields import CHOICES, COUNT_MAX, LONG_TEXT_MAX, SHORT_TEXT_MAX, FieldSpec

__all__ = [
    "AcceptanceCriterion",
    "AcceptedRisk",
    "AccessRole",
    "CostModel",
    "DataPath",
    "DataSource",
    "FailureMode",
    "FailureModeRegister",
    "FirstSlice",
    "ModelStep",
    "OpenQuestion",
    "Ownership",
    "ProductionTarget",
    "ROW_MODELS",
    "Responsibility",
    "SECTION_MODELS",
    "ScopeRow",
    "ScopeSection",
    "SecurityAccess",
    "SuccessMetric",
    "WorkflowIntegration",
    "column_spec",
]

PROJECT_MODEL = "scoping.DiscoveryProject"

# Digits of each decimal kind: money up to a trillion with six places, percentages to 100, minutes and hours.
_MAX_DIGITS = {kinds.MONEY: 20, kinds.PERCENT: 6, kinds.QUANTITY: 10}


def validate_regimes(value: object) -> None:
    """Keep the JSON list to known regime values, as the scope JSON requires."""
    known = [choice_value for choice_value, _label in CHOICES["regimes"]]
    if not isinstance(value, list) or any(item not in known for item in value):
        raise ValidationError(
            _("Choose regimes from: %(known)s."), code="invalid_regimes", params={"known": ", ".join(known)}
        )


def column(spec: FieldSpec, *, help_text: str = "") -> models.Field:
    """The database column for one catalogue field: its kind decides the type, its limits the validators."""
    label, kind = spec.label, spec.kind
    if kind == kinds.TEXT or kind == kinds.CURRENCY:
        return models.CharField(label, max_length=spec.max_length, blank=True, help_text=help_text)
    if kind == kinds.LONG_TEXT:
        # max_length on a TextField is enforced by the model form field, not by the database.
        return models.TextField(label, max_length=spec.max_length, blank=True, help_text=help_text)
    if kind == kinds.EMAIL:
        return models.EmailField(label, max_length=spec.max_length, blank=True, help_text=help_text)
    if kind == kinds.CHOICE:
        return models.CharField(
            label,
            max_length=spec.max_length,
            choices=spec.choices,
            blank=True,
            default=spec.default,
            help_text=help_text,
        )
    if kind == kinds.CHOICE_LIST:
        return models.JSONField(label, default=list, blank=True, validators=[validate_regimes], help_text=help_text)
    if kind == kinds.INTEGER:
        # Volumes pass two billion, so they need a big integer; other counts fit a plain one.
        integer = models.PositiveBigIntegerField if spec.max_value > COUNT_MAX else models.PositiveIntegerField
        return integer(
            label, null=True, blank=True, validators=[MaxValueValidator(spec.max_value)], help_text=help_text
        )
    if kind in _MAX_DIGITS:
        return models.DecimalField(
            label,
            max_digits=_MAX_DIGITS[kind],
            decimal_places=spec.decimal_places,
            null=True,
            blank=True,
            validators=[MinValueValidator(Decimal(0)), MaxValueValidator(spec.max_value)],
            help_text=help_text,
        )
    if kind == kinds.BOOLEAN:
        # Three states: yes, no, and not answered yet (null), so an unanswered question is not read as 'no'.
        return models.BooleanField(label, null=True, blank=True, help_text=help_text)
    if kind == kinds.DATE:
        return models.DateField(label, null=True, blank=True, help_text=help_text)
    raise ValueError(f"The catalogue field {spec.key!r} of kind {kind!r} has no column.")


def add_columns(model: type[models.Model], fields: tuple[FieldSpec, ...]) -> None:
    """Give a model one column per catalogue field (a group's fields flat, with its prefix)."""
    specs = dict(catalogue.columns(fields))
    for name, spec in specs.items():
        model.add_to_class(name, column(spec))
    model.column_specs = specs  # type: ignore[attr-defined]


def column_spec(model: type[models.Model], name: str) -> FieldSpec:
    """The catalogue field behind a column of a section or row model."""
    return model.column_specs[name]  # type: ignore[attr-defined]


class ScopeSection(models.Model):
    """One guided step of the scope. ``revision`` makes concurrent saves detectable (optimistic locking)."""

    section_key: ClassVar[str] = ""
    column_specs: ClassVar[dict[str, FieldSpec]] = {}

    revision = models.PositiveIntegerField(
        default=0, help_text="Goes up by one on every save; a save made from an older revision is a conflict."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} of project {self.project_id}"  # type: ignore[attr-defined]


class ScopeRow(models.Model):
    """A row in a section's table; ``position`` keeps the order people gave them."""

    section_key: ClassVar[str] = ""
    rows_key: ClassVar[str] = ""
    column_specs: ClassVar[dict[str, FieldSpec]] = {}

    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ("position", "id")

    def __str__(self) -> str:
        first = next(iter(self.column_specs))
        return str(getattr(self, first) or "")[:80] or f"{self._meta.verbose_name.capitalize()} {self.position + 1}"


def _link(section_key: str) -> models.OneToOneField:
    return models.OneToOneField(PROJECT_MODEL, on_delete=models.CASCADE, related_name=section_key)


def _rows(section_key: str, rows_key: str) -> FieldSpec:
    return catalogue.section(section_key).field(rows_key)


def _plural(spec: FieldSpec) -> str:
    return spec.label[:1].lower() + spec.label[1:]


class ProductionTarget(ScopeSection):
    section_key = "production_target"
    project = _link(section_key)

    class Meta:
        verbose_name = _("production target")
        verbose_name_plural = _("production targets")


class SuccessMetric(ScopeRow):
    section_key, rows_key = "production_target", "success_metrics"
    production_target = models.ForeignKey(ProductionTarget, on_delete=models.CASCADE, related_name=rows_key)

    class Meta(ScopeRow.Meta):
        verbose_name = _rows("production_target", "success_metrics").noun
        verbose_name_plural = _plural(_rows("production_target", "success_metrics"))


class FirstSlice(ScopeSection):
    section_key = "first_slice"
    project = _link(section_key)

    class Meta:
        verbose_name = _("first slice")
        verbose_name_plural = _("first slices")


class AcceptanceCriterion(ScopeRow):
    section_key, rows_key = "first_slice", "acceptance_criteria"
    first_slice = models.ForeignKey(FirstSlice, on_delete=models.CASCADE, related_name=rows_key)

    class Meta(ScopeRow.Meta):
        verbose_name = _rows("first_slice", "acceptance_criteria").noun
        verbose_name_plural = _plural(_rows("first_slice", "acceptance_criteria"))


class DataPath(ScopeSection):
    section_key = "data_path"
    project = _link(section_key)

    class Meta:
        verbose_name = _("data path")
        verbose_name_plural = _("data paths")


class DataSource(ScopeRow):
    section_key, rows_key = "data_path", "sources"
    data_path = models.ForeignKey(DataPath, on_delete=models.CASCADE, related_name=rows_key)

    class Meta(ScopeRow.Meta):
        verbose_name = _rows("data_path", "sources").noun
        verbose_name_plural = _plural(_rows("data_path", "sources"))


class FailureModeRegister(ScopeSection):
    section_key = "failure_modes"
    project = _link(section_key)

    class Meta:
        verbose_name = _("failure-mode register")
        verbose_name_plural = _("failure-mode registers")


class FailureMode(ScopeRow):
    section_key, rows_key = "failure_modes", "items"
    register = models.ForeignKey(FailureModeRegister, on_delete=models.CASCADE, related_name=rows_key)

    class Meta(ScopeRow.Meta):
        verbose_name = _rows("failure_modes", "items").noun
        verbose_name_plural = _plural(_rows("failure_modes", "items"))


class SecurityAccess(ScopeSection):
    section_key = "security"
    project = _link(section_key)

    class Meta:
        verbose_name = _("security and access")
        verbose_name_plural = _("security and access")


class AccessRole(ScopeRow):
    section_key, rows_key = "security", "access_roles"
    security = models.ForeignKey(SecurityAccess, on_delete=models.CASCADE, related_name=rows_key)

    class Meta(ScopeRow.Meta):
        verbose_name = _rows("security", "access_roles").noun
        verbose_name_plural = _plural(_rows("security", "access_roles"))


class CostModel(ScopeSection):
    section_key = "cost_model"
    project = _link(section_key)

    class Meta:
        verbose_name = _("cost model")
        verbose_name_plural = _("cost models")


class ModelStep(ScopeRow):
    section_key, rows_key = "cost_model", "steps"
    cost_model = models.ForeignKey(CostModel, on_delete=models.CASCADE, related_name=rows_key)

    class Meta(ScopeRow.Meta):
        verbose_name = _rows("cost_model", "steps").noun
        verbose_name_plural = _plural(_rows("cost_model", "steps"))


class WorkflowIntegration(ScopeSection):
    section_key = "workflow"
    project = _link(section_key)

    class Meta:
        verbose_name = _("workflow")
        verbose_name_plural = _("workflows")


class Ownership(ScopeSection):
    section_key = "ownership"
    project = _link(section_key)

    class Meta:
        verbose_name = _("ownership")
        verbose_name_plural = _("ownership")


class Responsibility(ScopeRow):
    section_key, rows_key = "ownership", "responsibilities"
    ownership = models.ForeignKey(Ownership, on_delete=models.CASCADE, related_name=rows_key)

    class Meta(ScopeRow.Meta):
        verbose_name = _rows("ownership", "responsibilities").noun
        verbose_name_plural = _plural(_rows("ownership", "responsibilities"))


# --- Open questions and accepted risks -------------------------------------------------------------------------


def _question(key: str) -> models.Field:
    # The question forms still read their help from the model field (they are built in the views).
    spec = catalogue.OPEN_QUESTIONS.field(key)
    return column(spec, help_text=spec.help)


class OpenQuestion(models.Model):
    """Something nobody could answer in the session, with who finds out and by when."""

    project = models.ForeignKey(PROJECT_MODEL, on_delete=models.CASCADE, related_name="open_questions")
    question = _question("question")
    section = _question("section")
    owner = _question("owner")
    due = _question("due")
    status = _question("status")
    answer = _question("answer")
    # The field it was raised on ("Don't know yet" beside a field), and the session whose action it is; not part of
    # the scope JSON's open question (the catalogue), so frozen versions and their hashes do not change.
    field = models.CharField(max_length=80, blank=True, default="")
    session = models.ForeignKey(
        "scoping.DiscoverySession", null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("id",)
        verbose_name = catalogue.OPEN_QUESTIONS.noun
        verbose_name_plural = _plural(catalogue.OPEN_QUESTIONS)

    def __str__(self) -> str:
        return self.question[:80]


def _risk(key: str) -> FieldSpec:
    return catalogue.ACCEPTED_RISKS.field(key)


class AcceptedRisk(models.Model):
    """A readiness blocker knowingly accepted, with the written reason that is printed in the PDF."""

    project = models.ForeignKey(PROJECT_MODEL, on_delete=models.CASCADE, related_name="accepted_risks")
    code = models.CharField(_risk("code").label, max_length=SHORT_TEXT_MAX, help_text=_risk("code").help)
    reason = models.TextField(_risk("reason").label, max_length=LONG_TEXT_MAX, help_text=_risk("reason").help)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_by_name = models.CharField(
        _risk("accepted_by").label, max_length=SHORT_TEXT_MAX, blank=True, help_text=_risk("accepted_by").help
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        verbose_name = catalogue.ACCEPTED_RISKS.noun
        verbose_name_plural = _plural(catalogue.ACCEPTED_RISKS)
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="unique_accepted_risk_per_project")]

    def __str__(self) -> str:
        return self.code


# Section key -> model, in the order of the guided steps.
SECTION_MODELS: dict[str, type[ScopeSection]] = {
    model.section_key: model
    for model in (
        ProductionTarget,
        FirstSlice,
        DataPath,
        FailureModeRegister,
        SecurityAccess,
        CostModel,
        WorkflowIntegration,
        Ownership,
    )
}
assert tuple(SECTION_MODELS) == catalogue.SECTION_KEYS, "the section models follow the catalogue's order"  # noqa: S101

# (section key, rows key) -> (row model, name of its foreign key to the section).
ROW_MODELS: dict[tuple[str, str], tuple[type[ScopeRow], str]] = {
    (model.section_key, model.rows_key): (model, parent)
    for model, parent in (
        (SuccessMetric, "production_target"),
        (AcceptanceCriterion, "first_slice"),
        (DataSource, "data_path"),
        (FailureMode, "register"),
        (AccessRole, "security"),
        (ModelStep, "cost_model"),
        (Responsibility, "ownership"),
    )
}

for _section_model in SECTION_MODELS.values():
    add_columns(_section_model, catalogue.section(_section_model.section_key).fields)
for (_section_key, _rows_key), (_row_model, _parent) in ROW_MODELS.items():
    add_columns(_row_model, _rows(_section_key, _rows_key).fields)
