"""Forms for clients, projects, members, invitations, open questions, the scope file and the model picker.

The guided scope forms live in step_forms.py.
"""

from __future__ import annotations

import re
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.models import STAFF_ROLES, Role

from .models import Client, DiscoveryProject, ModelPrice, Stage
from .models.sections import OpenQuestion
from .money import CURRENCY_EXAMPLES, is_currency_code
from .scope_file import UPLOAD_MAX_BYTES, parse_scope_bytes, too_big_message
from .scope_schema import CHOICES, LONG_TEXT_MAX, SHORT_TEXT_MAX, ScopeValidationError
from .step_forms import AmountField

User = get_user_model()

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = ("name", "industry", "contacts")
        widgets = {"contacts": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "name": "The organisation's name as the client uses it, e.g. Kestrel Foods Ltd.",
            "industry": "e.g. Food manufacturing, Insurance, Public sector.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ProjectForm(forms.ModelForm):
    # Wider than the column so a wrong value gets the clear ISO 4217 message below, not a length error.
    currency = forms.CharField(
        max_length=20, initial="EUR", help_text="ISO 4217 code used for every amount in this scope, e.g. EUR, GBP, USD."
    )

    class Meta:
        model = DiscoveryProject
        fields = ("client", "name", "lead_consultant", "currency", "target_decision_date")
        widgets = {"target_decision_date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "name": "Name the workflow being scoped, e.g. Supplier invoice coding.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.filter(archived_at__isnull=True)
        self.fields["lead_consultant"].queryset = User.objects.filter(
            role__in=(Role.CONSULTANT, Role.ADMIN), is_active=True
        )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_currency(self) -> str:
        value = (self.cleaned_data.get("currency") or "").strip().upper()
        if not CURRENCY_RE.match(value) or not is_currency_code(value):
            raise forms.ValidationError(f"Enter a three-letter ISO 4217 currency code, e.g. {CURRENCY_EXAMPLES}.")
        return value


class MemberAddForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Consultancy staff member", help_text="They will see and edit this scope."
    )

    def __init__(self, *args, project: DiscoveryProject, **kwargs):
        super().__init__(*args, **kwargs)
        existing = project.memberships.values("user_id")
        self.fields["user"].queryset = (
            User.objects.filter(role__in=STAFF_ROLES, is_active=True)
            .exclude(pk__in=existing)
            .exclude(pk=project.lead_consultant_id)
        )
        self.helper = FormHelper()
        self.helper.form_tag = False


class InviteForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(help_text="The invitation link is sent here. It works once and expires.")
    role_title = forms.CharField(max_length=200, required=False, label="Role", help_text="e.g. Finance Director")
    can_edit = forms.BooleanField(required=False, label="May edit the scope during discovery sessions")
    is_signatory = forms.BooleanField(required=False, label="Signs off the scope for the client")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ProjectFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    stage = forms.ChoiceField(
        required=False,
        choices=[("", "All stages"), *Stage.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    client = forms.ModelChoiceField(
        required=False,
        queryset=Client.objects.all(),
        empty_label="All clients",
        widget=forms.Select(attrs={"class": "form-select"}),
    )


# --- open questions ---------------------------------------------------------------------------------------------

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


class ScopeImportForm(forms.Form):
    file = forms.FileField(
        label="Scope JSON file",
        help_text=f"A file in the Firstslice scope format (firstslice.scope/1), at most "
        f"{UPLOAD_MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    client = forms.CharField(
        label="Client (optional)",
        max_length=SHORT_TEXT_MAX,
        required=False,
        help_text="Leave empty to use the client named in the file. A client of that name is reused if it exists, "
        "otherwise it is created.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    too_large = False
    upload_error = ""  # set by the view when the body was refused unread

    def clean_file(self) -> object:
        """Read and parse the upload; the parsed JSON replaces the file in ``cleaned_data``."""
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            self.too_large = True
            raise ValidationError(f"The file {too_big_message(upload.size)}")
        try:
            return parse_scope_bytes(upload.read(), max_bytes=UPLOAD_MAX_BYTES)
        except ScopeValidationError as problem:
            raise ValidationError([f"The file {message}" for _path, message in problem.errors]) from None


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
