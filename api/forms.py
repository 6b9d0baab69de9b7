from __future__ import annotations

from django import forms

from api.models import TokenScope
from api.tokens import DEFAULT_LIFETIME_DAYS, MAX_LIFETIME_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="What it is for, so you can tell your tokens apart. Example: “CRM sync”.",
    )
    scope = forms.ChoiceField(
        label="Access",
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        help_text="Read only is enough to report on scopes; read and write can change them.",
    )
    lifetime_days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        max_value=MAX_LIFETIME_DAYS,
        initial=DEFAULT_LIFETIME_DAYS,
        help_text=f"1 to {MAX_LIFETIME_DAYS} days. A token that never expires is a leak waiting to happen.",
    )
