"""PAdES signing of scope PDFs, as a plain function over bytes, and the byte checks signing and reading share.

No Django import here: the render job calls :func:`sign_pdf` with bytes it already holds, so the signing layer can
be tested and reused without a database. Reading the signatures back is :mod:`documents.signature_checks`; keys and
certificates are :mod:`documents.certificates`.

Built on pyHanko 0.38.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

__all__ = ["NotAPdfError", "require_pdf", "run_pyhanko", "sign_pdf"]

# Acrobat accepts a PDF whose header starts anywhere in the first 1024 bytes; so do we.
_PDF_HEADER = b"%PDF-"
_PDF_HEADER_WINDOW = 1024

_T = TypeVar("_T")


class NotAPdfError(ValueError):
    """The bytes are not a PDF at all, so there is nothing to sign or verify."""


def sign_pdf(
    pdf: bytes,
    *,
    pkcs12: bytes,
    password: bytes | None,
    reason: str,
    location: str = "",
    signer_name: str = "",
    field_name: str = "FirstsliceSignature",
) -> bytes:
    """Add an invisible PAdES baseline B-B signature to a PDF, as an incremental update.

    The original bytes are kept unchanged at the start of the result, so the SHA-256 of the rendered
    document stays meaningful next to the signed one.
    """
    require_pdf(pdf)
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(pkcs12, other_certs=[], passphrase=password)
    except ValueError as error:
        raise ValueError("Could not load the signing key: check the PKCS#12 file and its password.") from error
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or None,
        location=location or None,
        name=signer_name or None,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = io.BytesIO()
    pdf_signer = signers.PdfSigner(metadata, signer=signer)
    run_pyhanko(pdf_signer.async_sign_pdf(writer, output=output))
    return output.getvalue()


def require_pdf(pdf: bytes) -> None:
    """Refuse bytes that are not a PDF (no PDF header in the first 1024 bytes), before pyHanko sees them."""
    if _PDF_HEADER not in bytes(pdf[:_PDF_HEADER_WINDOW]):
        raise NotAPdfError("That file is not a PDF.")


def run_pyhanko(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run pyHanko's async API from sync code, even when the caller already runs an event loop.

    pyHanko's own sync wrappers call ``asyncio.run``, which fails inside a running loop (an async view,
    an async test); there we run the coroutine on a worker thread with its own loop instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
