"""Helpers of the board tests: projects in a given stage, and reading the board and its CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from scoping.models import DiscoveryProject
from tests.factories import ProjectFactory


def make_project(lead, *, stage: str = "draft", **fields) -> DiscoveryProject:
    project = ProjectFactory(lead_consultant=lead, **{k: v for k, v in fields.items() if k in ("name", "client")})
    updates = {k: v for k, v in fields.items() if k not in ("name", "client")}
    DiscoveryProject.objects.filter(pk=project.pk).update(stage=stage, **updates)
    project.refresh_from_db()
    return project


def board_cards(response) -> set[int]:
    """The pks of every card on the board page."""
    return {card.pk for column in response.context["page"].columns for card in column.cards}


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def board_url():
    return reverse("projects:board")


@pytest.fixture
def export_url():
    return reverse("projects:board_export")
