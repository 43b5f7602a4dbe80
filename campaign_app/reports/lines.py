"""The geometry of the survival curves' line charts, computed on the server: pure functions, no SVG strings.

The same viewBox as the bar charts (``charts``: 320 units wide, labels of 12 units, readable on a 360 px phone). The
vertical scale is a share, 0 % at the baseline and 100 % at the top; the horizontal one the months since the sign-up
month, M+0 at the left. A month with no share to draw (too young, or resting on too few cases) leaves a gap: the
line stops there and starts again at the next share.
"""

from dataclasses import dataclass

from campaign_app.reports.charts import BOTTOM, FONT_SIZE, HEIGHT, LEFT, TOP, WIDTH

# Room right of the last month for its label ("M+12").
RIGHT = 16
# Dash patterns that tell up to four lines apart without colour (the legend draws each beside its name).
DASHES = ("", "6 3", "2 3", "8 3 2 3")
# The legend's rows under the chart, one per line drawn when there are several; a name longer than this many
# characters is cut (with "…") to fit beside its line's sample.
LEGEND_ROW = 16
LEGEND_LABEL = 40


@dataclass(frozen=True)
class Line:
    """One curve: its name and SVG path (``M x,y L x,y …``; empty when no share is drawn), its dash pattern, and
    the (x, y) of each share drawn, a dot each (a lone share has no line)."""

    name: str
    path: str
    dash: str
    dots: tuple[tuple[float, float], ...]

    @property
    def dots_path(self) -> str:
        """Every share drawn as a dot: a move and a line of no length each, stroked with round caps."""
        return "".join(f"M{x:g},{y:g}h0" for x, y in self.dots)


@dataclass(frozen=True)
class LineChart:
    """Lines of shares over ``months`` months since the sign-up month, on a scale of 0 % to 100 %."""

    lines: list[Line]
    months: int
    legend: bool = False
    width: int = WIDTH
    plot_height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    top_margin: int = TOP
    bottom: int = BOTTOM
    font_size: int = FONT_SIZE

    @property
    def baseline(self) -> int:
        """The y of 0 %."""
        return self.plot_height - self.bottom

    @property
    def middle(self) -> float:
        """The y of 50 %."""
        return (self.top_margin + self.baseline) / 2

    @property
    def height(self) -> int:
        """The viewBox's height: the plot, and the legend's rows under it when there is one."""
        return self.plot_height + (LEGEND_ROW * len(self.lines) if self.legend else 0)

    def x(self, month: int) -> float:
        """The x of ``month`` months since the sign-up month."""
        span = max(self.months - 1, 1)
        return round(self.left + (self.width - self.left - self.right) * month / span, 1)

    def legend_y(self, index: int) -> int:
        """The y of the legend's row ``index`` (its text's baseline)."""
        return self.plot_height + LEGEND_ROW * index + 8


def share_y(share: float, top: int = TOP, baseline: int = HEIGHT - BOTTOM) -> float:
    """The y of ``share`` (0 to 1) between ``baseline`` (0 %) and ``top`` (100 %), to a tenth of a unit."""
    return round(baseline - (baseline - top) * min(max(share, 0.0), 1.0), 1)


def line_chart(series: list[tuple[str, list[float | None]]], months: int) -> LineChart:
    """A line per (name, shares by month since the sign-up month) of ``series``; a share of None is not drawn.

    With several series the chart has a legend under it and each line its own dash pattern (``DASHES``, at most
    four lines: the comparison's most)."""
    chart = LineChart([], months, legend=len(series) > 1)
    lines = []
    for index, (name, shares) in enumerate(series):
        path, dots, pen_down = [], [], False
        for month, share in enumerate(shares[:months]):
            if share is None:
                pen_down = False
                continue
            x, y = chart.x(month), share_y(share, chart.top_margin, chart.baseline)
            path.append(f"{'L' if pen_down else 'M'}{x:g},{y:g}")
            dots.append((x, y))
            pen_down = True
        name = name if len(name) <= LEGEND_LABEL else name[:LEGEND_LABEL - 1].rstrip() + "…"
        lines.append(Line(name, "".join(path), DASHES[index % len(DASHES)], tuple(dots)))
    return LineChart(lines, months, legend=chart.legend)
