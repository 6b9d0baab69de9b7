"""Timing helpers for the bench: interleaved samples, medians, p95, per-round ratios and query counts.

Pure Python apart from ``count_queries`` (Django's connection wrapper); no figure here knows what it measures.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Mapping


def interleaved(functions: Mapping[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Call every function once per round, in the given order (A, B, A, B…); seconds per call, per name.

    Interleaving spreads the machine's noise (other processes, CPU frequency) over every figure alike, so the
    per-round ratio of a figure to its floor is steadier than either figure on its own.
    """
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            samples[name].append(time.perf_counter() - started)
    return samples


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    """Nearest-rank 95th percentile (with 20 samples: the second slowest)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def median_ratio(samples: list[float], floor: list[float]) -> float:
    """Median over rounds of sample / floor: each round's figure is compared with the floor measured beside it."""
    return statistics.median(value / base for value, base in zip(samples, floor, strict=True))


def count_queries(function: Callable[[], object]) -> int:
    """SQL statements run by one call of ``function`` (every query of a request: session, user, the page)."""
    from django.db import connection

    executed: list[str] = []

    def record(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        function()
    return len(executed)
