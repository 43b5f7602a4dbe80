"""The geometry of the dashboard's trend chart, computed on the server: pure functions, no SVG strings.

Bars are drawn as one SVG path (a few bytes per bar), so a chart of 260 weeks still fits the page budget.
"""

from dataclasses import dataclass

# The drawing area inside the viewBox, in its units (the SVG scales to the page width).
WIDTH, HEIGHT = 600, 160
# Room left of the bars for the scale's labels, and below them for the first and last dates.
LEFT, BOTTOM = 40, 20
# A lone bar would fill the whole width: no bar is wider than this.
MAX_BAR_WIDTH = 40


@dataclass(frozen=True)
class Bar:
    """One value's bar: left edge, top edge, width and height, in viewBox units."""

    x: float
    y: float
    width: float
    height: float
    value: int


@dataclass(frozen=True)
class BarChart:
    """Bars over a scale from 0 to ``top`` (a round number at least the largest value)."""

    bars: list[Bar]
    top: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: int = BOTTOM

    @property
    def baseline(self) -> int:
        """The y of the bars' feet (the zero line)."""
        return self.height - self.bottom

    @property
    def path(self) -> str:
        """Every bar of some height as one SVG path's ``d``: ``M x,base v-h h w v h z`` per bar."""
        return "".join(f"M{_n(bar.x)},{self.baseline}v-{_n(bar.height)}h{_n(bar.width)}v{_n(bar.height)}z"
                       for bar in self.bars if bar.height > 0)


def _n(value: float) -> str:
    """A coordinate with at most one decimal, without a trailing ``.0``: fewer bytes in the page."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_top(largest: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... at least ``largest``: the top of the scale (1 for nothing)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= largest:
                return step * factor
        step *= 10


def bar_chart(values: list[int], width: int = WIDTH, height: int = HEIGHT) -> BarChart:
    """Bars for ``values`` side by side across the drawing area, scaled so that ``nice_top`` reaches the top.

    An empty list gives no bars; a gap of a fifth of each slot separates neighbours.
    """
    top = nice_top(max(values, default=0))
    if not values:
        return BarChart([], top, width, height)
    plot_width, plot_height = width - LEFT, height - BOTTOM
    slot = plot_width / len(values)
    bar_width = min(slot * 0.8, MAX_BAR_WIDTH)
    bars = []
    for index, value in enumerate(values):
        bar_height = plot_height * max(value, 0) / top
        x = LEFT + index * slot + (slot - bar_width) / 2
        bars.append(Bar(round(x, 1), round(plot_height - bar_height, 1), round(bar_width, 1), round(bar_height, 1),
                        value))
    return BarChart(bars, top, width, height)
