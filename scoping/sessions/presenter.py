"""Presenter mode: what the client-facing screen shows of a project right now.

The current step (the live session's current agenda item, else the one asked for), its values read-only, the
readiness and the cost figures in words. Nothing here carries a rule code, a hash or a control: it is for a shared
screen in front of the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from scoping.live_scope import export_scope
from scoping.models import AgendaItem, DiscoveryProject, DiscoverySession
from scoping.scope.catalogue import SECTION_LABELS
from scoping.scope.costs import compute_costs, format_money, verdict
from scoping.scope.readiness import evaluate
from scoping.sessions.selectors import current_item, item_ends_at
from scoping.steps.services import section_with_rows
from scoping.steps.status import STEP_KEYS, ShownSection, section_shown, step_intro

GATE_WORDS = {
    "clear": "Ready",
    "warning": "Ready, with points to check",
    "blocked": "Not ready yet",
}


@dataclass(frozen=True)
class Presented:
    project: DiscoveryProject
    step: str
    step_label: str
    step_number: int
    intro: str
    shown: ShownSection
    session: DiscoverySession | None
    item: AgendaItem | None
    item_ends_at: datetime | None
    ready_count: int
    out_of: int
    step_gate: str
    gaps: list[str]
    cost_sentence: str
    cost_per_use: str
    monthly_cost: str

    @property
    def step_gate_words(self) -> str:
        return GATE_WORDS[self.step_gate]


def presented_step(project: DiscoveryProject, requested: str = "") -> Presented:
    """The screen's content: the live session's current step, else ``requested`` when it is a step, else the first."""
    session = DiscoverySession.objects.live_for(project)
    item = current_item(session) if session else None
    if item is not None:
        step = item.step
    else:
        step = requested if requested in STEP_KEYS else STEP_KEYS[0]
    scope = export_scope(project)
    readiness = evaluate(scope, today=timezone.localdate())
    section, rows = section_with_rows(project=project, section_key=step)
    costs = compute_costs(scope.get("cost_model") or {})
    launch = costs.tiers.get("launch")
    per_use = launch.cost_per_use if launch else None
    monthly = launch.monthly_cost if launch else None
    currency = costs.currency or project.currency
    return Presented(
        project=project,
        step=step,
        step_label=SECTION_LABELS[step],
        step_number=STEP_KEYS.index(step) + 1,
        intro=step_intro(step),
        shown=section_shown(step, section, rows, currency=project.currency),
        session=session,
        item=item,
        item_ends_at=item_ends_at(item) if item else None,
        ready_count=readiness.score,
        out_of=len(STEP_KEYS),
        step_gate=readiness.gate(step),
        # The findings as worded for the client: the message only, never the rule's code.
        gaps=[finding.message for finding in readiness.by_section().get(step, []) if finding.severity == "blocker"],
        # The verdict lists every missing input by name: useful at a desk, noise on the client's screen.
        cost_sentence=verdict(costs) if per_use is not None else "",
        cost_per_use=(
            f"Each use at launch volume costs {format_money(per_use, currency, per_use=True)}."
            if per_use is not None
            else "The cost of each use at launch volume is not known yet."
        ),
        monthly_cost=(
            f"Running it at launch volume costs {format_money(monthly, currency)} a month."
            if monthly is not None
            else "The monthly running cost at launch volume is not known yet."
        ),
    )
