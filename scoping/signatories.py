"""Who must sign a scope: every active client signatory, plus the lead consultant.

One rule, read by the stage machine (``workflow``), the notifications and the pages. It imports only models, so
the notifications can ask it without importing the workflow that sends them.
"""

from __future__ import annotations

from dataclasses import dataclass

from scoping.models import DiscoveryProject, ScopeVersion, SignOff, SignOffDecision

__all__ = ["Signatory", "SignatoryStatus", "signatories", "signoff_statuses"]


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
