"""The logo rule (consultancy/logos.py): each hostile SVG refused with its sentence, real logos accepted, and a
file too large refused without being read. Pure tests: no database."""

from __future__ import annotations

import base64
import io

import pytest

from consultancy import logos
from consultancy.logos import LogoRefused, logo_check, logo_check_stream

from .samples import HOSTILE_SVGS, clean_svg, jpeg_bytes, png_bytes, svg


def refusal(content: bytes, **kwargs) -> LogoRefused:
    with pytest.raises(LogoRefused) as caught:
        logo_check(content, **kwargs)
    return caught.value


@pytest.mark.parametrize("variant", list(HOSTILE_SVGS))
def test_it_refuses_each_hostile_svg_with_a_sentence_naming_why(variant):
    content, sentence = HOSTILE_SVGS[variant]
    assert refusal(content).message == sentence


def test_it_never_expands_an_entity_even_one_declared_after_the_doctype_started():
    # The handler fires as the DOCTYPE opens, before expat reads the entity, so not even a harmless one is defined.
    content = b'<!DOCTYPE svg [<!ENTITY name "Acme">]><svg xmlns="http://www.w3.org/2000/svg"><text>&name;</text></svg>'
    assert refusal(content).code == "svg_doctype"


def test_it_accepts_a_clean_svg_with_local_references_and_an_embedded_png():
    content = clean_svg()
    checked = logo_check(content)
    assert (checked.kind, checked.content_type, checked.extension, checked.content) == (
        "svg",
        "image/svg+xml",
        ".svg",
        content,
    )


def test_it_accepts_a_real_png_and_reports_its_size():
    content = png_bytes(300, 100)
    checked = logo_check(content)
    assert (checked.kind, checked.content_type, checked.width, checked.height) == ("png", "image/png", 300, 100)


def test_it_refuses_a_png_over_the_largest_dimensions():
    message = refusal(png_bytes(4001, 10)).message
    assert message == (
        "The PNG logo is 4001 × 10 pixels; the largest allowed is 4000 × 4000. Scale it down and upload it again."
    )


def test_it_refuses_a_png_cut_short():
    content = png_bytes(200, 200, colour=(1, 2, 3))
    message = refusal(content[: len(content) // 2]).message
    assert message.startswith("The file looks like a PNG but could not be read (it may be damaged or cut short)")


def test_it_refuses_a_png_with_a_corrupt_image_stream():
    content = bytearray(png_bytes(50, 50))
    start = content.index(b"IDAT") + 4
    content[start : start + 6] = b"\x00" * 6  # checksum now wrong, or the deflate stream broken
    assert refusal(bytes(content)).code == "damaged"


def test_it_refuses_an_svg_embedding_a_png_that_is_too_large():
    embedded = base64.b64encode(png_bytes(4100, 4)).decode()
    content = svg(f'<image href="data:image/png;base64,{embedded}" width="1" height="1"/>')
    assert refusal(content).message == (
        "The embedded PNG is 4100 × 4 pixels; the largest allowed is 4000 × 4000. Scale it down and upload it again."
    )


def test_it_refuses_an_svg_embedding_a_jpeg_labelled_as_png():
    embedded = base64.b64encode(jpeg_bytes()).decode()
    content = svg(f'<image href="data:image/png;base64,{embedded}" width="1" height="1"/>')
    assert refusal(content).message == (
        "The SVG logo embeds an image that is not a PNG; embed PNG images only, or upload the logo as a PNG."
    )


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        (
            jpeg_bytes(),  # a JPEG renamed .png: the name is never trusted
            "The file is a JPEG image, not a PNG or an SVG; save the logo as a PNG or an SVG and upload it again.",
        ),
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n",
            "The file is a PDF document, not a PNG or an SVG; save the logo as a PNG or an SVG and upload it again.",
        ),
        (
            b"Acme Advisory Ltd\nOur logo is blue.\n",
            "The file is not a PNG or an SVG image; upload the logo as a .png or .svg file.",
        ),
        (
            b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>",
            "The file is an HTML page, not a PNG or an SVG; save the logo as a PNG or an SVG and upload it again.",
        ),
        (
            b'<?xml version="1.0"?><invoice><total>12</total></invoice>',
            "The file is XML but not an SVG image (its first element is <invoice>); upload the logo as a .png or .svg "
            "file.",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>',
            "The SVG logo is not well-formed XML (line 1: mismatched tag); export it again from your drawing tool and "
            "upload it.",
        ),
        (b"   \n", "The file is empty; upload the logo as a PNG or an SVG."),
    ],
    ids=["jpeg renamed png", "pdf", "text", "html", "other xml", "broken svg", "empty"],
)
def test_it_refuses_a_file_that_is_not_a_png_or_svg_with_a_sentence(content, sentence):
    assert refusal(content).message == sentence


class CountingStream(io.RawIOBase):
    """An endless stream of bytes that counts what was read from it."""

    def __init__(self) -> None:
        self.bytes_read = 0
        self.reads = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert size >= 0, "the check must never read to the end of the file"
        self.reads += 1
        self.bytes_read += size
        return b"\x89PNG" + b"\x00" * (size - 4)


def test_it_refuses_a_50_mb_upload_from_its_declared_size_without_reading_a_byte():
    stream = CountingStream()
    with pytest.raises(LogoRefused) as caught:
        logo_check_stream(stream, size=50 * 1024 * 1024, max_bytes=1024 * 1024)
    assert caught.value.message == (
        "The logo is 50 MB; the largest allowed is 1 MB. Export a smaller file and upload it again."
    )
    assert stream.reads == 0


def test_it_reads_a_stream_of_unknown_size_only_one_byte_past_the_limit():
    stream = CountingStream()
    with pytest.raises(LogoRefused) as caught:
        logo_check_stream(stream, size=None, max_bytes=1024 * 1024)
    assert caught.value.message == (
        "The logo is larger than the limit; the largest allowed is 1 MB. Export a smaller file and upload it again."
    )
    assert stream.bytes_read == 1024 * 1024 + 1


def test_a_clean_logo_round_trips_through_its_data_uri():
    for content in (png_bytes(), clean_svg()):
        checked = logo_check(content)
        uri = logos.data_uri(checked)
        assert uri.startswith(f"data:{checked.content_type};base64,")
        assert logos.data_uri_decode(uri) == checked


def test_the_data_uri_decoder_checks_the_logo_again():
    hostile, sentence = HOSTILE_SVGS["xlink:href to http"]
    uri = "data:image/svg+xml;base64," + base64.b64encode(hostile).decode()
    with pytest.raises(LogoRefused) as caught:
        logos.data_uri_decode(uri)
    assert caught.value.message == sentence
    with pytest.raises(LogoRefused):
        logos.data_uri_decode("data:text/html;base64,PGgxPkhpPC9oMT4=")
    png_labelled_svg = "data:image/svg+xml;base64," + base64.b64encode(png_bytes()).decode()
    with pytest.raises(LogoRefused, match="does not match its declared type"):
        logos.data_uri_decode(png_labelled_svg)


def test_the_data_uri_decoder_refuses_an_oversized_payload_before_decoding_it():
    uri = "data:image/png;base64," + "A" * 2_000_000
    with pytest.raises(LogoRefused) as caught:
        logos.data_uri_decode(uri, max_bytes=1024 * 1024)
    assert caught.value.code == "too_large"
