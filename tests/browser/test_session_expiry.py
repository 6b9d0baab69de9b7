"""A session that expires while the documents page polls a row: the browser goes to the login page, whole."""

from __future__ import annotations

import re

import pytest

from documents.services import document_create
from documents.versioning import version_freeze
from tests.browser.conftest import login
from tests.documents.job_fixtures import import_project
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_expired_session_during_the_status_poll_loads_the_login_page_with_next(new_page, lead):
    project = import_project(lead)
    version = version_freeze(project=project, actor=lead)
    document = document_create(version=version, kind="draft", requested_by=lead)  # stays queued: no worker
    page = new_page()
    login(page, "lead", PASSWORD)
    documents = f"/projects/{project.pk}/documents/"
    page.goto(documents)
    row = page.locator(f"#document-{document.pk}")
    assert row.get_attribute("hx-trigger") == "every 1s"

    page.context.clear_cookies()  # the session is gone, as after expiry or a log-out in another tab
    page.wait_for_url(re.compile(r"/accounts/login/\?next="), timeout=10_000)

    assert page.url.endswith(f"/accounts/login/?next={documents}")
    assert page.get_by_role("button", name="Log in").count() == 1
    assert page.locator("table").count() == 0  # a full login page, not one swapped into the table row
