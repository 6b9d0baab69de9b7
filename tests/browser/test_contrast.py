"""The pages with outline-warning buttons and warning links, visited so the axe-core audit of every page covers them.

Before the CSS fix each of these failed with a serious colour-contrast violation (1.63:1 for the yellow outline
buttons, 4.06:1 for the blue link on the warning alert).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import login
from tests.factories import PASSWORD, UserFactory
from tests.projects.test_wording import one_blocker_scope
from tests.review_support import import_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_archive_accept_risk_and_the_submit_warning_link_are_readable(new_page):
    lead = UserFactory(username="lena", role="consultant", first_name="Lena", last_name="Lead")
    project = import_project(lead, scope=one_blocker_scope())

    page = new_page()
    login(page, "lena", PASSWORD)
    page.goto(f"/clients/{project.client.pk}/")
    page.get_by_role("link", name="Archive…").wait_for()
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="Archive…").wait_for()
    page.goto(f"/projects/{project.pk}/submit/")
    page.get_by_role("link", name="Accept a blocker as a risk, with a written reason").click()
    page.get_by_role("button", name="Accept this risk").wait_for()
    page.get_by_role("button", name="Accept this risk").hover()
