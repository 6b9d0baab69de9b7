"""The step page, a step save and the pipeline list run a fixed number of queries, whatever the scope or firm holds.

The counts are today's (each page reads the whole scope once per request); a change that adds a query, or makes
the count grow with the rows of a section or the number of projects, fails here. ``make bench`` times them.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from scoping.models import AcceptedRisk, DiscoveryProject, OpenQuestion, ProjectMember
from scoping.models.sections import ROW_MODELS, SECTION_MODELS
from scoping.steps.status import step_url
from tests.factories import ProjectFactory, UserFactory
from tests.steps.step_helpers import invoice_scope, step_post

STEP_GET_QUERIES = (
    14  # session, user, the project with its eight sections, seven kinds of row, questions, risks, who answered
    # each field, versions
)
# Session, user, project, the locked section and its rows, the write, the rows replaced, who answered (the live
# session, one upsert), audit, readiness (which reads the saved scope afresh: eleven of these, one per kind of row
# since model steps are rows, and who answered each field), then the live message: the section as saved, its rows,
# who saved it and the field sources.
STEP_SAVE_QUERIES = 32
# Session, user, the count (capped), the clients of the filter (at most 51), the page's ids, then its rows.
LIST_QUERIES = 6

pytestmark = pytest.mark.django_db


def _fill(project, rows: int) -> None:
    """Every list of every section gets ``rows`` rows; the project gets as many questions and accepted risks."""
    for (section_key, _rows_key), (row_model, parent) in ROW_MODELS.items():
        section = SECTION_MODELS[section_key].objects.get(project=project)
        row_model.objects.bulk_create([row_model(**{parent: section}, position=number) for number in range(rows)])
    OpenQuestion.objects.bulk_create(
        [OpenQuestion(project=project, question=f"Q{number}", section="production_target") for number in range(rows)]
    )
    AcceptedRisk.objects.bulk_create(
        [AcceptedRisk(project=project, code=f"rule.{number}", reason="Bench") for number in range(rows)]
    )


@pytest.mark.parametrize("rows", [1, 12])
def test_the_step_page_reads_the_scope_once_whatever_its_rows(
    client, project, lead, rows, django_assert_max_num_queries
):
    _fill(project, rows)
    client.force_login(lead)
    client.get(step_url(project, "production_target"))  # warm: sessions and templates
    with django_assert_max_num_queries(STEP_GET_QUERIES):
        response = client.get(step_url(project, "production_target"))
    assert response.status_code == 200
    assert response.content.decode().count("data-formset-row") >= rows


@pytest.mark.parametrize("rows", [1, 12])
def test_a_step_save_runs_a_fixed_number_of_queries(client, project, lead, rows, django_assert_max_num_queries):
    _fill(project, rows)
    client.force_login(lead)
    data = step_post("production_target", invoice_scope()["production_target"], revision=0)
    with django_assert_max_num_queries(STEP_SAVE_QUERIES):
        response = client.post(step_url(project, "production_target"), data)
    assert response.status_code == 302
    assert SECTION_MODELS["production_target"].objects.get(project=project).revision == 1


@pytest.mark.parametrize("projects", [3, 40])
@pytest.mark.parametrize("role", ["reviewer", "consultant"])
def test_the_pipeline_list_runs_a_fixed_number_of_queries(client, role, projects, django_assert_max_num_queries):
    user = UserFactory(role=role)
    leads = [UserFactory(role="consultant") for _ in range(4)]
    made = [ProjectFactory(lead_consultant=leads[number % 4]) for number in range(projects)]
    for project in made[::2]:
        ProjectMember.objects.create(project=project, user=user, added_by=project.lead_consultant)
    client.force_login(user)
    client.get(reverse("projects:list"))
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("projects:list"))
    assert response.status_code == 200
    visible = DiscoveryProject.objects.visible_to(user).count()
    assert visible == (projects if role == "reviewer" else len(made[::2]))
    assert len(response.context["page"].object_list) == min(visible, 25)
