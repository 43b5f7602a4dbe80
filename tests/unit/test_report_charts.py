"""The trend chart's geometry: the scale's top, bars placed and scaled, empty data and a single point."""

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


def test_the_path_draws_every_bar_with_height_from_the_baseline():
    chart = bar_chart([2, 0, 1])
    assert chart.baseline == HEIGHT - BOTTOM
    assert chart.path.count("M") == 2  # the empty bar is not drawn
    # Three slots of 560 / 3 across; 40-wide bars centred in theirs; 2 is the top of the scale.
    assert chart.path == "M113.3,140v-140h40v140zM486.7,140v-70h40v70z"


def test_negative_values_are_drawn_as_nothing():
    assert bar_chart([-3, 4]).bars[0].height == 0
