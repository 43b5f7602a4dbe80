"""The charts' geometry: the trend's scale, bars placed and scaled, empty data and a single point; horizontal bars;
labels readable on a phone."""

import gzip

import pytest

from campaign_app.reports.charts import (
    BOTTOM,
    FONT_SIZE,
    HEIGHT,
    LEFT,
    MAX_BAR_WIDTH,
    MAX_LABEL,
    TOP,
    VALUE_ROOM,
    WIDTH,
    bar_chart,
    horizontal_bars,
    nice_top,
)

# The narrowest content a chart is drawn in: a 360 px phone less the page's padding and a card's.
PHONE_CONTENT_PX = 360 - 24 - 32


@pytest.mark.parametrize("largest, top", [(0, 1), (1, 1), (2, 2), (3, 5), (7, 10), (10, 10), (11, 20), (45, 50),
                                          (51, 100), (180, 200), (201, 500), (1_234_567, 2_000_000)])
def test_the_scale_tops_at_the_next_round_number(largest, top):
    assert nice_top(largest) == top


def test_no_values_give_no_bars_and_an_empty_path():
    chart = bar_chart([])
    assert chart.bars == [] and chart.path == "" and chart.top == 1


def test_a_single_value_is_one_centred_bar_no_wider_than_the_maximum():
    (bar,) = bar_chart([5]).bars
    assert bar.width == MAX_BAR_WIDTH
    assert bar.x + bar.width / 2 == pytest.approx(LEFT + (WIDTH - LEFT) / 2)
    assert bar.height == HEIGHT - TOP - BOTTOM  # 5 is the top of its scale
    assert bar.y == TOP


def test_bars_are_scaled_to_the_top_of_the_scale():
    chart = bar_chart([10, 5, 0])
    assert chart.top == 10
    plot_height = HEIGHT - TOP - BOTTOM
    assert [bar.height for bar in chart.bars] == [plot_height, plot_height / 2, 0]
    assert [bar.y for bar in chart.bars] == [TOP, TOP + plot_height / 2, TOP + plot_height]


def test_bars_share_the_width_in_order_with_a_gap():
    chart = bar_chart([1] * 20)
    slot = (WIDTH - LEFT) / 20
    assert [bar.width for bar in chart.bars] == [round(slot * 0.8, 1)] * 20
    lefts = [bar.x for bar in chart.bars]
    assert lefts == sorted(lefts)
    assert lefts[0] >= LEFT and lefts[-1] + chart.bars[-1].width <= WIDTH


def test_the_path_draws_every_bar_from_the_baseline_one_slot_apart():
    chart = bar_chart([2, 0, 1])
    assert chart.baseline == HEIGHT - BOTTOM
    # From left of the first slot, one slot right and up to each bar's top, then down to the baseline: 2 is the
    # top of the scale; the empty bar is a line of no length, which draws nothing.
    assert chart.path == "M-.5,154m1,-134V154m1,-0V154m1,-67V154"
    # Three slots of 268 / 3 across, right of the scale's labels; 40-wide bars, less than four fifths of a slot.
    assert chart.transform == "translate(52) scale(89.333,1)"
    assert chart.stroke_width == "0.448"


def test_bars_are_four_fifths_of_their_slot_wide():
    chart = bar_chart([5] * 104)
    assert chart.stroke_width == "0.8" and chart.transform == "translate(52) scale(2.577,1)"


def test_the_path_costs_a_few_bytes_a_bar():
    # Two years of weeks: the bars' markup is what grows with the span of the trend.
    path = bar_chart([(n * 7919) % 1000 for n in range(104)]).path
    assert len(path) < 104 * 11
    assert len(gzip.compress(path.encode())) < 104 * 3


def test_an_empty_chart_has_no_stroke():
    chart = bar_chart([])
    assert chart.stroke_width == "0" and chart.slot == 1


def test_negative_values_are_drawn_as_nothing():
    assert bar_chart([-3, 4]).bars[0].height == 0


def test_labels_render_at_least_11_px_on_a_phone():
    # The viewBox is drawn across the content's width: a unit is PHONE_CONTENT_PX / WIDTH pixels.
    assert FONT_SIZE * PHONE_CONTENT_PX / WIDTH >= 11
    assert horizontal_bars([("a", 1, "1")]).font_size * PHONE_CONTENT_PX / WIDTH >= 11


def test_horizontal_bars_are_as_long_as_their_value_against_the_largest():
    chart = horizontal_bars([("Palu", 10, "10"), ("Luwuk", 5, "5"), ("Poso", 0, "0")])
    room = WIDTH - VALUE_ROOM
    assert [row.length for row in chart.rows] == [room, room / 2, 0]
    assert [row.text for row in chart.rows] == ["10", "5", "0"]


def test_horizontal_bars_stack_one_row_under_the_other_below_the_axis_title():
    chart = horizontal_bars([("Palu", 1, "1"), ("Luwuk", 2, "2")])
    first, second = chart.rows
    assert 12 < first.y < second.y < chart.height
    assert first.bar_y > first.y and second.y > first.bar_y + chart.bar_height


def test_a_value_without_a_bar_keeps_its_row_and_text():
    chart = horizontal_bars([("A", None, "too few to compare"), ("B", 3, "3")])
    assert chart.rows[0].length == 0 and chart.rows[0].text == "too few to compare"
    assert chart.rows[1].length == WIDTH - VALUE_ROOM


def test_a_long_label_is_cut_to_the_chart_s_width():
    (row,) = horizontal_bars([("Lapak Pasar Rakyat " * 5, 1, "1")]).rows
    assert len(row.label) == MAX_LABEL and row.label.endswith("…")
