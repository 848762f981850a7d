"""Clipped text in a real browser: a button whose text does not fit in its own box, or that is
cut by what holds it, is named. For any page and width (tests call it at 1440, 1100 with the
sidebar open, and 390 px)."""

from __future__ import annotations

from playwright.sync_api import Page

# Every button on the page, shadow roots (our components) included: its text's box must lie in
# the button's box, no part of its text may be cut off (an ellipsis, overflow), and no
# ancestor that clips its content may cut the button itself.
_CLIPPED = """
(within) => {
  const buttons = [];
  const collect = (root) => {
    root.querySelectorAll("button").forEach((button) => buttons.push(button));
    root.querySelectorAll("*").forEach((node) => node.shadowRoot && collect(node.shadowRoot));
  };
  collect(within ? document.querySelector(within) : document);
  const cuts = (style) => /hidden|clip|scroll|auto/.test(style.overflowX);
  // Text meant for screen readers only is hidden on purpose: it is not clipped text.
  const unseen = (element) => {
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return box.width <= 1 || box.height <= 1 || style.clip.startsWith("rect(0") ||
      style.clipPath.startsWith("inset(50%");
  };
  const shown = [];
  const out = [];
  for (const button of buttons) {
    const box = button.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (getComputedStyle(button).visibility === "hidden") continue;
    const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
    const words = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || unseen(node.parentElement)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      words.push({ text: node.textContent.trim(), box: range.getBoundingClientRect(),
                   holder: node.parentElement });
    }
    if (words.length === 0) continue;
    const text = words.map((word) => word.text).join(" ");
    let clipped = words.some(({ box: w }) =>
      w.left < box.left - 1 || w.right > box.right + 1 ||
      w.top < box.top - 1 || w.bottom > box.bottom + 1);
    for (const { holder } of words) {
      for (let part = holder; part && part !== button.parentElement && !clipped;
           part = part.parentElement) {
        clipped = cuts(getComputedStyle(part)) && part.scrollWidth > part.clientWidth + 1;
      }
    }
    for (let holder = button.parentElement; holder && !clipped; holder = holder.parentElement) {
      if (!cuts(getComputedStyle(holder))) continue;
      const room = holder.getBoundingClientRect();
      clipped = box.left < room.left - 1 || box.right > room.right + 1;
    }
    shown.push(text);
    if (clipped) out.push(text);
  }
  return out;
}
"""


def clipped_buttons(page: Page, within: str | None = None) -> list[str]:
    """The text of every visible button whose text is cut (by its own box, an ellipsis, or a
    container that clips it), on the page or inside the element `within` selects."""
    found: list[str] = page.evaluate(_CLIPPED, within)
    return found
