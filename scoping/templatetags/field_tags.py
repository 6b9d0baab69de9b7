"""The decorations beside each field of a step: who answered it, its open questions, and "Don't know yet"."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("scoping/steps/field_extras.html", takes_context=True)
def field_extras(context: template.Context, form: Any, key: str) -> dict[str, Any]:
    """The block for field ``key`` of a step form that the page gave ``field_extras`` (nothing when it did not)."""
    extras = getattr(form, "field_extras", None) or {}
    return {"x": extras.get(key), "project": context.get("project"), "section_key": context.get("section_key")}
