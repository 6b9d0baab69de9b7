"""The brand colour rule: #rrggbb, and white text on it at WCAG AA contrast (4.5:1) or better."""

from __future__ import annotations

import pytest

from consultancy.colours import DEFAULT_BRAND_COLOUR, brand_colour_problem, contrast_with_white


def test_the_default_brand_colour_passes_aa_with_white_text():
    assert contrast_with_white(DEFAULT_BRAND_COLOUR) >= 4.5
    assert brand_colour_problem(DEFAULT_BRAND_COLOUR) is None


def test_the_contrast_ratio_matches_the_wcag_reference_values():
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes AA


def test_it_accepts_the_lightest_passing_grey_and_refuses_the_next_one_with_the_ratio():
    assert brand_colour_problem("#767676") is None
    assert brand_colour_problem("#777777") == (
        "White text on #777777 has a contrast ratio of 4.47:1; the proposal prints white text on the brand colour, "
        "and WCAG AA needs at least 4.5:1. Choose a darker shade."
    )


def test_it_refuses_a_pale_brand_colour():
    assert brand_colour_problem("#FFCC00").startswith("White text on #ffcc00 has a contrast ratio of 1.51:1;")


@pytest.mark.parametrize("value", ["blue", "#12345", "#1234567", "14304d", "#14304g", "rgb(0,0,0)", ""])
def test_it_refuses_anything_but_a_six_digit_hex_colour(value):
    assert "is not a colour in the form #rrggbb" in brand_colour_problem(value)


def test_it_accepts_upper_case_and_surrounding_spaces():
    assert brand_colour_problem("  #14304D ") is None
