"""The scope JSON contract: validation and canonical form, built from the section catalogue.

Pure module (no Django import) so that the importer, ``scope_check``, the readiness engine, the cost maths and the
snapshot hasher all agree on one definition of a valid scope. Which fields exist, their kinds and limits come from
``scoping.scope.catalogue``; how a value of each kind is checked is in ``scoping.scope.field_checks``.

Normalized values:
- text, long text, e-mail and single choices are strings ("" when missing);
- counts are ``int`` (``None`` when missing);
- money, prices, percentages and minutes/hours are canonical decimal strings such as "0.2", "1100", "12.5"
  (no exponent, no trailing zeros; ``None`` when missing);
- dates are ISO strings "2027-02-15" (``None`` when missing);
- yes/no answers are ``True`` / ``False`` (``None`` when not answered yet);
- lists of choices and row lists are lists (``[]`` when missing).
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from scoping.scope import catalogue
from scoping.scope.catalogue import SECTION_KEYS
from scoping.scope.field_checks import (
    ChoiceList,
    Field,
    Group,
    Invalid,
    Rows,
    checker_for,
    checkers_for,
    clean_choice,
    describe,
)
from scoping.scope.fields import (
    CHOICE_MAX,
    CHOICES,
    COUNT_MAX,
    EMAIL_MAX,
    LONG_TEXT_MAX,
    MAX_ROWS,
    MONEY_DECIMAL_PLACES,
    MONEY_MAX,
    PERCENT_DECIMAL_PLACES,
    QUANTITY_DECIMAL_PLACES,
    QUANTITY_MAX,
    SHORT_TEXT_MAX,
    TOKENS_MAX,
    VOLUME_MAX,
    WEEKS_MAX,
)
from scoping.scope.schema_v2 import ENGAGEMENT, SCHEMA_V1, SCHEMA_V2, cost_model_v1_fields, upgrade_scope

# The limits are the catalogue's; they are named here too because the scope JSON contract is where callers look.
__all__ = [
    "ACCEPTED_RISKS",
    "CHOICES",
    "CHOICE_MAX",
    "COUNT_MAX",
    "EMAIL_MAX",
    "LONG_TEXT_MAX",
    "MAX_ROWS",
    "MONEY_DECIMAL_PLACES",
    "MONEY_MAX",
    "ONE_OR_MORE",
    "OPEN_QUESTIONS",
    "PERCENT_DECIMAL_PLACES",
    "PROJECT_FIELDS",
    "QUANTITY_DECIMAL_PLACES",
    "QUANTITY_MAX",
    "SCHEMA_ID",
    "SECTIONS",
    "SECTION_KEYS",
    "SHORT_TEXT_MAX",
    "TOKENS_MAX",
    "VOLUME_MAX",
    "WEEKS_MAX",
    "ScopeValidationError",
    "as_v2",
    "canonical_json",
    "empty_scope",
    "validate_scope",
]

# Export writes /2; import and ``scope_check`` read /1 and /2 (a /1 scope is upgraded where it is stored or compared,
# ``schema_v2.upgrade_scope``); frozen /1 versions keep their bytes and hash.
SCHEMA_ID = SCHEMA_V2
BOTH_SCHEMAS = (SCHEMA_V1, SCHEMA_V2)

TOP_LEVEL_PATH = "(top level)"


class ScopeValidationError(ValueError):
    """A scope was rejected; ``errors`` lists every ``(path, message)`` found, not only the first."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors: list[tuple[str, str]] = list(errors)
        super().__init__(self.summary())

    def summary(self) -> str:
        count = len(self.errors)
        heading = "The scope has 1 problem:" if count == 1 else f"The scope has {count} problems:"
        return "\n".join([heading, *(f"  {path}: {message}" for path, message in self.errors)])


PROJECT_FIELDS: tuple[Field, ...] = checkers_for(catalogue.PROJECT_FIELDS)
SECTIONS: dict[str, tuple[Field, ...]] = {spec.key: checkers_for(spec.fields) for spec in catalogue.SECTIONS}
OPEN_QUESTIONS = checker_for(catalogue.OPEN_QUESTIONS)
ACCEPTED_RISKS = checker_for(catalogue.ACCEPTED_RISKS)

# Counts where zero (or less) is nonsense: a workflow that never runs, a pilot of zero weeks, a call with no tokens.
# The step forms refuse these below one, and so do the cost step's live figures.
# Tier volumes are not here: a zero-volume tier is a valid plan (its cost per use shows as "—").
ONE_OR_MORE = frozenset(
    name
    for spec in catalogue.SECTIONS
    for fields in (spec.fields, *(rows.fields for rows in catalogue.row_lists(spec.key)))
    for name, item in catalogue.columns(fields)
    if item.at_least_one
)

TOP_LEVEL_KEYS_V1: tuple[str, ...] = ("schema", "project", *SECTION_KEYS, "open_questions", "accepted_risks")
TOP_LEVEL_KEYS: tuple[str, ...] = (*TOP_LEVEL_KEYS_V1, "engagement", "field_sources")
# /1 differs from the catalogue (/2) only in its cost model: per-call fields instead of model steps.
SECTIONS_V1: dict[str, tuple[Field, ...]] = {**SECTIONS, "cost_model": checkers_for(cost_model_v1_fields())}
ENGAGEMENT_FIELDS = checkers_for(ENGAGEMENT)
CLAUSES_MAX = 50
CLAUSE_KEY_MAX = 60  # the clause library's slugs (consultancy.Clause.key)
FIELD_SOURCE_KEYS = ("by", "role", "at", "session")


def _unknown_key_message(key: object, known: list[str]) -> str:
    close = difflib.get_close_matches(str(key), known, n=1)
    if close:
        return f"is not a known field; did you mean {close[0]!r}?"
    return f"is not a known field here; known fields: {', '.join(known)}"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Validator:
    """Walks the catalogue over the input, collecting every problem with its path."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append((path, message))

    def fields(self, data: object, fields: tuple[Field, ...], path: str) -> dict[str, Any]:
        result = {item.key: item.empty() for item in fields}
        if data is None:
            data = {}
        if not isinstance(data, dict):
            self.error(path, f"must be an object {{...}}; got {describe(data)}")
            return result
        known = [item.key for item in fields]
        for key in data:
            if key not in known:
                self.error(_join(path, str(key)), _unknown_key_message(key, known))
        for item in fields:
            result[item.key] = self.value(item, data.get(item.key), _join(path, item.key))
        return result

    def value(self, item: Field, value: object, path: str) -> Any:
        if isinstance(item, Group):
            return self.fields(value, item.fields, path)
        if isinstance(item, Rows):
            return self.rows(item, value, path)
        if isinstance(item, ChoiceList):
            return self.choice_list(item, value, path)
        try:
            return item.clean(value)
        except Invalid as problem:
            self.error(path, problem.message)
            return item.empty()

    def rows(self, item: Rows, value: object, path: str) -> list[dict[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(path, f"must be a list of rows [...]; got {describe(value)}")
            return []
        if len(value) > item.max_rows:
            self.error(path, f"has {len(value)} rows; the limit is {item.max_rows}")
            return []
        return [self.fields(row, item.fields, f"{path}[{index}]") for index, row in enumerate(value)]

    def choice_list(self, item: ChoiceList, value: object, path: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(path, f'must be a list of choices such as ["gdpr"]; got {describe(value)}')
            return []
        chosen: set[str] = set()
        for index, entry in enumerate(value):
            try:
                chosen.add(clean_choice(item.choices_key, entry))
            except Invalid as problem:
                self.error(f"{path}[{index}]", problem.message)
        return [choice for choice, _label in CHOICES[item.choices_key] if choice in chosen]


def _check_accepted_risk_codes(risks: list[dict[str, Any]], validator: _Validator) -> None:
    first_seen: dict[str, int] = {}
    for index, risk in enumerate(risks):
        code = risk["code"]
        if not code:
            continue
        if code in first_seen:
            validator.error(
                f"accepted_risks[{index}].code",
                f"accepts {code!r} a second time (already at accepted_risks[{first_seen[code]}]); keep one row",
            )
        else:
            first_seen[code] = index


def validate_scope(data: object, *, schemas: tuple[str, ...] = BOTH_SCHEMAS) -> dict[str, Any]:
    """Check a whole scope and return it normalized; raise ``ScopeValidationError`` listing every problem.

    ``schemas``: the schema ids the caller accepts (/1 and /2 unless it says otherwise); the result keeps its id.
    """
    if not isinstance(data, dict):
        raise ScopeValidationError([(TOP_LEVEL_PATH, f"the scope must be a JSON object {{...}}; got {describe(data)}")])
    schema = data.get("schema")
    if schema not in schemas:
        # Against another schema every further message would mislead, so this one stands alone.
        accepted = " or ".join(repr(schema_id) for schema_id in schemas)
        message = (
            f'is missing; a scope file starts with "schema": "{schemas[-1]}"'
            if schema is None
            else f"must be {accepted}; got {describe(schema)}. This file was not written for this version of "
            "Firstslice."
        )
        raise ScopeValidationError([("schema", message)])

    v2 = schema == SCHEMA_V2
    sections = SECTIONS if v2 else SECTIONS_V1
    top_level = TOP_LEVEL_KEYS if v2 else TOP_LEVEL_KEYS_V1
    validator = _Validator()
    for key in data:
        if key not in top_level:
            validator.error(str(key), _unknown_key_message(key, list(top_level)))
    scope: dict[str, Any] = {"schema": schema}
    if data.get("project") is None:
        validator.error("project", "is missing; give at least the project's name and currency")
    scope["project"] = validator.fields(data.get("project"), PROJECT_FIELDS, "project")
    for section_key in SECTION_KEYS:
        scope[section_key] = validator.fields(data.get(section_key), sections[section_key], section_key)
    scope["open_questions"] = validator.rows(OPEN_QUESTIONS, data.get("open_questions"), "open_questions")
    scope["accepted_risks"] = validator.rows(ACCEPTED_RISKS, data.get("accepted_risks"), "accepted_risks")
    _check_accepted_risk_codes(scope["accepted_risks"], validator)
    if v2:
        scope["engagement"] = _engagement(data.get("engagement"), validator)
        scope["field_sources"] = _field_sources(data.get("field_sources"), validator)
    if validator.errors:
        raise ScopeValidationError(validator.errors)
    return scope


def _engagement(value: object, validator: _Validator) -> dict[str, Any]:
    """The engagement's fields, and its clause keys: a list of short texts from the consultancy's clause library."""
    given = dict(value) if isinstance(value, dict) else value
    clauses = given.pop("clauses", None) if isinstance(given, dict) else None
    engagement = validator.fields(given, ENGAGEMENT_FIELDS, "engagement")
    engagement["clauses"] = []
    if clauses is None:
        return engagement
    if not isinstance(clauses, list) or len(clauses) > CLAUSES_MAX:
        validator.error("engagement.clauses", f"must be a list of at most {CLAUSES_MAX} clause keys")
        return engagement
    for index, key in enumerate(clauses):
        if not isinstance(key, str) or not key.strip() or len(key) > CLAUSE_KEY_MAX:
            validator.error(
                f"engagement.clauses[{index}]", f"must be a clause key of 1 to {CLAUSE_KEY_MAX} characters"
            )
        else:
            engagement["clauses"].append(key.strip())
    return engagement


def _field_sources(value: object, validator: _Validator) -> dict[str, dict[str, str]]:
    """Who last answered each field: {"<section>.<field>": {"by", "role", "at", "session"}}, all short texts."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        validator.error("field_sources", f"must be an object {{...}}; got {describe(value)}")
        return {}
    sources: dict[str, dict[str, str]] = {}
    for path, source in value.items():
        section = str(path).partition(".")[0]
        if section not in SECTION_KEYS:
            validator.error(
                f"field_sources.{path}", "must name a field as <section>.<field>, e.g. ownership.budget_owner"
            )
            continue
        if not isinstance(source, dict) or any(key not in FIELD_SOURCE_KEYS for key in source):
            validator.error(f"field_sources.{path}", f"must be an object with {', '.join(FIELD_SOURCE_KEYS)}")
            continue
        sources[str(path)] = {key: str(source.get(key) or "")[:SHORT_TEXT_MAX] for key in FIELD_SOURCE_KEYS}
    return sources


def empty_scope(*, name: str = "", client: str = "", currency: str = "EUR") -> dict[str, Any]:
    """A scope with every key present and nothing answered: the starting point of a new project."""
    return {
        "schema": SCHEMA_ID,
        "project": {"name": name, "client": client, "currency": currency, "target_decision_date": None},
        **{key: {item.key: item.empty() for item in SECTIONS[key]} for key in SECTION_KEYS},
        "open_questions": [],
        "accepted_risks": [],
        "engagement": {**{item.key: item.empty() for item in ENGAGEMENT_FIELDS}, "clauses": []},
        "field_sources": {},
    }


def canonical_json(scope: dict[str, Any]) -> bytes:
    """The one byte form of a scope that frozen versions are hashed over (SHA-256)."""
    return json.dumps(scope, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def as_v2(scope: dict[str, Any]) -> dict[str, Any]:
    """A validated scope as a normalized /2 scope: a /1 scope (a frozen version, an old file) is upgraded when read."""
    if scope.get("schema") == SCHEMA_V2:
        return scope
    return validate_scope(upgrade_scope(scope), schemas=(SCHEMA_V2,))
