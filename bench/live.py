"""The live-session figure: a save reaching 30 connected participants (DESIGN.md: p95 <= 300 ms on channels-redis).

A real ASGI server (uvicorn running ``config.asgi:application`` in a process of its own, on the bench database and
REDIS_URL) holds 30 WebSockets of 30 client participants of one project, opened by real clients in this process
(one asyncio loop in a thread). Each round sends one ``section.saved``-sized message with ``project_broadcast`` from
a committed transaction, as the save service does, and times it from just before the transaction until the last of
the 30 sockets has received it. One figure per round: the slowest participant, i.e. "everyone is updated".
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
PARTICIPANTS = 30
TARGET_P95_MS = 300.0
HOST = "127.0.0.1"
START_TIMEOUT = 60
RECEIVE_TIMEOUT = 10.0


def _free_port() -> int:
    first, _, last = os.environ.get("LIVE_BENCH_PORTS", "8615-8619").partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for the live bench server (set LIVE_BENCH_PORTS, e.g. 8615-8619)")


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres") + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_server(port: int, log_path: Path) -> subprocess.Popen:
    from django.conf import settings

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", HOST, "--port", str(port)]
    command += ["--lifespan", "off", "--no-access-log", "--log-level", "warning"]
    log = log_path.open("w")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the live bench server exited: {log_path.read_text()[-2000:]}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the live bench server did not start")


def _participants(count: int):
    """A project with ``count`` client participants, each with a logged-in session (cookies)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from scoping.models import Client, ClientParticipant, DiscoveryProject

    users = get_user_model()
    lead, _ = users.objects.get_or_create(
        username="bench-live-lead", defaults={"role": "consultant", "email": "bench-live-lead@example.test"}
    )
    client, _ = Client.objects.get_or_create(name="Bench live client")
    # One project, kept between runs (bench data only), so the other figures' datasets do not grow.
    project, _ = DiscoveryProject.objects.get_or_create(
        client=client, name="Bench live session", defaults={"lead_consultant": lead}
    )
    cookies, keys = [], []
    for index in range(count):
        user, _ = users.objects.get_or_create(
            username=f"bench-live-{index:02d}",
            defaults={"role": "client", "client": client, "email": f"bench-live-{index:02d}@example.test"},
        )
        ClientParticipant.objects.get_or_create(project=project, user=user)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
        keys.append(session.session_key)
    return project, cookies, keys


def saved_message(project_id: int, run: int) -> dict:
    """About the size of a real ``section.saved`` of a text field and a small list of rows (~1.5 KB)."""
    text = "Invoices arrive by e-mail as PDF; the AP team keys them into the ERP by hand. " * 4
    return {
        "type": "section.saved",
        "project": project_id,
        "section": "production_target",
        "revision": run + 2,
        "changed": ["problem_statement", "success_metrics"],
        "fields": {"problem_statement": {"value": text, "fingerprint": "0123456789abcdef"}},
        "rows": {
            "success_metrics": {
                "rows": [{"name": f"Metric {i}", "target": "95 %", "baseline": "70 %"} for i in range(3)],
                "fingerprint": "fedcba9876543210",
                "row_fingerprints": ["a" * 16, "b" * 16, "c" * 16],
            }
        },
        "by": {"id": 1, "name": "Bench Lead", "role": "Lead consultant"},
        "at": "2026-12-03T18:00:00Z",
        "origin": "bench",
        "sources": {"problem_statement": "Bench Lead, consultant, session 1"},
        "bench_run": run,
    }


class Listeners:
    """``count`` WebSocket clients in one asyncio loop of a thread; records when each receives each bench run."""

    def __init__(self, url: str, origin: str, cookies: list[str]) -> None:
        self.url, self.origin, self.cookies = url, origin, cookies
        self.received: dict[int, list[float]] = {}
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.loop = asyncio.new_event_loop()
        self.stop_event: asyncio.Event | None = None
        self.thread = threading.Thread(target=self._run, name="live-bench-clients", daemon=True)

    def start(self) -> Listeners:
        self.thread.start()
        if not self.ready.wait(START_TIMEOUT) or self.error:
            raise RuntimeError(f"the live bench clients did not connect: {self.error!r}")
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._main())
        except BaseException as error:  # noqa: BLE001 - reported to the main thread
            self.error = error
            self.ready.set()

    async def _main(self) -> None:
        from websockets.asyncio.client import connect

        self.stop_event = asyncio.Event()
        sockets = [
            await connect(self.url, origin=self.origin, additional_headers={"Cookie": cookie}, open_timeout=20)
            for cookie in self.cookies
        ]
        tasks = [asyncio.create_task(self._listen(ws)) for ws in sockets]
        self.ready.set()
        await self.stop_event.wait()
        for ws in sockets:
            await ws.close()
        for task in tasks:
            task.cancel()

    async def _listen(self, ws) -> None:
        async for raw in ws:
            at = time.perf_counter()
            if '"bench_run"' not in raw:
                continue  # presence of the others joining
            run = json.loads(raw)["bench_run"]
            with self.lock:
                self.received.setdefault(run, []).append(at)

    def wait_for(self, run: int, count: int, timeout: float = RECEIVE_TIMEOUT) -> list[float]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                got = list(self.received.get(run, []))
            if len(got) >= count:
                return got
            time.sleep(0.001)
        raise RuntimeError(f"run {run}: {len(got)} of {count} participants received the save within {timeout} s")

    def stop(self) -> None:
        if self.stop_event is not None:
            self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(timeout=10)


def bench_live(rounds: int, *, participants: int = PARTICIPANTS, log_dir: Path | None = None) -> dict:
    """The figure's samples: seconds from the broadcast to the last of ``participants`` sockets, per round."""
    from django.contrib.sessions.models import Session
    from django.db import transaction

    from scoping.realtime.broadcast import project_broadcast

    project, cookies, session_keys = _participants(participants)
    port = _free_port()
    log_dir = log_dir or ROOT / "var"
    log_dir.mkdir(parents=True, exist_ok=True)
    server = start_server(port, log_dir / "bench-live-server.log")
    listeners = None
    try:
        listeners = Listeners(f"ws://{HOST}:{port}/ws/projects/{project.pk}/", f"http://{HOST}:{port}", cookies)
        listeners.start()
        time.sleep(1.0)  # the joins' presence messages settle
        warm = -1
        with transaction.atomic():
            project_broadcast(project.pk, saved_message(project.pk, warm))
        listeners.wait_for(warm, participants)
        everyone, each = [], []
        for run in range(rounds):
            started = time.perf_counter()
            with transaction.atomic():
                project_broadcast(project.pk, saved_message(project.pk, run))
            received = listeners.wait_for(run, participants)
            everyone.append(max(received) - started)
            each += [at - started for at in received]
            time.sleep(0.05)
        return {"everyone": everyone, "each": each, "participants": participants}
    finally:
        if listeners is not None:
            listeners.stop()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        Session.objects.filter(session_key__in=session_keys).delete()
