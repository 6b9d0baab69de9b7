"""Right-to-left text (Arabic, Hebrew, …) in names: the PDF and the pages set `dir` from the first strong letter."""

from __future__ import annotations

import unicodedata

from django import template

register = template.Library()


@register.filter
def text_dir(value: object) -> str:
    """ "rtl" when the first letter with a strong direction is right-to-left, else "ltr"."""
    for char in str(value or ""):
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return "rtl"
        if direction == "L":
            return "ltr"
    return "ltr"
