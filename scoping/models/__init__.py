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
from scoping.models.sessions import (
    AgendaItem,
    AttendeeKind,
    DiscoverySession,
    FieldSource,
    SessionAttendee,
    SessionNote,
)
from scoping.models.versions import (
    Review,
    ReviewComment,
    ReviewDecision,
    ScopeVersion,
    SignOff,
    SignOffDecision,
    SignOffReminder,
    SignOffRequest,
)

__all__ = [
    "ActivityEvent",
    "AgendaItem",
    "AttendeeKind",
    "DiscoverySession",
    "FieldSource",
    "SessionAttendee",
    "SessionNote",
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
    "Client",
    "ClientParticipant",
    "DiscoveryProject",
    "DiscoveryProjectQuerySet",
    "Invitation",
    "ProjectMember",
    "Stage",
    "hash_token",
]
