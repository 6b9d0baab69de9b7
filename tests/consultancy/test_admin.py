"""The admin: one profile (no add once it exists, no delete), a hostile logo refused on the field with its
sentence, and a clause's changed text saved as a new version beside the read-only earlier ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consultancy.models import Clause, ConsultancyProfile
from consultancy.services import clause_create

from .samples import HOSTILE_SVGS, clean_svg, jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db

PROFILE_URL = reverse("admin:consultancy_consultancyprofile_change", args=[1])


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def profile_form(**changes) -> dict:
    form = {
        "name": "Acme Advisory",
        "legal_name": "Acme Advisory Ltd",
        "address": "1 High Street\nLeeds LS1 1AA",
        "website": "https://acme-advisory.example",
        "email": "hello@acme-advisory.example",
        "brand_colour": "#14304d",
        "default_terms": "Payment within 30 days of invoice.",
        "_save": "Save",
    }
    return {**form, **changes}


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    "variant", ["script", "onload", "xlink:href to http", "entity", "CSS url(http…) in a style sheet"]
)
def test_the_admin_refuses_a_hostile_svg_logo_with_the_sentence_on_the_field(admin_client, media, variant):
    ConsultancyProfile.current()
    content, sentence = HOSTILE_SVGS[variant]
    response = admin_client.post(PROFILE_URL, profile_form(logo=upload("logo.svg", content, "image/svg+xml")))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["logo"] == [sentence]
    assert sentence.replace("'", "&#x27;") in response.content.decode()
    assert not ConsultancyProfile.current().logo
    assert list(media.rglob("*")) == []  # nothing was stored


def test_the_admin_keeps_what_was_typed_when_the_logo_is_refused(admin_client, media):
    ConsultancyProfile.current()
    response = admin_client.post(PROFILE_URL, profile_form(logo=upload("logo.png", jpeg_bytes(), "image/png")))
    form = response.context["adminform"].form
    assert form.errors["logo"] == [
        "The file is a JPEG image, not a PNG or an SVG; save the logo as a PNG or an SVG and upload it again."
    ]
    assert form["legal_name"].value() == "Acme Advisory Ltd"
    assert ConsultancyProfile.current().name == "Firstslice demo consultancy"  # nothing was saved


def test_the_admin_refuses_a_logo_over_the_size_limit_with_its_size(admin_client, media, settings):
    settings.LOGO_MAX_BYTES = 2048
    ConsultancyProfile.current()
    response = admin_client.post(PROFILE_URL, profile_form(logo=upload("logo.png", b"\x89PNG" + b"\x00" * 10_000)))
    assert response.context["adminform"].form.errors["logo"] == [
        "The logo is 10 KB; the largest allowed is 2 KB. Export a smaller file and upload it again."
    ]


def test_the_admin_refuses_a_pale_brand_colour_naming_the_contrast(admin_client, media):
    ConsultancyProfile.current()
    response = admin_client.post(PROFILE_URL, profile_form(brand_colour="#88aaff"))
    (message,) = response.context["adminform"].form.errors["brand_colour"]
    assert message.startswith("White text on #88aaff has a contrast ratio of 2.")
    assert "WCAG AA needs at least 4.5:1" in message


@pytest.mark.parametrize(
    ("name", "content", "suffix"),
    [("Our Logo.PNG", png_bytes(), ".png"), ("logo.svg", clean_svg(), ".svg"), ("logo.png", clean_svg(), ".svg")],
    ids=["png", "svg", "svg named png"],
)
def test_the_admin_stores_a_clean_logo_under_its_real_type(admin_client, admin_user, media, name, content, suffix):
    ConsultancyProfile.current()
    response = admin_client.post(PROFILE_URL, profile_form(logo=upload(name, content)))

    assert response.status_code == 302
    profile = ConsultancyProfile.current()
    assert profile.logo.name.startswith("consultancy/logo-")
    assert profile.logo.name.endswith(suffix)
    assert (media / profile.logo.name).read_bytes() == content
    assert (profile.name, profile.updated_by) == ("Acme Advisory", admin_user)

    page = admin_client.get(PROFILE_URL).content.decode()
    assert 'alt="Acme Advisory logo"' in page
    assert f'src="data:image/{"png" if suffix == ".png" else "svg+xml"};base64,' in page


def test_the_profile_list_goes_to_the_one_profile_and_there_is_no_add_or_delete(admin_client, media):
    response = admin_client.get(reverse("admin:consultancy_consultancyprofile_changelist"))
    assert response.status_code == 302
    assert response["Location"] == PROFILE_URL
    assert ConsultancyProfile.objects.count() == 1
    assert admin_client.get(reverse("admin:consultancy_consultancyprofile_add")).status_code == 403
    assert admin_client.get(reverse("admin:consultancy_consultancyprofile_delete", args=[1])).status_code == 403
    assert ConsultancyProfile.objects.count() == 1


def test_a_consultant_with_admin_site_access_is_refused(client, lead, media):
    lead.is_staff = True
    lead.save()
    client.force_login(lead)
    assert client.get(reverse("admin:consultancy_consultancyprofile_changelist")).status_code == 403
    assert client.get(reverse("admin:consultancy_clause_changelist")).status_code == 403


def test_editing_a_clause_in_the_admin_records_a_new_version_and_shows_the_old_one(admin_client, admin_user):
    clause = clause_create(key="exit", title="Termination", category="termination", text="Thirty days' notice.")
    url = reverse("admin:consultancy_clause_change", args=[clause.pk])
    page = admin_client.get(url)
    assert page.context["adminform"].form["text"].value() == "Thirty days' notice."

    response = admin_client.post(
        url,
        {
            "title": "Termination",
            "category": "termination",
            "position": "50",
            "is_active": "on",
            "text": "Sixty days' notice.",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    assert list(clause.versions.values_list("number", "text", "created_by")) == [
        (2, "Sixty days' notice.", admin_user.pk),
        (1, "Thirty days' notice.", None),
    ]
    assert Clause.objects.get(pk=clause.pk).key == "exit"  # the key is read-only once the clause exists
    page = admin_client.get(url).content.decode()
    assert "Thirty days&#x27; notice." in page
    assert 'name="versions-0-text"' not in page  # the versions are shown, never editable


def test_adding_a_clause_in_the_admin_records_version_one(admin_client, admin_user):
    response = admin_client.post(
        reverse("admin:consultancy_clause_add"),
        {
            "key": "hypercare",
            "title": "Hypercare",
            "category": "warranty_hypercare",
            "position": "30",
            "is_active": "on",
            "text": "Thirty days of fixes after go-live.",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    clause = Clause.objects.get(key="hypercare")
    assert list(clause.versions.values_list("number", "text", "created_by")) == [
        (1, "Thirty days of fixes after go-live.", admin_user.pk)
    ]
    assert admin_client.get(reverse("admin:consultancy_clause_delete", args=[clause.pk])).status_code == 403
