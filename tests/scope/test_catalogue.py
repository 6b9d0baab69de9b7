"""The section catalogue is the one description of the eight sections: everything else reads it, nothing repeats it."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from documents.print_context import build_document_context
from scoping.models.sections import ROW_MODELS, SECTION_MODELS, column_spec
from scoping.scope import catalogue
from scoping.scope.field_checks import Group, Rows
from scoping.scope.fields import FieldSpec
from scoping.scope.schema import SECTIONS as SCHEMA_SECTIONS
from scoping.scope.schema import validate_scope
from scoping.steps.forms import build_step_forms
from tests.documents.test_render import meta

ROOT = Path(settings.BASE_DIR)
SECTION_KEYS = catalogue.SECTION_KEYS

# Words that are labels of a section field and also name something else in the app: a project member's role, the
# project's own activity log, a document's kind and status. They may be written where they mean that other thing.
OTHER_MEANINGS = {"Role", "Audit trail", "Who", "Kind", "Status", "Owner", "Client", "Currency"}


def _labels(fields: tuple[FieldSpec, ...]) -> set[str]:
    found: set[str] = set()
    for item in fields:
        found |= {item.label, item.printed}
        found |= _labels(item.fields)
    return found


SECTION_AND_FIELD_LABELS = {spec.label for spec in catalogue.SECTIONS} | {
    label for spec in catalogue.SECTIONS for label in _labels(spec.fields)
}


def _strings_in_python(path: Path) -> list[tuple[int, str]]:
    """String literals of a module, leaving out ``__all__`` (class names such as "Ownership" are not labels)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(node)
        for statement in ast.walk(tree)
        if isinstance(statement, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in statement.targets)
        for node in ast.walk(statement.value)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped
    ]


def _app_modules() -> list[Path]:
    modules = [*(ROOT / "scoping").rglob("*.py"), *(ROOT / "documents").rglob("*.py")]
    catalogue_dir = ROOT / "scoping" / "scope"
    return [path for path in modules if "migrations" not in path.parts and not path.is_relative_to(catalogue_dir)]


def test_sections_and_labels_match_the_design() -> None:
    assert SECTION_KEYS == (
        "production_target",
        "first_slice",
        "data_path",
        "failure_modes",
        "security",
        "cost_model",
        "workflow",
        "ownership",
    )
    assert [catalogue.SECTION_LABELS[section] for section in SECTION_KEYS] == [
        "Production target",
        "First slice",
        "Data path",
        "Failure modes",
        "Security & access",
        "Cost model",
        "Workflow",
        "Ownership",
    ]


def test_every_schema_section_has_a_catalogue_entry_and_the_other_way_round() -> None:
    assert tuple(SCHEMA_SECTIONS) == SECTION_KEYS
    assert tuple(SECTION_MODELS) == SECTION_KEYS
    for spec in catalogue.SECTIONS:
        assert [item.key for item in SCHEMA_SECTIONS[spec.key]] == [item.key for item in spec.fields], spec.key
        for checker in SCHEMA_SECTIONS[spec.key]:
            if isinstance(checker, Group | Rows):
                assert [sub.key for sub in checker.fields] == [sub.key for sub in spec.field(checker.key).fields]


def test_every_section_and_field_has_a_label_and_every_list_a_noun() -> None:
    def check(fields: tuple[FieldSpec, ...]) -> None:
        for item in fields:
            assert item.label.strip() and item.label[0].isupper(), item
            if item.kind == "rows":
                assert item.noun.strip() and item.noun == item.noun.lower(), item
            check(item.fields)

    for spec in catalogue.SECTIONS:
        assert spec.label and spec.description.endswith("."), spec.key
        check(spec.fields)


def test_no_two_fields_of_one_section_share_a_label() -> None:
    for spec in catalogue.SECTIONS:
        labels = [item.label for _name, item in catalogue.columns(spec.fields)]
        assert len(labels) == len(set(labels)), spec.key


@pytest.mark.parametrize("section_key", SECTION_KEYS)
def test_model_columns_carry_the_catalogue_label_and_no_help_text(section_key) -> None:
    models = [SECTION_MODELS[section_key]] + [
        row_model for (key, _rows), (row_model, _parent) in ROW_MODELS.items() if key == section_key
    ]
    for model in models:
        for name, spec in model.column_specs.items():
            field = model._meta.get_field(name)
            assert field.verbose_name == spec.label, (model, name)
            assert field.help_text == "", f"{model.__name__}.{name}: help text belongs in the catalogue"


@pytest.mark.parametrize("section_key", SECTION_KEYS)
def test_step_forms_show_the_catalogue_label_and_help(section_key) -> None:
    model = SECTION_MODELS[section_key]
    forms = build_step_forms(section_key, section=model(), rows={})
    for name, field in forms.form.fields.items():
        spec = column_spec(model, name)
        assert field.label == spec.label, name
        assert field.help_text == spec.help, name
    for block in forms.row_blocks:
        rows_spec = catalogue.section(section_key).field(block.key)
        assert (block.label, block.noun, block.intro) == (rows_spec.label, rows_spec.noun, rows_spec.help)
        row_form = block.formset.forms[0]
        for name, field in row_form.fields.items():
            if name != "DELETE":
                assert (field.label, field.help_text) == (rows_spec.field(name).label, rows_spec.field(name).help)


@pytest.mark.parametrize("fixture", ["invoice-coding.json", "invoice-coding-three-steps.json"])
def test_the_pdf_prints_the_catalogue_labels(fixture) -> None:
    # The /1 fixture prints through its upgrade; the /2 one adds the load, residency and self-hosted labels.
    snapshot = json.loads((ROOT / "tests" / "fixtures" / fixture).read_text(encoding="utf-8"))
    context = build_document_context(snapshot=validate_scope(snapshot), meta=meta("draft"))
    printed = {spec.key: _labels(spec.fields) | {spec.label} for spec in catalogue.SECTIONS}
    for section in context["sections"]:
        assert section["label"] == catalogue.SECTION_LABELS[section["key"]]
        for block in section["blocks"]:
            labels = [item["label"] for item in block.get("items", [])]
            if block["type"] == "table" and block["title"] in printed[section["key"]]:  # a list of rows, not figures
                labels += [column["label"] for column in block["columns"]]
            labels += [fact["label"] for card in block.get("cards", []) for fact in card["facts"] + card["items"]]
            if block["type"] == "pairs":
                labels += [item["label"] for pair in block["rows"] for item in pair if item]
            for label in labels:
                assert label in printed[section["key"]], (section["key"], label)


def test_no_section_or_field_label_is_written_outside_the_catalogue() -> None:
    """A label copied into another module drifts from the catalogue; read it from there instead."""
    copies = [
        f"{path.relative_to(ROOT)}:{line} {text!r}"
        for path in _app_modules()
        for line, text in _strings_in_python(path)
        if text in SECTION_AND_FIELD_LABELS and text not in OTHER_MEANINGS
    ]
    assert copies == []


def test_no_template_writes_a_section_or_field_label() -> None:
    copies = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r">\s*([^<>{}]+?)\s*<", text):
            if match.group(1) in SECTION_AND_FIELD_LABELS and match.group(1) not in OTHER_MEANINGS:
                copies.append(f"{path.relative_to(ROOT)}: {match.group(1)!r}")
    assert copies == []


def test_nothing_lists_the_eight_sections_again() -> None:
    """Code and tests read the sections from the catalogue; only the design check above spells them out."""
    keys = set(SECTION_KEYS)
    listed = []
    for path in [*(ROOT / "tests").rglob("*.py"), *_app_modules()]:
        if path == Path(__file__):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict):
                elements = node.keys if isinstance(node, ast.Dict) else node.elts
                values = {item.value for item in elements if isinstance(item, ast.Constant)}
                if keys <= values:
                    listed.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert listed == []
