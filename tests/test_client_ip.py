"""One client-address rule for the audit trail, lock-outs and signatures: X-Forwarded-For only from a trusted proxy."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from config.client_ip import client_ip
from scoping.models import ActivityEvent
from tests.factories import PASSWORD

PROXY = "10.9.0.2"


def _request(remote_addr: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


def _log_in(client, password: str, *, peer: str, forwarded_for: str):
    """Post the login form as "lead" from ``peer``, which says it forwards the request for ``forwarded_for``."""
    return client.post(
        reverse("login"),
        {"username": "lead", "password": password},
        REMOTE_ADDR=peer,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY, "10.8.0.0/16"]


def test_without_trusted_proxies_the_peer_is_the_client_and_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(behind_proxy):
    assert client_ip(_request("198.51.100.7", "203.0.113.1, 10.9.0.2")) == "198.51.100.7"


def test_from_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client(behind_proxy):
    # The client wrote "203.0.113.1" itself; the proxy appended the address it saw, 198.51.100.7.
    assert client_ip(_request(PROXY, "203.0.113.1, 198.51.100.7")) == "198.51.100.7"
    # Two trusted hops (a load balancer in 10.8/16, then the proxy): both are skipped.
    assert client_ip(_request(PROXY, "203.0.113.1, 198.51.100.7, 10.8.4.4")) == "198.51.100.7"
    assert client_ip(_request(PROXY, "[2001:db8::5]:4711")) == "2001:db8::5"
    assert client_ip(_request(PROXY)) == PROXY


def test_a_malformed_trusted_proxy_setting_fails_at_start_up():
    from django.core.exceptions import ImproperlyConfigured

    from config.client_ip import parse_trusted_proxies

    with pytest.raises(ImproperlyConfigured, match="not an IP address or a CIDR range"):
        parse_trusted_proxies(["10.0.0.0/33"])


@pytest.mark.django_db
def test_the_audit_trail_records_the_client_behind_the_proxy(client, lead, behind_proxy):
    _log_in(client, PASSWORD, peer=PROXY, forwarded_for="198.51.100.7")
    event = ActivityEvent.objects.filter(verb="login").latest("pk")
    assert event.ip == "198.51.100.7"


@pytest.mark.django_db
def test_varied_forwarded_for_from_an_untrusted_peer_still_locks_the_real_client_out(client, lead, behind_proxy):
    for n in range(5):
        response = _log_in(client, "wrong", peer="198.51.100.7", forwarded_for=f"203.0.113.{n}")
    assert response.status_code == 429
    response = _log_in(client, PASSWORD, peer="198.51.100.7", forwarded_for="203.0.113.99")
    assert response.status_code == 429


@pytest.mark.django_db
def test_behind_the_proxy_one_clients_failures_do_not_lock_out_another(client, lead, behind_proxy):
    for _ in range(5):
        response = _log_in(client, "wrong", peer=PROXY, forwarded_for="198.51.100.66")
    assert response.status_code == 429
    response = _log_in(client, PASSWORD, peer=PROXY, forwarded_for="198.51.100.7")
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_signature_behind_the_proxy_records_the_signatorys_address(
    client, sound_project, lead, reviewer, behind_proxy, monkeypatch
):
    from scoping.models import SignOff
    from tests.review_support import client_signatory, send_code, to_awaiting_signoff

    monkeypatch.setattr("documents.services._enqueue", lambda document_id: None)  # no worker here
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    client.force_login(client_signatory(sound_project))
    code = send_code(sound_project, client_signatory(sound_project))
    response = client.post(
        reverse("projects:signoff", args=[sound_project.pk]),
        {"action": "sign", "version_id": version.pk, "typed_name": "Priya Raman", "consent": "on", "code": code},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.7",
    )
    assert response.status_code == 302
    assert SignOff.objects.get().ip == "198.51.100.7"
