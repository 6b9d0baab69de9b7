"""Who answered a field, as words: "Priya Shah, client, session 2" (``field_sources`` of scope JSON v2).

Pure (no Django), so the validator, the pages and the PDF (which prints from a frozen version's JSON) word it the
same way. A field is named by its attribute key on the section (``business_owner_name``), or by the key of a list of
rows (``sources``), which counts as one field: the same keys the step form and the save service use.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from scoping.scope import catalogue
from scoping.scope.catalogue import SECTION_KEYS
from scoping.scope.fields import GROUP

ROLE_LABELS = ("consultant", "reviewer", "admin", "client")


@cache
def field_labels(section_key: str) -> dict[str, str]:
    """Every field a source may name in a section, with its label, in the catalogue's order; {} for no section."""
    if section_key not in SECTION_KEYS:
        return {}
    labels: dict[str, str] = {}
    spec = catalogue.section(section_key)
    for item in spec.fields:
        if item.kind == GROUP:
            for sub in item.fields:
                labels[item.attr_prefix + sub.key] = sub.label  # already says its group ("Business owner's role")
        else:
            labels[item.key] = item.label  # a plain field, or a list of rows
    return labels


def source_text(source: Mapping[str, Any] | None) -> str:
    """ "Priya Shah, client, session 2" (or without the session when it was not answered in one); "" for none."""
    if not source:
        return ""
    parts = [str(source.get("by") or "").strip() or "someone", str(source.get("role") or "").strip()]
    session = source.get("session")
    if session not in (None, ""):
        parts.append(f"session {session}")
    return ", ".join(part for part in parts if part)


def section_sources(field_sources: Mapping[str, Any] | None, section_key: str) -> dict[str, str]:
    """{field key: "Priya Shah, client, session 2"} for one section, from a scope's ``field_sources``."""
    prefix = f"{section_key}."
    return {
        path.removeprefix(prefix): source_text(source)
        for path, source in (field_sources or {}).items()
        if isinstance(path, str) and path.startswith(prefix) and isinstance(source, Mapping)
    }


def answered_lines(field_sources: Mapping[str, Any] | None, section_key: str) -> list[tuple[str, str]]:
    """(field label, who answered it) for a section's answered fields, in the catalogue's order (the PDF's list)."""
    texts = section_sources(field_sources, section_key)
    return [(label, texts[key]) for key, label in field_labels(section_key).items() if texts.get(key)]


def changed_fields(section_key: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The field keys (attribute keys, and list keys) whose value differs between two normalized sections."""
    changed = []
    for item in catalogue.section(section_key).fields:
        if item.kind == GROUP:
            old, new = before.get(item.key) or {}, after.get(item.key) or {}
            changed += [item.attr_prefix + sub.key for sub in item.fields if old.get(sub.key) != new.get(sub.key)]
        elif before.get(item.key) != after.get(item.key):
            changed.append(item.key)
    return changed
