"""E-mail is a Celery job with a timeout and retries; the sender sees whether it was delivered (issue 10.5).

The mail server here is real enough to hurt: it accepts the TCP connection and then never says a word, like a
firewalled or overloaded SMTP relay. Nothing may wait for it inside a request.
"""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from accounts import services, tasks
from accounts.models import DeliveryStatus, OutboundEmail
from scoping.models import Invitation
from tests.documents.worker_harness import WorkerProcess, unique_queue, wait_for, worker_env

PORTS = range(18510, 18560)


class HangingSMTPServer:
    """Accepts connections on 127.0.0.1 and holds them open without ever sending the SMTP greeting."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        for port in PORTS:
            try:
                self.sock.bind(("127.0.0.1", port))
                break
            except OSError:
                continue
        else:
            raise RuntimeError(f"No free port in {PORTS}")
        self.port = self.sock.getsockname()[1]
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.connections: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections.append(conn)  # say nothing, close nothing: the client waits for the greeting

    def start(self) -> HangingSMTPServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        for conn in self.connections:
            conn.close()
        self.sock.close()


@pytest.fixture
def hanging_smtp():
    server = HangingSMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(settings, hanging_smtp):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = hanging_smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 1
    return settings


def test_backoff_doubles_from_the_base_and_is_capped():
    assert [services.retry_delay(retries=n, base=30) for n in range(5)] == [30, 60, 120, 240, 480]
    assert services.retry_delay(retries=20, base=30) == 3600


def test_the_timeout_setting_has_a_default_of_ten_seconds():
    from config import settings as project_settings

    assert project_settings.EMAIL_TIMEOUT == int(os.environ.get("EMAIL_TIMEOUT") or 10)


@pytest.mark.django_db
def test_one_attempt_against_a_hanging_server_gives_up_after_the_timeout_and_records_it(smtp_settings):
    email = OutboundEmail.objects.create(to="sam@client.test", subject="Hello", body="Hi")
    started = time.monotonic()
    with pytest.raises(services.DeliveryFailed):
        services.email_deliver(email_id=email.pk, final=False)
    assert time.monotonic() - started < 3  # EMAIL_TIMEOUT = 1 s, not the OS default of minutes
    email.refresh_from_db()
    assert email.status == DeliveryStatus.RETRYING and email.attempts == 1
    assert "timed out" in email.last_error.lower()


@pytest.mark.django_db
def test_the_job_retries_with_exponential_backoff_then_marks_the_e_mail_not_delivered(smtp_settings, monkeypatch):
    smtp_settings.EMAIL_MAX_RETRIES = 2
    smtp_settings.EMAIL_RETRY_BACKOFF = 7
    delays: list[int] = []
    real_delay = services.retry_delay

    def recording_delay(**kwargs):
        delays.append(real_delay(**kwargs))
        return delays[-1]

    monkeypatch.setattr(services, "retry_delay", recording_delay)
    email = OutboundEmail.objects.create(to="sam@client.test", subject="Hello", body="Hi")

    tasks.send_email.apply(args=[email.pk])  # eager: each retry runs at once, the countdown is what we check

    email.refresh_from_db()
    assert (email.status, email.attempts) == (DeliveryStatus.FAILED, 3)
    assert delays == [7, 14]


@pytest.mark.django_db
def test_the_job_is_idempotent_a_sent_e_mail_is_not_sent_again():
    email = OutboundEmail.objects.create(to="sam@client.test", subject="Hello", body="Hi")
    tasks.send_email.apply(args=[email.pk])
    tasks.send_email.apply(args=[email.pk])
    email.refresh_from_db()
    assert (email.status, email.attempts) == (DeliveryStatus.SENT, 1)
    assert [m.to for m in mail.outbox] == [["sam@client.test"]]


@pytest.mark.django_db
def test_a_rolled_back_action_queues_no_e_mail(django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.email_queue(to="sam@client.test", subject="Hello", body="Hi")
            raise RuntimeError("the action failed")
    assert callbacks == [] and not OutboundEmail.objects.exists() and mail.outbox == []


@pytest.mark.django_db
def test_the_password_reset_mail_is_a_job_too(client, participant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": participant.email})
    assert response.status_code == 302
    email = OutboundEmail.objects.get(kind="password_reset")
    assert email.to == participant.email and email.status == DeliveryStatus.SENT
    assert "/accounts/reset/" in mail.outbox[-1].body


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_invite_answers_at_once_and_a_real_worker_reports_not_delivered(
    client, lead, project, smtp_settings, hanging_smtp, tmp_path
):
    queue = unique_queue("email-test")
    smtp_settings.EMAIL_QUEUE = queue
    worker = WorkerProcess(
        queue=queue,
        env=worker_env(
            database_name=connection.settings_dict["NAME"],
            media_root=tmp_path,
            EMAIL_URL=f"smtp://127.0.0.1:{hanging_smtp.port}",
            EMAIL_TIMEOUT="1",
            EMAIL_MAX_RETRIES="1",
            EMAIL_RETRY_BACKOFF="1",
        ),
        log_path=tmp_path / "worker.log",
    ).start()
    try:
        client.force_login(lead)
        team = reverse("projects:team", args=[project.pk])
        assert client.get(team).status_code == 200  # warm up: templates compiled, connections open
        started = time.monotonic()
        response = client.post(team, {"action": "invite", "first_name": "Sam", "email": "sam@client.test"})
        elapsed = time.monotonic() - started
        print(f"invite POST answered in {elapsed:.3f} s")
        assert response.status_code == 302
        assert elapsed < 2, f"the invite took {elapsed:.1f} s: it waited for the mail server"

        invitation = Invitation.objects.get()
        wait_for(
            lambda: invitation.emails.filter(status=DeliveryStatus.FAILED).exists(),
            timeout=60,
            message=f"the invitation e-mail to be marked failed\n{worker.log()}",
        )
    finally:
        worker.stop()
    email = invitation.emails.get()
    assert email.attempts == 2 and "timed out" in email.last_error.lower()
    page = client.get(reverse("projects:team", args=[project.pk])).content.decode()
    assert "not delivered: resend" in page


@pytest.mark.django_db
def test_a_sent_or_abandoned_e_mail_keeps_no_working_link_in_the_database(smtp_settings, settings):
    # Only a fingerprint of each invitation or reset link is stored; the copy of the message must not undo that.
    body = "Open the link: http://127.0.0.1:8000/accounts/invite/s3cr3t-token/\nIt works once."
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent = OutboundEmail.objects.create(to="sam@client.test", subject="Hello", body=body)
    services.email_deliver(email_id=sent.pk)
    assert "s3cr3t-token" in mail.outbox[-1].body
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.SENT
    assert "s3cr3t-token" not in sent.body and "It works once." in sent.body

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    retrying = OutboundEmail.objects.create(to="sam@client.test", subject="Hello", body=body)
    with pytest.raises(services.DeliveryFailed):
        services.email_deliver(email_id=retrying.pk, final=False)
    retrying.refresh_from_db()
    assert "s3cr3t-token" in retrying.body  # the next attempt still needs it
    with pytest.raises(services.DeliveryFailed):
        services.email_deliver(email_id=retrying.pk, final=True)
    retrying.refresh_from_db()
    assert retrying.status == DeliveryStatus.FAILED and "s3cr3t-token" not in retrying.body
