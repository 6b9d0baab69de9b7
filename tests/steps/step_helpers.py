"""Turn a scope-JSON section into the POST a guided-step form sends (shared by the step and conflict tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scoping.scope.field_checks import Boolean, Group, Rows
from scoping.scope.schema import SECTIONS
from scoping.scope.schema_v2 import upgrade_scope

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "invoice-coding.json"


def invoice_scope() -> dict[str, Any]:
    """The example scope as the steps hold it (/2: its per-call fields as one model step)."""
    return upgrade_scope(json.loads(FIXTURE.read_text(encoding="utf-8")))


def _form_value(item, value: Any) -> Any:
    if isinstance(item, Boolean):
        return {True: "true", False: "false", None: "unknown"}[value]
    if value is None:
        return ""
    if isinstance(value, list):
        return value
    return str(value)


def step_post(section_key: str, values: dict[str, Any], *, revision: int, action: str = "save") -> dict[str, Any]:
    data: dict[str, Any] = {"revision": str(revision), "step_action": action}
    for item in SECTIONS[section_key]:
        if isinstance(item, Group):
            for sub in item.fields:
                data[item.attr_prefix + sub.key] = _form_value(sub, values.get(item.key, {}).get(sub.key))
        elif isinstance(item, Rows):
            rows = values.get(item.key, [])
            data[f"{item.key}-TOTAL_FORMS"] = str(len(rows))
            data[f"{item.key}-INITIAL_FORMS"] = "0"
            for index, row in enumerate(rows):
                for sub in item.fields:
                    data[f"{item.key}-{index}-{sub.key}"] = _form_value(sub, row.get(sub.key))
        else:
            data[item.key] = _form_value(item, values.get(item.key))
    return data
