"""Forms of the review and sign-off workflow.

The rules themselves live in the services beside them: submission, decisions and signatures.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone

from scoping.models import SigningOrder
from scoping.projects.selectors import OpenQuestionCount
from scoping.review.signatures import day_text, signoff_expiry_latest, signoff_expiry_problem
from scoping.review.stages import REASON_MIN_LENGTH, TEXT_MAX, TYPED_NAME_MAX
from scoping.scope.readiness import SECTION_LABELS, SECTIONS

DECISION_CHOICES = (
    ("approve", "Approve this version"),
    ("request_changes", "Request changes (the scope goes back to draft)"),
)


class SubmitForm(forms.Form):
    note = forms.CharField(
        label="Note for the reviewer",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. What changed, or what to look at first. Example: “Cost model updated with the "
        "October prices.”",
    )


class RiskAcceptForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=200)
    reason = forms.CharField(
        label="Why is it acceptable to go ahead with this gap?",
        min_length=REASON_MIN_LENGTH,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say what limits the risk and when it will be closed. It is printed in the scope PDF with your "
        "name. Example: “Vendor master is refreshed by hand weekly until the ERP API access is granted in January.”",
        error_messages={
            "required": "Write the reason for accepting this risk.",
            "min_length": f"Write a real reason (at least {REASON_MIN_LENGTH} characters).",
        },
    )


def _questions(count: int) -> str:
    return f"{count} open question{'' if count == 1 else 's'}"


class OpenQuestionsConfirmation(forms.Form):
    """Adds "I know these questions are open" when the version leaves any open; ``action`` words the box."""

    action = ""
    refusal = ""

    def __init__(self, *args, open_questions: OpenQuestionCount | None = None, version_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.open_questions = open_questions or OpenQuestionCount(total=0, overdue=0)
        self.version_label = version_label
        if self.open_questions.total:
            self.fields["confirm_open_questions"] = forms.BooleanField(
                label=f"{self.action} with {_questions(self.open_questions.total)} still open",
                required=False,
            )

    def open_questions_unconfirmed(self) -> bool:
        return bool(self.open_questions.total) and not self.cleaned_data.get("confirm_open_questions")

    def refuse_unconfirmed_questions(self) -> None:
        self.add_error(
            "confirm_open_questions",
            f"{self.version_label} still has {_questions(self.open_questions.total)}. "
            + self.refusal.format(them="it" if self.open_questions.total == 1 else "them"),
        )


class SignoffRequestForm(OpenQuestionsConfirmation):
    action = "Send for sign-off"
    refusal = "Tick the box to send it for sign-off with {them} open, or answer {them} first."

    expires_on = forms.DateField(
        label="Signatories can sign until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Give the last day for signing as a date, for example 2027-01-03."},
    )

    order = forms.ChoiceField(
        label="Who signs when",
        required=False,  # a form sent without it (an older page) asks everyone at once, as before
        choices=SigningOrder.choices,
        initial=SigningOrder.PARALLEL,
        widget=forms.RadioSelect,
        help_text="In sequence, the second group is e-mailed once everyone in the first has signed, and cannot sign "
        "before.",
        error_messages={"invalid_choice": "Choose who signs first."},
    )

    def __init__(self, *args, project=None, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.now = now or timezone.now()
        latest = timezone.localtime(signoff_expiry_latest(project=project, now=self.now)).date()
        field = self.fields["expires_on"]
        field.initial = latest
        field.widget.attrs.update(min=timezone.localdate(self.now).isoformat(), max=latest.isoformat())
        field.help_text = (
            "Signing stays open until the end of that day (UTC); on the latest possible day, the default "
            f"{day_text(latest)}, until the time you send it. After that, signing is refused and the scope returns "
            "to approved, so you can send it again."
        )

    def clean_order(self) -> str:
        return self.cleaned_data.get("order") or SigningOrder.PARALLEL

    def clean_expires_on(self):
        chosen = self.cleaned_data.get("expires_on")
        if problem := signoff_expiry_problem(chosen, project=self.project, now=self.now):
            raise forms.ValidationError(problem)
        return chosen

    def clean(self):
        cleaned = super().clean()
        if self.open_questions_unconfirmed():
            self.refuse_unconfirmed_questions()
        return cleaned


class RemindForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, e-mail a reminder now to everyone who has not signed",
        error_messages={"required": "Tick the box to send the reminder."},
    )


class ReviewForm(OpenQuestionsConfirmation):
    action = "Approve"
    refusal = "Tick the box to approve with {them} open, or request changes."

    version_id = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label="Decision",
        choices=DECISION_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision: approve, or request changes."},
    )
    summary = forms.CharField(
        label="Summary for the team",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for section in SECTIONS:
            self.fields[f"comment_{section}"] = forms.CharField(
                label=f"Comment on {SECTION_LABELS[section]}",
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "approve" and self.open_questions_unconfirmed():
            self.refuse_unconfirmed_questions()
        return cleaned

    def comment_fields(self):
        return [(section, SECTION_LABELS[section], self[f"comment_{section}"]) for section in SECTIONS]

    def comments(self) -> dict[str, str]:
        return {section: self.cleaned_data.get(f"comment_{section}") or "" for section in SECTIONS}


class SignForm(forms.Form):
    version_id = forms.IntegerField(widget=forms.HiddenInput)
    # Filled by static/js/app.js from the browser; anything but a known IANA zone is ignored, never an error.
    time_zone = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput(attrs={"data-time-zone": ""}))
    typed_name = forms.CharField(
        label="Type your full name",
        max_length=TYPED_NAME_MAX,
        error_messages={"required": "Type your full name to sign."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    consent = forms.BooleanField(
        label="I agree",
        error_messages={"required": "Tick the consent statement to sign."},
    )

    code = forms.CharField(
        label="The 6-digit code from the e-mail",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="Send yourself a code with the button above; it works for 10 minutes.",
    )

    def __init__(self, *args, consent_text: str = "", needs_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if consent_text:
            self.fields["consent"].label = consent_text
        if needs_code:
            self.fields["code"].required = True
            self.fields["code"].error_messages["required"] = "Type the 6-digit code e-mailed to you."
        else:
            del self.fields["code"]


class DeclineForm(forms.Form):
    version_id = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why do you decline?",
        min_length=REASON_MIN_LENGTH,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Everyone on the project reads this. The scope goes back to draft.",
        error_messages={
            "required": "Say why you decline, so the team knows what to change.",
            "min_length": f"Say why you decline (at least {REASON_MIN_LENGTH} characters).",
        },
    )
