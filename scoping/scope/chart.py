"""The cost chart: monthly cost against monthly value across volume, as one plain SVG for the page and the PDF.

Hand-written SVG rather than a chart library because the same markup must render inline in the browser (under
a strict CSP, with no JavaScript) and in WeasyPrint's SVG renderer. It uses only lines, polylines, rects, circles
and text, with dark strokes and dash patterns so that it still reads when printed in greyscale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.sax.saxutils import escape

from scoping.scope.catalogue import TIER_LABELS
from scoping.scope.costs import (
    TIERS,
    CostResult,
    compute_costs,
    format_money,
)
from scoping.scope.money import format_compact_money

DEFAULT_TITLE = "Monthly cost and value by volume"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"

COST_STYLE = 'stroke="#000000" stroke-width="2.5"'
VALUE_STYLE = 'stroke="#444444" stroke-width="2.5" stroke-dasharray="9 5"'
TIER_STYLE = 'stroke="#555555" stroke-width="1.2" stroke-dasharray="2 4"'
GRID_STYLE = 'stroke="#d0d0d0" stroke-width="0.8"'
AXIS_STYLE = 'stroke="#000000" stroke-width="1.2"'

NARROW_BELOW = 520  # a chart narrower than this is drawn for a phone or a side panel: tighter margins, legend wrapped
LEGEND_ROW = 16

_FIELD_LABELS = {
    "tiers.pilot": "pilot volume",
    "tiers.launch": "launch volume",
    "tiers.scale": "scale volume",
}


def _text(value: object) -> str:
    return escape(str(value))


def _attr(value: object) -> str:
    return escape(str(value), {'"': "&quot;", "'": "&apos;"})


def _trim(value: Decimal, places: str = "0.01") -> str:
    rounded = value.quantize(Decimal(places), rounding=ROUND_HALF_UP).normalize()
    return format(rounded, "f")


_UNITS = ((Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "M"), (Decimal(1000), "k"))


def axis_unit(maximum: Decimal) -> tuple[Decimal, str]:
    """One unit for a whole axis, so that its labels read alike: 0, 2.5k, 5k … rather than 8,000 then 10k."""
    for divisor, suffix in _UNITS:
        if abs(maximum) >= divisor * (10 if suffix == "k" else 1):
            return divisor, suffix
    return Decimal(1), ""


def compact_number(value: Decimal, unit: tuple[Decimal, str] | None = None) -> str:
    """Short tick label in the given unit (or the value's own): 2,500 / 12.5k / 1.5M / 2bn."""
    divisor, suffix = unit if unit is not None else axis_unit(value)
    if suffix and value != 0:
        return f"{_trim(value / divisor)}{suffix}"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return _trim(value)


def compact_money(value: Decimal, currency: str) -> str:
    """A money tick label in compact notation, in the currency's own sign: £2.5K, €500B, ¥1.2M."""
    return format_compact_money(value, currency)


def nice_axis(raw_max: Decimal, *, target_ticks: int = 5) -> tuple[Decimal, Decimal]:
    """A round step (1, 2, 2.5 or 5 × 10^n) and an axis maximum that is a whole number of steps above raw_max."""
    if raw_max <= 0:
        return Decimal(1), Decimal(target_ticks)
    rough = raw_max / target_ticks
    base = Decimal(10) ** rough.adjusted()
    for multiple in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        step = base * multiple
        if raw_max / step <= target_ticks:
            break
    steps = (raw_max / step).to_integral_value(rounding="ROUND_CEILING")
    return step, step * max(steps, 1)


def _svg_open(width: int, height: int, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_attr(label)}" '
        f'font-family="{FONT}" font-size="12" class="cost-chart">'
    )


def _placeholder(result: CostResult, *, width: int, title: str) -> str:
    """A small box that says what the chart is waiting for, so the gap is visible on the page and in print."""
    gaps = [_FIELD_LABELS.get(name, name.removesuffix("_pct").replace("_", " ")) for name in result.missing]
    gaps += [f"{_FIELD_LABELS.get(name, name.replace('_', ' '))} (not usable)" for name in result.invalid]
    if not gaps and all(result.tiers[tier].volume is None for tier in TIERS):
        gaps = ["volume tiers"]
    shown = ", ".join(gaps[:6]) + (f" and {len(gaps) - 6} more" if len(gaps) > 6 else "")
    message = "The cost chart needs the cost inputs."
    detail = f"Missing: {shown}." if shown else "Fill in the cost model to draw it."
    height = 72
    return "\n".join(
        [
            _svg_open(width, height, f"{title}: {message} {detail}"),
            f"<title>{_text(title)}</title>",
            f"<desc>{_text(message)} {_text(detail)}</desc>",
            (
                f'<rect x="1" y="1" width="{width - 2}" height="{height - 2}" fill="#ffffff" stroke="#555555" '
                'stroke-width="1" stroke-dasharray="6 4"/>'
            ),
            f'<text x="16" y="30" font-size="14" font-weight="bold" fill="#000000">{_text(message)}</text>',
            f'<text x="16" y="52" fill="#222222">{_text(detail)}</text>',
            "</svg>",
        ]
    )


class _Plot:
    """Maps volumes and money onto the drawing area."""

    def __init__(self, *, width: int, height: int, x_max: Decimal, y_max: Decimal, top: float = 60.0) -> None:
        self.left, self.right = (
            (78.0 if width >= NARROW_BELOW else 64.0),
            width - (24.0 if width >= NARROW_BELOW else 16.0),
        )
        self.top, self.bottom = top, height - 52.0
        self.x_max, self.y_max = float(x_max), float(y_max)

    def x(self, volume: Decimal | int) -> float:
        return round(self.left + (self.right - self.left) * float(volume) / self.x_max, 2)

    def y(self, money: Decimal) -> float:
        return round(self.bottom - (self.bottom - self.top) * float(money) / self.y_max, 2)


def _ticks(step: Decimal, maximum: Decimal) -> Iterable[Decimal]:
    tick = Decimal(0)
    while tick <= maximum:
        yield tick
        tick += step


def cost_chart_svg(
    cost_model: Mapping[str, Any],
    *,
    width: int = 720,
    height: int = 360,
    title: str = DEFAULT_TITLE,
) -> str:
    """SVG of monthly cost and monthly value from zero to beyond the scale volume, with tiers and break-even."""
    result = compute_costs(cost_model if isinstance(cost_model, Mapping) else {})
    currency = result.currency
    volumes = {tier: result.tiers[tier].volume for tier in TIERS if result.tiers[tier].volume is not None}
    variable, fixed, value = result.variable, result.fixed_monthly, result.value_per_use
    if variable is None or fixed is None or value is None or not volumes or result.invalid:
        return _placeholder(result, width=width, title=title)

    def cost_at(volume: Decimal) -> Decimal:
        return variable * volume + fixed

    def value_at(volume: Decimal) -> Decimal:
        return value * volume

    break_even = result.break_even_volume
    largest = max(max(volumes.values()), break_even or 0)
    x_step, x_max = nice_axis(Decimal(largest) * Decimal("1.2") if largest else Decimal(10))
    y_step, y_max = nice_axis(max(cost_at(x_max), value_at(x_max)))
    legend, legend_rows = _legend(left=16.0 if width < NARROW_BELOW else 78.0, y=42, right=width - 8.0)
    plot = _Plot(width=width, height=height, x_max=x_max, y_max=y_max, top=60.0 + LEGEND_ROW * (legend_rows - 1))
    title_x = plot.left if plot.left + _text_width(title, 15) <= width - 8 else 8

    parts = [_svg_open(width, height, f"{title}. {_summary(result, volumes)}")]
    parts.append(f"<title>{_text(title)}</title>")
    parts.append(f"<desc>{_text(_summary(result, volumes, model=cost_model.get('model')))}</desc>")
    parts.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>')
    parts.append(f'<text x="{title_x}" y="22" font-size="15" font-weight="bold" fill="#000000">{_text(title)}</text>')

    # Grid and axes.
    x_unit = axis_unit(x_max)
    for tick in _ticks(y_step, y_max):
        y = plot.y(tick)
        if tick:
            parts.append(f'<line x1="{plot.left}" y1="{y}" x2="{plot.right}" y2="{y}" {GRID_STYLE}/>')
        parts.append(
            f'<text x="{plot.left - 8}" y="{y + 4}" text-anchor="end" fill="#000000">'
            f"{_text(compact_money(tick, currency))}</text>"
        )
    for tick in _ticks(x_step, x_max):
        x = plot.x(tick)
        parts.append(f'<line x1="{x}" y1="{plot.bottom}" x2="{x}" y2="{plot.bottom + 5}" {AXIS_STYLE}/>')
        parts.append(
            f'<text x="{x}" y="{plot.bottom + 19}" text-anchor="middle" fill="#000000">'
            f"{_text(compact_number(tick, x_unit))}</text>"
        )
    parts.append(f'<line x1="{plot.left}" y1="{plot.bottom}" x2="{plot.right}" y2="{plot.bottom}" {AXIS_STYLE}/>')
    parts.append(f'<line x1="{plot.left}" y1="{plot.top}" x2="{plot.left}" y2="{plot.bottom}" {AXIS_STYLE}/>')
    parts.append(
        f'<text x="{(plot.left + plot.right) / 2}" y="{height - 12}" text-anchor="middle" fill="#000000">'
        "Uses per month</text>"
    )
    axis_y = (plot.top + plot.bottom) / 2
    parts.append(
        f'<text x="16" y="{axis_y}" text-anchor="middle" transform="rotate(-90 16 {axis_y})" fill="#000000">'
        f"{_text(f'Per month ({currency})' if currency else 'Per month')}</text>"
    )

    # Volume tiers: labelled vertical lines, labels staggered so that close tiers do not overprint.
    for row, (tier, volume) in enumerate(volumes.items()):
        x = plot.x(volume)
        label = f"{TIER_LABELS[tier]} {volume:,}"
        anchor, text_x = ("end", x - 4) if x > plot.right - 110 else ("start", x + 4)
        parts.append(
            f'<g class="tier tier-{tier}">'
            f'<line x1="{x}" y1="{plot.top}" x2="{x}" y2="{plot.bottom}" {TIER_STYLE}/>'
            f'<text x="{text_x}" y="{plot.top + 12 + 14 * row}" text-anchor="{anchor}" font-size="11" '
            f'fill="#222222">{_text(label)}</text></g>'
        )

    # The two lines are straight, so their end points are enough.
    zero = Decimal(0)
    parts.append(
        f'<polyline class="monthly-cost" fill="none" {COST_STYLE} '
        f'points="{plot.x(zero)},{plot.y(cost_at(zero))} {plot.x(x_max)},{plot.y(cost_at(x_max))}"/>'
    )
    parts.append(
        f'<polyline class="monthly-value" fill="none" {VALUE_STYLE} '
        f'points="{plot.x(zero)},{plot.y(value_at(zero))} {plot.x(x_max)},{plot.y(value_at(x_max))}"/>'
    )

    parts.append(_break_even_mark(result, plot, cost_at, label_row=len(volumes)))
    parts.append(legend)
    parts.append("</svg>")
    return "\n".join(parts)


def _text_width(text: str, font_size: float) -> float:
    """Rough width of a label; enough to give it a white backing so lines do not run through it."""
    return len(text) * font_size * 0.62


def _backed_label(text: str, *, x: float, y: float, anchor: str, font_size: int = 12, css_class: str = "") -> str:
    width = _text_width(text, font_size)
    left = x - width if anchor == "end" else x
    class_attr = f' class="{css_class}"' if css_class else ""
    return (
        f'<rect x="{round(left - 3, 2)}" y="{round(y - font_size, 2)}" width="{round(width + 6, 2)}" '
        f'height="{font_size + 5}" fill="#ffffff" fill-opacity="0.8"/>'
        f'<text{class_attr} x="{x}" y="{y}" text-anchor="{anchor}" font-size="{font_size}" font-weight="bold" '
        f'fill="#000000">{_text(text)}</text>'
    )


def _break_even_mark(result: CostResult, plot: _Plot, cost_at: Any, *, label_row: int) -> str:
    if result.never_breaks_even:
        y = plot.top + 12 + 14 * label_row + 8
        text = "Never breaks even: each use costs more than it saves"
        return f'<g class="never-breaks-even">{_backed_label(text, x=plot.left + 8, y=y, anchor="start")}</g>'
    volume = result.break_even_volume
    if volume is None:
        return ""
    at_cost = cost_at(Decimal(volume))
    x, y = plot.x(volume), plot.y(at_cost)
    label = f"Break-even {volume:,} uses/month ({format_money(at_cost, result.currency)})"
    anchor, text_x = ("end", x - 6) if x > (plot.left + plot.right) / 2 else ("start", x + 6)
    # On a narrow chart the label may not fit beside the point: keep it inside the plot's width.
    label_width = _text_width(label, 12)
    if anchor == "start" and text_x + label_width > plot.right:
        text_x = round(max(plot.left + 4, plot.right - label_width), 2)
    elif anchor == "end" and text_x - label_width < plot.left:
        text_x = round(min(plot.right, plot.left + 4 + label_width), 2)
    # The label sits in its own row at the top of the plot, under the tier labels, with the dashed marker line
    # running up to it: next to the point it collided with the cost line, which passes through that point.
    text_y = plot.top + 12 + 14 * label_row + 8
    return (
        f'<g class="break-even" data-volume="{volume}">'
        f'<line x1="{x}" y1="{min(y, text_y - 10)}" x2="{x}" y2="{plot.bottom}" stroke="#000000" stroke-width="1" '
        'stroke-dasharray="4 2"/>'
        f'<circle cx="{x}" cy="{y}" r="5" fill="#ffffff" stroke="#000000" stroke-width="2"/>'
        f"{_backed_label(label, x=text_x, y=text_y, anchor=anchor)}</g>"
    )


def _legend(*, left: float, y: float, right: float) -> tuple[str, int]:
    """Rows under the title, outside the plot, so it never hides a line or a label; wraps when the chart is narrow.

    Returns the markup and the number of rows it takes.
    """
    samples = [
        ('<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" ' + COST_STYLE + "/>", "Monthly cost"),
        ('<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" ' + VALUE_STYLE + "/>", "Monthly value (saved)"),
        ('<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" ' + TIER_STYLE + "/>", "Volume tier"),
        ('<circle cx="{mid}" cy="{y}" r="4" fill="#ffffff" stroke="#000000" stroke-width="2"/>', "Break-even"),
    ]
    parts = ['<g class="legend">']
    x, row_y, rows = left, float(y), 1
    for sample, label in samples:
        item_width = 32 + _text_width(label, 11)
        if x > left and x + item_width > right:
            x, row_y, rows = left, row_y + LEGEND_ROW, rows + 1
        parts.append(sample.format(x=x, x2=x + 26, mid=x + 13, y=row_y))
        parts.append(f'<text x="{x + 32}" y="{row_y + 4}" font-size="11" fill="#000000">{_text(label)}</text>')
        x += item_width + 22
    parts.append("</g>")
    return "".join(parts), rows


def _summary(result: CostResult, volumes: Mapping[str, int], *, model: object = None) -> str:
    """The chart in words, for screen readers and for anyone who cannot see it."""
    currency = result.currency
    parts = [
        (
            f"Monthly cost is {format_money(result.fixed_monthly, currency)} fixed plus "
            f"{format_money(result.variable, currency, per_use=True)} per use; each use saves "
            f"{format_money(result.value_per_use, currency, per_use=True)}."
        )
    ]
    tiers = ", ".join(f"{tier} {volume:,}" for tier, volume in volumes.items())
    parts.append(f"Volume tiers (uses per month): {tiers}.")
    if result.never_breaks_even:
        parts.append("It never breaks even: each use costs more than it saves.")
    elif result.break_even_volume is not None:
        parts.append(f"Break-even at {result.break_even_volume:,} uses a month.")
    if isinstance(model, str) and model.strip():
        parts.append(f"Model: {model.strip()}.")
    return " ".join(parts)
