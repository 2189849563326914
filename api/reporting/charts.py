"""Small SVG charts laid out on the server (no front-end build, no script).

This module only computes the geometry (rectangles, lines, labels, each with its tooltip);
``reporting/templates/charts.html`` writes it as SVG, escaped like any other text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

PALETTE = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#718096")
AXIS = "#767676"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str = ""


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    colour: str
    tip: str = ""


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str = AXIS
    width: float = 1
    tip: str = ""


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass
class Chart:
    title: str
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)


def _r(value: float) -> float:
    return round(value, 1)


def _g(value: float) -> str:
    return f"{value:g}"


def nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value`` (1 for nothing)."""
    if value <= 0:
        return 1.0
    step = 1.0
    while step * 10 < value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= value:
            return step * factor
    return step * 10


def stacked_columns(
    title: str,
    categories: Sequence[str],
    columns: Sequence[tuple[str, Sequence[int]]],
    *,
    width: int = 760,
    height: int = 280,
) -> Chart:
    """Vertical columns (one per label), each stacked by category, with a legend."""
    left, bottom, top = 40, 40, 30
    plot_h = height - bottom - top
    total_max = nice_max(max((sum(v) for _, v in columns), default=0))
    slot = (width - left - 10) / max(1, len(columns))
    chart = Chart(title, width, height)
    chart.lines.append(Line(left, top + plot_h, width - 10, top + plot_h))
    chart.texts += [
        Text(left - 6, top + 4, _g(total_max), "end"),
        Text(left - 6, top + plot_h, "0", "end"),
    ]
    for i, (label, values) in enumerate(columns):
        x = left + i * slot + slot * 0.15
        y: float = top + plot_h
        for c, value in enumerate(values):
            h = plot_h * value / total_max
            y -= h
            if value:
                chart.rects.append(
                    Rect(
                        _r(x),
                        _r(y),
                        _r(slot * 0.7),
                        _r(h),
                        PALETTE[c % len(PALETTE)],
                        f"{label} {categories[c]}: {value}",
                    )
                )
        if len(columns) <= 24 or i % 2 == 0:
            chart.texts.append(Text(_r(x + slot * 0.35), top + plot_h + 14, label, "middle"))
    legend_x = left
    for c, name in enumerate(categories):
        chart.rects.append(Rect(legend_x, height - 16, 10, 10, PALETTE[c % len(PALETTE)]))
        chart.texts.append(Text(legend_x + 14, height - 7, name))
        legend_x += 14 + 7 * len(name) + 18
    return chart


def horizontal_bars(
    title: str,
    bars: Sequence[Bar],
    *,
    markers: Sequence[float | None] = (),
    marker_label: str = "",
    width: int = 760,
    unit: str = "",
) -> Chart:
    """One horizontal bar per row, its value at its end; optional markers (e.g. the 90th
    percentile) drawn as ticks."""
    row_h, left, right = 30, 150, 190
    height = row_h * len(bars) + 20
    top_value = max([b.value for b in bars] + [m or 0 for m in markers] + [0])
    scale = (width - left - right) / nice_max(top_value)
    chart = Chart(title, width, height)
    for i, bar in enumerate(bars):
        y = 10 + i * row_h
        w = bar.value * scale
        shown = f"{_g(bar.value)}{unit}"
        chart.texts.append(Text(left - 8, y + 17, bar.label, "end"))
        chart.rects.append(
            Rect(left, y + 4, _r(w), row_h - 10, PALETTE[0], f"{bar.label}: {shown}")
        )
        chart.texts.append(Text(_r(left + w + 6), y + 17, f"{shown} {bar.note}".strip()))
        marker = markers[i] if i < len(markers) else None
        if marker is not None:
            mx = _r(left + marker * scale)
            tip = f"{marker_label}: {_g(marker)}{unit}" if marker_label else f"{_g(marker)}{unit}"
            chart.lines.append(Line(mx, y + 2, mx, y + row_h - 4, PALETTE[1], 3, tip))
    return chart
