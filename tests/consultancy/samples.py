"""Logo files for the consultancy tests, made in memory: real PNGs, clean and hostile SVGs, and lookalikes."""

from __future__ import annotations

import base64
import io

from PIL import Image

BRAND_NAVY = (0x14, 0x30, 0x4D)


def png_bytes(width: int = 120, height: int = 40, colour: tuple[int, int, int] = BRAND_NAVY) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), BRAND_NAVY).save(buffer, "JPEG")
    return buffer.getvalue()


def svg(body: str, *, head: str = "", root_attributes: str = "") -> bytes:
    return (
        f'{head}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="120" height="40" viewBox="0 0 120 40" {root_attributes}>{body}</svg>'
    ).encode()


def clean_svg() -> bytes:
    """What a real logo uses: a gradient by url(#…), a <use> of a local symbol, a style sheet, an embedded PNG."""
    embedded = base64.b64encode(png_bytes(8, 8)).decode()
    return svg(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#14304d"/><stop offset="1" stop-color="#2a6f73"/>'
        '</linearGradient><symbol id="dot"><circle cx="5" cy="5" r="5"/></symbol></defs>'
        "<style>.mark { fill: url(#g); } text { font-family: sans-serif; }</style>"
        '<rect class="mark" width="120" height="40"/>'
        '<use href="#dot" x="4" y="4"/><use xlink:href="#dot" x="20" y="4"/>'
        f'<image x="100" y="4" width="8" height="8" href="data:image/png;base64,{embedded}"/>'
        '<a href="#g"><text x="30" y="26" fill="#ffffff">Acme</text></a>',
        head='<?xml version="1.0" encoding="UTF-8"?>\n<!-- made by hand -->\n',
    )


HOSTILE_SVGS: dict[str, tuple[bytes, str]] = {
    "script": (
        svg("<script>alert(document.cookie)</script>"),
        "The SVG logo contains a script; upload one without scripts.",
    ),
    "SVG Tiny handler": (
        svg('<handler type="application/ecmascript">alert(1)</handler>'),
        "The SVG logo contains a script; upload one without scripts.",
    ),
    "onload": (
        svg("<rect width='1' height='1'/>", root_attributes='onload="alert(1)"'),
        "The SVG logo contains an event handler attribute (onload), which runs a script; upload one without scripts.",
    ),
    "javascript href": (
        svg('<a href="javascript:alert(1)"><rect width="1" height="1"/></a>'),
        "The SVG logo contains a javascript: link; upload one without scripts.",
    ),
    "javascript href hidden by whitespace": (
        svg('<a href=" jav&#x09;ascript:alert(1)"><rect width="1" height="1"/></a>'),
        "The SVG logo contains a javascript: link; upload one without scripts.",
    ),
    "external href": (
        svg('<image href="https://tracker.example/pixel.png" width="1" height="1"/>'),
        "The SVG logo refers to an outside resource (https://tracker.example/pixel.png); logos must be "
        "self-contained, so embed everything in the file and upload it again.",
    ),
    "xlink:href to http": (
        svg('<image xlink:href="http://169.254.169.254/latest/meta-data/" width="1" height="1"/>'),
        "The SVG logo refers to an outside resource (http://169.254.169.254/latest/meta-data/); logos must be "
        "self-contained, so embed everything in the file and upload it again.",
    ),
    "use of an external file": (
        svg('<use href="other.svg#shape"/>'),
        "The SVG logo refers to an outside resource (other.svg#shape); logos must be self-contained, so embed "
        "everything in the file and upload it again.",
    ),
    "file: image": (
        svg('<image href="file:///etc/passwd" width="1" height="1"/>'),
        "The SVG logo refers to an outside resource (file:///etc/passwd); logos must be self-contained, so embed "
        "everything in the file and upload it again.",
    ),
    "entity": (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>',
        "The SVG logo declares entities in a DOCTYPE, which can read files or expand without limit; export it again "
        "without a DOCTYPE and upload it.",
    ),
    "billion laughs": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>',
        "The SVG logo declares entities in a DOCTYPE, which can read files or expand without limit; export it again "
        "without a DOCTYPE and upload it.",
    ),
    "doctype": (
        svg(
            "<rect width='1' height='1'/>",
            head='<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
        ),
        "The SVG logo has a DOCTYPE declaration, which is refused because a DOCTYPE can bring in entities; delete "
        "the <!DOCTYPE …> line (the logo does not need it) and upload it again.",
    ),
    "foreignObject": (
        svg(
            '<foreignObject width="100" height="40"><div xmlns="http://www.w3.org/1999/xhtml">Hi</div></foreignObject>'
        ),
        "The SVG logo contains a foreignObject (embedded HTML or other content); upload one made only of SVG shapes, "
        "text and images.",
    ),
    "CSS url(http…) in a style sheet": (
        svg("<style>rect { fill: url(http://evil.example/paint.svg#p); }</style><rect width='1' height='1'/>"),
        "The SVG logo's CSS loads an outside resource (url(http://evil.example/paint.svg#p)); only links to parts of "
        "the file itself (url(#…)) are allowed, so embed everything and upload it again.",
    ),
    "CSS url(http…) in a style attribute": (
        svg("<rect style=\"background-image: url('https://evil.example/x.png')\" width='1' height='1'/>"),
        "The SVG logo's CSS loads an outside resource (url(https://evil.example/x.png)); only links to parts of the "
        "file itself (url(#…)) are allowed, so embed everything and upload it again.",
    ),
    "CSS url(http…) in a presentation attribute": (
        svg('<rect fill="url(http://evil.example/p.svg#g)" width="1" height="1"/>'),
        "The SVG logo's CSS loads an outside resource (url(http://evil.example/p.svg#g)); only links to parts of "
        "the file itself (url(#…)) are allowed, so embed everything and upload it again.",
    ),
    "@import": (
        svg('<style>@import "https://evil.example/theme.css";</style><rect width="1" height="1"/>'),
        "The SVG logo's CSS uses @import, which loads outside style sheets; put the styles in the file itself and "
        "upload it again.",
    ),
    "CSS escape": (
        svg("<style>rect { fill: u\\72l(http://evil.example/p); }</style><rect width='1' height='1'/>"),
        "The SVG logo's CSS uses backslash escapes, which can hide outside references; remove them and upload it "
        "again.",
    ),
    "xml-stylesheet": (
        svg("<rect width='1' height='1'/>", head='<?xml-stylesheet href="https://evil.example/a.css"?>'),
        "The SVG logo contains an XML processing instruction (<?xml-stylesheet …?>), which can load outside files; "
        "delete it and upload the logo again.",
    ),
    "animated href": (
        svg('<a href="#x"><set attributeName="href" to="https://evil.example/"/><rect width="1" height="1"/></a>'),
        "The SVG logo contains an animation that rewrites href; upload one without scripts.",
    ),
    "embedded HTML": (
        svg('<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="https://evil.example/"/>'),
        "The SVG logo embeds HTML elements; upload one made only of SVG shapes, text and images.",
    ),
    "embedded SVG data URI": (
        svg('<image href="data:image/svg+xml;base64,PHN2Zy8+" width="1" height="1"/>'),
        "The SVG logo refers to an outside resource (data:image/svg+xml;base64,PHN2Zy8+); logos must be "
        "self-contained, so embed everything in the file and upload it again.",
    ),
    "xml:base": (
        svg('<use xml:base="https://evil.example/" href="#x"/>'),
        "The SVG logo refers to an outside resource (xml:base https://evil.example/); logos must be self-contained, "
        "so embed everything in the file and upload it again.",
    ),
}
