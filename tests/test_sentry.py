"""Sentry is optional: initialised only when SENTRY_DSN is set, with Django and Celery integrations and no PII."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, django; django.setup(); import sentry_sdk; client = sentry_sdk.get_client(); "
    "print(json.dumps({'active': client.is_active(), 'pii': client.options.get('send_default_pii'), "
    "'dsn': client.options.get('dsn'), 'integrations': sorted(client.integrations)}))"
)


def _probe(**env: str) -> dict:
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SQLITE_PATH": ":memory:", **env}
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "SENTRY_DSN"):
        if name not in env:
            full_env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_dsn_sentry_is_not_initialised():
    assert _probe()["active"] is False


def test_with_a_dsn_sentry_reports_django_and_celery_errors_without_personal_data():
    dsn = "http://publickey@127.0.0.1:18799/1"  # nothing listens there; init sends nothing
    probe = _probe(SENTRY_DSN=dsn)
    assert probe["active"] is True
    assert probe["dsn"] == dsn
    assert probe["pii"] is False
    assert {"django", "celery"} <= set(probe["integrations"])
