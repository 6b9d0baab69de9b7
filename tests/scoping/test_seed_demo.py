from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from scoping.models import Client, ClientParticipant, DiscoveryProject


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
