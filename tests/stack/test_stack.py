"""The production stack on loopback, started the way docker-compose.yml starts it: through scripts/entrypoint.

migrate, then gunicorn (web), a Celery worker and celery beat on Redis, PostgreSQL (a database of its own,
$FIRSTSLICE_STACK_DATABASE, default ``firstslice_stack``), and Caddy in front with ``tls internal`` and the project's
Caddyfile. Everything runs with production settings (DJANGO_DEBUG=false, a 50+ character secret, ALLOWED_HOSTS).

Client address, honestly: Caddy listens on 127.0.0.1; the test's HTTPS client connects *from* 127.0.0.2 (any
127/8 address is loopback on Linux), so Caddy sees the client as 127.0.0.2 and reaches gunicorn from 127.0.0.1,
the only trusted proxy (DJANGO_TRUSTED_PROXIES). The audit trail must then say 127.0.0.2, not 127.0.0.1. The client
also sends a forged ``X-Forwarded-For: 203.0.113.66``, which Caddy (trusting no proxy in front of it) drops.

TLS is verified against Caddy's own local root certificate, from its data directory in a temporary HOME.
Ports: 18610 (gunicorn), 18643 (HTTPS), 18680 (HTTP), 18699 (Caddy admin). Every process is killed in teardown.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "scripts" / "entrypoint"
FIXTURE = ROOT / "tests" / "fixtures" / "invoice-coding.json"
WEB_PORT, HTTPS_PORT, HTTP_PORT, ADMIN_PORT = 18610, 18643, 18680, 18699
HOST = "127.0.0.1"
CLIENT_ADDRESS = "127.0.0.2"
BASE = f"https://{HOST}:{HTTPS_PORT}"
USERNAME, PASSWORD = "stack-lead", "stack-test-password-7f3c"
START_TIMEOUT = 60


def _database_url(name: str) -> str:
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, sig)  # its own session: the process and its children, nothing else
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@dataclass
class Stack:
    tmp: Path
    env: dict
    database_url: str
    services: dict[str, Service] = field(default_factory=dict)

    def start(self, name: str, command: list[str], env: dict | None = None) -> Service:
        log_path = self.tmp / f"{name}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.services[name] = Service(name, process, log_path)
        return self.services[name]

    def entrypoint(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(ENTRYPOINT), *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def query(self, sql: str, *params):
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def logs(self) -> str:
        return "\n".join(f"--- {s.name} ---\n{s.log()[-3000:]}" for s in self.services.values())


def _wait(predicate, *, timeout: float, what: str, stack: Stack):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for service in stack.services.values():
            if service.process.poll() is not None and service.name != "collectstatic":
                raise AssertionError(f"{service.name} exited while waiting for {what}:\n{stack.logs()}")
        try:
            value = predicate()
        except OSError:
            value = None
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}:\n{stack.logs()}")


class Browser:
    """HTTPS from 127.0.0.2 with cookies, verified against Caddy's root certificate."""

    def __init__(self, root_cert: Path) -> None:
        context = ssl.create_default_context(cafile=str(root_cert))

        class SourceHTTPSHandler(urllib.request.HTTPSHandler):
            def https_open(self, req):
                def connection(host, **kwargs):
                    kwargs.pop("context", None)
                    return http.client.HTTPSConnection(
                        host, context=context, source_address=(CLIENT_ADDRESS, 0), **kwargs
                    )

                return self.do_open(connection, req)

        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            SourceHTTPSHandler(), urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def request(self, path: str, *, data: bytes | None = None, headers: dict | None = None):
        url = path if path.startswith("https://") else BASE + path
        headers = {"X-Forwarded-For": "203.0.113.66", "Referer": BASE + "/", **(headers or {})}
        request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - always https://127.0.0.1
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        return response, response.read()

    def csrf(self, path: str) -> str:
        _, body = self.request(path)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert match, body[:500]
        return match.group(1).decode()

    def post(self, path: str, fields: dict, files: dict | None = None):
        fields = {"csrfmiddlewaretoken": self.csrf(path), **fields}
        if files is None:
            return self.request(path, data=urllib.parse.urlencode(fields).encode())
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: application/json\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            path, data=b"".join(parts), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    caddy = shutil.which("caddy")
    assert caddy, "caddy is missing: run scripts/install_system_deps.sh (it installs Debian's caddy package)"
    tmp = tmp_path_factory.mktemp("stack")
    database = os.environ.get("FIRSTSLICE_STACK_DATABASE", "firstslice_stack")
    admin_url = _database_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    for name in ("home", "media", "data", "config"):
        (tmp / name).mkdir()
    base_env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_"))}
    env = {
        **base_env,
        "PYTHON": sys.executable,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "stack-test-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_TRUSTED_PROXIES": "127.0.0.1",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https",
        "FIRSTSLICE_ALLOW_DEV_CERTIFICATE": "true",  # this test signs with a throwaway development certificate
        "DATABASE_URL": _database_url(database),
        "DB_POOL_MAX": "3",
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_QUEUE": f"stack-{uuid.uuid4().hex[:10]}",  # no stray job from another run is picked up
        "CELERY_NODE": f"stack-{uuid.uuid4().hex[:6]}@{os.uname().nodename}",
        "CELERY_BEAT_SCHEDULE_FILE": str(tmp / "celerybeat-schedule"),
        "WORKER_HEARTBEAT_INTERVAL": "2",
        "WORKER_HEARTBEAT_MAX_AGE": "10",
        "MEDIA_ROOT": str(tmp / "media"),
        "SIGNING_PKCS12_PATH": str(tmp / "secrets" / "signing.p12"),
        "SIGNING_PKCS12_PASSWORD": "stack-signing-password",
        "SITE_URL": BASE,
        "WEB_BIND": f"{HOST}:{WEB_PORT}",
        "WEB_CONCURRENCY": "2",
        "LOG_FORMAT": "json",
        "HOME": str(tmp / "home"),
        "EMAIL_URL": "dummymail://",  # the console backend would print e-mails among the log lines
        # Celery warns on stderr, in plain text, when run as root (the container runs as a normal user; tests may not).
        "PYTHONWARNINGS": "ignore:You're running the worker with superuser privileges",
    }
    stack = Stack(tmp=tmp, env=env, database_url=env["DATABASE_URL"])
    try:
        caddy_env = {
            **env,
            "XDG_DATA_HOME": str(tmp / "data"),
            "XDG_CONFIG_HOME": str(tmp / "config"),
            "FIRSTSLICE_DOMAIN": HOST,
            "FIRSTSLICE_UPSTREAM": f"{HOST}:{WEB_PORT}",
            "CADDY_HTTPS_PORT": str(HTTPS_PORT),
            "CADDY_HTTP_PORT": str(HTTP_PORT),
            "CADDY_ADMIN": f"{HOST}:{ADMIN_PORT}",
            "CADDY_SITE_DIRECTIVES": f"bind {HOST}",
        }
        stack.start("caddy", [caddy, "run", "--config", str(ROOT / "Caddyfile"), "--adapter", "caddyfile"], caddy_env)
        # The Dockerfile's build step (hashed names, a manifest, gzip and brotli copies), while migrate runs; it takes
        # a minute on a busy machine, so it is skipped when var/staticfiles is newer than every static source.
        collectstatic = None
        if _static_files_stale():
            collectstatic = stack.start(
                "collectstatic", [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
            )
        migrate = stack.entrypoint("migrate", timeout=120)
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        if collectstatic is not None:
            assert collectstatic.process.wait(timeout=180) == 0, collectstatic.log()
        stack.start("web", [str(ENTRYPOINT), "web"])
        stack.start("worker", [str(ENTRYPOINT), "worker"])
        stack.start("beat", [str(ENTRYPOINT), "beat"])
        # While they start: the person who logs in, and a throwaway signing certificate (never in production).
        setup = (
            "from django.core.management import call_command; from accounts.models import User; "
            f"User.objects.create_user(username={USERNAME!r}, password={PASSWORD!r}, role='consultant', "
            "first_name='Stack', last_name='Lead', email='stack@example.test'); "
            f"call_command('make_dev_certificate', out={env['SIGNING_PKCS12_PATH']!r})"
        )
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", setup], cwd=ROOT, env=env, capture_output=True, timeout=60
        )
        assert result.returncode == 0, result.stdout + result.stderr
        stack.root_cert = tmp / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        _wait(lambda: stack.root_cert.exists(), timeout=START_TIMEOUT, what="Caddy's local CA", stack=stack)
        _wait(_gunicorn_answers, timeout=START_TIMEOUT, what="gunicorn", stack=stack)
        _wait(
            lambda: " ready." in stack.services["worker"].log(), timeout=START_TIMEOUT, what="the worker", stack=stack
        )
        yield stack
    finally:
        for service in reversed(list(stack.services.values())):
            service.stop()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _gunicorn_answers() -> bool:
    request = urllib.request.Request(f"http://{HOST}:{WEB_PORT}/healthz", headers={"Host": HOST})  # noqa: S310
    with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310 - fixed http URL on loopback
        return response.status == 200


def _static_files_stale() -> bool:
    import django.contrib.admin

    manifest = ROOT / "var" / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [ROOT / "static", Path(django.contrib.admin.__file__).parent / "static"]
    return any(path.stat().st_mtime > built for source in sources for path in source.rglob("*"))


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_the_production_stack_serves_a_pdf_over_https_and_reports_its_health(stack):
    browser = Browser(stack.root_cert)

    # Static files: hashed names, served pre-compressed by WhiteNoise through Caddy.
    response, body = browser.request("/accounts/login/")
    assert response.status == 200, body[:1000]
    css = re.search(rb'href="(/static/css/app\.[0-9a-f]{12}\.css)"', body)
    assert css, body[:2000]
    response, _ = browser.request(css.group(1).decode(), headers={"Accept-Encoding": "br, gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] in {"br", "gzip"}
    assert "max-age=315360000" in response.headers["Cache-Control"]  # hashed: cached "forever"

    # Log in over HTTPS: the secure session cookie works behind the proxy.
    response, body = browser.post("/accounts/login/", {"username": USERNAME, "password": PASSWORD})
    assert response.status == 200 and response.url.endswith("/projects/"), (response.url, body[:500])
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert any(cookie.name == "sessionid" and cookie.secure for cookie in browser.cookies)

    # The audit trail has the client's address as Caddy passed it, not Caddy's, and not the forged header.
    [(ip,)] = stack.query("SELECT ip::text FROM scoping_activityevent WHERE verb = 'login'")
    assert ip.split("/")[0] == CLIENT_ADDRESS, ip

    # Import a scope through the upload form, then request a PDF and let the worker render it.
    response, body = browser.post(
        "/projects/import/", {"client": ""}, files={"file": ("invoice-coding.json", FIXTURE.read_bytes())}
    )
    assert response.status == 200, body[:1500]
    project_id = int(re.search(r"/projects/(\d+)/$", response.url).group(1))
    response, body = browser.post(f"/projects/{project_id}/documents/", {"kind": "draft", "version": "current"})
    assert response.status == 200 and b"requested" in body, body[:1500]
    [(document_id,)] = stack.query("SELECT id FROM reports_scopedocument")

    def ready():
        [(status, error)] = stack.query(
            "SELECT status, error_message FROM reports_scopedocument WHERE id = %s", document_id
        )
        assert status != "failed", error
        return status == "ready"

    _wait(ready, timeout=60, what="the worker to render the PDF", stack=stack)
    response, pdf = browser.request(f"/projects/{project_id}/documents/{document_id}/download/")
    assert response.status == 200
    assert pdf.startswith(b"%PDF-")
    assert response.headers["Content-Type"] == "application/pdf"

    # Logs are JSON lines, with the request id (web) and the task id (worker).
    web_lines = _json_lines(stack.services["web"].log())
    requests = [line for line in web_lines if line["logger"] == "firstslice.request"]
    assert requests and all(line["request_id"] and line["time"] and line["level"] for line in requests)
    # Every request through Caddy has the client's address; the direct health probes come from loopback.
    assert {line["client_ip"] for line in requests if line["path"] != "/healthz"} == {CLIENT_ADDRESS}

    # The worker writes its task lines after the task has stored the PDF, so under load the line can trail the
    # "ready" status by a moment: wait for it (a missing line still fails after the timeout).
    def task_logged():
        log = stack.services["worker"].log()
        lines = _json_lines(log[: log.rfind("\n") + 1])  # complete lines only: the worker may be mid-write
        return any(line.get("task_id") and line.get("task_name") == "reports.render_document" for line in lines)

    _wait(task_logged, timeout=20, what="the worker's JSON log line for the render task", stack=stack)
    _json_lines(stack.services["beat"].log())

    # Health: ready while everything runs; each process's own check passes; 503 once the worker stops.
    response, body = browser.request("/readyz")
    assert response.status == 200, body
    assert json.loads(body)["worker"]["workers"] == 1
    assert stack.entrypoint("healthcheck", "web").returncode == 0
    assert stack.entrypoint("healthcheck", "worker").returncode == 0
    assert stack.entrypoint("healthcheck", "beat").returncode == 0
    stack.services["worker"].stop()
    response, body = browser.request("/readyz")
    assert response.status == 503, body
    assert json.loads(body)["worker"]["ok"] is False
    response, _ = browser.request("/healthz")
    assert response.status == 200
