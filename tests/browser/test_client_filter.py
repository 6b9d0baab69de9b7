"""The typed client filter of the pipeline list past 50 clients, in a browser (with its accessibility audit)."""

from __future__ import annotations

import pytest

from scoping.models import Client
from tests.browser.conftest import login
from tests.factories import PASSWORD, ClientFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_types_a_client_s_name_and_pages_through_the_list(new_page):
    UserFactory(username="rita", role="reviewer")
    lead = UserFactory(username="lena", role="consultant")
    Client.objects.bulk_create([Client(name=f"Client {number:03d}") for number in range(80)])
    kestrel = ClientFactory(name="Kestrel Foods")
    ProjectFactory(lead_consultant=lead, client=kestrel, name="Invoice coding")
    for number in range(30):
        ProjectFactory(lead_consultant=lead, name=f"Other project {number:02d}")

    page = new_page()
    login(page, "rita", PASSWORD)
    page.goto("/projects/")
    page.get_by_text("31 projects; 1–25 shown.").wait_for()
    page.get_by_role("link", name="Next").click()
    page.wait_for_url("**/projects/?page=2")
    page.get_by_text("31 projects; 26–31 shown.").wait_for()

    box = page.get_by_label("Client", exact=True)
    assert box.get_attribute("list") == "client-suggestions"
    assert page.locator("#client-suggestions option").count() == 50
    box.fill("Kestrel Foods")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/projects/?*client_name=Kestrel*")
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    assert "Invoice coding" in rows.first.inner_text()
    assert page.get_by_label("Client", exact=True).input_value() == "Kestrel Foods"  # what was typed stays
