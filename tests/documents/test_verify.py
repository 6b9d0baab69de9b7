"""The verify page: issued here or not, unmodified or not, signature valid or not, and who signed."""

from __future__ import annotations

import io

import pytest
import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from documents import verification
from documents.certificates import certificate_from_pkcs12
from documents.forms import UPLOAD_LIMIT_BYTES
from documents.models import ScopeDocument
from documents.render_job import document_render
from documents.services import document_create
from documents.signature_checks import inspect_signatures
from documents.verification import verify_pdf
from tests.review_support import CERTIFICATE_PASSWORD, client_signatory, sign, to_awaiting_signoff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    # The render job runs inline below (document_render is exactly what the worker calls).
    monkeypatch.setattr("documents.services._enqueue", lambda document_id: None)


@pytest.fixture
def signed_off(sound_project, lead, reviewer, signing_certificate, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    sign(sound_project, client_signatory(sound_project), version)
    sign(sound_project, lead, version)
    return version


def render(version, kind: str, requested_by) -> tuple[ScopeDocument, bytes]:
    existing = ScopeDocument.objects.filter(version=version, kind=kind, status="queued").first()
    document = existing or document_create(version=version, kind=kind, requested_by=requested_by)
    document = document_render(document_id=document.pk)
    assert document.status == "ready", document.error_message
    with document.file.open("rb") as handle:
        return document, handle.read()


@pytest.fixture
def signed_pdf(signed_off, lead) -> tuple[ScopeDocument, bytes]:
    return render(signed_off, "signed", lead)


@pytest.fixture
def draft_pdf(signed_off, lead) -> tuple[ScopeDocument, bytes]:
    return render(signed_off, "draft", lead)


def one_byte_changed(pdf: bytes) -> bytes:
    """Change one byte inside the first content stream after the header: a typical, invisible tampering."""
    position = pdf.index(b"stream", 1000) + 40
    return pdf[:position] + bytes([pdf[position] ^ 0x01]) + pdf[position + 1 :]


# --- verify_pdf ------------------------------------------------------------------------------------------------------


def test_the_signed_pdf_is_authentic_names_the_version_and_who_signed(signed_pdf, signed_off):
    document, pdf = signed_pdf
    result = verify_pdf(pdf)

    assert result.outcome == "authentic"
    assert result.issued_here and result.document == document
    assert result.unmodified is True
    assert result.signature_valid is True
    assert (result.project_name, result.client_name, result.version) == (
        "Supplier invoice coding",
        "Kestrel Foods Ltd",
        signed_off,
    )
    assert [(signer.name, signer.role) for signer in result.signers] == [
        ("Priya Raman", "Finance Director (Kestrel Foods Ltd)"),
        ("Lena Lead", "Lead consultant"),
    ]


def test_the_signature_validates_with_pyhanko_against_the_dev_certificate(signed_pdf, signing_certificate):
    _document, pdf = signed_pdf
    certificate = certificate_from_pkcs12(signing_certificate.read_bytes(), CERTIFICATE_PASSWORD.encode())
    from asn1crypto import x509

    context = ValidationContext(trust_roots=[x509.Certificate.load(certificate)], allow_fetching=False)
    embedded = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert len(embedded) == 1
    status = validate_pdf_signature(embedded[0], signer_validation_context=context)

    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"


def test_the_signed_pdf_carries_the_sign_off_certificate_and_the_version_keyword(signed_pdf, signed_off):
    _document, pdf = signed_pdf
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Priya Raman" in text and "Lena Lead" in text
    assert verification.read_version_keyword(pdf) == signed_off.sha256


def test_one_changed_byte_in_a_signed_pdf_is_reported_as_modified(signed_pdf, signed_off):
    _document, pdf = signed_pdf
    result = verify_pdf(one_byte_changed(pdf))

    assert result.outcome == "modified"
    assert result.unmodified is False and not result.issued_here
    assert result.signature_valid is False
    assert result.version == signed_off
    assert "It has been changed" in result.headline
    assert "The digital signature confirms it" in result.notes[0]


def test_one_changed_byte_in_an_unsigned_pdf_is_reported_as_modified(draft_pdf, signed_off):
    _document, pdf = draft_pdf
    assert verify_pdf(pdf).outcome == "authentic"

    result = verify_pdf(one_byte_changed(pdf))
    assert result.outcome == "modified"
    assert result.version == signed_off
    assert result.signature_valid is None


def test_bytes_appended_to_a_signed_pdf_are_reported_as_modified(signed_pdf):
    _document, pdf = signed_pdf
    result = verify_pdf(pdf + b"\n% appended\n")
    assert result.outcome == "modified"
    assert result.signature_valid is False


def test_a_signature_by_another_certificate_is_not_valid_here(signed_pdf, settings, tmp_path):
    from documents.certificates import make_self_signed_pkcs12

    _document, pdf = signed_pdf
    other = tmp_path / "other.p12"
    other.write_bytes(make_self_signed_pkcs12(common_name="Other", organisation="Other", password=b"other-pass"))
    settings.SIGNING_PKCS12_PATH, settings.SIGNING_PKCS12_PASSWORD = str(other), "other-pass"

    result = verify_pdf(pdf)
    assert result.outcome == "authentic"  # byte for byte the file issued...
    assert result.signature_valid is False  # ...but not signed with this installation's current certificate
    assert "does not check out" in result.notes[0]
    assert inspect_signatures(pdf)[0].trusted is False


def test_a_pdf_from_elsewhere_is_not_recognised(db):
    result = verify_pdf(weasyprint.HTML(string="<p>A scope from another tool</p>").write_pdf())
    assert result.outcome == "unknown"
    assert result.unmodified is None and result.version is None and not result.issued_here


def test_empty_and_non_pdf_bytes_give_a_message_not_an_exception(db):
    assert verify_pdf(b"").outcome == "empty"
    not_pdf = verify_pdf(b"PK\x03\x04 a zip file")
    assert not_pdf.outcome == "not_pdf" and "not a PDF" in not_pdf.headline


def test_a_damaged_pdf_is_not_recognised_and_said_to_be_damaged(db):
    result = verify_pdf(b"%PDF-1.7\n" + b"\x00garbage" * 200)
    assert result.outcome == "unknown"
    assert result.signatures == () and "damaged" in result.notes[0]


def test_a_signed_pdf_cut_short_is_reported_as_modified(signed_pdf, signed_off):
    _document, pdf = signed_pdf
    result = verify_pdf(pdf[: len(pdf) - 3000])
    assert result.outcome == "modified"
    assert result.version == signed_off


# --- The page --------------------------------------------------------------------------------------------------------


def upload(client, content: bytes, name: str = "scope.pdf", **extra):
    return client.post(
        reverse("verify"), {"file": SimpleUploadedFile(name, content, content_type="application/pdf")}, **extra
    )


def test_anyone_can_open_the_verify_page(client):
    response = client.get(reverse("verify"))
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_the_page_confirms_an_authentic_signed_pdf(client, signed_pdf, signed_off):
    _document, pdf = signed_pdf
    content = upload(client, pdf).content.decode()
    assert "Authentic" in content
    assert signed_off.sha256 in content
    assert "Valid, made with this site's certificate" in content
    assert "Priya Raman" in content and "Lena Lead" in content


def test_the_page_reports_a_tampered_pdf_as_modified(client, signed_pdf):
    _document, pdf = signed_pdf
    response = upload(client, one_byte_changed(pdf))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Modified" in content and "No: the file has been changed" in content


def test_the_page_refuses_a_non_pdf_with_a_clear_message(client, db):
    response = upload(client, b"just some text", name="notes.txt")
    assert response.status_code == 400
    assert "That file is not a PDF." in response.content.decode()


def test_the_page_refuses_an_empty_file_with_a_clear_message(client, db):
    response = upload(client, b"", name="empty.pdf")
    assert response.status_code == 400
    assert "The file is empty." in response.content.decode()


def test_the_page_refuses_a_missing_file(client, db):
    response = client.post(reverse("verify"), {})
    assert response.status_code == 400
    assert "Choose the PDF you want to check." in response.content.decode()


def test_the_page_refuses_a_file_just_over_the_limit_with_a_clear_message(client, db):
    response = upload(client, b"%PDF-1.7\n" + b"0" * UPLOAD_LIMIT_BYTES)
    assert response.status_code == 413
    assert "larger than 10 MB" in response.content.decode()


def test_the_page_refuses_a_much_larger_upload_before_reading_it(client, db):
    response = upload(client, b"%PDF-1.7\n" + b"0" * (UPLOAD_LIMIT_BYTES + 200_000))
    assert response.status_code == 413
    assert "larger than 10 MB" in response.content.decode()


def test_a_file_at_the_limit_is_accepted(client, db):
    response = upload(client, b"%PDF-1.7\n" + b"0" * (UPLOAD_LIMIT_BYTES - 9))
    assert response.status_code == 200
    assert "Not recognised" in response.content.decode()


def test_the_upload_needs_the_csrf_token(db):
    csrf_client = Client(enforce_csrf_checks=True)
    response = upload(csrf_client, b"%PDF-1.7\n")
    assert response.status_code == 403


def test_the_file_name_is_shown_escaped(client, db):
    response = upload(client, weasyprint.HTML(string="<p>x</p>").write_pdf(), name="<img src=x onerror=alert(1)>.pdf")
    content = response.content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in content and "<img src=x" not in content


# --- A file signed with the development certificate ----------------------------------------------------------------


@pytest.fixture
def development_signed_pdf(sound_project, lead, reviewer, settings, tmp_path) -> tuple[ScopeDocument, bytes]:
    """A signed-off PDF signed with the certificate `make_dev_certificate` writes."""
    from django.core.management import call_command

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SIGNING_PKCS12_PATH = str(tmp_path / "dev-signing.p12")
    settings.SIGNING_PKCS12_PASSWORD = CERTIFICATE_PASSWORD
    call_command("make_dev_certificate", stdout=io.StringIO())
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    sign(sound_project, client_signatory(sound_project), version)
    sign(sound_project, lead, version)
    return render(version, "signed", lead)


def test_in_production_a_development_signed_file_is_not_called_trusted(client, development_signed_pdf, settings):
    settings.DEBUG = False
    _document, pdf = development_signed_pdf
    result = verify_pdf(pdf)
    assert result.signature_valid is False
    assert result.signatures[0].trusted is False
    assert "development certificate" in result.signatures[0].summary
    assert any("development certificate" in note for note in result.notes)
    content = upload(client, pdf).content.decode()
    assert "trusted by this site" not in content
    assert (
        "made with this site&#x27;s certificate" not in content and "made with this site's certificate" not in content
    )
    assert "Firstslice development certificate, which anyone can make" in content


def test_in_the_demo_a_development_signed_file_is_valid_but_says_it_is_a_development_certificate(
    development_signed_pdf, settings
):
    settings.DEBUG = True
    _document, pdf = development_signed_pdf
    result = verify_pdf(pdf)
    assert result.signature_valid is True
    assert "trusted by this site" not in result.signatures[0].summary
    assert "development certificate" in result.signatures[0].summary
