"""Playwright on the system Chromium, against pytest-django's live server.

Every page made by ``new_page`` is checked with axe-core (vendored under static/vendor/, injected by the tests only,
never by an app page): each document is audited once it has loaded and again after every htmx swap, and the test
fails if any audit finds a serious or critical violation. A navigation away from a page is held until that page's
audit has reported, so a fast test cannot skip the check.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"
# How long a navigation waits for the page it leaves to be audited. The default timeout of every step is above it:
# a click that navigates includes that wait, and axe-core takes seconds on a busy machine.
AXE_WAIT_SECONDS = 15
STEP_TIMEOUT_MS = 20_000
# Runs in every document of the main frame (after axe.min.js): audit on load and after each htmx swap, one audit at a
# time, and report the serious and critical violations to the test through the __firstsliceAxe binding.
AXE_RUNNER = """
(() => {
  if (window.top !== window || typeof axe === 'undefined') return;
  let running = false;
  let again = false;
  const blocking = (v) => v.impact === 'serious' || v.impact === 'critical';
  const audit = () => {
    if (running) { again = true; return; }
    running = true;
    window.__firstsliceAxe('start', location.href);
    axe.run(document, {resultTypes: ['violations']}).then(
      (result) => result.violations.filter(blocking).map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n')[1]),
      })),
      (error) => [{id: 'axe-error', impact: 'critical', help: String(error), nodes: []}],
    ).then((violations) => {
      window.__firstsliceAxe('report', {url: location.href, violations});
      running = false;
      if (again) { again = false; audit(); }
    });
  };
  if (document.readyState === 'complete') audit(); else window.addEventListener('load', audit);
  document.addEventListener('htmx:afterSettle', () => setTimeout(audit, 0));
})();
"""


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps an event loop running while it is open, which would break
    # asyncio.run() in unrelated tests (pyHanko validation) if it lived for the whole session.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class AxeAudit:
    """Collects axe-core reports for the pages of one context and holds navigations until the page left is audited."""

    def __init__(self, page, site_url: str):
        self.page = page
        self.site_url = site_url
        self.pending = False
        self.audited: list[str] = []
        self.violations: list[str] = []

    def on_binding(self, _source, kind: str, payload) -> None:
        if kind == "start":
            self.pending = True
            return
        self.pending = False
        self.audited.append(payload["url"])
        for v in payload["violations"]:
            nodes = "; ".join(v["nodes"])
            self.violations.append(f"{payload['url']}: {v['impact']} {v['id']} ({v['help']}): {nodes}")

    def on_document(self, _page) -> None:
        if self.page.url.startswith(self.site_url):
            self.pending = True

    def wait(self) -> None:
        deadline = time.monotonic() + AXE_WAIT_SECONDS
        while self.pending and time.monotonic() < deadline:
            self.page.wait_for_timeout(25)
        if self.pending:
            self.pending = False
            self.violations.append(f"{self.page.url}: axe-core did not report within {AXE_WAIT_SECONDS} s")

    def on_route(self, route) -> None:
        request = route.request
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self.wait()
        route.continue_()


@pytest.fixture
def new_page(browser, live_server):
    """A factory of fresh pages, each in its own context (its own cookies), failing on any CSP or JS error and on
    any serious or critical axe-core violation in any page it visits."""
    with page_factory(browser, live_server.url) as make:
        yield make


@contextmanager
def page_factory(browser, site_url: str):
    """``new_page`` on any server (``new_live_page`` in tests/conftest.py uses it on the ASGI server)."""
    contexts = []
    audits: list[AxeAudit] = []
    errors: list[str] = []

    def make():
        # Reduced motion: Bootstrap then drops its transitions, so axe audits colours at rest, not mid-fade.
        context = browser.new_context(base_url=site_url, accept_downloads=True, reduced_motion="reduce")
        context.set_default_timeout(STEP_TIMEOUT_MS)
        contexts.append(context)
        context.add_init_script(path=AXE_SCRIPT)
        context.add_init_script(script=AXE_RUNNER)
        page = context.new_page()
        audit = AxeAudit(page, site_url)
        audits.append(audit)
        context.expose_binding("__firstsliceAxe", audit.on_binding)
        context.route("**/*", audit.on_route)
        page.on("domcontentloaded", audit.on_document)
        page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
        page.on(
            "console",
            lambda msg: (
                errors.append(f"console: {msg.text}")
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        return page

    yield make
    for audit in audits:
        if not audit.page.is_closed():
            audit.wait()
            _autosave_settle(audit.page)
    for context in contexts:
        context.close()
    assert not errors, errors
    violations = [v for audit in audits for v in audit.violations]
    assert not violations, "axe-core found serious or critical violations:\n" + "\n".join(violations)
    assert all(audit.audited for audit in audits if audit.page.url.startswith(site_url)), "a page was not audited"


def screenshot(page, name: str) -> None:
    """A full-page screenshot as ``<name>.png`` in FIRSTSLICE_SCREENSHOTS, when that folder is given (else nothing)."""
    folder = os.environ.get("FIRSTSLICE_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _autosave_settle(page) -> None:
    """Let a step's pending autosave finish before the test ends: a save still running on the server when the
    test database is emptied deadlocks the flush (or meets a closed database)."""
    try:
        page.wait_for_function("() => !(window.firstsliceAutosave && window.firstsliceAutosave.busy())", timeout=15_000)
    except PlaywrightError:
        pass  # a page that never settles (a save retried against a stopped server) is closed as it is


def login(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/projects/**")
