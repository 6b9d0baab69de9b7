"""``python -m bench.run`` (``make bench``): measure Firstslice against DESIGN.md's non-functional targets.

Prints a table and writes ``var/bench.json``. It never touches the database named in DATABASE_URL: it creates (once)
and migrates a separate ``<name>_bench`` database next to it, and stores bench PDFs under ``var/bench-media``.

Figures:
- scope PDF render time (median, min, max) and pages, for the worked example and a ~15-page scope
  (``reports.fixtures.long_scope``), through ``reports.rendering.render_scope_pdf``, the function the job uses;
- the ratio of that to a bare WeasyPrint render of the same HTML (our overhead: template, context, fetcher);
- the peak memory (RSS) of the process while rendering;
- request -> job -> PDF ready, median, with a real Celery worker on Redis (REDIS_URL);
- the pipeline page with 10,000 projects: SQL queries per request and median response time;
- a guided-step save (POST to ``projects:step``): median response time.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "var" / "bench.json"
MEDIA = ROOT / "var" / "bench-media"
EXAMPLE_SCOPE = ROOT / "tests" / "fixtures" / "invoice-coding.json"
BENCH_CLIENT = "Bench client (worked example)"

PDF_RUNS = 7
BARE_RUNS = 5
JOB_RUNS = 10
PIPELINE_PROJECTS = 10_000
PIPELINE_RUNS = 20
STEP_RUNS = 20
WORKER_READY_TIMEOUT = 90
JOB_TIMEOUT = 120

TARGETS = {
    "pdf_long_median_s": 1.0,
    "job_request_to_ready_median_s": 2.0,
    "pipeline_queries": 8,
    "pipeline_median_ms": 100.0,
    "step_save_median_ms": 50.0,
}


# --- Set-up: a database of its own ----------------------------------------------------------------------------------


def bench_database_url(url: str) -> tuple[str, str]:
    """DATABASE_URL with ``_bench`` appended to the database name, and that name."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(f"make bench needs PostgreSQL (DATABASE_URL={url!r}).")
    name = (parts.path.lstrip("/") or "firstslice") + "_bench"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def ensure_database(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    with psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django() -> str:
    source = os.environ.get("DATABASE_URL")
    if not source or not os.environ.get("REDIS_URL"):
        raise SystemExit("Set DATABASE_URL and REDIS_URL (make bench does, with the local servers as defaults).")
    url, name = bench_database_url(source)
    ensure_database(source, name)
    os.environ["DATABASE_URL"] = url
    os.environ["MEDIA_ROOT"] = str(MEDIA)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    for noisy in ("weasyprint", "fontTools", "celery", "kombu", "django.request"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return name


# --- Helpers ----------------------------------------------------------------------------------------------------


def timed(function: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return samples


def summary(samples: list[float], scale: float = 1.0, digits: int = 3) -> dict:
    return {
        "median": round(statistics.median(samples) * scale, digits),
        "min": round(min(samples) * scale, digits),
        "max": round(max(samples) * scale, digits),
        "runs": len(samples),
    }


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux reports KiB


def bench_user(username: str, role: str):
    from django.contrib.auth import get_user_model

    user, _created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"role": role, "first_name": "Bench", "last_name": role.title(), "email": f"{username}@bench.invalid"},
    )
    return user


def example_project(lead, name: str):
    """The worked example as a project called ``name`` (imported on the first run, reused afterwards)."""
    from scoping.models import DiscoveryProject
    from scoping.scope_io import import_scope

    existing = DiscoveryProject.objects.filter(name=name, client__name=BENCH_CLIENT).order_by("pk").first()
    if existing is not None:
        return existing
    data = json.loads(EXAMPLE_SCOPE.read_text())
    data["project"]["name"] = name
    project = import_scope(data=data, client_name=BENCH_CLIENT, user=lead)
    return DiscoveryProject.objects.get(pk=project.pk)


# --- PDF rendering ------------------------------------------------------------------------------------------------


def bench_pdf() -> dict:
    import weasyprint

    from reports.fixtures import long_scope
    from reports.rendering import STYLESHEET, DocumentMeta, render_scope_html, render_scope_pdf, static_root
    from scoping.scope_schema import validate_scope

    demo = validate_scope(json.loads(EXAMPLE_SCOPE.read_text()))
    long = validate_scope(long_scope(demo))
    now = datetime.now(UTC)
    meta = DocumentMeta(
        kind="proposal",
        version_number=3,
        version_sha256="0123456789abcdef" * 4,
        frozen_at=now,
        frozen_by="Bench",
        status_label="Proposal",
        generated_at=now,
    )
    rss_before = peak_rss_mb()
    results = {}
    for label, scope in (("demo", demo), ("long", long)):
        rendered = render_scope_pdf(snapshot=scope, meta=meta)  # warm-up: fonts and stylesheet load once
        samples = timed(lambda scope=scope: render_scope_pdf(snapshot=scope, meta=meta), PDF_RUNS)
        results[label] = {"pages": rendered.page_count, "bytes": len(rendered.pdf), "seconds": summary(samples)}

    html = render_scope_html(snapshot=long, meta=meta)
    base_url = static_root().as_uri() + "/"
    stylesheet = static_root() / STYLESHEET

    def bare() -> None:
        weasyprint.HTML(string=html, base_url=base_url).write_pdf(stylesheets=[weasyprint.CSS(filename=stylesheet)])

    bare()
    bare_samples = timed(bare, BARE_RUNS)
    results["bare_weasyprint_long_seconds"] = summary(bare_samples)
    results["overhead_ratio_long"] = round(
        results["long"]["seconds"]["median"] / results["bare_weasyprint_long_seconds"]["median"], 2
    )
    results["peak_rss_mb"] = peak_rss_mb()
    results["peak_rss_mb_before_renders"] = rss_before
    return results


# --- Request -> ready with a real worker --------------------------------------------------------------------------


def start_worker(queue: str, log_path: Path) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, LOG_LEVEL="INFO", PYTHONPATH=str(ROOT))
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{queue}@%h",
                "-Q",
                queue,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + WORKER_READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The bench worker exited at start-up; see {log_path}.")
        if " ready." in log_path.read_text(errors="replace"):
            return process
        time.sleep(0.1)
    stop_worker(process)
    raise RuntimeError(f"The bench worker was not ready within {WORKER_READY_TIMEOUT} s; see {log_path}.")


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def bench_job() -> dict:
    from django.conf import settings

    from reports import services
    from reports.models import DocumentStatus, ScopeDocument
    from scoping.versioning import version_freeze

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    settings.DOCUMENT_QUEUE = queue
    lead = bench_user("bench-consultant", "consultant")
    version = version_freeze(project=example_project(lead, "Bench worked example (job)"), actor=lead)
    worker = start_worker(queue, ROOT / "var" / "bench-worker.log")
    try:

        def request_and_wait() -> None:
            document = services.document_request(version=version, kind="draft", requested_by=lead)
            deadline = time.monotonic() + JOB_TIMEOUT
            while time.monotonic() < deadline:
                status = ScopeDocument.objects.filter(pk=document.pk).values_list("status", flat=True).first()
                if status == DocumentStatus.READY:
                    return
                if status == DocumentStatus.FAILED:
                    message = ScopeDocument.objects.get(pk=document.pk).error_message
                    raise RuntimeError(f"The bench document failed: {message}")
                time.sleep(0.01)
            raise RuntimeError(f"The bench document was not ready within {JOB_TIMEOUT} s.")

        request_and_wait()  # warm-up: the worker loads fonts and the stylesheet once
        samples = timed(request_and_wait, JOB_RUNS)
    finally:
        stop_worker(worker)
    return {"seconds": summary(samples), "queue": queue}


# --- Pipeline page with 10,000 projects -----------------------------------------------------------------------------


def seed_pipeline(lead) -> int:
    from django.utils import timezone

    from scoping.models import Client, DiscoveryProject, Stage

    prefix = "Bench pipeline project"
    existing = DiscoveryProject.objects.filter(name__startswith=prefix).count()
    missing = PIPELINE_PROJECTS - existing
    if missing > 0:
        clients = [
            Client.objects.get_or_create(name=f"Bench pipeline client {number:03d}", defaults={"industry": "Bench"})[0]
            for number in range(100)
        ]
        stages = [stage for stage, _label in Stage.choices]
        now = timezone.now()
        DiscoveryProject.objects.bulk_create(
            [
                DiscoveryProject(
                    client=clients[number % len(clients)],
                    name=f"{prefix} {existing + number:05d}",
                    lead_consultant=lead,
                    stage=stages[number % len(stages)],
                    currency="EUR",
                    last_activity_at=now,
                    readiness_score=number % 9,
                    readiness_blockers=(8 - number % 9),
                )
                for number in range(missing)
            ],
            batch_size=2000,
        )
    return DiscoveryProject.objects.count()


def bench_pipeline() -> dict:
    from django.db import connection
    from django.test import Client as HttpClient
    from django.urls import reverse

    lead = bench_user("bench-consultant", "consultant")
    total = seed_pipeline(lead)
    reviewer = bench_user("bench-reviewer", "reviewer")  # a reviewer sees every project: the biggest pipeline
    http = HttpClient(HTTP_HOST="127.0.0.1")
    http.force_login(reviewer)
    url = reverse("projects:list")
    first = http.get(url)
    if first.status_code != 200:
        raise RuntimeError(f"The pipeline page answered {first.status_code}.")
    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        http.get(url)  # every query of the request: session, user, the page itself
    samples = timed(lambda: http.get(url), PIPELINE_RUNS)
    return {"projects": total, "queries": len(executed), "ms": summary(samples, 1000, 1)}


# --- Guided-step save --------------------------------------------------------------------------------------------


class _PostForms(HTMLParser):
    """The submittable fields of every POST form on a page, as a browser would send them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._fields = []
            self.forms.append(self._fields)
            return
        if self._fields is None:
            return
        name = attributes.get("name")
        if tag == "input" and name and "disabled" not in attributes:
            kind = (attributes.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            self._fields.append((name, attributes.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._select_value, self._first_option = name, None, None
        elif tag == "option" and self._select is not None:
            value = attributes.get("value") or ""
            if self._first_option is None:
                self._first_option = value
            if "selected" in attributes:
                self._select_value = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._fields is None:
            return
        if tag == "textarea" and self._textarea is not None:
            self._fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            value = self._select_value if self._select_value is not None else self._first_option
            self._fields.append((self._select, value or ""))
            self._select = None
        elif tag == "form":
            self._fields = None


def bench_step_save() -> dict:
    from django.test import Client as HttpClient
    from django.urls import NoReverseMatch, reverse

    lead = bench_user("bench-consultant", "consultant")
    project = example_project(lead, "Bench worked example (step save)")
    try:
        url = reverse("projects:step", args=[project.pk, "production_target"])
    except NoReverseMatch:
        return {"skipped": "projects:step does not exist (the guided steps are not installed)"}
    http = HttpClient(HTTP_HOST="127.0.0.1")
    http.force_login(lead)
    samples = []
    for run in range(STEP_RUNS + 1):
        page = http.get(url)
        if page.status_code != 200:
            return {"skipped": f"GET {url} answered {page.status_code}"}
        parser = _PostForms()
        parser.feed(page.content.decode())
        step_form = next((form for form in parser.forms if any(name == "problem_statement" for name, _ in form)), None)
        if step_form is None:
            return {"skipped": "the production-target step page has no form with a problem_statement field"}
        fields = [(name, value) for name, value in step_form if name != "csrfmiddlewaretoken"]
        data: dict[str, list[str]] = {}
        for name, value in fields:
            if name == "problem_statement":
                value = f"{value.split(' [bench')[0]} [bench {run}]"
            data.setdefault(name, []).append(value)
        started = time.perf_counter()
        response = http.post(url, data)
        elapsed = time.perf_counter() - started
        if response.status_code != 302:
            return {"skipped": f"POST {url} answered {response.status_code}, not a redirect after saving"}
        if run:  # the first save warms caches
            samples.append(elapsed)
    return {"ms": summary(samples, 1000, 1)}


# --- Report ------------------------------------------------------------------------------------------------------


def verdict(value: float | None, target: float) -> str:
    if value is None:
        return "—"
    return "ok" if value <= target else "MISSED"


def table(results: dict) -> str:
    pdf, job, pipeline, step = results["pdf"], results["job"], results["pipeline"], results["step_save"]
    rows = [
        ("Measure", "Median", "Min", "Max", "Target", "Result"),
        (
            f"Demo scope PDF render ({pdf['demo']['pages']} pages)",
            f"{pdf['demo']['seconds']['median']:.3f} s",
            f"{pdf['demo']['seconds']['min']:.3f} s",
            f"{pdf['demo']['seconds']['max']:.3f} s",
            "",
            "",
        ),
        (
            f"Long scope PDF render ({pdf['long']['pages']} pages)",
            f"{pdf['long']['seconds']['median']:.3f} s",
            f"{pdf['long']['seconds']['min']:.3f} s",
            f"{pdf['long']['seconds']['max']:.3f} s",
            "<= 1.0 s",
            verdict(pdf["long"]["seconds"]["median"], TARGETS["pdf_long_median_s"]),
        ),
        (
            "Bare WeasyPrint, same long HTML",
            f"{pdf['bare_weasyprint_long_seconds']['median']:.3f} s",
            f"{pdf['bare_weasyprint_long_seconds']['min']:.3f} s",
            f"{pdf['bare_weasyprint_long_seconds']['max']:.3f} s",
            "",
            "",
        ),
        ("Ratio ours / bare (overhead)", f"{pdf['overhead_ratio_long']:.2f}x", "", "", "", ""),
        (
            f"Peak memory, RSS ({pdf['peak_rss_mb_before_renders']:.0f} MB before rendering)",
            f"{pdf['peak_rss_mb']:.0f} MB",
            "",
            "",
            "",
            "",
        ),
    ]
    if "seconds" in job:
        rows.append(
            (
                "Request -> PDF ready (real worker, Redis)",
                f"{job['seconds']['median']:.3f} s",
                f"{job['seconds']['min']:.3f} s",
                f"{job['seconds']['max']:.3f} s",
                "<= 2.0 s",
                verdict(job["seconds"]["median"], TARGETS["job_request_to_ready_median_s"]),
            )
        )
    else:
        rows.append(("Request -> PDF ready (real worker, Redis)", "skipped", "", "", "<= 2.0 s", job["skipped"]))
    rows += [
        (
            f"Pipeline page, {pipeline['projects']:,} projects: SQL queries",
            str(pipeline["queries"]),
            "",
            "",
            "<= 8",
            verdict(pipeline["queries"], TARGETS["pipeline_queries"]),
        ),
        (
            f"Pipeline page, {pipeline['projects']:,} projects: response",
            f"{pipeline['ms']['median']:.1f} ms",
            f"{pipeline['ms']['min']:.1f} ms",
            f"{pipeline['ms']['max']:.1f} ms",
            "<= 100 ms",
            verdict(pipeline["ms"]["median"], TARGETS["pipeline_median_ms"]),
        ),
    ]
    if "ms" in step:
        rows.append(
            (
                "Guided-step save (POST projects:step)",
                f"{step['ms']['median']:.1f} ms",
                f"{step['ms']['min']:.1f} ms",
                f"{step['ms']['max']:.1f} ms",
                "<= 50 ms",
                verdict(step["ms"]["median"], TARGETS["step_save_median_ms"]),
            )
        )
    else:
        rows.append(("Guided-step save", "skipped", "", "", "<= 50 ms", step["skipped"]))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[column]) for column, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> int:
    database = setup_django()
    from django.conf import settings

    results: dict = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_start": [round(load, 2) for load in os.getloadavg()],
            "debug": settings.DEBUG,
            "database": database,
        },
        "targets": TARGETS,
    }
    print(f"Benchmarking against database {database} (a copy of nothing: bench data only). This takes a minute…")
    results["pdf"] = bench_pdf()
    try:
        results["job"] = bench_job()
    except RuntimeError as problem:
        results["job"] = {"skipped": str(problem)}
    results["pipeline"] = bench_pipeline()
    results["step_save"] = bench_step_save()
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(table(results))
    print()
    print(f"Written to {OUTPUT.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
