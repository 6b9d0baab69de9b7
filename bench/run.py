"""``python -m bench.run`` (``make bench``): measure Firstslice against DESIGN.md's non-functional targets (part 2).

Prints a table and writes ``var/bench.json``. It never touches the database named in DATABASE_URL: it creates (once)
and migrates bench databases next to it (``<name>_bench`` with 10,000 projects, ``<name>_bench_100k`` with
100,000), reuses their datasets on later runs, and stores bench PDFs under ``var/bench-media``.

Every figure is measured interleaved with its floor (A, B, A, B…) and compared as the median of the per-round
ratios, because these machines are noisy:
- the 15-page scope PDF (``bench.scopes.long_scope``) through ``documents.rendering.render_scope_pdf``, against a
  bare WeasyPrint render of the same HTML with the same stylesheet and fonts (``@font-face`` honoured);
- request -> job -> PDF ready for that 15-page document with a real Celery worker on Redis, against the pure render
  of the same version in this process;
- the guided-step page (GET) and a step save (POST), the pipeline list, search and review queue, as a reviewer
  (sees every project) and as a consultant (sees the ~5 % they lead or are members of), against a trivial
  logged-in page (``bench/urls.py``: the base layout and nothing else, 2 queries) requested in the same rounds;
  the list, search, a deep list page (80 % down the person's list), the board, the review queue and the API's
  project list at 10,000 and 100,000 projects, each <= 100 ms median, where their query counts must not change;
- the board's CSV export of every project the person sees, streamed (one run: seconds, rows, peak memory growth).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import platform
import re
import resource
import signal
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import dataset
from bench.measure import count_queries, interleaved, median, median_ratio, p95
from config.celery import solo_worker_arguments

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "var" / "bench.json"
MEDIA = ROOT / "var" / "bench-media"
EXAMPLE_SCOPE = ROOT / "tests" / "fixtures" / "invoice-coding.json"
BENCH_CLIENT = "Bench client (worked example)"
WORKER_READY_TIMEOUT = 90
JOB_TIMEOUT = 120
SEARCH_TERM = "0042"  # matches 1 in 10,000 bench project names at every size (0042xx, 00042x…)
# The figures held to <= SCALE_MS and to the same query count at every size (their keys start with these).
SCALE_KEYS = ("list", "search", "deep", "board", "queue", "api")

# DESIGN.md, "Non-functional targets (part 2)".
PDF_RATIO = 1.0
JOB_RATIO = 1.1
STEP_RATIO = 6.0
LIST_RATIO = 5.0
SCALE_MS = 100.0

# Every target of DESIGN.md part 2 has a figure now; a target left unmeasured would be named here.
NOT_MEASURED: list[str] = []


@dataclass(frozen=True)
class Config:
    sizes: tuple[int, ...] = (10_000, 100_000)
    rounds: int = 20  # web figures, per dataset
    pdf_rounds: int = 7
    job_rounds: int = 7
    # "long": the 15-page scope the target is set on; "demo": the worked example (--quick); "blank": a scope with
    # nothing but a name (a few pages, for the harness's own smoke test).
    pdf_scope: str = "long"
    job: bool = True
    live: bool = True  # a save reaching 30 participants over real WebSockets (bench/live.py)


# --- Set-up: databases of their own ----------------------------------------------------------------------------------


def bench_database_name(url: str, size: int, first_size: int) -> str:
    """``<name>_bench`` for the first (10,000) dataset, ``<name>_bench_100k`` and so on for the others."""
    parts = urlsplit(url)
    base = (parts.path.lstrip("/") or "firstslice") + "_bench"
    return base if size == first_size else f"{base}_{size // 1000}k" if size % 1000 == 0 else f"{base}_{size}"


def _admin_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    )


def ensure_database(url: str, name: str, *, recreate: bool = False) -> None:
    from psycopg import sql

    with _admin_connection(url) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and recreate:
            connection.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            exists = None
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(source: str, first_database: str) -> None:
    parts = urlsplit(source)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{first_database}"))  # the worker reads it too
    os.environ["MEDIA_ROOT"] = str(MEDIA)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # WhiteNoise warns that collectstatic has not run; the bench serves no static files.
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    # Measure the request path as production runs it: no per-query debug log, no template debug information.
    # (DJANGO_DEBUG=false at start-up would also demand production secrets and collected static files.)
    settings.DEBUG = False
    for noisy in ("weasyprint", "fontTools", "celery", "kombu", "django.request"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def use_database(source: str, name: str, size: int) -> str:
    """Point Django at bench database ``name`` holding ``size`` projects (seeded now unless already there)."""
    from django.core.management import call_command
    from django.db import connections

    from scoping.models import DiscoveryProject

    def switch(recreate: bool = False) -> None:
        connections.close_all()
        connection = connections["default"]
        if hasattr(connection, "close_pool"):  # the psycopg pool keeps the old database's connections otherwise
            connection.close_pool()
        ensure_database(source, name, recreate=recreate)
        connection.settings_dict["NAME"] = name
        call_command("migrate", interactive=False, verbosity=0)

    switch()
    if dataset.dataset_ready(size):
        return "reused"
    if DiscoveryProject.objects.exists():  # an older bench layout or a half-written seed: start clean
        switch(recreate=True)
    started = time.perf_counter()
    dataset.dataset_seed(size)
    return f"seeded in {time.perf_counter() - started:.0f} s"


# --- Figures -----------------------------------------------------------------------------------------------------


def figure(name: str, samples: list[float], *, unit: str, **extra) -> dict:
    scale = 1000.0 if unit == "ms" else 1.0
    digits = 1 if unit == "ms" else 3
    return {
        "name": name,
        "unit": unit,
        "median": round(median(samples) * scale, digits),
        "p95": round(p95(samples) * scale, digits),
        "runs": len(samples),
        "queries": None,
        "floor": None,
        "ratio": None,
        "checks": [],
        **extra,
    }


def check(fig: dict, target: str, ok: bool) -> None:
    fig["checks"].append({"target": target, "ok": bool(ok)})


def finish(fig: dict) -> dict:
    fig["result"] = ("PASS" if all(item["ok"] for item in fig["checks"]) else "MISS") if fig["checks"] else "info"
    return fig


def with_ratio(fig: dict, samples: list[float], floor: list[float], floor_name: str, target: float | None) -> dict:
    fig["floor"] = floor_name
    fig["ratio"] = round(median_ratio(samples, floor), 2)
    if target is not None:
        check(fig, f"<= {target:g}x", fig["ratio"] <= target)
    return fig


def example_project(lead, name: str, *, long: bool = False):
    """The worked example (or its 15-page version) as a project called ``name``, imported once and reused."""
    from bench.scopes import long_scope
    from scoping.models import DiscoveryProject
    from scoping.projects.scope_io import import_scope
    from scoping.scope.schema import validate_scope

    existing = DiscoveryProject.objects.filter(name=name, client__name=BENCH_CLIENT).order_by("pk").first()
    if existing is not None:
        return existing
    data = json.loads(EXAMPLE_SCOPE.read_text())
    if long:
        data = long_scope(validate_scope(data))
    data["project"]["name"] = name
    project = import_scope(data=data, client_name=BENCH_CLIENT, user=lead)
    return DiscoveryProject.objects.get(pk=project.pk)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux reports KiB


def pdf_fonts(pdf: bytes) -> list[str]:
    """The font names embedded in a PDF (subset prefixes dropped): proof that both renders used the same fonts."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in (page["/Resources"].get("/Font") or {}).values():
            names.add(re.sub(r"^/?([A-Z]{6}\+)?", "", str(ref.get_object()["/BaseFont"])))
    return sorted(names)


# --- PDF rendering ------------------------------------------------------------------------------------------------


def bench_pdf(config: Config) -> tuple[list[dict], dict]:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from bench.scopes import long_scope
    from documents.print_context import DocumentMeta
    from documents.rendering import STYLESHEET, render_scope_html, render_scope_pdf, static_root
    from scoping.scope.schema import validate_scope

    scope = validate_scope(json.loads(EXAMPLE_SCOPE.read_text()))
    if config.pdf_scope == "long":
        scope = validate_scope(long_scope(scope))
    elif config.pdf_scope == "blank":
        scope = {"project": {"name": "Bench", "client": "Bench"}}
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
    html = render_scope_html(snapshot=scope, meta=meta)
    base_url = static_root().as_uri() + "/"
    # The floor: plain WeasyPrint, default fetcher, the same HTML and print.css. The stylesheet is parsed once with a
    # FontConfiguration (without one WeasyPrint drops every @font-face rule and falls back to system fonts).
    font_config = FontConfiguration()
    stylesheet = weasyprint.CSS(filename=str(static_root() / STYLESHEET), font_config=font_config)

    def bare() -> bytes:
        return weasyprint.HTML(string=html, base_url=base_url).write_pdf(
            stylesheets=[stylesheet], font_config=font_config
        )

    ours_pdf = render_scope_pdf(snapshot=scope, meta=meta)  # warm-ups: fonts and stylesheet load once
    bare_pdf = bare()
    samples = interleaved(
        {"ours": lambda: render_scope_pdf(snapshot=scope, meta=meta), "bare": bare}, config.pdf_rounds
    )
    fonts = {"ours": pdf_fonts(ours_pdf.pdf), "bare": pdf_fonts(bare_pdf)}
    pages = ours_pdf.page_count
    floor = finish(figure("PDF, bare WeasyPrint (same HTML, CSS, fonts)", samples["bare"], unit="s"))
    ours = figure(f"PDF render, {pages}-page scope (render_scope_pdf)", samples["ours"], unit="s", pages=pages)
    with_ratio(ours, samples["ours"], samples["bare"], floor["name"], PDF_RATIO)
    check(ours, "same fonts as the floor", fonts["ours"] == fonts["bare"] and bool(fonts["ours"]))
    info = {"fonts": fonts, "pages": pages, "peak_rss_mb_before": rss_before, "peak_rss_mb": peak_rss_mb()}
    return [floor, finish(ours)], info


# --- Request -> ready with a real worker --------------------------------------------------------------------------


def start_worker(queue: str, log_path: Path) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, LOG_LEVEL="INFO", PYTHONPATH=str(ROOT))
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *solo_worker_arguments(queue)],
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


def bench_job(config: Config) -> list[dict]:
    from django.conf import settings

    from documents import render_job, services
    from documents.models import DocumentStatus, ScopeDocument
    from documents.rendering import render_scope_pdf
    from documents.versioning import version_freeze

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    settings.DOCUMENT_QUEUE = queue
    lead = dataset.bench_user(dataset.CONSULTANT, "consultant")
    project = example_project(lead, "Bench 15-page scope (job)", long=True)
    version = version_freeze(project=project, actor=lead)
    worker = start_worker(queue, ROOT / "var" / "bench-worker.log")
    ready: list[ScopeDocument] = []
    try:

        def request_and_wait() -> None:
            document = services.document_request(version=version, kind="draft", requested_by=lead)
            deadline = time.monotonic() + JOB_TIMEOUT
            while time.monotonic() < deadline:
                status = ScopeDocument.objects.filter(pk=document.pk).values_list("status", flat=True).first()
                if status == DocumentStatus.READY:
                    ready.append(document)
                    return
                if status == DocumentStatus.FAILED:
                    message = ScopeDocument.objects.get(pk=document.pk).error_message
                    raise RuntimeError(f"The bench document failed: {message}")
                time.sleep(0.01)
            raise RuntimeError(f"The bench document was not ready within {JOB_TIMEOUT} s.")

        request_and_wait()  # warm-up: the worker loads fonts and the stylesheet once
        document = ScopeDocument.objects.select_related("version").get(pk=ready[0].pk)
        meta = render_job.document_meta(document)
        pages = render_scope_pdf(snapshot=document.version.scope, meta=meta).page_count  # warm-up here too

        def pure_render() -> None:
            render_scope_pdf(snapshot=document.version.scope, meta=meta)

        samples = interleaved({"job": request_and_wait, "render": pure_render}, config.job_rounds)
    finally:
        stop_worker(worker)
    floor = finish(figure(f"PDF pure render, same {pages}-page version (floor)", samples["render"], unit="s"))
    job = figure("Request -> PDF ready (real worker, Redis)", samples["job"], unit="s", pages=pages)
    with_ratio(job, samples["job"], samples["render"], floor["name"], JOB_RATIO)
    return [floor, finish(job)]


# --- Web pages ---------------------------------------------------------------------------------------------------


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


def step_form_data(html: str, run: int) -> dict[str, list[str]]:
    """What a browser sends when someone edits the problem statement on the production-target step and saves."""
    parser = _PostForms()
    parser.feed(html)
    step_form = next((form for form in parser.forms if any(name == "problem_statement" for name, _ in form)), None)
    if step_form is None:
        raise RuntimeError("The production-target step page has no form with a problem_statement field.")
    data: dict[str, list[str]] = {}
    for name, value in step_form:
        if name == "csrfmiddlewaretoken":
            continue
        if name == "problem_statement":
            value = f"{value.split(' [bench')[0]} [bench {run}]"
        data.setdefault(name, []).append(value)
    return data


def _get(http, url: str, expected: int = 200):
    def call():
        response = http.get(url)
        if response.status_code != expected:
            raise RuntimeError(f"GET {url} answered {response.status_code}, expected {expected}.")
        return response

    return call


def bench_pages(config: Config, size: int, *, first: bool) -> list[dict]:
    """One interleaved run on the current dataset: the trivial page, then every page it is the floor of."""
    from django.test.utils import override_settings

    with override_settings(ROOT_URLCONF="bench.urls"):  # the app's URLs plus the trivial page
        return _bench_pages(config, size, first=first)


def _bench_pages(config: Config, size: int, *, first: bool) -> list[dict]:
    from django.test import Client as HttpClient
    from django.urls import reverse

    from scoping.models import DiscoveryProject

    consultant = dataset.bench_user(dataset.CONSULTANT, "consultant")
    reviewer = dataset.bench_user(dataset.REVIEWER, "reviewer")
    clients = {}
    for label, user in (("reviewer", reviewer), ("consultant", consultant)):
        clients[label] = HttpClient(HTTP_HOST="127.0.0.1")
        clients[label].force_login(user)
    pipeline, queue = reverse("projects:list"), reverse("projects:review_queue")
    calls: dict[str, Callable[[], object]] = {"trivial": _get(clients["consultant"], reverse("bench_trivial"))}
    at = f"{size:,} projects"
    names = {"trivial": "Trivial logged-in page (base layout only)"}

    if first:
        # An existing cheap page, for comparison: its two forms through crispy cost about as much as the stack.
        calls["profile"] = _get(clients["consultant"], reverse("profile"))
        names["profile"] = "Profile page GET (2 queries; for comparison)"
        project = example_project(consultant, "Bench worked example (steps)")
        step_url = reverse("projects:step", args=[project.pk, "production_target"])
        state = {"run": 0, "page": None}

        def step_get():
            state["page"] = _get(clients["consultant"], step_url)()

        def step_save():
            state["run"] += 1
            data = step_form_data(state["page"].content.decode(), state["run"])  # parsing is not the server's time
            started = time.perf_counter()
            response = clients["consultant"].post(step_url, data)
            elapsed = time.perf_counter() - started
            if response.status_code != 302:
                raise RuntimeError(f"POST {step_url} answered {response.status_code}, not a redirect after saving.")
            return elapsed

        calls["step_get"], calls["step_save"] = step_get, step_save
        names["step_get"] = "Step page GET (production target)"
        names["step_save"] = "Step save POST (production target)"

    visible = {
        "reviewer": DiscoveryProject.objects.visible_to(reviewer).count(),
        "consultant": DiscoveryProject.objects.visible_to(consultant).count(),
    }
    board, api_projects = reverse("projects:board"), "/api/v1/projects?limit=20"
    for role in ("reviewer", "consultant"):
        http = clients[role]
        deep = deep_page(visible[role])
        token = api_token(reviewer if role == "reviewer" else consultant)
        calls[f"list_{role}"] = _get(http, pipeline)
        calls[f"search_{role}"] = _get(http, f"{pipeline}?q={SEARCH_TERM}")
        calls[f"deep_{role}"] = _get(http, f"{pipeline}?page={deep}")
        calls[f"board_{role}"] = _get(http, board)
        calls[f"queue_{role}"] = _get(http, queue)
        calls[f"api_{role}"] = _get_api(token, api_projects)
        names[f"list_{role}"] = f"Pipeline list as {role}, {at}"
        names[f"search_{role}"] = f"Search ?q={SEARCH_TERM} as {role}, {at}"
        names[f"deep_{role}"] = f"Deep list page {deep:,} as {role}, {at}"
        names[f"board_{role}"] = f"Board as {role}, {at}"
        names[f"queue_{role}"] = f"Review queue as {role}, {at}"
        names[f"api_{role}"] = f"API GET /projects as {role}, {at}"

    for call in calls.values():  # warm-up: templates, URL resolver, first connection
        call()
    queries = {name: count_queries(call) for name, call in calls.items()}
    samples = _interleaved_timed(calls, config.rounds)

    figures = []
    floor = figure(names["trivial"], samples["trivial"], unit="ms", queries=queries["trivial"], size=size)
    figures.append(finish(floor))
    for key, call_samples in samples.items():
        if key == "trivial":
            continue
        fig = figure(names[key], call_samples, unit="ms", queries=queries[key], size=size, key=key)
        # The ratio targets hold on the first (10,000-project) dataset; at the others the ratio is information.
        target = STEP_RATIO if key.startswith("step") else LIST_RATIO if key.startswith("list") and first else None
        with_ratio(fig, call_samples, samples["trivial"], floor["name"], target)
        if key.split("_")[0] in SCALE_KEYS:
            role = key.split("_", 1)[1]
            fig["visible_projects"] = visible[role]
            check(fig, f"<= {SCALE_MS:g} ms", fig["median"] <= SCALE_MS)
        figures.append(fig)
    figures.append(bench_export(clients["reviewer"], size, visible["reviewer"]))
    return figures


def deep_page(visible: int, per_page: int = 25) -> int:
    """The page 80 % of the way down a list of ``visible`` projects: what OFFSET would make slow."""
    return max(1, visible * 8 // 10 // per_page)


def api_token(user) -> str:
    """A read-only token of ``user`` for the API figures (a new one per run; the old ones stay, unused)."""
    from api.models import TokenScope
    from api.tokens import token_create

    _token, raw = token_create(user=user, name="Bench", scope=TokenScope.READ, lifetime_days=1)
    return raw


def _get_api(token: str, url: str):
    from django.test import Client as HttpClient

    http = HttpClient(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    return _get(http, url)


def bench_export(http, size: int, visible: int) -> dict:
    """The board's CSV of every project the reviewer sees, read to the end once: time, rows and memory growth."""
    import tracemalloc

    from django.urls import reverse

    seen: dict = {"rows": -1}  # the header is not a project

    def export() -> None:
        tracemalloc.start()
        started = time.perf_counter()
        seen["response"] = http.get(reverse("projects:board_export"))
        for chunk in seen["response"].streaming_content:
            seen["rows"] += chunk.count(b"\n")
        seen["elapsed"] = time.perf_counter() - started
        seen["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    queries = count_queries(export)
    response, rows, peak = seen["response"], seen["rows"], seen["peak"]
    fig = figure(f"CSV export, every project, as reviewer, {size:,} projects", [seen["elapsed"]], unit="s", size=size)
    fig.update(rows=rows, peak_traced_mb=round(peak / 2**20, 1), key="export_reviewer", queries=queries)
    check(fig, "streamed", bool(response.streaming))
    check(fig, f"{visible:,} rows", rows == visible)
    check(fig, "peak < 64 MB traced", peak < 64 * 2**20)
    return fig


def _interleaved_timed(calls: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """``interleaved``, except that a call returning a float reports its own server-side seconds (the step save)."""
    own: dict[str, list[float]] = {name: [] for name in calls}

    def wrap(name, call):
        def run():
            value = call()
            if isinstance(value, float):
                own[name].append(value)

        return run

    samples = interleaved({name: wrap(name, call) for name, call in calls.items()}, rounds)
    return {name: own[name] if own[name] else samples[name] for name in calls}


def constant_query_checks(figures: list[dict], sizes: tuple[int, ...]) -> None:
    """The list, search, deep page, board, queue and API figures must run the same number of queries at every size."""
    by_key: dict[str, list[dict]] = {}
    for fig in figures:
        if fig.get("key", "").split("_")[0] in SCALE_KEYS:
            by_key.setdefault(fig["key"], []).append(fig)
    for group in by_key.values():
        counts = sorted({fig["queries"] for fig in group})
        if len(group) < 2:
            continue
        for fig in group:
            label = "/".join(f"{size // 1000}k" if size % 1000 == 0 else str(size) for size in sizes)
            check(fig, f"queries constant over {label}", len(counts) == 1)


# --- Report ------------------------------------------------------------------------------------------------------


def collect(config: Config, prepare_dataset: Callable[[int], str]) -> dict:
    """Every figure; ``prepare_dataset(size)`` points Django at a database holding that many bench projects."""
    from django.conf import settings

    results: dict = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_start": [round(load, 2) for load in os.getloadavg()],
            "debug": settings.DEBUG,
        },
        "config": config.__dict__,
        "targets": {
            "pdf_ratio_to_bare": PDF_RATIO,
            "job_ratio_to_render": JOB_RATIO,
            "step_ratio_to_trivial": STEP_RATIO,
            "list_ratio_to_trivial": LIST_RATIO,
            "list_search_queue_median_ms": SCALE_MS,
            "live_save_to_30_participants_p95_ms": 300.0,
        },
        "not_measured": NOT_MEASURED,
        "datasets": {},
        "figures": [],
    }
    pdf_figures, results["pdf"] = bench_pdf(config)
    results["figures"] += pdf_figures
    page_figures: list[dict] = []
    for index, size in enumerate(config.sizes):
        results["datasets"][str(size)] = prepare_dataset(size)
        if index == 0 and config.job:
            try:
                results["figures"] += bench_job(config)
            except RuntimeError as problem:
                results["figures"].append(
                    {"name": "Request -> PDF ready", "result": "MISS", "error": str(problem), "checks": []}
                )
        if index == 0 and config.live:
            results["figures"].append(live_figure(config))
        page_figures += bench_pages(config, size, first=index == 0)
    constant_query_checks(page_figures, config.sizes)
    results["figures"] += [finish(fig) for fig in page_figures]
    return results


def live_figure(config: Config) -> dict:
    """Save -> all 30 connected participants updated, on channels-redis (bench/live.py); target p95 <= 300 ms."""
    from bench.live import PARTICIPANTS, TARGET_P95_MS, bench_live

    name = f"Live: save -> {PARTICIPANTS} connected participants updated (channels-redis)"
    try:
        samples = bench_live(max(config.rounds, 20))
    except RuntimeError as problem:
        return {"name": name, "result": "MISS", "error": str(problem), "checks": []}
    fig = figure(name, samples["everyone"], unit="ms", key="live_save", participants=samples["participants"])
    fig["each_median_ms"] = round(median(samples["each"]) * 1000, 1)
    check(fig, f"p95 <= {TARGET_P95_MS:g} ms", fig["p95"] <= TARGET_P95_MS)
    return finish(fig)


def _cell(fig: dict, field: str) -> str:
    value = fig.get(field)
    if value is None:
        return ""
    if field in ("median", "p95"):
        return f"{value:.1f} ms" if fig["unit"] == "ms" else f"{value:.3f} s"
    if field == "ratio":
        return f"{value:.2f}x"
    return str(value)


def table(results: dict) -> str:
    rows = [("Figure", "Median", "p95", "Queries", "Ratio", "Target", "Result")]
    for fig in results["figures"]:
        if "error" in fig:
            rows.append((fig["name"], "—", "", "", "", "", f"MISS: {fig['error']}"))
            continue
        targets = "; ".join(item["target"] for item in fig["checks"])
        if fig["result"] == "info":
            targets = "floor" if fig.get("floor") is None else ""
        rows.append(
            (
                fig["name"],
                _cell(fig, "median"),
                _cell(fig, "p95"),
                _cell(fig, "queries"),
                _cell(fig, "ratio"),
                targets,
                fig["result"],
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[column]) for column, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    pdf = results["pdf"]
    lines += [
        "",
        "Ratios are medians of per-round ratios to the floor measured in the same rounds (A, B, A, B…); web pages go",
        "through Django's test client in this process (the trivial page is the floor of every page below it).",
        f"PDF fonts (ours = bare: {pdf['fonts']['ours'] == pdf['fonts']['bare']}): {', '.join(pdf['fonts']['ours'])}.",
        f"Peak memory (RSS): {pdf['peak_rss_mb']:.0f} MB ({pdf['peak_rss_mb_before']:.0f} MB before rendering).",
        "Datasets: " + ", ".join(f"{int(size):,} projects {how}" for size, how in results["datasets"].items()) + ".",
    ]
    if results["not_measured"]:
        lines.append("Not measured: " + "; ".join(results["not_measured"]) + ".")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=Config.rounds, help="interleaved rounds per web figure")
    parser.add_argument("--sizes", default="10000,100000", help="dataset sizes, comma-separated (first: step pages)")
    parser.add_argument(
        "--quick", action="store_true", help="a trial of the harness: the 3-page demo PDF, 2 PDF and job rounds"
    )
    args = parser.parse_args(argv)
    source = os.environ.get("DATABASE_URL")
    if not source or not os.environ.get("REDIS_URL"):
        raise SystemExit("Set DATABASE_URL and REDIS_URL (make bench does, with the local servers as defaults).")
    if not urlsplit(source).scheme.startswith("postgres"):
        raise SystemExit(f"make bench needs PostgreSQL (DATABASE_URL={source!r}).")
    config = Config(sizes=tuple(int(size) for size in args.sizes.split(",")), rounds=args.rounds)
    if args.quick:
        config = Config(sizes=config.sizes, rounds=config.rounds, pdf_rounds=2, job_rounds=2, pdf_scope="demo")
    first = bench_database_name(source, config.sizes[0], config.sizes[0])
    ensure_database(source, first)
    setup_django(source, first)
    names = {size: bench_database_name(source, size, config.sizes[0]) for size in config.sizes}
    print(f"Benchmarking against {', '.join(names.values())} (bench data only). This takes a few minutes…")
    results = collect(config, lambda size: use_database(source, names[size], size))
    results["machine"]["databases"] = names
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(table(results))
    print()
    print(f"Written to {OUTPUT.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
