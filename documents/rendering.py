"""Scope PDF rendering: template + frozen scope snapshot -> PDF bytes.

The template context is worded in ``print_context`` (from ``print_sections`` and ``print_values``); this module
turns it into HTML and lays that out as a PDF.

A plain function with no database access, so the render job, ``manage.py render_scope`` and the bench all share
one code path (saleor's ``plugins/invoicing/utils.py`` keeps rendering apart from storing in the same way).

Two documents: the internal scope document (kind ``draft``) and the client's proposal (kinds ``proposal`` and
``signed``: cover, executive summary, the scope, plan, fees, terms and signatures, and for ``signed`` the sign-off
certificate); ``template_for(kind)`` picks the template and its context builder.

Safety: every value from the snapshot goes through Django autoescaping, and WeasyPrint only ever sees
``StaticOnlyFetcher``, which serves regular files under the project's ``static/`` directory, plus the logo as a
PNG or SVG ``data:`` URI whose bytes pass the upload check again, and refuses everything else (``http(s):``,
other ``data:``, ``file:`` outside ``static/``, ``..`` and symlink escapes).

Speed: the stylesheet and its font configuration are parsed once per process and reused; renders are
serialised by a lock because the shared fontconfig/Pango state is not safe to use from two threads at once.
"""

from __future__ import annotations

import gc
import logging
import mimetypes
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from consultancy.logos import LogoRefused, data_uri_decode
from documents.print_context import (
    DOCUMENT_KINDS,
    PROPOSAL_KINDS,
    DocumentMeta,
    build_document_context,
    build_proposal_context,
)

logger = logging.getLogger(__name__)

# WeasyPrint's progress logger writes one INFO line per laid-out page; under the project's INFO root logger that
# floods worker logs. Quieten it unless the deployment configured it explicitly (LOGGING["loggers"]).
_progress_logger = logging.getLogger("weasyprint.progress")
if _progress_logger.level == logging.NOTSET:
    _progress_logger.setLevel(logging.WARNING)

TEMPLATE_NAME = "reports/scope_document.html"
PROPOSAL_TEMPLATE_NAME = "reports/proposal.html"
STYLESHEET = Path("reports") / "print.css"
# What the print stylesheet may pull in; scripts, HTML and anything else under static/ stay out of reach.
FETCHABLE_SUFFIXES = frozenset({".css", ".ttf", ".otf", ".woff", ".woff2", ".svg", ".png", ".jpg", ".jpeg", ".gif"})


class RenderError(Exception):
    """The scope document could not be rendered; the message is fit to show to the person who asked for it."""


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    page_count: int


# --- URL fetcher ------------------------------------------------------------------------------------------------


def static_root() -> Path:
    """The project's own ``static/`` directory: the only place the PDF may load files from."""
    return (Path(settings.BASE_DIR) / "static").resolve()


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint URL fetcher (v70 API: a ``URLFetcher`` subclass overriding ``fetch``) confined to one directory.

    Refusals raise ``URLFetchingError``; WeasyPrint logs them and renders without the resource, so a hostile
    URL that ever reached the markup would cost an image, never a file read or a network request.
    """

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False, timeout=1)
        self.root = Path(root).resolve()

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:image/"):
            # The consultancy's logo, embedded by the proposal: admitted only when its bytes pass the upload check
            # again (a PNG, or an SVG with no script or outside reference); any other data: URI is refused below.
            try:
                logo = data_uri_decode(url, max_bytes=settings.LOGO_MAX_BYTES)
            except LogoRefused as refusal:
                raise URLFetchingError(refusal.message) from refusal
            return URLFetcherResponse(url, body=logo.content, headers={"Content-Type": logo.content_type})
        path = self.resolve(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})

    def resolve(self, url: str) -> Path:
        """The real path of ``url`` when it names a servable file under the root; raises otherwise."""
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise URLFetchingError(f"Refused a malformed URL: {url[:200]!r}") from exc
        if parts.scheme.lower() != "file":
            raise URLFetchingError(f"Refused {parts.scheme or 'relative'}: URL {url[:200]!r}; only static files load")
        if parts.netloc not in ("", "localhost"):
            raise URLFetchingError(f"Refused a file URL on another host: {url[:200]!r}")
        requested = Path(url2pathname(parts.path))
        if not requested.is_absolute() or ".." in requested.parts:
            raise URLFetchingError(f"Refused a path that climbs out of static/: {url[:200]!r}")
        try:
            real = requested.resolve(strict=True)  # follows symlinks, so a link pointing outside is caught below
        except (OSError, RuntimeError) as exc:
            raise URLFetchingError(f"No such static file: {url[:200]!r}") from exc
        if not real.is_relative_to(self.root) or not real.is_file():
            raise URLFetchingError(f"Refused a file outside static/: {url[:200]!r}")
        if real.suffix.lower() not in FETCHABLE_SUFFIXES:
            raise URLFetchingError(f"Refused a static file that is not a stylesheet, font or image: {url[:200]!r}")
        return real


# --- Per-process print assets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PrintAssets:
    key: tuple[str, int]
    fetcher: StaticOnlyFetcher
    font_config: FontConfiguration
    stylesheet: CSS


_lock = threading.RLock()
_assets: _PrintAssets | None = None


def _print_assets() -> _PrintAssets:
    """Stylesheet and fonts, parsed once per process (rebuilt only if print.css changes on disk)."""
    global _assets
    root = static_root()
    css_path = root / STYLESHEET
    key = (str(css_path), css_path.stat().st_mtime_ns)
    with _lock:
        if _assets is None or _assets.key != key:
            fetcher = StaticOnlyFetcher(root)
            font_config = FontConfiguration()
            stylesheet = CSS(
                url=css_path.as_uri(), url_fetcher=fetcher, font_config=font_config, base_url=css_path.as_uri()
            )
            _assets = _PrintAssets(key=key, fetcher=fetcher, font_config=font_config, stylesheet=stylesheet)
        return _assets


# --- Public API -------------------------------------------------------------------------------------------------


def template_for(kind: str) -> str:
    """The internal scope document for a draft; the client's proposal for the proposal and signed kinds."""
    return PROPOSAL_TEMPLATE_NAME if kind in PROPOSAL_KINDS else TEMPLATE_NAME


def render_scope_html(*, snapshot: Mapping[str, Any], meta: DocumentMeta) -> str:
    """The print HTML of one scope version; raises ``RenderError`` with a readable message on failure."""
    _check_meta(meta)
    build = build_proposal_context if meta.kind in PROPOSAL_KINDS else build_document_context
    try:
        context = build(snapshot=snapshot, meta=meta)
    except Exception as exc:
        logger.exception("Building the scope document context failed")
        raise RenderError(
            f"The scope content could not be prepared for the PDF ({type(exc).__name__}: {exc})."
        ) from exc
    try:
        return render_to_string(template_for(meta.kind), context)
    except TemplateDoesNotExist as exc:
        raise RenderError(f"The PDF template {exc} is missing; the deployment is incomplete.") from exc
    except TemplateSyntaxError as exc:
        raise RenderError(f"The PDF template has an error and must be fixed before rendering: {exc}") from exc
    except Exception as exc:
        logger.exception("Rendering the scope document template failed")
        raise RenderError(f"The PDF template failed to render ({type(exc).__name__}: {exc}).") from exc


def render_scope_pdf(*, snapshot: Mapping[str, Any], meta: DocumentMeta, pdf_tags: bool = False) -> RenderedPdf:
    """PDF bytes and page count of one scope version (``pdf_tags`` adds a PDF/UA-style structure tree)."""
    html = render_scope_html(snapshot=snapshot, meta=meta)
    return html_to_pdf(html, pdf_tags=pdf_tags)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the length of one render.

    WeasyPrint allocates hundreds of thousands of short-lived objects per document; the collector's repeated passes
    over them cost about a fifth of the render time. Nothing in a render needs cycles freed early, and the next
    regular collection after the render reclaims them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def html_to_pdf(html: str, *, pdf_tags: bool = False) -> RenderedPdf:
    """Lay out print HTML with the shared stylesheet and the static-only fetcher."""
    started = time.perf_counter()
    try:
        assets = _print_assets()
        with _lock, _collector_paused():
            document = HTML(string=html, base_url=static_root().as_uri() + "/", url_fetcher=assets.fetcher).render(
                font_config=assets.font_config, stylesheets=[assets.stylesheet], pdf_tags=pdf_tags
            )
            pdf = document.write_pdf(pdf_tags=pdf_tags)
    except RenderError:
        raise
    except Exception as exc:
        logger.exception("WeasyPrint failed to lay out the scope document")
        raise RenderError(f"The PDF could not be laid out ({type(exc).__name__}: {exc}).") from exc
    logger.debug("Rendered %d pages in %.3f s", len(document.pages), time.perf_counter() - started)
    return RenderedPdf(pdf=pdf, page_count=len(document.pages))


def _check_meta(meta: DocumentMeta) -> None:
    if meta.kind not in DOCUMENT_KINDS:
        raise RenderError(f"Unknown document kind {meta.kind!r}; expected one of {', '.join(DOCUMENT_KINDS)}.")
    digest = meta.version_sha256 or ""
    if len(digest) != 64 or any(char not in "0123456789abcdef" for char in digest):
        raise RenderError("The version fingerprint must be a 64-character lower-case SHA-256 hex digest.")
    if meta.kind == "signed" and not meta.signoffs:
        raise RenderError("A signed document needs at least one recorded sign-off; none was given.")


__all__ = [
    "RenderError",
    "RenderedPdf",
    "StaticOnlyFetcher",
    "html_to_pdf",
    "render_scope_html",
    "render_scope_pdf",
    "template_for",
]
