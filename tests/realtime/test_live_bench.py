"""The live bench figure runs end to end (a real uvicorn process, real sockets), here with 3 participants."""

from __future__ import annotations

import pytest

from bench.live import bench_live

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_live_figure_times_a_save_reaching_every_participant(tmp_path):
    samples = bench_live(3, participants=3, log_dir=tmp_path)
    assert samples["participants"] == 3
    assert len(samples["everyone"]) == 3 and len(samples["each"]) == 9
    assert all(0 < value < 10 for value in samples["everyone"])
    # "everyone updated" is the slowest participant of the round.
    assert max(samples["everyone"]) >= max(samples["each"]) - 1e-9
