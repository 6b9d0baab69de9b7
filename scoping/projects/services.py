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
from django.db import models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.services import email_queue_event
from scoping.audit import (
    activity_record,  # the audit trail's writer; re-exported, most writes import it from here
)
from scoping.live_scope import ensure_sections, export_scope
from scoping.models import (
    Client,
    ClientParticipant,
    DiscoveryProject,
    Invitation,
    ProjectMember,
    Stage,
    hash_token,
)
from scoping.realtime.broadcast import project_broadcast
from scoping.scope.readiness import evaluate

User = get_user_model()

# Every open socket of the project asks the access rule again once the change commits (scoping.realtime.consumers);
# whoever may no longer see the project is disconnected.
ACCESS_RECHECK = {"type": "access.recheck"}


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
        project_broadcast(project.pk, ACCESS_RECHECK)
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
    project_broadcast(project.pk, ACCESS_RECHECK)


@transaction.atomic
def participant_remove(*, participant: ClientParticipant, actor, request: HttpRequest | None = None) -> None:
    project, name = participant.project, participant.user.display_name
    participant.delete()
    activity_record(actor=actor, verb="participant_removed", request=request, project=project, object_repr=name)
    project_broadcast(project.pk, ACCESS_RECHECK)


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
class InvitationRefused(ValidationError):
    """The person opening the link may not accept it as they are (e.g. logged in as someone else)."""


def _invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("accept_invite", args=[token])


def _invitation_token_issue(invitation: Invitation) -> str:
    """A fresh token for the row (only its hash is stored, so any earlier link stops working) and a new expiry."""
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITE_VALID_DAYS)
    return token


def _invitation_email_queue(*, invitation: Invitation, token: str, actor) -> None:
    context = {
        "invitation": invitation,
        "link": _invitation_link(token),
        "inviter": actor,
        "days": settings.INVITE_VALID_DAYS,
        "has_account": User.objects.filter(email__iexact=invitation.email).exists(),
    }
    email_queue_event(
        to=invitation.email, event="invitation", context=context, kind="invitation", invitation=invitation
    )


def _invitation_refusal(*, project: DiscoveryProject, email: str) -> str:
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        return ""
    if not existing.is_client_stakeholder:
        return "That e-mail belongs to a consultancy staff account; add them as a member instead."
    if existing.client_id not in (None, project.client_id):
        return "That person belongs to another client organisation and cannot join this project."
    if ClientParticipant.objects.filter(project=project, user=existing).exists():
        return f"{existing.display_name} already has access to this project."
    return ""


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
    """Invite a stakeholder and e-mail the link (a job, after commit). Returns the invitation and the raw token.

    Inviting an address that already has a pending (unaccepted, unrevoked) invitation to this project refreshes
    that row — new details, new link, new expiry — instead of making a second one.
    """
    email = email.strip().lower()
    DiscoveryProject.objects.select_for_update().filter(pk=project.pk).first()  # one inviter at a time per project
    refusal = _invitation_refusal(project=project, email=email)
    if refusal:
        raise ValidationError(refusal)
    details = {
        "first_name": first_name,
        "last_name": last_name,
        "role_title": role_title,
        "can_edit": can_edit,
        "is_signatory": is_signatory,
    }
    invitation = (
        Invitation.objects.select_for_update()
        .filter(project=project, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    refreshed = invitation is not None
    if invitation is None:
        invitation = Invitation(project=project, email=email)
    for name, value in details.items():
        setattr(invitation, name, value)
    invitation.invited_by = actor
    token = _invitation_token_issue(invitation)
    invitation.save()
    changes: dict[str, Any] = {"can_edit": can_edit, "is_signatory": is_signatory}
    if refreshed:
        changes["refreshed"] = "the pending invitation was updated and sent again with a new link"
    activity_record(
        actor=actor,
        verb="stakeholder_invited",
        request=request,
        project=project,
        obj=invitation,
        object_repr=email,
        changes=changes,
    )
    _invitation_email_queue(invitation=invitation, token=token, actor=actor)
    return invitation, token


def _pending_invitation(*, project: DiscoveryProject, invitation_id: int) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update().select_related("project").filter(project=project, pk=invitation_id)
    ).first()
    if invitation is None or not invitation.is_pending:
        raise ValidationError("This invitation was already accepted or revoked.")
    return invitation


def _invitation_refresh(
    *, project: DiscoveryProject, invitation_id: int, actor, request: HttpRequest | None, verb: str
) -> tuple[Invitation, str]:
    """Issue a fresh token for a pending invitation (the old link stops working), restart its expiry, record why."""
    invitation = _pending_invitation(project=project, invitation_id=invitation_id)
    token = _invitation_token_issue(invitation)
    invitation.save(update_fields=["token_hash", "expires_at"])
    activity_record(
        actor=actor, verb=verb, request=request, project=project, obj=invitation, object_repr=invitation.email
    )
    return invitation, token


@transaction.atomic
def invitation_resend(
    *, project: DiscoveryProject, invitation_id: int, actor, request: HttpRequest | None = None
) -> Invitation:
    """E-mail a fresh link (the old one stops working) and restart the expiry."""
    invitation, token = _invitation_refresh(
        project=project, invitation_id=invitation_id, actor=actor, request=request, verb="invitation_resent"
    )
    _invitation_email_queue(invitation=invitation, token=token, actor=actor)
    return invitation


@transaction.atomic
def invitation_link_issue(
    *, project: DiscoveryProject, invitation_id: int, actor, request: HttpRequest | None = None
) -> tuple[Invitation, str]:
    """A fresh link for staff to pass on themselves (no e-mail). Only its hash is stored: shown once, then gone."""
    invitation, token = _invitation_refresh(
        project=project, invitation_id=invitation_id, actor=actor, request=request, verb="invitation_link_issued"
    )
    invitation.link_copied_at = timezone.now()
    invitation.save(update_fields=["link_copied_at"])
    return invitation, _invitation_link(token)


@transaction.atomic
def invitation_revoke(
    *, project: DiscoveryProject, invitation_id: int, actor, request: HttpRequest | None = None
) -> Invitation:
    """The link stops working at once; the row stays, so the team page and audit trail show what happened."""
    invitation = _pending_invitation(project=project, invitation_id=invitation_id)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    activity_record(
        actor=actor,
        verb="invitation_revoked",
        request=request,
        project=project,
        obj=invitation,
        object_repr=invitation.email,
    )
    project_broadcast(project.pk, ACCESS_RECHECK)
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """Find a usable invitation; unknown, used, revoked and expired tokens all give None."""
    if not token or len(token) > 100:
        return None
    invitation = (
        Invitation.objects.select_related("project", "project__client", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


def invitation_account(invitation: Invitation):
    """The existing account the invitation's address belongs to, or None if accepting creates one."""
    return User.objects.filter(email__iexact=invitation.email).first()


@transaction.atomic
def invitation_accept(*, token: str, password: str | None = None, user=None, request: HttpRequest | None = None):
    """Consume an invitation and join the project.

    - No account has the invited address yet: create one with ``password`` (the holder is then logged in).
    - An account has it: only that account, logged in as itself (``user``), may accept. Its password is never
      touched here — an invitation link must not be a way to take over an existing account.

    Locks the row so that two simultaneous clicks cannot both use one link.
    """
    invitation = (
        Invitation.objects.select_for_update().filter(token_hash=hash_token(token)).select_related("project").first()
    )
    if invitation is None or not invitation.is_usable:
        raise ValidationError("This invitation link is not valid any more. Ask your consultant for a new one.")
    project = invitation.project
    account = invitation_account(invitation)
    signed_in = user if getattr(user, "is_authenticated", False) else None
    if account is not None:
        if signed_in is None:
            raise InvitationRefused("You already have an account: log in to accept this invitation.")
        if signed_in.pk != account.pk:
            raise InvitationRefused(
                f"This invitation is for {invitation.email}, but you are logged in as {signed_in.display_name}. "
                "Log out, then open the link again."
            )
        if not account.is_client_stakeholder or account.client_id not in (None, project.client_id):
            raise InvitationRefused(
                "This invitation is for a client stakeholder of "
                f"{project.client.name}; your account cannot accept it. Ask your consultant."
            )
        user = account
        if user.client_id is None:
            user.client = project.client
            user.save(update_fields=["client"])
    else:
        if signed_in is not None:
            raise InvitationRefused(
                f"This invitation is for {invitation.email}, but you are logged in as {signed_in.display_name}. "
                "Log out, then open the link again."
            )
        if not password:
            raise ValidationError("Choose a password to create your account.")
        user = User(
            username=_free_username(invitation.email),
            email=invitation.email,
            first_name=invitation.first_name,
            last_name=invitation.last_name,
            role=Role.CLIENT,
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
