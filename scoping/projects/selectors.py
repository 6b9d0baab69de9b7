"""Reads: the pipeline list (and the pages it is cut into), the project overview.

A list page never counts every project: it counts at most ``COUNT_CAP`` of them (``SELECT COUNT(*) FROM (… LIMIT
10001)``), reads the page's ids alone from an index (so a deep page does not compute its columns for every row it
skips), then reads those rows. Above the cap the total is "more than 10,000", or "about 100,000" from the table's
statistics when the list is every project unfiltered; pages past the cap are reached with Next.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import connections
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery

from scoping.access import ProjectAccess
from scoping.models import AcceptedRisk, Client, DiscoveryProject, ScopeVersion
from scoping.projects.search import name_matches

COUNT_CAP = 10_000
# Far past any real list (a million projects at 25 a page), and an OFFSET PostgreSQL takes without overflow.
MAX_PAGE = 40_000
PAGE_WINDOW = 2  # page numbers shown either side of the current one


@dataclass
class ListPage:
    """One page of a list: its rows, where it is, and how many rows there are (exactly, up to ``COUNT_CAP``)."""

    object_list: list
    number: int
    per_page: int
    count: int  # exact when at most COUNT_CAP, else COUNT_CAP + 1 ("more than")
    has_next: bool
    estimate: int | None = None  # "about" this many, when the exact count passed the cap and an estimate exists
    requested: int | None = None  # the page number asked for, when it was past the end
    noun: tuple[str, str] = ("project", "projects")
    extra: dict = field(default_factory=dict)

    @property
    def exact(self) -> bool:
        return self.count <= COUNT_CAP

    @property
    def num_pages(self) -> int | None:
        return max(1, math.ceil(self.count / self.per_page)) if self.exact else None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def past_end(self) -> bool:
        """A page asked for beyond the last one when the total is not known exactly: it has no rows."""
        return self.requested is not None and not self.object_list and self.count > 0

    @property
    def moved_to_last(self) -> bool:
        """A page asked for beyond the last one when the total is known: the last page is shown instead."""
        return self.requested is not None and bool(self.object_list)

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)

    @property
    def total_label(self) -> str:
        one, many = self.noun
        if self.exact:
            return f"{self.count:,} {one if self.count == 1 else many}"
        if self.estimate is not None and self.estimate > COUNT_CAP:
            return f"about {_rounded(self.estimate):,} {many}"
        return f"more than {COUNT_CAP:,} {many}"

    @property
    def page_links(self) -> list[int | None]:
        """Numbers to link, ``None`` for a gap: the first, the current one and its neighbours, the last if known."""
        last = self.num_pages
        shown = {1, *range(max(1, self.number - PAGE_WINDOW), self.number + PAGE_WINDOW + 1)}
        if last is not None:
            shown = {number for number in shown if number <= last} | {last}
        else:
            shown = {
                number for number in shown if number <= self.number or (number == self.number + 1 and self.has_next)
            }
        links: list[int | None] = []
        for number in sorted(shown):
            if links and links[-1] is not None and number > links[-1] + 1:
                links.append(None)
            links.append(number)
        return links


def _rounded(value: int) -> int:
    """Two significant figures: an estimate should not look exact."""
    digits = max(0, len(str(value)) - 2)
    return round(value, -digits)


def page_number(raw: object) -> int:
    """The page asked for: a positive whole number, else 1 ("abc", "-1", "" all mean the first page)."""
    text = str(raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) <= 9 and int(text) > 0 else 1


def paginate(
    queryset: QuerySet,
    *,
    page: object,
    per_page: int,
    estimate: Callable[[], int | None] | None = None,
    noun: tuple[str, str] = ("project", "projects"),
) -> ListPage:
    """A page of an ordered queryset in three queries whatever its size: a capped count, the ids, the rows.

    ``estimate``: a cheap "about" figure for when more than ``COUNT_CAP`` rows match (asked only then).
    A page past the end is the last page when the total is known; otherwise it is an empty page that says so.
    """
    wanted = page_number(page)
    count = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
    number = min(wanted, MAX_PAGE)
    if count <= COUNT_CAP:
        number = min(number, max(1, math.ceil(count / per_page)))
    offset = (number - 1) * per_page
    # The ids alone first: a deep page then skips index entries, not rows with their computed columns.
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + per_page + 1])
    rows = {row.pk: row for row in queryset.filter(pk__in=ids[:per_page])} if ids else {}
    return ListPage(
        object_list=[rows[pk] for pk in ids[:per_page] if pk in rows],
        number=number,
        per_page=per_page,
        count=count,
        has_next=len(ids) > per_page,
        estimate=estimate() if estimate is not None and count > COUNT_CAP else None,
        requested=wanted if number != wanted or (not ids and wanted > 1) else None,
        noun=noun,
    )


def estimated_project_count() -> int | None:
    """Every project, from the table statistics PostgreSQL keeps (ANALYZE, autovacuum): no row is read."""
    connection = connections[DiscoveryProject.objects.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [DiscoveryProject._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] and row[0] > 0 else None


def project_pipeline(
    *, user, query: str = "", stage: str = "", client: Client | None = None, client_query: str = ""
) -> QuerySet:
    """Projects the user may see, newest activity first, with everything the list shows in one query."""
    projects = DiscoveryProject.objects.visible_to(user).select_related("client", "lead_consultant")
    if query:
        projects = name_matches(projects, query)
    if stage:
        projects = projects.filter(stage=stage)
    if client is not None:
        projects = projects.filter(client=client)
    elif client_query:
        projects = projects.filter(client__in=Client.objects.filter(name__icontains=client_query).values("pk"))
    # A correlated count, evaluated only for the rows of the page (a JOIN + GROUP BY would touch every project).
    projects = projects.annotate(accepted_risk_count=accepted_risk_count())
    return projects.order_by("-last_activity_at", "-pk")


def accepted_risk_count() -> Subquery:
    """How many risks a project accepted, as a correlated subquery: computed for the rows read, not for every row."""
    accepted = (
        AcceptedRisk.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(accepted, output_field=IntegerField())


PIPELINE_PAGE_SIZE = 25


def pipeline_page(*, user, page: object, **filters) -> ListPage:
    """A page of the pipeline list (``project_pipeline``'s filters), in a fixed number of queries at any size."""
    unfiltered_all = user.sees_all_projects and not any(filters.values())
    return paginate(
        project_pipeline(user=user, **filters),
        page=page,
        per_page=PIPELINE_PAGE_SIZE,
        estimate=estimated_project_count if unfiltered_all else None,
    )


def project_overview(*, access: ProjectAccess) -> dict:
    project = access.project
    return {
        "project": project,
        "access": access,
        "events": project.events.select_related("actor")[:15],
        "participants": project.participants.select_related("user"),
        "members": project.memberships.select_related("user"),
    }


@dataclass(frozen=True)
class OpenQuestionCount:
    """How many questions a frozen version leaves open, and how many of those are past their due date."""

    total: int
    overdue: int


def version_open_questions(*, version: ScopeVersion, today: date) -> OpenQuestionCount:
    """Counted in the frozen scope itself: that is what is approved, signed and printed."""
    rows = version.scope.get("open_questions") if isinstance(version.scope, dict) else None
    total = overdue = 0
    for row in rows if isinstance(rows, list) else ():
        if not isinstance(row, dict) or str(row.get("status") or "open") != "open":
            continue
        total += 1
        try:
            due = date.fromisoformat(str(row.get("due") or "")[:10])
        except ValueError:
            continue
        overdue += due < today
    return OpenQuestionCount(total=total, overdue=overdue)
