"""Who must sign a scope: every active client signatory, plus the lead consultant.

One rule, read by the stage machine (``workflow``), the notifications and the pages. It imports only models, so
the notifications can ask it without importing the workflow that sends them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from scoping.models import DiscoveryProject, Invitation, ScopeVersion, SignOff, SignOffDecision

__all__ = [
    "OwnerCheck",
    "Signatory",
    "SignatoryStatus",
    "owner_checks",
    "signatories",
    "signing_group",
    "signing_turn",
    "signoff_statuses",
    "waiting_on",
]


@dataclass(frozen=True)
class Signatory:
    """Someone whose signature the scope needs: every client signatory, plus the lead consultant."""

    user: object
    role: str
    is_client: bool


@dataclass(frozen=True)
class SignatoryStatus:
    signatory: Signatory
    signoff: SignOff | None

    @property
    def state(self) -> str:
        """``signed``, ``declined`` or ``pending``."""
        return self.signoff.decision if self.signoff is not None else "pending"


def signatories(project: DiscoveryProject) -> list[Signatory]:
    """The designated signatories, client people first, then the lead consultant."""
    people = [
        Signatory(
            user=participant.user,
            role=f"{participant.role_title or 'Client signatory'} ({project.client.name})",
            is_client=True,
        )
        for participant in project.participants.filter(is_signatory=True, user__is_active=True)
        .select_related("user")
        .order_by("id")
    ]
    people.append(Signatory(user=project.lead_consultant, role="Lead consultant", is_client=False))
    return people


def signoff_statuses(project: DiscoveryProject, version: ScopeVersion | None) -> list[SignatoryStatus]:
    """Each signatory with their sign-off of ``version`` (a signature wins over an earlier refusal)."""
    people = signatories(project)
    given: dict[int, SignOff] = {}
    if version is not None:
        for signoff in SignOff.objects.filter(version=version).order_by("signed_at", "id"):
            earlier = given.get(signoff.user_id)
            if earlier is None or earlier.decision != SignOffDecision.SIGNED:
                given[signoff.user_id] = signoff
    return [SignatoryStatus(signatory=person, signoff=given.get(person.user.pk)) for person in people]


# --- signing order -------------------------------------------------------------------------------------------------

# What each group is called in a sentence ("The client's signatories sign first").
GROUP_WORDS = {True: "The client's signatories", False: "The consultancy's lead"}


def signing_group(person: Signatory, order: str) -> int:
    """1 or 2: when this person signs under the request's order (``SigningOrder``); everyone is 1 in parallel."""
    if order == "client_first":
        return 1 if person.is_client else 2
    if order == "consultancy_first":
        return 2 if person.is_client else 1
    return 1


def signing_turn(statuses: list[SignatoryStatus], order: str) -> int | None:
    """The group whose turn it is: the first with someone who has not signed; None once everyone has."""
    waiting = [signing_group(status.signatory, order) for status in statuses if status.state != SignOffDecision.SIGNED]
    return min(waiting) if waiting else None


def waiting_on(statuses: list[SignatoryStatus], order: str, person: Signatory) -> list[SignatoryStatus]:
    """Who must sign before ``person`` may: the unsigned people of earlier groups (none in parallel)."""
    mine = signing_group(person, order)
    return [
        status
        for status in statuses
        if status.state != SignOffDecision.SIGNED and signing_group(status.signatory, order) < mine
    ]


# --- the owners sign -----------------------------------------------------------------------------------------------

OWNER_ROLES = (("business_owner", "business owner"), ("technical_owner", "technical owner"))


@dataclass(frozen=True)
class OwnerCheck:
    """Whether one of the scope's named owners is among its signatories.

    ``signs``: they are. ``not_signatory``: they have an account but are not a signatory. ``invited``: invited to
    the project, not joined yet. ``no_account``: no account and no invitation, so they cannot be asked to sign.
    """

    role: str
    name: str
    state: str

    @property
    def blocks(self) -> bool:
        """A scope nobody owns after launch cannot be signed: an owner who could sign must be asked to."""
        return self.state in ("not_signatory", "invited")

    @property
    def sentence(self) -> str:
        who = f"{self.name} ({self.role})"
        return {
            "signs": f"{who} signs",
            "not_signatory": f"{who} has an account but is not a signatory: make them one on the Team tab",
            "invited": f"{who} is invited but has not joined yet: sign-off can be asked once they have",
            "no_account": f"{who} has no account here, so cannot sign; invite them as a signatory to have them sign",
        }[self.state]


def owner_checks(project: DiscoveryProject, scope: Mapping[str, Any]) -> list[OwnerCheck]:
    """The scope's business and technical owners (from the version to be signed), each with whether they sign."""
    ownership = scope.get("ownership") if isinstance(scope.get("ownership"), Mapping) else {}
    signing = {str(person.user.email or "").strip().lower() for person in signatories(project)} - {""}
    checks = []
    for key, role in OWNER_ROLES:
        owner = ownership.get(key) if isinstance(ownership.get(key), Mapping) else {}
        email = str(owner.get("email") or "").strip().lower()
        name = str(owner.get("name") or "").strip() or email
        if "@" not in email:
            continue  # readiness already refuses a scope whose owner has no e-mail; nobody to look up here
        if email in signing:
            state = "signs"
        elif get_user_model().objects.filter(email__iexact=email, is_active=True).exists():
            state = "not_signatory"
        elif Invitation.objects.filter(
            project=project,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).exists():
            state = "invited"
        else:
            state = "no_account"
        checks.append(OwnerCheck(role=role, name=name, state=state))
    return checks
