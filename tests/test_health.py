"""/healthz (liveness) and /readyz (database, broker, storage, worker heartbeat), fast when something is down."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from config import heartbeat


@pytest.fixture
def worker_heartbeat(settings):
    """A fresh heartbeat, as a running worker writes it (the stack test checks a real worker's)."""
    client = heartbeat.redis_client()
    key = heartbeat.WORKER_PREFIX + "celery@test-health"
    heartbeat._beat(client, key)
    yield key
    client.delete(key)


@pytest.fixture
def no_worker_heartbeat():
    client = heartbeat.redis_client()
    saved = {key: client.get(key) for key in client.scan_iter(match=heartbeat.WORKER_PREFIX + "*")}
    for key in saved:
        client.delete(key)
    yield
    for key, value in saved.items():
        client.set(key, value, ex=60)


def test_healthz_is_liveness_only_and_never_touches_the_database(client):
    response = client.get(reverse("healthz"))  # no django_db mark: any query would raise
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["static"]["url"].startswith("/static/css/app")


def test_healthz_is_503_when_pages_cannot_be_built(client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = "/nonexistent-static-root"
    from django.contrib.staticfiles.storage import staticfiles_storage

    staticfiles_storage._wrapped = None  # settings changed: rebuild the lazy storage
    try:
        response = client.get(reverse("healthz"))
    finally:
        staticfiles_storage._wrapped = None
    assert response.status_code == 503
    assert response.json()["static"]["ok"] is False


@pytest.mark.django_db
def test_readyz_reports_database_broker_storage_and_worker(client, settings, worker_heartbeat):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False, "the suite must run against the real broker"
    response = client.get(reverse("readyz"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["broker"] == {"ok": True, "mode": "redis"}
    assert body["storage"] == {"ok": True, "backend": "FileSystemStorage"}
    assert body["worker"]["ok"] is True and body["worker"]["workers"] >= 1


@pytest.mark.django_db
def test_readyz_is_503_without_a_fresh_worker_heartbeat(client, settings, no_worker_heartbeat):
    heartbeat._beat(heartbeat.redis_client(), heartbeat.WORKER_PREFIX + "celery@stale")
    settings.WORKER_HEARTBEAT_MAX_AGE = -1  # every heartbeat is now too old
    try:
        response = client.get(reverse("readyz"))
    finally:
        heartbeat.redis_client().delete(heartbeat.WORKER_PREFIX + "celery@stale")
    assert response.status_code == 503
    assert response.json()["worker"] == {"ok": False, "error": "no worker heartbeat", "workers": 0}


@pytest.mark.django_db
def test_readyz_is_503_within_2_seconds_when_the_broker_port_is_dead(client, settings, worker_heartbeat):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    started = time.monotonic()
    response = client.get(reverse("readyz"))
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert elapsed <= 2, f"/readyz took {elapsed:.1f} s with the broker down"


def test_readyz_is_503_within_2_seconds_when_the_database_port_is_dead(tmp_path):
    """A separate process: the suite's own connection pool must not be pointed at a dead port."""
    import os
    import subprocess
    import sys

    code = (
        "import time, django; django.setup()\n"
        "from django.test import Client\n"
        "Client(SERVER_NAME='localhost').get('/healthz')  # import the URLconf first: the timing is of /readyz\n"
        "started = time.monotonic(); r = Client(SERVER_NAME='localhost').get('/readyz')\n"
        "print(r.status_code, round(time.monotonic() - started, 2), r.json()['database']['ok'])\n"
    )
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=heartbeat.__file__.rsplit("/config/", 1)[0],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    status, seconds, database_ok = result.stdout.split()[-3:]
    assert status == "503" and database_ok == "False", result.stdout
    assert float(seconds) <= 2, f"/readyz took {seconds} s with the database down"


def test_health_endpoints_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get("/accounts/login/").status_code == 301
