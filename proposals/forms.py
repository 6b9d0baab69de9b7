"""The engagement step's form and its four lists, built like the guided steps' forms from the catalogue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.db import models

from consultancy.selectors import clause_choices
from proposals.models import ENGAGEMENT_ROWS, Engagement
from scoping.models.sections import ScopeRow
from scoping.scope.schema import MAX_ROWS
from scoping.scope.sections import engagement as catalogue
from scoping.steps.form_fields import scope_formfield
from scoping.steps.forms import RowBlock, RowFormSet, ScopeRowForm, StepForms

# Headings and the fields shown side by side under each.
GROUPS: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    ("Price", (("pricing", "currency", "tax_rate_pct"), ("price", "cap", "valid_until"))),
    (
        "Terms",
        (
            ("assumptions",),
            ("client_dependencies",),
            ("change_control",),
            ("acceptance_procedure",),
            ("expenses",),
            ("run_costs_paid_by",),
            ("clauses",),
        ),
    ),
)
FIELDS = tuple(name for _heading, lines in GROUPS for line in lines for name in line if name != "clauses")


def _layout(groups) -> Layout:
    fieldsets = []
    for heading, lines in groups:
        width = {1: "col-12", 2: "col-md-6", 3: "col-md-4"}
        rows = [Row(*(Column(name, css_class=width[len(line)]) for name in line)) for line in lines]
        fieldsets.append(Fieldset(heading, *rows, css_class="step-fieldset"))
    return Layout(*fieldsets)


class EngagementForm(forms.ModelForm):
    # The consultancy's clause library (consultancy/): the proposal prints the chosen clauses' texts as they stood
    # when the scope was frozen. A key no longer offered stays chosen until someone unticks it.
    clauses = forms.MultipleChoiceField(
        label="Clauses",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Terms from your clause library the proposal prints in full. An admin edits the library.",
    )

    class Meta:
        model = Engagement
        fields = FIELDS
        formfield_callback = scope_formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = clause_choices()
        known = {key for key, _title in offered}
        kept = [(key, key) for key in (self.instance.clauses or []) if key not in known]
        self.fields["clauses"].choices = [*offered, *kept]
        # The price above the lists (phases, milestones, deliverables, team), the terms below them.
        self.helper_top, self.helper = FormHelper(), FormHelper()
        for helper, groups in ((self.helper_top, GROUPS[:1]), (self.helper, GROUPS[1:])):
            helper.form_tag = False
            helper.disable_csrf = True
            helper.layout = _layout(groups)


def _row_fields(row_model: type[ScopeRow]) -> tuple[str, ...]:
    return tuple(
        field.name
        for field in row_model._meta.concrete_fields
        if field.name not in ("id", "position") and not isinstance(field, models.ForeignKey)
    )


_FORMSETS: dict[str, type[RowFormSet]] = {}


def row_formset_class(rows_key: str) -> type[RowFormSet]:
    if rows_key not in _FORMSETS:
        row_model, _parent = ENGAGEMENT_ROWS[rows_key]
        row_form = forms.modelform_factory(
            row_model, form=ScopeRowForm, fields=_row_fields(row_model), formfield_callback=scope_formfield
        )
        _FORMSETS[rows_key] = forms.formset_factory(
            row_form, formset=RowFormSet, extra=0, can_delete=True, max_num=MAX_ROWS, validate_max=True
        )
    return _FORMSETS[rows_key]


def row_fields(rows_key: str) -> tuple[str, ...]:
    return _row_fields(ENGAGEMENT_ROWS[rows_key][0])


def build_engagement_forms(
    *, engagement: Engagement, rows: Mapping[str, Sequence[ScopeRow]], data: Mapping[str, Any] | None = None
) -> StepForms:
    """The engagement form and its lists: bound to ``data`` when posted, else showing what is saved."""
    # Fees are usually in the project's currency: offer it until one is saved.
    initial = {} if engagement.currency else {"currency": engagement.project.currency}
    form = EngagementForm(data=data, instance=engagement, initial=initial)
    blocks = []
    for rows_key in ENGAGEMENT_ROWS:
        spec = next(item for item in catalogue.FIELDS if item.key == rows_key)
        formset_class = row_formset_class(rows_key)
        currency = engagement.currency or engagement.project.currency
        kwargs = {"form_kwargs": {"currency": currency}}
        if data is not None:
            formset = formset_class(data=data, prefix=rows_key, **kwargs)
        else:
            saved = [{name: getattr(row, name) for name in row_fields(rows_key)} for row in rows.get(rows_key, ())]
            formset = formset_class(initial=saved, prefix=rows_key, **kwargs)
            if not saved:
                formset.extra = 1
        blocks.append(RowBlock(key=rows_key, label=spec.label, noun=spec.noun, intro=spec.help, formset=formset))
    return StepForms(form=form, row_blocks=blocks)
