"""``manage.py render_scope PROJECT_ID --out FILE [--kind draft]``: render a scope PDF synchronously.

It goes through the same function as the render job (``documents.render_job.document_render``): the live scope is
frozen first (a new version only if it differs from the latest one), a ScopeDocument is recorded, rendered, stored
and then copied to FILE.
"""

from __future__ import annotations

from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser

from documents.models import DocumentKind, DocumentStatus
from documents.render_job import document_render
from documents.services import DocumentRefused, document_create
from documents.versioning import version_freeze
from scoping.models import DiscoveryProject
from scoping.scope.schema import ScopeValidationError

COMMAND_ACTOR = "manage.py render_scope"


class Command(BaseCommand):
    help = (
        "Render the scope PDF of a project synchronously, through the same code path as the render job. The live "
        "scope is frozen as a new version first when it differs from the latest one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project_id", type=int, help="Id of the discovery project.")
        parser.add_argument("--out", required=True, metavar="FILE", help="Where to write the PDF.")
        parser.add_argument(
            "--kind",
            default=DocumentKind.DRAFT,
            choices=DocumentKind.values,
            help="draft (default), proposal, or signed (only for a version that has sign-offs).",
        )

    def handle(self, *args, project_id: int, out: str, kind: str, **options) -> None:
        target = Path(out)
        if target.is_dir():
            raise CommandError(f"{out} is a directory; give a file name such as scope.pdf.")
        if not target.parent.exists():
            raise CommandError(f"{target.parent} does not exist; create the directory first.")
        project = DiscoveryProject.objects.filter(pk=project_id).first()
        if project is None:
            raise CommandError(f"There is no project with id {project_id}.")
        try:
            version = version_freeze(project=project, actor=None, actor_name=COMMAND_ACTOR)
            document = document_create(version=version, kind=kind, requested_by=None)
        except ScopeValidationError as problem:
            raise CommandError(f"The scope of project {project_id} cannot be frozen: {problem}") from None
        except DocumentRefused as problem:
            raise CommandError(str(problem)) from None
        document = document_render(document_id=document.pk)
        if document is None or document.status != DocumentStatus.READY:
            message = document.error_message if document is not None else "the document disappeared"
            raise CommandError(f"The PDF could not be rendered: {message}")
        with default_storage.open(document.file.name, "rb") as stored:
            data = stored.read()
        try:
            target.write_bytes(data)
        except OSError as problem:
            raise CommandError(f"{out}: cannot be written ({problem.strerror}).") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Rendered {version.label} of “{project.name}” ({document.get_kind_display().lower()}): "
                f"{document.page_count} pages, {document.byte_size:,} bytes, {document.render_seconds:.2f} s, "
                f"SHA-256 {document.sha256} -> {target}"
            )
        )
