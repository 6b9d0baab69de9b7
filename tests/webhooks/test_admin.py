"""The admin: endpoints, the delivery log and Redeliver; only admins reach any of it."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from documents.versioning import version_freeze
from webhooks import events, signing, tasks
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

from .conftest import make_endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(allow_private, receiver, sound_project, lead) -> WebhookDelivery:
    make_endpoint(receiver.url(), [events.VERSION_FROZEN])
    version_freeze(project=sound_project, actor=lead)
    delivery = WebhookDelivery.objects.get()
    tasks.deliver_webhook.apply(args=[str(delivery.pk)])
    assert len(receiver.requests) == 1
    return delivery


def redeliver_url(delivery) -> str:
    return reverse("admin:webhooks_webhookdelivery_redeliver", args=[delivery.pk])


def test_an_admin_redelivers_by_hand_and_a_new_delivery_is_sent_again(
    client, admin_user, delivered, receiver, published, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(redeliver_url(delivered))

    copy = WebhookDelivery.objects.exclude(pk=delivered.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:webhooks_webhookdelivery_change", args=[copy.pk])
    assert (copy.redelivery_of, copy.requested_by, copy.status) == (delivered, admin_user, DeliveryStatus.QUEUED)
    assert published == [str(copy.pk)]

    tasks.deliver_webhook.apply(args=[str(copy.pk)])
    assert len(receiver.requests) == 2
    again = receiver.requests[1]
    body, original = json.loads(again.body), json.loads(delivered.body)
    assert body["id"] == str(copy.pk) != original["id"]
    assert {**body, "id": None} == {**original, "id": None}
    endpoint = copy.endpoint
    assert signing.signature_verify(
        secret=endpoint.secret, header=again.headers["Firstslice-Signature"], body=again.body
    )
    copy.refresh_from_db()
    assert (copy.status, copy.response_code) == (DeliveryStatus.DELIVERED, 200)


def test_the_admin_action_redelivers_the_selected_deliveries(client, admin_user, delivered):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:webhooks_webhookdelivery_changelist"),
        {"action": "redeliver_selected", "_selected_action": [str(delivered.pk)]},
    )
    assert response.status_code == 302
    assert WebhookDelivery.objects.filter(redelivery_of=delivered).count() == 1


def test_redelivering_to_a_disabled_endpoint_says_to_enable_it_first(client, admin_user, delivered):
    WebhookEndpoint.objects.update(is_active=False)
    client.force_login(admin_user)
    response = client.post(redeliver_url(delivered), follow=True)
    assert "is disabled. Tick “active” on the endpoint first" in response.content.decode()
    assert WebhookDelivery.objects.count() == 1


def test_redeliver_is_a_post(client, admin_user, delivered):
    client.force_login(admin_user)
    assert client.get(redeliver_url(delivered)).status_code == 405
    assert WebhookDelivery.objects.count() == 1


def test_the_delivery_page_shows_each_attempt_and_the_redeliver_button(client, admin_user, delivered):
    client.force_login(admin_user)
    page = client.get(reverse("admin:webhooks_webhookdelivery_change", args=[delivered.pk])).content.decode()
    assert "Redeliver" in page and redeliver_url(delivered) in page
    assert "version.frozen" in page and delivered.endpoint.name in page
    assert "answer 200" in page  # the start of the receiver's answer
    listing = client.get(reverse("admin:webhooks_webhookdelivery_changelist")).content.decode()
    assert reverse("admin:webhooks_webhookdelivery_change", args=[delivered.pk]) in listing
    endpoint_page = client.get(
        reverse("admin:webhooks_webhookendpoint_change", args=[delivered.endpoint_id])
    ).content.decode()
    assert delivered.endpoint.secret in endpoint_page and "1 delivery<" in endpoint_page


@pytest.mark.parametrize("is_staff", [False, True])
def test_a_consultant_reaches_neither_the_log_nor_redeliver(client, lead, delivered, is_staff):
    lead.is_staff = is_staff
    lead.save(update_fields=["is_staff"])
    client.force_login(lead)
    pages = [
        reverse("admin:webhooks_webhookdelivery_changelist"),
        reverse("admin:webhooks_webhookdelivery_change", args=[delivered.pk]),
        reverse("admin:webhooks_webhookendpoint_changelist"),
        reverse("admin:webhooks_webhookendpoint_change", args=[delivered.endpoint_id]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == (403 if is_staff else 302), url
        assert delivered.endpoint.secret not in response.content.decode()
        assert str(delivered.pk) not in response.content.decode()
    response = client.post(redeliver_url(delivered))
    assert response.status_code == (403 if is_staff else 302)
    if not is_staff:
        assert response["Location"].startswith(reverse("admin:login"))
    assert WebhookDelivery.objects.count() == 1


def test_the_add_form_refuses_a_loopback_target_unless_the_setting_allows_it(client, admin_user, settings, receiver):
    client.force_login(admin_user)
    form = {"name": "Local tracker", "url": receiver.url(), "events": [events.VERSION_FROZEN, events.DOCUMENT_READY]}
    add = reverse("admin:webhooks_webhookendpoint_add")

    response = client.post(add, {**form, "is_active": "on"})
    assert response.status_code == 200
    assert "127.0.0.1 is a loopback address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()

    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    assert client.post(add, {**form, "is_active": "on"}).status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == [events.VERSION_FROZEN, events.DOCUMENT_READY]
    assert endpoint.created_by == admin_user and len(endpoint.secret) == 64
