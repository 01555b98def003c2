"""A measure's SPC chart as an SVG picture, drawn the way Making Data Count does: points coloured by variation
(grey common cause, orange concern, blue improvement, purple neither), the process limits dashed, the centre line,
the target, a break at each phase, annotations as markers, and the variation and assurance icons as small labelled
badges. A string template: no plotting library (see benchmarks/signals_bench.py for the figures)."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

from domain.control.vocabulary import PointVariation
from projections.spc.document import ChartView

WIDTH, HEIGHT = 820, 420
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 60, 50
COLOURS = {PointVariation.COMMON_CAUSE: "#a6a6a6", PointVariation.CONCERN: "#e46c0a",
           PointVariation.IMPROVEMENT: "#289de0", PointVariation.NEITHER_HIGH: "#7030a0",
           PointVariation.NEITHER_LOW: "#7030a0"}
_BADGE = {"IMPROVEMENT": "#289de0", "CONCERN": "#e46c0a", "NEITHER": "#7030a0", "COMMON": "#a6a6a6",
          "CONSISTENT_PASS": "#289de0", "CONSISTENT_FAIL": "#e46c0a", "HIT_AND_MISS": "#a6a6a6"}


def _finite(xs: list[float | None]) -> list[float]:
    return [x for x in xs if x is not None and math.isfinite(x)]


def _path(points: list[tuple[float, float | None]]) -> str:
    """An SVG path through the points, broken where a value is missing."""
    parts, pen = [], False
    for x, y in points:
        if y is None:
            pen = False
            continue
        parts.append(f"{'L' if pen else 'M'}{x:.1f},{y:.1f}")
        pen = True
    return " ".join(parts)


def render_svg(view: ChartView, title: str = "") -> str:
    """The chart as a standalone SVG document (UTF-8 text)."""
    periods, values, variation = view.periods, view.values, view.variation
    centre, upper, lower = view.centre_line, view.upper_process_limit, view.lower_process_limit
    n = len(values)
    target = view.target if view.target is not None and math.isfinite(view.target) else None
    ys = _finite([*values, *centre, *upper, *lower, target])
    low, high = (min(ys), max(ys)) if ys else (0.0, 1.0)
    if high - low < 1e-12:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(i: int) -> float:
        return LEFT + (plot_w * (i + 0.5) / n if n else plot_w / 2)

    def sy(v: float | None) -> float | None:
        if v is None or not math.isfinite(v):
            return None
        return TOP + plot_h * (high - v) / (high - low)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="Arial, sans-serif" font-size="11" role="img">',
           f"<title>{escape(title or 'SPC chart')}</title>",
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
           f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#d9d9d9"/>']
    if title:
        out.append(f'<text x="{LEFT}" y="22" font-size="15" font-weight="bold">{escape(title)}</text>')
    for k in range(5):  # y axis ticks
        v = low + (high - low) * k / 4
        y = sy(v)
        out.append(f'<text x="{LEFT - 6}" y="{y:.1f}" text-anchor="end" dominant-baseline="middle" '
                   f'fill="#595959">{v:.3g}</text>')
    # phases: a new phase wherever the centre line moves
    starts = [0] + [i for i in range(1, n) if centre[i] != centre[i - 1]]
    bounds = list(zip(starts, [*starts[1:], n], strict=True)) if n else []
    for s, e in bounds:
        if s:
            x = (sx(s - 1) + sx(s)) / 2
            out.append(f'<line class="phase" x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}" '
                       'stroke="#7f7f7f" stroke-width="1"/>')
        for cls, column, style in (("centre", centre, 'stroke="#000000" stroke-width="1.2"'),
                                   ("limit upper", upper, 'stroke="#7f7f7f" stroke-dasharray="6 4"'),
                                   ("limit lower", lower, 'stroke="#7f7f7f" stroke-dasharray="6 4"')):
            d = _path([(sx(i), sy(column[i])) for i in range(s, e)] if e - s > 1 else
                      [(sx(s) - 4, sy(column[s])), (sx(s) + 4, sy(column[s]))])
            if d:
                out.append(f'<path class="{cls}" d="{d}" fill="none" {style}/>')
    if target is not None and n:
        y = sy(target)
        out.append(f'<line class="target" x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" '
                   'stroke="#c00000" stroke-dasharray="2 3" stroke-width="1.5"/>')
        out.append(f'<text x="{LEFT + plot_w - 2}" y="{y - 4:.1f}" text-anchor="end" fill="#c00000">target '
                   f'{target:.3g}</text>')
    line = _path([(sx(i), sy(values[i])) for i in range(n)])
    if line:
        out.append(f'<path class="data" d="{line}" fill="none" stroke="#a6a6a6" stroke-width="1.2"/>')
    for i in range(n):
        y = sy(values[i])
        if y is None:
            continue
        v = variation[i]
        out.append(f'<circle class="point" data-period="{periods[i].isoformat()}" data-value="{values[i]!r}" '
                   f'data-variation="{v.value}" cx="{sx(i):.1f}" cy="{y:.1f}" r="4" fill="{COLOURS[v]}"/>')
    step = max(1, n // 8)
    for i in range(0, n, step):  # x axis labels
        out.append(f'<text x="{sx(i):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" fill="#595959">'
                   f"{periods[i].isoformat()}</text>")
    index = {p: i for i, p in enumerate(periods)}
    for a in view.annotations:
        if a.period is None or not n:
            continue
        i = index.get(a.period)
        x = sx(i) if i is not None else sx(sum(1 for p in periods if p < a.period) - 1) + plot_w / n / 2
        out.append(f'<g class="annotation" data-kind="{a.kind.value}"><title>{escape(a.text)}</title>'
                   f'<path d="M{x - 5:.1f},{TOP - 10} L{x + 5:.1f},{TOP - 10} L{x:.1f},{TOP - 2} Z" '
                   f'fill="#404040"/><line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}" '
                   'stroke="#404040" stroke-dasharray="1 3"/></g>')
    for k, (kind, icon) in enumerate((("variation", view.variation_icon), ("assurance", view.assurance))):
        if icon is None:
            continue
        label = icon.value
        colour = _BADGE.get(label) or _BADGE.get(label.split("_")[0], "#a6a6a6")
        x = WIDTH - RIGHT - 150 * (2 - k)
        out.append(f'<g class="badge" data-kind="{kind}" data-icon={quoteattr(label)}>'
                   f'<circle cx="{x + 12}" cy="24" r="11" fill="{colour}"/>'
                   f'<text x="{x + 12}" y="28" text-anchor="middle" fill="#ffffff" font-weight="bold">'
                   f"{'V' if kind == 'variation' else 'A'}</text>"
                   f'<text x="{x + 28}" y="28" fill="#262626">{escape(label.replace("_", " ").lower())}</text></g>')
    out.append("</svg>")
    return "".join(out)
