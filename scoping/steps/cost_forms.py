"""The cost step's price picker form: copy one catalogue model's prices into a model step of the scope."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from scoping.models import ModelPrice
from scoping.models.sections import ModelStep
from scoping.steps.form_fields import AmountField

User = get_user_model()

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
NEW_STEP = "new"  # the picker's choice of a step added for the prices


@dataclass(frozen=True)
class PickTarget:
    """One choice of where the picked prices go: a saved step (by its place in the list, from 0) or a new step."""

    value: str
    label: str


def step_label(step: ModelStep, index: int) -> str:
    """ "Step 1: Classify — gpt-4.1-mini", leaving out what the step does not say yet."""
    label = f"Step {index + 1}"
    if step.name:
        label += f": {step.name}"
    if step.model:
        label += f" — {step.model}"
    return label


def pick_targets(steps: Sequence[ModelStep]) -> list[PickTarget]:
    """The saved steps, in order, then a new step."""
    return [PickTarget(str(index), step_label(step, index)) for index, step in enumerate(steps)] + [
        PickTarget(NEW_STEP, "A new step")
    ]


def default_target(step_count: int) -> str:
    """Where the prices go when the person does not say: the only step, or a new one while there are none.

    With several steps there is no safe guess (prices copied into the wrong step skew every figure), so "" asks.
    """
    if step_count == 0:
        return NEW_STEP
    return "0" if step_count == 1 else ""


class ModelPickForm(forms.Form):
    price = forms.ModelChoiceField(
        queryset=ModelPrice.objects.all(),
        label="Model from the price catalogue",
        error_messages={
            "required": "Choose a model from the catalogue.",
            "invalid_choice": "That model is no longer in the catalogue; reload the page and choose again.",
        },
    )
    step = forms.CharField(
        required=False,
        label="Into",
        help_text="The model step the prices go into, or a new step added at the end.",
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

    def __init__(self, *args: Any, step_count: int, **kwargs: Any) -> None:
        """``step_count``: how many model steps the cost model has now (the default target depends on it)."""
        super().__init__(*args, **kwargs)
        self.step_count = step_count

    def clean_step(self) -> int | None:
        """The chosen step's place in the list (from 0), or None for a new step.

        A number beyond the list is left to ``model_prices_copy``, which checks it under the cost model's lock.
        """
        chosen = (self.cleaned_data.get("step") or "").strip() or default_target(self.step_count)
        if chosen == NEW_STEP:
            return None
        if chosen.isdigit() and len(chosen) <= 3:
            return int(chosen)
        if not chosen:
            raise forms.ValidationError(
                f"This cost model has {self.step_count} model steps: choose the step the prices go into, or a new step."
            )
        raise forms.ValidationError("That model step is not on this page any more; reload it and pick again.")

    def clean_exchange_rate(self) -> Decimal | None:
        rate = self.cleaned_data.get("exchange_rate")
        if rate is not None and rate <= 0:
            raise forms.ValidationError("Exchange rate: must be more than 0, such as 0.85.")
        return rate
