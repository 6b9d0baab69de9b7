"""The bench's synthetic firm: ``size`` projects spread over many clients and lead consultants.

Shape (the same at every size, so query counts can be compared across sizes):
- ``size // 50`` clients and ``LEADS`` lead consultants, round-robin over the projects;
- the measured consultant (``bench-consultant``) is one of those leads and a member of another 1/``LEADS`` of the
  projects, so they see about 5 % of the firm; the reviewer (``bench-reviewer``) sees every project;
- every stage equally often; each project in review has a frozen version (the review queue reads the latest), and
  every other one an earlier version a reviewer sent back (the board's reviewer workload reads the last review);
  every tenth project has an accepted risk (the list counts them), every fifth an open question (the board counts
  them).

Rows are written with ``bulk_create`` in batches; a marker client written last says the dataset is complete, so a
later run reuses it (``dataset_ready``).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

PROJECT_PREFIX = "Bench project"
LEADS = 40
BATCH = 5000
CONSULTANT = "bench-consultant"
REVIEWER = "bench-reviewer"
MARKER_VERSION = 3


def marker_name(size: int) -> str:
    return f"Bench dataset v{MARKER_VERSION} ({size} projects)"


def bench_user(username: str, role: str):
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"role": role, "first_name": "Bench", "last_name": role.title(), "email": f"{username}@bench.invalid"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def dataset_ready(size: int) -> bool:
    from scoping.models import Client

    return Client.objects.filter(name=marker_name(size)).exists()


def dataset_seed(size: int) -> None:
    """Write the dataset into an empty bench database (the caller makes sure it is empty)."""
    from django.db import transaction
    from django.utils import timezone

    from scoping.models import (
        AcceptedRisk,
        Client,
        DiscoveryProject,
        OpenQuestion,
        ProjectMember,
        Review,
        ScopeVersion,
        Stage,
    )

    consultant = bench_user(CONSULTANT, "consultant")
    reviewer = bench_user(REVIEWER, "reviewer")
    leads = [consultant] + [bench_user(f"bench-lead-{number:02d}", "consultant") for number in range(1, LEADS)]
    now = timezone.now()
    stages = [stage for stage, _label in Stage.choices]
    with transaction.atomic():
        clients = Client.objects.bulk_create(
            [Client(name=f"Bench client {number:05d}", industry="Bench") for number in range(max(1, size // 50))],
            batch_size=BATCH,
        )
        for start in range(0, size, BATCH):
            numbers = range(start, min(size, start + BATCH))
            projects = DiscoveryProject.objects.bulk_create(
                [
                    DiscoveryProject(
                        client=clients[number % len(clients)],
                        name=f"{PROJECT_PREFIX} {number:06d}",
                        lead_consultant=leads[number % LEADS],
                        stage=stages[number % len(stages)],
                        currency="EUR",
                        last_activity_at=now - timedelta(minutes=number),
                        stage_changed_at=now - timedelta(minutes=number),
                        readiness_score=number % 9,
                        readiness_blockers=8 - number % 9,
                    )
                    for number in numbers
                ]
            )
            in_review = [
                (number, project)
                for number, project in zip(numbers, projects, strict=True)
                if project.stage == Stage.IN_REVIEW
            ]
            sent_back = [project for number, project in in_review if (number // len(stages)) % 2 == 0]
            earlier = ScopeVersion.objects.bulk_create([_version(project, 1) for project in sent_back])
            Review.objects.bulk_create(
                [
                    Review(version=version, reviewer=reviewer, decision="request_changes", summary="Bench")
                    for version in earlier
                ]
            )
            sent_back_ids = {project.pk for project in sent_back}
            ScopeVersion.objects.bulk_create(
                [_version(project, 2 if project.pk in sent_back_ids else 1) for _number, project in in_review]
            )
            OpenQuestion.objects.bulk_create(
                [
                    OpenQuestion(project=project, question="Bench: who owns the vendor master?", status="open")
                    for number, project in zip(numbers, projects, strict=True)
                    if number % 5 == 0
                ]
            )
            AcceptedRisk.objects.bulk_create(
                [
                    AcceptedRisk(
                        project=project,
                        code="data_path.hand_prepared_source",
                        reason="Bench: the vendor master is refreshed by hand weekly.",
                        accepted_by=project.lead_consultant,
                        accepted_by_name="Bench",
                    )
                    for number, project in zip(numbers, projects, strict=True)
                    if number % 10 == 0
                ]
            )
            ProjectMember.objects.bulk_create(
                [
                    ProjectMember(project=project, user=consultant, added_by=consultant)
                    for number, project in zip(numbers, projects, strict=True)
                    if number % LEADS == LEADS // 2
                ]
            )
        Client.objects.create(name=marker_name(size), industry="Bench marker")


def _version(project, number: int):
    from scoping.models import ScopeVersion

    return ScopeVersion(
        project=project,
        number=number,
        canonical_json="{}",
        scope={},
        sha256=hashlib.sha256(f"{project.name} v{number}".encode()).hexdigest(),
        readiness={"score": project.readiness_score},
        frozen_by=project.lead_consultant,
        frozen_by_name="Bench",
    )
