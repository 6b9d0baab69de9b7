"""Access-matrix rows for versions and documents.

Downloads are the point: every role that sees the project may download its PDFs; strangers get 404, never a file.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from documents.models import DocumentKind, DocumentStatus, ScopeDocument
from documents.versioning import version_freeze
from tests.access_rows import EDITS_SCOPE, MANAGES_PROJECT_POST_ONLY, SEES_PROJECT, project_url

SAMPLE_PDF_NAME = "documents/access-matrix/sample.pdf"
SAMPLE_PDF = b"%PDF-1.7\n% access matrix sample\n%%EOF\n"

# Freezing needs the right to edit the scope; retrying is for the project's consultancy team, and only by POST.


def _version(ctx):
    if "version" not in ctx:
        ctx["version"] = version_freeze(project=ctx["project"], actor=ctx["project"].lead_consultant)
    return ctx["version"]


def _ready_document(ctx):
    """A ready document of the project, its file in Django storage (written once, reused by every row)."""
    if "document" not in ctx:
        if not default_storage.exists(SAMPLE_PDF_NAME):
            default_storage.save(SAMPLE_PDF_NAME, ContentFile(SAMPLE_PDF))
        ctx["document"] = ScopeDocument.objects.create(
            version=_version(ctx),
            kind=DocumentKind.DRAFT,
            status=DocumentStatus.READY,
            file=SAMPLE_PDF_NAME,
            byte_size=len(SAMPLE_PDF),
            page_count=1,
        )
    return ctx["document"]


def _document_url(name):
    return lambda ctx: reverse(name, args=[ctx["project"].pk, _ready_document(ctx).pk])


ROWS = [
    ("versions", project_url("projects:versions"), SEES_PROJECT),
    ("version freeze", project_url("projects:version_freeze"), EDITS_SCOPE),
    ("version diff", project_url("projects:version_diff"), SEES_PROJECT),
    (
        "version detail",
        lambda ctx: reverse("projects:version_detail", args=[ctx["project"].pk, _version(ctx).number]),
        SEES_PROJECT,
    ),
    ("documents", project_url("projects:documents"), SEES_PROJECT),
    ("document status", _document_url("projects:document_status"), SEES_PROJECT),
    ("document download", _document_url("projects:document_download"), SEES_PROJECT),
    ("document retry", _document_url("projects:document_retry"), MANAGES_PROJECT_POST_ONLY),
]
