"""Writes to the clause library: a clause's new wording, a new clause, the starter library."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from consultancy.default_clauses import STARTER_CLAUSES, starter_text
from consultancy.models import Clause, ClauseVersion


def _normalise_text(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n"))


@transaction.atomic
def clause_version_add(*, clause: Clause, text: str, actor=None) -> ClauseVersion:
    """Record ``text`` as the clause's next version; returns the current version unchanged when the text is the same.

    Versions are never edited, so a proposal frozen earlier keeps printing the wording it was frozen with.
    """
    text = _normalise_text(text)
    if not text:
        raise ValueError("A clause needs some text.")
    Clause.objects.select_for_update().get(pk=clause.pk)  # two editors saving at once get consecutive numbers
    current = clause.versions.order_by("-number").first()
    if current is not None and current.text == text:
        return current
    number = (clause.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    return ClauseVersion.objects.create(clause=clause, number=number, text=text, created_by=actor)


@transaction.atomic
def clause_create(*, key: str, title: str, category: str, text: str, position: int = 100, actor=None) -> Clause:
    clause = Clause.objects.create(key=key, title=title, category=category, position=position)
    clause_version_add(clause=clause, text=text, actor=actor)
    return clause


@dataclass(frozen=True)
class StarterLoad:
    installed: tuple[str, ...]
    already_there: tuple[str, ...]


@transaction.atomic
def default_clauses_load(*, actor=None) -> StarterLoad:
    """Install the starter clauses whose keys are not in the library yet; never touches an existing clause."""
    existing = set(Clause.objects.filter(key__in=[c.key for c in STARTER_CLAUSES]).values_list("key", flat=True))
    installed = []
    for starter in STARTER_CLAUSES:
        if starter.key in existing:
            continue
        clause_create(
            key=starter.key,
            title=starter.title,
            category=starter.category,
            position=starter.position,
            text=starter_text(starter),
            actor=actor,
        )
        installed.append(starter.key)
    return StarterLoad(installed=tuple(installed), already_there=tuple(sorted(existing)))
