"""The Celery app; tasks are discovered in each installed app's tasks.py.

Also: Celery keeps Django's LOGGING (JSON lines in production) instead of installing its own handlers, and a worker
writes a heartbeat to Redis every WORKER_HEARTBEAT_INTERVAL seconds (see config/heartbeat.py), removed when it stops.
"""

from __future__ import annotations

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("firstslice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Areas inside an app keep their jobs in their own folder (scoping/sessions/tasks.py): discovered by name.
app.autodiscover_tasks(["scoping.sessions"])


def solo_worker_arguments(queue: str) -> list[str]:
    """The arguments of a one-process worker on one queue, as the tests and the bench start it (a quiet peer)."""
    return [
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"{queue}@%h",
        "-Q",
        queue,
    ]


@signals.setup_logging.connect
def _use_django_logging(**kwargs) -> None:
    """Connected, this stops Celery from installing its own handlers; Django's LOGGING is used instead."""
    # config/__init__ imports this module while Django's settings load: Django is imported once Celery starts.
    from django.conf import settings
    from django.utils.log import configure_logging

    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


@signals.worker_ready.connect
def _start_heartbeat(sender=None, **kwargs) -> None:
    from config import heartbeat  # it reads Django's settings: imported once the worker runs (see above)

    heartbeat.start_worker_heartbeat(sender.hostname)


@signals.worker_shutdown.connect
def _stop_heartbeat(sender=None, **kwargs) -> None:
    from config import heartbeat  # see _start_heartbeat

    heartbeat.stop_worker_heartbeat()
