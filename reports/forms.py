"""Forms of the versions and documents pages."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from reports.models import DocumentKind
from scoping.models import ScopeVersion

CURRENT_SCOPE = "current"
NOTHING = "0"

# "signed" is made only by the sign-off flow, never on request.
REQUESTABLE_KINDS = (
    (DocumentKind.DRAFT.value, "Draft: for discussion inside the team or with the client"),
    (DocumentKind.PROPOSAL.value, "Proposal: the version you send to the client to agree"),
)


def _version_label(version: ScopeVersion) -> str:
    return f"v{version.number} · saved {version.frozen_at:%d %b %Y %H:%M} UTC · check code {version.short_hash}"


class DocumentRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of document", choices=REQUESTABLE_KINDS, initial=DocumentKind.DRAFT, widget=forms.RadioSelect
    )
    version = forms.ChoiceField(
        label="Scope version", help_text="A PDF always shows a saved version, never the scope as it is being edited."
    )

    def __init__(self, *args, versions: Sequence[ScopeVersion], allow_current: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.versions = {str(version.number): version for version in versions}
        choices = []
        if allow_current:
            choices.append((CURRENT_SCOPE, "Current scope (saved as a new version if changed)"))
        choices += [(number, _version_label(version)) for number, version in self.versions.items()]
        self.fields["version"].choices = choices
        if choices:
            self.fields["version"].initial = choices[0][0]

    def selected_version(self) -> ScopeVersion | None:
        """The chosen frozen version, or None for "the current scope"."""
        return self.versions.get(self.cleaned_data["version"])


class VersionFreezeForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this version is being frozen, e.g. “After the 12 March discovery session”.",
    )


class VersionCompareForm(forms.Form):
    from_version = forms.ChoiceField(label="From")
    to_version = forms.ChoiceField(label="To")

    def __init__(self, *args, versions: Sequence[ScopeVersion], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.versions = {str(version.number): version for version in versions}
        numbers = [(number, f"v{number} ({version.frozen_at:%d %b %Y})") for number, version in self.versions.items()]
        self.fields["from_version"].choices = [(NOTHING, "Nothing (an empty scope)"), *numbers]
        self.fields["to_version"].choices = numbers

    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("from_version"), cleaned.get("to_version")
        if old and new and old != NOTHING and old == new:
            raise forms.ValidationError("Choose two different versions to compare.")
        return cleaned

    def selected(self) -> tuple[ScopeVersion | None, ScopeVersion]:
        return self.versions.get(self.cleaned_data["from_version"]), self.versions[self.cleaned_data["to_version"]]
