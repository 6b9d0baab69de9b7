"""The cost chart: monthly cost against monthly value across volume, as one plain SVG for the page and the PDF.

Hand-written SVG rather than a chart library because the same markup must render inline in the browser (under
a strict CSP, with no JavaScript) and in WeasyPrint's SVG renderer. It uses only lines, polylines, rects, circles
and text, with dark strokes and dash patterns so that it still reads when printed in greyscale.
"""

from __future__ import annotations

import decimal
import math
import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
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


def _svg_open(width: int, height: int, label: str, *, css_class: str = "cost-chart", data: str = "") -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_attr(label)}" '
        f'font-family="{FONT}" font-size="12" class="{css_class}"{data}>'
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
    return _notice(width=width, title=title, message=message, detail=detail)


def _notice(*, width: int, title: str, message: str, detail: str) -> str:
    """The placeholder box: a bold message and one line of detail, in place of a chart that cannot be drawn."""
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


_BREAK_EVEN_SAMPLE = '<circle cx="{mid}" cy="{y}" r="4" fill="#ffffff" stroke="#000000" stroke-width="2"/>'
_MONTHLY_LEGEND = (
    ('<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" ' + COST_STYLE + "/>", "Monthly cost"),
    ('<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" ' + VALUE_STYLE + "/>", "Monthly value (saved)"),
    ('<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" ' + TIER_STYLE + "/>", "Volume tier"),
    (_BREAK_EVEN_SAMPLE, "Break-even"),
)


def _legend(
    *, left: float, y: float, right: float, samples: Iterable[tuple[str, str]] = _MONTHLY_LEGEND
) -> tuple[str, int]:
    """Rows under the title, outside the plot, so it never hides a line or a label; wraps when the chart is narrow.

    Returns the markup and the number of rows it takes.
    """
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


# --- Cost per use against volume ------------------------------------------------------------------------------------

PER_USE_TITLE = "Cost per use by volume"

# A volume axis turns logarithmic once the volumes it must show span twenty times or more. On a linear axis from zero
# the smallest of them then sits within a twentieth of the plot's width of the y-axis (about 14 px at 360 px wide),
# where the curve is steepest and the pilot point, the break-even point and their labels pile up against the axis.
# Below that, a linear axis reads more plainly to someone who does not read log scales.
LOG_SCALE_FROM = 20
# The y-axis stops at this many times the value per use or the launch's cost per use, whichever is larger. A pilot's
# fixed cost shared over few uses can cost hundreds of times more per use than at scale; drawn to scale it would press
# the value line, the launch and the scale onto the x-axis. A point above the cut is drawn at the top with an arrow.
Y_CAP_TIMES = 3
CURVE_SAMPLES = 64
TIER_POINT_STYLE = 'fill="#000000" stroke="#ffffff" stroke-width="1.5"'

# Wide enough for any amount compute_costs returns (its own context stops at 10^±999999), so axis arithmetic on a
# typed 1e-900 or 1e900 neither underflows to zero nor overflows.
_WIDE = decimal.Context(prec=60, rounding=ROUND_HALF_UP, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)

_VOLUME_UNITS = ("", "k", "M", "bn", "tn")
# Characters that XML 1.0 does not allow anywhere in a document, escaped or not.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_PER_USE_LEGEND = (
    ('<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" ' + COST_STYLE + "/>", "Cost per use"),
    ('<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" ' + VALUE_STYLE + "/>", "Value per use (saved)"),
    ('<circle cx="{mid}" cy="{y}" r="4" ' + TIER_POINT_STYLE + "/>", "Volume tier"),
    (_BREAK_EVEN_SAMPLE, "Break-even"),
)


def compact_volume(volume: int) -> str:
    """A volume in three significant digits at most: 950, 1k, 1.5k, 12.3k, 100k, 1M, 2.5bn, 1tn; 1.2e15 beyond that."""
    if volume < 1000:
        return f"{volume:,}"
    with decimal.localcontext(_WIDE):
        number = Decimal(volume)
        rounded = number.quantize(Decimal(1).scaleb(number.adjusted() - 2), rounding=ROUND_HALF_UP)
        group = rounded.adjusted() // 3
        if group >= len(_VOLUME_UNITS):
            mantissa = rounded.scaleb(-rounded.adjusted()).normalize()
            return f"{format(mantissa, 'f')}e{rounded.adjusted()}"
        return f"{format(rounded.scaleb(-3 * group).normalize(), 'f')}{_VOLUME_UNITS[group]}"


def _log10(value: Fraction) -> float:
    """log10 of a positive fraction of any size (a float conversion would overflow past 10^308)."""
    return math.log10(value.numerator) - math.log10(value.denominator)


def _power_of_ten(exponent: float) -> Fraction:
    whole = math.floor(exponent)
    return Fraction(10) ** whole * Fraction(10 ** (exponent - whole))


def _as_decimal(value: Fraction) -> Decimal:
    with decimal.localcontext(_WIDE):
        return Decimal(value.numerator) / Decimal(value.denominator)


def _data_amount(value: Fraction) -> str:
    """An amount for a data attribute: ten decimals, enough for a test to check it to the cent or finer."""
    with decimal.localcontext(_WIDE):
        return format(_as_decimal(value).quantize(Decimal("1e-10")).normalize(), "f")


class _VolumeAxis:
    """The x-axis of the cost-per-use chart: logarithmic when the volumes span LOG_SCALE_FROM times or more."""

    def __init__(self, lowest: int, highest: int) -> None:
        self.log = highest >= LOG_SCALE_FROM * lowest
        # The curve starts a bit below the lowest volume: cost per use has no value at zero uses.
        self.curve_start = Fraction(lowest, 2)
        if self.log:
            self.start, self.end = self.curve_start, Fraction(highest * 2)
            self._log_start, self._log_span = _log10(self.start), _log10(self.end / self.start)
        else:
            with decimal.localcontext(_WIDE):
                self.step, maximum = nice_axis(Decimal(highest) * Decimal("1.2"))
            self.start, self.end = Fraction(0), Fraction(maximum)

    @property
    def scale_name(self) -> str:
        return "log" if self.log else "linear"

    def position(self, volume: Fraction | int) -> float:
        """Where a volume falls along the axis, from 0 (the start) to 1 (the end)."""
        if self.log:
            share = (_log10(Fraction(volume)) - self._log_start) / self._log_span
        else:
            share = Fraction(volume) / self.end
        return float(min(max(share, 0), 1))

    def ticks(self, *, max_labels: int) -> list[tuple[Fraction, str, bool]]:
        """(volume, label, grid line) for each tick: powers of ten on a log axis, round steps on a linear one."""
        if not self.log:
            end = _as_decimal(self.end)
            with decimal.localcontext(_WIDE):
                return [
                    (Fraction(tick), compact_number(tick, axis_unit(end)), False) for tick in _ticks(self.step, end)
                ]
        first = max(math.ceil(_log10(self.start) - 1e-9), 0)
        last = math.floor(_log10(self.end) + 1e-9)
        powers = [exponent for exponent in range(first, last + 1) if self.start <= 10**exponent <= self.end]
        if len(powers) < 3:
            # Fewer than three decades: 2 and 5 times each power as well, so that the axis has labels to read by.
            volumes = sorted(
                multiple * 10**exponent
                for exponent in range(max(first - 1, 0), last + 1)
                for multiple in (1, 2, 5)
                if self.start <= multiple * 10**exponent <= self.end
            )
            return [(Fraction(volume), compact_volume(volume), False) for volume in volumes]
        # Many decades on a narrow chart: every second (or third…) power, so that labels do not run into each other.
        every = math.ceil(len(powers) / max(max_labels, 2))
        return [(Fraction(10**exponent), compact_volume(10**exponent), True) for exponent in powers[::every]]


class _PerUsePlot:
    """Maps volumes (along a _VolumeAxis) and money per use (linear from zero, cut at y_max) onto the drawing area."""

    def __init__(self, *, width: int, height: int, axis: _VolumeAxis, y_max: Decimal, top: float) -> None:
        self.narrow = width < NARROW_BELOW
        self.left = 64.0 if self.narrow else 78.0
        self.right = width - (16.0 if self.narrow else 24.0)
        self.top, self.bottom = top, height - 52.0
        self.axis, self.y_max = axis, Fraction(y_max)

    def x(self, volume: Fraction | int) -> float:
        return round(self.left + (self.right - self.left) * self.axis.position(volume), 2)

    def y(self, money: Fraction) -> float:
        share = min(max(money / self.y_max, 0), 1)
        return round(self.bottom - (self.bottom - self.top) * float(share), 2)


class _LabelPlacer:
    """Puts each label at the first of its candidate spots that lies inside the plot and clear of earlier labels."""

    def __init__(self, *, left: float, top: float, right: float, bottom: float) -> None:
        self.bounds = (left, top, right, bottom)
        self.taken: list[tuple[float, float, float, float]] = []

    @staticmethod
    def _box(text: str, x: float, y: float, anchor: str, font_size: int) -> tuple[float, float, float, float]:
        width = _text_width(text, font_size)
        left = x - width if anchor == "end" else x
        return (left - 3, y - font_size, left + width + 3, y + 5)

    def place(
        self, text: str, spots: list[tuple[float, float, str]], *, font_size: int = 12
    ) -> tuple[float, float, str]:
        left, top, right, bottom = self.bounds
        for x, y, anchor in spots:
            box = self._box(text, x, y, anchor, font_size)
            inside = box[0] >= left and box[2] <= right and box[1] >= top and box[3] <= bottom
            if inside and not any(self._overlap(box, other) for other in self.taken):
                self.taken.append(box)
                return round(x, 2), round(y, 2), anchor
        # Nowhere is free: the first spot, moved sideways into the plot (a label may cover another, never be cut off).
        x, y, anchor = spots[0]
        box = self._box(text, x, y, anchor, font_size)
        x += max(left - box[0], 0) - max(box[2] - right, 0)
        y = min(max(y, top + font_size), bottom - 5)
        self.taken.append(self._box(text, x, y, anchor, font_size))
        return round(x, 2), round(y, 2), anchor

    @staticmethod
    def _overlap(one: tuple[float, float, float, float], other: tuple[float, float, float, float]) -> bool:
        return one[0] < other[2] and other[0] < one[2] and one[1] < other[3] and other[1] < one[3]


def _spots_around(x: float, y: float) -> list[tuple[float, float, str]]:
    """Label spots beside a point, best first.

    Above-right and below-left come first because a falling curve leaves them clear; then the other two corners, then
    rows further up and down for when close points crowd each other.
    """
    spots = [(x + 8, y - 8, "start"), (x - 8, y + 17, "end"), (x + 8, y + 17, "start"), (x - 8, y - 8, "end")]
    for row in (1, 2, 3):
        spots += [(x + 8, y - 8 - 15 * row, "start"), (x - 8, y - 8 - 15 * row, "end")]
        spots += [(x - 8, y + 17 + 15 * row, "end"), (x + 8, y + 17 + 15 * row, "start")]
    return spots


def _per_use_ticks(ticks: list[Decimal], currency: str) -> list[str]:
    """Y tick labels in one style per axis: £0, £1, £2 … when all are whole, £0.00, £0.50, £1.00 … when not.

    Compact money would round sub-unit ticks (£0.0025) to the currency's minor unit, so those keep their digits.
    """
    whole = all(tick == tick.to_integral_value() for tick in ticks)
    labels = []
    for tick in ticks:
        if tick >= 1000 or whole:
            labels.append(compact_money(tick, currency))
        elif tick == 0 or tick.adjusted() >= -6:
            labels.append(format_money(tick, currency, exact=True))
        else:
            labels.append(format_money(tick, currency, per_use=True))
    return labels


def _model_names(cost_model: Mapping[str, Any]) -> list[str]:
    """The model named in a /1 cost model, or the models of a /2 cost model's steps, each once."""
    names = [cost_model.get("model")]
    steps = cost_model.get("steps")
    if isinstance(steps, list):
        names += [step.get("model") for step in steps if isinstance(step, Mapping)]
    found: list[str] = []
    for name in names:
        if isinstance(name, str) and name.strip() and name.strip() not in found:
            found.append(name.strip())
    return found


def cost_per_use_chart_svg(
    cost_model: Mapping[str, Any],
    *,
    width: int = 720,
    height: int = 360,
    title: str = PER_USE_TITLE,
) -> str:
    """SVG of cost per use (variable + fixed / volume) across the tiers, against the value per use, with break-even.

    Never raises: the caller passes whatever the person has typed.
    """
    model = cost_model if isinstance(cost_model, Mapping) else {}
    try:
        svg = _cost_per_use_chart(model, width=width, height=height, title=title)
    except ArithmeticError:
        # Amounts with more digits than any real cost model (hosting typed as 1e500) are refused by the Decimal
        # contexts of compute_costs and of money formatting; the page shows this note rather than failing.
        svg = _notice(
            width=width,
            title=title,
            message="The cost per use chart cannot draw these figures.",
            detail="An amount is too large to show: check the cost inputs for a typing slip.",
        )
    # Escaping leaves control characters pasted into a name or a currency, which XML forbids even escaped.
    return _NOT_XML.sub("", svg)


def _cost_per_use_chart(cost_model: Mapping[str, Any], *, width: int, height: int, title: str) -> str:
    result = compute_costs(cost_model)
    currency = result.currency
    volumes = {tier: result.tiers[tier].volume for tier in TIERS if result.tiers[tier].volume is not None}
    inputs = (result.variable, result.fixed_monthly, result.value_per_use)
    if any(figure is None for figure in inputs) or not volumes or result.invalid:
        return _placeholder(result, width=width, title=title)
    used = {tier: volume for tier, volume in volumes.items() if volume > 0}
    if not used:
        return _notice(
            width=width,
            title=title,
            message="The cost per use chart needs a volume above zero.",
            detail="Every volume tier is 0 uses a month, so there is nothing to share the fixed cost over.",
        )
    variable, fixed, value = Fraction(result.variable), Fraction(result.fixed_monthly), Fraction(result.value_per_use)

    def cost_per_use(volume: Fraction | int) -> Fraction:
        return (variable * volume + fixed) / volume  # multiplied out before the one division, as in costs.py

    break_even = result.break_even_volume
    shown = [*used.values(), *([break_even] if break_even else [])]
    axis = _VolumeAxis(min(shown), max(shown))

    per_tier = {tier: cost_per_use(volume) for tier, volume in used.items()}
    ordered = sorted(per_tier.values())
    anchor = per_tier.get("launch", ordered[(len(ordered) - 1) // 2])
    cap = Y_CAP_TIMES * max(value, anchor)
    with decimal.localcontext(_WIDE):
        y_step, y_max = nice_axis(_as_decimal(min(max(*ordered, value), cap)) * Decimal("1.1"))
        y_ticks = list(_ticks(y_step, y_max))

    legend, legend_rows = _legend(
        left=16.0 if width < NARROW_BELOW else 78.0, y=42, right=width - 8.0, samples=_PER_USE_LEGEND
    )
    plot = _PerUsePlot(width=width, height=height, axis=axis, y_max=y_max, top=60.0 + LEGEND_ROW * (legend_rows - 1))
    labels = _LabelPlacer(left=plot.left, top=plot.top, right=plot.right, bottom=plot.bottom)
    title_x = plot.left if plot.left + _text_width(title, 15) <= width - 8 else 8
    off_top = [tier for tier, amount in per_tier.items() if amount > plot.y_max]
    cut = _per_use_ticks(y_ticks, currency)[-1]
    summary = _per_use_summary(result, volumes, per_tier, axis=axis, off_top=off_top, cut=cut)
    models = _model_names(cost_model)
    described = summary + (f" {'Models' if len(models) > 1 else 'Model'}: {', '.join(models)}." if models else "")

    parts = [
        _svg_open(
            width,
            height,
            f"{title}. {summary}",
            css_class="cost-chart cost-per-use-chart",
            data=f' data-volume-scale="{axis.scale_name}"',
        ),
        f"<title>{_text(title)}</title>",
        f"<desc>{_text(described)}</desc>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{title_x}" y="22" font-size="15" font-weight="bold" fill="#000000">{_text(title)}</text>',
    ]

    # Grid and axes.
    for tick, tick_label in zip(y_ticks, _per_use_ticks(y_ticks, currency), strict=True):
        y = plot.y(Fraction(tick))
        if tick:
            parts.append(f'<line x1="{plot.left}" y1="{y}" x2="{plot.right}" y2="{y}" {GRID_STYLE}/>')
        parts.append(
            f'<text x="{plot.left - 8}" y="{y + 4}" text-anchor="end" fill="#000000">{_text(tick_label)}</text>'
        )
    parts.append(f'<g class="volume-axis volume-axis-{axis.scale_name}">')
    for volume, label, grid in axis.ticks(max_labels=int((plot.right - plot.left) // 46)):
        x = plot.x(volume)
        if grid:
            parts.append(f'<line x1="{x}" y1="{plot.top}" x2="{x}" y2="{plot.bottom}" {GRID_STYLE}/>')
        parts.append(f'<line x1="{x}" y1="{plot.bottom}" x2="{x}" y2="{plot.bottom + 5}" {AXIS_STYLE}/>')
        parts.append(
            f'<text class="volume-tick" x="{x}" y="{plot.bottom + 19}" text-anchor="middle" fill="#000000">'
            f"{_text(label)}</text>"
        )
    parts.append("</g>")
    parts.append(f'<line x1="{plot.left}" y1="{plot.bottom}" x2="{plot.right}" y2="{plot.bottom}" {AXIS_STYLE}/>')
    parts.append(f'<line x1="{plot.left}" y1="{plot.top}" x2="{plot.left}" y2="{plot.bottom}" {AXIS_STYLE}/>')
    x_title = "Uses per month (log scale)" if axis.log else "Uses per month"
    parts.append(
        f'<text x="{(plot.left + plot.right) / 2}" y="{height - 12}" text-anchor="middle" fill="#000000">'
        f"{_text(x_title)}</text>"
    )
    axis_y = (plot.top + plot.bottom) / 2
    parts.append(
        f'<text x="16" y="{axis_y}" text-anchor="middle" transform="rotate(-90 16 {axis_y})" fill="#000000">'
        f"{_text(f'Per use ({currency})' if currency else 'Per use')}</text>"
    )

    # The value per use: a level line; where the curve drops below it, each use saves more than it costs.
    value_y = plot.y(value)
    parts.append(
        f'<line class="value-per-use" data-value-per-use="{_data_amount(value)}" x1="{plot.left}" y1="{value_y}" '
        f'x2="{plot.right}" y2="{value_y}" {VALUE_STYLE}/>'
    )

    # The curve, from a bit below the lowest volume (or from where it comes down through the top of the plot, when
    # the y-axis is cut) to the end of the axis. Sampled evenly along log volume, where a falling 1/v curve bends, and
    # through the tier and break-even volumes exactly, so that their points sit on it.
    start, end = axis.curve_start, axis.end
    if fixed > 0 and plot.y_max > variable:
        start = max(start, fixed / (plot.y_max - variable))
    log_start, log_span = _log10(start), _log10(end / start)
    samples = {start, end}
    samples.update(_power_of_ten(log_start + log_span * step / CURVE_SAMPLES) for step in range(1, CURVE_SAMPLES))
    samples.update(Fraction(volume) for volume in [*used.values(), break_even or 0] if start <= volume <= end)
    points = " ".join(f"{plot.x(volume)},{plot.y(cost_per_use(volume))}" for volume in sorted(samples))
    parts.append(f'<polyline class="cost-per-use" fill="none" {COST_STYLE} points="{points}"/>')

    parts.append(_per_use_break_even(result, plot, labels, cost_per_use))
    for tier, volume in used.items():
        parts.append(_tier_point(tier, volume, per_tier[tier], plot, labels, currency))
    label = f"Value per use {format_money(result.value_per_use, currency, per_use=True)}"
    spots = [(plot.right - 4, value_y - 6, "end"), (plot.right - 4, value_y + 17, "end")]
    spots += [(plot.left + 6, value_y - 6, "start"), (plot.left + 6, value_y + 17, "start")]
    x, y, text_anchor = labels.place(label, spots, font_size=11)
    parts.append(_backed_label(label, x=x, y=y, anchor=text_anchor, font_size=11, css_class="value-per-use-label"))
    parts.append(legend)
    parts.append("</svg>")
    return "\n".join(parts)


def _tier_point(
    tier: str, volume: int, amount: Fraction, plot: _PerUsePlot, labels: _LabelPlacer, currency: str
) -> str:
    """A tier's point on the curve, labelled with its cost per use; above a cut y-axis, an arrow at the top instead."""
    money = format_money(_as_decimal(amount), currency, per_use=True)
    # On a narrow chart the volume is left to the axis (and the description), so that close points' labels fit.
    label = f"{TIER_LABELS[tier]}: {money}" if plot.narrow else f"{TIER_LABELS[tier]} {compact_volume(volume)}: {money}"
    x = plot.x(volume)
    data = f'data-tier="{tier}" data-volume="{volume}" data-cost-per-use="{_data_amount(amount)}"'
    if amount > plot.y_max:
        top = plot.top
        arrow = (
            f'<polyline class="off-scale-arrow" points="{x - 6},{top + 9} {x},{top} {x + 6},{top + 9} '
            f'{x - 6},{top + 9}" fill="#000000" stroke="#000000" stroke-width="1"/>'
        )
        spots = [(x + 10, top + 12, "start"), (x - 10, top + 12, "end")]
        spots += [(x + 10, top + 12 + 15 * row, "start") for row in (1, 2, 3)]
        text_x, text_y, anchor = labels.place(label + " ↑", spots, font_size=11)
        backed = _backed_label(label + " ↑", x=text_x, y=text_y, anchor=anchor, font_size=11)
        return f'<g class="tier-point tier-{tier} off-scale" {data}>{arrow}{backed}</g>'
    y = plot.y(amount)
    text_x, text_y, anchor = labels.place(label, _spots_around(x, y), font_size=11)
    return (
        f'<g class="tier-point tier-{tier}" {data}>{_leader(x, y, text_x, text_y, anchor)}'
        f'<circle cx="{x}" cy="{y}" r="4.5" {TIER_POINT_STYLE}/>'
        f"{_backed_label(label, x=text_x, y=text_y, anchor=anchor, font_size=11)}</g>"
    )


def _leader(x: float, y: float, text_x: float, text_y: float, anchor: str) -> str:
    """A thin line from a point to its label, when crowding has pushed the label a row or more away from it."""
    if abs(text_y - 4 - y) < 20:
        return ""
    end_x = text_x - 2 if anchor == "start" else text_x + 2
    return f'<line x1="{x}" y1="{y}" x2="{end_x}" y2="{round(text_y - 4, 2)}" stroke="#555555" stroke-width="0.8"/>'


def _per_use_break_even(result: CostResult, plot: _PerUsePlot, labels: _LabelPlacer, cost_per_use: Any) -> str:
    """Where the curve crosses the value line, or a note that it never does (or is below it from the first use)."""
    corner = [(plot.left + 8, plot.top + 14 + 15 * row, "start") for row in range(4)]
    if result.never_breaks_even:
        text = "Never breaks even: each use costs more than it saves"
        x, y, anchor = labels.place(text, corner)
        return f'<g class="never-breaks-even">{_backed_label(text, x=x, y=y, anchor=anchor)}</g>'
    volume = result.break_even_volume
    if volume is None:
        return ""
    if volume == 0:
        text = "Pays its way from the first use"
        x, y, anchor = labels.place(text, corner)
        return f'<g class="break-even" data-volume="0">{_backed_label(text, x=x, y=y, anchor=anchor)}</g>'
    amount = cost_per_use(volume)
    x, y = plot.x(volume), plot.y(amount)
    text = f"Break-even {volume:,} uses/month"
    text_x, text_y, anchor = labels.place(text, _spots_around(x, y))
    return (
        f'<g class="break-even" data-volume="{volume}" data-cost-per-use="{_data_amount(amount)}">'
        f"{_leader(x, y, text_x, text_y, anchor)}"
        f'<line x1="{x}" y1="{y}" x2="{x}" y2="{plot.bottom}" stroke="#000000" stroke-width="1" '
        'stroke-dasharray="4 2"/>'
        f'<circle cx="{x}" cy="{y}" r="5" fill="#ffffff" stroke="#000000" stroke-width="2"/>'
        f"{_backed_label(text, x=text_x, y=text_y, anchor=anchor)}</g>"
    )


def _per_use_summary(
    result: CostResult,
    volumes: Mapping[str, int],
    per_tier: Mapping[str, Fraction],
    *,
    axis: _VolumeAxis,
    off_top: list[str],
    cut: str,
) -> str:
    """The cost-per-use chart in words, for screen readers and for anyone who cannot see it."""
    currency = result.currency

    def money(amount: Decimal | Fraction | None) -> str:
        return format_money(_as_decimal(amount) if isinstance(amount, Fraction) else amount, currency, per_use=True)

    parts = [
        (
            f"Cost per use is {money(result.variable)} plus {format_money(result.fixed_monthly, currency)} of "
            f"fixed monthly cost shared over the uses; each use saves {money(result.value_per_use)}."
        )
    ]
    tiers = [
        f"{tier} at {volume:,} {'use' if volume == 1 else 'uses'}, {money(per_tier[tier])}"
        if tier in per_tier
        else f"{tier} at 0 uses, none"
        for tier, volume in volumes.items()
    ]
    parts.append(f"Cost per use by tier: {'; '.join(tiers)}.")
    if off_top:
        above = f"{' and '.join(off_top)} {'is' if len(off_top) == 1 else 'are'} above it"
        parts.append(f"The per-use axis stops at {cut}; {above}, marked with an arrow.")
    if result.never_breaks_even:
        parts.append("It never breaks even: each use costs more than it saves.")
    elif result.break_even_volume == 0:
        parts.append("It pays its way from the first use.")
    elif result.break_even_volume is not None:
        uses = "use" if result.break_even_volume == 1 else "uses"
        parts.append(f"Break-even at {result.break_even_volume:,} {uses} a month.")
    parts.append(f"Volume on a {axis.scale_name} scale.")
    return " ".join(parts)
