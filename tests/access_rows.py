"""Access-matrix rows for the URLs added after the foundation. Import helpers from test_access_matrix."""

from __future__ import annotations

ROWS: list = []
