"""The geometry of the dashboard's trend chart, computed on the server: pure functions, no SVG strings.

Bars are drawn as one stroked SVG path in a coordinate system one unit per slot wide, so that each bar is a move
to its top and a line down to the same baseline (``m1,-87V140``): only the height changes from bar to bar and
gzip keeps the rest, about two bytes a bar, so a chart of 260 weeks still fits a fragment's budget.
"""

from dataclasses import dataclass

# The drawing area inside the viewBox, in its units (the SVG scales to the page width).
WIDTH, HEIGHT = 600, 160
# Room left of the bars for the scale's labels, and below them for the first and last dates.
LEFT, BOTTOM = 40, 20
# A lone bar would fill the whole width: no bar is wider than this.
MAX_BAR_WIDTH = 40
# The share of its slot a bar fills: the rest is the gap between neighbours.
BAR_SHARE = 0.8


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
    def slot(self) -> float:
        """The width of each value's slot in viewBox units (the horizontal scale of ``path``)."""
        return (self.width - self.left) / len(self.bars) if self.bars else 1

    @property
    def stroke_width(self) -> str:
        """A bar's width in slots (``path``'s unit)."""
        return _n(min(BAR_SHARE, MAX_BAR_WIDTH / self.slot), 3) if self.bars else "0"

    @property
    def transform(self) -> str:
        """What places ``path``, drawn one unit per slot, on the drawing area (left of it, the scale's labels)."""
        return f"translate({self.left}) scale({_n(self.slot, 3)},1)"

    @property
    def path(self) -> str:
        """Every bar as a vertical line through the middle of its slot, to be stroked ``stroke_width`` wide under
        ``transform``: from the baseline left of the first slot, ``m1,-h V baseline`` per bar, h rounded to a
        whole unit (the chart is about 140 units high). A bar of no height draws nothing."""
        if not self.bars:
            return ""
        base = self.baseline
        return f"M-.5,{base}" + "".join(f"m1,-{round(bar.height)}V{base}" for bar in self.bars)


def _n(value: float, decimals: int = 1) -> str:
    """A number with at most ``decimals`` decimals, without trailing zeros: fewer bytes in the page."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return text or "0"


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

    An empty list gives no bars; a gap of a fifth of each slot (``BAR_SHARE``) separates neighbours.
    """
    top = nice_top(max(values, default=0))
    if not values:
        return BarChart([], top, width, height)
    plot_width, plot_height = width - LEFT, height - BOTTOM
    slot = plot_width / len(values)
    bar_width = min(slot * BAR_SHARE, MAX_BAR_WIDTH)
    bars = []
    for index, value in enumerate(values):
        bar_height = plot_height * max(value, 0) / top
        x = LEFT + index * slot + (slot - bar_width) / 2
        bars.append(Bar(round(x, 1), round(plot_height - bar_height, 1), round(bar_width, 1), round(bar_height, 1),
                        value))
    return BarChart(bars, top, width, height)
