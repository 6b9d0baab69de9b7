"""The engagement step in a browser: fill it, watch the fees follow the typing, save, request the proposal, download.

A real worker renders the PDF; its text must carry what was typed (the price, every milestone, the total).
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from documents.models import ScopeDocument
from proposals.models import Engagement
from scoping.projects.scope_io import import_scope
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.review_support import example_scope

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RENDER_TIMEOUT_SECONDS = 90
FEE = "#engagement-figures [data-figure='fee']"
TOTAL = "#engagement-figures [data-figure='total']"


def wait_for_text(page, selector: str, text: str) -> None:
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel) && document.querySelector(sel).textContent.trim() === text",
        arg=[selector, text],
    )


def test_fill_the_engagement_watch_the_fees_and_download_the_proposal(
    new_page, live_server, lead, job_worker, job_settings
):
    project = import_scope(data=example_scope(), client_name=None, user=lead)
    page = new_page()
    login(page, "lead", PASSWORD)
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="Engagement", exact=True).click()
    page.get_by_text("Sign-off cannot be requested yet").wait_for()

    page.get_by_label("Pricing").select_option("fixed")
    page.get_by_label("Tax rate (%)").fill("20")
    page.get_by_label("Fixed price").fill("40,000")
    wait_for_text(page, FEE, "£40,000.00")
    wait_for_text(page, TOTAL, "£48,000.00")
    page.get_by_label("Fixed price").fill("48000")
    wait_for_text(page, TOTAL, "£57,600.00")  # the total follows the typing, nothing saved yet
    assert not Engagement.objects.filter(project=project, revision__gt=0).exists()

    page.get_by_label("Valid until").fill("2027-06-30")
    milestones = page.locator("#milestones-rows [data-formset-row]")
    milestones.nth(0).get_by_label("Milestone", exact=True).fill("First slice live")
    milestones.nth(0).get_by_label("Payment (%)").fill("60")
    page.locator("[data-formset-add='milestones']").click()
    milestones.nth(1).get_by_label("Milestone", exact=True).fill("Handover signed")
    milestones.nth(1).get_by_label("Payment (%)").fill("40")
    page.get_by_text("The proposal check passes").wait_for()

    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Engagement saved.").wait_for()
    saved = Engagement.objects.get(project=project)
    assert [m.name for m in saved.milestones.all()] == ["First slice live", "Handover signed"]

    page.get_by_role("link", name="Documents", exact=True).click()
    page.get_by_label("Proposal: the version you send to the client to agree").check()
    page.get_by_label("Scope version").select_option("current")
    page.get_by_role("button", name="Request PDF").click()
    row = page.locator("tbody tr").first
    deadline = time.monotonic() + RENDER_TIMEOUT_SECONDS
    while time.monotonic() < deadline and row.get_attribute("data-status") not in ("ready", "failed"):
        page.wait_for_timeout(200)
    assert row.get_attribute("data-status") == "ready", ScopeDocument.objects.get().error_message

    with page.expect_download() as download_info:
        row.get_by_role("link", name="Download").click()
    pdf = Path(download_info.value.path()).read_bytes()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in ("First slice live", "Handover signed", "57,600.00"):
        assert expected in text, expected
