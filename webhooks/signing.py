"""The ``Firstslice-Signature`` header: an HMAC-SHA256 of ``f"{t}.{body}"`` with the endpoint's secret.

Pure: no Django. The timestamp is part of what is signed, so a receiver that checks it (``signature_verify`` allows
five minutes by default) refuses a captured request replayed later; each attempt is signed afresh.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Firstslice-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def signature_compute(*, secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``b"<timestamp>." + body`` keyed with ``secret``."""
    message = f"{int(timestamp)}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    """The header value: ``t=<unix seconds>,v1=<hex>``."""
    return f"t={int(timestamp)},{SCHEME}={signature_compute(secret=secret, timestamp=timestamp, body=body)}"


def signature_parse(header: str) -> tuple[int, list[str]]:
    """The timestamp and the v1 signatures of a header value; ValueError when it is malformed."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise ValueError(f"{part!r} is not key=value")
        if key == "t":
            timestamp = int(value)
        elif key == SCHEME:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise ValueError("the header needs t= and v1=")
    return timestamp, signatures


def signature_verify(
    *,
    secret: str,
    header: str,
    body: bytes,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` and is no older than ``tolerance`` seconds.

    What a receiver runs (Firstslice's own tests use it). A header may carry several v1 values; one match is enough.
    """
    try:
        timestamp, signatures = signature_parse(header)
    except ValueError:
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature_compute(secret=secret, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)
