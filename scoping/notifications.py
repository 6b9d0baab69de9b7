"""E-mail notifications of the review and sign-off workflow.

Each ``notify_*`` function decides who hears about an event and what they read, then queues one e-mail job per
recipient (``accounts.services.email_queue``), published after the surrounding transaction commits (never for a
change that rolled back). One message per recipient, so nobody sees the others' addresses. Nothing talks to the
mail server inside the request: the job does, with a timeout and retries, and records the outcome on its
``OutboundEmail`` row. A problem preparing a notification is logged, never raised: e-mail trouble must not undo or
break the action.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from accounts.services import email_queue
from scoping.scope.readiness import SECTION_LABELS
from scoping.signatories import signatories

logger = logging.getLogger(__name__)

__all__ = [
    "notify_approved",
    "notify_changes_requested",
    "notify_declined",
    "notify_document_ready",
    "notify_review_requested",
    "notify_scope_reopened",
    "notify_signed",
    "notify_signoff_requested",
]


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


def _link(name: str, *args: object) -> str:
    try:
        return settings.SITE_URL + reverse(name, args=args)
    except NoReverseMatch:
        # Another area's page that is not wired yet: the project overview is always there.
        logger.warning("No URL named %s; linking the project instead", name)
        return ""


def _project_link(project) -> str:
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


def _body(user, lines: Iterable[str], link: str) -> str:
    text = [f"Hello {user.display_name},", "", *lines, ""]
    if link:
        text += [f"Open it here: {link}", ""]
    text += ["— Firstslice"]
    return "\n".join(text)


def _compose(users: Iterable, subject: str, lines: list[str], link: str) -> list[Email]:
    return [Email(to=user.email, subject=subject, body=_body(user, lines, link)) for user in users]


def _deliver(emails: list[Email]) -> None:
    """Queue each message as its own e-mail job (sent after commit by a worker, retried there on failure)."""
    for email in emails:
        email_queue(to=email.to, subject=email.subject, body=email.body, kind="notification")


def _send_after_commit(emails: list[Email]) -> None:
    """Queue the messages; each job is published only once the surrounding transaction commits."""
    if emails:
        _deliver(emails)


def _scope_name(project) -> str:
    return f"“{project.name}” ({project.client.name})"


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
    link = _link("projects:review", project.pk) or _project_link(project)
    lines = [
        f"{actor.display_name} submitted {version.label} of the scope {_scope_name(project)} for review.",
        f"Version hash (SHA-256): {version.sha256}",
    ]
    subject = f"Review requested: {project.name} {version.label}"
    _send_after_commit(_compose(_people(_reviewers(), exclude=[actor]), subject, lines, link))


@_never_fails
def notify_changes_requested(*, review) -> None:
    """The consultancy team hears what the reviewer wants changed."""
    version = review.version
    project = version.project
    lines = [f"{review.reviewer.display_name} asked for changes to {version.label} of {_scope_name(project)}."]
    if review.summary:
        lines += ["", review.summary]
    comments = list(review.comments.all())
    if comments:
        lines += ["", "Comments by section:"]
        lines += [f"- {SECTION_LABELS.get(c.section, c.section)}: {c.comment}" for c in comments]
    lines += ["", "The scope is back in draft; the comments show on the steps."]
    subject = f"Changes requested: {project.name} {version.label}"
    recipients = _people(_team(project), exclude=[review.reviewer])
    _send_after_commit(_compose(recipients, subject, lines, _project_link(project)))


@_never_fails
def notify_approved(*, review) -> None:
    """The consultancy team hears that the version is approved and sign-off can be requested."""
    version = review.version
    project = version.project
    lines = [
        f"{review.reviewer.display_name} approved {version.label} of {_scope_name(project)}.",
        "You can now request sign-off from the signatories.",
    ]
    if review.summary:
        lines += ["", review.summary]
    subject = f"Approved: {project.name} {version.label}"
    recipients = _people(_team(project), exclude=[review.reviewer])
    _send_after_commit(_compose(recipients, subject, lines, _project_link(project)))


@_never_fails
def notify_signoff_requested(*, project, version, actor) -> None:
    """Every signatory is asked to read and sign the exact version."""
    link = _link("projects:signoff", project.pk) or _project_link(project)
    lines = [
        f"{actor.display_name} asks you to sign off {version.label} of the scope {_scope_name(project)}.",
        f"You will sign exactly this version: SHA-256 {version.sha256}.",
        "Read the PDF, then sign by typing your full name, or decline with a reason.",
    ]
    subject = f"Please sign off: {project.name} {version.label}"
    _send_after_commit(_compose(_people(_signatory_users(project), exclude=[actor]), subject, lines, link))


@_never_fails
def notify_signed(*, signoff, complete: bool) -> None:
    """The team and the other signatories hear of each signature, and when the last one completes sign-off."""
    version = signoff.version
    project = version.project
    lines = [f"{signoff.typed_name} ({signoff.role}) signed {version.label} of {_scope_name(project)}."]
    if complete:
        lines.append("That was the last signature: the scope is signed off, and the signed PDF is being prepared.")
        subject = f"Signed off: {project.name} {version.label}"
    else:
        subject = f"Signed by {signoff.typed_name}: {project.name} {version.label}"
    recipients = _people([*_team(project), *_signatory_users(project)], exclude=[signoff.user])
    link = _link("projects:signoff", project.pk) or _project_link(project)
    _send_after_commit(_compose(recipients, subject, lines, link))


@_never_fails
def notify_declined(*, signoff) -> None:
    """Everyone involved hears that a signatory declined, and why: the scope is back in draft."""
    version = signoff.version
    project = version.project
    lines = [
        f"{signoff.typed_name} ({signoff.role}) declined to sign {version.label} of {_scope_name(project)}.",
        "",
        f"Their reason: {signoff.reason}",
        "",
        "The scope is back in draft. Signatures already given stay on this version.",
    ]
    subject = f"Sign-off declined: {project.name} {version.label}"
    reviewers = [review.reviewer for review in version.reviews.select_related("reviewer")]
    recipients = _people([*_team(project), *_signatory_users(project), *reviewers], exclude=[signoff.user])
    _send_after_commit(_compose(recipients, subject, lines, _project_link(project)))


_REOPENED = {
    # previous stage: (subject start, what happened, who is told besides the team)
    "in_review": ("Withdrawn from review", "It is no longer waiting for review: {label} left the review queue."),
    "approved": ("Approval withdrawn", "The approval of {label} no longer applies to the scope being worked on."),
    "awaiting_signoff": (
        "Sign-off request withdrawn",
        "The request to sign {label} is withdrawn: please do not sign it. A new version will be sent for sign-off.",
    ),
    "signed_off": (
        "Signed-off scope reopened",
        "The signatures stay on {label}; the new version will need review and sign-off again.",
    ),
}


@_never_fails
def notify_scope_reopened(*, project, version, previous_stage: str, actor, why: str = "") -> None:
    """An edit took a frozen scope back to draft: its reviewers (or signatories, once sign-off was asked) hear it.

    In review, the reviewers (or admins) are told; after approval, the version's reviewers; from sign-off on, also
    every signatory. The project's team hears it too, except the person who edited.
    """
    if previous_stage not in _REOPENED or version is None:
        return
    start, consequence = _REOPENED[previous_stage]
    label = version.label
    editor = getattr(actor, "display_name", "") or "Someone"
    lines = [
        f"{editor} edited the scope {_scope_name(project)} ({why or 'the scope was edited'}), "
        "which starts a new draft.",
        consequence.format(label=label),
    ]
    people = list(_team(project))
    if previous_stage == "in_review":
        people += _reviewers()
    else:
        people += [review.reviewer for review in version.reviews.select_related("reviewer")]
    if previous_stage in ("awaiting_signoff", "signed_off"):
        people += _signatory_users(project)
    subject = f"{start}: {project.name} {label}"
    _send_after_commit(_compose(_people(people, exclude=[actor]), subject, lines, _project_link(project)))


@_never_fails
def notify_document_ready(document) -> None:
    """Whoever asked for a PDF hears it is ready; for a signed PDF, every signatory and the team do too.

    Call it when a document's status becomes ready (the render job does). Safe outside a transaction:
    ``on_commit`` then sends at once. Never raises, so a mail problem cannot mark a good document as failed.
    """
    version = document.version
    project = version.project
    kind = document.get_kind_display().lower()
    link = _link("projects:document_download", project.pk, document.pk) or _project_link(project)
    lines = [f"The {kind} PDF of {version.label} of {_scope_name(project)} is ready."]
    if document.sha256:
        lines.append(f"File SHA-256: {document.sha256}")
    people = [document.requested_by]
    if document.kind == "signed":
        lines.append("It carries the sign-off certificate and the consultancy's digital signature.")
        people += [*_team(project), *_signatory_users(project)]
    subject = f"PDF ready: {project.name} {version.label} ({kind})"
    _send_after_commit(_compose(_people(people), subject, lines, link))
