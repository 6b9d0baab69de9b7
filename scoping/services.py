"""Writes for clients, projects, membership, invitations and the audit trail.

Every function here is keyword-only, runs in one transaction and records what it did in the audit trail.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from config.client_ip import client_ip  # the one client-address rule (trusted proxies); re-exported for workflow

from .models import (
    ActivityEvent,
    Client,
    ClientParticipant,
    DiscoveryProject,
    Invitation,
    ProjectMember,
    Stage,
    hash_token,
)

User = get_user_model()


def activity_record(
    *,
    actor,
    verb: str,
    request: HttpRequest | None = None,
    project: DiscoveryProject | None = None,
    obj: models.Model | None = None,
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
) -> ActivityEvent:
    """Append one event to the audit trail, and mark the project as active."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    event = ActivityEvent.objects.create(
        actor=actor,
        actor_repr=(actor.display_name if actor else "")[:200],
        verb=verb,
        project=project,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:300],
        changes=changes or {},
        ip=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:500],
    )
    if project is not None:
        DiscoveryProject.objects.filter(pk=project.pk).update(last_activity_at=event.created_at)
    return event


def _changed_fields(instance: models.Model, before: dict[str, Any], fields: Iterable[str]) -> dict[str, list[str]]:
    changes = {}
    for name in fields:
        old, new = before.get(name), getattr(instance, name)
        if old != new:
            changes[name] = [str(old) if old is not None else "", str(new) if new is not None else ""]
    return changes


def _snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def readiness_refresh(*, project: DiscoveryProject):
    """Evaluate the live scope and store the score on the project (the pipeline list reads the stored figures)."""
    from .readiness import evaluate
    from .scope_io import export_scope

    readiness = evaluate(export_scope(project), today=timezone.localdate())
    DiscoveryProject.objects.filter(pk=project.pk).update(
        readiness_score=readiness.score,
        readiness_blockers=len(readiness.blockers),
        readiness_warnings=len(readiness.warnings),
    )
    project.readiness_score = readiness.score
    project.readiness_blockers = len(readiness.blockers)
    project.readiness_warnings = len(readiness.warnings)
    return readiness


# --- Clients --------------------------------------------------------------------------------------------------------
CLIENT_FIELDS = ("name", "industry", "contacts")


@transaction.atomic
def client_create(*, actor, request: HttpRequest | None = None, **fields: Any) -> Client:
    client = Client(**{k: v for k, v in fields.items() if k in CLIENT_FIELDS})
    client.full_clean()
    client.save()
    activity_record(actor=actor, verb="client_created", request=request, obj=client)
    return client


@transaction.atomic
def client_update(*, client: Client, actor, request: HttpRequest | None = None, **fields: Any) -> Client:
    # Read "before" from the database: a bound ModelForm has already changed the instance in memory.
    before = _snapshot(Client.objects.select_for_update().get(pk=client.pk), CLIENT_FIELDS)
    for name, value in fields.items():
        if name in CLIENT_FIELDS:
            setattr(client, name, value)
    client.full_clean()
    client.save()
    changes = _changed_fields(client, before, CLIENT_FIELDS)
    if changes:
        activity_record(actor=actor, verb="client_edited", request=request, obj=client, changes=changes)
    return client


@transaction.atomic
def client_archive(*, client: Client, actor, request: HttpRequest | None = None) -> Client:
    if client.archived_at is None:
        client.archived_at = timezone.now()
        client.save(update_fields=["archived_at", "updated_at"])
        activity_record(actor=actor, verb="client_archived", request=request, obj=client)
    return client


# --- Projects -------------------------------------------------------------------------------------------------------
PROJECT_FIELDS = ("client", "name", "lead_consultant", "currency", "target_decision_date")


@transaction.atomic
def project_create(*, actor, request: HttpRequest | None = None, **fields: Any) -> DiscoveryProject:
    data = {k: v for k, v in fields.items() if k in PROJECT_FIELDS}
    data.setdefault("lead_consultant", actor)
    project = DiscoveryProject(created_by=actor, **data)
    project.currency = (project.currency or "EUR").upper()
    project.full_clean()
    project.save()
    from .scope_io import ensure_sections

    ensure_sections(project)
    activity_record(actor=actor, verb="project_created", request=request, project=project, obj=project)
    readiness_refresh(project=project)  # a new project shows its real gaps in the pipeline at once
    return project


@transaction.atomic
def project_update(
    *, project: DiscoveryProject, actor, request: HttpRequest | None = None, **fields: Any
) -> DiscoveryProject:
    # Read "before" from the database: a bound ModelForm has already changed the instance in memory.
    before = _snapshot(DiscoveryProject.objects.select_for_update().get(pk=project.pk), PROJECT_FIELDS)
    for name, value in fields.items():
        if name in PROJECT_FIELDS:
            setattr(project, name, value)
    project.currency = (project.currency or "EUR").upper()
    project.full_clean()
    project.save()
    changes = _changed_fields(project, before, PROJECT_FIELDS)
    if changes:
        activity_record(
            actor=actor, verb="project_edited", request=request, project=project, obj=project, changes=changes
        )
    return project


@transaction.atomic
def project_archive(*, project: DiscoveryProject, actor, request: HttpRequest | None = None) -> DiscoveryProject:
    if project.stage != Stage.ARCHIVED:
        project.archived_from_stage = project.stage
        project.stage = Stage.ARCHIVED
        project.stage_changed_at = timezone.now()
        project.save(update_fields=["stage", "archived_from_stage", "stage_changed_at", "updated_at"])
        activity_record(
            actor=actor,
            verb="project_archived",
            request=request,
            project=project,
            obj=project,
            changes={"stage": [project.archived_from_stage, Stage.ARCHIVED]},
        )
    return project


@transaction.atomic
def project_member_add(*, project: DiscoveryProject, user, actor, request: HttpRequest | None = None) -> ProjectMember:
    if not user.is_firm_staff:
        raise ValidationError("Only consultancy staff can be added as project members; invite client people instead.")
    member, created = ProjectMember.objects.get_or_create(project=project, user=user, defaults={"added_by": actor})
    if created:
        activity_record(
            actor=actor,
            verb="member_added",
            request=request,
            project=project,
            obj=member,
            object_repr=user.display_name,
        )
    return member


@transaction.atomic
def project_member_remove(*, member: ProjectMember, actor, request: HttpRequest | None = None) -> None:
    project, name = member.project, member.user.display_name
    member.delete()
    activity_record(actor=actor, verb="member_removed", request=request, project=project, object_repr=name)


@transaction.atomic
def participant_remove(*, participant: ClientParticipant, actor, request: HttpRequest | None = None) -> None:
    project, name = participant.project, participant.user.display_name
    participant.delete()
    activity_record(actor=actor, verb="participant_removed", request=request, project=project, object_repr=name)


@transaction.atomic
def participant_update(
    *, participant: ClientParticipant, can_edit: bool, is_signatory: bool, actor, request: HttpRequest | None = None
) -> ClientParticipant:
    before = _snapshot(participant, ("can_edit", "is_signatory"))
    participant.can_edit, participant.is_signatory = can_edit, is_signatory
    participant.save(update_fields=["can_edit", "is_signatory"])
    changes = _changed_fields(participant, before, ("can_edit", "is_signatory"))
    if changes:
        activity_record(
            actor=actor,
            verb="participant_changed",
            request=request,
            project=participant.project,
            obj=participant,
            object_repr=participant.user.display_name,
            changes=changes,
        )
    return participant


# --- Invitations ----------------------------------------------------------------------------------------------------
@transaction.atomic
def invitation_create(
    *,
    project: DiscoveryProject,
    email: str,
    first_name: str,
    last_name: str = "",
    role_title: str = "",
    can_edit: bool = False,
    is_signatory: bool = False,
    actor,
    request: HttpRequest | None = None,
) -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link (after commit). Returns the invitation and the raw token."""
    email = email.strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and existing.role != "client":
        raise ValidationError("That e-mail belongs to a consultancy staff account; add them as a member instead.")
    if existing is not None and existing.client_id not in (None, project.client_id):
        raise ValidationError("That person belongs to another client organisation and cannot join this project.")
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        project=project,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role_title=role_title,
        can_edit=can_edit,
        is_signatory=is_signatory,
        token_hash=hash_token(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITE_VALID_DAYS),
    )
    link = settings.SITE_URL + reverse("accept_invite", args=[token])
    activity_record(
        actor=actor,
        verb="stakeholder_invited",
        request=request,
        project=project,
        obj=invitation,
        object_repr=email,
        changes={"can_edit": can_edit, "is_signatory": is_signatory},
    )
    body = render_to_string(
        "emails/invitation.txt",
        {"invitation": invitation, "link": link, "inviter": actor, "days": settings.INVITE_VALID_DAYS},
    )
    transaction.on_commit(
        lambda: send_mail(
            f"You are invited to scope “{project.name}” on Firstslice",
            body,
            None,
            [email],
            fail_silently=True,
        )
    )
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    """Find a usable invitation; unknown, used and expired tokens all give None."""
    if not token or len(token) > 100:
        return None
    invitation = (
        Invitation.objects.select_related("project", "project__client").filter(token_hash=hash_token(token)).first()
    )
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str, request: HttpRequest | None = None):
    """Consume an invitation: create (or reuse) the stakeholder's account and join the project.

    Locks the row so that two simultaneous clicks cannot both use one link.
    """
    invitation = (
        Invitation.objects.select_for_update().filter(token_hash=hash_token(token)).select_related("project").first()
    )
    if invitation is None or not invitation.is_usable:
        raise ValidationError("This invitation link is not valid any more. Ask your consultant for a new one.")
    project = invitation.project
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User(
            username=_free_username(invitation.email),
            email=invitation.email,
            first_name=invitation.first_name,
            last_name=invitation.last_name,
            role="client",
            client=project.client,
        )
    user.set_password(password)
    user.save()
    participant, _ = ClientParticipant.objects.update_or_create(
        project=project,
        user=user,
        defaults={
            "can_edit": invitation.can_edit,
            "is_signatory": invitation.is_signatory,
            "role_title": invitation.role_title,
        },
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    activity_record(
        actor=user,
        verb="invitation_accepted",
        request=request,
        project=project,
        obj=participant,
        object_repr=user.display_name,
    )
    return user


def _free_username(email: str) -> str:
    base = email.split("@")[0][:140] or "stakeholder"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate
