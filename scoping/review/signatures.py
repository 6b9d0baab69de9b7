"""Sign-off: asking the designated signatories, and recording each signature or refusal.

A signature names the exact version and its hash, is append-only, and stays on the version it was given for
(editing a signed scope starts a new draft). The last signature signs the scope off and queues the signed PDF.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from config.client_ip import client_ip
from documents.services import document_request
from scoping import notifications
from scoping.audit import version_event_record
from scoping.models import (
    DiscoveryProject,
    ScopeVersion,
    SigningOrder,
    SignOff,
    SignOffDecision,
    SignOffRequest,
    Stage,
)
from scoping.projects.services import activity_record
from scoping.review.identity import code_required, identity_for, signing_code_use
from scoping.review.selectors import consent_statement, latest_review, latest_version
from scoping.review.stages import (
    REASON_MIN_LENGTH,
    STAGE_PHRASES,
    TEXT_MAX,
    TYPED_NAME_MAX,
    WorkflowError,
    day_text,
    expired_refusal,
    project_lock,
    refuse_if_archived,
    require_project_staff,
    stage_check,
    stage_move,
)
from scoping.scope.fees import proposal_gaps
from scoping.scope.readiness.lenient import as_date, as_mapping
from scoping.signatories import (
    GROUP_WORDS,
    Signatory,
    owner_checks,
    signatories,
    signing_group,
    signing_turn,
    signoff_statuses,
    waiting_on,
)

logger = logging.getLogger(__name__)


def _approved_version(locked: DiscoveryProject) -> ScopeVersion:
    version = latest_version(locked)
    review = latest_review(locked)
    if version is None or review is None or review.version_id != version.pk or review.decision != "approve":
        raise WorkflowError(
            "The latest version of this scope has not been approved. Submit it for review, and request sign-off "
            "once a reviewer approves it."
        )
    return version


# --- Expiry ------------------------------------------------------------------------------------------------------


def signoff_expiry_latest(*, project: DiscoveryProject, now: datetime) -> datetime:
    """The latest moment a request sent ``now`` may expire: SIGNOFF_EXPIRY_DAYS later, and never after the end of
    the approved proposal's ``valid_until`` day, so nobody signs a scope whose commercial offer has lapsed."""
    latest = now + timedelta(days=settings.SIGNOFF_EXPIRY_DAYS)
    version = latest_version(project)
    valid_until = as_date(as_mapping(version.scope.get("engagement")).get("valid_until")) if version else None
    if valid_until is not None:
        end_of_validity = timezone.make_aware(datetime.combine(valid_until, time.max), timezone.get_current_timezone())
        latest = min(latest, end_of_validity)
    return latest


def signoff_expiry_problem(expires_on: date | None, *, project: DiscoveryProject, now: datetime) -> str:
    """Why the chosen last day for signing cannot be used, for a person to read; "" when it can (or none is chosen)."""
    if expires_on is None:
        return ""
    today = timezone.localdate(now)
    if expires_on < today:
        return f"{day_text(expires_on)} is in the past. Choose today or a later day, or leave the default."
    latest = timezone.localtime(signoff_expiry_latest(project=project, now=now)).date()
    if expires_on > latest:
        return (
            f"A sign-off request can stay open at most {settings.SIGNOFF_EXPIRY_DAYS} days: "
            f"choose {day_text(latest)} or an earlier day."
        )
    return ""


def signoff_expiry(expires_on: date | None, *, project: DiscoveryProject, now: datetime) -> datetime:
    """When a request sent ``now`` expires: the end of the chosen day, but never later than the default."""
    latest = signoff_expiry_latest(project=project, now=now)
    if expires_on is None:
        return latest
    end_of_day = timezone.make_aware(datetime.combine(expires_on, time.max), timezone.get_current_timezone())
    return min(end_of_day, latest)


def _refuse_if_expired(locked: DiscoveryProject, version: ScopeVersion) -> None:
    """Refuse to sign a version whose latest request ran out, whether or not the expiry job has run yet."""
    if locked.stage not in (Stage.AWAITING_SIGNOFF, Stage.APPROVED):
        return  # edited, signed off or archived: the stage check says so in its own words
    latest = SignOffRequest.objects.filter(project=locked, version=version).first()
    if latest is None:
        return
    ran_out = latest.is_open and latest.expires_at <= timezone.now()
    if latest.expired_at is not None or ran_out:
        raise WorkflowError(expired_refusal(latest, locked))


def _close_open_requests(locked: DiscoveryProject, *, now: datetime | None = None) -> None:
    """Close the project's open request (signed off, declined, or replaced by a new one)."""
    SignOffRequest.objects.open().filter(project=locked).update(closed_at=now or timezone.now())


# --- Requesting sign-off -----------------------------------------------------------------------------------------


@transaction.atomic
def signoff_request(
    *,
    project: DiscoveryProject,
    actor,
    request: HttpRequest | None = None,
    expires_on: date | None = None,
    now: datetime | None = None,
    order: str = SigningOrder.PARALLEL,
) -> ScopeVersion:
    """Ask every designated signatory to sign the approved version; queues its PDF for them to read.

    ``expires_on``: the last day on which they may sign; by default SIGNOFF_EXPIRY_DAYS after the request.
    ``order`` (``SigningOrder``): in sequence, only the first group is asked now; the next when it completes.
    """
    now = now or timezone.now()
    if order not in SigningOrder.values:
        raise WorkflowError("Choose who signs first: everyone at once, the client first, or the consultancy first.")
    locked = project_lock(project)
    refuse_if_archived(locked)
    require_project_staff(actor, locked, "request sign-off")
    stage_check(locked.stage, Stage.AWAITING_SIGNOFF)
    version = _approved_version(locked)
    if problem := signoff_expiry_problem(expires_on, project=locked, now=now):
        raise WorkflowError(problem)
    people = signatories(locked)
    if not any(person.is_client for person in people):
        raise WorkflowError(
            "Sign-off needs at least one client signatory. Invite the client's signatory from the Team tab "
            "(tick “Signs off the scope for the client”), then request sign-off."
        )
    missing_owners = [check for check in owner_checks(locked, version.scope) if check.blocks]
    if missing_owners:
        raise WorkflowError(
            "The scope's owners must sign it, so that someone owns the system after launch: "
            + "; ".join(check.sentence for check in missing_owners)
            + "."
        )
    # The proposal check (DESIGN.md part 2): the client signs the engagement with the scope, so it must be complete.
    proposal = proposal_gaps(as_mapping(version.scope.get("engagement")), timezone.localdate(now))
    if proposal:
        raise WorkflowError(
            f"The proposal in {version.label} is not ready to send: "
            + " ".join(gap.message for gap in proposal)
            + " Complete the Engagement tab, then submit the scope for review again."
        )
    moved = stage_move(locked, Stage.AWAITING_SIGNOFF, original=project)
    # A request left open by an edit (the steps move the stage, not the request) gives way to this one.
    _close_open_requests(locked, now=now)
    sent = SignOffRequest.objects.create(
        project=locked,
        version=version,
        requested_by=actor,
        requested_at=now,
        expires_at=signoff_expiry(expires_on, project=locked, now=now),
        order=order,
    )
    version_event_record(
        actor=actor,
        verb="signoff_requested",
        request=request,
        project=locked,
        version=version,
        changes={
            "stage": list(moved),
            "signatories": [person.user.display_name for person in people],
            "expires": day_text(sent.expires_at),
            **({"order": sent.get_order_display()} if order != SigningOrder.PARALLEL else {}),
        },
    )
    _queue_document(version=version, kind="proposal", requested_by=actor, request=request)
    first = [person.user for person in people if signing_group(person, order) == 1]
    notifications.notify_signoff_requested(project=locked, version=version, actor=actor, people=first)
    return version


def _refuse_out_of_turn(locked: DiscoveryProject, version: ScopeVersion, person: Signatory) -> tuple[str, int | None]:
    """Refuse a signature before the earlier group has signed; returns the request's order and whose turn it is."""
    row = SignOffRequest.objects.open().filter(project=locked, version=version).first()
    order = row.order if row is not None else SigningOrder.PARALLEL
    statuses = signoff_statuses(locked, version)
    before = waiting_on(statuses, order, person)
    if before:
        names = ", ".join(status.signatory.user.display_name for status in before)
        group = GROUP_WORDS[before[0].signatory.is_client]
        raise WorkflowError(
            f"{group} sign first: still waiting for {names}. You will be e-mailed when it is your turn."
        )
    return order, signing_turn(statuses, order)


def _queue_document(*, version: ScopeVersion, kind: str, requested_by, request: HttpRequest | None):
    """Queue a PDF of the version; a broker outage must not undo a signature or a sign-off request.

    Without the broker check, the documents service still writes the queued row and, if the job cannot be
    published after commit, marks it failed with a Retry button on the Documents tab.
    """
    try:
        # A savepoint, so a failure inside the documents service cannot poison our transaction.
        with transaction.atomic():
            return document_request(
                version=version, kind=kind, requested_by=requested_by, request=request, check_broker=False
            )
    except Exception:
        logger.exception("Could not queue the %s PDF of %s (project %s)", kind, version, version.project_id)
        return None


def _signatory_for(locked: DiscoveryProject, actor) -> Signatory:
    for person in signatories(locked):
        if person.user.pk == actor.pk:
            return person
    raise WorkflowError(
        "You are not a designated signatory of this scope. Only the client's signatories and the lead consultant "
        "sign it off."
    )


def _version_awaiting_signature(locked: DiscoveryProject, version: ScopeVersion) -> None:
    if locked.stage != Stage.AWAITING_SIGNOFF:
        if locked.stage == Stage.SIGNED_OFF:
            raise WorkflowError("This scope is already signed off; there is nothing left to sign.")
        raise WorkflowError(
            f"This scope is not awaiting sign-off (it is {STAGE_PHRASES[locked.stage]}), so it cannot be signed now."
        )
    current = _approved_version(locked)
    if version.project_id != locked.pk or version.pk != current.pk:
        raise WorkflowError(
            f"{version.label} is not the version awaiting sign-off: {current.label} is. "
            f"Open {current.label}, read it, and sign that version."
        )


def _normalised_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def _request_meta(request: HttpRequest | None) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    return client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:500]


def _known_time_zone(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64:
        return ""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    return name


@transaction.atomic
def signoff_record(
    *,
    project: DiscoveryProject,
    version: ScopeVersion,
    actor,
    typed_name: str,
    consent: bool,
    request: HttpRequest | None = None,
    time_zone: str = "",
) -> SignOff:
    """Record one signatory's signature of the version awaiting sign-off (append-only).

    ``time_zone``: the signer's IANA zone from their browser, kept only when it names a real zone.

    The last signature makes the scope signed off and queues the signed PDF.
    """
    locked = project_lock(project)
    refuse_if_archived(locked)
    person = _signatory_for(locked, actor)
    _refuse_if_expired(locked, version)
    _version_awaiting_signature(locked, version)
    typed_name = " ".join((typed_name or "").split())
    if not typed_name:
        raise WorkflowError("Type your full name to sign.")
    if len(typed_name) > TYPED_NAME_MAX:
        raise WorkflowError(f"The name is too long; the limit is {TYPED_NAME_MAX} characters.")
    expected = actor.get_full_name().strip()
    if expected and _normalised_name(typed_name) != _normalised_name(expected):
        raise WorkflowError(f"Type your full name as it appears on your account: {expected}.")
    if consent is not True:
        raise WorkflowError("Tick the consent statement to sign; it names the exact version and its hash.")
    if SignOff.objects.filter(version=version, user=actor, decision=SignOffDecision.SIGNED).exists():
        raise WorkflowError(f"You have already signed {version.label}. A signature cannot be changed or repeated.")
    order, turn_before = _refuse_out_of_turn(locked, version, person)
    if code_required(person):
        signing_code_use(locked=locked, actor=actor)  # rolled back with the signature if anything below refuses

    ip, user_agent = _request_meta(request)
    try:
        with transaction.atomic():
            signoff = SignOff.objects.create(
                version=version,
                user=actor,
                decision=SignOffDecision.SIGNED,
                typed_name=typed_name,
                role=person.role[:200],
                is_client=person.is_client,
                ip=ip,
                user_agent=user_agent,
                time_zone=_known_time_zone(time_zone),
                version_sha256=version.sha256,
                consent=True,
                consent_text=consent_statement(version=version, project=locked),
                identity=identity_for(person),
            )
    except IntegrityError as error:
        raise WorkflowError(f"You have already signed {version.label}.") from error

    statuses = signoff_statuses(locked, version)
    complete = all(status.state == SignOffDecision.SIGNED for status in statuses)
    changes: dict = {"version": version.label, "sha256": version.sha256, "role": person.role}
    if complete:
        changes["stage"] = list(stage_move(locked, Stage.SIGNED_OFF, original=project))
        _close_open_requests(locked)
    activity_record(
        actor=actor,
        verb="scope_signed",
        request=request,
        project=locked,
        obj=signoff,
        object_repr=f"{version.label} as {person.role}",
        changes=changes,
    )
    if complete:
        version_event_record(
            actor=actor,
            verb="scope_signed_off",
            request=request,
            project=locked,
            version=version,
            changes={"signatories": [status.signoff.typed_name for status in statuses if status.signoff]},
        )
        _queue_document(version=version, kind="signed", requested_by=actor, request=request)
    notifications.notify_signed(signoff=signoff, complete=complete)
    turn_now = signing_turn(statuses, order)
    if (
        not complete and order != SigningOrder.PARALLEL and turn_now != turn_before
    ):  # a group completed: invite the next
        next_group = [
            status.signatory.user
            for status in statuses
            if status.state != SignOffDecision.SIGNED and signing_group(status.signatory, order) == turn_now
        ]
        notifications.notify_signoff_turn(project=locked, version=version, people=next_group)
    return signoff


@transaction.atomic
def signoff_decline(
    *,
    project: DiscoveryProject,
    version: ScopeVersion,
    actor,
    reason: str,
    request: HttpRequest | None = None,
) -> SignOff:
    """Record a signatory's refusal, with the reason; the scope returns to draft and everyone is told."""
    locked = project_lock(project)
    refuse_if_archived(locked)
    person = _signatory_for(locked, actor)
    _refuse_if_expired(locked, version)
    _version_awaiting_signature(locked, version)
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise WorkflowError(
            f"Say why you decline, so the team knows what to change (at least {REASON_MIN_LENGTH} characters)."
        )
    if len(reason) > TEXT_MAX:
        raise WorkflowError(f"The reason is too long: {len(reason)} characters; the limit is {TEXT_MAX}.")
    if SignOff.objects.filter(version=version, user=actor, decision=SignOffDecision.SIGNED).exists():
        raise WorkflowError(f"You have already signed {version.label}; a signature cannot be withdrawn.")

    ip, user_agent = _request_meta(request)
    signoff = SignOff.objects.create(
        version=version,
        user=actor,
        decision=SignOffDecision.DECLINED,
        typed_name=actor.display_name[:TYPED_NAME_MAX],
        role=person.role[:200],
        is_client=person.is_client,
        ip=ip,
        user_agent=user_agent,
        version_sha256=version.sha256,
        consent=False,
        consent_text=f"Declined to sign version {version.label} (SHA-256 {version.sha256}).",
        reason=reason,
    )
    moved = stage_move(locked, Stage.DRAFT, original=project)
    _close_open_requests(locked)
    activity_record(
        actor=actor,
        verb="signoff_declined",
        request=request,
        project=locked,
        obj=signoff,
        object_repr=f"{version.label} as {person.role}",
        changes={"stage": list(moved), "version": version.label, "reason": reason},
    )
    notifications.notify_declined(signoff=signoff)
    return signoff
