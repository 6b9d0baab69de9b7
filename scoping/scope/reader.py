"""Bytes of a scope file -> JSON data, with errors that say what is wrong with the file itself.

Pure module shared by the upload form, ``import_scope`` and ``scope_check``, so a broken file gets the same message
wherever it arrives. Validating the *content* is ``scoping.scope.schema.validate_scope``'s job; this module only makes
sure there is JSON to validate.
"""

from __future__ import annotations

import json
from decimal import Decimal

from scoping.scope.schema import ScopeValidationError

FILE_PATH = "(file)"
UPLOAD_MAX_BYTES = 2 * 1024 * 1024


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows; write a plain number such as 2.50")


def too_big_message(size: int, limit: int = UPLOAD_MAX_BYTES) -> str:
    """Completes "The file ..." for a file over the size limit."""
    return (
        f"is {size:,} bytes; the limit is {limit // (1024 * 1024)} MB ({limit:,} bytes). A scope file is much smaller."
    )


def parse_scope_bytes(raw: bytes, *, max_bytes: int | None = None) -> object:
    """Decode UTF-8 (a byte-order mark is tolerated) and parse JSON; raise ``ScopeValidationError`` on any failure.

    Decimal numbers are parsed as ``Decimal`` so that 2.50 in the file is the exact amount 2.50, never a float.
    """
    if max_bytes is not None and len(raw) > max_bytes:
        raise ScopeValidationError([(FILE_PATH, too_big_message(len(raw), max_bytes))])
    if not raw.strip():
        raise ScopeValidationError([(FILE_PATH, "is empty; choose a scope JSON file exported from Firstslice")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        raise ScopeValidationError(
            [
                (
                    FILE_PATH,
                    f"is not UTF-8 text (byte {problem.start} cannot be read); save the file as UTF-8 and try again",
                )
            ]
        ) from None
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except json.JSONDecodeError as problem:
        raise ScopeValidationError(
            [(FILE_PATH, f"is not valid JSON: {problem.msg} at line {problem.lineno}, column {problem.colno}")]
        ) from None
    except ValueError as problem:  # NaN/Infinity, or an integer too long for Python to convert
        if "digits" in str(problem):
            raise ScopeValidationError(
                [(FILE_PATH, "contains a number with thousands of digits; no scope figure is that large")]
            ) from None
        raise ScopeValidationError([(FILE_PATH, f"is not valid JSON: {problem}")]) from None
    except RecursionError:
        raise ScopeValidationError([(FILE_PATH, "is nested too deeply to be a scope file")]) from None
