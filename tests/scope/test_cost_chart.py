"""The cost chart SVG: well-formed, accessible, labelled, escaped, and honest about missing inputs."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

from scoping.scope.chart import DEFAULT_TITLE, compact_number, cost_chart_svg, nice_axis

SVG = "{http://www.w3.org/2000/svg}"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def invoice_cost_model() -> dict:
    return json.loads((FIXTURES / "invoice-coding.json").read_text())["cost_model"]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it is well-formed


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def test_the_chart_is_an_accessible_svg_with_title_and_description() -> None:
    root = parse(cost_chart_svg(invoice_cost_model()))

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label").startswith(DEFAULT_TITLE)
    assert root.find(f"{SVG}title").text == DEFAULT_TITLE
    description = root.find(f"{SVG}desc").text
    assert "Break-even at 946 uses a month." in description
    assert "£2,200.00 fixed" in description
    assert "Model: self-hosted 8B model." in description


def test_the_chart_marks_the_three_tiers_with_labelled_lines() -> None:
    root = parse(cost_chart_svg(invoice_cost_model()))

    tier_groups = {group.get("class"): group for group in root.iter(f"{SVG}g") if "tier" in group.get("class", "")}
    assert set(tier_groups) == {"tier tier-pilot", "tier tier-launch", "tier tier-scale"}
    labels = {name: "".join(group.find(f"{SVG}text").itertext()) for name, group in tier_groups.items()}
    assert labels == {
        "tier tier-pilot": "Pilot 1,500",
        "tier tier-launch": "Launch 6,000",
        "tier tier-scale": "Scale 9,000",
    }
    for group in tier_groups.values():
        line = group.find(f"{SVG}line")
        assert line.get("x1") == line.get("x2")
        assert line.get("stroke-dasharray")


def test_the_break_even_marker_carries_its_volume() -> None:
    # break-even of the invoice example is ceil(2200 / (2.80 − 0.47239…)) = 946;
    # monthly cost there is 2200 + 946 × 0.47239… = 2646.89
    root = parse(cost_chart_svg(invoice_cost_model()))

    marker = next(group for group in root.iter(f"{SVG}g") if group.get("class") == "break-even")
    assert marker.get("data-volume") == "946"
    assert marker.find(f"{SVG}circle") is not None
    assert "".join(marker.find(f"{SVG}text").itertext()) == "Break-even 946 uses/month (£2,646.89)"


def test_the_x_axis_runs_past_the_scale_volume_and_the_lines_use_distinct_dashes() -> None:
    root = parse(cost_chart_svg(invoice_cost_model()))

    # scale 9000 × 1.2 = 10 800 → axis rounded up to 12 500 in steps of 2 500
    assert {"0", "2.5k", "5k", "7.5k", "10k", "12.5k"} <= set(texts(root))
    cost = root.find(f"{SVG}polyline[@class='monthly-cost']")
    value = root.find(f"{SVG}polyline[@class='monthly-value']")
    assert cost.get("stroke") == "#000000" and cost.get("stroke-dasharray") is None
    assert value.get("stroke-dasharray") == "9 5"


def test_the_x_axis_stretches_to_a_break_even_beyond_the_scale_volume() -> None:
    # fixed 10 000, variable 0.50, value 1.50 → margin 1.00 → break-even 10 000 > scale 5 000;
    # axis 1.2 × 10 000 = 12 000 → rounded up to 12 500
    model = dict(
        invoice_cost_model(),
        calls_per_use=0,
        review_rate_pct=0,
        other_per_use="0.50",
        hosting="10000",
        monitoring="0",
        maintenance_hours=0,
        manual_minutes=0,
        other_value_per_use="1.50",
        tiers={"pilot": 100, "launch": 1000, "scale": 5000},
    )
    root = parse(cost_chart_svg(model))

    marker = next(group for group in root.iter(f"{SVG}g") if group.get("class") == "break-even")
    assert marker.get("data-volume") == "10000"
    assert "12.5k" in texts(root)


def test_a_scope_that_never_breaks_even_says_so_on_the_chart() -> None:
    root = parse(cost_chart_svg(dict(invoice_cost_model(), manual_minutes=1)))

    assert "Never breaks even: each use costs more than it saves" in texts(root)
    assert not [group for group in root.iter(f"{SVG}g") if group.get("class") == "break-even"]


def test_hostile_text_is_escaped_everywhere() -> None:
    hostile = '<script>alert("x")</script> & "quotes"'
    svg = cost_chart_svg(dict(invoice_cost_model(), model=hostile), title=hostile)

    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == hostile
    assert hostile in root.find(f"{SVG}desc").text
    assert root.get("aria-label").startswith(hostile)
    assert not list(root.iter(f"{SVG}script"))


def test_the_svg_uses_only_plain_elements_and_no_external_references() -> None:
    svg = cost_chart_svg(invoice_cost_model())
    root = parse(svg)

    used = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert used <= {"svg", "title", "desc", "rect", "line", "polyline", "circle", "text", "g"}
    assert "href" not in svg
    assert "var(" not in svg
    assert "foreignObject" not in svg


def test_missing_inputs_give_a_small_chart_that_names_them() -> None:
    root = parse(cost_chart_svg(dict(invoice_cost_model(), output_price="", tiers={})))

    assert int(root.get("height")) < 100
    assert texts(root) == [
        "The cost chart needs the cost inputs.",
        "Missing: output price, pilot volume, launch volume, scale volume.",
    ]
    assert root.get("role") == "img"


def test_invalid_inputs_give_the_placeholder_too() -> None:
    root = parse(cost_chart_svg(dict(invoice_cost_model(), hosting="-5")))

    assert texts(root)[1] == "Missing: hosting (not usable)."


def test_axis_helpers_choose_round_steps_and_one_unit_per_axis() -> None:
    assert nice_axis(Decimal(10800)) == (Decimal(2500), Decimal(12500))
    assert nice_axis(Decimal(35000)) == (Decimal(10000), Decimal(40000))
    assert nice_axis(Decimal(0)) == (Decimal(1), Decimal(5))
    assert compact_number(Decimal(2500), (Decimal(1000), "k")) == "2.5k"
    assert compact_number(Decimal(8000)) == "8,000"
    assert compact_number(Decimal(1500000)) == "1.5M"
    assert compact_number(Decimal(0), (Decimal(1000), "k")) == "0"


def test_a_narrow_chart_wraps_its_legend_and_keeps_every_label_inside_its_width():
    svg = cost_chart_svg(invoice_cost_model(), width=360, height=340)
    root = parse(svg)
    legend = root.find(f".//{SVG}g[@class='legend']")
    assert len({text.get("y") for text in legend.iter(f"{SVG}text")}) == 2  # four items on two rows at 360 px
    marker = root.find(f".//{SVG}g[@class='break-even']/{SVG}text")
    label = "".join(marker.itertext())
    x = float(marker.get("x"))
    left = x - len(label) * 12 * 0.62 if marker.get("text-anchor") == "end" else x
    assert 0 <= left and left + len(label) * 12 * 0.62 <= 360
