from .activity import ActivityEvent
from .prices import ModelPrice
from .projects import (
    Client,
    ClientParticipant,
    DiscoveryProject,
    DiscoveryProjectQuerySet,
    Invitation,
    ProjectMember,
    Stage,
    hash_token,
)
from .sections import *  # noqa: F403  (the eight scope sections, rows, open questions, accepted risks)
from .versions import (
    Review,
    ReviewComment,
    ReviewDecision,
    ScopeVersion,
    SignOff,
    SignOffDecision,
)

__all__ = [
    "ActivityEvent",
    "ModelPrice",
    "Review",
    "ReviewComment",
    "ReviewDecision",
    "ScopeVersion",
    "SignOff",
    "SignOffDecision",
    "Client",
    "ClientParticipant",
    "DiscoveryProject",
    "DiscoveryProjectQuerySet",
    "Invitation",
    "ProjectMember",
    "Stage",
    "hash_token",
]
