"""E-mail notifications of the review and sign-off workflow.

Each ``notify_*`` function decides who hears about an event and what the message says, then queues one e-mail job
per recipient (``accounts.services.email_queue_event``, which renders ``templates/emails/<event>/subject.txt`` and
``body.txt``), published after the surrounding transaction commits (never for a change that rolled back). The words
live in those templates; the shared greeting and sign-off in ``templates/emails/base.txt``. One message per
recipient, so nobody sees the others' addresses. Nothing talks to the mail server inside the request: the job does,
with a timeout and retries, and records the outcome on its ``OutboundEmail`` row. A problem preparing a notification
is logged, never raised: e-mail trouble must not undo or break the action.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from accounts.services import email_queue_event
from scoping.scope.money import format_money
from scoping.scope.readiness import SECTION_LABELS
from scoping.signatories import signatories

logger = logging.getLogger(__name__)

__all__ = [
    "notify_approved",
    "notify_changes_requested",
    "notify_declined",
    "notify_document_ready",
    "notify_price_drift",
    "notify_review_requested",
    "notify_scope_reopened",
    "notify_signed",
    "notify_signoff_expired",
    "notify_signoff_reminder",
    "notify_signoff_requested",
]


def _link(project, name: str = "", *args: object) -> str:
    """The page the e-mail points to, or the project overview when there is none by that name."""
    if name:
        try:
            return settings.SITE_URL + reverse(name, args=args)
        except NoReverseMatch:
            # Another area's page that is not wired yet: the project overview is always there.
            logger.warning("No URL named %s; linking the project instead", name)
    return settings.SITE_URL + reverse("projects:detail", args=[project.pk])


def _people(users: Iterable, *, exclude: Iterable = ()) -> list:
    """Active users with an e-mail address, each once, in a stable order."""
    excluded = {getattr(user, "pk", user) for user in exclude if user is not None}
    seen: set[int] = set()
    people = []
    for user in users:
        if user is None or user.pk in excluded or user.pk in seen or not user.is_active or not user.email:
            continue
        seen.add(user.pk)
        people.append(user)
    return people


def _team(project) -> list:
    """The project's consultancy team: its lead and staff members."""
    members = [membership.user for membership in project.memberships.select_related("user")]
    return [project.lead_consultant, *members]


def _signatory_users(project) -> list:
    return [person.user for person in signatories(project)]


def _reviewers() -> list:
    users = get_user_model().objects.filter(is_active=True)
    reviewers = list(users.filter(role="reviewer").order_by("id"))
    return reviewers or list(users.filter(role="admin").order_by("id"))


def _send(event: str, people: Iterable, *, project, link: str = "", **context: Any) -> None:
    """Queue the event's e-mail (``templates/emails/<event>/``) to each person, addressed to them by name.

    The message links ``link``, or else the project's overview. Each message is its own e-mail job, published only
    once the surrounding transaction commits.
    """
    context.update(project=project, scope_name=f"“{project.name}” ({project.client.name})", link=link or _link(project))
    for person in people:
        email_queue_event(to=person.email, event=event, context={**context, "recipient": person}, kind="notification")


def _never_fails(notify: Callable[..., None]) -> Callable[..., None]:
    """A notification problem is logged; it must never undo or break the action that caused it."""

    @functools.wraps(notify)
    def wrapper(*args, **kwargs) -> None:
        try:
            notify(*args, **kwargs)
        except Exception:
            logger.exception("Could not prepare the %s notification", notify.__name__)

    return wrapper


# --- the events ----------------------------------------------------------------------------------------------------


@_never_fails
def notify_review_requested(*, project, version, actor) -> None:
    """Reviewers (or, if there are none, admins) hear that a version waits for them."""
    people = _people(_reviewers(), exclude=[actor])
    link = _link(project, "projects:review", project.pk)
    _send("review_requested", people, project=project, link=link, version=version, actor=actor)


@_never_fails
def notify_changes_requested(*, review) -> None:
    """The consultancy team hears what the reviewer wants changed."""
    version = review.version
    project = version.project
    comments = [(SECTION_LABELS.get(c.section, c.section), c.comment) for c in review.comments.all()]
    people = _people(_team(project), exclude=[review.reviewer])
    _send("changes_requested", people, project=project, version=version, review=review, comments=comments)


@_never_fails
def notify_approved(*, review) -> None:
    """The consultancy team hears that the version is approved and sign-off can be requested."""
    version = review.version
    project = version.project
    people = _people(_team(project), exclude=[review.reviewer])
    _send("approved", people, project=project, version=version, review=review)


@_never_fails
def notify_signoff_requested(*, project, version, actor, people=None) -> None:
    """The signatories asked now (``people``; by default every one) are asked to read and sign the exact version."""
    people = _people(_signatory_users(project) if people is None else people, exclude=[actor])
    link = _link(project, "projects:signoff", project.pk)
    _send("signoff_requested", people, project=project, link=link, version=version, actor=actor)


@_never_fails
def notify_signed(*, signoff, complete: bool) -> None:
    """The team and the other signatories hear of each signature, and when the last one completes sign-off."""
    version = signoff.version
    project = version.project
    people = _people([*_team(project), *_signatory_users(project)], exclude=[signoff.user])
    link = _link(project, "projects:signoff", project.pk)
    _send("signed", people, project=project, link=link, version=version, signoff=signoff, complete=complete)


@_never_fails
def notify_declined(*, signoff) -> None:
    """Everyone involved hears that a signatory declined, and why: the scope is back in draft."""
    version = signoff.version
    project = version.project
    reviewers = [review.reviewer for review in version.reviews.select_related("reviewer")]
    people = _people([*_team(project), *_signatory_users(project), *reviewers], exclude=[signoff.user])
    _send("declined", people, project=project, version=version, signoff=signoff)


# The stages an edit withdraws a version from; templates/emails/scope_reopened/ says what each withdrawal means.
REOPENED_FROM = ("in_review", "approved", "awaiting_signoff", "signed_off")


@_never_fails
def notify_scope_reopened(*, project, version, previous_stage: str, actor, why: str = "") -> None:
    """An edit took a frozen scope back to draft: its reviewers (or signatories, once sign-off was asked) hear it.

    In review, the reviewers (or admins) are told; after approval, the version's reviewers; from sign-off on, also
    every signatory. The project's team hears it too, except the person who edited.
    """
    if previous_stage not in REOPENED_FROM or version is None:
        return
    people = list(_team(project))
    if previous_stage == "in_review":
        people += _reviewers()
    else:
        people += [review.reviewer for review in version.reviews.select_related("reviewer")]
    if previous_stage in ("awaiting_signoff", "signed_off"):
        people += _signatory_users(project)
    people = _people(people, exclude=[actor])
    _send(
        "scope_reopened", people, project=project, version=version, actor=actor, previous_stage=previous_stage, why=why
    )


@_never_fails
def notify_document_ready(document) -> None:
    """Whoever asked for a PDF hears it is ready; for a signed PDF, every signatory and the team do too.

    Call it when a document's status becomes ready (the render job does). Safe outside a transaction:
    ``on_commit`` then sends at once. Never raises, so a mail problem cannot mark a good document as failed.
    """
    version = document.version
    project = version.project
    people = [document.requested_by]
    if document.kind == "signed":
        people += [*_team(project), *_signatory_users(project)]
    link = _link(project, "projects:document_download", project.pk, document.pk)
    kind = document.get_kind_display().lower()
    _send("document_ready", _people(people), project=project, link=link, version=version, document=document, kind=kind)


@dataclass(frozen=True)
class _Addressee:
    """Someone named in a scope (an owner) who may have no account: an e-mail address and a name to greet."""

    email: str
    display_name: str


def _owners(scope) -> list[_Addressee]:
    ownership = scope.get("ownership") or {}
    owners = []
    for key in ("business_owner", "technical_owner"):
        owner = ownership.get(key) or {}
        address = str(owner.get("email") or "").strip()
        if "@" in address:
            owners.append(_Addressee(email=address, display_name=str(owner.get("name") or "").strip() or address))
    return owners


@_never_fails
def notify_price_drift(*, drift) -> None:
    """A signed scope's owners and its lead hear that the catalogue moved its economics or retires its model.

    Owners are read from the signed version (they need no account); each address gets one message.
    """
    version = drift.version
    project = drift.project
    currency = str(drift.details.get("currency") or project.currency or "")
    people = [*_owners(version.scope), *_people([project.lead_consultant])]
    seen: set[str] = set()
    unique = []
    for person in people:
        if person.email.lower() not in seen:
            seen.add(person.email.lower())
            unique.append(person)
    figures = {"signed_cost": "signed_cost_per_use", "envelope_top": "envelope_top", "new_cost": "new_cost_per_use"}
    money = {
        name: format_money(Decimal(drift.details[key]), currency, per_use=True) if drift.details.get(key) else "—"
        for name, key in figures.items()
    }
    _send("price_drift", unique, project=project, version=version, drift=drift, **money)


@_never_fails
def notify_signoff_reminder(*, signoff_request, project, people, actor=None) -> None:
    """Each signatory who has not signed yet is reminded, with the day the request expires.

    The caller (``scoping.review.reminders``) chose ``people`` and recorded who was reminded; this only words it.
    """
    link = _link(project, "projects:signoff", project.pk)
    version = signoff_request.version
    _send(
        "signoff_reminder",
        _people(people),
        project=project,
        link=link,
        version=version,
        actor=actor,
        expires_at=signoff_request.expires_at,
    )


@_never_fails
def notify_signoff_expired(*, signoff_request, project, signed) -> None:
    """The lead (and whoever sent the request) hears that it expired unsigned and the scope is approved again."""
    people = _people([project.lead_consultant, signoff_request.requested_by])
    link = _link(project, "projects:signoff_request", project.pk)
    version = signoff_request.version
    _send(
        "signoff_expired",
        people,
        project=project,
        link=link,
        version=version,
        expires_at=signoff_request.expires_at,
        signed=signed,
    )


@_never_fails
def notify_signing_code(*, project, version, person, code: str, code_minutes: int) -> None:
    """The 6-digit code a signatory confirms before signing; it goes to them alone, and its text is removed from the
    outbox record once sent (``accounts.services``)."""
    link = _link(project, "projects:signoff", project.pk)
    _send(
        "signing_code",
        _people([person]),
        project=project,
        link=link,
        version=version,
        code=code,
        code_minutes=code_minutes,
    )


@_never_fails
def notify_signoff_turn(*, project, version, people) -> None:
    """Signing in sequence: the group before has signed, so the next group is asked now."""
    link = _link(project, "projects:signoff", project.pk)
    _send("signoff_turn", _people(people), project=project, link=link, version=version)
