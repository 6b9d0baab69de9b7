"""`make demo` runs on SQLite with eager jobs; the suite otherwise runs on PostgreSQL. This covers the demo mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_demo_page_answers_without_a_server_error_on_the_embedded_default(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        SQLITE_PATH=str(tmp_path / "demo.sqlite3"),
        MEDIA_ROOT=str(tmp_path / "media"),
        SIGNING_PKCS12_PATH=str(tmp_path / "dev.p12"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.demo_smoke"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert report["pages"] > 100
    # Eager jobs rendered the seeded documents, including the signed one, on SQLite.
    assert ("signed", "ready") in [tuple(d) for d in report["documents"]]
