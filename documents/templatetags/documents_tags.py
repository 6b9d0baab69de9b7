"""The Versions-and-documents box on the project overview page."""

from __future__ import annotations

from django import template

from documents import selectors

register = template.Library()

OVERVIEW_DOCUMENT_COUNT = 3


@register.inclusion_tag("reports/web/overview_box.html", takes_context=True)
def documents_overview(context, project):
    """Latest version and the most recent documents, with their live status."""
    return {
        "project": project,
        "latest": project.versions.order_by("-number").first(),
        "version_count": project.versions.count(),
        "documents": list(selectors.project_documents(project=project)[:OVERVIEW_DOCUMENT_COUNT]),
        "access": context["access"],
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
