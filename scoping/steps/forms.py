"""The guided-step forms: one ModelForm per scope section, plus a formset per list of rows.

Built from the section models, whose columns come from the section catalogue; labels and help texts (written in the
client's language) are read from the catalogue too. Fields are tuned for people typing in a session rather than for
browsers: numbers are text inputs (a browser number input silently drops "1,100" on submit, losing what was typed),
over-long text is refused by the server with the limit stated instead of being cut off by ``maxlength``, and zero or
negative numbers are refused where they make no sense.

The fields themselves are in ``scoping.steps.form_fields``; ``scoping.steps.display`` turns a stored value into
what a reader sees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.db import models

from scoping.models.sections import ROW_MODELS, SECTION_MODELS, ScopeRow, ScopeSection, column_spec
from scoping.scope import catalogue
from scoping.scope.schema import CHOICES, MAX_ROWS
from scoping.steps.cost_inputs import FIELD_UNITS
from scoping.steps.display import has_value
from scoping.steps.form_fields import scope_formfield

__all__ = [
    "FIELD_GROUPS",
    "RowBlock",
    "SECTION_FORM_FIELDS",
    "StepForms",
    "build_step_forms",
    "field_label",
    "row_fields",
    "rows_keys",
    "section_form_class",
]

# Never edited through a step form: identity, the optimistic-locking counter and bookkeeping.
SECTION_BOOKKEEPING = ("id", "project", "revision", "updated_at", "updated_by")
ROW_BOOKKEEPING = ("id", "position")

ROW_TEXTAREA_ROWS = 2


# --- layouts ----------------------------------------------------------------------------------------------------

# Sections long enough to need headings. Each group: (heading, rows of field names shown side by side).
FIELD_GROUPS: dict[str, tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]] = {
    "cost_model": (
        ("Currency and prices", (("currency", "prices_as_of"),)),
        # The model steps come here on the page (``COST_TOP_GROUPS``): after the currency their prices are in.
        ("Each use", (("retry_overhead_pct", "retrieval_per_use", "other_per_use"),)),
        (
            "Load and data residency",
            (("residency_uplift_pct", "peak_share_pct"), ("rate_limit_rpm", "rate_limit_tpm")),
        ),
        ("Human review", (("review_rate_pct", "review_minutes", "reviewer_hourly_rate"),)),
        ("Fixed monthly costs", (("hosting", "monitoring", "licences"), ("maintenance_hours", "maintenance_rate"))),
        ("Value of a use today", (("manual_minutes", "manual_hourly_rate", "other_value_per_use"),)),
        (catalogue.section("cost_model").field("tiers").label, (("tier_pilot", "tier_launch", "tier_scale"),)),
        (
            catalogue.section("cost_model").field("self_hosted").label,
            (
                ("self_hosted_gpu_count", "self_hosted_gpu_hourly_rate", "self_hosted_tokens_per_second_per_gpu"),
                ("self_hosted_utilisation_pct", "self_hosted_ops_hours_per_month"),
            ),
        ),
    ),
    "ownership": (
        (
            catalogue.section("ownership").field("business_owner").label,
            (("business_owner_name", "business_owner_role", "business_owner_email"),),
        ),
        (
            catalogue.section("ownership").field("technical_owner").label,
            (("technical_owner_name", "technical_owner_role", "technical_owner_email"),),
        ),
        ("After launch", (("budget_owner", "support_model", "handover_date"),)),
    ),
}


# How many of a section's groups the page shows above its lists of rows (the rest follow them).
TOP_GROUPS: dict[str, int] = {"cost_model": 1}

# Inputs a new row starts with: the values that leave the figures as a plain model call would have them.
ROW_DEFAULTS: dict[tuple[str, str], dict[str, Any]] = {
    ("cost_model", "steps"): {"reasoning_tokens": 0, "cache_write_share_pct": 0, "batch_share_pct": 0},
}
SECTION_DEFAULTS: dict[str, dict[str, Any]] = {"cost_model": {"residency_uplift_pct": 0}}


def rows_keys(section_key: str) -> tuple[str, ...]:
    """The row lists a section has, in the catalogue's order (most sections have one, some none)."""
    return tuple(rows.key for rows in catalogue.row_lists(section_key))


def _editable_fields(model: type[models.Model], bookkeeping: Sequence[str]) -> tuple[str, ...]:
    return tuple(
        field.name
        for field in model._meta.concrete_fields
        if field.name not in bookkeeping and not isinstance(field, models.ForeignKey)
    )


SECTION_FORM_FIELDS: dict[str, tuple[str, ...]] = {
    key: _editable_fields(model, SECTION_BOOKKEEPING) for key, model in SECTION_MODELS.items()
}


def row_fields(section_key: str, rows_key: str) -> tuple[str, ...]:
    row_model, _parent = ROW_MODELS[(section_key, rows_key)]
    return _editable_fields(row_model, ROW_BOOKKEEPING)


def field_label(model: type[models.Model], name: str) -> str:
    return column_spec(model, name).label


def _column_class(db_field: models.Field, grid: int) -> str:
    if isinstance(db_field, models.TextField):
        return "col-12"
    return {1: "col-12", 2: "col-md-6", 3: "col-md-4"}.get(grid, "col-md-6 col-lg-3")


def _section_layout(section_key: str, part: slice = slice(None)) -> Layout:
    model = SECTION_MODELS[section_key]
    groups = FIELD_GROUPS.get(section_key, ())[part]
    if not groups:
        return Layout(*SECTION_FORM_FIELDS[section_key])  # names: Field(name) would bypass helper.field_template
    fieldsets = []
    for heading, lines in groups:
        fieldset_rows = [
            Row(*(Column(name, css_class=_column_class(model._meta.get_field(name), len(line))) for name in line))
            for line in lines
        ]
        fieldsets.append(Fieldset(heading, *fieldset_rows, css_class="step-fieldset"))
    return Layout(*fieldsets)


# Rows whose natural field order makes a ragged grid get explicit lines (by row model name).
ROW_LINES: dict[str, tuple[tuple[str, ...], ...]] = {
    "failuremode": (("scenario",), ("category", "likelihood", "impact", "owner"), ("detection", "handling")),
    "modelstep": (
        ("name", "provider", "model"),
        ("calls_per_use", "input_tokens", "output_tokens", "reasoning_tokens"),
        ("cached_share_pct", "cache_write_share_pct", "batch_share_pct", "batch_discount_pct"),
        ("input_price", "cached_input_price", "cache_write_price"),
        ("output_price", "reasoning_price", "deprecation_date"),
    ),
}


def _runs(row_model: type[ScopeRow], names: Sequence[str]) -> list[tuple[str, ...]]:
    """Consecutive short fields share a line; consecutive long ones too."""
    lines: list[list[str]] = []
    for name in names:
        is_long = isinstance(row_model._meta.get_field(name), models.TextField)
        if lines and isinstance(row_model._meta.get_field(lines[-1][0]), models.TextField) == is_long:
            lines[-1].append(name)
        else:
            lines.append([name])
    return [tuple(line) for line in lines]


def _row_layout(row_model: type[ScopeRow], names: Sequence[str]) -> Layout:
    lines = ROW_LINES.get(row_model._meta.model_name) or _runs(row_model, names)
    rows = []
    for line in lines:
        width = {1: "col-12", 2: "col-md-6", 3: "col-md-4"}.get(len(line), "col-md-6 col-lg-3")
        rows.append(Row(*(Column(name, css_class=width) for name in line)))
    return Layout(*rows)


# --- forms ------------------------------------------------------------------------------------------------------


class ScopeSectionForm(forms.ModelForm):
    """Base of the eight step forms: crispy helper without a <form> tag, since the page adds the row formsets."""

    section_key = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = _section_layout(self.section_key, slice(TOP_GROUPS.get(self.section_key, 0), None))
        # The groups shown above the section's lists of rows, when it has some (the page renders both helpers).
        self.helper_top = None
        if self.section_key in TOP_GROUPS:
            self.helper_top = FormHelper()
            self.helper_top.form_tag = False
            self.helper_top.disable_csrf = True
            self.helper_top.layout = _section_layout(self.section_key, slice(0, TOP_GROUPS[self.section_key]))

    def clean_regimes(self) -> list[str]:
        # Stored in the catalogue's order, so ticking boxes in another order is not a change.
        chosen = set(self.cleaned_data.get("regimes") or [])
        return [value for value, _label in CHOICES["regimes"] if value in chosen]


class ScopeRowForm(forms.ModelForm):
    """One row of a section's list (a success metric, a data source…)."""

    def __init__(
        self, *args: Any, new_row_initial: Mapping[str, Any] | None = None, currency: str = "", **kwargs: Any
    ) -> None:
        if new_row_initial and not kwargs.get("initial"):
            kwargs["initial"] = dict(new_row_initial)
        super().__init__(*args, **kwargs)
        _add_units(self, currency=currency)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = ROW_TEXTAREA_ROWS
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = _row_layout(self._meta.model, [name for name in self.fields if name != "DELETE"])


class RowFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": f"A list can hold at most {MAX_ROWS} rows. Remove some, or combine similar ones.",
    }

    def rows(self) -> list[dict[str, Any]]:
        """The submitted rows in the order shown, without removed and blank ones."""
        kept = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            data = getattr(form, "cleaned_data", None) or {}
            values = {name: data.get(name) for name in form._meta.fields}
            if any(has_value(value) for value in values.values()):
                kept.append(values)
        return kept


_SECTION_FORM_CLASSES: dict[str, type[ScopeSectionForm]] = {}
_ROW_FORMSET_CLASSES: dict[tuple[str, str], type[RowFormSet]] = {}


def section_form_class(section_key: str) -> type[ScopeSectionForm]:
    if section_key not in _SECTION_FORM_CLASSES:
        form_class = forms.modelform_factory(
            SECTION_MODELS[section_key],
            form=ScopeSectionForm,
            fields=SECTION_FORM_FIELDS[section_key],
            formfield_callback=scope_formfield,
        )
        form_class.section_key = section_key
        _SECTION_FORM_CLASSES[section_key] = form_class
    return _SECTION_FORM_CLASSES[section_key]


def row_formset_class(section_key: str, rows_key: str) -> type[RowFormSet]:
    if (section_key, rows_key) not in _ROW_FORMSET_CLASSES:
        row_model, _parent = ROW_MODELS[(section_key, rows_key)]
        row_form = forms.modelform_factory(
            row_model, form=ScopeRowForm, fields=row_fields(section_key, rows_key), formfield_callback=scope_formfield
        )
        _ROW_FORMSET_CLASSES[(section_key, rows_key)] = forms.formset_factory(
            row_form, formset=RowFormSet, extra=0, can_delete=True, max_num=MAX_ROWS, validate_max=True
        )
    return _ROW_FORMSET_CLASSES[(section_key, rows_key)]


def indefinite_article(noun: str) -> str:
    """ "a" or "an" for a noun as it is said: an acceptance criterion, a failure mode, a user group, an hour."""
    word = noun.strip().lower()
    if word.startswith(("hour", "honest", "heir")):
        return "an"
    if word.startswith(("uni", "use", "usu", "uti", "eu", "one", "once")):
        return "a"
    return "an" if word[:1] in "aeiou" else "a"


@dataclass
class RowBlock:
    """One list on a step page: its formset and how the page talks about it."""

    key: str
    label: str
    noun: str
    intro: str
    formset: RowFormSet

    @property
    def add_label(self) -> str:
        return f"Add {indefinite_article(self.noun)} {self.noun}"


@dataclass
class StepForms:
    form: ScopeSectionForm
    row_blocks: list[RowBlock]

    @property
    def formsets(self) -> dict[str, RowFormSet]:
        return {block.key: block.formset for block in self.row_blocks}

    def is_valid(self) -> bool:
        # Validate everything (not stopping at the first failure) so every error shows at once.
        results = [self.form.is_valid(), *(block.formset.is_valid() for block in self.row_blocks)]
        return all(results)

    def error_count(self) -> int:
        count = len(self.form.errors)
        for block in self.row_blocks:
            count += len(block.formset.non_form_errors())
            count += sum(len(errors) for errors in block.formset.errors if errors)
        return count


def _add_units(form: forms.ModelForm, *, currency: str) -> None:
    """Money inputs carry the scope's currency in the label, e.g. "Input price per 1M tokens (GBP)".

    The labels already say the unit ("per 1M tokens", "per month"); what they lack is the currency.
    """
    for name, field in form.fields.items():
        if "{currency}" in FIELD_UNITS.get(name, "") and currency:
            field.label = f"{field.label} ({currency.upper()})"


def build_step_forms(
    section_key: str,
    *,
    section: ScopeSection,
    rows: Mapping[str, Sequence[ScopeRow]],
    data: Mapping[str, Any] | None = None,
    default_currency: str = "",
) -> StepForms:
    """The step's form and row formsets: bound to ``data`` when posted, else showing what is saved."""
    # A default fills only a blank that was never saved: an imported or saved value always shows as it is.
    initial = {
        name: value
        for name, value in SECTION_DEFAULTS.get(section_key, {}).items()
        if not section.revision and getattr(section, name, None) is None
    }
    if section_key == "cost_model" and not getattr(section, "currency", "") and default_currency:
        initial["currency"] = default_currency
    form = section_form_class(section_key)(data=data, instance=section, initial=initial)
    currency = getattr(section, "currency", "") or default_currency
    if section_key == "cost_model":
        _add_units(form, currency=currency)
    blocks = []
    for rows_key in rows_keys(section_key):
        rows_spec = catalogue.section(section_key).field(rows_key)
        formset_class = row_formset_class(section_key, rows_key)
        # A new row (the blank one offered, or one added on the page) starts from the row's defaults.
        form_kwargs = {"new_row_initial": ROW_DEFAULTS.get((section_key, rows_key), {}), "currency": currency}
        if data is not None:
            formset = formset_class(data=data, prefix=rows_key, form_kwargs=form_kwargs)
        else:
            names = row_fields(section_key, rows_key)
            saved = [{name: getattr(row, name) for name in names} for row in rows.get(rows_key, ())]
            # An empty list starts with one blank row ready to type into (it still works without JavaScript).
            formset = formset_class(initial=saved, prefix=rows_key, form_kwargs=form_kwargs)
            if not saved:
                formset.extra = 1
        blocks.append(
            RowBlock(
                key=rows_key,
                label=rows_spec.label,
                noun=rows_spec.noun,
                intro=rows_spec.help,
                formset=formset,
            )
        )
    return StepForms(form=form, row_blocks=blocks)
