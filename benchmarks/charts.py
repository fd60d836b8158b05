#!/usr/bin/env python3
"""Draws the scaling charts of docs/benchmarks.md from the results of `TinyRpc.Benchmarks --tables`.

    python3 benchmarks/charts.py artifacts/benchmarks/results.json docs/benchmarks

Writes, for the in-memory and TCP transports:
  outstanding-<transport>.svg  calls per second against calls outstanding on one connection (log-log: the
                               floor is up to two orders of magnitude above the others)
  size-<transport>.svg         time per call against the size of reverse_string's argument (log-log)

Plain python3, no third-party packages: the SVG is written by hand.
"""

import json
import math
import sys
from pathlib import Path
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 80, 150, 50, 60
COLOURS = {"Floor": "#6b6b6b", "TinyRpc": "#1f6fd1", "StreamJsonRpc": "#e07b00"}
DASHES = {"Floor": "6 4", "TinyRpc": "", "StreamJsonRpc": ""}
TRANSPORTS = {"inmemory": "in memory", "tcp": "TCP (127.0.0.1)"}


def size_label(size):
    if size >= 1 << 20:
        return f"{size >> 20} MB"
    if size >= 1 << 10:
        return f"{size >> 10} KB"
    return f"{size} B"


def rate_label(value):
    if value >= 1e6:
        return f"{value / 1e6:g}M"
    if value >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def time_label(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:g} {unit}"
    return f"{ns:g} ns"


def nice_step(span, count=5):
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def linear_ticks(high):
    step = nice_step(high)
    top = math.ceil(high / step) * step
    ticks = [i * step for i in range(int(round(top / step)) + 1)]
    return 0.0, top, ticks


def log_ticks(low, high):
    low_decade = math.floor(math.log10(low))
    high_decade = math.ceil(math.log10(high))
    if high_decade == low_decade:
        high_decade += 1
    return 10.0 ** low_decade, 10.0 ** high_decade, [10.0 ** d for d in range(low_decade, high_decade + 1)]


def chart(title, subtitle, series, x_ticks, x_label, y_label, y_log, y_format):
    """series: {name: [(x, y), ...]} with x > 0; the x axis is logarithmic, the y axis linear or logarithmic."""
    xs = [x for x, _ in x_ticks]
    x_low, x_high = math.log(min(xs)), math.log(max(xs))
    ys = [y for points in series.values() for _, y in points]
    if y_log:
        y_low, y_high, y_ticks = log_ticks(min(ys), max(ys))
        to_y = math.log10
    else:
        y_low, y_high, y_ticks = linear_ticks(max(ys))
        to_y = float
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x):
        return LEFT + (math.log(x) - x_low) / (x_high - x_low) * plot_w

    def py(y):
        return TOP + plot_h - (to_y(y) - to_y(y_low)) / (to_y(y_high) - to_y(y_low)) * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="22" font-size="15" font-weight="bold">{escape(title)}</text>',
        f'<text x="{LEFT}" y="40" fill="#555">{escape(subtitle)}</text>',
    ]
    for y in y_ticks:
        out.append(f'<line x1="{LEFT}" y1="{py(y):.1f}" x2="{LEFT + plot_w}" y2="{py(y):.1f}" stroke="#e4e4e4"/>')
        out.append(f'<text x="{LEFT - 8}" y="{py(y) + 4:.1f}" text-anchor="end">{escape(y_format(y))}</text>')
    for x, label in x_ticks:
        out.append(f'<line x1="{px(x):.1f}" y1="{TOP}" x2="{px(x):.1f}" y2="{TOP + plot_h}" stroke="#e4e4e4"/>')
        out.append(f'<text x="{px(x):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{escape(label)}</text>')
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>')
    out.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 14}" text-anchor="middle">{escape(x_label)}</text>')
    out.append(f'<text transform="translate(18 {TOP + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle">{escape(y_label)}</text>')
    for index, (name, points) in enumerate(series.items()):
        points = sorted(points)
        colour = COLOURS.get(name, "#000")
        dash = f' stroke-dasharray="{DASHES[name]}"' if DASHES.get(name) else ""
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        for x, y in points:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>')
        legend_y = TOP + 10 + index * 20
        out.append(f'<line x1="{LEFT + plot_w + 14}" y1="{legend_y}" x2="{LEFT + plot_w + 40}" y2="{legend_y}" '
                   f'stroke="{colour}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{LEFT + plot_w + 46}" y="{legend_y + 4}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def series_of(rows, value):
    series = {}
    for row in rows:
        series.setdefault(row["contender"], []).append(value(row))
    return {name: series[name] for name in ("Floor", "TinyRpc", "StreamJsonRpc") if name in series}


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    results = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    out = Path(argv[2])
    out.mkdir(parents=True, exist_ok=True)
    rows = results["rows"]
    note = f"{results['date']}" + (f", {results['commit']}" if results.get("commit") else "")
    if results.get("quick"):
        note += ", --quick (smoke test)"
    written = []
    for transport, name in TRANSPORTS.items():
        scaling = [r for r in rows if r["table"] == "roundtrip" and r["transport"] == transport and r["call"] == "reverse_string"]
        outstanding = sorted({r["outstanding"] for r in scaling})
        if len(outstanding) > 1:
            svg = chart(f"Calls per second, {name}", f"reverse_string, one connection; {note}",
                        series_of(scaling, lambda r: (r["outstanding"], r["callsPerSecond"])),
                        [(n, str(n)) for n in outstanding], "calls outstanding (log scale)", "calls per second (log scale)",
                        True, rate_label)
            written.append(out / f"outstanding-{transport}.svg")
            written[-1].write_text(svg, encoding="utf-8")
        sizes = [r for r in rows if r["table"] == "size" and r["transport"] == transport]
        if sizes:
            svg = chart(f"Time per call against message size, {name}", f"reverse_string, one call at a time; {note}",
                        series_of(sizes, lambda r: (r["size"], r["nsPerCall"])),
                        [(s, size_label(s)) for s in sorted({r["size"] for r in sizes})],
                        "size of the argument (log scale)", "time per call (log scale)", True, time_label)
            written.append(out / f"size-{transport}.svg")
            written[-1].write_text(svg, encoding="utf-8")
    if not written:
        print("No scaling rows in the results: run --tables with the roundtrip and size tables.", file=sys.stderr)
        return 1
    for path in written:
        print(f"Written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
