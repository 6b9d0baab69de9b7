"""Shared helpers of the session tests: plan a session, save a step as a person really does."""

from __future__ import annotations

from django.urls import reverse

from scoping.models.sections import ProductionTarget
from scoping.sessions import services
from tests.steps.step_helpers import step_post


def plan(project, actor, *, agenda=(("production_target", 10), ("data_path", 15)), **kwargs):
    return services.session_plan(
        project=project, actor=actor, title=kwargs.pop("title", "Kick-off"), agenda=agenda, **kwargs
    )


def save_step(client, project, section_key, values):
    """POST a guided step through its page (the real save path), at the section's current revision."""
    revision = 0
    if section_key == "production_target":
        revision = ProductionTarget.objects.get(project=project).revision
    response = client.post(
        reverse("projects:step", args=[project.pk, section_key]), step_post(section_key, values, revision=revision)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response
