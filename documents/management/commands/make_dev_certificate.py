"""Create the self-signed development signing certificate (PKCS#12) used by the demo and the tests."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from documents.certificates import (
    DEVELOPMENT_CERTIFICATE_ORGANISATION,
    certificate_fingerprint,
    certificate_from_pkcs12,
    make_self_signed_pkcs12,
)


class Command(BaseCommand):
    help = "Write a self-signed PKCS#12 signing certificate to SIGNING_PKCS12_PATH (development and tests only)."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=settings.SIGNING_PKCS12_PATH, help="Where to write the .p12 file.")
        parser.add_argument("--if-missing", action="store_true", help="Do nothing when the file already exists.")
        parser.add_argument("--common-name", default="Firstslice development signing")

    def handle(self, *args, out: str, if_missing: bool, common_name: str, **options):
        path = Path(out)
        if path.exists() and if_missing:
            self.stdout.write(f"Signing certificate already present at {path}.")
            return
        password = settings.SIGNING_PKCS12_PASSWORD.encode()
        if not password:
            raise CommandError("Set SIGNING_PKCS12_PASSWORD first: the certificate file is always encrypted.")
        data = make_self_signed_pkcs12(
            common_name=common_name, organisation=DEVELOPMENT_CERTIFICATE_ORGANISATION, password=password
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o600)
        fingerprint = certificate_fingerprint(certificate_from_pkcs12(data, password))
        self.stdout.write(
            self.style.SUCCESS(f"Wrote a self-signed signing certificate to {path} (SHA-256 {fingerprint}).")
        )
