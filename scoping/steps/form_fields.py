"""The form fields of the guided steps, tuned for people typing in a session (see ``scoping.steps.forms``).

Numbers are text inputs read by the one number reader, over-long text is refused with the limit stated, and each
catalogue field kind gets its form field from ``scope_formfield``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.db import models

from scoping.models.sections import column_spec
from scoping.scope.money import CURRENCY_EXAMPLES, is_currency_code
from scoping.scope.numbers import NumberRefused, NumberRule, read_number
from scoping.scope.schema import CHOICES, ONE_OR_MORE, SHORT_TEXT_MAX

TEXTAREA_ROWS = 3
BLANK_CHOICE_LABEL = "Not decided"
YES_NO_CHOICES = (("unknown", "Not answered yet"), ("true", "Yes"), ("false", "No"))


# --- fields -----------------------------------------------------------------------------------------------------


class ScopeTextField(forms.CharField):
    """Text with a limit the server states, and Windows line endings folded so the limit counts what people see."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        advice = "Shorten it, or put the detail in a longer field." if max_length <= SHORT_TEXT_MAX else "Shorten it."
        kwargs.setdefault(
            "error_messages",
            {"max_length": f"This is too long: %(show_value)d characters; the limit is %(limit_value)d. {advice}"},
        )
        super().__init__(max_length=max_length, required=False, **kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # No maxlength attribute: a browser would silently cut pasted text; the server refuses it with the limit.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class ScopeEmailField(forms.EmailField):
    default_error_messages = {"invalid": "Enter an e-mail address such as name@example.com."}

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class CurrencyField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=20, required=False, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        attrs["autocapitalize"] = "characters"
        return attrs

    def clean(self, value: Any) -> str:
        code = (super().clean(value) or "").strip().upper()
        if code and not is_currency_code(code):
            raise forms.ValidationError(
                f"“{code}” is not a currency code: enter a three-letter ISO 4217 code, such as {CURRENCY_EXAMPLES}.",
                code="invalid",
            )
        return code


class CountField(forms.IntegerField):
    """A whole number, read by ``scoping.scope.numbers``: "9,000", "9 000" and "٩٠٠٠" are 9000."""

    def __init__(self, *, min_value: int, max_value: int | None, **kwargs: Any) -> None:
        self.rule = NumberRule(whole=True, min_value=min(max(min_value, 0), 1), max_value=max_value)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(min_value=min_value, max_value=max_value, required=False, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {key: value for key, value in super().widget_attrs(widget).items() if key not in ("min", "max", "step")}

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        try:
            number = read_number(value, self.rule)
        except NumberRefused as refused:
            raise forms.ValidationError(refused.for_field(str(self.label or "")), code="invalid") from None
        return None if number is None else int(number)


class AmountField(forms.DecimalField):
    """Money, prices, percentages, minutes and hours, read by ``scoping.scope.numbers``: never negative, percentages at
    most 100; "1,100", "1 100" and "£1,100.50" are read as people mean them."""

    def __init__(
        self, *, max_value: Decimal | None, max_digits: int, decimal_places: int, is_percent: bool, **kwargs: Any
    ) -> None:
        self.is_percent = is_percent
        self.rule = NumberRule(percent=is_percent, max_value=max_value, decimal_places=decimal_places)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(
            min_value=Decimal(0),
            max_value=max_value,
            max_digits=max_digits,
            decimal_places=decimal_places,
            required=False,
            **kwargs,
        )

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {key: value for key, value in super().widget_attrs(widget).items() if key not in ("min", "max", "step")}

    def prepare_value(self, value: Any) -> Any:
        # Show 0.2 as "0.20" and 1100.000000 as "1100", not as the six stored decimal places.
        if isinstance(value, Decimal) and value.is_finite():
            text = format(value.normalize(), "f") if value != 0 else "0"
            whole, _, fraction = text.partition(".")
            if fraction and not self.is_percent and self.decimal_places >= 6:
                fraction = fraction.ljust(2, "0")
            return f"{whole}.{fraction}" if fraction else whole
        return super().prepare_value(value)

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            value = str(value)
        try:
            return read_number(value, self.rule)
        except NumberRefused as refused:
            raise forms.ValidationError(refused.for_field(str(self.label or "")), code="invalid") from None


def _max_value(db_field: models.Field) -> Any:
    for validator in db_field.validators:
        if isinstance(validator, MaxValueValidator):
            return validator.limit_value
    return None


def scope_formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """Form field for one section or row column (the ``formfield_callback`` of every step form)."""
    spec = column_spec(db_field.model, db_field.name)
    common = {"label": spec.label, "help_text": spec.help}
    if isinstance(db_field, models.JSONField) and db_field.name == "regimes":
        return forms.MultipleChoiceField(
            choices=CHOICES["regimes"], required=False, widget=forms.CheckboxSelectMultiple, **common
        )
    if isinstance(db_field, models.EmailField):
        return ScopeEmailField(max_length=db_field.max_length, required=False, **common)
    if isinstance(db_field, models.CharField) and db_field.choices:
        return forms.ChoiceField(choices=[("", BLANK_CHOICE_LABEL), *db_field.choices], required=False, **common)
    if isinstance(db_field, models.CharField) and db_field.name == "currency":
        return CurrencyField(**common)
    if isinstance(db_field, models.TextField):
        return ScopeTextField(
            max_length=db_field.max_length, widget=forms.Textarea(attrs={"rows": TEXTAREA_ROWS}), **common
        )
    if isinstance(db_field, models.CharField):
        return ScopeTextField(max_length=db_field.max_length, **common)
    if isinstance(db_field, models.PositiveIntegerField | models.PositiveBigIntegerField):
        return CountField(min_value=1 if db_field.name in ONE_OR_MORE else 0, max_value=_max_value(db_field), **common)
    if isinstance(db_field, models.DecimalField):
        return AmountField(
            max_value=_max_value(db_field),
            max_digits=db_field.max_digits,
            decimal_places=db_field.decimal_places,
            is_percent=db_field.name.endswith("_pct"),
            **common,
        )
    if isinstance(db_field, models.BooleanField):
        widget = forms.NullBooleanSelect()
        widget.choices = YES_NO_CHOICES
        return forms.NullBooleanField(widget=widget, required=False, **common)
    if isinstance(db_field, models.DateField):
        return forms.DateField(
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"],
            error_messages={"invalid": "Enter a date such as 2027-02-15."},
            **common,
        )
    return db_field.formfield(**kwargs)
