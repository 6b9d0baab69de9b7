"""Signing and verification of PDFs, end to end on real WeasyPrint output; no database."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import weasyprint
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from hypothesis import given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils.reader import PdfFileReader

from documents.certificates import certificate_fingerprint, certificate_from_pkcs12, make_self_signed_pkcs12
from documents.signature_checks import SignatureReport, inspect_signatures
from documents.signing import NotAPdfError, sign_pdf

PASSWORD = b"dev-password"


@pytest.fixture(scope="module")
def dev_pkcs12() -> bytes:
    return make_self_signed_pkcs12(
        common_name="Firstslice Dev Signer",
        organisation="Acme Consulting",
        password=PASSWORD,
    )


@pytest.fixture(scope="module")
def dev_certificate(dev_pkcs12: bytes) -> bytes:
    return certificate_from_pkcs12(dev_pkcs12, PASSWORD)


@pytest.fixture(scope="module")
def stranger_certificate() -> bytes:
    stranger = make_self_signed_pkcs12(
        common_name="Firstslice Dev Signer",
        organisation="Acme Consulting",
        password=b"other",
    )
    return certificate_from_pkcs12(stranger, b"other")


@pytest.fixture(scope="module")
def unsigned_pdf() -> bytes:
    return weasyprint.HTML(string="<h1>Hi</h1><p>Scope for invoice coding.</p>").write_pdf()


@pytest.fixture(scope="module")
def signed_pdf(unsigned_pdf: bytes, dev_pkcs12: bytes) -> bytes:
    return sign_pdf(
        unsigned_pdf,
        pkcs12=dev_pkcs12,
        password=PASSWORD,
        reason="Scope signed off",
        location="Amsterdam",
        signer_name="Firstslice",
    )


def _only(reports: list[SignatureReport]) -> SignatureReport:
    assert len(reports) == 1, reports
    return reports[0]


def _signature_gap(pdf: bytes) -> tuple[int, int]:
    """Start and end offset of the signature hex, i.e. the hole in the /ByteRange."""
    match = re.search(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match, "signed PDF has no /ByteRange"
    return int(match.group(1)), int(match.group(2))


def _page_content_offset(pdf: bytes) -> int:
    """Offset of a byte in the middle of the first page's content stream data."""
    reader = PdfFileReader(io.BytesIO(pdf))
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    contents_ref = page.raw_get("/Contents")
    if not hasattr(contents_ref, "idnum"):  # an array of content streams
        contents_ref = contents_ref[0]
    header = re.search(rb"(?:^|\s)%d 0 obj\s" % contents_ref.idnum, pdf)
    assert header, "page content stream object not found"
    stream_start = pdf.index(b"stream", header.end()) + len(b"stream\n")
    stream_length = int(contents_ref.get_object().raw_get("/Length"))
    return stream_start + stream_length // 2


def test_it_signs_a_weasyprint_pdf_so_it_verifies_as_intact_valid_and_trusted(
    signed_pdf: bytes, dev_certificate: bytes
) -> None:
    report = _only(inspect_signatures(signed_pdf, trusted_certificates=[dev_certificate]))

    assert (report.intact, report.valid, report.trusted) == (True, True, True)
    assert report.covers_whole_file is True
    assert report.modification_level == "none"
    assert report.authentic is True
    assert report.field_name == "FirstsliceSignature"
    assert "unchanged since it was signed" in report.summary
    assert "trusted by this site" in report.summary


def test_it_reports_the_signer_and_the_signing_time(signed_pdf: bytes, dev_certificate: bytes) -> None:
    report = _only(inspect_signatures(signed_pdf, trusted_certificates=[dev_certificate]))

    assert report.signer_common_name == "Firstslice Dev Signer"
    assert report.signer_organisation == "Acme Consulting"
    assert report.signing_time is not None
    assert abs(datetime.now(UTC) - report.signing_time) < timedelta(minutes=5)
    assert report.signer_certificate_sha256 == certificate_fingerprint(dev_certificate)


def test_it_signs_with_a_pades_subfilter_and_keeps_the_original_bytes_in_front(
    unsigned_pdf: bytes, signed_pdf: bytes
) -> None:
    assert signed_pdf.startswith(unsigned_pdf)
    assert b"/ETSI.CAdES.detached" in signed_pdf[len(unsigned_pdf) :]
    assert b"/Reason (Scope signed off)" in signed_pdf


def test_it_accepts_the_trusted_certificate_as_pem(signed_pdf: bytes, dev_pkcs12: bytes) -> None:
    _key, certificate, _chain = pkcs12.load_key_and_certificates(dev_pkcs12, PASSWORD)
    pem = certificate.public_bytes(encoding=serialization.Encoding.PEM)

    report = _only(inspect_signatures(signed_pdf, trusted_certificates=[pem]))

    assert report.trusted is True


def test_it_reports_a_signature_by_another_certificate_as_intact_but_not_trusted(
    signed_pdf: bytes, stranger_certificate: bytes
) -> None:
    report = _only(inspect_signatures(signed_pdf, trusted_certificates=[stranger_certificate]))

    assert (report.intact, report.valid, report.trusted) == (True, True, False)
    assert report.covers_whole_file is True
    assert report.authentic is False
    assert "not one this site trusts" in report.summary


def test_it_trusts_nothing_when_no_certificate_is_given(signed_pdf: bytes) -> None:
    report = _only(inspect_signatures(signed_pdf))

    assert (report.intact, report.trusted) == (True, False)


def test_it_reports_one_changed_content_byte_as_not_intact(signed_pdf: bytes, dev_certificate: bytes) -> None:
    offset = _page_content_offset(signed_pdf)
    signature_start, _signature_end = _signature_gap(signed_pdf)
    assert offset < signature_start, "the byte to change must be inside the signed range"
    tampered = bytearray(signed_pdf)
    tampered[offset] ^= 0x01

    report = _only(inspect_signatures(bytes(tampered), trusted_certificates=[dev_certificate]))

    assert report.intact is False
    assert report.valid is False
    assert report.trusted is False
    assert report.authentic is False
    assert "changed after it was signed" in report.summary


def test_it_reports_one_changed_byte_inside_the_signature_as_not_valid(
    signed_pdf: bytes, dev_certificate: bytes
) -> None:
    signature_start, signature_end = _signature_gap(signed_pdf)
    hex_digits = signed_pdf[signature_start + 1 : signature_end - 1]
    # Change a digit in the middle of the DER (the signature value sits near the end, before the zero padding).
    used_length = len(hex_digits.rstrip(b"0"))
    offset = signature_start + 1 + used_length - 20
    tampered = bytearray(signed_pdf)
    tampered[offset] = ord("0") if tampered[offset] != ord("0") else ord("1")

    report = _only(inspect_signatures(bytes(tampered), trusted_certificates=[dev_certificate]))

    assert (report.valid, report.trusted, report.authentic) == (False, False, False)


def test_it_reports_bytes_appended_after_signing_as_not_covering_the_whole_file(
    signed_pdf: bytes, dev_certificate: bytes
) -> None:
    report = _only(inspect_signatures(signed_pdf + b"\n% appended later\n", trusted_certificates=[dev_certificate]))

    assert report.covers_whole_file is False
    assert report.intact is True
    assert report.authentic is False
    assert "not the file as it was issued" in report.summary


def test_it_reports_an_incremental_update_after_signing_as_a_modification(
    signed_pdf: bytes, dev_pkcs12: bytes, dev_certificate: bytes
) -> None:
    countersigned = sign_pdf(
        signed_pdf,
        pkcs12=dev_pkcs12,
        password=PASSWORD,
        reason="Countersigned",
        field_name="SecondSignature",
    )

    first, second = inspect_signatures(countersigned, trusted_certificates=[dev_certificate])

    assert (first.field_name, second.field_name) == (
        "FirstsliceSignature",
        "SecondSignature",
    )
    assert (first.intact, first.covers_whole_file, first.modification_level) == (
        True,
        False,
        "form_filling",
    )
    assert first.authentic is False
    assert second.authentic is True


def test_it_reports_a_truncated_signed_pdf_as_damaged(signed_pdf: bytes, dev_certificate: bytes) -> None:
    truncated = signed_pdf[: len(signed_pdf) - 200]

    report = _only(inspect_signatures(truncated, trusted_certificates=[dev_certificate]))

    assert (report.intact, report.valid, report.trusted) == (False, False, False)
    assert "damaged or incomplete" in report.summary


@pytest.mark.parametrize(
    "not_a_pdf",
    [
        b"",
        b"\x00\x01garbage\xff" * 100,
        b"<html><body>Hello</body></html>",
        b"PK\x03\x04 a zip file",
    ],
    ids=["empty", "binary-garbage", "html", "zip"],
)
def test_it_refuses_bytes_that_are_not_a_pdf(not_a_pdf: bytes) -> None:
    with pytest.raises(NotAPdfError, match="not a PDF"):
        inspect_signatures(not_a_pdf)


def test_it_reports_a_pdf_header_followed_by_garbage_as_damaged() -> None:
    report = _only(inspect_signatures(b"%PDF-1.7\n" + b"\x8f garbage" * 50))

    assert report.valid is False


def test_it_refuses_to_sign_bytes_that_are_not_a_pdf(dev_pkcs12: bytes) -> None:
    with pytest.raises(NotAPdfError):
        sign_pdf(b"hello", pkcs12=dev_pkcs12, password=PASSWORD, reason="x")


def test_it_finds_no_signature_in_an_unsigned_pdf(unsigned_pdf: bytes, dev_certificate: bytes) -> None:
    assert inspect_signatures(unsigned_pdf, trusted_certificates=[dev_certificate]) == []


def test_it_refuses_a_wrong_pkcs12_password(unsigned_pdf: bytes, dev_pkcs12: bytes) -> None:
    with pytest.raises(ValueError, match="password"):
        sign_pdf(unsigned_pdf, pkcs12=dev_pkcs12, password=b"wrong", reason="x")
    with pytest.raises(ValueError, match="password"):
        certificate_from_pkcs12(dev_pkcs12, b"wrong")


def test_the_dev_certificate_is_a_self_signed_document_signing_certificate(
    dev_certificate: bytes,
) -> None:
    certificate = x509.load_der_x509_certificate(dev_certificate)
    key_usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    basic_constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value

    assert certificate.subject == certificate.issuer
    assert certificate.subject.rfc4514_string() == "O=Acme Consulting,CN=Firstslice Dev Signer"
    assert (
        key_usage.digital_signature,
        key_usage.content_commitment,
        key_usage.key_cert_sign,
    ) == (True, True, False)
    assert basic_constraints.ca is False
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert lifetime == timedelta(days=825)


def test_the_fingerprint_is_the_sha256_of_the_der(dev_certificate: bytes) -> None:
    certificate = x509.load_der_x509_certificate(dev_certificate)
    expected = certificate.fingerprint(hashes.SHA256()).hex()

    assert certificate_fingerprint(dev_certificate) == expected
    assert len(expected) == 64


def test_it_signs_and_verifies_with_an_rsa_3072_key(unsigned_pdf: bytes) -> None:
    rsa_pkcs12 = make_self_signed_pkcs12(
        common_name="RSA Signer",
        organisation="",
        password=b"pw",
        key_algorithm="rsa-3072",
    )
    signed = sign_pdf(unsigned_pdf, pkcs12=rsa_pkcs12, password=b"pw", reason="RSA")

    report = _only(inspect_signatures(signed, trusted_certificates=[certificate_from_pkcs12(rsa_pkcs12, b"pw")]))

    assert report.authentic is True
    assert (report.signer_common_name, report.signer_organisation) == ("RSA Signer", "")


def test_it_works_when_called_inside_a_running_event_loop(signed_pdf: bytes, dev_certificate: bytes) -> None:
    async def inspect_from_async_code() -> list[SignatureReport]:
        return inspect_signatures(signed_pdf, trusted_certificates=[dev_certificate])

    report = _only(asyncio.run(inspect_from_async_code()))

    assert report.authentic is True


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_it_never_raises_on_a_corrupted_signed_pdf(signed_pdf: bytes, dev_certificate: bytes, data) -> None:
    offset = data.draw(st.integers(min_value=0, max_value=len(signed_pdf) - 1), label="offset")
    new_byte = data.draw(st.integers(min_value=0, max_value=255).filter(lambda b: b != signed_pdf[offset]))
    corrupted = bytearray(signed_pdf)
    corrupted[offset] = new_byte

    try:
        reports = inspect_signatures(bytes(corrupted), trusted_certificates=[dev_certificate])
    except NotAPdfError:
        assert offset < 5, "only a broken %PDF- header may be refused as not a PDF"
        return

    signature_start, signature_end = _signature_gap(signed_pdf)
    if signature_start <= offset < signature_end:
        return  # the signature's own hex (and its zero padding) is, by design, outside what it signs
    # A changed byte in the signed content or in the signature dictionary must never look authentic.
    assert not any(report.authentic for report in reports)
