"""Forms for open questions: the questions page, resolving one, and parking one inline from a step."""

from __future__ import annotations

import re

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model

from scoping.models.sections import OpenQuestion
from scoping.scope.schema import CHOICES, LONG_TEXT_MAX, SHORT_TEXT_MAX

User = get_user_model()

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


OPEN_QUESTION_NEEDS = {"owner": "Name who finds out the answer.", "due": "Give the date the answer is needed by."}


class QuestionForm(forms.ModelForm):
    """Add or edit a question. An open question needs someone who finds out and a date; an answered one, the answer."""

    class Meta:
        model = OpenQuestion
        fields = ("question", "section", "owner", "due", "status", "answer")
        widgets = {
            "question": forms.Textarea(attrs={"rows": 2}),
            "due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "answer": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].required = True
        self.fields["question"].help_text = f"{self.fields['question'].help_text} Up to {LONG_TEXT_MAX} characters."
        self.fields["section"].choices = [("", "Not tied to one step"), *CHOICES["section"]]
        self.fields["status"].choices = CHOICES["status"]
        self.fields["status"].required = True
        self.fields["owner"].help_text = f"{self.fields['owner'].help_text} Up to {SHORT_TEXT_MAX} characters."
        self.fields["answer"].help_text = f"{self.fields['answer'].help_text} Up to {LONG_TEXT_MAX} characters."
        # An open question needs who finds out and by when: marked required (asterisk, required attribute) while
        # the question is, or is being saved as, open; an answered or dropped one may leave them empty.
        for name, message in OPEN_QUESTION_NEEDS.items():
            self.fields[name].required = self._status() == "open"
            self.fields[name].error_messages["required"] = message
        self.helper = FormHelper()
        self.helper.form_tag = False

    def _status(self) -> str:
        if self.is_bound:
            return self.data.get(self.add_prefix("status")) or ""
        return self.initial.get("status") or (self.instance.status if self.instance.pk else "open")

    def clean(self) -> dict:
        cleaned = super().clean()
        status = cleaned.get("status")
        if status == "open":
            if "owner" in cleaned and not cleaned["owner"].strip():
                self.add_error("owner", OPEN_QUESTION_NEEDS["owner"])
            if "due" in cleaned and cleaned["due"] is None:
                self.add_error("due", OPEN_QUESTION_NEEDS["due"])
        if status == "answered" and "answer" in cleaned and not cleaned["answer"].strip():
            self.add_error("answer", "Write the answer to mark the question answered.")
        return cleaned


class ResolveForm(forms.Form):
    status = forms.ChoiceField(
        choices=[choice for choice in CHOICES["status"] if choice[0] != "open"],
        widget=forms.RadioSelect,
        label="Outcome",
        initial="answered",
    )
    answer = forms.CharField(
        max_length=LONG_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"The answer and where it came from, or why the question was dropped. Up to {LONG_TEXT_MAX} "
        "characters.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("status") == "answered" and "answer" in cleaned and not cleaned["answer"].strip():
            self.add_error("answer", "Write the answer to mark the question answered.")
        return cleaned


PARK_PREFIX = "park"


class ParkQuestionForm(forms.ModelForm):
    """An open question parked from inside a step: the question, who finds out, and by when.

    On a frozen scope, staff confirm that adding it starts a new draft (a client's question never does).
    """

    class Meta:
        model = OpenQuestion
        fields = ("question", "owner", "due")
        widgets = {
            "question": forms.Textarea(attrs={"rows": 2}),
            "due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, consequence=None, **kwargs) -> None:
        kwargs.setdefault("prefix", PARK_PREFIX)
        super().__init__(*args, **kwargs)
        self.consequence = consequence
        self.fields["question"].required = True
        self.fields["question"].error_messages["required"] = "Write the question to park it."
        self.fields["owner"].required = True
        self.fields["owner"].error_messages["required"] = "Name who finds out the answer."
        self.fields["due"].required = True
        self.fields["due"].error_messages["required"] = "Give the date the answer is needed by."
        if consequence is not None:
            self.fields["confirm_reopen"] = forms.BooleanField(
                required=False, label=f"I understand: a parked question is an edit of the scope; {consequence.clause}."
            )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.consequence is not None and not cleaned.get("confirm_reopen"):
            self.add_error("confirm_reopen", f"Tick the box to confirm that {self.consequence.clause}.")
        return cleaned


# --- the scope file and the cost model -----------------------------------------------------------------------
