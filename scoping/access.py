"""Who may do what with a project: one resolver, one capability object, one rule for 403 and 404.

Visibility is ``DiscoveryProject.objects.visible_to(user)``; every view that touches a project, or anything below
it, resolves it through ``resolve_project``, which answers a ``ProjectAccess``: the project together with what this
person may do with it. Views, templates (as ``access`` in the context) and services ask that object; nobody
re-derives a capability from roles.

The 403-versus-404 rule:

* someone who cannot see the project (a stranger, another client's stakeholder) always gets **404**, whatever the
  URL or method, so a project's existence never leaks;
* someone who can see it but lacks the capability the page needs gets **403**, with one sentence saying why
  (``ProjectAccess.refusal``);
* pages outside a project follow the same rule: the client directory and the review queue are invisible (404) to
  client people; creating projects or clients is refused (403) to staff who may not.

The predicates are composed once, below, with ``rules``; they read a ``Ties`` record (what links this person to
this project, loaded in at most one query), so building the whole capability object costs at most one query.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Role
from scoping.models import Client, DiscoveryProject

# --- what links a person to a project ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ties:
    """What links one person to one project, read once."""

    project: DiscoveryProject
    on_team: bool = False  # the lead consultant, or a staff member of the project
    participant_can_edit: bool = False  # a client stakeholder invited with the right to edit
    signs: bool = False  # a designated signatory: the lead consultant or a client signatory

    @classmethod
    def of(cls, user, project: DiscoveryProject) -> Ties:
        is_lead = project.lead_consultant_id == user.pk
        if user.role in (Role.CONSULTANT, Role.REVIEWER) and not user.is_superuser:
            on_team = is_lead or project.memberships.filter(user=user).exists()
            return cls(project=project, on_team=on_team, signs=is_lead)
        if user.role == Role.CLIENT:
            row = project.participants.filter(user=user).values("can_edit", "is_signatory").first() or {}
            return cls(
                project=project,
                participant_can_edit=bool(row.get("can_edit")),
                signs=bool(row.get("is_signatory")),
            )
        return cls(project=project, signs=is_lead)  # admins and superusers are staff on every project


# --- predicates, composed once -------------------------------------------------------------------------------------


@rules.predicate
def is_admin(user) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


@rules.predicate
def is_firm_staff(user) -> bool:
    """Consultancy staff (consultant, reviewer, admin): they see the review pages and the rule codes."""
    return user.is_superuser or user.is_firm_staff


@rules.predicate
def has_reviewer_role(user) -> bool:
    return user.is_superuser or user.role in (Role.REVIEWER, Role.ADMIN)


@rules.predicate
def creates_projects(user) -> bool:
    return user.can_create_projects


@rules.predicate
def on_project_team(user, ties: Ties) -> bool:
    return ties.on_team


@rules.predicate
def client_may_edit(user, ties: Ties) -> bool:
    return ties.participant_can_edit


@rules.predicate
def is_designated_signatory(user, ties: Ties) -> bool:
    return ties.signs


@rules.predicate
def project_archived(user, ties: Ties) -> bool:
    return ties.project.is_archived


is_reviewer = rules.is_authenticated & rules.is_active & has_reviewer_role
is_project_staff = is_admin | on_project_team
edits_scope = ~project_archived & (is_project_staff | client_may_edit)
staff_on_live_project = is_project_staff & ~project_archived

CAPABILITIES = rules.RuleSet()
CAPABILITIES.add_rule("see", rules.always_allow)
CAPABILITIES.add_rule("edit", edits_scope)  # change the scope, park questions, freeze versions, copy prices
CAPABILITIES.add_rule("manage", is_project_staff)  # project details, archive, submit, sign-off request, PDFs
CAPABILITIES.add_rule("change_team", staff_on_live_project)  # members and invitations
CAPABILITIES.add_rule("accept_risks", staff_on_live_project)
CAPABILITIES.add_rule("view_review", is_firm_staff)  # the reviewer's page and tab
CAPABILITIES.add_rule("review", is_reviewer)  # approve, or request changes
CAPABILITIES.add_rule("sign", is_designated_signatory)

REFUSALS = {
    "edit": "You can read this scope but not change it: only the project's team and client stakeholders who may "
    "edit can. Ask the project's consultant for access.",
    "manage": "Only the project's consultancy team can do this.",
    "change_team": "Only the project's consultancy team can change who works on it.",
    "accept_risks": "Only the project's consultancy team can accept or withdraw risks.",
    "view_review": "Reviews are for the consultancy; the decisions show on the project overview.",
    "review": "Only reviewers can approve a scope or request changes.",
    "sign": "You are not a designated signatory of this scope.",
}
ARCHIVED_REFUSAL = "This project is archived, so it is read-only."
LIVE_ONLY = ("edit", "change_team", "accept_risks")


@dataclass(frozen=True)
class ProjectAccess:
    """A project and what this person may do with it. Templates read it as ``access``."""

    project: DiscoveryProject
    see: bool
    edit: bool
    manage: bool
    change_team: bool
    accept_risks: bool
    view_review: bool
    review: bool
    sign: bool

    @classmethod
    def of(cls, user, project: DiscoveryProject) -> ProjectAccess:
        ties = Ties.of(user, project)
        return cls(project=project, **{name: CAPABILITIES.test_rule(name, user, ties) for name in CAPABILITIES})

    def refusal(self, capability: str) -> str:
        """Why this person may not do it, in one sentence."""
        if self.project.is_archived and capability in LIVE_ONLY:
            return ARCHIVED_REFUSAL
        return REFUSALS[capability]

    def require(self, capability: str) -> ProjectAccess:
        if not getattr(self, capability):
            raise PermissionDenied(self.refusal(capability))
        return self


CAPABILITY_NAMES = tuple(field.name for field in fields(ProjectAccess) if field.name != "project")


# --- resolvers -----------------------------------------------------------------------------------------------------


def resolve_project(user, project_id: int, *, need: str = "see", queryset=None) -> ProjectAccess:
    """The project and this person's capabilities: 404 if they cannot see it, 403 if they lack ``need``.

    ``queryset``: a richer read of the project (e.g. with its whole scope); visibility is applied to it here.
    """
    if queryset is None:
        queryset = DiscoveryProject.objects.select_related("client", "lead_consultant")
    project = get_object_or_404(queryset.visible_to(user), pk=project_id)
    return ProjectAccess.of(user, project).require(need)


def project_access(user, project: DiscoveryProject) -> ProjectAccess:
    """The capabilities of someone already known to see ``project`` (services and template tags)."""
    return ProjectAccess.of(user, project)


def require_firm_staff(user) -> None:
    """Pages of the consultancy (client directory, review queue) do not exist for client people: 404."""
    if not is_firm_staff.test(user):
        raise Http404


def require_creator(user, *, doing: str = "create projects") -> None:
    if not creates_projects.test(user):
        raise PermissionDenied(f"Only consultants and admins can {doing}.")


def client_for_user(user, client_id: int) -> Client:
    """Client organisations are the consultancy's directory: staff only; client people get 404."""
    require_firm_staff(user)
    return get_object_or_404(Client, pk=client_id)
