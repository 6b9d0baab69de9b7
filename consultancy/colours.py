"""The brand colour: a ``#rrggbb`` hex value that white text stays readable on (WCAG 2.x AA, 4.5:1 or more).

The proposal prints headings, bands and table heads in the brand colour with white text on them, so a pale colour
would make the document unreadable. Pure functions: no Django import.
"""

from __future__ import annotations

import math
import re

# The navy of the print stylesheet's headings; white text on it has a contrast ratio of about 13:1.
DEFAULT_BRAND_COLOUR = "#14304d"
MIN_CONTRAST_WITH_WHITE = 4.5

_HEX = re.compile(r"#[0-9a-f]{6}")


def normalise_hex(value: str) -> str:
    """``value`` trimmed and lower-cased (``" #1F3A5F "`` -> ``"#1f3a5f"``)."""
    return value.strip().lower()


def _channel(byte: int) -> float:
    srgb = byte / 255
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` colour, from 0 (black) to 1 (white)."""
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_with_white(hex_colour: str) -> float:
    """WCAG contrast ratio of white text on ``hex_colour`` (1 to 21)."""
    return 1.05 / (relative_luminance(hex_colour) + 0.05)


def brand_colour_problem(value: str) -> str | None:
    """What is wrong with ``value`` as a brand colour, as a sentence for the person; ``None`` when it will do."""
    colour = normalise_hex(value)
    if not _HEX.fullmatch(colour):
        return (
            f"“{value.strip()[:20]}” is not a colour in the form #rrggbb (a hash and six hexadecimal digits, "
            "for example #14304d)."
        )
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST_WITH_WHITE:
        shown = math.floor(ratio * 100) / 100  # rounded down, so 4.48 never reads as a passing "4.5"
        return (
            f"White text on {colour} has a contrast ratio of {shown:.2f}:1; the proposal prints white text on the "
            f"brand colour, and WCAG AA needs at least {MIN_CONTRAST_WITH_WHITE}:1. Choose a darker shade."
        )
    return None
