"""Every e-mail is a pair of templates (``templates/emails/<event>/subject.txt`` and ``body.txt``), rendered by
``accounts.services.email_render``: plain text, with a subject that stays one line whatever a name holds."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail

from accounts.services import email_render
from documents.models import ScopeDocument
from scoping import notifications
from scoping.models import DiscoveryProject
from tests.review_support import approve, client_signatory, submit

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
EVENTS = {
    "approved",
    "changes_requested",
    "declined",
    "document_ready",
    "invitation",
    "price_drift",
    "review_requested",
    "scope_reopened",
    "session_minutes",
    "signed",
    "signing_code",
    "signoff_expired",
    "signoff_reminder",
    "signoff_requested",
    "signoff_turn",
    "webhook_disabled",
}
HOSTILE = "Evil\r\nBcc: spy@evil.test\n<script>alert(1)</script>"


def hostile_context() -> dict:
    """Every name an e-mail template reads, each one trying to break out of its line."""
    person = SimpleNamespace(display_name=HOSTILE, first_name=HOSTILE)
    project = SimpleNamespace(name=HOSTILE, client=SimpleNamespace(name=HOSTILE))
    return {
        "project": project,
        "scope_name": HOSTILE,
        "link": "https://firstslice.example/projects/1/",
        "recipient": person,
        "actor": person,
        "inviter": person,
        "version": SimpleNamespace(label=HOSTILE, sha256="ab" * 32),
        "review": SimpleNamespace(reviewer=person, summary=HOSTILE),
        "comments": [(HOSTILE, HOSTILE)],
        "signoff": SimpleNamespace(typed_name=HOSTILE, role=HOSTILE, reason=HOSTILE),
        "document": SimpleNamespace(sha256="ab" * 32, kind="signed"),
        "kind": HOSTILE,
        "invitation": SimpleNamespace(first_name=HOSTILE, project=project, is_signatory=True),
        "complete": False,
        "previous_stage": "approved",
        "drift": SimpleNamespace(
            kind="envelope",
            details={"model": HOSTILE, "deprecation_date": HOSTILE, "handover_date": HOSTILE},
        ),
        "signed_cost": HOSTILE,
        "envelope_top": HOSTILE,
        "new_cost": HOSTILE,
        "endpoint": SimpleNamespace(name=HOSTILE, url=HOSTILE, consecutive_failures=10),
        "code": "482 913",
        "code_minutes": 10,
        "session": _HostileSession(),
        "minutes": SimpleNamespace(
            attendees=[SimpleNamespace(name=HOSTILE, get_kind_display="Guest")],
            changes=[
                SimpleNamespace(
                    section_label=HOSTILE, label=HOSTILE, before=HOSTILE, after=HOSTILE, answered_by=HOSTILE
                )
            ],
            decisions=[SimpleNamespace(text=HOSTILE, by_name=HOSTILE, at=None)],
            actions=[SimpleNamespace(question=HOSTILE, owner=HOSTILE, due=None)],
            open_questions=[],
            parked=[SimpleNamespace(text=HOSTILE)],
        ),
    }


class _HostileSession:
    """A session of the minutes e-mail whose title tries to break out of the subject line."""

    number = 1
    started_at = None

    def __str__(self) -> str:
        return f"Session 1: {HOSTILE}"


def test_every_event_has_a_subject_and_a_body_template_and_no_folder_is_left_over():
    folders = {path.name for path in EMAILS.iterdir() if path.is_dir()}
    assert folders == EVENTS
    for event in EVENTS:
        assert sorted(path.name for path in (EMAILS / event).iterdir()) == ["body.txt", "subject.txt"], event


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_a_hostile_name_stays_on_the_subject_line_and_is_not_escaped(event):
    subject, body = email_render(event, hostile_context())

    assert "\n" not in subject and "\r" not in subject
    assert "Evil Bcc: spy@evil.test <script>alert(1)</script>" in subject  # plain text: kept as typed, on one line
    assert "&lt;" not in subject + body and "&amp;" not in subject + body
    assert body.endswith("— Firstslice")


def test_a_project_name_with_a_line_break_cannot_add_a_header_to_the_sent_mail(
    sound_project, lead, reviewer, django_capture_on_commit_callbacks
):
    DiscoveryProject.objects.filter(pk=sound_project.pk).update(name=HOSTILE)
    sound_project.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        submit(sound_project, lead)

    [message] = mail.outbox
    assert message.subject == "Review requested: Evil Bcc: spy@evil.test <script>alert(1)</script> v1"
    assert message.recipients() == [reviewer.email]
    sent = message.message()
    assert sent["Bcc"] is None and sent.get_content_type() == "text/plain"
    assert "Bcc" not in dict(sent.items())
    assert "<script>alert(1)</script>" in message.body  # a text body: shown as typed, never run


def test_withdrawing_an_approval_says_it_no_longer_applies(
    sound_project, lead, reviewer, django_capture_on_commit_callbacks
):
    submit(sound_project, lead)
    version = approve(sound_project, reviewer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_scope_reopened(
            project=sound_project, version=version, previous_stage="approved", actor=lead, why="the Cost step was saved"
        )

    [message] = mail.outbox
    assert message.to == [reviewer.email]
    assert message.subject == "Approval withdrawn: Supplier invoice coding v1"
    assert message.body == (
        f"Hello {reviewer.display_name},\n\n"
        "Lena Lead edited the scope “Supplier invoice coding” (Kestrel Foods Ltd) (the Cost step was saved), which "
        "starts a new draft.\n"
        "The approval of v1 no longer applies to the scope being worked on.\n\n"
        f"Open it here: {settings.SITE_URL}/projects/{sound_project.pk}/\n\n"
        "— Firstslice"
    )


def test_a_signed_pdf_is_announced_to_the_signatories_with_its_certificate(
    sound_project, lead, django_capture_on_commit_callbacks
):
    version = submit(sound_project, lead)
    document = ScopeDocument.objects.create(version=version, kind="signed", status="ready", sha256="cd" * 32)
    document.requested_by = lead
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_document_ready(document)

    signatory = client_signatory(sound_project)
    assert [message.to for message in mail.outbox] == [[lead.email], [signatory.email]]
    message = mail.outbox[1]
    assert message.subject == "PDF ready: Supplier invoice coding v1 (signed)"
    assert message.body == (
        f"Hello {signatory.display_name},\n\n"
        "The signed PDF of v1 of “Supplier invoice coding” (Kestrel Foods Ltd) is ready.\n"
        f"File SHA-256: {'cd' * 32}\n"
        "It carries the sign-off certificate and the consultancy's digital signature.\n\n"
        f"Open it here: {settings.SITE_URL}/projects/{sound_project.pk}/documents/{document.pk}/download/\n\n"
        "— Firstslice"
    )
