"""Text a person cannot read whole in the browser: a button's, label's, tab's, chip's or chart's
text cut by its own box or by a box around it, or shortened with an ellipsis.

`clipped_text(page)` measures every such element of the page in Chromium (a Playwright page):
the rectangles its text is laid out in against the part of its own box that is in view (its
box, narrowed by every ancestor that hides what overflows it). A scroller at least half the
window tall or wide is the page's own: text below the fold is not cut. An element scrolled
out of a smaller scroller (a multiselect whose first chips scroll away) is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page

# What a person reads as a unit, by the name a report gives it.
TEXT_ELEMENTS: Mapping[str, str] = {
    "button": "button, [role='button']",
    "label": "label",
    "tab": "[role='tab']",
    "chip": "[data-tag], [data-baseweb='tag']",
    "link": "a",
    "expander": "summary",
    "chart text": "svg text",
}

# Chromium lays text out at fractions of a pixel; less than this past an edge is rounding.
SLACK_PX = 1.0

# Whether an element is kept from sight on purpose: text for screen readers only (clipped
# away, transparent, or a 1 px box set apart) is not text a person reads. A box squeezed to
# nothing in the flow is a cut, not one of these; `display: contents` has no box at all.
UNSEEN = """
node => {
  const style = getComputedStyle(node);
  if (style.display === 'contents') return false;
  const box = node.getBoundingClientRect();
  return style.clip !== 'auto' || style.clipPath.startsWith('inset') || style.opacity === '0'
    || (style.position === 'absolute' && (box.width <= 1 || box.height <= 1));
}
"""

_MEASURE = """
([elements, regions, slack]) => {
  const found = [];
  const seen = new Set();
  // Shadow roots too (a component of the app's own draws inside one): every match under a
  // root, and an element's parent across a shadow root's edge.
  const deepAll = (root, selector) => {
    const found = [...root.querySelectorAll(selector)];
    for (const node of root.querySelectorAll('*')) {
      if (node.shadowRoot) found.push(...deepAll(node.shadowRoot, selector));
    }
    return found;
  };
  const parentOf = node => node.parentElement
    || (node.parentNode instanceof ShadowRoot ? node.parentNode.host : null);
  const roots = regions.length
    ? regions.flatMap(region => deepAll(document, region))
    : [document.body];
  // The window's own scrolling: a box at least half the window tall stands for the window
  // (text below the fold is not cut), and so does a scroller at least half as wide.
  const pageLevel = (box, style, axis) => axis === 'y'
    ? box.height >= window.innerHeight / 2
    : box.width >= window.innerWidth / 2 && ['auto', 'scroll'].includes(style.overflowX);

  const unseen = %UNSEEN%;
  const readable = element => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const nodes = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      // An icon drawn from a ligature ("send", "expand_more") is a picture, not words.
      if (/Material/.test(getComputedStyle(node.parentElement).fontFamily)) continue;
      let hidden = false;
      for (let up = parentOf(node); up && !hidden; up = parentOf(up)) {
        hidden = unseen(up);
        if (up === element) break;
      }
      if (!hidden) nodes.push(node);
    }
    return nodes;
  };
  const textBox = (element, nodes) => {
    if (element instanceof SVGElement) return element.getBoundingClientRect();
    const rects = nodes.flatMap(node => {
      const range = document.createRange();
      range.selectNodeContents(node);
      return [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    });
    if (!rects.length) return null;
    return {
      left: Math.min(...rects.map(r => r.left)), right: Math.max(...rects.map(r => r.right)),
      top: Math.min(...rects.map(r => r.top)), bottom: Math.max(...rects.map(r => r.bottom)),
    };
  };

  const visibleBox = element => {
    const own = element instanceof SVGElement && element.ownerSVGElement
      ? element.ownerSVGElement.getBoundingClientRect()
      : element.getBoundingClientRect();
    const box = {left: own.left, right: own.right, top: own.top, bottom: own.bottom};
    for (let node = parentOf(element); node && node !== document.body; node = parentOf(node)) {
      const style = getComputedStyle(node);
      const rect = node.getBoundingClientRect();
      if (style.overflowX !== 'visible' && !pageLevel(rect, style, 'x')) {
        box.left = Math.max(box.left, rect.left);
        box.right = Math.min(box.right, rect.right);
      }
      if (style.overflowY !== 'visible' && !pageLevel(rect, style, 'y')) {
        box.top = Math.max(box.top, rect.top);
        box.bottom = Math.min(box.bottom, rect.bottom);
      }
    }
    return box;
  };

  const ellipsized = element => {
    for (const node of [element, ...deepAll(element, '*')]) {
      if (node instanceof SVGElement || unseen(node)) continue;
      const style = getComputedStyle(node);
      if (style.textOverflow === 'ellipsis' && node.scrollWidth > node.clientWidth + slack) {
        return true;
      }
      if (style.webkitLineClamp !== 'none' && node.scrollHeight > node.clientHeight + slack) {
        return true;
      }
    }
    return false;
  };

  for (const root of roots) {
    for (const [kind, selector] of Object.entries(elements)) {
      const matches = deepAll(root, selector);
      if (root.matches && root.matches(selector)) matches.unshift(root);
      for (const element of matches) {
        if (seen.has(element)) continue;
        seen.add(element);
        const own = element.getBoundingClientRect();
        if (own.width === 0 || own.height === 0) continue;
        // Out of the window sideways: a collapsed sidebar, a skip link waiting for focus.
        if (own.right <= 0 || own.left >= window.innerWidth) continue;
        if (getComputedStyle(element).visibility !== 'visible') continue;
        if (unseen(element)) continue;
        const nodes = element instanceof SVGElement ? [element] : readable(element);
        const text = nodes.map(node => node.textContent).join(' ').replace(/\\s+/g, ' ').trim();
        if (!text) continue;
        if (ellipsized(element)) {
          found.push({kind, text, how: 'ellipsized', hidden: 0});
          continue;
        }
        const laid = textBox(element, nodes);
        if (!laid) continue;
        const box = visibleBox(element);
        const hidden = Math.max(
          box.left - laid.left, laid.right - box.right,
          box.top - laid.top, laid.bottom - box.bottom, 0);
        if (hidden > slack) found.push({kind, text, how: 'clipped', hidden});
      }
    }
  }
  return found;
}
"""


_MEASURE = _MEASURE.replace("%UNSEEN%", UNSEEN.strip())


@dataclass(frozen=True, slots=True)
class ClippedText:
    """An element whose text is not all in view: its kind, its whole text, and how it is cut
    ("ellipsized", or "clipped" with the pixels of text out of view)."""

    kind: str
    text: str
    how: str
    hidden_px: float

    def __str__(self) -> str:
        cut = "cut with an ellipsis" if self.how == "ellipsized" else f"{self.hidden_px:.0f} px cut"
        return f"{self.kind} “{self.text}”: {cut}"


def clipped_text(
    page: Page,
    *,
    within: Sequence[str] = (),
    elements: Mapping[str, str] = TEXT_ELEMENTS,
) -> list[ClippedText]:
    """Every button, label, tab, chip, link, expander and chart text on the page (or under the
    `within` CSS selectors) whose text is clipped or ellipsized, in document order per kind."""
    found: list[dict[str, Any]] = page.evaluate(_MEASURE, [dict(elements), list(within), SLACK_PX])
    return [
        ClippedText(kind=item["kind"], text=item["text"], how=item["how"], hidden_px=item["hidden"])
        for item in found
    ]


def clipped_buttons(page: Page, within: str | None = None) -> list[str]:
    """Each button on the page (or under the `within` CSS selector) whose text is cut, named."""
    found = clipped_text(page, within=(within,) if within else (), elements={"button": "button"})
    return [str(item) for item in found]
