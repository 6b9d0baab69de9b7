"""Starting points: the shipped templates, copying a scope with or without its answers, and the "New project" page."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from documents.models import ScopeDocument
from scoping.models import ActivityEvent, DiscoveryProject, ScopeVersion, SignOff, Stage
from scoping.models.sections import AcceptedRisk
from scoping.projects import starting_points
from scoping.projects.scope_io import export_scope, import_scope
from scoping.projects.starting_points import TEMPLATES, TEMPLATES_DIR, project_clone, scope_skeleton
from scoping.scope.readiness import evaluate
from scoping.scope.schema import SCHEMA_ID, validate_scope
from tests.factories import ClientFactory
from tests.review_support import client_signatory, example_scope, import_project, sign, to_awaiting_signoff

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script> {{ 7*7 }}"

# The blockers a template leaves on purpose: each is a fact only the client can give (volumes, baselines and targets,
# the client's costs, the system the output goes to, the people who own it).
CLIENT_FACT_BLOCKERS = {
    "production_target.no_volume",
    "production_target.no_success_metric",
    "first_slice.no_live_use",
    "cost_model.no_volume_tiers",
    "cost_model.missing_inputs",
    "workflow.no_output_destination",
    "ownership.no_business_owner",
    "ownership.no_technical_owner",
}


@pytest.fixture(autouse=True)
def queued_jobs(monkeypatch) -> list[int]:
    """Render jobs published after commit (the signed PDF), recorded instead of sent to a broker."""
    published: list[int] = []
    monkeypatch.setattr("documents.services._enqueue", published.append)
    return published


def signed_off(project, lead, reviewer) -> DiscoveryProject:
    version = to_awaiting_signoff(project, lead, reviewer)
    sign(project, lead, version)
    sign(project, client_signatory(project), version)
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED_OFF
    return project


def history_counts(project) -> dict[str, int]:
    return {
        "versions": ScopeVersion.objects.filter(project=project).count(),
        "signoffs": SignOff.objects.filter(version__project=project).count(),
        "documents": ScopeDocument.objects.filter(version__project=project).count(),
        "accepted_risks": AcceptedRisk.objects.filter(project=project).count(),
        "participants": project.participants.count(),
        "members": project.memberships.count(),
    }


def without(scope: dict, *keys: str) -> dict:
    return {key: value for key, value in scope.items() if key not in keys}


# --- templates ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda template: template.key)
def test_each_template_is_a_valid_scope_file_with_every_key_written_out(template):
    raw = json.loads((TEMPLATES_DIR / template.filename).read_text(encoding="utf-8"))

    assert raw["schema"] == SCHEMA_ID
    assert validate_scope(raw) == raw  # stored normalized: the file shows every question, answered or blank
    assert raw["project"]["client"] == ""  # the client's name comes from the page, never the template


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda template: template.key)
def test_each_template_imports_and_leaves_blockers_only_for_the_clients_own_facts(template, lead):
    client = ClientFactory(name="Heron Insurance")
    project = starting_points.project_from_template(template=template, actor=lead, name="Claims pilot", client=client)

    scope = export_scope(project)
    readiness = evaluate(scope, today=timezone.localdate())
    assert {finding.code for finding in readiness.blockers} == CLIENT_FACT_BLOCKERS
    assert readiness.score == 3  # data path, failure modes and security are sound starting points
    # The template's typical content is there; the client's facts are not.
    shipped = template.scope()
    assert [mode["scenario"] for mode in scope["failure_modes"]["items"]] == [
        mode["scenario"] for mode in shipped["failure_modes"]["items"]
    ]
    assert len(scope["failure_modes"]["items"]) >= 5
    assert [step["name"] for step in scope["cost_model"]["steps"]] == [
        step["name"] for step in shipped["cost_model"]["steps"]
    ]
    assert all(step["input_tokens"] and step["output_tokens"] for step in scope["cost_model"]["steps"])
    assert all(step["input_price"] is None for step in scope["cost_model"]["steps"])  # prices: from the catalogue
    assert scope["ownership"]["business_owner"] == {"name": "", "role": "", "email": ""}
    assert scope["production_target"]["volume_per_month"] is None
    assert len(scope["open_questions"]) == 4
    assert (scope["project"]["name"], scope["project"]["client"]) == ("Claims pilot", "Heron Insurance")
    assert (project.stage, project.lead_consultant, project.readiness_blockers) == (Stage.DRAFT, lead, 8)
    event = ActivityEvent.objects.get(project=project, verb="project_created_from_template")
    assert (event.actor, event.changes) == (lead, {"template": template.title})


def test_each_template_also_imports_as_a_file_like_any_scope(lead):
    for template in TEMPLATES:
        project = import_scope(data=template.scope(), client_name="Heron Insurance", user=lead)
        assert project.name == template.title


# --- copying a scope ------------------------------------------------------------------------------------------------


def test_copying_a_signed_scope_takes_its_answers_and_none_of_its_history(sound_project, lead, reviewer):
    source = signed_off(sound_project, lead, reviewer)
    AcceptedRisk.objects.create(
        project=source, code="ownership.no_budget_owner", reason="Agreed with the client", accepted_by=lead
    )
    before = history_counts(source)
    assert before["versions"] >= 1 and before["signoffs"] == 2 and before["accepted_risks"] == 1
    assert before["participants"] == 1
    other_client = ClientFactory(name="Heron Insurance")

    clone = project_clone(
        source=source, actor=lead, name="Claims invoice coding", client=other_client, with_answers=True
    )

    source_scope, clone_scope = export_scope(source), export_scope(clone)
    assert without(clone_scope, "project", "accepted_risks") == without(source_scope, "project", "accepted_risks")
    assert clone_scope["project"] == {
        **source_scope["project"],
        "name": "Claims invoice coding",
        "client": "Heron Insurance",
        "target_decision_date": None,  # the other client's deadline is not this project's
    }
    assert clone_scope["open_questions"] == source_scope["open_questions"] != []
    assert clone_scope["accepted_risks"] == []  # accepted for the other project by someone else
    assert history_counts(clone) == dict.fromkeys(before, 0)
    assert set(clone.events.values_list("verb", flat=True)) == {"project_created", "project_cloned"}
    assert (clone.stage, clone.lead_consultant, clone.client) == (Stage.DRAFT, lead, other_client)
    assert history_counts(source) == before  # the source is untouched
    source.refresh_from_db()
    assert source.stage == Stage.SIGNED_OFF
    event = clone.events.get(verb="project_cloned")
    assert event.changes == {"copied_from": "Supplier invoice coding", "answers_copied": True}
    assert str(source.pk) not in json.dumps(event.changes)


def test_copying_without_answers_keeps_only_the_names_of_the_rows(sound_project, lead):
    source_scope = export_scope(sound_project)

    clone = project_clone(
        source=sound_project, actor=lead, name="Blank copy", client=sound_project.client, with_answers=False
    )

    scope = export_scope(clone)
    assert without(scope, "project") == without(scope_skeleton(source_scope), "project")
    # Kept: what names the parts of the system.
    assert [m["scenario"] for m in scope["failure_modes"]["items"]] == [
        m["scenario"] for m in source_scope["failure_modes"]["items"]
    ]
    assert [m["category"] for m in scope["failure_modes"]["items"]] == [
        m["category"] for m in source_scope["failure_modes"]["items"]
    ]
    assert [(s["name"], s["provider"], s["model"], s["calls_per_use"]) for s in scope["cost_model"]["steps"]] == [
        (s["name"], s["provider"], s["model"], s["calls_per_use"]) for s in source_scope["cost_model"]["steps"]
    ]
    assert [s["name"] for s in scope["data_path"]["sources"]] == [
        s["name"] for s in source_scope["data_path"]["sources"]
    ]
    assert [r["role"] for r in scope["security"]["access_roles"]] == [
        r["role"] for r in source_scope["security"]["access_roles"]
    ]
    # Dropped: every answer about them.
    assert all(m["detection"] == m["handling"] == m["owner"] == "" for m in scope["failure_modes"]["items"])
    assert all(s["input_tokens"] is None and s["input_price"] is None for s in scope["cost_model"]["steps"])
    assert all(s["owner"] == s["volume"] == "" and s["access_status"] == "" for s in scope["data_path"]["sources"])
    assert all(m["baseline"] == m["target"] == "" for m in scope["production_target"]["success_metrics"])
    assert scope["ownership"]["business_owner"] == {"name": "", "role": "", "email": ""}
    assert scope["production_target"]["problem_statement"] == ""
    assert scope["production_target"]["volume_per_month"] is None
    assert scope["cost_model"]["tiers"] == {"pilot": None, "launch": None, "scale": None}
    assert scope["cost_model"]["hosting"] is None
    assert scope["security"]["regimes"] == [] and scope["security"]["audit_trail"] == ""
    assert scope["open_questions"] == [] and scope["accepted_risks"] == []
    assert scope["project"]["currency"] == sound_project.currency
    assert clone.events.get(verb="project_cloned").changes["answers_copied"] is False


def test_a_copy_records_a_lead_other_than_the_actor_in_the_audit_trail(sound_project, lead, admin_user):
    clone = project_clone(
        source=sound_project,
        actor=admin_user,
        name="Led by Lena",
        client=sound_project.client,
        with_answers=True,
        lead_consultant=lead,
        currency="EUR",
        target_decision_date=date(2027, 6, 30),
    )

    clone.refresh_from_db()
    assert (clone.lead_consultant, clone.created_by, clone.currency) == (lead, admin_user, "EUR")
    assert clone.target_decision_date == date(2027, 6, 30)
    # The cost model keeps the currency its amounts were written in.
    assert export_scope(clone)["cost_model"]["currency"] == "GBP"
    assert clone.events.filter(verb="project_edited").count() == 1


def test_someone_who_cannot_see_the_source_cannot_copy_it_and_nothing_is_created(sound_project, outsider):
    count = DiscoveryProject.objects.count()
    with pytest.raises(Http404):
        project_clone(
            source=sound_project, actor=outsider, name="Stolen", client=sound_project.client, with_answers=True
        )
    assert DiscoveryProject.objects.count() == count


# --- the "New project" page ----------------------------------------------------------------------------------------


def page_data(client_pk: int, **extra) -> dict:
    return {
        "starting_point": "blank",
        "client": client_pk,
        "name": "New scope",
        "lead_consultant": "",
        "currency": "EUR",
        "target_decision_date": "",
        **extra,
    }


def test_the_page_offers_the_templates_and_creates_a_project_from_one(client, lead):
    heron = ClientFactory(name="Heron Insurance")
    client.force_login(lead)

    page = client.get(reverse("projects:create")).content.decode()
    for template in TEMPLATES:
        assert f'value="{template.choice}"' in page
        assert template.description in page
    assert "Copy the answers too" in page

    response = client.post(
        reverse("projects:create"),
        page_data(heron.pk, starting_point="template:customer_assistant", lead_consultant=lead.pk, name="Chat"),
        follow=True,
    )

    project = DiscoveryProject.objects.get(name="Chat")
    assert response.redirect_chain == [(project.get_absolute_url(), 302)]
    assert "created from the “Customer-facing assistant” template" in response.content.decode()
    assert project.client == heron and project.lead_consultant == lead
    scenarios = list(project.failure_modes.items.values_list("scenario", flat=True))
    assert "A customer tries to make the assistant ignore its instructions" in scenarios


def test_a_blank_project_is_created_as_before(client, lead):
    heron = ClientFactory(name="Heron Insurance")
    client.force_login(lead)

    response = client.post(reverse("projects:create"), page_data(heron.pk, lead_consultant=lead.pk), follow=True)

    project = DiscoveryProject.objects.get(name="New scope")
    assert "Start with the production target" in response.content.decode()
    assert export_scope(project)["failure_modes"]["items"] == []
    assert set(project.events.values_list("verb", flat=True)) == {"project_created"}


def test_a_bad_starting_point_is_a_field_error_and_creates_nothing(client, lead):
    heron = ClientFactory(name="Heron Insurance")
    client.force_login(lead)
    count = DiscoveryProject.objects.count()

    unknown = client.post(reverse("projects:create"), page_data(heron.pk, starting_point="template:nope"))
    no_source = client.post(reverse("projects:create"), page_data(heron.pk, starting_point="copy"))
    junk_source = client.post(reverse("projects:create"), page_data(heron.pk, starting_point="copy", source="x1"))

    assert unknown.status_code == no_source.status_code == junk_source.status_code == 200
    assert "starting_point" in unknown.context["form"].errors
    assert no_source.context["form"].errors["source"] == ["Choose the project whose scope to copy."]
    assert "source" in junk_source.context["form"].errors
    assert DiscoveryProject.objects.count() == count


def test_copying_through_the_page_opens_the_new_project_with_a_message(client, sound_project, lead):
    client.force_login(lead)
    page = client.get(reverse("projects:create") + f"?copy={sound_project.pk}").content.decode()
    assert f'<option value="{sound_project.pk}" selected>Kestrel Foods Ltd — Supplier invoice coding' in page

    response = client.post(
        reverse("projects:create"),
        page_data(
            sound_project.client.pk,
            starting_point="copy",
            source=sound_project.pk,
            copy_answers="on",
            lead_consultant=lead.pk,
            name="Second site",
        ),
        follow=True,
    )

    project = DiscoveryProject.objects.get(name="Second site")
    assert response.redirect_chain == [(project.get_absolute_url(), 302)]
    assert "as a copy of “Supplier invoice coding”, with its answers" in response.content.decode()
    assert without(export_scope(project), "project") == without(export_scope(sound_project), "project")


@pytest.mark.parametrize("role", ["outsider", "other_client"])
def test_someone_who_cannot_see_the_source_gets_a_field_error_and_nothing_is_created(client, roles, role, project):
    count = DiscoveryProject.objects.count()
    client.force_login(roles[role])

    page = client.get(reverse("projects:create") + f"?copy={project.pk}")
    response = client.post(
        reverse("projects:create"), page_data(project.client.pk, starting_point="copy", source=project.pk)
    )

    if role == "outsider":  # a consultant: may create projects, but not see this one
        assert page.status_code == 200
        assert project.name not in page.content.decode()
        assert response.status_code == 200
        assert "source" in response.context["form"].errors
    else:  # client people never create projects
        assert page.status_code == response.status_code == 403
    assert DiscoveryProject.objects.count() == count


def test_client_participants_who_see_the_project_cannot_copy_it(client, roles, project):
    client.force_login(roles["participant"])
    count = DiscoveryProject.objects.count()

    overview = client.get(project.get_absolute_url())
    response = client.post(
        reverse("projects:create"), page_data(project.client.pk, starting_point="copy", source=project.pk)
    )

    assert overview.status_code == 200
    assert "Copy this scope into a new project" not in overview.content.decode()
    assert response.status_code == 403
    assert DiscoveryProject.objects.count() == count


def test_the_overview_offers_staff_who_create_projects_the_copy_link(client, sound_project, lead, reviewer):
    link = f'href="{reverse("projects:create")}?copy={sound_project.pk}"'
    client.force_login(lead)
    assert link in client.get(sound_project.get_absolute_url()).content.decode()
    client.force_login(reviewer)  # sees every project, creates none
    assert link not in client.get(sound_project.get_absolute_url()).content.decode()


def test_hostile_text_in_a_copied_scope_stays_escaped(client, lead):
    scope = copy.deepcopy(example_scope())
    scope["project"]["name"] = f"Source {HOSTILE}"
    scope["open_questions"][0]["question"] = f"Question {HOSTILE}"
    source = import_project(lead, scope=scope)
    client.force_login(lead)

    response = client.post(
        reverse("projects:create"),
        page_data(
            source.client.pk,
            starting_point="copy",
            source=source.pk,
            copy_answers="on",
            lead_consultant=lead.pk,
            name="Escaped",
        ),
        follow=True,
    )
    overview = response.content.decode()
    project = DiscoveryProject.objects.get(name="Escaped")
    activity = client.get(reverse("projects:activity", args=[project.pk])).content.decode()

    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}"
    assert f"Question {escaped}" in overview  # the copied open question
    assert f"as a copy of “Source {escaped}”" in overview  # the message
    assert f"Source {escaped}" in activity  # the audit trail names the source
    for page in (overview, activity):
        assert "<script>alert(1)</script>" not in page


def test_an_out_of_range_source_is_a_field_error_not_a_500(client, lead):
    heron = ClientFactory(name="Heron Insurance")
    client.force_login(lead)
    huge = "9" * 30

    page = client.get(reverse("projects:create") + f"?copy={huge}")
    response = client.post(reverse("projects:create"), page_data(heron.pk, starting_point="copy", source=huge))

    assert page.status_code == response.status_code == 200
    assert "source" in response.context["form"].errors
    assert not DiscoveryProject.objects.filter(client=heron).exists()
