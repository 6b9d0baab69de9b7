"""Sign-off requests over time: their expiry, the reminders (daily and by hand), and the timeline of what happened.

The jobs' services take ``now``: the tests move the clock by passing it, never by sleeping.
"""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from scoping import tasks
from scoping.models import ActivityEvent, DiscoveryProject, SignOff, SignOffReminder, SignOffRequest, Stage
from scoping.review import reminders, signatures
from scoping.review.stages import WorkflowError
from tests.factories import ParticipantFactory, UserFactory
from tests.review_support import approve, client_signatory, sign, submit, to_awaiting_signoff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def queued_jobs(monkeypatch) -> list[int]:
    """Render jobs published after commit, recorded instead of sent to the broker (no worker runs here)."""
    published: list[int] = []
    monkeypatch.setattr("documents.services._enqueue", published.append)
    return published


@pytest.fixture
def omar(sound_project):
    """A second client signatory."""
    return ParticipantFactory(
        project=sound_project,
        user=UserFactory(
            username="omar", role="client", client=sound_project.client, first_name="Omar", last_name="Haddad"
        ),
        role_title="Operations Director",
        is_signatory=True,
    ).user


def stage_of(project) -> str:
    return DiscoveryProject.objects.values_list("stage", flat=True).get(pk=project.pk)


def open_request(project) -> SignOffRequest:
    return SignOffRequest.objects.open().get(project=project)


def day(moment) -> str:
    return date_format(timezone.localtime(moment), "j M Y")


def recipients(subject_start: str) -> list[str]:
    return sorted(message.to[0] for message in mail.outbox if message.subject.startswith(subject_start))


def signoff_url(project) -> str:
    return reverse("projects:signoff", args=[project.pk])


def remind_url(project) -> str:
    return reverse("projects:signoff_remind", args=[project.pk])


def request_url(project) -> str:
    return reverse("projects:signoff_request", args=[project.pk])


def approved(project, lead, reviewer):
    submit(project, lead)
    return approve(project, reviewer)


# --- The expiry date -------------------------------------------------------------------------------------------------


def test_a_request_expires_the_default_number_of_days_after_it_is_sent(sound_project, lead, reviewer, settings):
    assert settings.SIGNOFF_EXPIRY_DAYS == 30
    approved(sound_project, lead, reviewer)
    sent_at = timezone.now()

    version = signatures.signoff_request(project=sound_project, actor=lead, now=sent_at)

    row = open_request(sound_project)
    assert (row.version, row.requested_by, row.requested_at) == (version, lead, sent_at)
    assert row.expires_at == sent_at + timedelta(days=30)
    assert row.expired_at is None and row.closed_at is None
    event = ActivityEvent.objects.get(verb="signoff_requested")
    assert event.changes["expires"] == day(sent_at + timedelta(days=30))


def test_the_setting_changes_the_default(sound_project, lead, reviewer, settings):
    settings.SIGNOFF_EXPIRY_DAYS = 10
    approved(sound_project, lead, reviewer)
    sent_at = timezone.now()
    signatures.signoff_request(project=sound_project, actor=lead, now=sent_at)
    assert open_request(sound_project).expires_at == sent_at + timedelta(days=10)


def test_the_requester_may_choose_an_earlier_last_day_on_the_page(client, sound_project, lead, reviewer):
    approved(sound_project, lead, reviewer)
    client.force_login(lead)
    page = client.get(request_url(sound_project)).content.decode()
    latest = timezone.localdate() + timedelta(days=30)
    assert f'value="{latest.isoformat()}"' in page  # the default is filled in
    assert f'max="{latest.isoformat()}"' in page

    chosen = timezone.localdate() + timedelta(days=5)
    response = client.post(
        request_url(sound_project), {"confirm_open_questions": "on", "expires_on": chosen.isoformat()}
    )

    assert response.status_code == 302
    expires_at = timezone.localtime(open_request(sound_project).expires_at)
    assert expires_at.date() == chosen
    assert (expires_at.hour, expires_at.minute) == (23, 59)  # the end of the chosen day
    page = client.get(signoff_url(sound_project)).content.decode()
    assert f"Sign by <strong>{date_format(expires_at, 'j M Y, H:i')} UTC</strong>" in page


def test_a_last_day_in_the_past_is_refused_with_a_message(client, sound_project, lead, reviewer):
    approved(sound_project, lead, reviewer)
    client.force_login(lead)
    yesterday = timezone.localdate() - timedelta(days=1)

    response = client.post(
        request_url(sound_project), {"confirm_open_questions": "on", "expires_on": yesterday.isoformat()}
    )

    assert response.status_code == 400
    assert f"{date_format(yesterday, 'j M Y')} is in the past. Choose today or a later day" in response.content.decode()
    assert stage_of(sound_project) == Stage.APPROVED
    assert not SignOffRequest.objects.exists()
    # The service refuses it too, whoever calls it.
    with pytest.raises(WorkflowError, match="is in the past"):
        signatures.signoff_request(project=sound_project, actor=lead, expires_on=yesterday)
    assert stage_of(sound_project) == Stage.APPROVED


def test_a_last_day_after_the_default_is_refused(sound_project, lead, reviewer):
    approved(sound_project, lead, reviewer)
    too_late = timezone.localdate() + timedelta(days=31)
    with pytest.raises(WorkflowError) as refused:
        signatures.signoff_request(project=sound_project, actor=lead, expires_on=too_late)
    latest = date_format(timezone.localdate() + timedelta(days=30), "j M Y")
    assert (
        refused.value.message == f"A sign-off request can stay open at most 30 days: choose {latest} or an earlier day."
    )
    assert not SignOffRequest.objects.exists()


# --- Signing after expiry --------------------------------------------------------------------------------------------


def test_signing_after_the_expiry_is_refused_and_records_nothing(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    expired_at = timezone.now() - timedelta(minutes=1)
    SignOffRequest.objects.filter(project=sound_project).update(expires_at=expired_at)  # the job has not run yet
    events_before = ActivityEvent.objects.count()

    with pytest.raises(WorkflowError) as refused:
        sign(sound_project, client_signatory(sound_project), version)

    assert refused.value.message == (
        f"This sign-off request expired on {day(expired_at)}; ask Lena Lead to send it again."
    )
    with pytest.raises(WorkflowError, match="expired on"):
        signatures.signoff_decline(
            project=sound_project, version=version, actor=client_signatory(sound_project), reason="Too late to say no."
        )
    assert not SignOff.objects.exists()
    assert ActivityEvent.objects.count() == events_before
    assert stage_of(sound_project) == Stage.AWAITING_SIGNOFF


def test_the_page_stops_offering_the_signature_once_the_request_ran_out(client, sound_project, lead, reviewer):
    to_awaiting_signoff(sound_project, lead, reviewer)
    client.force_login(lead)  # the lead signs too: the same form, before the request runs out
    assert "Sign v1</button>" in client.get(signoff_url(sound_project)).content.decode()
    expired_at = timezone.now() - timedelta(minutes=1)
    SignOffRequest.objects.filter(project=sound_project).update(expires_at=expired_at)
    client.force_login(client_signatory(sound_project))

    page = client.get(signoff_url(sound_project)).content.decode()

    assert "Sign v1</button>" not in page
    assert f"This sign-off request expired on {day(expired_at)}; ask Lena Lead to send it again." in page
    # Opening a request that ran out is not recorded as a view of it.
    assert list(ActivityEvent.objects.filter(verb="signoff_viewed").values_list("actor__username", flat=True)) == [
        "lead"
    ]


def test_signing_on_the_page_after_the_job_expired_the_request_says_why(client, sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    row = open_request(sound_project)
    reminders.signoff_requests_expire(now=row.expires_at + timedelta(minutes=5))
    signatory = client_signatory(sound_project)
    client.force_login(signatory)

    response = client.post(
        signoff_url(sound_project),
        {"action": "sign", "version_id": version.pk, "typed_name": "Priya Raman", "consent": "on"},
    )

    assert response.status_code == 400
    assert f"This sign-off request expired on {day(row.expires_at)}; ask Lena Lead to send it again." in (
        response.content.decode()
    )
    page = client.get(signoff_url(sound_project)).content.decode()
    assert f"expired on {day(row.expires_at)}" in page
    assert "ask Lena Lead to send it again" in page
    with pytest.raises(WorkflowError, match=f"expired on {day(row.expires_at)}; ask Lena Lead"):
        sign(sound_project, signatory, version)
    assert not SignOff.objects.exists()


# --- The expiry job --------------------------------------------------------------------------------------------------


def test_the_expiry_job_returns_the_scope_to_approved_once_and_tells_the_lead_once(
    client, sound_project, lead, reviewer, django_capture_on_commit_callbacks
):
    to_awaiting_signoff(sound_project, lead, reviewer)
    row = open_request(sound_project)
    mail.outbox.clear()
    after = row.expires_at + timedelta(minutes=10)

    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.signoff_requests_expire(now=after)
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders.signoff_requests_expire(now=after + timedelta(hours=1))

    assert (first, second) == ([row.pk], [])
    assert stage_of(sound_project) == Stage.APPROVED
    row.refresh_from_db()
    assert row.expired_at == after and row.closed_at is None
    events = ActivityEvent.objects.filter(verb="signoff_expired")
    assert events.count() == 1
    assert events.get().changes["stage"] == ["awaiting_signoff", "approved"]
    assert events.get().actor is None
    assert recipients("Sign-off request expired") == [lead.email]
    assert "Nobody had signed it." in mail.outbox[-1].body
    # The project page shows it in its recent activity, and the sign-off page explains it.
    client.force_login(lead)
    overview = client.get(sound_project.get_absolute_url()).content.decode()
    assert "closed the sign-off request, which expired unsigned: the scope is approved again" in overview
    page = client.get(signoff_url(sound_project)).content.decode()
    assert f"The sign-off request for v1 expired on {day(row.expires_at)}" in page
    assert "Request sign-off again" in page


def test_the_expiry_job_leaves_a_request_that_is_not_due(sound_project, lead, reviewer):
    to_awaiting_signoff(sound_project, lead, reviewer)
    row = open_request(sound_project)
    assert reminders.signoff_requests_expire(now=row.expires_at - timedelta(minutes=1)) == []
    assert stage_of(sound_project) == Stage.AWAITING_SIGNOFF


def test_sign_off_can_be_requested_again_after_expiry_and_earlier_signatures_still_count(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    sign(sound_project, lead, version)
    row = open_request(sound_project)
    reminders.signoff_requests_expire(now=row.expires_at + timedelta(seconds=1))

    signatures.signoff_request(project=sound_project, actor=lead)
    sign(sound_project, client_signatory(sound_project), version)

    assert stage_of(sound_project) == Stage.SIGNED_OFF
    assert SignOffRequest.objects.filter(project=sound_project).count() == 2
    assert not SignOffRequest.objects.open().exists()  # signing off closed the new one


# --- Reminders -------------------------------------------------------------------------------------------------------


def test_reminders_go_only_to_signatories_who_have_not_signed(
    sound_project, lead, reviewer, omar, django_capture_on_commit_callbacks
):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    priya = client_signatory(sound_project)
    sign(sound_project, priya, version)
    row = open_request(sound_project)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders.signoff_reminders_send(now=row.requested_at + timedelta(days=3))

    assert sent == 2
    assert recipients("Reminder, please sign off") == sorted([omar.email, lead.email])
    message = next(m for m in mail.outbox if m.to == [omar.email])
    assert f"The request expires on {day(row.expires_at)}" in message.body
    assert f"/projects/{sound_project.pk}/signoff/" in message.body
    assert sorted(SignOffReminder.objects.values_list("user__username", flat=True)) == ["lead", "omar"]
    event = ActivityEvent.objects.get(verb="signoff_reminded")
    assert event.actor is None and event.changes["signatories"] == ["Omar Haddad", "Lena Lead"]


def test_a_reminder_goes_out_once_per_interval_even_when_the_job_runs_twice(
    sound_project, lead, reviewer, django_capture_on_commit_callbacks
):
    to_awaiting_signoff(sound_project, lead, reviewer)
    row = open_request(sound_project)
    priya = client_signatory(sound_project)
    mail.outbox.clear()

    def run(days: float) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.signoff_reminders_send(now=row.requested_at + timedelta(days=days))

    assert run(2) == 0  # too early
    assert run(3) == 2
    assert run(3) == 0  # the same run again (a restarted beat)
    assert run(3.2) == 0  # later the same day
    assert run(4) == 0 and run(5) == 0
    assert run(6) == 2  # the next interval
    assert recipients("Reminder, please sign off") == sorted([priya.email] * 2 + [lead.email] * 2)
    assert SignOffReminder.objects.filter(user=priya).count() == 2


def test_reminders_stop_once_the_scope_is_signed_off(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    sign(sound_project, lead, version)
    sign(sound_project, client_signatory(sound_project), version)
    later = timezone.now() + timedelta(days=3)
    assert reminders.signoff_reminders_send(now=later) == 0
    assert not SignOffReminder.objects.exists()


def test_reminders_stop_once_a_signatory_declines(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    signatures.signoff_decline(
        project=sound_project, version=version, actor=client_signatory(sound_project), reason="The budget is wrong."
    )
    assert reminders.signoff_reminders_send(now=timezone.now() + timedelta(days=3)) == 0
    assert not SignOffReminder.objects.exists()


def test_reminders_stop_once_the_request_expires(sound_project, lead, reviewer):
    to_awaiting_signoff(sound_project, lead, reviewer)
    row = open_request(sound_project)
    SignOffRequest.objects.filter(pk=row.pk).update(expires_at=row.requested_at + timedelta(days=4))
    # Due on day 3; on day 6 the request has run out, whether or not the expiry job ran.
    assert reminders.signoff_reminders_send(now=row.requested_at + timedelta(days=6)) == 0
    reminders.signoff_requests_expire(now=row.requested_at + timedelta(days=6))
    assert reminders.signoff_reminders_send(now=row.requested_at + timedelta(days=9)) == 0
    assert not SignOffReminder.objects.exists()


def test_the_beat_runs_both_jobs_and_the_tasks_call_the_services(settings, sound_project, lead, reviewer):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["expire-signoff-requests"]["task"] == "scoping.expire_signoff_requests"
    assert schedule["send-signoff-reminders"]["task"] == "scoping.send_signoff_reminders"
    assert schedule["send-signoff-reminders"]["schedule"].hour == {8}
    assert tasks.expire_signoff_requests.acks_late is False and tasks.send_signoff_reminders.acks_late is False
    to_awaiting_signoff(sound_project, lead, reviewer)
    # Called as functions: nothing is due now, and nothing is sent.
    assert tasks.expire_signoff_requests() == 0
    assert tasks.send_signoff_reminders() == 0


# --- Remind now ------------------------------------------------------------------------------------------------------


def test_remind_now_e_mails_those_who_have_not_signed_after_a_confirmation(
    client, sound_project, lead, reviewer, omar, django_capture_on_commit_callbacks
):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    sign(sound_project, omar, version)
    client.force_login(lead)
    page = client.get(signoff_url(sound_project)).content.decode()
    assert remind_url(sound_project) in page and "Remind now" in page
    confirm = client.get(remind_url(sound_project)).content.decode()
    assert "Priya Raman" in confirm and "Omar Haddad" not in confirm
    mail.outbox.clear()

    assert client.post(remind_url(sound_project), {}).status_code == 400  # not confirmed: nothing sent
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind_url(sound_project), {"confirm": "on"})

    assert response.status_code == 302 and response["Location"] == signoff_url(sound_project)
    # Omar signed; the lead pressed the button: only Priya hears.
    assert recipients("Reminder, please sign off") == [client_signatory(sound_project).email]
    assert "Lena Lead reminds you" in mail.outbox[0].body
    event = ActivityEvent.objects.get(verb="signoff_reminded")
    assert event.actor == lead and event.changes == {"signatories": ["Priya Raman"], "sent": "by hand"}
    assert SignOffReminder.objects.get().by_hand is True


def test_remind_now_is_throttled_to_once_an_hour(
    client, sound_project, lead, reviewer, django_capture_on_commit_callbacks
):
    to_awaiting_signoff(sound_project, lead, reviewer)
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(remind_url(sound_project), {"confirm": "on"}).status_code == 302
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind_url(sound_project), {"confirm": "on"})

    assert response.status_code == 400
    assert "The signatories were reminded at" in response.content.decode()
    assert "you can remind them again from" in response.content.decode()
    assert mail.outbox == []
    assert ActivityEvent.objects.filter(verb="signoff_reminded").count() == 1
    # An hour later the button works again.
    later = SignOffReminder.objects.get().sent_at + timedelta(hours=1)
    assert reminders.signoff_remind_now(project=sound_project, actor=lead, now=later) == [
        client_signatory(sound_project)
    ]


@pytest.mark.parametrize(
    "who,status",
    [("reviewer", 403), ("client_signatory", 403), ("client_viewer", 403), ("stranger", 404)],
)
def test_remind_now_is_refused_to_anyone_but_the_team(
    client, sound_project, lead, reviewer, who, status, django_capture_on_commit_callbacks
):
    to_awaiting_signoff(sound_project, lead, reviewer)
    people = {
        "reviewer": reviewer,
        "client_signatory": client_signatory(sound_project),
        "client_viewer": ParticipantFactory(
            project=sound_project, user=UserFactory(role="client", client=sound_project.client), is_signatory=False
        ).user,
        "stranger": UserFactory(username="stranger", role="consultant"),
    }
    client.force_login(people[who])
    mail.outbox.clear()

    assert client.get(remind_url(sound_project)).status_code == status
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(remind_url(sound_project), {"confirm": "on"}).status_code == status

    assert mail.outbox == []
    assert not ActivityEvent.objects.filter(verb="signoff_reminded").exists()
    if who != "stranger":
        assert remind_url(sound_project) not in client.get(signoff_url(sound_project)).content.decode()


def test_remind_now_says_why_when_the_scope_is_not_awaiting_sign_off(client, sound_project, lead, reviewer):
    approved(sound_project, lead, reviewer)
    client.force_login(lead)
    assert (
        "not awaiting sign-off, so there is nobody to remind" in client.get(remind_url(sound_project)).content.decode()
    )
    response = client.post(remind_url(sound_project), {"confirm": "on"})
    assert response.status_code == 400
    assert not SignOffReminder.objects.exists()


# --- Views and the timeline ------------------------------------------------------------------------------------------


def test_a_signatory_opening_the_page_is_recorded_at_most_once_an_hour(client, sound_project, lead, reviewer):
    to_awaiting_signoff(sound_project, lead, reviewer)
    signatory = client_signatory(sound_project)
    client.force_login(signatory)

    client.get(signoff_url(sound_project))
    client.get(signoff_url(sound_project))

    views = ActivityEvent.objects.filter(verb="signoff_viewed")
    assert list(views.values_list("actor__username", flat=True)) == ["priya"]
    # A reviewer reading the page is not a signatory's view.
    client.force_login(reviewer)
    client.get(signoff_url(sound_project))
    assert views.count() == 1


def test_the_timeline_shows_the_request_s_events_in_order(
    client, sound_project, lead, reviewer, django_capture_on_commit_callbacks
):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    priya = client_signatory(sound_project)
    client.force_login(priya)
    client.get(signoff_url(sound_project))  # viewed
    reminders.signoff_remind_now(project=sound_project, actor=lead)  # reminded (Priya)
    sign(sound_project, priya, version)  # code verified (a client signatory confirms an e-mailed code), signed
    sign(sound_project, lead, version)  # signed, and signed off

    client.force_login(lead)
    page = client.get(signoff_url(sound_project)).content.decode()

    timeline = page[page.index('data-testid="signoff-timeline"') :]
    kinds = [part.split('"', 1)[0] for part in timeline.split('data-kind="')[1:]]
    assert kinds == ["sent", "viewed", "reminded", "code verified", "signed", "signed", "signed off"]
    assert "Priya Raman confirmed the code e-mailed to them." in timeline
    assert "Lena Lead sent it for signature to Priya Raman, Lena Lead" in timeline
    assert "Priya Raman opened the sign-off page." in timeline
    assert "Lena Lead reminded Priya Raman by hand." in timeline
    assert "Priya Raman signed as Finance Director" in timeline
    assert timeline.index("Priya Raman signed") < timeline.index("Lena Lead signed as Lead consultant")


def test_the_timeline_shows_the_expiry_and_hides_views_from_signatories(client, sound_project, lead, reviewer):
    to_awaiting_signoff(sound_project, lead, reviewer)
    priya = client_signatory(sound_project)
    client.force_login(priya)
    client.get(signoff_url(sound_project))
    row = open_request(sound_project)
    reminders.signoff_reminders_send(now=row.requested_at + timedelta(days=3))
    reminders.signoff_requests_expire(now=row.expires_at + timedelta(minutes=1))

    page = client.get(signoff_url(sound_project)).content.decode()

    timeline = page[page.index('data-testid="signoff-timeline"') :]
    kinds = [part.split('"', 1)[0] for part in timeline.split('data-kind="')[1:]]
    assert kinds == ["sent", "reminded", "expired"]  # Priya does not see the views
    assert "Firstslice reminded Priya Raman, Lena Lead as the reminders fell due." in timeline
    assert f"The request expired on {day(row.expires_at)} unsigned" in timeline
    client.force_login(lead)
    page = client.get(signoff_url(sound_project)).content.decode()
    assert 'data-kind="viewed"' in page


# --- Requests that were out before expiry existed --------------------------------------------------------------------


def test_the_migration_gives_each_project_awaiting_sign_off_a_request_from_its_latest_event(
    sound_project, lead, reviewer
):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    SignOffRequest.objects.all().delete()  # as before migration 0016
    requested = ActivityEvent.objects.get(verb="signoff_requested")
    migration = importlib.import_module("scoping.migrations.0016_signoff_requests")

    migration.requests_of_projects_awaiting_signoff(apps, None)

    row = SignOffRequest.objects.get()
    assert (row.project_id, row.version, row.requested_by) == (sound_project.pk, version, lead)
    assert row.requested_at == requested.created_at
    assert row.expires_at == requested.created_at + timedelta(days=30)
    assert row.is_open
