"""Signing keys and certificates: a development key pair, the certificate in a PKCS#12 file, and trust roots.

No Django import here: `make_dev_certificate`, the production checks, the render job and the verify page call
these with bytes they already hold. Built on cryptography and asn1crypto (the form pyhanko-certvalidator needs).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Literal

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12 as pkcs12_format
from cryptography.x509.oid import NameOID

__all__ = [
    "DEVELOPMENT_CERTIFICATE_NOTE",
    "DEVELOPMENT_CERTIFICATE_ORGANISATION",
    "certificate_fingerprint",
    "certificate_from_pkcs12",
    "is_development_certificate",
    "load_trust_roots",
    "make_self_signed_pkcs12",
]

# The organisation `make_dev_certificate` writes into its self-signed certificate. Production refuses to start with
# such a certificate (config/checks.py), and the verify page says plainly when a file was signed with one.
DEVELOPMENT_CERTIFICATE_ORGANISATION = "Firstslice (development)"
DEVELOPMENT_CERTIFICATE_NOTE = (
    "It was signed with a Firstslice development certificate, which anyone can make: "
    "the signature does not prove who issued the file."
)


def make_self_signed_pkcs12(
    *,
    common_name: str,
    organisation: str,
    password: bytes,
    valid_days: int = 825,
    key_algorithm: Literal["ec-p256", "rsa-3072"] = "ec-p256",
) -> bytes:
    """Generate a development signing key and a self-signed document-signing certificate, as PKCS#12.

    EC P-256 is the default because it is generated instantly and every current PDF reader verifies it;
    ``rsa-3072`` is there for a deployment that needs RSA. Production should use a CA-issued certificate.
    """
    if not password:
        raise ValueError("A PKCS#12 password is required: the file holds a private key.")
    if not common_name.strip():
        raise ValueError("The certificate needs a common name (who signs the documents).")
    if valid_days < 1:
        raise ValueError("valid_days must be at least 1.")

    private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if key_algorithm == "ec-p256":
        private_key = ec.generate_private_key(ec.SECP256R1())
    elif key_algorithm == "rsa-3072":
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    else:
        raise ValueError(f"Unknown key algorithm {key_algorithm!r}; use 'ec-p256' or 'rsa-3072'.")

    name_attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organisation.strip():
        name_attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    subject = x509.Name(name_attributes)
    public_key = private_key.public_key()
    # Backdate a little so a verifier whose clock is slightly behind does not see a "not yet valid" certificate.
    not_before = datetime.now(UTC) - timedelta(minutes=5)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # a.k.a. nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key),
            critical=False,
        )
        .sign(private_key, hashes.SHA256())
    )
    return pkcs12_format.serialize_key_and_certificates(
        name=common_name.encode("utf-8"),
        key=private_key,
        cert=certificate,
        cas=None,
        encryption_algorithm=serialization.BestAvailableEncryption(password),
    )


def certificate_from_pkcs12(pkcs12: bytes, password: bytes | None) -> bytes:
    """Return the DER of the signing certificate in a PKCS#12 file, to pass as a trusted certificate."""
    try:
        _key, certificate, _chain = pkcs12_format.load_key_and_certificates(pkcs12, password)
    except Exception as error:  # cryptography raises ValueError or TypeError depending on the fault
        raise ValueError("Could not open the PKCS#12 file: check the file and its password.") from error
    if certificate is None:
        raise ValueError("The PKCS#12 file holds no certificate.")
    return certificate.public_bytes(serialization.Encoding.DER)


def is_development_certificate(der: bytes) -> bool:
    """Whether a DER certificate is a development one made by `make_dev_certificate` (by its organisation)."""
    certificate = x509.load_der_x509_certificate(der)
    organisations = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return any(attribute.value == DEVELOPMENT_CERTIFICATE_ORGANISATION for attribute in organisations)


def certificate_fingerprint(der: bytes) -> str:
    """SHA-256 of a DER certificate as lowercase hex, the form pyHanko and most viewers display."""
    return hashlib.sha256(der).hexdigest()


def load_trust_roots(certificates: Iterable[bytes]) -> list[asn1_x509.Certificate]:
    """Parse DER or PEM certificates strictly (asn1crypto parses lazily and would fail later, mid-validation)."""
    roots = []
    for data in certificates:
        try:
            if b"-----BEGIN" in data:
                parsed = x509.load_pem_x509_certificates(data)
            else:
                parsed = [x509.load_der_x509_certificate(data)]
        except ValueError as error:
            raise ValueError("A trusted certificate could not be read; give it as DER or PEM.") from error
        # pyhanko-certvalidator's docstring promises bytes are accepted as trust roots, but 0.33 needs
        # asn1crypto certificates.
        roots.extend(asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)) for cert in parsed)
    return roots
