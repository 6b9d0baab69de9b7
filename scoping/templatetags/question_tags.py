"""Template tags for open questions, for the project overview and any other page that summarises a project."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, F, Q
from django.utils import timezone

from scoping.models import DiscoveryProject

register = template.Library()

NEXT_DUE_SHOWN = 3


@register.simple_tag
def open_questions_summary(project: DiscoveryProject, limit: int = NEXT_DUE_SHOWN) -> dict[str, Any]:
    """Open and overdue counts plus the next few open questions by due date (two queries)."""
    today = timezone.localdate()
    counts = project.open_questions.aggregate(
        open=Count("pk", filter=Q(status="open")),
        overdue=Count("pk", filter=Q(status="open", due__lt=today)),
    )
    upcoming = list(
        project.open_questions.filter(status="open").order_by(F("due").asc(nulls_last=True), "id")[: max(limit, 0)]
    )
    for question in upcoming:
        question.is_overdue = question.due is not None and question.due < today
    return {"open": counts["open"], "overdue": counts["overdue"], "upcoming": upcoming}
