"""Text too faint to read in the browser: each piece of text's colour against the colour behind
it, as Chromium computed them, with WCAG 2's contrast ratio.

`faint_text(page)` walks every text node of the page (or under the `within` CSS selectors)
that a person can see (in the window, or scrolled out of it), blends its colour and the
backgrounds behind it (each ancestor's that holds it, translucent ones over what is behind
them, the page's own under all), and reports those under the ratio asked for (4.5:1, WCAG's
AA for body text). Text of a
disabled control is left out, as WCAG leaves it out; so is text over a picture or a gradient,
whose background is not one colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page

from tests.support.clipping import UNSEEN

AA_TEXT = 4.5
# WCAG 2.1's 1.4.11: what a chart's bars and lines need against the page.
AA_GRAPHICS = 3.0


def _luminance(colour: str) -> float:
    """WCAG 2's relative luminance of a #rrggbb colour."""
    channels = [int(colour.lstrip("#")[start : start + 2], 16) / 255 for start in (0, 2, 4)]
    red, green, blue = (
        value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
        for value in channels
    )
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2's contrast ratio of two #rrggbb colours, from 1 (the same) to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


_MEASURE = """
([regions, minimum]) => {
  const parse = value => {
    const numbers = (value.match(/[\\d.]+/g) || []).map(Number);
    if (value.startsWith('color(srgb')) {
      const [r, g, b, a = 1] = numbers;
      return [r * 255, g * 255, b * 255, a];
    }
    const [r = 0, g = 0, b = 0, a = 1] = numbers;
    return [r, g, b, value.startsWith('rgba') || numbers.length === 4 ? a : 1];
  };
  const over = (top, bottom) => {
    const alpha = top[3] + bottom[3] * (1 - top[3]);
    if (alpha === 0) return [0, 0, 0, 0];
    const mix = i => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / alpha;
    return [mix(0), mix(1), mix(2), alpha];
  };
  const luminance = ([r, g, b]) => {
    const channel = c => {
      const v = c / 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const ratio = (a, b) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const hex = ([r, g, b]) =>
    '#' + [r, g, b].map(c => Math.round(c).toString(16).padStart(2, '0')).join('');

  // The colour behind a piece of text: the backgrounds of its ancestors that hold it, each
  // over the next, down to the page's. A box that clips or scrolls holds what is inside it,
  // even out of view, and stands for it further out; any other box holds the text only if its
  // middle lies inside (a label set above its slider thumb is not on the thumb). Null when a
  // picture or gradient is behind it.
  const behind = (element, box) => {
    let x = (box.left + box.right) / 2;
    let y = (box.top + box.bottom) / 2;
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      const area = node.getBoundingClientRect();
      const clips = style.overflowX !== 'visible' || style.overflowY !== 'visible';
      const inside = area.left <= x && x <= area.right && area.top <= y && y <= area.bottom;
      if (!clips && !inside && node.parentElement) continue;
      if (style.backgroundImage !== 'none') return null;
      const colour = parse(style.backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
      if (clips) {
        x = Math.min(Math.max(x, area.left), area.right);
        y = Math.min(Math.max(y, area.top), area.bottom);
      }
    }
    return layers.reduceRight((below, layer) => over(layer, below), canvas());
  };
  // What the window shows under everything: the root's background, or else the body's (CSS
  // carries the body's up to the canvas), or else white.
  const canvas = () => {
    for (const node of [document.documentElement, document.body]) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) return over(colour, [255, 255, 255, 1]);
    }
    return [255, 255, 255, 1];
  };
  const unseen = %UNSEEN%;
  const hidden = element => {
    for (let up = element; up && up !== document.body; up = up.parentElement) {
      if (!(up instanceof SVGElement) && unseen(up)) return true;
    }
    return false;
  };
  const disabled = element =>
    !!element.closest('[disabled], [aria-disabled="true"], [data-disabled="true"], :disabled');

  const found = [];
  const seen = new Set();
  const roots = regions.length
    ? regions.flatMap(region => [...document.querySelectorAll(region)])
    : [document.body];
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      const text = node.textContent.replace(/\\s+/g, ' ').trim();
      if (!text || !element || seen.has(element)) continue;
      if (element.closest('svg') && !(element instanceof SVGTextElement)
          && !element.closest('text')) continue;
      seen.add(element);
      const style = getComputedStyle(element);
      if (style.visibility !== 'visible' || /Material/.test(style.fontFamily)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const box = range.getBoundingClientRect();
      if (box.width < 1 || box.height < 1 || disabled(element) || hidden(element)) continue;
      // Out of the window sideways: a collapsed sidebar, a skip link waiting for focus.
      if (box.right <= 0 || box.left >= window.innerWidth) continue;
      let opacity = 1;
      for (let up = element; up; up = up.parentElement) {
        opacity *= Number(getComputedStyle(up).opacity);
      }
      if (opacity === 0) continue;
      const background = behind(element, box);
      if (!background) continue;
      const textColour = element.closest('svg')
        ? parse(getComputedStyle(element.closest('text')).fill)
        : parse(style.color);
      const seenColour = over([...textColour.slice(0, 3), textColour[3] * opacity], background);
      const value = ratio(seenColour, background);
      if (value < minimum) {
        found.push({text: text.slice(0, 80), ratio: value,
                    colour: hex(seenColour), background: hex(background)});
      }
    }
  }
  return found;
}
"""


_MEASURE = _MEASURE.replace("%UNSEEN%", UNSEEN.strip())


@dataclass(frozen=True, slots=True)
class FaintText:
    """A piece of text under the contrast asked for: its words (the first 80 characters), its
    ratio, and the two colours as seen (blended), as #rrggbb."""

    text: str
    ratio: float
    colour: str
    background: str

    def __str__(self) -> str:
        return f"“{self.text}”: {self.ratio:.2f}:1 ({self.colour} on {self.background})"


def faint_text(
    page: Page, *, within: Sequence[str] = (), minimum: float = AA_TEXT
) -> list[FaintText]:
    """Every visible piece of text on the page (or under the `within` CSS selectors) whose
    contrast with the colour behind it is under `minimum`, disabled controls' text left out."""
    found: list[dict[str, Any]] = page.evaluate(_MEASURE, [list(within), minimum])
    return [
        FaintText(
            text=item["text"],
            ratio=item["ratio"],
            colour=item["colour"],
            background=item["background"],
        )
        for item in found
    ]
