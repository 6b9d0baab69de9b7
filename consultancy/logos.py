"""The consultancy's logo: what a PNG or SVG upload must be before it is stored, and how the PDF embeds it.

Every refusal raises ``LogoRefused`` with one sentence for the person who uploaded the file: what is wrong and
what to do. Pure functions over bytes and file objects: no Django import, so the admin form, the model validator
and the PDF renderer all apply one rule.

- Size: a file larger than the limit is refused from its declared size before a byte is read, and a stream that
  does not say how large it is is read to at most one byte past the limit.
- PNG: recognised by its signature, then opened with Pillow, its dimensions checked before any pixel is decoded,
  its chunks verified and its pixels decoded, so a damaged or truncated file is caught at upload.
- SVG: parsed with the standard library's expat, which fetches nothing, with parameter entities off and a handler
  that refuses the document the moment a DOCTYPE starts, so no entity is ever declared, let alone expanded
  (defusedxml is not installed here; this is the same defence it applies). Then refused when it could run a script
  or make the renderer or a browser load anything from outside the file. The only references allowed are
  ``#fragment`` links inside the file and ``data:image/png;base64,`` images, which are checked as PNGs in turn.
- Anything else (a JPEG renamed ``.png``, a PDF, HTML, text) is refused, naming what the file is when it is known.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from io import BytesIO
from typing import BinaryIO
from xml.parsers import expat

from PIL import Image

DEFAULT_MAX_BYTES = 1024 * 1024
MAX_DIMENSION = 4000  # pixels, either side of a PNG
MAX_SVG_ELEMENTS = 50_000
MAX_SVG_DEPTH = 100

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_DATA_PREFIX = "data:image/png;base64,"
SVG_DATA_PREFIX = "data:image/svg+xml;base64,"

SVG_NS = "http://www.w3.org/2000/svg"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# File types people upload by mistake, recognised by their first bytes, so the refusal can say what the file is.
_KNOWN_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x00\x00\x01\x00", "an icon file"),
    (b"\x1f\x8b", "a compressed file (a .svgz or .gz)"),
    (b"8BPS", "a Photoshop document"),
)
_ANIMATION_ELEMENTS = frozenset({"set", "animate", "animateMotion", "animateTransform", "animateColor", "discard"})
_CSS_URL = re.compile(r"url\s*\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_CSS_URL_START = re.compile(r"url\s*\(", re.IGNORECASE)
_CSS_LOADING_FUNCTIONS = re.compile(r"(?:image-set|src)\s*\(", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


class LogoRefused(ValueError):
    """The file cannot be the logo; ``message`` says why and what to do, ``code`` names the rule."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class CheckedLogo:
    """A logo that passed every check: its kind (``"png"`` or ``"svg"``) and its exact bytes."""

    kind: str
    content: bytes
    width: int | None = None  # pixels, PNG only
    height: int | None = None

    @property
    def content_type(self) -> str:
        return "image/png" if self.kind == "png" else "image/svg+xml"

    @property
    def extension(self) -> str:
        return f".{self.kind}"


# --- Size ---------------------------------------------------------------------------------------------------------


def size_in_words(size: int) -> str:
    """``1048576`` -> ``"1 MB"``, ``52428800`` -> ``"50 MB"``, ``1536`` -> ``"2 KB"``."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    if size >= 1024:
        return f"{round(size / 1024)} KB"
    return f"{size} bytes"


def _too_large(size: int | None, max_bytes: int) -> LogoRefused:
    what = f"The logo is {size_in_words(size)}" if size is not None else "The logo is larger than the limit"
    return LogoRefused(
        f"{what}; the largest allowed is {size_in_words(max_bytes)}. Export a smaller file and upload it again.",
        "too_large",
    )


def read_capped(stream: BinaryIO, *, size: int | None, max_bytes: int) -> bytes:
    """The bytes of ``stream``, refusing a file over ``max_bytes`` without reading more than one byte past it.

    ``size`` is the size the upload declared (``UploadedFile.size``); when it is over the limit nothing is read.
    """
    if size is not None and size > max_bytes:
        raise _too_large(size, max_bytes)
    if getattr(stream, "seekable", lambda: False)():
        stream.seek(0)
    content = stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise _too_large(size, max_bytes)
    return content


# --- The whole check --------------------------------------------------------------------------------------------


def logo_check_stream(stream: BinaryIO, *, size: int | None, max_bytes: int = DEFAULT_MAX_BYTES) -> CheckedLogo:
    """Check an uploaded or stored file; raises ``LogoRefused``."""
    return logo_check(read_capped(stream, size=size, max_bytes=max_bytes), max_bytes=max_bytes)


def logo_check(content: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> CheckedLogo:
    """Check the bytes of a logo; returns it as a ``CheckedLogo`` or raises ``LogoRefused``."""
    if len(content) > max_bytes:
        raise _too_large(len(content), max_bytes)
    if not content.strip():
        raise LogoRefused("The file is empty; upload the logo as a PNG or an SVG.", "empty")
    if content.startswith(PNG_SIGNATURE):
        width, height = _check_png(content, embedded=False)
        return CheckedLogo(kind="png", content=content, width=width, height=height)
    for signature, what in _KNOWN_SIGNATURES:
        if content.startswith(signature):
            raise LogoRefused(
                f"The file is {what}, not a PNG or an SVG; save the logo as a PNG or an SVG and upload it again.",
                "wrong_type",
            )
    if content[4:8] == b"ftyp":
        raise LogoRefused(
            "The file is a HEIC, AVIF or video file, not a PNG or an SVG; save the logo as a PNG or an SVG and "
            "upload it again.",
            "wrong_type",
        )
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise LogoRefused(
            "The file is an HTML page, not a PNG or an SVG; save the logo as a PNG or an SVG and upload it again.",
            "wrong_type",
        )
    if head.startswith(b"<"):
        _SvgCheck(content, max_bytes=max_bytes).run()
        return CheckedLogo(kind="svg", content=content)
    raise LogoRefused(
        "The file is not a PNG or an SVG image; upload the logo as a .png or .svg file.",
        "wrong_type",
    )


# --- PNG ----------------------------------------------------------------------------------------------------------


def _check_png(content: bytes, *, embedded: bool) -> tuple[int, int]:
    """Width and height of a sound PNG within the size limits; raises ``LogoRefused``."""
    what = "The SVG logo embeds a PNG image that" if embedded else "The file"
    try:
        with Image.open(BytesIO(content)) as image:
            if image.format != "PNG":
                raise LogoRefused(f"{what} is not a PNG; save the logo as a PNG or an SVG.", "wrong_type")
            width, height = image.size
            if width > MAX_DIMENSION or height > MAX_DIMENSION:
                raise LogoRefused(
                    f"{'The embedded PNG' if embedded else 'The PNG logo'} is {width} × {height} pixels; the largest "
                    f"allowed is {MAX_DIMENSION} × {MAX_DIMENSION}. Scale it down and upload it again.",
                    "too_many_pixels",
                )
            image.verify()  # chunk structure and checksums
        with Image.open(BytesIO(content)) as image:
            image.load()  # every pixel decodes: a cut-short or corrupt image stream fails here
    except LogoRefused:
        raise
    except Image.DecompressionBombError as exc:
        raise LogoRefused(
            f"{what} is far larger than {MAX_DIMENSION} × {MAX_DIMENSION} pixels; scale it down and upload it again.",
            "too_many_pixels",
        ) from exc
    except Exception as exc:  # Pillow raises many kinds (OSError, SyntaxError, ValueError, zlib errors) for one cause
        raise LogoRefused(
            f"{what} looks like a PNG but could not be read (it may be damaged or cut short); export it again and "
            "upload it.",
            "damaged",
        ) from exc
    return width, height


# --- SVG ----------------------------------------------------------------------------------------------------------


def _split(name: str) -> tuple[str, str]:
    """expat's ``"namespace local"`` name as ``(namespace, local)``; ``("", local)`` without a namespace."""
    namespace, _, local = name.rpartition(" ")
    return namespace, local


def _excerpt(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= 60 else value[:57] + "…"


def _external(what: str) -> LogoRefused:
    return LogoRefused(
        f"The SVG logo refers to an outside resource ({what}); logos must be self-contained, so embed everything "
        "in the file and upload it again.",
        "svg_external",
    )


def _script(what: str) -> LogoRefused:
    return LogoRefused(f"The SVG logo contains {what}; upload one without scripts.", "svg_script")


class _SvgCheck:
    """One pass of expat over an SVG, refusing at the first construct that could run or fetch anything."""

    def __init__(self, content: bytes, *, max_bytes: int) -> None:
        self.content = content
        self.max_bytes = max_bytes
        self.depth = 0
        self.elements = 0
        self.style_depth: int | None = None  # depth of the <style> element being read
        self.style_text: list[str] = []

    def run(self) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._entity
        parser.UnparsedEntityDeclHandler = self._entity
        parser.NotationDeclHandler = self._entity
        parser.ExternalEntityRefHandler = self._entity
        parser.ProcessingInstructionHandler = self._processing_instruction
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        try:
            parser.Parse(self.content, True)
        except expat.ExpatError as exc:
            reason = expat.errors.messages.get(exc.code, "malformed XML")
            raise LogoRefused(
                f"The SVG logo is not well-formed XML (line {exc.lineno}: {reason}); export it again from your "
                "drawing tool and upload it.",
                "svg_malformed",
            ) from exc
        if self.elements == 0:
            raise LogoRefused("The file is not an SVG image; upload the logo as a .png or .svg file.", "wrong_type")

    # expat handlers ------------------------------------------------------------------------------------------

    def _doctype(self, name, system_id, public_id, has_internal_subset) -> None:
        if has_internal_subset:
            raise LogoRefused(
                "The SVG logo declares entities in a DOCTYPE, which can read files or expand without limit; export "
                "it again without a DOCTYPE and upload it.",
                "svg_doctype",
            )
        raise LogoRefused(
            "The SVG logo has a DOCTYPE declaration, which is refused because a DOCTYPE can bring in entities; "
            "delete the <!DOCTYPE …> line (the logo does not need it) and upload it again.",
            "svg_doctype",
        )

    def _entity(self, *args) -> None:
        raise LogoRefused(
            "The SVG logo declares entities, which can read files or expand without limit; export it again "
            "without a DOCTYPE and upload it.",
            "svg_doctype",
        )

    def _processing_instruction(self, target: str, data: str) -> None:
        raise LogoRefused(
            f"The SVG logo contains an XML processing instruction (<?{_excerpt(target)} …?>), which can load "
            "outside files; delete it and upload the logo again.",
            "svg_external",
        )

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        self.elements += 1
        if self.depth > MAX_SVG_DEPTH:
            raise LogoRefused(
                f"The SVG logo nests elements more than {MAX_SVG_DEPTH} deep; simplify it (ungroup) and upload it "
                "again.",
                "svg_too_complex",
            )
        if self.elements > MAX_SVG_ELEMENTS:
            raise LogoRefused(
                f"The SVG logo has more than {MAX_SVG_ELEMENTS:,} elements; simplify it and upload it again.",
                "svg_too_complex",
            )
        namespace, local = _split(name)
        if self.elements == 1 and (local != "svg" or namespace not in (SVG_NS, "")):
            raise LogoRefused(
                f"The file is XML but not an SVG image (its first element is <{_excerpt(local)}>); upload the logo "
                "as a .png or .svg file.",
                "wrong_type",
            )
        if namespace == XHTML_NS:
            raise LogoRefused(
                "The SVG logo embeds HTML elements; upload one made only of SVG shapes, text and images.",
                "svg_foreign_object",
            )
        drawing = namespace in (SVG_NS, "")
        if drawing and local in ("script", "handler", "listener"):  # handler: SVG Tiny 1.2's script element
            raise _script("a script")
        if drawing and local == "foreignObject":
            raise LogoRefused(
                "The SVG logo contains a foreignObject (embedded HTML or other content); upload one made only of SVG "
                "shapes, text and images.",
                "svg_foreign_object",
            )
        if drawing and local in _ANIMATION_ELEMENTS:
            target = _split(attributes.get("attributeName", ""))[1].split(":")[-1].lower()
            if target == "href" or target.startswith("on"):
                raise _script(f"an animation that rewrites {target or 'a link'}")
        for attribute, value in attributes.items():
            self._check_attribute(attribute, value, drawing=drawing)
        if drawing and local == "style":
            self.style_depth = self.depth
            self.style_text = []

    def _end(self, name: str) -> None:
        if self.style_depth == self.depth:
            self._check_css("".join(self.style_text), in_style=True)
            self.style_depth = None
        self.depth -= 1

    def _text(self, data: str) -> None:
        if self.style_depth is not None:
            self.style_text.append(data)

    # the rules ------------------------------------------------------------------------------------------------

    def _check_attribute(self, attribute: str, value: str, *, drawing: bool) -> None:
        namespace, local = _split(attribute)
        name = local.lower()
        if name.startswith("on"):
            raise _script(f"an event handler attribute ({_excerpt(local)}), which runs a script")
        compact = _INVISIBLE.sub("", value).lower()
        if "javascript:" in compact or "vbscript:" in compact:
            raise _script("a javascript: link")
        if name in ("href", "src"):
            self._check_reference(value)
        if namespace == XML_NS and name == "base":
            raise _external(f"xml:base {_excerpt(value)}")
        if drawing:  # presentation attributes are CSS (fill="url(…)"); metadata attributes are not rendered
            self._check_css(value, in_style=name == "style")

    def _check_reference(self, value: str) -> None:
        reference = value.strip()
        if not reference or reference.startswith("#"):
            return
        if reference.lower().startswith(PNG_DATA_PREFIX):
            payload = _INVISIBLE.sub("", reference[len(PNG_DATA_PREFIX) :])
            try:
                embedded = base64.b64decode(payload, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise LogoRefused(
                    "The SVG logo embeds a PNG image whose data is damaged; export the logo again and upload it.",
                    "damaged",
                ) from exc
            if not embedded.startswith(PNG_SIGNATURE):
                raise LogoRefused(
                    "The SVG logo embeds an image that is not a PNG; embed PNG images only, or upload the logo as a "
                    "PNG.",
                    "wrong_type",
                )
            _check_png(embedded, embedded=True)
            return
        raise _external(_excerpt(reference))

    def _check_css(self, text: str, *, in_style: bool) -> None:
        if _CSS_IMPORT.search(text):
            raise LogoRefused(
                "The SVG logo's CSS uses @import, which loads outside style sheets; put the styles in the file itself "
                "and upload it again.",
                "svg_css_import",
            )
        if in_style and "\\" in text:
            raise LogoRefused(
                "The SVG logo's CSS uses backslash escapes, which can hide outside references; remove them and "
                "upload it again.",
                "svg_css_escape",
            )
        if _CSS_LOADING_FUNCTIONS.search(text):
            raise LogoRefused(
                "The SVG logo's CSS loads an outside image (image-set or src); embed everything in the file and "
                "upload it again.",
                "svg_css_external",
            )
        if len(_CSS_URL_START.findall(text)) != len(_CSS_URL.findall(text)):
            raise LogoRefused(
                "The SVG logo's CSS has a url( … ) that is not closed; fix it and upload the logo again.",
                "svg_css_external",
            )
        for _quote, target in _CSS_URL.findall(text):
            if not target.strip().startswith("#"):
                raise LogoRefused(
                    f"The SVG logo's CSS loads an outside resource (url({_excerpt(target)})); only links to parts of "
                    "the file itself (url(#…)) are allowed, so embed everything and upload it again.",
                    "svg_css_external",
                )


# --- Embedding in the PDF ---------------------------------------------------------------------------------------


def data_uri(logo: CheckedLogo) -> str:
    """The logo as a ``data:`` URI, so the PDF carries it without any URL being fetched."""
    return f"data:{logo.content_type};base64,{base64.b64encode(logo.content).decode('ascii')}"


def data_uri_decode(url: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> CheckedLogo:
    """The logo inside a ``data:`` URI made by ``data_uri``, checked again; raises ``LogoRefused``.

    For a PDF URL fetcher: it admits a logo URI only when its bytes pass the same checks as an upload.
    """
    for prefix, kind in ((PNG_DATA_PREFIX, "png"), (SVG_DATA_PREFIX, "svg")):
        if url.startswith(prefix):
            payload = url[len(prefix) :]
            if len(payload) > (max_bytes + 2) // 3 * 4:  # base64 grows 4/3: refuse before decoding
                raise _too_large(None, max_bytes)
            try:
                content = base64.b64decode(payload, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise LogoRefused("The logo's data is damaged; upload the logo again.", "damaged") from exc
            logo = logo_check(content, max_bytes=max_bytes)
            if logo.kind != kind:
                raise LogoRefused("The logo's data does not match its declared type; upload it again.", "wrong_type")
            return logo
    raise LogoRefused("Only a PNG or SVG logo in a base64 data: URI is accepted.", "wrong_type")
