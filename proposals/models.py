"""The engagement of a project and its lists (phases, milestones, deliverables, team), built from the catalogue.

Like the eight sections, every column comes from the field catalogue (``scoping/scope/sections/engagement.py``), so
what the engagement step saves always exports as a valid ``engagement`` in the scope JSON v2.
"""

from __future__ import annotations

from django.db import models

from scoping.models.sections import ScopeRow, ScopeSection, add_columns
from scoping.scope.sections import engagement as catalogue

__all__ = ["ENGAGEMENT_ROWS", "Deliverable", "Engagement", "Milestone", "Phase", "TeamMember"]

SECTION_KEY = "engagement"


def _rows(key: str):
    return next(spec for spec in catalogue.FIELDS if spec.key == key)


class Engagement(ScopeSection):
    section_key = SECTION_KEY
    project = models.OneToOneField("scoping.DiscoveryProject", on_delete=models.CASCADE, related_name="engagement")
    # Keys of the consultancy's clause library, in the order the proposal prints them.
    clauses = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = "engagement"
        verbose_name_plural = "engagements"


class Phase(ScopeRow):
    section_key, rows_key = SECTION_KEY, "phases"
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name=rows_key)

    class Meta(ScopeRow.Meta):
        verbose_name = "phase"


class Milestone(ScopeRow):
    section_key, rows_key = SECTION_KEY, "milestones"
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name=rows_key)

    class Meta(ScopeRow.Meta):
        verbose_name = "milestone"


class Deliverable(ScopeRow):
    section_key, rows_key = SECTION_KEY, "deliverables"
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name=rows_key)

    class Meta(ScopeRow.Meta):
        verbose_name = "deliverable"


class TeamMember(ScopeRow):
    section_key, rows_key = SECTION_KEY, "team"
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name=rows_key)

    class Meta(ScopeRow.Meta):
        verbose_name = "team member"
        verbose_name_plural = "team"


# rows key -> (row model, name of its foreign key to the engagement), in the catalogue's order.
ENGAGEMENT_ROWS: dict[str, tuple[type[ScopeRow], str]] = {
    model.rows_key: (model, "engagement") for model in (Phase, Milestone, Deliverable, TeamMember)
}

add_columns(Engagement, catalogue.FIELDS)
for _rows_key, (_row_model, _parent) in ENGAGEMENT_ROWS.items():
    add_columns(_row_model, _rows(_rows_key).fields)
