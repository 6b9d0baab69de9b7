"""Listens to the audit trail: each new ``ActivityEvent`` may raise webhook events (see ``webhooks.events``).

Connected in ``WebhooksConfig.ready``. The receiver runs inside the product's transaction, so the deliveries it
writes roll back with the write that caused them; a problem here is logged and never breaks that write.
"""

from __future__ import annotations

import logging

from django.db.models.signals import post_save
from django.dispatch import receiver

from scoping.models import ActivityEvent
from webhooks import events, services

logger = logging.getLogger(__name__)


@receiver(post_save, sender=ActivityEvent, dispatch_uid="webhooks.activity_recorded")
def activity_recorded(sender, instance: ActivityEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or not events.events_for(instance.verb, instance.changes):
        return
    try:
        services.deliveries_queue(activity=instance)  # atomic: a savepoint inside the product's transaction
    except Exception:
        logger.exception("Could not queue the webhooks of activity event %s (%s)", instance.pk, instance.verb)
