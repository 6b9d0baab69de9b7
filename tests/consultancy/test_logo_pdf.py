"""The logo in the PDF: embedded as a data: URI, so WeasyPrint fetches no URL for it, and laid out as an image.

documents' ``StaticOnlyFetcher`` refuses every ``data:`` URI today, so the proposal cannot show the logo until it
admits the logo URIs that ``consultancy.logos.data_uri_decode`` accepts. ``LogoAdmittingFetcher`` below is that
fetcher with exactly that one branch added; the last test runs documents' own ``html_to_pdf`` and is expected to
fail until documents makes the same change (then it passes, and its xfail marker must go).
"""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.template import Context, Template
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.urls import URLFetcherResponse, URLFetchingError

from consultancy.logos import LogoRefused, data_uri_decode
from consultancy.models import ConsultancyProfile
from consultancy.selectors import logo_data_uri
from documents.rendering import StaticOnlyFetcher, html_to_pdf, static_root

from .samples import clean_svg, png_bytes, svg

pytestmark = pytest.mark.django_db

COVER = Template('<html><body><h1>Proposal</h1><img src="{{ logo_data_uri }}" alt="logo"></body></html>')
NAVY_FILL = b"0.078431 0.188235 0.301961 rg"  # #14304d as a PDF fill colour


class LogoAdmittingFetcher(StaticOnlyFetcher):
    """documents' static-only fetcher, plus logo ``data:`` URIs whose bytes pass the upload check again."""

    def __init__(self) -> None:
        super().__init__(static_root())
        self.requested: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        if url.startswith("data:"):
            try:
                logo = data_uri_decode(url, max_bytes=settings.LOGO_MAX_BYTES)
            except LogoRefused as refusal:
                raise URLFetchingError(refusal.message) from refusal
            return URLFetcherResponse(url, body=logo.content, headers={"Content-Type": logo.content_type})
        return super().fetch(url, headers)


class CountingHandler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        CountingHandler.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(png_bytes(4, 4))

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def outside_server() -> Iterator[str]:
    """A web server on loopback that records every request: an external fetch would show up here."""
    CountingHandler.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def profile(settings, tmp_path) -> ConsultancyProfile:
    settings.MEDIA_ROOT = str(tmp_path)
    return ConsultancyProfile.current()


def render(html: str, fetcher: StaticOnlyFetcher) -> PdfReader:
    pdf = HTML(string=html, base_url=static_root().as_uri() + "/", url_fetcher=fetcher).write_pdf()
    return PdfReader(io.BytesIO(pdf))


def test_a_png_logo_renders_through_the_safe_fetcher_and_nothing_else_is_fetched(profile):
    profile.logo.save("logo.png", ContentFile(png_bytes(120, 40)), save=True)
    uri = logo_data_uri(profile)
    fetcher = LogoAdmittingFetcher()

    reader = render(COVER.render(Context({"logo_data_uri": uri})), fetcher)

    (image,) = reader.pages[0].images
    assert image.image.size == (120, 40)
    assert image.image.convert("RGB").getpixel((60, 20)) == (0x14, 0x30, 0x4D)
    assert fetcher.requested == [uri]


def test_an_svg_logo_renders_as_a_drawing_through_the_safe_fetcher(profile):
    profile.logo.save("logo.svg", ContentFile(clean_svg()), save=True)
    uri = logo_data_uri(profile)
    assert uri.startswith("data:image/svg+xml;base64,")
    fetcher = LogoAdmittingFetcher()

    reader = render(COVER.render(Context({"logo_data_uri": uri})), fetcher)

    content = reader.pages[0].get_contents().get_data()
    assert b" rg" in content and b"re\nf" in content  # the logo's filled shapes were drawn
    (embedded_png,) = reader.pages[0].images  # the 8 × 8 PNG inside the SVG, decoded from its own data: URI
    assert embedded_png.image.size == (8, 8)
    assert all(url.startswith("data:image/") for url in fetcher.requested)


def test_a_hostile_svg_slipped_into_storage_is_left_out_of_the_pdf(profile, outside_server, caplog):
    hostile = svg(f'<image href="{outside_server}/beacon.png" width="10" height="10"/>')
    profile.logo.save("logo.svg", ContentFile(hostile), save=True)  # straight to storage, past the upload check

    assert logo_data_uri(profile) == ""
    assert "was left out of the PDF: The SVG logo refers to an outside resource" in caplog.text

    # Even as a data: URI written straight into the markup, it is refused by the fetcher and nothing is requested.
    uri = "data:image/svg+xml;base64," + base64.b64encode(hostile).decode()
    fetcher = LogoAdmittingFetcher()
    reader = render(COVER.render(Context({"logo_data_uri": uri})), fetcher)
    assert len(reader.pages[0].images) == 0
    assert fetcher.requested == [uri]
    assert CountingHandler.hits == []


def test_no_logo_gives_an_empty_uri(profile):
    assert logo_data_uri(profile) == ""


def test_a_missing_logo_file_is_left_out_rather_than_failing(profile, caplog):
    profile.logo.save("logo.png", ContentFile(png_bytes()), save=True)
    profile.logo.storage.delete(profile.logo.name)
    assert logo_data_uri(profile) == ""
    assert "could not be read; it was left out of the PDF" in caplog.text


def test_documents_html_to_pdf_prints_the_logo(profile):
    profile.logo.save("logo.png", ContentFile(png_bytes(120, 40)), save=True)
    rendered = html_to_pdf(COVER.render(Context({"logo_data_uri": logo_data_uri(profile)})))
    assert len(PdfReader(io.BytesIO(rendered.pdf)).pages[0].images) == 1
