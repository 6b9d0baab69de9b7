"""Sign-off: who may sign, which version, what is recorded, and that a signature never changes or moves."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from documents.models import ScopeDocument
from scoping.models import ActivityEvent, DiscoveryProject, ScopeVersion, SignOff, Stage
from scoping.models.sections import WorkflowIntegration
from scoping.review import signatures
from scoping.review.hooks import after_scope_edit
from scoping.review.stages import WorkflowError
from scoping.signatories import signatories, signoff_statuses
from tests.factories import ParticipantFactory, UserFactory
from tests.review_support import (
    approve,
    client_signatory,
    import_project,
    send_code,
    sign,
    submit,
    to_awaiting_signoff,
)

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script> {{ 7*7 }} مرحبا 🚀"


@pytest.fixture(autouse=True)
def queued_jobs(monkeypatch) -> list[int]:
    """Render jobs published after commit, recorded instead of sent to the broker (no worker runs here)."""
    published: list[int] = []
    monkeypatch.setattr("documents.services._enqueue", published.append)
    return published


def stage_of(project) -> str:
    return DiscoveryProject.objects.values_list("stage", flat=True).get(pk=project.pk)


def edit(project) -> None:
    section = WorkflowIntegration.objects.get(project=project)
    section.fallback = f"{section.fallback} (revised)"
    section.save()
    after_scope_edit(project=project, actor=project.lead_consultant)


def signoff_url(project) -> str:
    return reverse("projects:signoff", args=[project.pk])


# --- Requesting sign-off ---------------------------------------------------------------------------------------------


def test_sign_off_goes_to_every_client_signatory_and_the_lead(
    sound_project, lead, reviewer, django_capture_on_commit_callbacks
):
    second = ParticipantFactory(
        project=sound_project,
        user=UserFactory(username="omar", role="client", client=sound_project.client),
        is_signatory=True,
    ).user
    ParticipantFactory(
        project=sound_project,
        user=UserFactory(username="viewer", role="client", client=sound_project.client),
        is_signatory=False,
    )
    submit(sound_project, lead)
    version = approve(sound_project, reviewer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        signatures.signoff_request(project=sound_project, actor=lead)

    people = [person.user for person in signatories(sound_project)]
    assert people == [client_signatory(sound_project), second, lead]
    # The lead asked, so the lead is not e-mailed; both client signatories are, with the hash and the page link.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([client_signatory(sound_project).email, second.email])
    assert version.sha256 in mail.outbox[0].body
    assert f"/projects/{sound_project.pk}/signoff/" in mail.outbox[0].body


def test_requesting_sign_off_queues_the_pdf_the_signatories_read(sound_project, lead, reviewer, queued_jobs):
    with transaction.atomic():
        version = to_awaiting_signoff(sound_project, lead, reviewer)
    document = ScopeDocument.objects.get(version=version)
    assert (document.kind, document.status) == ("proposal", "queued")


def test_sign_off_needs_a_client_signatory(lead, reviewer):
    project = import_project(lead)
    submit(project, lead)
    approve(project, reviewer)
    with pytest.raises(WorkflowError, match="at least one client signatory"):
        signatures.signoff_request(project=project, actor=lead)
    assert stage_of(project) == Stage.APPROVED


def test_a_client_cannot_request_sign_off(sound_project, lead, reviewer):
    submit(sound_project, lead)
    approve(sound_project, reviewer)
    with pytest.raises(WorkflowError, match="consultancy team"):
        signatures.signoff_request(project=sound_project, actor=client_signatory(sound_project))


# --- Who may sign, and what ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "reviewer", "viewer", "outsider"])
def test_a_non_signatory_cannot_sign(sound_project, lead, reviewer, member, outsider, who):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    viewer = ParticipantFactory(
        project=sound_project,
        user=UserFactory(username="viewer", role="client", client=sound_project.client),
        is_signatory=False,
    ).user
    person = {"member": member, "reviewer": reviewer, "viewer": viewer, "outsider": outsider}[who]

    with pytest.raises(WorkflowError, match="not a designated signatory"):
        sign(sound_project, person, version)
    assert not SignOff.objects.exists()


def test_a_non_signatory_gets_403_from_the_sign_off_form(client, sound_project, lead, reviewer, member):
    from scoping.models import ProjectMember

    ProjectMember.objects.create(project=sound_project, user=member)
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    client.force_login(member)
    page = client.get(signoff_url(sound_project))
    assert page.status_code == 200 and "Sign v1</button>" not in page.content.decode()

    response = client.post(
        signoff_url(sound_project),
        {"action": "sign", "version_id": version.pk, "typed_name": member.get_full_name(), "consent": "on"},
    )
    assert response.status_code == 403
    assert not SignOff.objects.exists()


def test_a_signature_on_an_old_version_is_refused(sound_project, lead, reviewer):
    old = to_awaiting_signoff(sound_project, lead, reviewer)
    edit(sound_project)
    new = to_awaiting_signoff(sound_project, lead, reviewer)
    assert (old.number, new.number) == (1, 2)

    with pytest.raises(WorkflowError, match="v1 is not the version awaiting sign-off: v2 is"):
        sign(sound_project, client_signatory(sound_project), old)
    assert not SignOff.objects.exists()


def test_a_stale_sign_off_form_for_an_old_version_is_refused(client, sound_project, lead, reviewer):
    old = to_awaiting_signoff(sound_project, lead, reviewer)
    edit(sound_project)
    to_awaiting_signoff(sound_project, lead, reviewer)
    signatory = client_signatory(sound_project)
    client.force_login(signatory)

    response = client.post(
        signoff_url(sound_project),
        {
            "action": "sign",
            "version_id": old.pk,
            "typed_name": "Priya Raman",
            "consent": "on",
            "code": send_code(sound_project, signatory),
        },
    )
    assert response.status_code == 400
    assert "v1 is not the version awaiting sign-off" in response.content.decode()
    assert not SignOff.objects.exists()


def test_signing_is_refused_before_sign_off_is_requested(sound_project, lead, reviewer):
    submit(sound_project, lead)
    version = approve(sound_project, reviewer)
    with pytest.raises(WorkflowError, match="not awaiting sign-off"):
        sign(sound_project, lead, version)


def test_the_typed_name_must_be_the_signatory_s_full_name(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    with pytest.raises(WorkflowError, match="as it appears on your account: Priya Raman"):
        sign(sound_project, client_signatory(sound_project), version, typed_name="P. Raman")
    signoff = sign(sound_project, client_signatory(sound_project), version, typed_name="  priya   RAMAN ")
    assert signoff.typed_name == "priya RAMAN"


def test_consent_is_required(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    with pytest.raises(WorkflowError, match="Tick the consent statement"):
        sign(sound_project, lead, version, consent=False)


# --- What is recorded ------------------------------------------------------------------------------------------------


def test_signing_through_the_page_records_who_what_when_where_and_the_hash(client, sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    signatory = client_signatory(sound_project)
    client.force_login(signatory)

    page = client.get(signoff_url(sound_project)).content.decode()
    assert version.sha256 in page
    assert (
        f"I have read version v1 of the scope “Supplier invoice coding” for Kestrel Foods Ltd, SHA-256 {version.sha256}"
        in page
    )

    response = client.post(
        signoff_url(sound_project),
        {
            "action": "sign",
            "version_id": version.pk,
            "typed_name": "Priya Raman",
            "consent": "on",
            "code": send_code(sound_project, signatory),
        },
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Mozilla/5.0 (Firstslice test)",
    )
    assert response.status_code == 302

    signoff = SignOff.objects.get()
    assert signoff.user == signatory
    assert signoff.typed_name == "Priya Raman"
    assert signoff.role == "Finance Director (Kestrel Foods Ltd)" and signoff.is_client
    assert signoff.ip == "203.0.113.9" and signoff.user_agent == "Mozilla/5.0 (Firstslice test)"
    assert signoff.version == version and signoff.version_sha256 == version.sha256
    assert signoff.consent is True and version.sha256 in signoff.consent_text and "v1" in signoff.consent_text
    assert signoff.signed_at.utcoffset().total_seconds() == 0
    assert ActivityEvent.objects.get(verb="scope_signed").actor == signatory


def test_the_lead_signs_as_lead_consultant(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    signoff = sign(sound_project, lead, version)
    assert (signoff.role, signoff.is_client, signoff.typed_name) == ("Lead consultant", False, "Lena Lead")


def test_the_last_signature_signs_off_and_queues_the_signed_document(
    sound_project, lead, reviewer, django_capture_on_commit_callbacks, queued_jobs
):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    sign(sound_project, lead, version)
    assert not ScopeDocument.objects.filter(kind="signed").exists()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sign(sound_project, client_signatory(sound_project), version)

    assert stage_of(sound_project) == Stage.SIGNED_OFF
    signed = ScopeDocument.objects.get(kind="signed")
    assert (signed.version, signed.status) == (version, "queued")
    assert signed.pk in queued_jobs
    assert ActivityEvent.objects.filter(verb="scope_signed_off").count() == 1
    assert any(m.subject == "Signed off: Supplier invoice coding v1" for m in mail.outbox)


# --- Signatures never change -----------------------------------------------------------------------------------------


def test_a_signature_cannot_be_repeated_or_withdrawn(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    sign(sound_project, lead, version)

    with pytest.raises(WorkflowError, match="already signed v1"):
        sign(sound_project, lead, version, typed_name="Lena Lead")
    with pytest.raises(WorkflowError, match="cannot be withdrawn"):
        signatures.signoff_decline(project=sound_project, version=version, actor=lead, reason="Changed my mind today.")
    assert SignOff.objects.count() == 1


def test_a_signature_cannot_be_changed_in_code_or_in_the_database(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    signoff = sign(sound_project, lead, version)

    signoff.typed_name = "Someone Else"
    with pytest.raises(ValueError, match="append-only"):
        signoff.save()
    with pytest.raises(ValueError, match="append-only"):
        signoff.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE scoping_signoff SET typed_name = 'Forged' WHERE id = %s", [signoff.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM scoping_signoff WHERE id = %s", [signoff.pk])
    assert SignOff.objects.get().typed_name == "Lena Lead"


def test_editing_a_signed_off_scope_starts_a_new_draft_and_the_signatures_stay_on_the_old_version(
    sound_project, lead, reviewer
):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    sign(sound_project, lead, version)
    sign(sound_project, client_signatory(sound_project), version)

    edit(sound_project)
    new = submit(sound_project, lead)

    assert new.number == 2
    assert SignOff.objects.filter(version=version).count() == 2
    assert not SignOff.objects.filter(version=new).exists()
    assert ActivityEvent.objects.get(verb="scope_reopened").changes["stage"] == ["signed_off", "draft"]


# --- Declining -------------------------------------------------------------------------------------------------------


def test_declining_returns_to_draft_and_tells_everyone_why(
    sound_project, lead, member, reviewer, django_capture_on_commit_callbacks
):
    from scoping.models import ProjectMember

    ProjectMember.objects.create(project=sound_project, user=member)
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    signatory = client_signatory(sound_project)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        declined = signatures.signoff_decline(
            project=sound_project, version=version, actor=signatory, reason=HOSTILE + " The budget is not agreed."
        )

    assert stage_of(sound_project) == Stage.DRAFT
    assert (declined.decision, declined.consent, declined.reason.endswith("not agreed.")) == ("declined", False, True)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead.email, member.email, reviewer.email])
    assert "The budget is not agreed." in mail.outbox[0].body


def test_declining_needs_a_reason(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    with pytest.raises(WorkflowError, match="Say why you decline"):
        signatures.signoff_decline(project=sound_project, version=version, actor=lead, reason=" no ")
    assert stage_of(sound_project) == Stage.AWAITING_SIGNOFF


def test_declining_through_the_page_shows_the_reason_escaped(client, sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    signatory = client_signatory(sound_project)
    client.force_login(signatory)
    response = client.post(
        signoff_url(sound_project), {"action": "decline", "version_id": version.pk, "reason": HOSTILE}, follow=True
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "You declined v1" in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content and "<script>alert(1)" not in content


def test_a_decliner_may_sign_the_same_version_when_it_comes_back_unchanged(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    signatory = client_signatory(sound_project)
    sign(sound_project, lead, version)
    signatures.signoff_decline(project=sound_project, version=version, actor=signatory, reason="Wrong budget owner?")
    again = to_awaiting_signoff(sound_project, lead, reviewer)
    assert again == version

    sign(sound_project, signatory, version)
    # The lead's signature of the very same hash still counts: signatures stay with their version.
    assert stage_of(sound_project) == Stage.SIGNED_OFF
    states = {s.signatory.user.pk: s.state for s in signoff_statuses(sound_project, version)}
    assert states == {signatory.pk: "signed", lead.pk: "signed"}


# --- Pages -----------------------------------------------------------------------------------------------------------


def test_the_sign_off_page_links_the_ready_pdf_of_the_version(client, sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    document = ScopeDocument.objects.get(version=version)
    ScopeDocument.objects.filter(pk=document.pk).update(status="ready", sha256="cd" * 32, page_count=12)
    client.force_login(client_signatory(sound_project))
    content = client.get(signoff_url(sound_project)).content.decode()
    assert reverse("projects:document_download", args=[sound_project.pk, document.pk]) in content
    assert "Download the proposal PDF of v1" in content


def test_the_sign_off_page_says_when_the_pdf_is_still_being_made(client, sound_project, lead, reviewer):
    to_awaiting_signoff(sound_project, lead, reviewer)
    client.force_login(client_signatory(sound_project))
    assert "is being prepared" in client.get(signoff_url(sound_project)).content.decode()


def test_requesting_sign_off_through_the_page(client, sound_project, lead, reviewer):
    submit(sound_project, lead)
    approve(sound_project, reviewer)
    client.force_login(lead)
    url = reverse("projects:signoff_request", args=[sound_project.pk])
    page = client.get(url).content.decode()
    assert "Priya Raman" in page
    assert "v1 has 1 open question" in page  # the worked example's webhook question
    response = client.post(url, {"confirm_open_questions": "on"})
    assert response.status_code == 302 and response["Location"] == signoff_url(sound_project)
    assert stage_of(sound_project) == Stage.AWAITING_SIGNOFF


def test_the_sign_off_request_page_explains_why_it_is_not_possible_yet(client, sound_project, lead):
    client.force_login(lead)
    url = reverse("projects:signoff_request", args=[sound_project.pk])
    content = client.get(url).content.decode()
    assert "This scope is a draft, so it cannot be sent for sign-off." in content
    assert client.post(url).status_code == 400
    assert ScopeVersion.objects.count() == 0


def test_the_overview_shows_the_signatories_and_their_status(client, sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    sign(sound_project, lead, version)
    client.force_login(client_signatory(sound_project))
    content = client.get(sound_project.get_absolute_url()).content.decode()
    assert "Signatories of v1" in content
    assert "Read and sign v1" in content
    assert content.count(">Signed</span>") == 1 and content.count(">Waiting</span>") == 1


def test_the_sign_off_page_names_the_version_by_the_check_code_printed_on_the_pdf(
    client, sound_project, lead, reviewer
):
    # A signatory compares the code on the page with the one on the PDF; the full fingerprint stays, explained.
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    client.force_login(client_signatory(sound_project))
    page = " ".join(client.get(signoff_url(sound_project)).content.decode().split())
    assert f'Version check code <strong class="font-monospace">{version.short_hash}</strong>' in page
    assert "the same code is printed on the cover and on every page of the PDF" in page
    assert "Full fingerprint (SHA-256)" in page


@pytest.mark.parametrize(("sent", "kept"), [("Europe/Berlin", "Europe/Berlin"), ("Mars/Olympus", ""), ("", "")])
def test_the_signer_s_time_zone_is_kept_only_when_it_is_a_real_zone(client, sound_project, lead, reviewer, sent, kept):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    client.force_login(client_signatory(sound_project))

    page = client.get(signoff_url(sound_project)).content.decode()
    response = client.post(
        signoff_url(sound_project),
        {
            "action": "sign",
            "version_id": version.pk,
            "typed_name": "Priya Raman",
            "consent": "on",
            "time_zone": sent,
            "code": send_code(sound_project, client_signatory(sound_project)),
        },
    )

    assert 'name="time_zone"' in page and "data-time-zone" in page
    assert response.status_code == 302
    assert SignOff.objects.get().time_zone == kept
