"""Forms of the session record: planning a session, and what is logged while it runs."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from scoping.models.sessions import TEXT_MAX
from scoping.scope.catalogue import SECTION_KEYS, SECTION_LABELS
from scoping.scope.schema import LONG_TEXT_MAX, SHORT_TEXT_MAX
from scoping.sessions.services import MAX_ITEM_MINUTES, Guest

# "Dana Guest <dana@example.com>", "Dana Guest, dana@example.com" or just "Dana Guest".
_GUEST_LINE = re.compile(r"^(?P<name>[^<,;]+?)\s*(?:[<,;]\s*(?P<email>[^<>,;\s]+)\s*>?)?\s*$")
MAX_GUESTS = 30


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


def parse_guests(text: str) -> list[Guest]:
    """One guest a line: a name, optionally followed by an e-mail address (after a comma or in <...>)."""
    guests = []
    problems = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = _GUEST_LINE.match(line)
        if match is None:
            problems.append(f"line {number} (“{line[:60]}”): write a name, then optionally a comma and an e-mail")
            continue
        name, email = match["name"].strip(), (match["email"] or "").strip()
        if len(name) > 200:
            problems.append(f"line {number}: keep the name under 200 characters")
            continue
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(f"line {number}: “{email[:80]}” is not an e-mail address")
                continue
        guests.append(Guest(name=name, email=email))
    if problems:
        raise ValidationError("Check the guests: " + "; ".join(problems) + ".")
    if len(guests) > MAX_GUESTS:
        raise ValidationError(f"Invite at most {MAX_GUESTS} guests by name.")
    return guests


class SessionPlanForm(forms.Form):
    """Title, who comes, and the agenda: minutes for each step to cover (blank: not on the agenda)."""

    title = forms.CharField(max_length=200, help_text="What the session is for. Example: “Data path and ownership”.")
    staff = PeopleField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Consultancy",
        help_text="You facilitate and attend; tick the colleagues who join.",
    )
    participants = PeopleField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Client participants"
    )
    guests = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Guests without an account",
        help_text="One a line: a name, then optionally a comma and an e-mail address to send the minutes to. "
        "Example: “Dana Okafor, dana@example.com”.",
    )

    def __init__(self, *args, staff_users=(), client_users=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        users = get_user_model().objects
        self.fields["staff"].queryset = users.filter(pk__in=[user.pk for user in staff_users])
        self.fields["participants"].queryset = users.filter(pk__in=[user.pk for user in client_users])
        for key in SECTION_KEYS:
            self.fields[f"minutes_{key}"] = forms.IntegerField(
                required=False,
                min_value=1,
                max_value=MAX_ITEM_MINUTES,
                label=SECTION_LABELS[key],
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "form-control agenda-minutes"}),
            )

    @property
    def agenda_fields(self):
        return [self[f"minutes_{key}"] for key in SECTION_KEYS]

    def clean_guests(self) -> list[Guest]:
        return parse_guests(self.cleaned_data.get("guests", ""))

    def clean(self) -> dict:
        cleaned = super().clean()
        agenda = [(key, cleaned[f"minutes_{key}"]) for key in SECTION_KEYS if cleaned.get(f"minutes_{key}")]
        if not agenda and not any(f"minutes_{key}" in self.errors for key in SECTION_KEYS):
            raise ValidationError("Put at least one step on the agenda: give it a number of minutes.")
        cleaned["agenda"] = agenda
        return cleaned


class NoteForm(forms.Form):
    text = forms.CharField(max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(NoteForm):
    prefix = "decision"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = "Decision"
        self.fields["text"].help_text = "What was agreed, in one or two sentences."


class ParkForm(NoteForm):
    prefix = "park"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = "Park it"
        self.fields["text"].help_text = "A topic to come back to later, so the session can move on."


class ActionForm(forms.Form):
    """An action: an open question with who finds out and by when (tied to the current step)."""

    prefix = "action"
    question = forms.CharField(
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Action",
        help_text="What to find out.",
    )
    owner = forms.CharField(max_length=SHORT_TEXT_MAX, label="Owner", help_text="The named person who does it.")
    due = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="Due")
