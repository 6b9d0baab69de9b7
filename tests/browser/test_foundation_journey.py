"""A consultant creates a client and project and invites a stakeholder, who joins and sees only that project."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.browser.conftest import login
from tests.factories import PASSWORD, ParticipantFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_consultant_invites_a_stakeholder_who_sees_only_that_project(new_page, settings, live_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = live_server.url
    UserFactory(username="casey", role="consultant", first_name="Casey", last_name="Consultant")
    other = ProjectFactory(name="Another client's secret project")
    ParticipantFactory(project=other)

    page = new_page()
    login(page, "casey", PASSWORD)
    page.get_by_role("link", name="Clients").click()
    page.get_by_role("link", name="New client").click()
    page.get_by_label("Name").fill("Kestrel Foods Ltd")
    page.get_by_label("Industry").fill("Food manufacturing")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Client “Kestrel Foods Ltd” created.").wait_for()

    page.get_by_role("link", name="New project").click()
    page.get_by_label("Name").fill("Supplier invoice coding")
    page.get_by_label("Currency").fill("GBP")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Project “Supplier invoice coding” created.").wait_for()
    project_url = page.url

    page.get_by_role("link", name="Team").click()
    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("Raman")
    page.get_by_label("Email").fill("priya@kestrel.test")
    page.get_by_label("Signs off the scope for the client").check()
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to priya@kestrel.test").wait_for()

    link = re.search(r"http://\S+/accounts/invite/\S+/", mail.outbox[-1].body).group(0)
    stakeholder = new_page()
    stakeholder.goto(link)
    stakeholder.get_by_label("Choose a password").fill("kestrel-finance-2027!")
    stakeholder.get_by_label("Repeat the password").fill("kestrel-finance-2027!")
    stakeholder.get_by_role("button", name="Set password and continue").click()
    stakeholder.get_by_text("Welcome, Priya Raman").wait_for()
    assert stakeholder.url == project_url

    # Log out, then log in again with the password chosen on the invitation page.
    stakeholder.get_by_role("button", name="Log out").click()
    stakeholder.wait_for_url("**/accounts/login/")
    login(stakeholder, "priya@kestrel.test", "kestrel-finance-2027!")

    stakeholder.goto("/projects/")
    rows = stakeholder.locator("tbody tr")
    assert rows.count() == 1
    assert "Supplier invoice coding" in rows.first.inner_text()
    assert "secret" not in stakeholder.content()

    response = stakeholder.goto(f"/projects/{other.pk}/")
    assert response.status == 404

    # The used link does not work a second time.
    third = new_page()
    assert third.goto(link).status == 404
