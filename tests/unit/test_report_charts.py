"""The trend chart's geometry: the scale's top, bars placed and scaled, empty data and a single point."""

import gzip

import pytest

from campaign_app.reports.charts import BOTTOM, HEIGHT, LEFT, MAX_BAR_WIDTH, WIDTH, bar_chart, nice_top


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
    assert bar.height == HEIGHT - BOTTOM  # 5 is the top of its scale
    assert bar.y == 0


def test_bars_are_scaled_to_the_top_of_the_scale():
    chart = bar_chart([10, 5, 0])
    assert chart.top == 10
    plot_height = HEIGHT - BOTTOM
    assert [bar.height for bar in chart.bars] == [plot_height, plot_height / 2, 0]
    assert [bar.y for bar in chart.bars] == [0, plot_height / 2, plot_height]


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
    assert chart.path == "M-.5,140m1,-140V140m1,-0V140m1,-70V140"
    # Three slots of 560 / 3 across, right of the scale's labels; 40-wide bars, a fifth of a slot being 37.3.
    assert chart.transform == "translate(40) scale(186.667,1)"
    assert chart.stroke_width == "0.214"


def test_bars_are_four_fifths_of_their_slot_wide():
    chart = bar_chart([5] * 104)
    assert chart.stroke_width == "0.8" and chart.transform == "translate(40) scale(5.385,1)"


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
