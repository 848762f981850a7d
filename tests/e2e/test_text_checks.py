"""The browser checks themselves, on small pages of known faults: clipped_text finds text cut by
its box, by a box around it (a shadow root's too) or by an ellipsis, and not text meant for
screen readers; faint_text finds text under 4.5:1 on the colour really behind it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.support.clipping import clipped_text
from tests.support.contrast import faint_text

pytestmark = pytest.mark.e2e

CUT = """
<style>body{font:16px sans-serif;margin:0}.narrow{width:60px;overflow:hidden}</style>
<button style="width:40px;overflow:hidden;white-space:nowrap">Remove this image</button>
<div class="narrow"><button style="white-space:nowrap">What the model sees</button></div>
<label><span style="display:inline-block;width:50px;overflow:hidden;text-overflow:ellipsis;
white-space:nowrap">Qwen2-VL-7B-Instruct</span></label>
<button>Send<span style="position:absolute;width:1px;height:1px;overflow:hidden;
clip:rect(0 0 0 0)">keyboard shortcut Ctrl+Enter</span></button>
<div role="tab">Results</div>
<div id="host"></div>
<script>
  const shadow = document.getElementById('host').attachShadow({mode: 'open'});
  shadow.innerHTML = '<div style="width:30px;overflow:hidden"><button ' +
    'style="white-space:nowrap">Regenerate</button></div>';
</script>
"""

FAINT = """
<style>body{font:16px sans-serif;background:#ffffff}</style>
<p style="color:#777c85">Caption at 4.2:1</p>
<p style="color:#1d2433">Body text at 15.5:1</p>
<div style="background:#12161f;padding:8px"><p style="color:#4c66e0">Tab on dark at 3.7:1</p>
<p style="color:#e4e8f0">Text on dark at 14.7:1</p></div>
<div style="opacity:.6"><p style="color:#1d2433">Faded block</p></div>
<div style="position:relative;background:#3f5bd9;height:20px;margin-top:40px">
<span style="position:absolute;top:-30px;color:#3f5bd9">0.70</span></div>
<button disabled style="color:#a5a7ad;background:#fff">Disabled</button>
"""


def test_clipped_text_names_each_cut_label_and_leaves_whole_and_hidden_text_alone(page: Page):
    page.set_viewport_size({"width": 800, "height": 600})
    page.set_content(CUT)
    found = {(item.kind, item.text, item.how) for item in clipped_text(page)}
    assert found == {
        ("button", "Remove this image", "clipped"),
        ("button", "What the model sees", "clipped"),  # cut by the box around it
        ("label", "Qwen2-VL-7B-Instruct", "ellipsized"),
        ("button", "Regenerate", "clipped"),  # inside a shadow root
    }
    # "Send" fits; its screen-reader text and the whole tab are not reported.
    within = clipped_text(page, within=["[role='tab']"])
    assert within == []


def test_faint_text_measures_against_the_colour_really_behind_the_text(page: Page):
    page.set_viewport_size({"width": 800, "height": 600})
    page.set_content(FAINT)
    found = {item.text: round(item.ratio, 1) for item in faint_text(page)}
    assert found == {
        "Caption at 4.2:1": 4.2,
        "Tab on dark at 3.7:1": 3.7,  # on the dark block, not on the white page
        "Faded block": 4.2,  # 60% opacity: #1d2433 seen as #777c85
    }
    # Not listed: the value set above its slider thumb reads 5.7:1 on the page, not 1:1 on the
    # thumb; a disabled control's text is left out, as WCAG leaves it out.
