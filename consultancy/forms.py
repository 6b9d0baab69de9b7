"""Admin forms: the profile (the logo is checked and renamed by its real type) and a clause with its current text."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile

from consultancy import logos
from consultancy.models import Clause, ConsultancyProfile
from consultancy.validators import check_uploaded_logo, logo_max_bytes


class ConsultancyProfileForm(forms.ModelForm):
    website = forms.URLField(
        required=False,
        assume_scheme="https",  # a site typed without a scheme means https
        help_text="Printed on the cover, e.g. https://acme-advisory.example",
    )

    class Meta:
        model = ConsultancyProfile
        fields = ("name", "legal_name", "address", "website", "email", "brand_colour", "logo", "default_terms")
        widgets = {
            "brand_colour": forms.TextInput(attrs={"type": "color"}),
            "address": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["logo"].help_text = (
            f"PNG or SVG, at most {logos.size_in_words(logo_max_bytes())} and {logos.MAX_DIMENSION} × "
            f"{logos.MAX_DIMENSION} pixels. SVGs with scripts, entities or outside references are refused."
        )

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):
            checked = check_uploaded_logo(logo)
            logo.name = f"logo{checked.extension}"  # stored under the type its content has, not the name it came with
        return logo


class ClauseForm(forms.ModelForm):
    text = forms.CharField(
        label="Current text",
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=(
            "Saving a changed text records it as a new version. Earlier versions are kept, and a proposal frozen "
            "with one of them still prints it."
        ),
    )

    class Meta:
        model = Clause
        fields = ("key", "title", "category", "position", "is_active")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            current = self.instance.versions.order_by("-number").first()
            if current is not None:
                self.fields["text"].initial = current.text
