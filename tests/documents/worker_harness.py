"""A real Celery worker in a subprocess, for job tests: eager mode is not a test of a job.

Run as a module it is the worker itself: ``python -m tests.documents.worker_harness QUEUE`` sets Django up, applies
the test-only hooks below, then starts ``celery worker --pool=solo -Q QUEUE``. The hooks exist only here, never in
production code:

- ``FIRSTSLICE_TEST_RENDER_DELAY=<seconds>`` makes every render sleep first, so a test can kill the worker
  mid-render;
- ``FIRSTSLICE_TEST_TEMPLATE_DIR=<dir>`` puts a template directory in front of the project's, so a test can give
  the worker a broken PDF template.

Imported, it offers ``WorkerProcess`` (start, wait until ready, SIGKILL or stop one such worker) and helpers for the
environment a worker needs to share the test database, Redis db and media directory with the test process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_SECONDS = 60
RENDER_DELAY_ENV = "FIRSTSLICE_TEST_RENDER_DELAY"
TEMPLATE_DIR_ENV = "FIRSTSLICE_TEST_TEMPLATE_DIR"


def unique_queue(prefix: str = "docs-test") -> str:
    """A queue of its own per test, so no stray message from another test (or run) is ever picked up."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def database_url_for(test_database_name: str) -> str:
    """DATABASE_URL pointing at the test database pytest-django created (test_<name>)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{test_database_name}"))


def worker_env(*, database_name: str, media_root: Path, signing_path: Path | None = None, **extra: str) -> dict:
    """The environment of a worker that sees the same database, broker and files as the test process."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url_for(database_name),
            "REDIS_URL": os.environ["REDIS_URL"],
            "MEDIA_ROOT": str(media_root),
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "INFO",
            "DB_POOL_MAX": "2",
        }
    )
    if signing_path is not None:
        env["SIGNING_PKCS12_PATH"] = str(signing_path)
    env.update({key: str(value) for key, value in extra.items()})
    return env


class WorkerProcess:
    """One ``celery worker --pool=solo`` subprocess consuming one queue."""

    def __init__(self, *, queue: str, env: dict, log_path: Path) -> None:
        self.queue = queue
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.documents.worker_harness", self.queue],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The Celery worker exited at start-up:\n{self.log()}")
            if " ready." in self.log():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"The Celery worker was not ready within {READY_TIMEOUT_SECONDS} s:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def kill(self) -> None:
        """SIGKILL: the worker gets no chance to acknowledge, requeue or clean up anything."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL if it does not exit in time."""
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.2, message: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {message}.")


def _install_test_hooks() -> None:
    delay = float(os.environ.get(RENDER_DELAY_ENV) or 0)
    if delay > 0:
        import documents.render_job as render_job

        real_render = render_job.render_scope_pdf

        def slow_render(**kwargs):
            time.sleep(delay)
            return real_render(**kwargs)

        render_job.render_scope_pdf = slow_render
    template_dir = os.environ.get(TEMPLATE_DIR_ENV)
    if template_dir:
        from django.conf import settings

        settings.TEMPLATES[0]["DIRS"] = [template_dir, *settings.TEMPLATES[0]["DIRS"]]


def main(queue: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    _install_test_hooks()
    from config.celery import app, solo_worker_arguments

    app.worker_main(solo_worker_arguments(queue))


if __name__ == "__main__":
    main(sys.argv[1])
