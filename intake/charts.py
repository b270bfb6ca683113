"""Server-rendered SVG charts for the dashboard: no JavaScript, no chart library, no CDN.

The page's Content-Security-Policy forbids inline style attributes, so every look comes from
SVG presentation attributes (fill, stroke, x, width...) and from classes in
static/intake/app.css; the CSS wins where both are set, the attributes keep a chart readable
where the stylesheet is missing (a saved or printed copy).

Every piece is built with format_html, so any text (titles, labels) is escaped and the result
is a SafeString the template can show without |safe. Charts carry role="img" with a <title>
and <desc>; the page puts a table with the same numbers under each chart for screen readers
and printing, so colour is never the only carrier of a number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from intake.dashboard import LEVELS, Agreement, EsiWait

# Bar charts: one viewBox, scaled to the card's width by CSS.
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 24, 40

BAR_FILL = "#0b5cad"
OVER_FILL = "#b3261e"
TARGET_STROKE = "#1b1f24"
GRID_STROKE = "#d5dbe1"
TEXT_FILL = "#1b1f24"
# Heat-map: six steps from "none" to "the day's largest cell"; text turns white on dark ones.
HEAT_FILLS = ("#f4f6f8", "#dbe8f5", "#b3cde8", "#7eaad6", "#3f7fc0", "#0b5cad")
DARK_FROM = 4
AGREE_STROKE = "#1e6e3a"
UNDER_STROKE = "#b3261e"

_CHART_ID = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar; "" leaves the slot unlabelled (24 hours do not all fit)
    value: float
    name: str  # the bar's full description, its hover <title>
    value_label: str = ""  # printed above the bar
    target: float | None = None  # drawn as a tick across the bar's slot
    over: bool = False


def _join(parts: Iterable[SafeString]) -> SafeString:
    # Concatenates pieces that format_html already escaped, without a mark_safe of our own.
    return format_html_join("", "{}", ((part,) for part in parts))


def _num(value: float) -> str:
    return f"{value:.1f}"


def _check_id(chart_id: str) -> str:
    # Ids end up in id= and aria-labelledby= (a space-separated list): keep them plain.
    if not _CHART_ID.match(chart_id):
        raise ValueError(f"chart ids are lower-case words with dashes, not {chart_id!r}")
    return chart_id


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 x 10^k that is >= value (at least 1): round axis maxima."""
    if value <= 1:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(10 * magnitude)  # pragma: no cover - the loop always returns


def _svg(
    chart_id: str, css_class: str, width: int, height: int, title: str, desc: str, body: SafeString
) -> SafeString:
    chart_id = _check_id(chart_id)
    return format_html(
        '<svg class="chart {css}" id="{id}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-labelledby="{id}-title {id}-desc" focusable="false">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        css=css_class,
        id=chart_id,
        w=width,
        h=height,
        title=title,
        desc=desc,
        body=body,
    )


def _y_axis(top: float, y_label: str) -> SafeString:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    for fraction in (0.0, 0.5, 1.0):
        y = TOP + plot_h * (1 - fraction)
        parts.append(
            format_html(
                '<line class="grid" x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{stroke}"/>'
                '<text class="tick" x="{tx}" y="{y}" text-anchor="end" '
                'dominant-baseline="middle" fill="{fill}">{label}</text>',
                x1=LEFT,
                x2=WIDTH - RIGHT,
                y=_num(y),
                stroke=GRID_STROKE,
                tx=LEFT - 6,
                fill=TEXT_FILL,
                label=f"{top * fraction:g}",
            )
        )
    parts.append(
        format_html(
            '<text class="axis-label" x="{x}" y="14" text-anchor="middle" '
            'transform="rotate(-90)" fill="{fill}">{label}</text>',
            x=_num(-(TOP + plot_h / 2)),
            fill=TEXT_FILL,
            label=y_label,
        )
    )
    return _join(parts)


def _bar(bar: Bar, index: int, slot: float, top: float) -> SafeString:
    plot_h = HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + plot_h * (1 - max(0.0, value) / top)

    width = slot * 0.7
    x = LEFT + index * slot + (slot - width) / 2
    center = x + width / 2
    parts = [
        format_html("<title>{}</title>", bar.name),
        format_html(
            '<rect class="{cls}" x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}"/>',
            cls="bar over" if bar.over else "bar",
            x=_num(x),
            y=_num(y(bar.value)),
            w=_num(width),
            h=_num(TOP + plot_h - y(bar.value)),
            fill=OVER_FILL if bar.over else BAR_FILL,
        ),
    ]
    if bar.target is not None:
        overhang = slot * 0.1
        parts.append(
            format_html(
                '<line class="target" x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{stroke}" '
                'stroke-width="3"/>',
                x1=_num(x - overhang),
                x2=_num(x + width + overhang),
                y=_num(y(bar.target)),
                stroke=TARGET_STROKE,
            )
        )
    if bar.value_label:
        # Above the target tick as well as the bar, so the tick never runs through the text.
        label_at = max(bar.value, bar.target if bar.target is not None else bar.value)
        parts.append(
            format_html(
                '<text class="{cls}" x="{x}" y="{y}" text-anchor="middle" fill="{fill}">'
                "{label}</text>",
                cls="value over" if bar.over else "value",
                x=_num(center),
                y=_num(y(label_at) - 6),
                fill=OVER_FILL if bar.over else TEXT_FILL,
                label=bar.value_label,
            )
        )
    if bar.label:
        parts.append(
            format_html(
                '<text class="xlabel" x="{x}" y="{y}" text-anchor="middle" fill="{fill}">'
                "{label}</text>",
                x=_num(center),
                y=HEIGHT - BOTTOM + 18,
                fill=TEXT_FILL,
                label=bar.label,
            )
        )
    return format_html('<g class="bar-item">{}</g>', _join(parts))


def bar_chart(
    bars: Sequence[Bar], *, chart_id: str, title: str, desc: str, y_label: str
) -> SafeString:
    """Vertical bars on a 0-based axis scaled to the largest value or target."""
    if not bars:
        raise ValueError("a bar chart needs at least one bar")
    highest = max([b.value for b in bars] + [b.target for b in bars if b.target is not None])
    top = nice_ceiling(highest)
    slot = (WIDTH - LEFT - RIGHT) / len(bars)
    body = _join([_y_axis(top, y_label), *(_bar(bar, i, slot, top) for i, bar in enumerate(bars))])
    return _svg(chart_id, "chart-bars", WIDTH, HEIGHT, title, desc, body)


def visits_chart(hours: Sequence[tuple[int, int]], *, title: str, desc: str) -> SafeString:
    """Arrivals per clinic hour; every third hour labelled so 24 labels do not collide."""
    bars = [
        Bar(
            label=f"{hour:02d}" if hour % 3 == 0 else "",
            value=count,
            name=f"{hour:02d}:00 to {(hour + 1) % 24:02d}:00: {count} visits",
            value_label=str(count) if count else "",
        )
        for hour, count in hours
    ]
    return bar_chart(bars, chart_id="visits-per-hour", title=title, desc=desc, y_label="Visits")


def _minutes_text(minutes: float) -> str:
    return f"{minutes:.0f} min"


def waits_chart(waits: Sequence[EsiWait], *, title: str, desc: str) -> SafeString:
    """Median wait per ESI level with each level's target as a tick; a median over its target
    is red AND says "over" (colour alone does not reach everyone)."""
    bars = []
    for wait in waits:
        median = wait.median_minutes
        over = wait.median_over_target
        if median is None:
            value_label, name = "none", f"ESI {wait.level}: no reviewed visits"
        else:
            value_label = _minutes_text(median) + (" over" if over else "")
            name = (
                f"ESI {wait.level}: median {_minutes_text(median)}, target "
                f"{wait.target_minutes} min, {wait.over_target} of {wait.count} over target"
            )
        bars.append(
            Bar(
                label=f"ESI {wait.level}",
                value=median or 0.0,
                name=name,
                value_label=value_label,
                target=float(wait.target_minutes),
                over=over,
            )
        )
    return bar_chart(bars, chart_id="waits-by-esi", title=title, desc=desc, y_label="Minutes")


# --- Agreement heat-map -----------------------------------------------------------------------

CELL = 56
GRID_LEFT, GRID_TOP = 104, 64
LEGEND_H = 52


def heat_step(count: int, largest: int) -> int:
    """0 for an empty cell, else 1..5 by share of the largest cell."""
    if count <= 0 or largest <= 0:
        return 0
    return max(1, min(len(HEAT_FILLS) - 1, math.ceil(5 * count / largest)))


def _cell(agreement: Agreement, ai: int, nurse: int, largest: int) -> SafeString:
    count = agreement.matrix[ai - 1][nurse - 1]
    step = heat_step(count, largest)
    classes = [f"cell heat-{step}"]
    stroke, dash, kind = "none", "", ""
    if ai == nurse:
        classes.append("agree")
        stroke, kind = AGREE_STROKE, " (agree)"
    elif ai > nurse and count:
        # Outlined only when it happened: an empty under-triage cell is good news.
        classes.append("under")
        stroke, dash, kind = UNDER_STROKE, "6 3", " (AI less urgent: under-triage)"
    x = GRID_LEFT + (nurse - 1) * CELL
    y = GRID_TOP + (ai - 1) * CELL
    dash_attr = format_html(' stroke-dasharray="{}"', dash) if dash else ""
    return format_html(
        '<g class="cell-item"><title>{name}</title>'
        '<rect class="{cls}" x="{x}" y="{y}" width="{size}" height="{size}" fill="{fill}" '
        'stroke="{stroke}" stroke-width="3"{dash}/>'
        '<text class="{text_cls}" x="{cx}" y="{cy}" text-anchor="middle" '
        'dominant-baseline="middle" fill="{text_fill}">{count}</text></g>',
        name=f"AI ESI {ai}, nurse ESI {nurse}: {count} visits{kind}",
        cls=" ".join(classes),
        x=x + 2,
        y=y + 2,
        size=CELL - 4,
        fill=HEAT_FILLS[step],
        stroke=stroke,
        dash=dash_attr,
        text_cls="cell-value dark" if step >= DARK_FROM else "cell-value",
        cx=x + CELL // 2,
        cy=y + CELL // 2,
        text_fill="#fff" if step >= DARK_FROM else TEXT_FILL,
        count=count,
    )


def _heat_labels() -> SafeString:
    parts = [
        format_html(
            '<text class="axis-label" x="{x}" y="18" text-anchor="middle" fill="{fill}">'
            "Nurse's final ESI</text>",
            x=GRID_LEFT + 5 * CELL // 2,
            fill=TEXT_FILL,
        ),
        format_html(
            '<text class="axis-label" x="{x}" y="18" text-anchor="middle" '
            'transform="rotate(-90)" fill="{fill}">AI suggestion</text>',
            x=-(GRID_TOP + 5 * CELL // 2),
            fill=TEXT_FILL,
        ),
    ]
    for level in LEVELS:
        parts.append(
            format_html(
                '<text class="tick" x="{x}" y="{y}" text-anchor="middle" fill="{fill}">'
                "{label}</text>",
                x=GRID_LEFT + (level - 1) * CELL + CELL // 2,
                y=GRID_TOP - 10,
                fill=TEXT_FILL,
                label=f"ESI {level}",
            )
        )
        parts.append(
            format_html(
                '<text class="tick" x="{x}" y="{y}" text-anchor="end" '
                'dominant-baseline="middle" fill="{fill}">{label}</text>',
                x=GRID_LEFT - 8,
                y=GRID_TOP + (level - 1) * CELL + CELL // 2,
                fill=TEXT_FILL,
                label=f"ESI {level}",
            )
        )
    return _join(parts)


def _heat_legend(height: int) -> SafeString:
    return format_html(
        '<g class="legend">'
        '<rect x="8" y="{y1}" width="16" height="16" fill="none" stroke="{agree}" '
        'stroke-width="3"/><text x="32" y="{t1}" fill="{fill}">agree (diagonal)</text>'
        '<rect x="8" y="{y2}" width="16" height="16" fill="none" stroke="{under}" '
        'stroke-width="3" stroke-dasharray="6 3"/>'
        '<text x="32" y="{t2}" fill="{fill}">AI less urgent than the nurse (under-triage)</text>'
        "</g>",
        y1=height - LEGEND_H + 6,
        t1=height - LEGEND_H + 19,
        y2=height - LEGEND_H + 30,
        t2=height - LEGEND_H + 43,
        agree=AGREE_STROKE,
        under=UNDER_STROKE,
        fill=TEXT_FILL,
    )


def agreement_heatmap(agreement: Agreement, *, title: str, desc: str) -> SafeString:
    """5x5 grid, rows the AI's level and columns the nurse's; darker = more visits. Cells
    below the diagonal (AI less urgent) that hold visits are outlined in dashed red."""
    largest = max((count for row in agreement.matrix for count in row), default=0)
    width = GRID_LEFT + 5 * CELL + 16
    height = GRID_TOP + 5 * CELL + 8 + LEGEND_H
    body = _join(
        [
            _heat_labels(),
            *(_cell(agreement, ai, nurse, largest) for ai in LEVELS for nurse in LEVELS),
            _heat_legend(height),
        ]
    )
    return _svg("esi-agreement", "chart-heatmap", width, height, title, desc, body)
