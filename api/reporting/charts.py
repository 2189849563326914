"""Small inline SVG charts drawn on the server (no front-end build, no script)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#718096")
FONT = "font-family='system-ui, sans-serif' font-size='12'"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str = ""


def _nice_max(value: float) -> float:
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
) -> str:
    """Vertical columns (one per label), each stacked by category, with a legend."""
    left, bottom, top = 40, 40, 30
    plot_h = height - bottom - top
    total_max = _nice_max(max((sum(v) for _, v in columns), default=0))
    slot = (width - left - 10) / max(1, len(columns))
    parts = [
        f"<svg role='img' aria-label='{escape(title)}' viewBox='0 0 {width} {height}'"
        f" width='100%' style='max-width:{width}px' {FONT}>",
        f"<title>{escape(title)}</title>",
        f"<line x1='{left}' y1='{top + plot_h}' x2='{width - 10}' y2='{top + plot_h}'"
        " stroke='#999'/>",
        f"<text x='{left - 6}' y='{top + 4}' text-anchor='end'>{total_max:g}</text>",
        f"<text x='{left - 6}' y='{top + plot_h}' text-anchor='end'>0</text>",
    ]
    for i, (label, values) in enumerate(columns):
        x = left + i * slot + slot * 0.15
        y: float = top + plot_h
        for c, value in enumerate(values):
            h = plot_h * value / total_max
            y -= h
            if value:
                parts.append(
                    f"<rect x='{x:.1f}' y='{y:.1f}' width='{slot * 0.7:.1f}' height='{h:.1f}'"
                    f" fill='{PALETTE[c % len(PALETTE)]}'><title>{escape(label)}"
                    f" {escape(categories[c])}: {value}</title></rect>"
                )
        if len(columns) <= 24 or i % 2 == 0:
            parts.append(
                f"<text x='{x + slot * 0.35:.1f}' y='{top + plot_h + 14}'"
                f" text-anchor='middle'>{escape(label)}</text>"
            )
    legend_x = left
    for c, name in enumerate(categories):
        parts.append(
            f"<rect x='{legend_x}' y='{height - 16}' width='10' height='10'"
            f" fill='{PALETTE[c % len(PALETTE)]}'/>"
            f"<text x='{legend_x + 14}' y='{height - 7}'>{escape(name)}</text>"
        )
        legend_x += 14 + 8 * len(name) + 18
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(
    title: str,
    bars: Sequence[Bar],
    *,
    markers: Sequence[float | None] = (),
    width: int = 760,
    unit: str = "",
) -> str:
    """One horizontal bar per row, its value at its end; optional markers (e.g. the 90th
    percentile) drawn as ticks."""
    row_h, left, right = 30, 150, 190
    height = row_h * len(bars) + 20
    top_value = max([b.value for b in bars] + [m or 0 for m in markers] + [0])
    scale = (width - left - right) / _nice_max(top_value)
    parts = [
        f"<svg role='img' aria-label='{escape(title)}' viewBox='0 0 {width} {height}'"
        f" width='100%' style='max-width:{width}px' {FONT}>",
        f"<title>{escape(title)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = 10 + i * row_h
        w = bar.value * scale
        parts.append(
            f"<text x='{left - 8}' y='{y + 17}' text-anchor='end'>{escape(bar.label)}</text>"
            f"<rect x='{left}' y='{y + 4}' width='{w:.1f}' height='{row_h - 10}'"
            f" fill='{PALETTE[0]}'><title>{escape(bar.label)}: {bar.value:g}{unit}</title></rect>"
            f"<text x='{left + w + 6:.1f}' y='{y + 17}'>{bar.value:g}{escape(unit)}"
            f"{(' ' + escape(bar.note)) if bar.note else ''}</text>"
        )
        marker = markers[i] if i < len(markers) else None
        if marker is not None:
            mx = left + marker * scale
            parts.append(
                f"<line x1='{mx:.1f}' y1='{y + 2}' x2='{mx:.1f}' y2='{y + row_h - 4}'"
                f" stroke='{PALETTE[1]}' stroke-width='3'><title>90th percentile:"
                f" {marker:g}{unit}</title></line>"
            )
    parts.append("</svg>")
    return "".join(parts)
