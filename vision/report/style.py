"""The reports' one stylesheet, light and dark: every colour is a CSS variable, set once for a
light page and again under `prefers-color-scheme: dark`, so the text, the tables and the inline
SVG charts (which name their colours by class, never by value) follow the reader's system.
Text colours keep at least 4.5:1 against their background in both (WCAG AA)."""

from __future__ import annotations

# Colours a chart's series take in turn, as classes (.series-0 … .series-5), light and dark.
SERIES = 6
_LIGHT_SERIES = ("#2563eb", "#d97706", "#059669", "#dc2626", "#7c3aed", "#0891b2")
_DARK_SERIES = ("#60a5fa", "#fbbf24", "#34d399", "#f87171", "#a78bfa", "#22d3ee")


def series_class(index: int) -> str:
    """The class of a chart's index-th series (its colour as a stroke and a fill)."""
    return f"series-{index % SERIES}"


def _variables(colours: dict[str, str], series: tuple[str, ...]) -> str:
    named = {**colours, **{f"series-{index}": value for index, value in enumerate(series)}}
    return "".join(f"--{name}:{value};" for name, value in named.items())


# The page's colours by name (each a CSS variable, --text, --muted, ...), light and dark.
LIGHT = {
    "text": "#111827",
    "muted": "#4b5563",  # notes and tick labels: 7.6:1 on white
    "page": "#ffffff",
    "head": "#f9fafb",
    "rule": "#e5e7eb",
    "axis": "#9ca3af",
    "ok": "#047857",
    "bad": "#b91c1c",
}
DARK = {
    "text": "#e5e7eb",
    "muted": "#9ca3af",  # 7.1:1 on the dark page, 5.8:1 on a table head
    "page": "#12161f",
    "head": "#1f2937",
    "rule": "#374151",
    "axis": "#6b7280",
    "ok": "#34d399",
    "bad": "#f87171",
}

_SERIES_RULES = "".join(
    f".series-{index}{{fill:var(--series-{index});stroke:var(--series-{index})}}"
    for index in range(SERIES)
)

STYLE = (
    ":root{color-scheme:light dark;"
    + _variables(LIGHT, _LIGHT_SERIES)
    + "}@media (prefers-color-scheme: dark){:root{"
    + _variables(DARK, _DARK_SERIES)
    + "}}"
    + """
body{font:14px/1.45 system-ui,sans-serif;color:var(--text);background:var(--page);
max-width:980px;margin:2em auto;padding:0 1em}
h1{font-size:1.6em}h2{margin-top:1.8em;border-bottom:1px solid var(--rule)}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid var(--rule);padding:4px 8px;
text-align:left;vertical-align:top}th{background:var(--head)}td.n{text-align:right}
.sample{display:flex;gap:12px;border:1px solid var(--rule);border-radius:6px;padding:8px;
margin:8px 0}
.sample img{width:120px;height:auto;border-radius:4px}.ok{color:var(--ok)}.bad{color:var(--bad)}
pre{white-space:pre-wrap;margin:.3em 0;font:13px/1.4 ui-monospace,monospace}
.note{color:var(--muted)}
svg{max-width:100%;height:auto}svg text{fill:var(--text);stroke:none}svg .tick{fill:var(--muted)}
svg .grid{stroke:var(--rule)}svg .axis{stroke:var(--axis)}svg .whisker{stroke:var(--text)}
svg .bar{stroke:none;opacity:.75}svg .line{fill:none}
"""
    + _SERIES_RULES
)
