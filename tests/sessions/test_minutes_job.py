"""The minutes PDF made by a REAL Celery worker on Redis when a session ends (eager mode is not a test of a job)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from scoping.models import DiscoverySession
from scoping.sessions import services
from tests.documents.worker_harness import wait_for
from tests.sessions.support import plan

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_ending_a_session_has_a_worker_make_its_pdf(client, project, lead, job_worker, job_settings):
    session = services.session_start(session=plan(project, lead), actor=lead)
    services.session_decision_log(session=session, actor=lead, text="Pilot with the Leeds office")
    services.session_end(session=session, actor=lead)  # commits: the job is published to the worker's queue

    made = wait_for(
        lambda: DiscoverySession.objects.filter(pk=session.pk).exclude(minutes_pdf="").first(),
        timeout=90,
        message="the minutes PDF",
    )
    assert made.minutes_pdf_error == ""
    client.force_login(lead)
    response = client.get(reverse("projects:session_minutes_pdf", args=[project.pk, session.number]))
    pdf = b"".join(response.streaming_content)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Minutes of Session 1: Kick-off" in text and "Pilot with the Leeds office" in text
