"""The bench harness runs end to end on a tiny dataset, so ``make bench`` cannot rot between the times it is run.

The timings themselves are not asserted (that is what ``make bench`` is for); what is asserted is what makes them
honest: the bare WeasyPrint floor embeds the same fonts as our render, every web figure is compared with the
trivial view measured beside it, and query counts are compared across dataset sizes.
"""

from __future__ import annotations

import json

import pytest
from django.db.models import Max

from bench import dataset
from bench.measure import interleaved, median_ratio, p95
from bench.run import Config, collect, constant_query_checks, finish, table
from scoping.models import DiscoveryProject, OpenQuestion, ProjectMember, Review, ScopeVersion, Stage

SIZE = 80


def test_interleaved_runs_the_functions_in_turn_and_ratios_are_per_round():
    order = []
    samples = interleaved({"a": lambda: order.append("a"), "b": lambda: order.append("b")}, 3)
    assert order == ["a", "b", "a", "b", "a", "b"]
    assert [len(values) for values in samples.values()] == [3, 3]
    assert median_ratio([2.0, 9.0, 3.0], [1.0, 3.0, 1.0]) == 3.0  # per round 2, 3, 3, not 9 / 3 of the medians
    assert p95([float(value) for value in range(1, 21)]) == 19.0


def test_dataset_spreads_projects_over_leads_clients_and_stages(db):
    dataset.dataset_seed(SIZE)
    assert dataset.dataset_ready(SIZE)
    consultant = dataset.bench_user(dataset.CONSULTANT, "consultant")
    projects = DiscoveryProject.objects.all()
    assert projects.count() == SIZE
    assert projects.values("lead_consultant").distinct().count() == dataset.LEADS
    assert projects.values("client").distinct().count() == SIZE // 50
    in_review = projects.filter(stage=Stage.IN_REVIEW)
    assert in_review.exists()
    latest = {row["project"]: row["n"] for row in ScopeVersion.objects.values("project").annotate(n=Max("number"))}
    assert set(latest) == set(in_review.values_list("pk", flat=True))  # every project in review has a version
    assert {latest[pk] for pk in latest} == {1, 2}  # and some were sent back once before
    sent_back = Review.objects.filter(version__project__in=in_review, decision="request_changes")
    assert sent_back.count() == sum(1 for number in latest.values() if number == 2)
    assert OpenQuestion.objects.filter(status="open").count() == SIZE // 5
    assert ProjectMember.objects.filter(user=consultant).exists()
    visible = DiscoveryProject.objects.visible_to(consultant).count()
    assert 0 < visible < SIZE


def test_constant_queries_are_checked_across_sizes():
    figures = [
        {"key": "list_reviewer", "queries": 5, "checks": []},
        {"key": "list_reviewer", "queries": 5, "checks": []},
        {"key": "queue_reviewer", "queries": 4, "checks": []},
        {"key": "queue_reviewer", "queries": 6, "checks": []},
        {"key": "step_save", "queries": 20, "checks": []},
    ]
    constant_query_checks(figures, (10_000, 100_000))
    assert [finish(fig)["result"] for fig in figures] == ["PASS", "PASS", "MISS", "MISS", "info"]
    assert figures[0]["checks"][0]["target"] == "queries constant over 10k/100k"


def test_the_whole_harness_runs_on_a_tiny_dataset(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    config = Config(sizes=(SIZE,), rounds=2, pdf_rounds=1, job_rounds=1, pdf_scope="blank", job=False, live=False)
    results = collect(config, lambda size: dataset.dataset_seed(size) or "seeded")

    json.dumps(results)  # var/bench.json is written from exactly this
    figures = {fig["name"]: fig for fig in results["figures"]}
    fonts = results["pdf"]["fonts"]
    assert fonts["ours"] == fonts["bare"]
    assert "Noto-Sans-Firstslice" in fonts["bare"], fonts  # the floor honours print.css's @font-face
    trivial = next(fig for fig in results["figures"] if fig["name"].startswith("Trivial"))
    assert trivial["queries"] == 2
    keys = {fig.get("key") for fig in results["figures"]} - {None}
    assert keys == {
        "profile",
        "step_get",
        "step_save",
        "export_reviewer",
        *(
            f"{page}_{role}"
            for page in ("list", "search", "deep", "board", "queue", "api")
            for role in ("reviewer", "consultant")
        ),
    }
    export = next(fig for fig in results["figures"] if fig.get("key") == "export_reviewer")
    assert export["rows"] == DiscoveryProject.objects.count() and export["result"] == "PASS", export  # all, streamed
    for fig in results["figures"]:
        assert fig["median"] > 0 and fig["p95"] >= fig["median"], fig
        assert fig["result"] in ("PASS", "MISS", "info"), fig
        if fig.get("key") and fig["key"] != "export_reviewer":
            assert fig["floor"] == trivial["name"] and fig["ratio"] > 0, fig
        if fig.get("key", "profile") != "profile":
            assert fig["queries"] > 2 and fig["checks"], fig
    assert figures["Step save POST (production target)"]["runs"] == 2
    printed = table(results)
    for name in figures:
        assert name in printed
    assert "Not measured" not in printed  # every part 2 target has its figure


@pytest.mark.parametrize("size", [10_000, 100_000])
def test_each_dataset_has_its_own_database(size):
    from bench.run import bench_database_name

    url = "postgres://postgres@127.0.0.1:5432/fs_x"
    assert bench_database_name(url, 10_000, 10_000) == "fs_x_bench"
    assert bench_database_name(url, size, 10_000) == ("fs_x_bench" if size == 10_000 else "fs_x_bench_100k")
