"""Fixtures of the webhook tests: a real receiver, published jobs recorded instead of sent, endpoints."""

from __future__ import annotations

import json

import pytest

from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint

from .receiver import Receiver


@pytest.fixture(autouse=True)
def published(request, monkeypatch) -> list[str]:
    """Delivery jobs published after commit, recorded instead of sent to the broker (tests run them by hand).

    Render jobs are not published either. Tests marked ``worker`` publish to a real worker instead.
    """
    jobs: list[str] = []
    monkeypatch.setattr("documents.services._enqueue", lambda document_id: None)
    if not request.node.get_closest_marker("worker"):
        monkeypatch.setattr(services, "_publish", jobs.append)
    return jobs


@pytest.fixture
def allow_private(settings):
    """The receivers here listen on 127.0.0.1, which only this setting lets through."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    return settings


@pytest.fixture
def start_receiver():
    started: list[Receiver] = []

    def start(**options) -> Receiver:
        started.append(Receiver(**options).start())
        return started[-1]

    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture
def receiver(start_receiver) -> Receiver:
    return start_receiver()


def make_endpoint(url: str, events: list[str], *, actor=None, name: str = "CRM") -> WebhookEndpoint:
    """An endpoint as the admin form makes one: validated (URL check included), then saved by the service."""
    endpoint = WebhookEndpoint(name=name, url=url, events=events)
    endpoint.full_clean()
    return services.endpoint_save(endpoint=endpoint, actor=actor)


def body_of(delivery: WebhookDelivery) -> dict:
    return json.loads(delivery.body)
