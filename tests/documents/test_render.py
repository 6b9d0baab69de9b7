"""The scope PDF renderer: content, metadata, fetcher confinement, unicode, gaps and failure reporting.

Pure tests: no database. Renders take a fraction of a second each, so the common documents are rendered once per
module and shared.
"""

from __future__ import annotations

import copy
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from bench.scopes import long_scope
from documents import rendering
from documents.print_context import DocumentMeta
from documents.print_values import device_in_words, local_time
from documents.rendering import (
    RenderError,
    StaticOnlyFetcher,
    html_to_pdf,
    render_scope_html,
    render_scope_pdf,
)
from scoping.scope.costs import compute_costs, format_money
from scoping.scope.readiness import CODE_TITLES, SECTION_LABELS, SECTIONS
from scoping.scope.schema import empty_scope, validate_scope

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "invoice-coding.json"
SHA256 = "3f9a1c0be2d47a6f58e0c1d2b3a4f5e6d7c8b9a0f1e2d3c4b5a6978877665544"
SIGNOFFS = (
    {
        "name": "Priya Raman",
        "typed_name": "Priya Raman",
        "role": "Finance Director",
        "signed_at": datetime(2027, 2, 1, 9, 12, 44, tzinfo=UTC),
        "ip": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
        "time_zone": "Europe/Berlin",
    },
    {
        "name": "Lena Lead",
        "typed_name": "Lena M. Lead",
        "role": "Lead consultant",
        "signed_at": "2027-02-01T10:02:11+00:00",
        "ip": "2001:db8::17",
        "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15",
    },
)

HOSTILE_IMAGE = '<img src="file:///etc/passwd">'
HOSTILE_ATTACHMENT = '<link rel="attachment" href="file:///etc/passwd">'
HOSTILE_IMPORT = "@import url(http://127.0.0.1:9/x.css)"
HOSTILE_URL = "http://127.0.0.1/admin/export?all=1"


def example() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def meta(kind: str = "draft", **changes) -> DocumentMeta:
    values = {
        "kind": kind,
        "version_number": 3,
        "version_sha256": SHA256,
        "frozen_at": datetime(2027, 1, 20, 10, 30, tzinfo=UTC),
        "frozen_by": "Lena Lead",
        "status_label": {"draft": "Draft for discussion", "proposal": "Approved proposal", "signed": "Signed off"}[
            kind
        ],
        "generated_at": datetime(2027, 2, 1, 11, 0, tzinfo=UTC),
        "consultancy": "Northwind Advisory",
        "signoffs": SIGNOFFS if kind == "signed" else (),
        "review_decision": "Approved by Rita Reviewer on 25 January 2027" if kind == "signed" else "",
    }
    values.update(changes)
    return DocumentMeta(**values)


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squashed(text: str) -> str:
    """Text without any whitespace, so a string that wrapped across lines still matches."""
    return "".join(text.split())


def embedded_files_and_attachments(pdf: bytes) -> tuple[bool, list[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    names = reader.trailer["/Root"].get("/Names")
    has_embedded_files = names is not None and "/EmbeddedFiles" in names.get_object()
    subtypes = [
        str(annotation.get_object().get("/Subtype"))
        for page in reader.pages
        for annotation in (page.get("/Annots") or [])
    ]
    return has_embedded_files, subtypes


def raster_images(pdf: bytes) -> int:
    count = 0
    for page in PdfReader(io.BytesIO(pdf)).pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        count += sum(1 for ref in xobjects.values() if ref.get_object().get("/Subtype") == "/Image")
    return count


def font_names(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


@pytest.fixture(scope="module")
def draft_pdf():
    return render_scope_pdf(snapshot=example(), meta=meta("draft"))


@pytest.fixture(scope="module")
def signed_pdf():
    return render_scope_pdf(snapshot=example(), meta=meta("signed"))


# --- Content -----------------------------------------------------------------------------------------------------


def test_it_renders_the_example_with_every_section_heading(draft_pdf):
    text = "\n".join(pages_text(draft_pdf.pdf))
    for section in SECTIONS:
        assert SECTION_LABELS[section] in text, section
    assert "Kestrel Foods Ltd" in text
    assert "Supplier invoice coding" in text


def test_it_prints_the_cost_per_use_at_launch_volume_as_format_money_gives_it(draft_pdf):
    scope = example()
    launch = compute_costs(scope["cost_model"]).tiers["launch"]
    expected = format_money(launch.cost_per_use, "GBP", per_use=True)
    assert expected == "£0.84"
    summary = pages_text(draft_pdf.pdf)[1]
    assert "Summary" in summary
    assert f"Launch 6,000 {expected}" in summary


def test_every_page_has_a_footer_with_its_number_the_page_count_and_the_short_hash(draft_pdf):
    texts = pages_text(draft_pdf.pdf)
    total = len(texts)
    assert draft_pdf.page_count == total
    assert 8 <= total <= 14
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total} · {SHA256[:12]}" in " ".join(text.split()), number


def test_the_summary_page_shows_gates_score_owners_and_open_questions(draft_pdf):
    summary = " ".join(pages_text(draft_pdf.pdf)[1].split())
    assert "8/8 readiness gates clear of blockers" in summary
    assert summary.count("Clear") == 8
    assert "Priya Raman, Finance Director" in summary
    assert "Dan Whitfield, Finance Systems Manager" in summary
    assert "Open questions 1" in summary
    assert "Can the supplier portal push invoices by webhook?" in summary


def test_the_contents_page_numbers_point_at_the_pages_where_the_sections_start(draft_pdf):
    texts = pages_text(draft_pdf.pdf)
    contents = texts[2]
    assert re.search(r"^Contents$", contents, re.MULTILINE)
    for number, section in enumerate(SECTIONS, start=1):
        label = SECTION_LABELS[section]
        match = re.search(rf"{re.escape(label)}\s*\.+\s*(\d+)", contents)
        assert match, label
        page = int(match.group(1))
        heading = re.compile(rf"^\s*{number}\s*{re.escape(label)}\s*$", re.MULTILINE)
        assert heading.search(texts[page - 1]), (label, page)


def test_the_cover_names_client_project_version_date_and_status(draft_pdf):
    cover = " ".join(pages_text(draft_pdf.pdf)[0].split())
    assert "Kestrel Foods Ltd" in cover
    assert "Supplier invoice coding" in cover
    assert "Scope v3" in cover
    assert "20 January 2027" in cover
    assert "Draft for discussion" in cover


def test_without_accepted_risks_it_says_no_risks_were_accepted(draft_pdf):
    text = "\n".join(pages_text(draft_pdf.pdf))
    assert "Accepted risks" in text
    assert "No risks accepted." in text


def test_it_lists_each_accepted_risk_with_its_plain_title_reason_and_who_accepted_it_never_the_rule_code():
    scope = example()
    scope["security"]["audit_trail"] = ""
    scope["accepted_risks"] = [
        {
            "code": "security.no_audit_trail",
            "reason": "The ERP audit log design is agreed in the first sprint of the pilot.",
            "accepted_by": "Priya Raman",
        }
    ]
    text = " ".join("\n".join(pages_text(render_scope_pdf(snapshot=scope, meta=meta()).pdf)).split())
    # Clients read the PDF: the rule's plain title, not its code (the code is for staff and for files).
    assert "security.no_audit_trail" not in text
    assert CODE_TITLES["security.no_audit_trail"] in text
    assert "The ERP audit log design is agreed in the first sprint of the pilot." in text
    assert "Accepted by Priya Raman" in text
    assert "(accepted as a risk)" in text
    assert "No risks accepted." not in text


def test_it_writes_title_author_and_the_version_hash_keyword_into_the_pdf_metadata(draft_pdf):
    info = PdfReader(io.BytesIO(draft_pdf.pdf)).metadata
    assert info.title == "Kestrel Foods Ltd – Supplier invoice coding – scope v3"
    assert info.author == "Northwind Advisory, Lena Lead"
    assert info["/Keywords"] == f"firstslice-version-sha256:{SHA256}"


def test_a_draft_has_no_signoff_certificate(draft_pdf):
    text = "\n".join(pages_text(draft_pdf.pdf))
    assert "Sign-off certificate" not in text


def certificate_pages(pdf) -> list[str]:
    """The certificate's pages: from the one it starts on to the end of the document (it may take two)."""
    texts = pages_text(pdf)
    start = max(index for index, text in enumerate(texts) if "Sign-off certificate" in text)
    return texts[start:]


def test_a_signed_document_ends_with_a_certificate_naming_every_signatory_and_the_full_hash(signed_pdf):
    texts = pages_text(signed_pdf.pdf)
    pages = certificate_pages(signed_pdf.pdf)
    certificate = " ".join(" ".join(pages).split())
    assert "Sign-off certificate" in certificate
    assert SHA256 in squashed("".join(pages))
    assert "Approved by Rita Reviewer on 25 January 2027" in certificate
    for name, role, when, ip, agent in (
        ("Priya Raman", "Finance Director", "2027-02-01 09:12:44 UTC", "203.0.113.7", "Firefox/133.0"),
        ("Lena Lead", "Lead consultant", "2027-02-01 10:02:11 UTC", "2001:db8::17", "Safari/605.1.15"),
    ):
        assert name in certificate
        assert role in certificate
        assert when in certificate
        assert ip in certificate
        assert agent in certificate
    assert "Lena M. Lead" in certificate
    assert "Signed off" in " ".join(texts[0].split())


def test_the_certificate_says_in_words_how_when_and_on_what_each_person_signed(signed_pdf):
    certificate = " ".join(" ".join(certificate_pages(signed_pdf.pdf)).split())

    assert "Firefox on Linux" in certificate
    assert "Safari on macOS" in certificate
    # 09:12:44 UTC is 10:12:44 in Berlin in February (CET, UTC+01:00); no zone was recorded for the second signer
    assert "2027-02-01 10:12:44 Europe/Berlin (UTC+01:00), their local time" in certificate
    assert certificate.count("their local time") == 1
    assert "typed their full name and ticked the consent statement" in certificate
    assert "Any change to the scope, even of one character, gives a different fingerprint" in certificate
    # The raw technical record is in the annex, after every signatory's card
    annex = certificate[certificate.index("Annex: technical record") :]
    assert "203.0.113.7" in annex and "Firefox/133.0" in annex
    assert certificate.index("Safari on macOS") < certificate.index("Annex: technical record")


def test_a_signed_kind_without_signoffs_is_refused_with_a_readable_reason():
    with pytest.raises(RenderError, match="needs at least one recorded sign-off"):
        render_scope_pdf(snapshot=example(), meta=meta("signed", signoffs=()))


# --- Safety -------------------------------------------------------------------------------------------------------


@pytest.fixture
def fetched_urls(monkeypatch):
    """Every URL WeasyPrint asks the fetcher for during the test, with the shared assets built afresh."""
    seen: list[str] = []
    original = StaticOnlyFetcher.fetch

    def recording(self, url, headers=None):
        seen.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", recording)
    monkeypatch.setattr(rendering, "_assets", None)
    return seen


def test_hostile_text_in_fields_loads_nothing_and_prints_literally(fetched_urls):
    scope = example()
    scope["project"]["name"] = f"Invoices {HOSTILE_IMAGE}"
    scope["production_target"]["problem_statement"] = HOSTILE_IMAGE
    scope["workflow"]["action"] = HOSTILE_ATTACHMENT
    scope["security"]["threats"] = HOSTILE_IMPORT
    scope["data_path"]["sources"][0]["name"] = HOSTILE_URL
    scope["open_questions"][0]["question"] = (
        f'<style>{HOSTILE_IMPORT};</style><a rel="attachment" href="{HOSTILE_URL}">x</a>'
    )

    html = render_scope_html(snapshot=scope, meta=meta())
    assert HOSTILE_IMAGE not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    rendered = render_scope_pdf(snapshot=scope, meta=meta())

    has_embedded_files, annotation_types = embedded_files_and_attachments(rendered.pdf)
    assert has_embedded_files is False
    assert "/FileAttachment" not in annotation_types
    assert raster_images(rendered.pdf) == 0
    static_prefix = rendering.static_root().as_uri() + "/"
    assert fetched_urls, "the fonts and stylesheet should have been fetched through the fetcher"
    assert all(url.startswith(static_prefix) for url in fetched_urls), fetched_urls

    text = squashed("\n".join(pages_text(rendered.pdf)))
    for payload in (HOSTILE_IMAGE, HOSTILE_ATTACHMENT, HOSTILE_IMPORT, HOSTILE_URL):
        assert squashed(payload) in text, payload


def test_even_unescaped_hostile_markup_cannot_make_the_fetcher_read_files_or_the_network(fetched_urls):
    """Defence in depth: if escaping ever failed, the fetcher still refuses everything outside static/."""
    markup = """<html><head>
      <style>@import url(http://127.0.0.1:9/x.css); body { background: url(file:///etc/passwd) }</style>
      <link rel="stylesheet" href="http://127.0.0.1:9/y.css">
      <link rel="attachment" href="file:///etc/passwd">
    </head><body>
      <p>before</p>
      <img src="file:///etc/passwd"><img src="http://127.0.0.1:9/z.png">
      <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
      <img src="../../../../etc/passwd"><img src="reports/../../../etc/passwd">
      <a rel="attachment" href="file:///etc/passwd">attached</a>
      <img src="img/favicon.svg" style="width: 8mm">
      <p>after</p>
    </body></html>"""
    rendered = html_to_pdf(markup)

    has_embedded_files, annotation_types = embedded_files_and_attachments(rendered.pdf)
    assert has_embedded_files is False
    assert "/FileAttachment" not in annotation_types
    assert raster_images(rendered.pdf) == 0
    text = pages_text(rendered.pdf)[0]
    assert "before" in text and "after" in text
    # The refusals happened in the fetcher (WeasyPrint asked and was told no), and the one static image loaded.
    asked = set(fetched_urls)
    assert "file:///etc/passwd" in asked
    assert any(url.startswith("http://127.0.0.1:9/") for url in asked)
    assert any(url.endswith("/static/img/favicon.svg") for url in asked)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://example.com/font.ttf",
        "data:text/css,body{}",
        "ftp://example.com/x.css",
        "file://otherhost/static/fonts/NotoSans-Regular.ttf",
    ],
)
def test_the_fetcher_refuses_other_schemes_and_files_outside_static(url):
    fetcher = StaticOnlyFetcher(rendering.static_root())
    with pytest.raises(rendering.URLFetchingError):
        fetcher.fetch(url)


def test_the_fetcher_refuses_dot_dot_escapes_symlinks_out_and_non_asset_files(tmp_path):
    root = tmp_path / "static"
    (root / "fonts").mkdir(parents=True)
    (root / "fonts" / "Font.ttf").write_bytes(b"\x00\x01\x00\x00font")
    (root / "js").mkdir()
    (root / "js" / "app.js").write_text("alert(1)")
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    (root / "fonts" / "escape.css").symlink_to(secret)
    inside = root / "fonts" / "alias.ttf"
    inside.symlink_to(root / "fonts" / "Font.ttf")
    fetcher = StaticOnlyFetcher(root)

    for refused in (
        (root / "fonts").as_uri() + "/../../secret.css",
        (root / "fonts" / "escape.css").as_uri(),
        (root / "js" / "app.js").as_uri(),
        (root / "fonts" / "missing.ttf").as_uri(),
        root.as_uri(),
    ):
        with pytest.raises(rendering.URLFetchingError):
            fetcher.fetch(refused)

    response = fetcher.fetch(inside.as_uri())
    assert response.read() == b"\x00\x01\x00\x00font"
    assert response.content_type == "font/ttf"


# --- Unicode, gaps, size --------------------------------------------------------------------------------------------


def test_a_unicode_project_keeps_arabic_chinese_hindi_and_emoji():
    scope = example()
    scope["project"]["client"] = "شركة الفجر للأغذية"
    scope["project"]["name"] = "发票编码 🚀"
    scope["ownership"]["business_owner"]["name"] = "प्रिया रमन"
    scope["production_target"]["problem_statement"] = "الفواتير تتأخر كل شهر — 发票积压 — चालान देर से आते हैं ✅"
    rendered = render_scope_pdf(snapshot=scope, meta=meta())

    text = "\n".join(pages_text(rendered.pdf))
    for word in ("الفواتير", "للأغذية", "发票编码", "发票积压", "प्रिया", "चालान"):
        assert word in text, word
    fonts = " ".join(font_names(rendered.pdf))
    assert "Noto-Sans-Arabic" in fonts
    assert "Noto-Sans-CJK" in fonts
    assert "Noto-Sans-Devanagari" in fonts
    assert "Noto-Color-Emoji" in fonts  # emoji drawn from the colour font, not as empty boxes


def test_a_right_to_left_client_name_is_set_right_to_left_on_the_cover():
    from documents.rendering import render_scope_html
    from documents.templatetags.text_direction import text_dir

    assert text_dir("شركة الفجر") == "rtl" and text_dir("Kestrel Foods") == "ltr" and text_dir("2027 شركة") == "rtl"
    assert text_dir("") == "ltr" and text_dir("🚀 123") == "ltr"
    scope = example()
    scope["project"]["client"] = "شركة الفجر للأغذية"
    html = render_scope_html(snapshot=scope, meta=meta())
    assert '<p class="cover-client" dir="rtl">شركة الفجر للأغذية</p>' in html
    assert 'class="cover-project" dir="ltr"' in html


def test_digits_stay_in_the_text_font_rather_than_the_emoji_font(draft_pdf):
    assert not any("Emoji" in name for name in font_names(draft_pdf.pdf))
    assert raster_images(draft_pdf.pdf) == 0


def test_an_empty_scope_renders_and_shows_its_gaps():
    scope = empty_scope(name="Blank project", client="New client")
    rendered = render_scope_pdf(snapshot=scope, meta=meta())
    text = " ".join("\n".join(pages_text(rendered.pdf)).split())
    assert "0/8 readiness gates clear of blockers" in text
    assert text.count("Not stated") >= 30
    assert "No data source stated." in text
    assert "No failure mode stated." in text
    assert "Blocked" in text
    assert "The cost per use cannot be worked out yet" in text
    for section in SECTIONS:
        assert SECTION_LABELS[section] in text


def test_a_malformed_snapshot_renders_instead_of_crashing():
    scope = {"project": "not a mapping", "data_path": {"sources": ["bad row", None]}, "open_questions": "x"}
    rendered = render_scope_pdf(snapshot=scope, meta=meta())
    text = "\n".join(pages_text(rendered.pdf))
    assert "Client not named" in text
    assert "Untitled project" in text


def test_the_long_scope_is_a_valid_scope_of_thirteen_to_eighteen_pages():
    scope = long_scope(example())
    validate_scope(copy.deepcopy(scope))
    rendered = render_scope_pdf(snapshot=scope, meta=meta())
    assert 13 <= rendered.page_count <= 18
    assert rendered.page_count == len(PdfReader(io.BytesIO(rendered.pdf)).pages)


# --- Failures --------------------------------------------------------------------------------------------------------


def test_a_missing_template_raises_a_render_error_that_says_so(monkeypatch):
    monkeypatch.setattr(rendering, "TEMPLATE_NAME", "reports/no_such_template.html")
    with pytest.raises(RenderError, match="template .*is missing"):
        render_scope_html(snapshot=example(), meta=meta())


def test_a_layout_failure_raises_a_render_error_with_the_cause_attached(monkeypatch):
    class Broken(Exception):
        pass

    def explode(*args, **kwargs):
        raise Broken("pango went away")

    monkeypatch.setattr(rendering, "HTML", explode)
    with pytest.raises(RenderError, match="could not be laid out") as caught:
        render_scope_pdf(snapshot=example(), meta=meta())
    assert isinstance(caught.value.__cause__, Broken)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "final"}, "Unknown document kind"),
        ({"version_sha256": "abc"}, "64-character"),
        ({"version_sha256": SHA256.upper()}, "64-character"),
    ],
)
def test_bad_document_meta_is_refused_before_rendering(changes, message):
    values = {**meta().__dict__, **changes}
    with pytest.raises(RenderError, match=message):
        render_scope_pdf(snapshot=example(), meta=DocumentMeta(**values))


def _question(text: str, due: str | None, status: str = "open") -> dict:
    return {"question": text, "section": "data_path", "owner": "Dan Whitfield", "due": due, "status": status}


QUESTIONS_OUT_OF_ORDER = [
    _question("Question March?", "2027-03-01"),
    _question("Question early January?", "2027-01-10"),  # before the freeze on 20 January: overdue
    _question("Question undated?", None),
    _question("Question answered long ago?", "2026-12-01", status="answered"),
    _question("Question February?", "2027-02-01"),
    _question("Question due on the freeze day?", "2027-01-20"),  # due that day: not overdue yet
]


def test_the_pdf_lists_open_questions_by_due_date_and_marks_the_overdue_ones():
    scope = example()
    scope["open_questions"] = copy.deepcopy(QUESTIONS_OUT_OF_ORDER)
    text = squashed(" ".join(pages_text(render_scope_pdf(snapshot=scope, meta=meta()).pdf)))
    table = text[text.index("5of6questionsstillopen") :]  # the part, not the contents or the summary
    order = [
        "QuestionearlyJanuary?",
        "Questiondueonthefreezeday?",
        "QuestionFebruary?",
        "QuestionMarch?",
        "Questionundated?",
        "Questionansweredlongago?",
    ]
    positions = [table.index(name) for name in order]
    assert positions == sorted(positions)
    assert table.count("Overdue") == 1 + table.count("Overduemeans")
    early = table[positions[0] : positions[1]]
    assert "Overdue" in early
    assert "Overdue" not in table[positions[1] : positions[-1]].replace("Overduemeans", "")
    assert "5of6questionsstillopen,1overdue" in table


def test_the_pdf_summary_lists_the_earliest_due_open_questions_first():
    scope = example()
    scope["open_questions"] = copy.deepcopy(QUESTIONS_OUT_OF_ORDER)
    html = render_scope_html(snapshot=scope, meta=meta())
    summary = html[html.index('class="summary-questions"') :]
    summary = summary[: summary.index("</ol>")]
    assert summary.index("Question early January?") < summary.index("Question February?")
    assert summary.index("Question February?") < summary.index("Question March?")
    assert "Question answered long ago?" not in summary
    assert "overdue" in summary.lower()


@pytest.mark.parametrize(
    ("agent", "words"),
    [
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            "Chrome on macOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.5 Mobile/15E148 Safari/604.1",
            "Mobile Safari on iOS (iPhone)",
        ),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Windows"),
        ("curl/8.0", "curl"),
        ("", "Not stated"),
        ("<script>alert(1)</script>", "An unrecognised browser or program (the exact text is in the annex)"),
    ],
)
def test_a_user_agent_reads_as_a_device_in_words(agent, words):
    assert device_in_words(agent) == words


@pytest.mark.parametrize("zone", ["", "Mars/Olympus", "../../etc/passwd", None])
def test_an_unknown_time_zone_gives_no_local_time(zone):
    assert local_time(datetime(2027, 2, 1, 9, 0, tzinfo=UTC), zone) == ""
