"""The engagement timeline chart: bars and diamonds where their dates are, labels that do not overlap, odd input.

Pure: no database. The SVG is parsed as XML, so a test also proves the markup is well formed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from scoping.scope.timeline_chart import LABEL_COLUMN, RIGHT_MARGIN, phase_span, timeline_chart

SVG = "{http://www.w3.org/2000/svg}"
WIDTH = 720
PLOT = WIDTH - RIGHT_MARGIN - LABEL_COLUMN  # 534 px of axis


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it is well-formed


def groups(root: ET.Element, css_class: str) -> list[ET.Element]:
    return [element for element in root.iter(f"{SVG}g") if element.get("class") == css_class]


def two_months(**milestone_dates: str) -> dict:
    """January and February 2027 as two phases: the axis runs 1 January to 1 March (59 days)."""
    return {
        "phases": [
            {"name": "Build", "starts": "2027-01-01", "ends": "2027-01-31"},
            {"name": "Run", "starts": "2027-02-01", "ends": "2027-02-28"},
        ],
        "milestones": [{"name": name, "due": due} for name, due in milestone_dates.items()],
    }


def test_phase_bars_start_and_end_at_their_dates_on_the_axis():
    root = parsed(timeline_chart(two_months(), width=WIDTH).svg)
    build, run = groups(root, "phase")
    assert (build.get("data-name"), build.get("data-starts"), build.get("data-ends")) == (
        "Build",
        "2027-01-01",
        "2027-01-31",
    )
    assert float(build.get("data-x")) == LABEL_COLUMN
    assert float(build.get("data-width")) == pytest.approx(PLOT * 31 / 59, abs=0.01)
    assert float(run.get("data-x")) == pytest.approx(LABEL_COLUMN + PLOT * 31 / 59, abs=0.01)
    bar = build.find(f"{SVG}rect")
    assert float(bar.get("x")) == LABEL_COLUMN
    assert [tick.get("data-month") for tick in root.iter(f"{SVG}line") if tick.get("data-month")] == [
        "2027-01",
        "2027-02",
        "2027-03",
    ]


def test_a_milestone_diamond_sits_in_the_middle_of_its_due_day():
    root = parsed(timeline_chart(two_months(**{"Go live": "2027-02-01"}), width=WIDTH).svg)
    (milestone,) = groups(root, "milestone")
    x = float(milestone.get("data-x"))
    assert x == pytest.approx(LABEL_COLUMN + PLOT * 31.5 / 59, abs=0.01)
    diamond = milestone.find(f"{SVG}polygon").get("points").split()
    assert [float(point.split(",")[0]) for point in diamond] == pytest.approx([x, x + 6, x, x - 6])
    assert root.get("data-milestones") == "1"


def test_milestones_far_apart_share_a_label_row_and_close_ones_are_staggered():
    apart = parsed(timeline_chart(two_months(Kick="2027-01-05", Close="2027-02-25"), width=WIDTH).svg)
    assert [group.get("data-label-row") for group in groups(apart, "milestone")] == ["0", "0"]
    assert apart.get("data-label-rows") == "1"

    close = parsed(
        timeline_chart(
            two_months(
                **{"Data path accepted": "2027-01-20", "Labels signed off": "2027-01-21", "Go-live": "2027-01-22"}
            ),
            width=WIDTH,
        ).svg
    )
    placed = groups(close, "milestone")
    assert [group.get("data-label-row") for group in placed] == ["0", "1", "2"]
    boxes: dict[str, list[tuple[float, float]]] = {}
    for group in placed:
        boxes.setdefault(group.get("data-label-row"), []).append(
            (float(group.get("data-label-left")), float(group.get("data-label-right")))
        )
    for row in boxes.values():  # no two labels on one row overlap
        row.sort()
        assert all(left >= previous_right for (_l, previous_right), (left, _r) in zip(row, row[1:], strict=False))
    assert int(close.get("height")) > int(apart.get("height"))


def test_the_labels_stay_inside_the_drawing_at_both_ends():
    root = parsed(timeline_chart(two_months(**{"A very long first milestone name": "2027-01-01"}), width=WIDTH).svg)
    (milestone,) = groups(root, "milestone")
    assert float(milestone.get("data-label-left")) >= 0
    assert float(milestone.get("data-label-right")) <= WIDTH


def test_today_is_marked_only_when_it_falls_on_the_axis():
    inside = parsed(timeline_chart(two_months(), today=date(2027, 1, 16), width=WIDTH).svg)
    (today,) = groups(inside, "today")
    assert float(today.get("data-x")) == pytest.approx(LABEL_COLUMN + PLOT * 15.5 / 59, abs=0.01)
    assert groups(parsed(timeline_chart(two_months(), today=date(2026, 12, 1)).svg), "today") == []
    assert groups(parsed(timeline_chart(two_months()).svg), "today") == []


def test_it_is_an_accessible_image_with_a_title_and_the_plan_in_words():
    chart = timeline_chart(two_months(Launch="2027-02-10"))
    root = parsed(chart.svg)
    assert (root.get("role"), root.find(f"{SVG}title").text) == ("img", "Engagement timeline")
    assert root.find(f"{SVG}desc").text == chart.summary
    assert chart.summary == (
        "2 phases from 1 January 2027 to 28 February 2027: Build, 1 January 2027 to 31 January 2027; "
        "Run, 1 February 2027 to 28 February 2027. Milestones: Launch, due 10 February 2027."
    )
    assert chart.drawn


def test_names_are_escaped_and_the_svg_stays_well_formed():
    hostile = '<script>alert("x")</script> & "quotes"\x00'
    engagement = {
        "phases": [{"name": hostile, "starts": "2027-01-01", "ends": "2027-01-10"}],
        "milestones": [{"name": hostile, "due": "2027-01-05"}],
    }
    svg = timeline_chart(engagement).svg
    assert "<script" not in svg
    root = parsed(svg)  # would raise on a stray "<", "&" or NUL
    (phase,) = groups(root, "phase")
    assert phase.get("data-name") == '<script>alert("x")</script> & "quotes"'


@pytest.mark.parametrize("engagement", [None, "phases", [], {}, {"phases": "soon"}, {"phases": [None, 3, "x"]}])
def test_nothing_usable_gives_the_placeholder(engagement):
    chart = timeline_chart(engagement)
    root = parsed(chart.svg)
    assert root.get("data-placeholder") == "true"
    assert not chart.drawn
    assert "The timeline needs the phases' dates." in chart.svg


def test_odd_dates_draw_nothing_for_that_phase_and_the_summary_says_why():
    engagement = {
        "phases": [
            {"name": "Backwards", "starts": "2027-03-10", "ends": "2027-03-01"},
            {"name": "Undated", "starts": "", "ends": None},
            {"name": "Garbled", "starts": "2027-13-45", "ends": "next week"},
            {"name": "Good", "starts": "2027-03-01", "ends": "2027-03-31"},
            {"starts": 20270101, "ends": ["x"]},
        ],
        "milestones": [{"name": "Someday", "due": "whenever"}, "not a row", {"name": "Real", "due": "2027-03-15"}],
    }
    chart = timeline_chart(engagement, colour="red; fill: url(http://x)")
    root = parsed(chart.svg)
    assert [group.get("data-name") for group in groups(root, "phase")] == ["Good"]
    assert [group.get("data-name") for group in groups(root, "milestone")] == ["Real"]
    assert "Backwards is not drawn: it ends (1 March 2027) before it starts (10 March 2027)." in chart.summary
    assert "Undated is not drawn: it needs a start and an end date." in chart.summary
    assert "Garbled is not drawn" in chart.summary and "Phase 5 is not drawn" in chart.summary
    assert "Someday is not drawn: it has no due date." in chart.summary
    assert "url(" not in chart.svg  # an unusable colour falls back to the default


def test_only_placeholder_when_every_phase_is_unusable_even_with_dated_milestones():
    engagement = {
        "phases": [{"name": "Backwards", "starts": "2027-03-10", "ends": "2027-03-01"}],
        "milestones": [{"name": "Real", "due": "2027-03-15"}],
    }
    chart = timeline_chart(engagement)
    assert not chart.drawn
    assert "Backwards is not drawn" in chart.summary and "Real, due 15 March 2027" in chart.summary


def test_a_long_engagement_labels_fewer_months():
    engagement = {"phases": [{"name": "Programme", "starts": "2027-01-01", "ends": "2029-12-31"}]}
    root = parsed(timeline_chart(engagement).svg)
    labels = [text.text for text in root.iter(f"{SVG}text") if text.text and text.text[:3].isalpha()]
    month_labels = [label for label in labels if label.split()[0] in ("Jan", "Apr", "Jul", "Oct", "Feb", "Mar")]
    assert 6 <= len(month_labels) <= 13
    assert phase_span(engagement) == (date(2027, 1, 1), date(2029, 12, 31))
    assert phase_span({"phases": []}) is None
