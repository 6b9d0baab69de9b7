"""Checks over every template file of the project."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project's templates folder and any app's own (apps are top-level packages: .venv is not searched).
TEMPLATES = sorted([*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")])
OPENED_COMMENT = re.compile(r"\{#(?:(?!#\}).)*$", re.MULTILINE)


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 50


def test_no_template_comment_spans_lines():
    """Django's ``{# #}`` ends at the line's end: one that goes on is printed on the page, comment and all."""
    opened = [
        f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in TEMPLATES
        for text in [path.read_text(encoding="utf-8")]
        for match in OPENED_COMMENT.finditer(text)
    ]
    assert not opened, f"use {{% comment %}} for a comment of several lines: {opened}"
