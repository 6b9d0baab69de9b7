"""SSRF: private targets are refused when an endpoint is saved and again at delivery, against what DNS says then."""

from __future__ import annotations

import datetime
import socket
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError

from documents.versioning import version_freeze
from webhooks import events, tasks, transport
from webhooks.models import AttemptOutcome, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.targets import TargetRefused

from .conftest import make_endpoint

pytestmark = pytest.mark.django_db

HOST = "hooks.example.test"
PUBLIC = "93.184.216.34"


class FakeDNS:
    """Answers for HOST from a list that the test changes; every other name resolves as usual. Counts lookups."""

    def __init__(self, monkeypatch, *addresses: str) -> None:
        self.addresses = list(addresses)
        self.lookups = 0
        real = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            if host != HOST:
                return real(host, port, *args, **kwargs)
            self.lookups += 1
            return [
                (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in self.addresses
            ]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_an_endpoint_on_loopback_is_refused_when_saved_without_the_setting(receiver):
    endpoint = WebhookEndpoint(name="Local", url=receiver.url(), events=[events.VERSION_FROZEN])
    with pytest.raises(ValidationError) as refused:
        endpoint.full_clean()
    assert "127.0.0.1 is a loopback address" in str(refused.value.message_dict["url"])
    assert "WEBHOOKS_ALLOW_PRIVATE_TARGETS" in str(refused.value.message_dict["url"])


def test_a_host_name_that_resolves_to_a_private_address_is_refused_when_saved(monkeypatch):
    FakeDNS(monkeypatch, "10.20.30.40")
    with pytest.raises(ValidationError, match="resolves to 10.20.30.40, which is a private address"):
        WebhookEndpoint(name="CRM", url=f"https://{HOST}/in", events=[]).full_clean()


def test_an_unknown_event_is_refused():
    with pytest.raises(ValidationError, match="Unknown events: project.deleted"):
        WebhookEndpoint(name="CRM", url=f"https://{PUBLIC}/in", events=["project.deleted"]).full_clean()


def test_a_name_that_rebinds_to_loopback_after_the_save_is_refused_at_delivery_and_nothing_is_sent(
    receiver, sound_project, lead, monkeypatch
):
    dns = FakeDNS(monkeypatch, PUBLIC)
    make_endpoint(f"http://{HOST}:{receiver.port}/hooks", [events.VERSION_FROZEN])  # public when saved
    version_freeze(project=sound_project, actor=lead)
    delivery = WebhookDelivery.objects.get()

    dns.addresses = ["127.0.0.1"]  # the attacker's DNS now answers with the receiver's address
    assert tasks.deliver_webhook.apply(args=[str(delivery.pk)]).get() == "failed"

    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1  # refused: not retried
    assert "resolves to 127.0.0.1, which is a loopback address" in delivery.last_error
    assert delivery.attempt_log.get().outcome == AttemptOutcome.REFUSED


def test_one_private_address_among_public_ones_is_refused_at_delivery(receiver, sound_project, lead, monkeypatch):
    dns = FakeDNS(monkeypatch, PUBLIC)
    make_endpoint(f"http://{HOST}:{receiver.port}/hooks", [events.VERSION_FROZEN])
    version_freeze(project=sound_project, actor=lead)
    dns.addresses = [PUBLIC, "169.254.169.254"]
    tasks.deliver_webhook.apply(args=[str(WebhookDelivery.objects.get().pk)])
    assert receiver.requests == []
    assert "169.254.169.254, which is a link-local address" in WebhookDelivery.objects.get().last_error


def test_the_delivery_connects_to_the_address_it_checked_with_a_single_lookup(
    allow_private, receiver, sound_project, lead, monkeypatch
):
    dns = FakeDNS(monkeypatch, "127.0.0.1")
    make_endpoint(f"http://{HOST}:{receiver.port}/hooks", [events.VERSION_FROZEN])
    version_freeze(project=sound_project, actor=lead)
    dns.lookups = 0

    assert tasks.deliver_webhook.apply(args=[str(WebhookDelivery.objects.get().pk)]).get() == "delivered"

    assert dns.lookups == 1  # checked once; the connection went to that answer, not to a second lookup
    [request] = receiver.requests
    assert request.headers["Host"] == f"{HOST}:{receiver.port}"


def _certificate(name: str, path) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = path / f"{name}.pem", path / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


@pytest.mark.parametrize(("certificate_name", "accepted"), [(HOST, True), ("someone-else.example.test", False)])
def test_https_sends_the_host_name_as_sni_and_checks_the_certificate_against_it(
    start_receiver, monkeypatch, tmp_path, certificate_name, accepted
):
    cert, key = _certificate(certificate_name, tmp_path)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    receiver = start_receiver(tls=server_context)
    FakeDNS(monkeypatch, "127.0.0.1")
    client_context = ssl.create_default_context(cafile=cert)  # what a public CA does for a real receiver

    def post():
        return transport.post(
            url=f"https://{HOST}:{receiver.port}/hooks",
            body=b"{}",
            headers={},
            allow_private=True,
            connect_timeout=2,
            read_timeout=2,
            ssl_context=client_context,
        )

    if accepted:
        reply = post()
        assert (reply.status, reply.address) == (200, "127.0.0.1")
        assert receiver.requests[0].headers["Host"] == f"{HOST}:{receiver.port}"
    else:
        with pytest.raises(transport.DeliveryError, match="certificate"):
            post()
        assert receiver.requests == []
    assert receiver.server_names == [HOST]  # SNI carried the name, though the connection went to 127.0.0.1


def test_the_transport_refuses_before_connecting(receiver):
    with pytest.raises(TargetRefused, match="loopback"):
        transport.post(
            url=receiver.url(), body=b"{}", headers={}, allow_private=False, connect_timeout=1, read_timeout=1
        )
    assert receiver.requests == []
