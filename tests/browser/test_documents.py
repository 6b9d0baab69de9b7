"""A consultant requests a PDF, watches it go from queued to ready (htmx polling, a real worker), downloads it."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from documents.models import ScopeDocument
from tests.browser.conftest import login
from tests.documents.job_fixtures import import_project
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RENDER_TIMEOUT_SECONDS = 60


def test_a_consultant_requests_a_pdf_watches_its_progress_and_downloads_it(
    new_page, live_server, lead, job_worker, job_settings
):
    project = import_project(lead)
    page = new_page()
    login(page, "lead", PASSWORD)
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="Documents", exact=True).click()
    page.get_by_text("No PDF has been requested yet").wait_for()

    page.get_by_label("Proposal: the version you send to the client to agree").check()
    page.get_by_label("Scope version").select_option("current")
    page.get_by_role("button", name="Request PDF").click()
    page.get_by_text("Proposal PDF of v1 requested").wait_for()

    row = page.locator("tbody tr").first
    seen: list[str] = []
    deadline = time.monotonic() + RENDER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        status = row.get_attribute("data-status")
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in ("ready", "failed"):
            break
        page.wait_for_timeout(100)
    assert seen[-1] == "ready", seen
    assert seen[0] in ("queued", "rendering"), seen  # the page showed the job in progress, then updated itself
    assert "Ready" in row.inner_text()
    document = ScopeDocument.objects.get(version__project=project)
    assert f"{document.page_count}" in row.inner_text()

    with page.expect_download() as download_info:
        row.get_by_role("link", name="Download").click()
    download = download_info.value
    assert download.suggested_filename == "kestrel-foods-ltd-supplier-invoice-coding-v1.pdf"
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == document.sha256

    page.get_by_role("link", name="Versions", exact=True).click()
    page.get_by_role("link", name="v1", exact=True).wait_for()
