"""Reads of the consultancy profile and clause library for forms and the proposal PDF."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone

from consultancy import logos
from consultancy.models import Clause, ClauseVersion, ConsultancyProfile

logger = logging.getLogger(__name__)


class ClauseText(NamedTuple):
    key: str
    title: str
    number: int  # the version number
    text: str


@dataclass(frozen=True)
class ClauseTexts:
    """The clauses to print, in the order asked for, and a note for each key that could not be printed."""

    clauses: tuple[ClauseText, ...]
    notes: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[ClauseText]:
        return iter(self.clauses)

    def __len__(self) -> int:
        return len(self.clauses)


def clause_texts(keys: Iterable[str], *, as_of: datetime | None = None) -> ClauseTexts:
    """Each known key's title, version number and text as they stood at ``as_of`` (default: now).

    A frozen scope passes its freeze time, so its proposal prints the wording current then, whatever was edited
    since. Unknown keys, repeats and clauses that had no text yet at ``as_of`` are skipped, each with a note.
    Two queries, whatever the number of keys.
    """
    as_of = as_of or timezone.now()
    wanted = list(dict.fromkeys(keys))
    notes = [f"The clause “{key}” was listed more than once; it is printed once." for key in _repeats(keys)]
    clauses = {clause.key: clause for clause in Clause.objects.filter(key__in=wanted)}
    latest: dict[int, ClauseVersion] = {}
    versions = ClauseVersion.objects.filter(clause__in=clauses.values(), created_at__lte=as_of).order_by("-number")
    for version in versions:
        latest.setdefault(version.clause_id, version)
    found = []
    for key in wanted:
        clause = clauses.get(key)
        if clause is None:
            notes.append(f"The clause “{key}” is not in the clause library; it was skipped.")
            continue
        version = latest.get(clause.pk)
        if version is None:
            notes.append(f"The clause “{key}” had no text yet on {as_of:%d %B %Y at %H:%M}; it was skipped.")
            continue
        found.append(ClauseText(key=key, title=clause.title, number=version.number, text=version.text))
    return ClauseTexts(clauses=tuple(found), notes=tuple(notes))


def _repeats(keys: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeats: list[str] = []
    for key in keys:
        if key in seen and key not in repeats:
            repeats.append(key)
        seen.add(key)
    return repeats


def clause_choices() -> list[tuple[str, str]]:
    """``(key, title)`` of every clause offered to projects that has a text, in library order, for a form field."""
    return list(
        Clause.objects.filter(is_active=True, versions__isnull=False)
        .distinct()
        .order_by("position", "title")
        .values_list("key", "title")
    )


def logo_data_uri(profile: ConsultancyProfile) -> str:
    """The profile's logo as a ``data:`` URI for the PDF, checked again as it is read; ``""`` when there is none.

    The PDF renderer then fetches no URL for it. The stored file passed the upload check; it is checked again here
    because storage is outside this code's control, and a logo that fails now (or cannot be read) is left out of
    the document, with a warning in the log, rather than stopping the proposal.
    """
    if not profile.logo:
        return ""
    try:
        with profile.logo.open("rb") as stored:
            checked = logos.logo_check_stream(stored, size=None, max_bytes=settings.LOGO_MAX_BYTES)
    except logos.LogoRefused as refusal:
        logger.warning("The stored logo %s was left out of the PDF: %s", profile.logo.name, refusal.message)
        return ""
    except Exception:  # each storage backend fails its own way (OSError on disk, botocore's ClientError on S3)
        logger.exception("The stored logo %s could not be read; it was left out of the PDF", profile.logo.name)
        return ""
    return logos.data_uri(checked)
