"""``manage.py import_scope FILE [--client NAME] [--lead USERNAME]``: create a draft project from a scope JSON file."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from accounts.models import Role
from scoping.projects.scope_io import import_scope
from scoping.scope.reader import parse_scope_bytes
from scoping.scope.schema import ScopeValidationError, validate_scope


def read_scope_file(path: str) -> bytes:
    """The file's bytes, or a ``CommandError`` that says why it cannot be read."""
    file = Path(path)
    if not file.exists():
        raise CommandError(f"{path}: no such file.")
    if not file.is_file():
        raise CommandError(f"{path}: not a file.")
    try:
        return file.read_bytes()
    except OSError as problem:
        raise CommandError(f"{path}: cannot be read ({problem.strerror}).") from None


def _plain(text: str) -> str:
    return text


class Command(BaseCommand):
    help = (
        "Create a draft project from a scope JSON file and print the new project's id. The whole file is checked "
        "first: on any problem nothing is created and every problem is listed with its field."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path to a scope JSON file (schema firstslice.scope/1).")
        parser.add_argument(
            "--client",
            metavar="NAME",
            help="Client to file the project under, instead of the one named in the file. An existing client of "
            "that name is reused; otherwise it is created.",
        )
        parser.add_argument(
            "--lead",
            metavar="USERNAME",
            help="Consultant or admin who leads the new project. Default: the first active admin, otherwise the "
            "first active consultant.",
        )

    def handle(self, *args, file: str, client: str | None = None, lead: str | None = None, **options) -> None:
        try:
            data = parse_scope_bytes(read_scope_file(file))
            validate_scope(data)  # checked before choosing the lead, so file problems are reported first
        except ScopeValidationError as problem:
            raise CommandError(f"{file} was not imported. {problem.summary()}") from None
        user = self._lead(lead)
        try:
            project = import_scope(data=data, client_name=client, user=user)
        except ScopeValidationError as problem:
            raise CommandError(f"{file} was not imported. {problem.summary()}") from None
        except ValidationError as problem:
            raise CommandError(f"{file} was not imported: {' '.join(problem.messages)}") from None
        if options.get("verbosity", 1) >= 1:
            self.stderr.write(
                f"Imported “{project.name}” for {project.client.name} as project {project.pk}, led by "
                f"{user.display_name}.",
                style_func=_plain,
            )
        self.stdout.write(str(project.pk))

    def _lead(self, username: str | None):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"--lead {username}: no active user with that username.")
            if not user.can_create_projects:
                raise CommandError(f"--lead {username}: only consultants and admins can lead a project.")
            return user
        user = (
            users.filter(Q(is_superuser=True) | Q(role=Role.ADMIN)).order_by("pk").first()
            or users.filter(role=Role.CONSULTANT).order_by("pk").first()
        )
        if user is None:
            raise CommandError("No active admin or consultant to lead the project; create one or pass --lead USERNAME.")
        return user
