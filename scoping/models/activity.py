"""The append-only audit trail."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models

from scoping.models.projects import Stage
from scoping.scope.readiness import code_title

VERB_LABELS = {
    "login": "logged in",
    "login_failed": "failed to log in",
    "client_created": "created the client",
    "client_edited": "edited the client",
    "client_archived": "archived the client",
    "project_created": "created the project",
    "review_claimed": "took the review",
    "review_assigned": "assigned the review",
    "review_released": "gave the review back to the queue",
    "session_planned": "planned a discovery session",
    "session_cancelled": "cancelled a planned discovery session",
    "session_started": "started a discovery session",
    "session_ended": "ended a discovery session",
    "project_edited": "edited the project",
    "project_archived": "archived the project",
    "project_cloned": "started the project as a copy of another project's scope",
    "project_created_from_template": "started the project from a template",
    "member_added": "added a team member",
    "member_removed": "removed a team member",
    "stakeholder_invited": "invited a client stakeholder",
    "invitation_accepted": "accepted the invitation",
    "invitation_resent": "sent an invitation again with a new link",
    "invitation_link_issued": "issued a new invitation link to pass on",
    "invitation_revoked": "revoked an invitation",
    "profile_changed": "changed their profile",
    "password_changed": "changed their password",
    "participant_changed": "changed a stakeholder's rights",
    "participant_removed": "removed a client stakeholder",
    "section_saved": "saved a scope step",
    "engagement_saved": "saved the engagement (fees, milestones, terms)",
    "scope_written": "wrote the scope through the API",
    "model_prices_copied": "copied model prices from the catalogue into the cost model",
    "model_prices_imported": "imported model prices into the catalogue",
    "price_drift_recosted": "re-costed the scope at the catalogue's new prices",
    "model_retirement_dated": "updated a model's retirement date from the price catalogue",
    "api_token_created": "created an API token",
    "api_token_revoked": "revoked an API token",
    "webhook_endpoint_created": "added a webhook endpoint",
    "webhook_endpoint_edited": "edited a webhook endpoint",
    "webhook_secret_rotated": "gave a webhook endpoint a new secret",
    "webhook_redelivered": "redelivered a webhook",
    "question_added": "added an open question",
    "question_edited": "edited an open question",
    "question_resolved": "resolved an open question",
    "version_frozen": "saved a fixed copy of the scope",
    "document_requested": "requested a PDF",
    "document_rendered": "finished rendering a PDF",
    "document_failed": "could not render a PDF",
    "document_retried": "retried a PDF",
    "document_downloaded": "downloaded a PDF",
    "scope_submitted": "submitted the scope for review",
    "scope_reopened": "started a new draft by editing a saved version",
    "risk_accepted": "accepted a blocker as a risk",
    "risk_withdrawn": "withdrew an accepted risk",
    "review_approved": "approved the scope",
    "review_changes_requested": "requested changes to the scope",
    "signoff_requested": "requested sign-off",
    "scope_signed": "signed the scope",
    "scope_signed_off": "completed the sign-off",
    "signoff_declined": "declined to sign the scope",
    "signoff_reminded": "reminded the signatories who have not signed yet",
    "signoff_viewed": "opened the sign-off page",
    "signing_code_sent": "asked for a signing code by e-mail",
    "signing_code_verified": "confirmed their signing code",
    "signing_code_wrong": "typed a wrong signing code",
    "signoff_expired": "closed the sign-off request, which expired unsigned: the scope is approved again, "
    "and sign-off can be requested anew",
}
# Events whose object_repr is a readiness rule code.
RULE_CODE_VERBS = frozenset({"risk_accepted", "risk_withdrawn"})


# A version's object_repr is "v<number> (<short hash>)"; people read the number and the check code.
VERSION_REPR = re.compile(r"^v(?P<number>\d+) \((?P<short_hash>[0-9a-f]{12})\)$")
# Changes kept in the trail but not shown on the page: the full fingerprint is on the version and the PDF.
HIDDEN_CHANGES = frozenset({"sha256"})


# Changes recorded as a plain list of names, not as [before, after].
LIST_CHANGES = frozenset({"signatories", "sections_commented"})


def change_text(value, *, field: str = "") -> str:
    """One recorded change as words: ``[before, after]`` reads "before → after", other lists are comma-joined."""
    if isinstance(value, list | tuple):
        is_pair = len(value) == 2 and not any(isinstance(part, list | tuple | dict) for part in value)
        if is_pair and field not in LIST_CHANGES:
            before, after = (_part_text(part) for part in value)
            return f"{before} → {after}"
        return ", ".join(_part_text(part) for part in value)
    return _part_text(value)


def _part_text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_part_text(part)}" for key, part in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_part_text(part) for part in value)
    return str(value)


def _change_words(field: str, value) -> str:
    """A recorded change for people: stage labels rather than stage codes, rule titles rather than rule codes."""
    if field == "stage" and isinstance(value, list | tuple):
        labels = dict(Stage.choices)
        value = [labels.get(part, part) if isinstance(part, str) else part for part in value]
    elif field == "accepted_risks" and isinstance(value, list | tuple):
        return ", ".join(code_title(str(code)) for code in value) or "none"
    return change_text(value, field=field)


class ActivityEvent(models.Model):
    """One thing that happened. PostgreSQL refuses UPDATE and DELETE on this table (see migration 0002)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_repr = models.CharField(max_length=200, blank=True)
    verb = models.CharField(max_length=50, db_index=True)
    project = models.ForeignKey(
        "scoping.DiscoveryProject", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["project", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor_repr or 'system'} {self.verb} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Activity events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Activity events are append-only.")

    @property
    def change_rows(self) -> list[tuple[str, str]]:
        """The changes as (field, text) pairs, in the order they were recorded.

        Built here, not in the template: a template reads ``changes.items`` as the key "items" when a change is
        called that (the Failure modes step records one), so any key named like a dict method broke the page.
        """
        changes = self.changes if isinstance(self.changes, dict) else {"change": self.changes}
        return [
            (str(field).replace("_", " "), _change_words(str(field), value))
            for field, value in changes.items()
            if field not in HIDDEN_CHANGES
        ]

    @property
    def verb_label(self) -> str:
        return VERB_LABELS.get(self.verb, self.verb.replace("_", " "))

    @property
    def object_label(self) -> str:
        """What the event was about, for people: an accepted risk reads as its rule's title, not its code."""
        if self.verb in RULE_CODE_VERBS:
            return code_title(self.object_repr)
        if match := VERSION_REPR.match(self.object_repr):
            return f"version {match['number']} (check code {match['short_hash']})"
        return self.object_repr
