"""Logs: JSON lines with time, level, logger, message and the request id; the id is propagated as X-Request-ID."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_each_response_carries_a_request_id_and_a_valid_incoming_one_is_kept(client):
    generated = client.get("/healthz")["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="trace-42")["X-Request-ID"] == "trace-42"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n{}")["X-Request-ID"] != "bad id\n{}"


def test_log_format_json_writes_one_json_object_per_line_with_the_request_id():
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "Client(SERVER_NAME='localhost').get('/healthz', HTTP_X_REQUEST_ID='req-json-1')\n"
    )
    env = {**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    request_line = next(line for line in lines if line["logger"] == "firstslice.request")
    assert request_line["level"] == "INFO"
    assert request_line["message"] == "GET /healthz 200"
    assert request_line["request_id"] == "req-json-1"
    assert request_line["status"] == 200
    assert request_line["time"].startswith("20")
