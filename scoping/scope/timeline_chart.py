"""The engagement timeline: phases as bars on a date axis and milestones as diamonds, as one SVG for page and PDF.

Hand-written SVG, like the cost chart (``scoping.scope.chart``), so the same markup renders inline in the browser
under a strict CSP and in WeasyPrint. Pure: it reads the scope JSON v2 ``engagement`` object and never raises on odd
input. A phase whose dates are missing, unreadable or reversed is left out of the drawing and the text summary says
so; when no phase can be drawn the chart is a placeholder that says what it needs.

Geometry: a day is a slot on the axis; a phase covers its start day up to and including its end day, and a milestone
sits in the middle of its due day. Milestone labels are placed greedily on the first row below the diamonds where
they do not overlap a label already placed, so close milestones stagger instead of overprinting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from xml.sax.saxutils import escape

__all__ = ["TimelineChart", "long_day", "phase_span", "timeline_chart"]

TITLE = "Engagement timeline"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
DEFAULT_COLOUR = "#2a6f73"
MILESTONE_COLOUR = "#14304d"
TODAY_COLOUR = "#9a1c1c"

LABEL_COLUMN = 170  # phase names, left of the plot
RIGHT_MARGIN = 16
AXIS_HEIGHT = 30  # month labels above the plot
PHASE_ROW = 26
BAR_HEIGHT = 14
MILESTONE_LANE = 24
LABEL_ROW = 26  # one staggered row of milestone labels: the name, and the date under it
LABEL_GAP = 8  # the least space between two labels on one row
LABEL_FONT = 10.5
PHASE_FONT = 11
MAX_NAME_CHARS = 40

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# Characters XML 1.0 does not allow anywhere in a document, escaped or not.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class TimelineChart:
    """The SVG markup and the same chart in words (its ``<desc>``, and a caption for anyone who cannot see it)."""

    svg: str
    summary: str
    drawn: bool  # False when it is the placeholder


@dataclass(frozen=True)
class _Phase:
    name: str
    starts: date
    ends: date


@dataclass(frozen=True)
class _Milestone:
    name: str
    due: date


def _clean(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def _text(value: object) -> str:
    return escape(_clean(value))


def _attr(value: object) -> str:
    return escape(_clean(value), {'"': "&quot;", "'": "&apos;", "\n": " ", "\r": " ", "\t": " "})


def _name(value: Any, fallback: str) -> str:
    text = " ".join(value.split()) if isinstance(value, str) else ""
    return text or fallback


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _rows(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        return []
    return [row for row in value if isinstance(row, Mapping)]


def long_day(day: date) -> str:
    """``15 March 2027``."""
    return f"{day.day} {day:%B %Y}"


def _short_day(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]}"


def _width_of(text: str, font_size: float) -> float:
    """Rough width of a label in the chart's sans-serif: enough to keep labels apart."""
    return len(text) * font_size * 0.58


def _shortened(text: str, font_size: float, room: float) -> str:
    """The text, cut with an ellipsis when it would not fit in ``room`` pixels (the full text is in a ``<title>``)."""
    if _width_of(text, font_size) <= room:
        return text
    keep = max(1, int(room / (font_size * 0.58)) - 1)
    return text[:keep].rstrip() + "…"


def _read(engagement: Mapping[str, Any]) -> tuple[list[_Phase], list[_Milestone], list[str]]:
    """The phases and milestones that can be drawn, and a sentence for each one that cannot."""
    phases: list[_Phase] = []
    milestones: list[_Milestone] = []
    left_out: list[str] = []
    for index, row in enumerate(_rows(engagement.get("phases"))):
        name = _name(row.get("name"), f"Phase {index + 1}")
        starts, ends = _day(row.get("starts")), _day(row.get("ends"))
        if starts is None or ends is None:
            left_out.append(f"{name} is not drawn: it needs a start and an end date.")
        elif ends < starts:
            left_out.append(f"{name} is not drawn: it ends ({long_day(ends)}) before it starts ({long_day(starts)}).")
        else:
            phases.append(_Phase(name=name, starts=starts, ends=ends))
    for index, row in enumerate(_rows(engagement.get("milestones"))):
        name = _name(row.get("name"), f"Milestone {index + 1}")
        due = _day(row.get("due"))
        if due is None:
            left_out.append(f"{name} is not drawn: it has no due date.")
        else:
            milestones.append(_Milestone(name=name, due=due))
    return phases, milestones, left_out


def _summary(phases: list[_Phase], milestones: list[_Milestone], left_out: list[str]) -> str:
    parts = []
    if phases:
        first = min(phase.starts for phase in phases)
        last = max(phase.ends for phase in phases)
        count = f"{len(phases)} phase{'s' if len(phases) != 1 else ''}"
        listed = "; ".join(f"{phase.name}, {long_day(phase.starts)} to {long_day(phase.ends)}" for phase in phases)
        parts.append(f"{count} from {long_day(first)} to {long_day(last)}: {listed}.")
    if milestones:
        listed = "; ".join(f"{milestone.name}, due {long_day(milestone.due)}" for milestone in milestones)
        parts.append(f"Milestones: {listed}.")
    parts.extend(left_out)
    return " ".join(parts) or "No phases or milestones are planned yet."


def _month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from the month of ``first`` to the month after ``last``."""
    months = []
    current = first.replace(day=1)
    while True:
        months.append(current)
        if current > last:
            return months
        current = (current + timedelta(days=32)).replace(day=1)


def _tick_every(month_count: int) -> int:
    """Months between labelled ticks, so that labels stay about 60 px apart on a 530 px plot."""
    for every in (1, 2, 3, 6, 12, 24, 60, 120):
        if month_count / every <= 9:
            return every
    return 240


class _Axis:
    """Maps days onto the plot: ``x(day)`` is where that day's slot starts."""

    def __init__(self, first: date, end: date, left: float, right: float) -> None:
        self.first = first
        self.days = max((end - first).days, 1)
        self.left = left
        self.right = right

    def x(self, day: date) -> float:
        return round(self.left + (day - self.first).days * (self.right - self.left) / self.days, 2)

    def middle(self, day: date) -> float:
        return round((self.x(day) + self.x(day + timedelta(days=1))) / 2, 2)


def _svg_open(width: int, height: int, label: str, data: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_attr(label)}" font-family="{FONT}" '
        f'font-size="11" class="timeline-chart img-fluid"{data}>'
    )


def _placeholder(width: int, summary: str) -> TimelineChart:
    height = 72
    message = "The timeline needs the phases' dates."
    detail = "Give each phase a start and an end date to draw it."
    svg = "\n".join(
        [
            _svg_open(width, height, f"{TITLE}: {message} {summary}", ' data-phases="0" data-placeholder="true"'),
            f"<title>{_text(TITLE)}</title>",
            f"<desc>{_text(message)} {_text(summary)}</desc>",
            (
                f'<rect x="1" y="1" width="{width - 2}" height="{height - 2}" fill="#ffffff" stroke="#555555" '
                'stroke-width="1" stroke-dasharray="6 4"/>'
            ),
            f'<text x="16" y="30" font-size="14" font-weight="bold" fill="#000000">{_text(message)}</text>',
            f'<text x="16" y="52" fill="#222222">{_text(detail)}</text>',
            "</svg>",
        ]
    )
    return TimelineChart(svg=svg, summary=summary, drawn=False)


def _place_labels(boxes: list[tuple[float, float]], gap: float = LABEL_GAP) -> list[int]:
    """The row of each label box ``(left, right)``: the first row where it clears every label already on it.

    Boxes are taken in the order given (left to right along the axis), so each row only needs its rightmost edge.
    """
    row_ends: list[float] = []
    rows = []
    for left, right in boxes:
        for row, end in enumerate(row_ends):
            if left >= end + gap:
                row_ends[row] = right
                rows.append(row)
                break
        else:
            row_ends.append(right)
            rows.append(len(row_ends) - 1)
    return rows


def timeline_chart(
    engagement: Mapping[str, Any] | None,
    *,
    today: date | None = None,
    width: int = 720,
    colour: str = DEFAULT_COLOUR,
) -> TimelineChart:
    """The timeline of an engagement's phases and milestones; ``today`` adds a marker when it falls on the axis."""
    engagement = engagement if isinstance(engagement, Mapping) else {}
    colour = colour if isinstance(colour, str) and _COLOUR.fullmatch(colour) else DEFAULT_COLOUR
    phases, milestones, left_out = _read(engagement)
    summary = _summary(phases, milestones, left_out)
    if not phases:
        return _placeholder(width, summary)

    days = [phase.starts for phase in phases] + [phase.ends for phase in phases]
    days += [milestone.due for milestone in milestones]
    months = _month_starts(min(days), max(days))
    axis = _Axis(months[0], months[-1], float(LABEL_COLUMN), float(width - RIGHT_MARGIN))

    ordered = sorted(enumerate(milestones), key=lambda pair: (pair[1].due, pair[0]))
    boxes = []
    for _index, milestone in ordered:
        centre = axis.middle(milestone.due)
        half = max(_width_of(milestone.name[:MAX_NAME_CHARS], LABEL_FONT), _width_of("30 Sep", LABEL_FONT)) / 2
        left = min(max(centre - half, 4.0), width - 4.0 - 2 * half)
        boxes.append((left, left + 2 * half))
    label_rows = _place_labels(boxes)
    row_count = max(label_rows, default=-1) + 1

    plot_top = AXIS_HEIGHT
    lane_top = plot_top + PHASE_ROW * len(phases)
    labels_top = lane_top + MILESTONE_LANE
    height = int(labels_top + LABEL_ROW * row_count + (8 if milestones else 0))
    data = f' data-phases="{len(phases)}" data-milestones="{len(milestones)}" data-label-rows="{row_count}"'

    parts = [_svg_open(width, height, f"{TITLE}. {summary}", data)]
    parts.append(f"<title>{_text(TITLE)}</title>")
    parts.append(f"<desc>{_text(summary)}</desc>")
    parts.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>')

    # Month grid and labels.
    every = _tick_every(len(months) - 1)
    for position, month in enumerate(months):
        x = axis.x(month)
        parts.append(
            f'<line class="month-tick" data-month="{month:%Y-%m}" x1="{x}" y1="{plot_top - 6}" x2="{x}" '
            f'y2="{lane_top + MILESTONE_LANE}" stroke="#d0d5db" stroke-width="0.8"/>'
        )
        if position < len(months) - 1 and position % every == 0:
            label = f"{_MONTHS[month.month - 1]} {month.year}" if position == 0 or month.month == 1 else None
            label = label or _MONTHS[month.month - 1]
            parts.append(f'<text x="{x + 4}" y="{plot_top - 10}" font-size="10.5" fill="#3b4856">{_text(label)}</text>')

    # Phases: the name on the left, the bar on the axis.
    for row, phase in enumerate(phases):
        y = plot_top + PHASE_ROW * row
        x = axis.x(phase.starts)
        bar_width = max(round(axis.x(phase.ends + timedelta(days=1)) - x, 2), 1.0)
        shown = _shortened(phase.name, PHASE_FONT, LABEL_COLUMN - 12)
        period = f"{long_day(phase.starts)} to {long_day(phase.ends)}"
        parts.append(
            f'<g class="phase" data-name="{_attr(phase.name)}" data-starts="{phase.starts.isoformat()}" '
            f'data-ends="{phase.ends.isoformat()}" data-x="{x}" data-width="{bar_width}">'
            f"<title>{_text(phase.name)}: {_text(period)}</title>"
            f'<text x="4" y="{y + PHASE_ROW / 2 + 4}" font-size="{PHASE_FONT}" fill="#1c2430">{_text(shown)}</text>'
            f'<rect x="{x}" y="{y + (PHASE_ROW - BAR_HEIGHT) / 2}" width="{bar_width}" height="{BAR_HEIGHT}" '
            f'rx="2" fill="{colour}"/></g>'
        )

    # Milestones: diamonds on their own lane, labels staggered underneath.
    if milestones:
        lane_y = lane_top + MILESTONE_LANE / 2
        parts.append(
            f'<text x="4" y="{lane_y + 4}" font-size="{PHASE_FONT}" font-weight="bold" fill="#1c2430">Milestones</text>'
        )
        parts.append(
            f'<line x1="{axis.left}" y1="{lane_y}" x2="{axis.right}" y2="{lane_y}" stroke="#9aa3ae" '
            'stroke-width="0.8"/>'
        )
    for (_index, milestone), (left, right), label_row in zip(ordered, boxes, label_rows, strict=True):
        lane_y = lane_top + MILESTONE_LANE / 2
        x = axis.middle(milestone.due)
        label_x = round((left + right) / 2, 2)
        name_y = labels_top + LABEL_ROW * label_row + 10
        diamond = f"{x},{lane_y - 6} {x + 6},{lane_y} {x},{lane_y + 6} {x - 6},{lane_y}"
        shown = milestone.name if len(milestone.name) <= MAX_NAME_CHARS else milestone.name[: MAX_NAME_CHARS - 1] + "…"
        parts.append(
            f'<g class="milestone" data-name="{_attr(milestone.name)}" data-due="{milestone.due.isoformat()}" '
            f'data-x="{x}" data-label-row="{label_row}" data-label-left="{round(left, 2)}" '
            f'data-label-right="{round(right, 2)}">'
            f"<title>{_text(milestone.name)}: due {_text(long_day(milestone.due))}</title>"
            f'<line x1="{x}" y1="{lane_y + 6}" x2="{x}" y2="{name_y - 9}" stroke="#9aa3ae" stroke-width="0.8"/>'
            f'<polygon points="{diamond}" fill="{MILESTONE_COLOUR}" stroke="#ffffff" stroke-width="1"/>'
            f'<text x="{label_x}" y="{name_y}" text-anchor="middle" font-size="{LABEL_FONT}" '
            f'fill="#1c2430">{_text(shown)}</text>'
            f'<text x="{label_x}" y="{name_y + 12}" text-anchor="middle" font-size="{LABEL_FONT - 1}" '
            f'fill="#5b6675">{_text(_short_day(milestone.due))}</text></g>'
        )

    if today is not None and months[0] <= today < months[-1]:
        x = axis.middle(today)
        parts.append(
            f'<g class="today" data-date="{today.isoformat()}" data-x="{x}">'
            f'<line x1="{x}" y1="{plot_top - 4}" x2="{x}" y2="{lane_top + MILESTONE_LANE}" stroke="{TODAY_COLOUR}" '
            'stroke-width="1.2" stroke-dasharray="4 3"/>'
            f'<text x="{x + 3}" y="{plot_top - 1}" font-size="9" fill="{TODAY_COLOUR}">Today</text></g>'
        )
    parts.append("</svg>")
    return TimelineChart(svg="\n".join(parts), summary=summary, drawn=True)


def phase_span(engagement: Mapping[str, Any] | None) -> tuple[date, date] | None:
    """The first start and the last end of the phases that can be drawn; ``None`` when there is none."""
    phases, _milestones, _left_out = _read(engagement if isinstance(engagement, Mapping) else {})
    if not phases:
        return None
    return min(phase.starts for phase in phases), max(phase.ends for phase in phases)
