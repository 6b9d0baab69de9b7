"""The consultancy profile: one row, made on first use with the configured name, validated like the admin form."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from consultancy.colours import DEFAULT_BRAND_COLOUR
from consultancy.models import ConsultancyProfile

from .samples import HOSTILE_SVGS

pytestmark = pytest.mark.django_db


def test_current_creates_the_one_profile_with_the_configured_name(settings):
    settings.CONSULTANCY_NAME = "Acme Advisory"
    profile = ConsultancyProfile.current()
    assert (profile.pk, profile.name, profile.brand_colour, bool(profile.logo)) == (
        1,
        "Acme Advisory",
        DEFAULT_BRAND_COLOUR,
        False,
    )
    assert ConsultancyProfile.current() == profile
    assert ConsultancyProfile.objects.count() == 1


def test_the_default_name_is_the_consultancy_the_pdfs_already_name(settings):
    assert ConsultancyProfile.current().name == settings.CONSULTANCY_NAME == "Firstslice demo consultancy"


def test_current_returns_the_edited_row_not_a_fresh_default(settings):
    profile = ConsultancyProfile.current()
    profile.name = "Northwind Analytics"
    profile.save()
    settings.CONSULTANCY_NAME = "Something else"
    assert ConsultancyProfile.current().name == "Northwind Analytics"


def test_the_database_refuses_a_second_profile_row():
    ConsultancyProfile.current()
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultancyProfile.objects.create(id=2, name="A second consultancy")


def test_full_clean_refuses_a_pale_brand_colour_and_a_hostile_logo_on_their_fields():
    profile = ConsultancyProfile.current()
    profile.brand_colour = "#ffcc00"
    content, sentence = HOSTILE_SVGS["script"]
    profile.logo = SimpleUploadedFile("logo.svg", content, content_type="image/svg+xml")
    with pytest.raises(ValidationError) as caught:
        profile.full_clean()
    errors = caught.value.message_dict
    assert errors["logo"] == [sentence]
    assert errors["brand_colour"][0].startswith("White text on #ffcc00 has a contrast ratio of 1.51:1;")


def test_full_clean_lower_cases_the_brand_colour():
    profile = ConsultancyProfile.current()
    profile.brand_colour = "#1F3A5F"
    profile.full_clean()
    assert profile.brand_colour == "#1f3a5f"
