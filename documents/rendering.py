"""Scope PDF rendering: template + frozen scope snapshot -> PDF bytes.

A plain function with no database access, so the render job, ``manage.py render_scope`` and the bench all share
one code path (saleor's ``plugins/invoicing/utils.py`` keeps rendering apart from storing in the same way).

Safety: every value from the snapshot goes through Django autoescaping, and WeasyPrint only ever sees
``StaticOnlyFetcher``, which serves regular files under the project's ``static/`` directory and refuses
everything else (``http(s):``, ``data:``, ``file:`` outside ``static/``, ``..`` and symlink escapes).

Speed: the stylesheet and its font configuration are parsed once per process and reused; renders are
serialised by a lock because the shared fontconfig/Pango state is not safe to use from two threads at once.
"""

from __future__ import annotations

import gc
import logging
import mimetypes
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from scoping.scope import catalogue
from scoping.scope.catalogue import GATE_LABELS, SECTION_KEYS, SECTION_LABELS, TIER_LABELS
from scoping.scope.chart import cost_chart_svg
from scoping.scope.costs import TIERS, compute_costs, format_money, verdict
from scoping.scope.fields import CHOICES
from scoping.scope.readiness import CODES, Finding, Readiness, code_title, evaluate

logger = logging.getLogger(__name__)

# WeasyPrint's progress logger writes one INFO line per laid-out page; under the project's INFO root logger that
# floods worker logs. Quieten it unless the deployment configured it explicitly (LOGGING["loggers"]).
_progress_logger = logging.getLogger("weasyprint.progress")
if _progress_logger.level == logging.NOTSET:
    _progress_logger.setLevel(logging.WARNING)

DocumentKind = Literal["draft", "proposal", "signed"]
DOCUMENT_KINDS: tuple[str, ...] = ("draft", "proposal", "signed")
HASH_PREFIX_LENGTH = 12
KEYWORD_PREFIX = "firstslice-version-sha256:"
TEMPLATE_NAME = "reports/scope_document.html"
STYLESHEET = Path("reports") / "print.css"
# What the print stylesheet may pull in; scripts, HTML and anything else under static/ stay out of reach.
FETCHABLE_SUFFIXES = frozenset({".css", ".ttf", ".otf", ".woff", ".woff2", ".svg", ".png", ".jpg", ".jpeg", ".gif"})
NOT_STATED = "Not stated"
SUMMARY_QUESTION_LIMIT = 5


class RenderError(Exception):
    """The scope document could not be rendered; the message is fit to show to the person who asked for it."""


@dataclass(frozen=True)
class DocumentMeta:
    """Everything the PDF says about the document that is not in the scope snapshot itself."""

    kind: DocumentKind
    version_number: int
    version_sha256: str
    frozen_at: datetime
    frozen_by: str
    status_label: str
    generated_at: datetime
    # Each sign-off: name, role, signed_at (datetime or ISO string, UTC), ip, user_agent, typed_name.
    signoffs: Sequence[Mapping[str, Any]] = ()
    review_decision: str = ""
    consultancy: str = ""  # printed on the cover and added to the PDF author when given

    @property
    def short_hash(self) -> str:
        return self.version_sha256[:HASH_PREFIX_LENGTH]


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


def render_scope_html(*, snapshot: Mapping[str, Any], meta: DocumentMeta) -> str:
    """The print HTML of one scope version; raises ``RenderError`` with a readable message on failure."""
    _check_meta(meta)
    try:
        context = build_document_context(snapshot=snapshot, meta=meta)
    except Exception as exc:
        logger.exception("Building the scope document context failed")
        raise RenderError(
            f"The scope content could not be prepared for the PDF ({type(exc).__name__}: {exc})."
        ) from exc
    try:
        return render_to_string(TEMPLATE_NAME, context)
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


# --- Presentation of the snapshot -------------------------------------------------------------------------------
# The template only loops and prints: every decision about wording, labels and gaps is made here, in Python,
# where it can be tested, and where odd snapshot values (None, wrong types) are read as "not stated".

CHOICE_LABELS: dict[str, dict[str, str]] = {key: dict(pairs) for key, pairs in CHOICES.items()}


def _printed(part: str, path: str) -> str:
    """The catalogue's print label of a field or list ("tiers.pilot", "sources.owner")."""
    return catalogue.field_spec(part, path).printed


def _columns(part: str, rows_key: str, widths: Sequence[int]) -> tuple[tuple[str, int], ...]:
    """Table columns for a list of rows: its fields' print labels, in catalogue order, with the widths given."""
    fields = catalogue.field_spec(part, rows_key).fields
    return tuple((item.printed, width) for item, width in zip(fields, widths, strict=True))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _rows(value: Any) -> list[Mapping[str, Any]]:
    return [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _text(value: Any) -> str:
    """Readable text of a scalar snapshot value ('' when it is not given)."""
    if _is_blank(value):
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value if not _is_blank(item))
    return str(value).strip()


def _choice(key: str, value: Any) -> str:
    labels = CHOICE_LABELS.get(key, {})
    if isinstance(value, list):
        return ", ".join(_choice(key, item) for item in value if not _is_blank(item))
    if _is_blank(value):
        return ""
    return labels.get(str(value).strip().lower(), str(value).strip())


def _value(label: str, value: Any, *, choice: str | None = None, long: bool = False, suffix: str = "") -> dict:
    text = _choice(choice, value) if choice else _text(value)
    if text and suffix:
        text = f"{text} {suffix}"
    return {"label": label, "text": text or NOT_STATED, "missing": not text, "long": long}


def _cell(value: Any, *, choice: str | None = None) -> dict:
    text = _choice(choice, value) if choice else _text(value)
    return {"text": text or "—", "missing": not text}


def _table(title: str, columns: Sequence[tuple], rows: list[list[dict]], empty: str) -> dict:
    """A table block; each column is (label, width percent) or (label, width percent, "num") for figures."""
    return {
        "type": "table",
        "title": title,
        "columns": [{"label": column[0], "width": column[1], "num": column[2:] == ("num",)} for column in columns],
        "rows": [
            [{**cell, "num": column[2:] == ("num",)} for cell, column in zip(row, columns, strict=True)] for row in rows
        ],
        "empty": empty,
    }


def _fields(items: list[dict], title: str = "") -> dict:
    return {"type": "fields", "title": title, "items": items}


def _pairs(items: list[dict], title: str = "") -> dict:
    """Short label/value items laid out two to a row, for long lists of small figures."""
    half = (len(items) + 1) // 2
    rows = [(items[index], items[index + half] if index + half < len(items) else None) for index in range(half)]
    return {"type": "pairs", "title": title, "rows": rows}


def _person(person: Any) -> str:
    person = _mapping(person)
    parts = [_text(person.get("name")), _text(person.get("role"))]
    return ", ".join(part for part in parts if part)


def _iso_date(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, str) and value.strip():
        try:
            return _iso_date(date.fromisoformat(value.strip()[:10]))
        except ValueError:
            return value.strip()
    return ""


def _short_date(value: Any) -> str:
    """'11 Feb 2027', for narrow table columns."""
    if isinstance(value, str) and value.strip():
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            return value.strip()
    if isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    return ""


def _utc(value: Any) -> str:
    """A sign-off time as 'YYYY-MM-DD HH:MM:SS UTC' (naive datetimes are taken to be UTC already)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return value.strip() or NOT_STATED
    if not isinstance(value, datetime):
        return NOT_STATED
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return f"{value:%Y-%m-%d %H:%M:%S} UTC"


def _production_target(section: Mapping[str, Any]) -> list[dict]:
    metrics = [
        [_cell(row.get("metric")), _cell(row.get("baseline")), _cell(row.get("target")), _cell(row.get("measured_by"))]
        for row in _rows(section.get("success_metrics"))
    ]
    return [
        _fields(
            [
                _value(_printed("production_target", "problem_statement"), section.get("problem_statement"), long=True),
                _value(_printed("production_target", "workflow_name"), section.get("workflow_name")),
                _value(_printed("production_target", "workflow_trigger"), section.get("workflow_trigger"), long=True),
                _value(_printed("production_target", "workflow_steps"), section.get("workflow_steps"), long=True),
                _value(_printed("production_target", "users"), section.get("users")),
                _value(_printed("production_target", "user_count"), section.get("user_count")),
                _value(_printed("production_target", "ai_role"), section.get("ai_role"), choice="ai_role"),
                _value(_printed("production_target", "volume_per_month"), section.get("volume_per_month")),
                _value(_printed("production_target", "latency_target"), section.get("latency_target")),
                _value(_printed("production_target", "availability_target"), section.get("availability_target")),
                _value(
                    _printed("production_target", "definition_of_production"),
                    section.get("definition_of_production"),
                    long=True,
                ),
                _value(_printed("production_target", "out_of_scope"), section.get("out_of_scope"), long=True),
            ]
        ),
        _table(
            _printed("production_target", "success_metrics"),
            _columns("production_target", "success_metrics", (34, 18, 18, 30)),
            metrics,
            "No success metric stated.",
        ),
    ]


def _first_slice(section: Mapping[str, Any]) -> list[dict]:
    criteria = [
        [_cell(row.get("criterion")), _cell(row.get("threshold")), _cell(row.get("measured_by"))]
        for row in _rows(section.get("acceptance_criteria"))
    ]
    return [
        _fields(
            [
                _value(_printed("first_slice", "description"), section.get("description"), long=True),
                _value(_printed("first_slice", "users"), section.get("users")),
                _value(_printed("first_slice", "in_scope"), section.get("in_scope"), long=True),
                _value(_printed("first_slice", "out_of_scope"), section.get("out_of_scope"), long=True),
                _value(_printed("first_slice", "carries_forward"), section.get("carries_forward"), long=True),
                _value(_printed("first_slice", "duration_weeks"), section.get("duration_weeks")),
                _value(_printed("first_slice", "pilot_volume_per_month"), section.get("pilot_volume_per_month")),
                _value(_printed("first_slice", "exit_criteria"), section.get("exit_criteria"), long=True),
                _value(_printed("first_slice", "decision_owner"), section.get("decision_owner")),
            ]
        ),
        _table(
            _printed("first_slice", "acceptance_criteria"),
            _columns("first_slice", "acceptance_criteria", (42, 24, 34)),
            criteria,
            "No acceptance criterion stated.",
        ),
    ]


def _data_path(section: Mapping[str, Any]) -> list[dict]:
    cards = []
    for position, row in enumerate(_rows(section.get("sources")), start=1):
        production = row.get("used_in_production")
        cards.append(
            {
                "title": _text(row.get("name")) or f"Source {position}",
                "tags": [
                    tag
                    for tag in (
                        _choice("kind", row.get("kind")),
                        _choice("sensitivity", row.get("sensitivity")),
                        _printed("data_path", "sources.used_in_production")
                        if production is True
                        else "Pilot only"
                        if production is False
                        else "",
                    )
                    if tag
                ],
                "facts": [
                    _value(_printed("data_path", "sources.system"), row.get("system")),
                    _value(_printed("data_path", "sources.owner"), row.get("owner")),
                    _value(_printed("data_path", "sources.volume"), row.get("volume")),
                    _value(_printed("data_path", "sources.personal_data"), row.get("personal_data")),
                    _value(
                        _printed("data_path", "sources.access_method"), row.get("access_method"), choice="access_method"
                    ),
                    _value(_printed("data_path", "sources.refresh"), row.get("refresh"), choice="refresh"),
                    _value(
                        _printed("data_path", "sources.access_status"), row.get("access_status"), choice="access_status"
                    ),
                ],
                "items": [],
            }
        )
    return [
        _fields(
            [
                _value(_printed("data_path", "pipeline"), section.get("pipeline"), long=True),
                _value(_printed("data_path", "quality_checks"), section.get("quality_checks"), long=True),
                _value(_printed("data_path", "ground_truth"), section.get("ground_truth"), long=True),
                _value(_printed("data_path", "retention"), section.get("retention"), long=True),
            ]
        ),
        {"type": "cards", "title": _printed("data_path", "sources"), "cards": cards, "empty": "No data source stated."},
    ]


def _failure_modes(section: Mapping[str, Any]) -> list[dict]:
    cards = []
    for position, row in enumerate(_rows(section.get("items")), start=1):
        likelihood = _choice("likelihood", row.get("likelihood"))
        impact = _choice("impact", row.get("impact"))
        cards.append(
            {
                "title": _text(row.get("scenario")) or f"Failure mode {position}",
                "tags": [
                    tag
                    for tag in (
                        _choice("category", row.get("category")),
                        f"{_printed('failure_modes', 'items.likelihood')}: {likelihood}" if likelihood else "",
                        f"{_printed('failure_modes', 'items.impact')}: {impact}" if impact else "",
                    )
                    if tag
                ],
                "severe": str(row.get("impact") or "").lower() in {"high", "critical"},
                "facts": [_value(_printed("failure_modes", "items.owner"), row.get("owner"))],
                "items": [
                    _value(_printed("failure_modes", "items.detection"), row.get("detection"), long=True),
                    _value(_printed("failure_modes", "items.handling"), row.get("handling"), long=True),
                ],
            }
        )
    return [
        _fields(
            [
                _value(_printed("failure_modes", "human_in_the_loop"), section.get("human_in_the_loop"), long=True),
                _value(_printed("failure_modes", "evaluation_plan"), section.get("evaluation_plan"), long=True),
            ]
        ),
        {
            "type": "cards",
            "title": _printed("failure_modes", "items"),
            "cards": cards,
            "empty": "No failure mode stated.",
        },
    ]


def _security(section: Mapping[str, Any]) -> list[dict]:
    roles = [
        [_cell(row.get("role")), _cell(row.get("who")), _cell(row.get("permissions"))]
        for row in _rows(section.get("access_roles"))
    ]
    return [
        _fields(
            [
                _value(
                    _printed("security", "data_classification"),
                    section.get("data_classification"),
                    choice="data_classification",
                ),
                _value(_printed("security", "personal_data"), section.get("personal_data")),
                _value(_printed("security", "personal_data_types"), section.get("personal_data_types"), long=True),
                _value(_printed("security", "regimes"), section.get("regimes"), choice="regimes"),
                _value(_printed("security", "eu_ai_act_risk"), section.get("eu_ai_act_risk"), choice="eu_ai_act_risk"),
                _value(_printed("security", "authentication"), section.get("authentication"), choice="authentication"),
                _value(_printed("security", "audit_trail"), section.get("audit_trail"), long=True),
                _value(_printed("security", "model_provider"), section.get("model_provider")),
                _value(_printed("security", "data_residency"), section.get("data_residency")),
                _value(_printed("security", "vendor_training_opt_out"), section.get("vendor_training_opt_out")),
                _value(_printed("security", "threats"), section.get("threats"), long=True),
            ]
        ),
        _table(
            _printed("security", "access_roles"),
            _columns("security", "access_roles", (26, 26, 48)),
            roles,
            "No access role stated.",
        ),
    ]


def _money_or_gap(value: Decimal | None, currency: str, *, per_use: bool = False) -> dict:
    return {"text": format_money(value, currency, per_use=per_use), "missing": value is None}


def _amount(value: Any, currency: str, unit: str = "") -> str:
    """A money input as the PDF prints money ('£1,100.00 a month'); unparseable text is shown as typed."""
    if _is_blank(value):
        return ""
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        return _text(value)
    if not amount.is_finite():
        return _text(value)
    text = format_money(amount, currency, exact=True)  # a typed price keeps its decimals: 0.395, not 0.40
    return f"{text} {unit}".strip()


def _quantity(value: Any, singular: str, plural: str) -> str:
    if _is_blank(value):
        return ""
    text = _text(value)
    return f"{text} {singular if text in ('1', '1.0') else plural}"


def _percent(value: Any) -> str:
    return f"{_text(value)}%" if not _is_blank(value) else ""


def _cost_model(section: Mapping[str, Any], currency: str) -> list[dict]:
    result = compute_costs(section)
    per_use = result.per_use
    tier_rows = []
    for tier in TIERS:
        cost = result.tiers[tier]
        tier_rows.append(
            [
                {"text": TIER_LABELS[tier], "missing": False},
                {"text": f"{cost.volume:,}" if cost.volume is not None else "—", "missing": cost.volume is None},
                _money_or_gap(cost.cost_per_use, currency, per_use=True),
                _money_or_gap(cost.monthly_cost, currency),
                _money_or_gap(cost.monthly_net, currency),
            ]
        )
    breakdown = [
        ("Inference, with retries", per_use.inference_adj if per_use else None, False),
        ("Retrieval", per_use.retrieval if per_use else None, False),
        ("Other per use", per_use.other if per_use else None, False),
        ("Human review", per_use.review if per_use else None, False),
        ("Variable cost per use", per_use.variable if per_use else None, True),
        ("Value per use (time saved)", result.value_per_use, True),
    ]
    per_use_rows = [
        [{"text": label, "missing": False, "strong": strong}, _money_or_gap(value, currency, per_use=True)]
        for label, value, strong in breakdown
    ]
    per_use_rows.append(
        [
            {"text": "Fixed cost a month", "missing": False, "strong": True},
            _money_or_gap(result.fixed_monthly, currency),
        ]
    )
    if result.break_even_volume is not None:
        break_even = {"text": f"{result.break_even_volume:,} uses a month", "missing": False}
    elif result.never_breaks_even:
        break_even = {"text": "Never: each use costs more than it saves", "missing": True}
    else:
        break_even = {"text": "—", "missing": True}
    per_use_rows.append([{"text": "Break-even volume", "missing": False, "strong": True}, break_even])
    return [
        {"type": "verdict", "text": verdict(result)},
        {"type": "chart", "svg": cost_chart_svg(section)},
        _table(
            "By volume tier",
            (
                ("Tier", 16),
                ("Uses a month", 18, "num"),
                ("Cost per use", 20, "num"),
                ("Monthly cost", 22, "num"),
                ("Monthly net", 24, "num"),
            ),
            tier_rows,
            "",
        ),
        _table("Per use and fixed", (("Component", 62), ("Amount", 38, "num")), per_use_rows, ""),
        _pairs(
            [
                _value(_printed("cost_model", "model"), section.get("model")),
                _value(_printed("cost_model", "prices_as_of"), _iso_date(section.get("prices_as_of"))),
                _value(_printed("cost_model", "calls_per_use"), section.get("calls_per_use")),
                _value(_printed("cost_model", "input_tokens"), section.get("input_tokens")),
                _value(_printed("cost_model", "output_tokens"), section.get("output_tokens")),
                _value(_printed("cost_model", "cached_share_pct"), _percent(section.get("cached_share_pct"))),
                _value(
                    _printed("cost_model", "input_price"),
                    _amount(section.get("input_price"), currency, "per 1M tokens"),
                ),
                _value(
                    _printed("cost_model", "cached_input_price"),
                    _amount(section.get("cached_input_price"), currency, "per 1M tokens"),
                ),
                _value(
                    _printed("cost_model", "output_price"),
                    _amount(section.get("output_price"), currency, "per 1M tokens"),
                ),
                _value(_printed("cost_model", "retry_overhead_pct"), _percent(section.get("retry_overhead_pct"))),
                _value(_printed("cost_model", "review_rate_pct"), _percent(section.get("review_rate_pct"))),
                _value(
                    _printed("cost_model", "review_minutes"),
                    _quantity(section.get("review_minutes"), "minute", "minutes"),
                ),
                _value(
                    _printed("cost_model", "reviewer_hourly_rate"),
                    _amount(section.get("reviewer_hourly_rate"), currency, "an hour"),
                ),
                _value(_printed("cost_model", "hosting"), _amount(section.get("hosting"), currency, "a month")),
                _value(_printed("cost_model", "monitoring"), _amount(section.get("monitoring"), currency, "a month")),
                _value(_printed("cost_model", "licences"), _amount(section.get("licences"), currency, "a month")),
                _value(
                    _printed("cost_model", "maintenance_hours"),
                    _quantity(section.get("maintenance_hours"), "hour a month", "hours a month"),
                ),
                _value(
                    _printed("cost_model", "maintenance_rate"),
                    _amount(section.get("maintenance_rate"), currency, "an hour"),
                ),
                _value(
                    _printed("cost_model", "manual_minutes"),
                    _quantity(section.get("manual_minutes"), "minute", "minutes"),
                ),
                _value(
                    _printed("cost_model", "manual_hourly_rate"),
                    _amount(section.get("manual_hourly_rate"), currency, "an hour"),
                ),
                _value(
                    _printed("cost_model", "other_value_per_use"), _amount(section.get("other_value_per_use"), currency)
                ),
            ],
            title="Assumptions",
        ),
    ]


def _workflow(section: Mapping[str, Any]) -> list[dict]:
    return [
        _fields(
            [
                _value(_printed("workflow", "output_destination"), section.get("output_destination")),
                _value(_printed("workflow", "integration"), section.get("integration"), choice="integration"),
                _value(_printed("workflow", "acting_role"), section.get("acting_role")),
                _value(_printed("workflow", "action"), section.get("action"), long=True),
                _value(_printed("workflow", "feedback_loop"), section.get("feedback_loop"), long=True),
                _value(_printed("workflow", "change_management"), section.get("change_management"), long=True),
                _value(_printed("workflow", "fallback"), section.get("fallback"), long=True),
            ]
        )
    ]


def _ownership(section: Mapping[str, Any]) -> list[dict]:
    business = _mapping(section.get("business_owner"))
    technical = _mapping(section.get("technical_owner"))
    duties = [
        [_cell(row.get("responsibility")), _cell(row.get("owner")), _cell(row.get("cadence"))]
        for row in _rows(section.get("responsibilities"))
    ]
    return [
        _fields(
            [
                _value(_printed("ownership", "business_owner.name"), _person(business)),
                _value(_printed("ownership", "business_owner.email"), business.get("email")),
                _value(_printed("ownership", "technical_owner.name"), _person(technical)),
                _value(_printed("ownership", "technical_owner.email"), technical.get("email")),
                _value(_printed("ownership", "budget_owner"), section.get("budget_owner")),
                _value(_printed("ownership", "support_model"), section.get("support_model"), choice="support_model"),
                _value(_printed("ownership", "handover_date"), _iso_date(section.get("handover_date"))),
            ]
        ),
        _table(
            _printed("ownership", "responsibilities"),
            _columns("ownership", "responsibilities", (46, 32, 22)),
            duties,
            "No post-launch responsibility stated.",
        ),
    ]


_SECTION_BUILDERS = {
    "production_target": _production_target,
    "first_slice": _first_slice,
    "data_path": _data_path,
    "failure_modes": _failure_modes,
    "security": _security,
    "workflow": _workflow,
    "ownership": _ownership,
}


def _findings(findings: list[Finding], accepted_codes: set[str]) -> list[dict]:
    return [
        {
            "severity": finding.severity,
            "message": finding.message,
            "accepted": finding.code in accepted_codes,
        }
        for finding in findings
    ]


def _question_is_open(row: Mapping[str, Any]) -> bool:
    return str(row.get("status") or "open").strip().lower() == "open"


def _date_or_none(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _questions(rows: list[Mapping[str, Any]], *, frozen_on: date) -> list[dict[str, Any]]:
    """Open questions first, earliest due first (undated last), then the answered and dropped ones.

    Overdue means still open and due before the day the version was frozen, so the same version always prints the
    same marks, whenever the PDF is made.
    """
    questions = []
    for row in rows:
        due = _date_or_none(row.get("due"))
        is_open = _question_is_open(row)
        questions.append(
            {
                "question": _text(row.get("question")) or NOT_STATED,
                "answer": _text(row.get("answer")),
                "section": _choice("section", row.get("section")),
                "owner": _text(row.get("owner")),
                "due": _iso_date(row.get("due")),
                "due_short": _short_date(row.get("due")),
                "status": _choice("status", row.get("status") or "open"),
                "is_open": is_open,
                "is_overdue": is_open and due is not None and due < frozen_on,
                "_sort": (not is_open, due is None, due or date.max),
            }
        )
    questions.sort(key=lambda question: question["_sort"])  # stable: equal dates keep the order they were added
    for question in questions:
        del question["_sort"]
    return questions


def build_document_context(*, snapshot: Mapping[str, Any], meta: DocumentMeta) -> dict[str, Any]:
    """Everything the print template shows, worded and formatted; tolerant of partial or odd snapshots."""
    scope = _mapping(snapshot)
    project = _mapping(scope.get("project"))
    cost_section = _mapping(scope.get("cost_model"))
    currency = str(cost_section.get("currency") or project.get("currency") or "").strip().upper()
    readiness: Readiness = evaluate(scope, today=meta.frozen_at.date())
    by_section = readiness.by_section()
    risks = _rows(scope.get("accepted_risks"))
    accepted_codes = {str(row.get("code") or "").strip() for row in risks}

    sections = []
    for number, key in enumerate(SECTION_KEYS, start=1):
        content = _mapping(scope.get(key))
        blocks = _cost_model(content, currency) if key == "cost_model" else _SECTION_BUILDERS[key](content)
        gate = readiness.gate(key)
        findings = by_section.get(key, [])
        sections.append(
            {
                "key": key,
                "number": number,
                "label": SECTION_LABELS[key],
                "anchor": f"section-{key.replace('_', '-')}",
                "gate": gate,
                "gate_label": GATE_LABELS[gate],
                "blocker_count": sum(1 for finding in findings if finding.severity == "blocker"),
                "warning_count": sum(1 for finding in findings if finding.severity == "warning"),
                "findings": _findings(findings, accepted_codes),
                "blocks": blocks,
            }
        )

    costs = compute_costs(cost_section)
    questions = _questions(_rows(scope.get("open_questions")), frozen_on=meta.frozen_at.date())
    open_questions = [question for question in questions if question["is_open"]]

    client = _text(project.get("client")) or "Client not named"
    project_name = _text(project.get("name")) or "Untitled project"
    ownership = _mapping(scope.get("ownership"))
    authors = [name for name in (meta.consultancy.strip(), meta.frozen_by.strip()) if name]
    return {
        "meta": meta,
        "document_title": f"{client} – {project_name} – scope v{meta.version_number}",
        "authors": authors,
        "keywords": f"{KEYWORD_PREFIX}{meta.version_sha256}",
        "generated_iso": meta.generated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generated_utc": _utc(meta.generated_at),
        "client": client,
        "project_name": project_name,
        "frozen_on": _iso_date(meta.frozen_at),
        "frozen_at_utc": _utc(meta.frozen_at),
        "target_decision_date": _iso_date(project.get("target_decision_date")),
        "short_hash": meta.short_hash,
        "score": readiness.score,
        "gate_count": len(SECTION_KEYS),
        "blocker_total": len(readiness.blockers),
        "warning_total": len(readiness.warnings),
        "sections": sections,
        "currency": currency,
        "cost_verdict": verdict(costs),
        "summary_tiers": [
            {
                "label": TIER_LABELS[tier],
                "volume": f"{costs.tiers[tier].volume:,}" if costs.tiers[tier].volume is not None else "—",
                "cost_per_use": format_money(costs.tiers[tier].cost_per_use, currency, per_use=True),
                "monthly_cost": format_money(costs.tiers[tier].monthly_cost, currency),
            }
            for tier in TIERS
        ],
        "owners": [
            _value(_printed("ownership", "business_owner.name"), _person(ownership.get("business_owner"))),
            _value(_printed("ownership", "technical_owner.name"), _person(ownership.get("technical_owner"))),
            _value(_printed("ownership", "budget_owner"), ownership.get("budget_owner")),
        ],
        "questions": questions,
        "open_questions": open_questions,
        "overdue_questions": sum(1 for question in open_questions if question["is_overdue"]),
        "summary_questions": open_questions[:SUMMARY_QUESTION_LIMIT],
        "more_open_questions": max(0, len(open_questions) - SUMMARY_QUESTION_LIMIT),
        "risks": [
            {
                "title": code_title(str(row.get("code") or "")) if row.get("code") else NOT_STATED,
                "severity": CODES.get(str(row.get("code") or "").strip(), ""),
                "section": SECTION_LABELS.get(str(row.get("code") or "").split(".")[0], ""),
                "reason": _text(row.get("reason")) or NOT_STATED,
                "accepted_by": _text(row.get("accepted_by")) or NOT_STATED,
            }
            for row in risks
        ],
        "signoffs": [
            {
                "name": _text(signoff.get("name")) or NOT_STATED,
                "typed_name": _text(signoff.get("typed_name")),
                "role": _text(signoff.get("role")) or NOT_STATED,
                "signed_at": _utc(signoff.get("signed_at")),
                "ip": _text(signoff.get("ip")) or NOT_STATED,
                "user_agent": _text(signoff.get("user_agent")) or NOT_STATED,
            }
            for signoff in meta.signoffs
        ],
        "is_signed": meta.kind == "signed",
        "is_draft": meta.kind == "draft",
    }


__all__ = [
    "DocumentMeta",
    "RenderError",
    "RenderedPdf",
    "StaticOnlyFetcher",
    "build_document_context",
    "html_to_pdf",
    "render_scope_html",
    "render_scope_pdf",
]
