"""The whole journey: submit, changes requested, approval, two signatures, the signed PDF, and the verify page."""

from __future__ import annotations

import pytest
from django.core import mail
from pypdf import PdfReader

from config.celery import app as celery_app
from scoping.models import DiscoveryProject, ProjectMember, SignOff, Stage
from tests.browser.conftest import login
from tests.factories import PASSWORD, ParticipantFactory, UserFactory
from tests.review_support import example_scope, import_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def renders_inline(settings, tmp_path):
    """PDF jobs run in the web process here: this test is about the pages, the job has its own worker tests."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = was_eager


def test_a_scope_is_reviewed_signed_by_client_and_lead_and_verified(
    new_page, live_server, settings, signing_certificate, renders_inline
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = live_server.url
    casey = UserFactory(username="casey", role="consultant", first_name="Casey", last_name="Consultant")
    UserFactory(username="rhea", role="reviewer", first_name="Rhea", last_name="Reviewer")
    scope = example_scope()
    scope["workflow"]["output_destination"] = ""  # the one gap the consultant closes in the browser
    project = import_project(casey, scope=scope)
    ParticipantFactory(
        project=project,
        user=UserFactory(username="priya", role="client", client=project.client, first_name="Priya", last_name="Raman"),
        role_title="Finance Director",
        is_signatory=True,
    )
    ProjectMember.objects.filter(project=project).delete()
    overview = f"/projects/{project.pk}/"

    # The consultant completes the scope and submits it.
    consultant = new_page()
    login(consultant, "casey", PASSWORD)
    consultant.goto(overview)
    consultant.get_by_text("Not ready to submit").wait_for()
    consultant.goto(f"/projects/{project.pk}/steps/workflow/")
    consultant.get_by_label("Where the output lands").fill("Coding fields of the invoice in the ERP")
    consultant.get_by_role("button", name="Save", exact=True).click()
    consultant.get_by_text("Workflow saved.").wait_for()
    consultant.goto(overview)
    consultant.get_by_role("link", name="Submit for review…").click()
    consultant.get_by_label("Note for the reviewer").fill("First complete scope.")
    consultant.get_by_role("button", name="Submit for review").click()
    consultant.get_by_text("v1 submitted for review.").wait_for()

    # The reviewer finds it in the queue and asks for a change.
    reviewer = new_page()
    login(reviewer, "rhea", PASSWORD)
    reviewer.goto("/projects/reviews/")
    reviewer.get_by_role("link", name="Review Supplier invoice coding").click()
    reviewer.get_by_text("v1 — in review since").wait_for()
    reviewer.get_by_label("Request changes (the scope goes back to draft)").check()
    reviewer.get_by_label("Comment on Workflow").fill("Say what the clerks do when the model is unsure.")
    reviewer.get_by_role("button", name="Record decision").click()
    reviewer.get_by_text("Changes requested on v1.").wait_for()
    reviewer.get_by_text("Nothing is waiting for review.").wait_for()

    # The consultant sees the comment on the step, fixes it and submits v2.
    consultant.goto(f"/projects/{project.pk}/steps/workflow/")
    consultant.get_by_text("Say what the clerks do when the model is unsure.").wait_for()
    consultant.get_by_label("Fallback").fill("Unsure invoices stay uncoded and go to the AP queue, as today.")
    consultant.get_by_role("button", name="Save", exact=True).click()
    consultant.get_by_text("Workflow saved.").wait_for()
    consultant.goto(f"/projects/{project.pk}/submit/")
    consultant.get_by_role("button", name="Submit for review").click()
    consultant.get_by_text("v2 submitted for review.").wait_for()

    # The reviewer sees what changed and approves v2.
    reviewer.goto(f"/projects/{project.pk}/review/")
    reviewer.get_by_text("What changed since v1").wait_for()
    reviewer.locator("table.diff-table").get_by_text(
        "Unsure invoices stay uncoded and go to the AP queue, as today."
    ).wait_for()
    reviewer.get_by_label("Approve this version").check()
    reviewer.get_by_text("v2 has 1 open question").wait_for()  # the webhook question is still open
    reviewer.get_by_label("Approve with 1 open question still open").check()
    reviewer.get_by_role("button", name="Record decision").click()
    reviewer.get_by_text("v2 approved.").wait_for()

    # The consultant asks for sign-off.
    consultant.goto(overview)
    consultant.get_by_role("link", name="Request sign-off…").click()
    consultant.get_by_text("v2 has 1 open question").wait_for()
    consultant.get_by_label("Send for sign-off with 1 open question still open").check()
    consultant.get_by_role("button", name="Request sign-off").click()
    consultant.get_by_text("Sign-off of v2 requested.").wait_for()

    # The client signatory reads v2 (the PDF, with the hash) and signs.
    client = new_page()
    login(client, "priya", PASSWORD)
    client.goto(overview)
    client.get_by_role("link", name="Read and sign v2").click()
    version_hash = client.get_by_test_id("version-hash").inner_text()
    assert len(version_hash) == 64
    with client.expect_download() as proposal:
        client.get_by_role("link", name="Download the proposal PDF of v2").click()
    assert proposal.value.suggested_filename.endswith("-v2.pdf")
    # She confirms it is her with the code e-mailed to her (read from the test mailbox).
    client.get_by_role("button", name="Send me a code").click()
    client.get_by_text("We e-mailed a 6-digit code to p").wait_for()
    message = next(m for m in reversed(mail.outbox) if m.to == ["priya@example.test"] and "signing code" in m.subject)
    code = message.body.split("Your code: ", 1)[1].split("\n", 1)[0]
    client.get_by_label("Type your full name").fill("Priya Raman")
    client.get_by_label(f"SHA-256 {version_hash}").check()
    client.get_by_label("The 6-digit code from the e-mail").fill(code)
    client.get_by_role("button", name="Sign v2").click()
    client.get_by_text("You signed v2.").wait_for()

    # The lead consultant signs last: the scope is signed off and the signed PDF is made.
    consultant.goto(f"/projects/{project.pk}/signoff/")
    consultant.get_by_label("Type your full name").fill("Casey Consultant")
    consultant.get_by_label(f"SHA-256 {version_hash}").check()
    consultant.get_by_role("button", name="Sign v2").click()
    consultant.get_by_text("That was the last signature: the scope is signed off.").wait_for()
    assert DiscoveryProject.objects.get(pk=project.pk).stage == Stage.SIGNED_OFF
    assert SignOff.objects.filter(version__number=2, decision="signed").count() == 2

    with consultant.expect_download() as signed:
        consultant.get_by_role("link", name="Download the signed PDF of v2").click()
    signed_pdf = signed.value.path()
    # The certificate says how each signer proved who they are.
    certificate = " ".join(" ".join(page.extract_text() for page in PdfReader(signed_pdf).pages).split())
    assert "confirmed a 6-digit code e-mailed to them" in certificate

    # Anyone holding the file checks it on the verify page, without logging in.
    anyone = new_page()
    anyone.goto("/verify/")
    anyone.get_by_label("Scope PDF").set_input_files(signed_pdf)
    anyone.get_by_role("button", name="Check the PDF").click()
    headline = anyone.get_by_test_id("verify-headline")
    headline.wait_for()
    assert headline.inner_text().startswith("Authentic: this is the signed PDF of v2 of “Supplier invoice coding”")
    page_text = anyone.locator("main").inner_text()
    assert "Valid, made with this site's certificate" in page_text
    assert version_hash in page_text
    assert "Priya Raman" in page_text and "Casey Consultant" in page_text
