"""The geometry of the reports' charts, computed on the server: pure functions, no SVG strings.

The viewBox is sized for a phone (320 units wide, as wide as a 360 px screen's content): a label of ``FONT_SIZE``
units renders at least 11 px there, and a wider screen draws the chart larger (app.css caps its width).

Bars are drawn as one stroked SVG path in a coordinate system one unit per slot wide, so that each bar is a move
to its top and a line down to the same baseline (``m1,-87V140``): only the height changes from bar to bar and
gzip keeps the rest, about two bytes a bar, so a chart of 260 weeks still fits a fragment's budget.
"""

from dataclasses import dataclass

# The drawing area inside the viewBox, in its units (the SVG scales to the page width).
WIDTH, HEIGHT = 320, 190
# Room left of the bars for the scale's labels, above them for the vertical axis's title, and below them for the
# first and last dates and the horizontal axis's title.
LEFT, TOP, BOTTOM = 52, 20, 36
# Every label's size in viewBox units: 12 units are 12.6 px on a 360 px phone (336 px of content).
FONT_SIZE = 12
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
    top_margin: int = TOP
    font_size: int = FONT_SIZE

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
        whole unit (the chart is about 130 units high). A bar of no height draws nothing."""
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
    plot_width, plot_height = width - LEFT, height - TOP - BOTTOM
    slot = plot_width / len(values)
    bar_width = min(slot * BAR_SHARE, MAX_BAR_WIDTH)
    bars = []
    for index, value in enumerate(values):
        bar_height = plot_height * max(value, 0) / top
        x = LEFT + index * slot + (slot - bar_width) / 2
        bars.append(Bar(round(x, 1), round(TOP + plot_height - bar_height, 1), round(bar_width, 1),
                        round(bar_height, 1), value))
    return BarChart(bars, top, width, height)


# Horizontal bars: the axis's title (what the bars measure) on the first line; then each row is its label on a line
# and its bar with its value written after it.
TITLE_ROOM = 20
ROW_LABEL, ROW_BAR, ROW_GAP = 14, 14, 8
ROW_HEIGHT = ROW_LABEL + ROW_BAR + ROW_GAP
# Room right of the longest bar for its value ("Rp 1.250.000", "12,5%").
VALUE_ROOM = 92
# A label longer than this many characters is cut (with "…"): at 12 units a character, about the chart's width.
MAX_LABEL = 44


@dataclass(frozen=True)
class HorizontalBar:
    """One row: its label and value as text, its bar's length (0: none drawn, e.g. a rate on too few cases), and
    the y of its label's baseline; the bar lies below the label."""

    label: str
    text: str
    length: float
    y: float

    @property
    def bar_y(self) -> float:
        return self.y + 4

    @property
    def text_x(self) -> float:
        return round(self.length + 4, 1)

    @property
    def text_y(self) -> float:
        return self.y + ROW_BAR + 1


@dataclass(frozen=True)
class HorizontalBars:
    """Rows of horizontal bars, each as long as its value against the largest."""

    rows: list[HorizontalBar]
    width: int = WIDTH
    font_size: int = FONT_SIZE
    bar_height: int = ROW_BAR - 2

    @property
    def height(self) -> int:
        return TITLE_ROOM + len(self.rows) * ROW_HEIGHT


def _cut(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1].rstrip() + "…"


def horizontal_bars(rows: list[tuple[str, float | None, str]], width: int = WIDTH) -> HorizontalBars:
    """Bars for ``rows`` of (label, value, text shown after the bar), in the order given, scaled so that the largest
    value spans the width less ``VALUE_ROOM``. A value of None draws no bar (its text says why); negative values
    count as 0."""
    largest = max((value for _label, value, _text in rows if value is not None), default=0)
    room = width - VALUE_ROOM
    bars = []
    for index, (label, value, text) in enumerate(rows):
        length = room * max(value, 0) / largest if value is not None and largest > 0 else 0
        bars.append(HorizontalBar(_cut(label), text, round(length, 1),
                                  TITLE_ROOM + index * ROW_HEIGHT + ROW_LABEL - 2))
    return HorizontalBars(bars, width)
