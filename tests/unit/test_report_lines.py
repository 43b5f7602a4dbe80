"""The survival curves' line charts: shares placed on a 0–100 % scale by months since the sign-up month, gaps where
no share is drawn, a legend and a dash pattern per line when there are several."""

from campaign_app.reports.charts import BOTTOM, HEIGHT, TOP
from campaign_app.reports.lines import DASHES, LEGEND_LABEL, line_chart, share_y


def test_a_share_is_placed_between_the_baseline_at_0_and_the_top_at_100_percent():
    assert (share_y(0.0), share_y(1.0), share_y(0.5)) == (HEIGHT - BOTTOM, TOP, (HEIGHT - BOTTOM + TOP) / 2)


def test_months_run_from_the_left_axis_to_the_right_end():
    chart = line_chart([("A", [1.0] * 13)], 13)
    assert chart.x(0) == chart.left and chart.x(12) == chart.width - chart.right


def test_a_month_with_no_share_breaks_the_line():
    [line] = line_chart([("A", [1.0, 0.5, None, 0.25])], 13).lines
    assert line.path.count("M") == 2 and line.path.count("L") == 1 and len(line.dots) == 3


def test_a_curve_with_no_share_draws_nothing():
    [line] = line_chart([("A", [None] * 13)], 13).lines
    assert line.path == "" and line.dots_path == ""


def test_only_the_months_shown_are_drawn():
    [line] = line_chart([("A", [1.0] * 25)], 13).lines
    assert len(line.dots) == 13


def test_one_line_has_no_legend_several_have_one_and_a_dash_pattern_each():
    assert not line_chart([("A", [1.0])], 13).legend
    chart = line_chart([(name, [1.0]) for name in "ABCD"], 13)
    assert chart.legend and chart.height > chart.plot_height
    assert [line.dash for line in chart.lines] == list(DASHES) and len(set(DASHES)) == 4


def test_a_long_name_is_cut_in_the_legend():
    [line, _other] = line_chart([("x" * 80, [1.0]), ("y", [1.0])], 13).lines
    assert len(line.name) == LEGEND_LABEL and line.name.endswith("…")
