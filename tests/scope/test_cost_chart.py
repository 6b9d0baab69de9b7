"""The cost chart SVG: well-formed, accessible, labelled, escaped, and honest about missing inputs."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoping.scope.chart import (
    DEFAULT_TITLE,
    PER_USE_TITLE,
    compact_number,
    compact_volume,
    cost_chart_svg,
    cost_per_use_chart_svg,
    nice_axis,
)
from scoping.scope.costs import compute_costs
from scoping.scope.schema_v2 import upgrade_scope

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


# --- cost per use against volume -------------------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script> & "quotes"'


def three_step_cost_model() -> dict:
    return json.loads((FIXTURES / "invoice-coding-three-steps.json").read_text())["cost_model"]


def upgraded_cost_model() -> dict:
    """The /1 invoice fixture turned into /2: one model step carrying the old per-call fields."""
    return upgrade_scope(json.loads((FIXTURES / "invoice-coding.json").read_text()))["cost_model"]


def wide_cost_model() -> dict:
    # pilot 50 → cost per use 0.47239… + 2200 / 50 = 44.47, far above the 2.80 each use saves
    return dict(invoice_cost_model(), tiers={"pilot": 50, "launch": 5000, "scale": 200000})


def volume_ticks(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text") if element.get("class") == "volume-tick"]


def tier_points(root: ET.Element) -> dict[str, ET.Element]:
    return {
        group.get("data-tier"): group
        for group in root.iter(f"{SVG}g")
        if "tier-point" in group.get("class", "").split()
    }


def curve_points(root: ET.Element) -> set[str]:
    return set(root.find(f"{SVG}polyline[@class='cost-per-use']").get("points").split())


def to_the_cent(value: str | Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_the_cost_per_use_chart_is_an_accessible_svg_that_names_its_volume_scale() -> None:
    root = parse(cost_per_use_chart_svg(invoice_cost_model()))

    assert root.get("role") == "img"
    assert root.get("class") == "cost-chart cost-per-use-chart"
    assert root.get("data-volume-scale") == "linear"
    assert root.get("aria-label").startswith(f"{PER_USE_TITLE}. Cost per use is £0.47 plus £2,200.00")
    assert "Volume on a linear scale." in root.get("aria-label")
    assert root.find(f"{SVG}title").text == PER_USE_TITLE
    description = root.find(f"{SVG}desc").text
    assert "pilot at 1,500 uses, £1.94; launch at 6,000 uses, £0.84; scale at 9,000 uses, £0.72." in description
    assert "Break-even at 946 uses a month." in description
    assert description.endswith("Model: self-hosted 8B model.")


def test_a_wide_volume_range_gets_a_log_axis_with_ticks_at_powers_of_ten() -> None:
    # 50 → 200 000 is 4 000 times: the axis runs from 25 to 400 000, so its powers of ten are 100 … 100k
    root = parse(cost_per_use_chart_svg(wide_cost_model()))

    assert root.get("data-volume-scale") == "log"
    assert volume_ticks(root) == ["100", "1k", "10k", "100k"]
    assert "Volume on a log scale." in root.get("aria-label")
    assert "Uses per month (log scale)" in texts(root)


def test_a_narrow_volume_range_keeps_a_linear_axis_from_zero() -> None:
    # break-even 946 to scale 9 000 is under ten times: 9 000 × 1.2 rounds up to 12 500 in steps of 2 500
    root = parse(cost_per_use_chart_svg(invoice_cost_model()))

    assert volume_ticks(root) == ["0", "2.5k", "5k", "7.5k", "10k", "12.5k"]
    assert "Uses per month" in texts(root)
    assert "log" not in root.get("aria-label")


@pytest.mark.parametrize(("scale", "axis"), [(1999, "linear"), (2000, "log")])
def test_the_volume_axis_turns_logarithmic_at_twenty_times_the_lowest_volume(scale: int, axis: str) -> None:
    root = parse(
        cost_per_use_chart_svg(dict(invoice_cost_model(), tiers={"pilot": 100, "launch": 500, "scale": scale}))
    )

    assert root.get("data-volume-scale") == axis


@pytest.mark.parametrize(
    "cost_model",
    [invoice_cost_model(), upgraded_cost_model(), three_step_cost_model(), wide_cost_model()],
    ids=["v1", "v1-upgraded-to-v2", "v2-three-steps", "wide-range"],
)
def test_the_curve_passes_through_each_tiers_cost_per_use(cost_model: dict) -> None:
    result = compute_costs(cost_model)
    root = parse(cost_per_use_chart_svg(cost_model))
    points = tier_points(root)
    curve = curve_points(root)

    assert set(points) == {"pilot", "launch", "scale"}
    for tier, group in points.items():
        assert int(group.get("data-volume")) == result.tiers[tier].volume
        assert to_the_cent(group.get("data-cost-per-use")) == to_the_cent(result.tiers[tier].cost_per_use)
        circle = group.find(f"{SVG}circle")
        if "off-scale" not in group.get("class"):
            assert f"{circle.get('cx')},{circle.get('cy')}" in curve


def test_the_three_step_fixture_gives_the_figures_of_compute_costs() -> None:
    # v2 figures: variable 0.50…, so pilot 1 500 → 0.50… + 2200 / 1500 = 1.96; break-even 955
    root = parse(cost_per_use_chart_svg(three_step_cost_model()))

    assert {tier: to_the_cent(group.get("data-cost-per-use")) for tier, group in tier_points(root).items()} == {
        "pilot": Decimal("1.96"),
        "launch": Decimal("0.86"),
        "scale": Decimal("0.74"),
    }
    assert "Models: gpt-4.1-nano, claude-sonnet-4, o4-mini." in root.find(f"{SVG}desc").text


@pytest.mark.parametrize(
    "cost_model",
    [invoice_cost_model(), three_step_cost_model(), wide_cost_model()],
    ids=["v1", "v2-three-steps", "wide-range"],
)
def test_the_break_even_point_is_where_the_curve_comes_down_through_the_value_line(cost_model: dict) -> None:
    result = compute_costs(cost_model)
    root = parse(cost_per_use_chart_svg(cost_model))

    marker = root.find(f"{SVG}g[@class='break-even']")
    assert marker.get("data-volume") == str(result.break_even_volume)
    circle = marker.find(f"{SVG}circle")
    assert f"{circle.get('cx')},{circle.get('cy')}" in curve_points(root)
    value_line = root.find(f"{SVG}line[@class='value-per-use']")
    assert Decimal(value_line.get("data-value-per-use")) == result.value_per_use
    assert abs(float(circle.get("cy")) - float(value_line.get("y1"))) < 1
    # At break-even one use costs no more than it saves; one use a month fewer, it still costs more.
    variable, fixed = Fraction(result.variable), Fraction(result.fixed_monthly)
    volume = result.break_even_volume
    assert Fraction(marker.get("data-cost-per-use")) <= Fraction(result.value_per_use)
    assert variable + fixed / (volume - 1) > Fraction(result.value_per_use)
    assert f"Break-even {volume:,} uses/month" in texts(root)


def test_a_pilot_far_above_the_rest_is_marked_off_the_top_of_the_capped_axis() -> None:
    # y-axis cut at 3 × the value per use (2.80) = 8.40, with a tenth of headroom → 9.24 → rounded up to £10
    root = parse(cost_per_use_chart_svg(wide_cost_model()))

    pilot = tier_points(root)["pilot"]
    assert pilot.get("class") == "tier-point tier-pilot off-scale"
    assert pilot.find(f"{SVG}polyline[@class='off-scale-arrow']") is not None
    assert "".join(pilot.find(f"{SVG}text").itertext()) == "Pilot 50: £44.47 ↑"
    y_ticks = [text for text in texts(root) if text.startswith("£")]
    assert y_ticks[0] == "£0" and y_ticks[-1] == "£10"
    assert "The per-use axis stops at £10; pilot is above it, marked with an arrow." in root.get("aria-label")
    # The launch and scale points keep their height rather than being pressed onto the x-axis.
    bottom = max(float(line.get("y1")) for line in root.iter(f"{SVG}line") if line.get("x1") != line.get("x2"))
    launch = tier_points(root)["launch"].find(f"{SVG}circle")
    assert bottom - float(launch.get("cy")) > 15


def test_a_zero_volume_tier_has_no_cost_per_use_point() -> None:
    root = parse(cost_per_use_chart_svg(dict(invoice_cost_model(), tiers={"pilot": 10, "launch": 0, "scale": 900})))

    assert set(tier_points(root)) == {"pilot", "scale"}
    assert "launch at 0 uses, none" in root.find(f"{SVG}desc").text


def test_hostile_text_is_escaped_in_the_cost_per_use_chart() -> None:
    three_steps = three_step_cost_model()
    three_steps["steps"][1]["model"] = HOSTILE
    for cost_model in (dict(invoice_cost_model(), model=HOSTILE, currency=HOSTILE), three_steps):
        svg = cost_per_use_chart_svg(cost_model, title=HOSTILE)

        assert "<script>" not in svg and "<SCRIPT>" not in svg
        root = parse(svg)
        assert root.find(f"{SVG}title").text == HOSTILE
        assert root.get("aria-label").startswith(HOSTILE)
        assert HOSTILE in root.find(f"{SVG}desc").text
        assert not list(root.iter(f"{SVG}script"))


def test_control_characters_pasted_into_a_name_are_dropped_so_the_svg_stays_well_formed() -> None:
    root = parse(cost_per_use_chart_svg(dict(invoice_cost_model(), model="self-\x00hosted\x0b 8B", currency="\x1bGBP")))

    assert root.find(f"{SVG}desc").text.endswith("Model: self-hosted 8B.")
    assert "pilot at 1,500 uses, GBP 1.94" in root.get("aria-label")  # an unknown code is written out, minus the escape


def test_missing_inputs_give_the_placeholder_of_the_monthly_chart() -> None:
    for broken in (dict(invoice_cost_model(), output_price="", tiers={}), dict(invoice_cost_model(), hosting="-5")):
        root = parse(cost_per_use_chart_svg(broken))

        assert int(root.get("height")) < 100
        assert texts(root) == texts(parse(cost_chart_svg(broken)))
    assert texts(parse(cost_per_use_chart_svg(dict(invoice_cost_model(), hosting="-5"))))[1] == (
        "Missing: hosting (not usable)."
    )


def test_volumes_of_a_trillion_zero_or_unusable_do_not_raise() -> None:
    trillion = parse(
        cost_per_use_chart_svg(dict(invoice_cost_model(), tiers={"pilot": 1, "launch": 10**6, "scale": 10**12}))
    )
    assert volume_ticks(trillion)[0] == "1" and volume_ticks(trillion)[-1] == "1tn"
    assert tier_points(trillion)["scale"].get("data-volume") == str(10**12)

    zero = parse(cost_per_use_chart_svg(dict(invoice_cost_model(), tiers={"pilot": 0, "launch": 0, "scale": 0})))
    assert texts(zero)[0] == "The cost per use chart needs a volume above zero."

    huge_amount = parse(cost_per_use_chart_svg(dict(invoice_cost_model(), hosting="1e500")))
    assert texts(huge_amount)[0] == "The cost per use chart cannot draw these figures."

    for odd in (None, "cost model", [], {"tiers": "many"}, {"steps": "x"}, dict(three_step_cost_model(), steps=[None])):
        assert parse(cost_per_use_chart_svg(odd)).get("role") == "img"


def test_a_narrow_cost_per_use_chart_keeps_every_label_inside_its_width() -> None:
    for cost_model in (invoice_cost_model(), wide_cost_model()):
        root = parse(cost_per_use_chart_svg(cost_model, width=360, height=340))

        for group in root.iter(f"{SVG}g"):
            if "tier-point" not in group.get("class", "") and group.get("class") != "break-even":
                continue
            text = group.find(f"{SVG}text")
            label = "".join(text.itertext())
            x, size = float(text.get("x")), float(text.get("font-size"))
            left = x - len(label) * size * 0.62 if text.get("text-anchor") == "end" else x
            assert 0 <= left and left + len(label) * size * 0.62 <= 360, label


def test_compact_volume_labels_read_alike() -> None:
    assert [compact_volume(volume) for volume in (1, 950, 1000, 1500, 12345, 10**6, 25 * 10**8, 10**12)] == [
        "1",
        "950",
        "1k",
        "1.5k",
        "12.3k",
        "1M",
        "2.5bn",
        "1tn",
    ]
    assert compact_volume(12 * 10**14) == "1.2e15"


@settings(max_examples=150, deadline=None)
@given(
    field=st.sampled_from(["hosting", "other_per_use", "manual_minutes", "input_price", "currency", "model"]),
    typed=st.one_of(
        st.text(max_size=12),
        st.integers(min_value=-(10**15), max_value=10**15).map(str),
        st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=6).map(str),
    ),
    volumes=st.tuples(*[st.one_of(st.none(), st.integers(min_value=0, max_value=10**13), st.text(max_size=4))] * 3),
    width=st.sampled_from([360, 720]),
)
def test_whatever_is_typed_the_cost_per_use_chart_is_a_well_formed_svg(
    field: str, typed: str, volumes: tuple, width: int
) -> None:
    cost_model = dict(invoice_cost_model(), tiers=dict(zip(("pilot", "launch", "scale"), volumes, strict=True)))
    cost_model[field] = typed

    root = parse(cost_per_use_chart_svg(cost_model, width=width))

    assert root.get("role") == "img"
