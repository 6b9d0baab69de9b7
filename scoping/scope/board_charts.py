"""The pipeline board's two charts, a funnel (projects per stage) and an ageing chart, as plain server-side SVG.

Pure functions over plain (label, count) rows, so the numbers can be tested without a database and the markup
renders under the strict CSP with no JavaScript. Every text goes through ``escape``; each chart carries
``role="img"``, a ``<title>`` and a ``<desc>`` with the same sentence the page prints beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
BAR_FILL = "#0d6efd"
TEXT_FILL = "#212529"
ROW_HEIGHT = 28
LABEL_WIDTH = 150
COUNT_WIDTH = 48
WIDTH = 480


@dataclass(frozen=True)
class AgeBucket:
    """Days in the current stage, from ``low`` (included) to ``high`` (excluded; None: no upper end)."""

    label: str
    low: int
    high: int | None


AGE_BUCKETS: tuple[AgeBucket, ...] = (
    AgeBucket("Under 1 week", 0, 7),
    AgeBucket("1 to 4 weeks", 7, 30),
    AgeBucket("1 to 3 months", 30, 90),
    AgeBucket("3 months or more", 90, None),
)


def age_bucket(days: int) -> AgeBucket:
    """The bucket a project that has spent ``days`` whole days in its stage falls into."""
    for bucket in AGE_BUCKETS:
        if days >= bucket.low and (bucket.high is None or days < bucket.high):
            return bucket
    return AGE_BUCKETS[0]  # a stage change stamped in the future (clock skew) counts as new


def _text(value: object) -> str:
    return escape(str(value))


def _attr(value: object) -> str:
    return escape(str(value), {'"': "&quot;", "'": "&apos;"})


def chart_summary(rows: Sequence[tuple[str, int]], *, noun: str = "project") -> str:
    """One sentence with every number of the chart, for screen readers and for anyone who cannot see the bars."""
    total = sum(count for _label, count in rows)
    parts = "; ".join(f"{label}: {count}" for label, count in rows)
    return f"{total} {noun}{'' if total == 1 else 's'} in all. {parts}." if rows else f"No {noun}s."


def bar_chart_svg(rows: Sequence[tuple[str, int]], *, title: str, chart_id: str, noun: str = "project") -> str:
    """Horizontal bars, one row per (label, count), scaled to the largest count; labels left, counts right."""
    summary = chart_summary(rows, noun=noun)
    largest = max((count for _label, count in rows), default=0)
    track = WIDTH - LABEL_WIDTH - COUNT_WIDTH
    height = ROW_HEIGHT * max(len(rows), 1) + 8
    ident = _attr(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" font-family="{_attr(FONT)}" font-size="13">',
        f'<title id="{ident}-title">{_text(title)}</title>',
        f'<desc id="{ident}-desc">{_text(summary)}</desc>',
    ]
    for index, (label, count) in enumerate(rows):
        y = 4 + index * ROW_HEIGHT
        bar = round(track * count / largest) if largest else 0
        middle = y + ROW_HEIGHT / 2 + 4
        parts.append(f'<text x="0" y="{middle:g}" fill="{TEXT_FILL}">{_text(label)}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{bar}" height="{ROW_HEIGHT - 8}" fill="{BAR_FILL}"/>')
        parts.append(
            f'<text x="{LABEL_WIDTH + bar + 6}" y="{middle:g}" fill="{TEXT_FILL}" data-count="{int(count)}">'
            f"{int(count)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def funnel_svg(rows: Sequence[tuple[str, int]]) -> str:
    """Projects per stage, in the order of the workflow."""
    return bar_chart_svg(rows, title="Projects per stage", chart_id="funnel-chart")


def ageing_svg(rows: Sequence[tuple[str, int]]) -> str:
    """Projects still moving through the workflow, by how long they have been in their current stage."""
    return bar_chart_svg(rows, title="Days in the current stage", chart_id="ageing-chart")
