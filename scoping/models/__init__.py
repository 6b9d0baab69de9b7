from scoping.models.activity import ActivityEvent
from scoping.models.prices import ModelPrice, PriceDrift
from scoping.models.projects import (
    Client,
    ClientParticipant,
    DiscoveryProject,
    DiscoveryProjectQuerySet,
    Invitation,
    ProjectMember,
    Stage,
    hash_token,
)
from scoping.models.sections import *  # noqa: F403  (the eight scope sections, rows, open questions, accepted risks)
from scoping.models.sessions import DiscoverySession, FieldSource
from scoping.models.versions import (
    Review,
    ReviewComment,
    ReviewDecision,
    ScopeVersion,
    SigningCode,
    SigningIdentity,
    SigningOrder,
    SignOff,
    SignOffDecision,
    SignOffReminder,
    SignOffRequest,
)

__all__ = [
    "ActivityEvent",
    "DiscoverySession",
    "FieldSource",
    "ModelPrice",
    "PriceDrift",
    "Review",
    "ReviewComment",
    "ReviewDecision",
    "ScopeVersion",
    "SignOff",
    "SignOffDecision",
    "SignOffReminder",
    "SignOffRequest",
    "SigningCode",
    "SigningIdentity",
    "SigningOrder",
    "Client",
    "ClientParticipant",
    "DiscoveryProject",
    "DiscoveryProjectQuerySet",
    "Invitation",
    "ProjectMember",
    "Stage",
    "hash_token",
]
