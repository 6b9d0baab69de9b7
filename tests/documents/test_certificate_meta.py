"""What the certificate states about the review: the decision as something that happened, not a button label."""

from __future__ import annotations

import pytest

from documents.render_job import _review_decision
from tests.review_support import approve, submit

pytestmark = pytest.mark.django_db


def test_the_review_decision_reads_as_what_happened(sound_project, lead, reviewer):
    submit(sound_project, lead)
    version = approve(sound_project, reviewer)

    decision = _review_decision(version)

    assert decision.startswith(f"Approved by {reviewer.display_name} on ")
    assert "Approve by" not in decision
