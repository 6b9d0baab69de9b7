"""The cost step's price picker form: copy one catalogue model's prices into the scope."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model

from scoping.models import ModelPrice
from scoping.steps.form_fields import AmountField

User = get_user_model()

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


class ModelPickForm(forms.Form):
    price = forms.ModelChoiceField(
        queryset=ModelPrice.objects.all(),
        label="Model from the price catalogue",
        error_messages={
            "required": "Choose a model from the catalogue.",
            "invalid_choice": "That model is no longer in the catalogue; reload the page and choose again.",
        },
    )
    revision = forms.IntegerField(
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={"required": "This page is out of date; reload it and pick the model again."},
    )
    # Read like every other number on the steps ("1,25", "0.8"), with the field named in the message.
    exchange_rate = AmountField(
        label="Exchange rate",
        max_value=Decimal(1_000_000),
        max_digits=16,
        decimal_places=6,
        is_percent=False,
        help_text="Only when the catalogue's currency differs from the scope's: how many scope-currency units one "
        "unit of the price currency buys.",
    )

    def clean_exchange_rate(self) -> Decimal | None:
        rate = self.cleaned_data.get("exchange_rate")
        if rate is not None and rate <= 0:
            raise forms.ValidationError("Exchange rate: must be more than 0, such as 0.85.")
        return rate
