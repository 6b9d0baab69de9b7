"""Forms of the versions and documents pages, and of the public verify page."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from documents.models import DocumentKind
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


# --- the verify page ----------------------------------------------------------------------------------------------

UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024
UPLOAD_LIMIT_LABEL = "10 MB"
TOO_LARGE = (
    f"That file is larger than {UPLOAD_LIMIT_LABEL}. Firstslice scope documents are much smaller: "
    "check that you chose the right file."
)
EMPTY_FILE = "The file is empty. Choose the PDF you want to check."


class VerifyForm(forms.Form):
    file = forms.FileField(
        label="Scope PDF",
        help_text=f"The PDF you received, as it is. Up to {UPLOAD_LIMIT_LABEL}; nothing is stored.",
        allow_empty_file=True,  # an empty file gets the clearer message below
        error_messages={"required": "Choose the PDF you want to check.", "invalid": "Choose a file to upload."},
    )

    def __init__(self, *args, too_large: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.fields["file"].widget.attrs["accept"] = "application/pdf,.pdf"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_LIMIT_BYTES:
            raise forms.ValidationError(TOO_LARGE)
        if upload.size == 0:
            raise forms.ValidationError(EMPTY_FILE)
        return upload

    def clean(self):
        if self.too_large:
            # The file was dropped while it streamed in, so the field looks missing; say what really happened.
            self.errors.pop("file", None)
            self.add_error("file", TOO_LARGE)
        return super().clean()
