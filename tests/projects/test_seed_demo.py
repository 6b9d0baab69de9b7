from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from scoping.models import Client, ClientParticipant, DiscoveryProject


@pytest.fixture(autouse=True)
def _debug_on(settings):
    """seed_demo runs only with DEBUG on (the demo); pytest-django turns DEBUG off, so turn it back on here."""
    settings.DEBUG = True


def counts():
    return (
        get_user_model().objects.count(),
        Client.objects.count(),
        DiscoveryProject.objects.count(),
        ClientParticipant.objects.count(),
    )


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_every_login():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first
    assert first[0] == 4 and first[1] == 1 and first[2] == 5
    printed = out.getvalue()
    for username in ("consultant", "reviewer", "admin", "priya"):
        assert username in printed
    assert "firstslice-demo" in printed
    priya = get_user_model().objects.get(username="priya")
    assert priya.check_password("firstslice-demo")
    assert DiscoveryProject.objects.visible_to(priya).count() == 4
    stages = dict(DiscoveryProject.objects.values_list("name", "stage"))
    assert stages["Supplier invoice coding"] == "awaiting_signoff"
    assert stages["Claims intake triage"] == "in_review"
    assert stages["Purchase order matching"] == "signed_off"
    assert stages["Customer e-mail triage"] == "draft"


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug_unless_forced(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG on.*--force"):
        call_command("seed_demo", stdout=io.StringIO())
    assert counts() == (0, 0, 0, 0)

    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert counts()[0] == 4


@pytest.mark.django_db
def test_seed_demo_never_resets_an_existing_password_and_says_so():
    from tests.factories import UserFactory

    UserFactory(username="admin", role="admin", password="the-real-admin-passphrase-9")
    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password("the-real-admin-passphrase-9") and not admin.check_password("firstslice-demo")
    printed = out.getvalue()
    admin_line = next(line for line in printed.splitlines() if line.strip().startswith("admin "))
    assert "unchanged: existing account" in admin_line and "firstslice-demo" not in admin_line
    assert "never resets one" in printed
    assert get_user_model().objects.get(username="consultant").check_password("firstslice-demo")  # new: demo password


@pytest.mark.django_db
def test_seed_demo_prints_the_site_url_with_the_logins(settings):
    settings.SITE_URL = "https://demo.firstslice.example"
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Log in at https://demo.firstslice.example/accounts/login/" in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_queues_no_e_mail():
    from accounts.models import OutboundEmail

    call_command("seed_demo", stdout=io.StringIO())
    assert not OutboundEmail.objects.exists()
