"""Reads of the pipeline board: its columns, the counts behind its charts, reviewer workload and the CSV rows.

Every project comes from ``DiscoveryProject.objects.visible_to(user)``. A page costs the same few queries whatever
the number of projects: one grouped count for every column and both charts, one capped query per column
(open questions and what ties the viewer to each card are correlated subqueries, evaluated for the shown rows
only), and, for staff, two for the reviewer workload.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.models import Role, SavedView, User
from scoping.access import CAPABILITIES, ProjectAccess, Ties
from scoping.models import Client, ClientParticipant, DiscoveryProject, OpenQuestion, ProjectMember, Review, Stage
from scoping.projects.search import name_matches
from scoping.scope.board_charts import AGE_BUCKETS
from scoping.scope.readiness import SECTIONS

# The columns, in the order of the workflow. "Changes requested" is a passing stage (a reviewer's request returns
# the scope to draft at once), so its column shows only when a project is in it; archived projects show only when
# the stage filter asks for them.
BOARD_STAGES: tuple[str, ...] = (
    Stage.DRAFT,
    Stage.CHANGES_REQUESTED,
    Stage.IN_REVIEW,
    Stage.APPROVED,
    Stage.AWAITING_SIGNOFF,
    Stage.SIGNED_OFF,
)
SHOWN_WHEN_EMPTY = (Stage.DRAFT, Stage.IN_REVIEW, Stage.APPROVED, Stage.AWAITING_SIGNOFF, Stage.SIGNED_OFF)
# Stages whose projects are still moving: the ageing chart counts these, and only these can be overdue.
MOVING_STAGES = (Stage.DRAFT, Stage.CHANGES_REQUESTED, Stage.IN_REVIEW, Stage.APPROVED, Stage.AWAITING_SIGNOFF)
CARDS_PER_COLUMN = 10  # per column; a column says how many more it holds and links to all of them
FULL_SCORE = len(SECTIONS)
READY, BLOCKED = "ready", "blocked"


@dataclass(frozen=True)
class BoardFilters:
    query: str = ""
    stage: str = ""
    client_id: int | None = None
    client_query: str = ""  # part of a client's name (the typed client filter, past CLIENT_SELECT_MAX clients)
    lead_id: int | None = None
    readiness: str = ""  # READY, BLOCKED or ""
    overdue: bool = False


@dataclass
class Column:
    stage: str
    label: str
    total: int
    cards: list[DiscoveryProject] = field(default_factory=list)
    page: int = 1
    pages: int = 1

    @property
    def hidden(self) -> int:
        return self.total - len(self.cards)


@dataclass(frozen=True)
class BoardPage:
    columns: list[Column]
    total: int
    funnel: list[tuple[str, int]]
    ageing: list[tuple[str, int]]
    in_review: int = 0  # matching projects in review (the reviewer workload reuses it)


def filtered_projects(*, user, filters: BoardFilters, today: date) -> QuerySet:
    """The projects the user may see that match the filters (no ordering, no extra columns)."""
    projects = DiscoveryProject.objects.visible_to(user)
    if filters.query:
        projects = name_matches(projects, filters.query)
    if filters.stage:
        projects = projects.filter(stage=filters.stage)
    if filters.client_id is not None:
        projects = projects.filter(client_id=filters.client_id)
    elif filters.client_query:
        projects = projects.filter(client__in=Client.objects.filter(name__icontains=filters.client_query).values("pk"))
    if filters.lead_id is not None:
        projects = projects.filter(lead_consultant_id=filters.lead_id)
    if filters.readiness == READY:
        projects = projects.filter(readiness_blockers=0, readiness_score__gte=FULL_SCORE)
    elif filters.readiness == BLOCKED:
        projects = projects.filter(readiness_blockers__gt=0)
    if filters.overdue:
        projects = projects.filter(target_decision_date__lt=today, stage__in=MOVING_STAGES)
    return projects


def _open_questions() -> Coalesce:
    counted = (
        OpenQuestion.objects.filter(project=OuterRef("pk"), status="open")
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _with_card_columns(projects: QuerySet, user) -> QuerySet:
    """What a card shows, and what ties the viewer to each project (so capabilities cost no query per card)."""
    no = Value(False, output_field=BooleanField())
    mine = ClientParticipant.objects.filter(project=OuterRef("pk"), user=user)
    is_team_role = user.role in (Role.CONSULTANT, Role.REVIEWER) and not user.is_superuser
    is_client = user.role == Role.CLIENT and not is_team_role
    return projects.select_related("client", "lead_consultant").annotate(
        open_question_count=_open_questions(),
        viewer_is_member=Exists(ProjectMember.objects.filter(project=OuterRef("pk"), user=user))
        if is_team_role
        else no,
        viewer_can_edit=Exists(mine.filter(can_edit=True)) if is_client else no,
        viewer_signs=Exists(mine.filter(is_signatory=True)) if is_client else no,
    )


def card_access(user, project: DiscoveryProject) -> ProjectAccess:
    """``ProjectAccess.of`` for a card read by :func:`board_page`, from the ties loaded with it: no query.

    The same ``Ties`` record and the same rule set as ``scoping.access``; tests/board compares the two for every
    identity.
    """
    is_lead = project.lead_consultant_id == user.pk
    if user.role in (Role.CONSULTANT, Role.REVIEWER) and not user.is_superuser:
        ties = Ties(project=project, on_team=is_lead or project.viewer_is_member, signs=is_lead)
    elif user.role == Role.CLIENT:
        ties = Ties(project=project, participant_can_edit=project.viewer_can_edit, signs=project.viewer_signs)
    else:
        ties = Ties(project=project, signs=is_lead)
    return ProjectAccess(project=project, **{name: CAPABILITIES.test_rule(name, user, ties) for name in CAPABILITIES})


def _age_conditions(now: datetime) -> dict[str, Count]:
    """One conditional count per age bucket: days in stage >= low and < high."""
    counts = {}
    for index, bucket in enumerate(AGE_BUCKETS):
        condition = Q(stage_changed_at__lte=now - timedelta(days=bucket.low))
        if bucket.high is not None:
            condition &= Q(stage_changed_at__gt=now - timedelta(days=bucket.high))
        counts[f"age_{index}"] = Count("pk", filter=condition)
    return counts


def stage_counts(*, user, filters: BoardFilters, now: datetime) -> dict[str, dict[str, int]]:
    """Per stage: how many projects match, and how many fall in each age bucket. One grouped query."""
    rows = (
        filtered_projects(user=user, filters=filters, today=now.date())
        .order_by()
        .values("stage")
        .annotate(total=Count("pk"), **_age_conditions(now))
    )
    return {row.pop("stage"): row for row in rows}


def board_page(*, user, filters: BoardFilters, now: datetime, page: int = 1) -> BoardPage:
    """The columns with their first cards (or, filtered to one stage, a page of that column), and the chart rows."""
    today = now.date()
    counts = stage_counts(user=user, filters=filters, now=now)
    labels = dict(Stage.choices)
    if filters.stage:
        stages = [filters.stage]
    else:
        stages = [stage for stage in BOARD_STAGES if stage in SHOWN_WHEN_EMPTY or counts.get(stage, {}).get("total")]
    cards = _with_card_columns(filtered_projects(user=user, filters=filters, today=today), user).order_by(
        "-last_activity_at", "-pk"
    )
    columns = []
    for stage in stages:
        total = counts.get(stage, {}).get("total", 0)
        column = Column(stage=stage, label=labels[stage], total=total)
        if filters.stage:  # one column: page through it all, with the count already known (no COUNT(*) again)
            column.pages = max(1, -(-total // CARDS_PER_COLUMN))
            column.page = min(max(page, 1), column.pages)
        start = (column.page - 1) * CARDS_PER_COLUMN
        # Read even when the count says empty: the page then costs the same queries whatever the data.
        column.cards = list(cards.filter(stage=stage)[start : start + CARDS_PER_COLUMN])
        for card in column.cards:
            card.days_in_stage = max((now - card.stage_changed_at).days, 0)
            card.is_overdue = is_overdue(card, today)
        columns.append(column)
    funnel = [(labels[stage], counts.get(stage, {}).get("total", 0)) for stage in stages]
    ageing = [
        (bucket.label, sum(counts.get(stage, {}).get(f"age_{index}", 0) for stage in MOVING_STAGES))
        for index, bucket in enumerate(AGE_BUCKETS)
    ]
    return BoardPage(
        columns=columns,
        total=sum(row.get("total", 0) for row in counts.values()),
        funnel=funnel,
        ageing=ageing,
        in_review=counts.get(Stage.IN_REVIEW, {}).get("total", 0),
    )


def is_overdue(project: DiscoveryProject, today: date) -> bool:
    """The client's decision date has passed and the scope is not yet signed off (nor archived)."""
    return (
        project.target_decision_date is not None
        and project.target_decision_date < today
        and project.stage in MOVING_STAGES
    )


@dataclass(frozen=True)
class Workload:
    name: str
    in_review: int


WORKLOAD_CAP = 1_000  # in-review projects broken down by reviewer: the longest-waiting ones, past this many


@dataclass(frozen=True)
class WorkloadTable:
    rows: list[Workload]
    in_review: int  # every matching project in review
    counted: int  # the longest-waiting of them that the rows break down (all of them up to WORKLOAD_CAP)

    def __iter__(self):
        return iter(self.rows)


def reviewer_workload(*, user, filters: BoardFilters, today: date, in_review: int | None = None) -> WorkloadTable:
    """Per reviewer, the in-review projects they decided on last (they are the likely reviewer of the next version).

    There is no assignment of reviewers; projects nobody has reviewed yet are counted as "Not reviewed before".
    The last review of a project is its review with the highest id (reviews are only ever inserted, in time order).
    At most ``WORKLOAD_CAP`` projects are broken down, the longest-waiting first (the table says so), so the cost
    stays bounded at any number of projects in review. Two queries: those projects' last reviews grouped by
    reviewer, and the reviewers' names. ``in_review``: how many projects the filters leave in review, when the
    caller counted them already (the board's stage counts); else counted here.
    """
    projects = filtered_projects(user=user, filters=filters, today=today).filter(stage=Stage.IN_REVIEW)
    if in_review is None:
        in_review = projects.count()
    waiting_longest = projects.order_by("stage_changed_at", "pk").values("pk")[:WORKLOAD_CAP]
    last_reviews = (
        Review.objects.filter(version__project__in=waiting_longest)
        .order_by()
        .values("version__project")
        .annotate(last=Max("pk"))
        .values("last")
    )
    grouped = Review.objects.filter(pk__in=last_reviews).order_by().values("reviewer").annotate(n=Count("pk"))
    by_reviewer = {row["reviewer"]: row["n"] for row in grouped}
    reviewers = (
        User.objects.filter(Q(role__in=(Role.REVIEWER, Role.ADMIN)) | Q(is_superuser=True), is_active=True)
        .order_by("first_name", "last_name", "username")
        .values_list("pk", "first_name", "last_name", "username")
    )
    rows = [
        Workload(name=f"{first} {last}".strip() or username, in_review=by_reviewer.pop(pk, 0))
        for pk, first, last, username in reviewers
    ]
    others = sum(by_reviewer.values())  # reviewed last by someone no longer a reviewer
    if others:
        rows.append(Workload(name="Former reviewers", in_review=others))
    counted = min(in_review, WORKLOAD_CAP)
    reviewed = sum(row.in_review for row in rows)
    rows.append(Workload(name="Not reviewed before", in_review=max(counted - reviewed, 0)))
    return WorkloadTable(rows=rows, in_review=in_review, counted=counted)


def saved_views_of(user) -> QuerySet:
    """The person's own saved views; nobody sees anyone else's."""
    return SavedView.objects.filter(user=user).order_by("name", "pk")


EXPORT_HEADER = (
    "Client",
    "Project",
    "Stage",
    "Readiness score",
    "Blockers",
    "Days in stage",
    "Decision date",
    "Overdue",
    "Lead",
    "Open questions",
)


def export_rows(*, user, filters: BoardFilters, now: datetime) -> Iterator[list[str]]:
    """Every project the filters show (not only the first cards of each column), read in chunks, never all at once."""
    today = now.date()
    labels = dict(Stage.choices)
    rows = (
        filtered_projects(user=user, filters=filters, today=today)
        .annotate(open_question_count=_open_questions())
        .order_by("-last_activity_at", "-pk")
        .values_list(
            "client__name",
            "name",
            "stage",
            "readiness_score",
            "readiness_blockers",
            "stage_changed_at",
            "target_decision_date",
            "lead_consultant__first_name",
            "lead_consultant__last_name",
            "lead_consultant__username",
            "open_question_count",
        )
    )
    for client, name, stage, score, blockers, changed, decision, first, last, username, questions in rows.iterator(
        chunk_size=2000
    ):
        overdue = decision is not None and decision < today and stage in MOVING_STAGES
        yield [
            client,
            name,
            labels.get(stage, stage),
            f"{score}/{FULL_SCORE}",
            str(blockers),
            str(max((now - changed).days, 0)),
            decision.isoformat() if decision else "",
            "yes" if overdue else "no",
            f"{first} {last}".strip() or username,
            str(questions),
        ]
