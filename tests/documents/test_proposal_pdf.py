"""The client's proposal PDF (kinds proposal and signed): brand, executive summary, plan, fees, clauses, signatures.

Rendered through the real job function (``document_render``): the profile, its logo and the clause library are read
from the database, the PDF is laid out by WeasyPrint with the static-only fetcher, and the text is read back with
pypdf. The draft kind keeps the internal scope document (tests/documents/test_render.py covers it in full).
"""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from consultancy.models import ConsultancyProfile
from documents.models import DocumentStatus
from documents.render_job import document_render
from documents.services import document_create
from documents.versioning import version_freeze
from scoping.scope.costs import compute_costs, format_money
from scoping.scope.readiness import CODES, SECTION_LABELS
from scoping.scope.sensitivity import sensitivity
from tests.consultancy.samples import png_bytes
from tests.documents.job_fixtures import import_project, pdf_text, scope_data, stored_pdf
from tests.factories import ClientUserFactory, ParticipantFactory
from tests.review_support import ENGAGEMENT, with_engagement

pytestmark = pytest.mark.django_db

CHOSEN_CLAUSES = ["intellectual-property", "data-processing"]
SHA256_TEXT = re.compile(r"\b[0-9a-f]{64}\b")


@pytest.fixture
def acme(settings, tmp_path) -> ConsultancyProfile:
    settings.MEDIA_ROOT = str(tmp_path)
    profile = ConsultancyProfile.current()
    profile.name = "Acme Advisory"
    profile.legal_name = "Acme Advisory Ltd"
    profile.brand_colour = "#6b2f8a"
    profile.logo.save("logo.png", ContentFile(png_bytes(120, 40)), save=False)
    profile.save()
    return profile


@pytest.fixture
def kestrel_proposal(acme, lead):
    """The demo scope and engagement with two clauses chosen, frozen after the clause library was installed."""
    call_command("load_default_clauses")
    data = with_engagement(scope_data())
    data["engagement"]["clauses"] = CHOSEN_CLAUSES
    project = import_project(lead, data=data)
    priya = ClientUserFactory(client=project.client, first_name="Priya", last_name="Raman")
    ParticipantFactory(project=project, user=priya, role_title="CFO")
    return version_freeze(project=project, actor=lead)


def render(version, kind: str, lead) -> bytes:
    document = document_render(document_id=document_create(version=version, kind=kind, requested_by=lead).pk)
    assert document.status == DocumentStatus.READY, document.error_message
    return stored_pdf(document)


@pytest.fixture
def proposal(kestrel_proposal, lead) -> bytes:
    return render(kestrel_proposal, "proposal", lead)


def pages(pdf: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_cover_says_prepared_for_the_client_by_the_consultancy_with_date_validity_and_price(proposal):
    cover = pages(proposal)[0]
    assert "Prepared for Kestrel Foods Ltd by Acme Advisory" in cover
    assert "Valid until 30 June 2027" in cover
    assert "Fixed price: £57,600.00 including tax" in cover
    assert "15 March 2027 to 11 June 2027" in cover
    assert "Firstslice" not in " ".join(pages(proposal))  # the consultancy's document, not the tool's


def test_the_logo_is_an_image_on_the_cover_fetched_through_the_safe_fetcher(proposal):
    reader = PdfReader(io.BytesIO(proposal))
    (logo,) = reader.pages[0].images
    assert logo.image.size == (120, 40)
    assert logo.image.convert("RGB").getpixel((60, 20)) == (0x14, 0x30, 0x4D)  # the logo's own pixels


def test_the_executive_summary_states_problem_target_slice_run_cost_envelope_price_timeline_and_decision(
    kestrel_proposal, proposal
):
    summary = pages(proposal)[1]
    scope = kestrel_proposal.scope
    launch = compute_costs(scope["cost_model"]).tiers["launch"]
    rows = sensitivity(scope["cost_model"])
    low = format_money(rows[0].cost_per_use, "GBP", per_use=True)
    high = format_money(max(row.cost_per_use for row in rows), "GBP", per_use=True)
    worst_monthly = format_money(max(row.monthly_cost for row in rows), "GBP")

    assert summary.startswith("Executive summary The problem")
    assert summary.endswith("Page 2 of 15 Acme Advisory · Proposal for Kestrel Foods Ltd")
    assert "Accounts payable codes 9,000 supplier invoices a month by hand" in summary
    assert "Code incoming supplier invoices to GL account and cost centre before approval" in summary
    assert "Invoices from the top 40 suppliers, end to end into the ERP approval queue" in summary
    assert format_money(launch.cost_per_use, "GBP", per_use=True) == low == "£0.84"
    assert f"each use costs {low}, about {format_money(launch.monthly_cost, 'GBP')} a month" in summary
    # The demo's cost is mostly review time and hosting: doubling the model's figures moves it by a fraction of a
    # penny, so both ends of the envelope print alike and the summary says the cost holds.
    assert high == low
    assert f"it stays at {low} per use, at most {worst_monthly} a month" in summary
    assert "£57,600.00" in summary and "Fixed price: £48,000.00 plus £9,600.00 tax, paid in 3 milestones" in summary
    assert "13 weeks" in summary and "15 March 2027 to 11 June 2027, in 3 phases" in summary
    assert "Sign to accept the scope and the engagement by 30 June 2027." in summary
    assert "The client pays the model and infrastructure bills after launch." in summary


def test_an_envelope_that_moves_reads_between_the_two_figures(acme, lead):
    call_command("load_default_clauses")
    data = with_engagement(scope_data())
    step = data["cost_model"]["steps"][0]
    step["input_tokens"], step["output_tokens"], step["input_price"], step["output_price"] = 200_000, 40_000, "3", "15"
    version = version_freeze(project=import_project(lead, data=data), actor=lead)
    rows = sensitivity(version.scope["cost_model"])
    low = format_money(rows[0].cost_per_use, "GBP", per_use=True)
    high = format_money(max(row.cost_per_use for row in rows), "GBP", per_use=True)
    assert low != high

    summary = pages(render(version, "proposal", lead))[1]
    assert f"The cost envelope this scope is signed with is between {low} and {high} per use." in summary


def test_every_milestone_deliverable_and_phase_is_in_the_plan_and_the_chart(proposal):
    text = pdf_text(proposal)
    engagement = json.loads(ENGAGEMENT.read_text())
    for milestone in engagement["milestones"]:
        assert milestone["name"] in text
        assert milestone["acceptance"][:40] in text
    for deliverable in engagement["deliverables"]:
        assert deliverable["name"][:30] in text
    for phase in engagement["phases"]:
        assert phase["name"] in text
    assert "Data path accepted Discovery and data path 2 Apr 2027 A week of real invoices" in text
    assert "20% · £9,600.00" in text and "50% · £24,000.00" in text and "30% · £14,400.00" in text


def test_the_fees_table_shows_price_tax_total_and_the_payment_schedule(proposal):
    fees = next(page for page in pages(proposal) if "Fees and payment" in page and "Payment schedule" in page)
    assert "Fixed price £48,000.00 Tax at 20% £9,600.00 Total £57,600.00" in fees
    assert "Data path accepted 2 April 2027 20% £9,600.00" in fees
    assert "First slice live 14 May 2027 50% £24,000.00" in fees
    assert "Handover signed 11 June 2027 30% £14,400.00" in fees
    assert "Lead consultant Casey Consultant 15" in fees  # a fixed price shows the team's days, not its rates
    assert "£1,200.00" not in fees


def test_the_chosen_clauses_print_with_their_titles_and_text_and_the_others_do_not(proposal):
    text = pdf_text(proposal)
    assert "1 Intellectual property" in text
    assert "2 Data protection and processing" in text or "2 Data processing" in text
    assert "When the client has paid the fees for a deliverable in full" in text
    assert "Termination" not in text


def test_the_acceptance_page_names_who_signs_for_each_party(proposal):
    acceptance = pages(proposal)[-1]
    assert "Acceptance and signatures" in acceptance
    assert "By signing, Kestrel Foods Ltd accepts version 1 of the scope of Supplier invoice coding" in acceptance
    assert "For Kestrel Foods Ltd Name Priya Raman Role CFO Signature Date" in acceptance
    assert "For Acme Advisory Ltd Name Lena Lead Role Lead consultant Signature Date" in acceptance


def test_client_pages_carry_no_rule_codes_fingerprints_or_frozen_by(kestrel_proposal, proposal):
    text = pdf_text(proposal)
    for code in CODES:
        assert code not in text, code
    assert "cost_model." not in text
    assert not SHA256_TEXT.search(text.replace(" ", ""))
    assert kestrel_proposal.short_hash not in text.replace(" ", "")
    assert "Frozen by" not in text and "Version check code" not in text
    assert "Sign-off certificate" not in text
    for label in SECTION_LABELS.values():  # the eight sections are all there, for the client to read
        assert label in text


def test_the_proposal_metadata_keeps_the_version_keyword_for_the_verify_page(kestrel_proposal, proposal):
    info = PdfReader(io.BytesIO(proposal)).metadata
    assert info.title == "Kestrel Foods Ltd – Supplier invoice coding – proposal v1"
    assert info.author.startswith("Acme Advisory")
    assert info["/Keywords"] == f"firstslice-version-sha256:{kestrel_proposal.sha256}"


def test_the_draft_kind_still_prints_the_internal_scope_document(kestrel_proposal, lead):
    draft = pages(render(kestrel_proposal, "draft", lead))
    assert "ACME ADVISORY · PRODUCTION SCOPE" in draft[0]  # the profile's name, in the draft's capitals
    assert "Version check code" in draft[0] and kestrel_proposal.short_hash in draft[0]
    assert "readiness gates clear of blockers" in draft[1]
    assert not any("Prepared for" in page or "Executive summary" in page for page in draft)


def test_the_engagement_page_shows_the_same_timeline_chart(client, kestrel_proposal, lead):
    client.force_login(lead)
    page = client.get(reverse("projects:engagement", args=[kestrel_proposal.project.pk])).content.decode()
    assert 'class="timeline-chart img-fluid"' in page
    assert 'data-phases="3" data-milestones="3"' in page
    assert 'data-name="First slice live" data-due="2027-05-14"' in page
