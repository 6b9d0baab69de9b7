"""Search by name, shared by the pipeline list and the board (both read it; neither imports the other)."""

from __future__ import annotations

from django.db.models import QuerySet

SHORT_QUERY = 3  # characters: a trigram index needs three


def name_matches(projects: QuerySet, query: str) -> QuerySet:
    """Search by name: names containing the text; for one or two characters, names starting with them.

    ``UPPER(name) LIKE '%…%'`` is answered by the trigram index of migration 0018 on PostgreSQL; a pattern of one
    or two characters has no trigram, and "contains a" would match nearly every project, so a short search is a
    prefix (``LIKE 'AB%'``, the B-tree of the same migration).
    """
    if len(query) < SHORT_QUERY:
        return projects.filter(name__istartswith=query)
    return projects.filter(name__icontains=query)
