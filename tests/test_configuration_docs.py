"""Every environment variable the settings read is documented in the README's table and passed by compose."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "config" / "settings.py"
README = ROOT / "README.md"
COMPOSE = ROOT / "docker-compose.yml"

# os.environ.get("X"...), os.environ["X"], env_bool("X"...), env_int("X"...), env.list("X"...), env.email_url("X")...
_ENV_READ = re.compile(
    r'(?:os\.environ\.get|env_bool|env_int|env\.[a-z_]+)\(\s*"([A-Z][A-Z0-9_]*)"|os\.environ\["([A-Z][A-Z0-9_]*)"\]'
)
_NAME = re.compile(r"`([A-Z][A-Z0-9_]{2,})`")
# Read by the settings for the embedded default only (make demo, tests); the compose stack has no use for them.
NOT_FOR_COMPOSE = {"SQLITE_PATH"}


def settings_variables() -> set[str]:
    return {a or b for a, b in _ENV_READ.findall(SETTINGS.read_text())}


def readme_table_variables() -> set[str]:
    text = README.read_text()
    section = text[text.index("## Configuration") :]
    section = section[: section.index("\n## ", 1)]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            first_cell = line.split("|")[1]
            names |= set(_NAME.findall(first_cell))
    return names


def test_the_settings_parser_finds_the_variables_it_should():
    found = settings_variables()
    assert {"DJANGO_DEBUG", "DATABASE_URL", "REDIS_URL", "AWS_STORAGE_BUCKET_NAME", "CONSULTANCY_NAME"} <= found
    assert "DJANGO_SETTINGS_MODULE" not in found


def test_the_readme_table_lists_every_variable_the_settings_read():
    missing = settings_variables() - readme_table_variables()
    assert not missing, f"add these to the README's configuration table: {sorted(missing)}"


def test_compose_passes_every_variable_in_the_readme_table():
    compose = COMPOSE.read_text()
    missing = {
        name
        for name in readme_table_variables() - NOT_FOR_COMPOSE
        if not re.search(rf"(?m)^\s*-?\s*{name}\s*[:=]|\$\{{{name}\b", compose)
    }
    assert not missing, f"docker-compose.yml does not pass: {sorted(missing)}"


@pytest.mark.django_db
def test_the_consultancy_name_is_defined_and_printed_on_the_pdf(settings):
    from documents.render_job import document_meta
    from documents.services import document_create
    from documents.versioning import version_freeze
    from tests.documents.job_fixtures import import_project
    from tests.factories import UserFactory

    assert settings.CONSULTANCY_NAME == "Firstslice demo consultancy"  # the default, with no CONSULTANCY_NAME set
    settings.CONSULTANCY_NAME = "Northwind Advisory"
    lead = UserFactory(username="lead-consultancy")
    version = version_freeze(project=import_project(lead), actor=lead)
    document = document_create(version=version, kind="draft", requested_by=lead)
    assert document_meta(document).consultancy == "Northwind Advisory"
