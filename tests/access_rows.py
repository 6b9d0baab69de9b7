"""Collects access-matrix rows from every tests/access_rows_<area>.py module (one per area, so areas never collide)."""

from __future__ import annotations

import importlib
from pathlib import Path

ROWS: list = []
for path in sorted(Path(__file__).parent.glob("access_rows_*.py")):
    ROWS.extend(importlib.import_module(f"tests.{path.stem}").ROWS)
