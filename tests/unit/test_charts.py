"""The dashboard's SVG helper: geometry computed in Python, written by a template, escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from api.console.templating import environment
from api.reporting.charts import Bar, horizontal_bars, nice_max, stacked_columns

SVG = "{http://www.w3.org/2000/svg}"


def draw(chart: object) -> ET.Element:
    macro = environment("en").get_template("reporting/charts.html").module.svg  # type: ignore[attr-defined]
    return ET.fromstring(
        str(macro(chart)).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    )


def test_the_scale_ends_on_one_two_or_five_times_a_power_of_ten() -> None:
    assert [nice_max(v) for v in (0, 1, 3, 7, 12, 180, 425_300)] == [1, 1, 5, 10, 20, 200, 500_000]


def test_stacked_columns_stack_each_year_by_category_up_to_its_total() -> None:
    chart = stacked_columns(
        "Contracts", ["Patronage", "Inclusion"], [("2014", [3, 1]), ("2015", [0, 2])]
    )
    bars = [r for r in chart.rects if r.tip]
    assert [r.tip for r in bars] == ["2014 Patronage: 3", "2014 Inclusion: 1", "2015 Inclusion: 2"]
    plot_height = chart.height - 40 - 30
    assert sum(r.height for r in bars[:2]) == round(plot_height * 4 / 5, 1)  # scale tops at 5
    assert bars[1].y + bars[1].height == bars[0].y  # the second category sits on the first
    assert [t.text for t in chart.texts if t.anchor == "middle"] == ["2014", "2015"]


def test_horizontal_bars_are_proportional_and_carry_their_markers() -> None:
    chart = horizontal_bars(
        "Days", [Bar("idea", 10), Bar("contract", 40)], markers=[20, None], marker_label="p90"
    )
    assert chart.rects[1].width == 4 * chart.rects[0].width
    assert [line.tip for line in chart.lines] == ["p90: 20"]


def test_the_svg_is_well_formed_and_escapes_every_label() -> None:
    chart = horizontal_bars("Food bank <script>", [Bar("Restos & Cie <b>", 2, "note")])
    svg = draw(chart)
    assert svg.get("aria-label") == "Food bank <script>"
    assert svg.find(f"{SVG}title").text == "Food bank <script>"  # type: ignore[union-attr]
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Restos & Cie <b>" in texts
    assert len(list(svg.iter(f"{SVG}rect"))) == 1
    assert svg.get("style") is None, "no inline style: the page's CSP forbids it"
