from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.loader import render_to_string

from accounts.services import email_queue


class AcceptInviteForm(forms.Form):
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Repeat the password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ. Type the same password twice.")
        if p1:
            try:
                password_validation.validate_password(p1, self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class LoginForm(AuthenticationForm):
    """Django's login form, saying that an e-mail address works as well as a username."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Username or e-mail"
        self.error_messages["invalid_login"] = (
            "That username or e-mail and password do not match. Passwords are case-sensitive."
        )


class ProfileForm(forms.Form):
    """A person's own name and e-mail. Signing asks for the typed name to match the display name: it must be right."""

    first_name = forms.CharField(max_length=150, help_text="Your display name is first and last name together.")
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(label="E-mail address", help_text="Invitations and notifications go here.")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if get_user_model().objects.filter(email__iexact=email).exclude(pk=getattr(self.user, "pk", None)).exists():
            raise forms.ValidationError("Another account already uses this e-mail address.")
        return email

    @property
    def display_name(self) -> str:
        first, last = self.cleaned_data.get("first_name", ""), self.cleaned_data.get("last_name", "")
        return f"{first} {last}".strip()


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password reset, with the e-mail sent by a Celery job instead of inside the request."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        email_queue(to=to_email, subject=subject, body=body, kind="password_reset")
