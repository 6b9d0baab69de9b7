"""``manage.py scope_check``: readiness and costs of a scope file, exit status, and that it saves nothing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from scoping.models import ActivityEvent, Client, DiscoveryProject
from scoping.models.sections import OpenQuestion
from scoping.scope.costs import TIERS

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_PATH = REPO / "tests" / "fixtures" / "invoice-coding.json"
DECIMAL_STRING = re.compile(r"^-?\d+\.\d{2,}$")
MONEY_KEYS = ("variable", "fixed_monthly", "monthly_cost", "cost_per_use", "value_per_use", "monthly_net")


@pytest.fixture
def example() -> dict[str, Any]:
    return json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def blocked_file(example, tmp_path) -> Path:
    """The example with two blockers: no workflow named, and a production source fed by manual export."""
    example["production_target"]["workflow_name"] = ""
    example["data_path"]["sources"][0]["access_method"] = "manual_export"
    path = tmp_path / "blocked.json"
    path.write_text(json.dumps(example, ensure_ascii=False), encoding="utf-8")
    return path


def run(*args: str) -> tuple[str, str, int]:
    """Call the command in-process; the exit status is the one manage.py would use."""
    out, err = StringIO(), StringIO()
    try:
        call_command("scope_check", *args, stdout=out, stderr=err)
    except CommandError as problem:
        return out.getvalue(), str(problem), problem.returncode
    return out.getvalue(), err.getvalue(), 0


def run_manage_py(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "scope_check", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def test_the_example_scope_is_ready_with_score_8():
    out, _err, status = run(str(EXAMPLE_PATH))
    assert status == 0
    assert "Readiness: 8/8 gates without a blocker, ready (0 blockers" in out
    assert "BLOCKER" not in out
    launch = next(line for line in out.splitlines() if line.startswith("  launch "))
    assert launch.endswith("6,000 uses/month: monthly cost £5,034.38, cost per use £0.84, monthly net £11,765.62")
    assert "break-even:            946 uses a month" in out


def test_a_scope_with_blockers_exits_1_and_prints_each_code(blocked_file):
    out, err, status = run(str(blocked_file))
    assert status == 1
    assert "Readiness: 6/8 gates without a blocker, not ready (2 blockers" in out
    assert "BLOCKER [production_target.no_workflow] production_target.workflow_name: Name one workflow" in out
    assert "BLOCKER [data_path.hand_prepared_source] data_path.sources" in out
    assert err == "Not ready: 2 blockers."


def test_an_accepted_blocker_is_marked_but_still_counts(example, tmp_path):
    example["production_target"]["workflow_name"] = ""
    example["accepted_risks"] = [{"code": "production_target.no_workflow", "reason": "Named next week."}]
    path = tmp_path / "accepted.json"
    path.write_text(json.dumps(example), encoding="utf-8")
    out, _err, status = run(str(path))
    assert status == 1
    assert "[production_target.no_workflow] production_target.workflow_name:" in out
    assert out.count("(accepted as a risk)") == 1


def test_json_output_parses_and_carries_every_cost_key_as_decimal_strings():
    out, _err, status = run(str(EXAMPLE_PATH), "--json")
    report = json.loads(out)
    assert status == 0
    assert (report["score"], report["out_of"], report["ready"], report["findings"]) == (8, 8, True, [])
    costs = report["costs"]
    assert DECIMAL_STRING.match(costs["variable"]) and DECIMAL_STRING.match(costs["fixed_monthly"])
    assert costs["break_even_volume"] == 946
    assert set(costs["tiers"]) == set(TIERS)
    for tier in TIERS:
        for key in MONEY_KEYS:
            assert DECIMAL_STRING.match(costs["tiers"][tier][key]), (tier, key, costs["tiers"][tier][key])
        assert costs["tiers"][tier]["break_even_volume"] == 946
    assert costs["tiers"]["launch"]["monthly_cost"].startswith("5034.38")
    assert costs["fixed_monthly"] == "2200.00"


def test_json_output_lists_blocker_findings_and_exits_1(blocked_file):
    out, _err, status = run(str(blocked_file), "--json")
    report = json.loads(out)
    assert status == 1
    assert report["ready"] is False and report["score"] == 6
    codes = {finding["code"] for finding in report["findings"] if finding["severity"] == "blocker"}
    assert codes == {"production_target.no_workflow", "data_path.hand_prepared_source"}


def test_missing_cost_inputs_give_null_rather_than_a_made_up_number(example, tmp_path):
    example["cost_model"]["hosting"] = None
    path = tmp_path / "no-hosting.json"
    path.write_text(json.dumps(example), encoding="utf-8")
    report = json.loads(run(str(path), "--json")[0])
    assert report["costs"]["fixed_monthly"] is None
    assert report["costs"]["tiers"]["launch"]["monthly_cost"] is None
    assert "hosting" in report["costs"]["missing"]


@pytest.mark.parametrize(
    "content,named",
    [
        (
            b'{"schema": "firstslice.scope/1", "project": {"name": "x", "currency": "EUR"}, '
            b'"production_target": {"volume_per_month": -5, "user_count": "ten"}}',
            ["production_target.volume_per_month: must be 0 or more", "production_target.user_count: must be a whole"],
        ),
        (b'{"schema": "firstslice.scope/1",', ["(file): is not valid JSON"]),
        (b'{"schema": "other/2"}', ["schema: must be 'firstslice.scope/1'"]),
        ('{"schema": "firstslice.scope/1", "project": {"name": "Café"}}'.encode("latin-1"), ["not UTF-8"]),
    ],
)
def test_a_broken_file_exits_2_and_names_every_field(tmp_path, content, named):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    out, err, status = run(str(path))
    assert status == 2
    assert out == ""
    for text in named:
        assert text in err


def test_a_missing_file_exits_2(tmp_path):
    _out, err, status = run(str(tmp_path / "nowhere.json"))
    assert status == 2
    assert "no such file" in err


@pytest.mark.django_db
def test_it_saves_nothing_and_does_not_touch_the_database(blocked_file, django_assert_num_queries, project):
    before = [model.objects.count() for model in (DiscoveryProject, Client, ActivityEvent, OpenQuestion)]
    with django_assert_num_queries(0):
        run(str(EXAMPLE_PATH))
        run(str(blocked_file), "--json")
    assert [model.objects.count() for model in (DiscoveryProject, Client, ActivityEvent, OpenQuestion)] == before


def test_manage_py_exit_statuses_are_0_1_and_2(blocked_file, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": "firstslice.scope/1", "first_slice": {"duration_weeks": "eight"}}')

    ready = run_manage_py(str(EXAMPLE_PATH), "--json")
    blocked = run_manage_py(str(blocked_file))
    invalid = run_manage_py(str(broken))

    assert ready.returncode == 0 and json.loads(ready.stdout)["score"] == 8
    assert blocked.returncode == 1 and "[data_path.hand_prepared_source]" in blocked.stdout
    assert "Not ready: 2 blockers." in blocked.stderr
    assert invalid.returncode == 2 and invalid.stdout == ""
    assert "first_slice.duration_weeks: must be a whole number" in invalid.stderr
    assert "project: is missing" in invalid.stderr
