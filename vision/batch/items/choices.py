"""A multiple-choice item as a batch asks it: its prompt with lettered options, and with
circular evaluation one item per rotation of its options, each expecting the letter the right
option has there (docs/metrics.md). Files (files.py) and the page's tables (uploads.py) share it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from vision.errors import RequestError
from vision.scoring.choice import (
    answer_letter,
    choice_prompt,
    option_letters,
    rotation_name,
    rotations,
)
from vision.values.batch import BatchItem


def choice_items(
    item: BatchItem, question: str, *, hint: str | None, circular: bool, where: str
) -> Iterator[BatchItem]:
    """The item asked with its options (as it is when it has none); with circular, one per
    rotation of the options of a question that has an answer."""
    choices = item.choices
    if not choices:
        yield item
        return
    first = replace(item, prompt=choice_prompt(question, choices, hint=hint))
    if not (circular and item.expected):
        yield first
        return
    right = answer_letter(item.expected, choices)
    if right is None:
        raise RequestError(f"{where}: its answer {item.expected!r} names none of its options.")
    correct = choices[option_letters(len(choices)).index(right)]
    for number, rotated in enumerate(rotations(choices), start=1):
        yield replace(
            item,
            prompt=choice_prompt(question, rotated, hint=hint),
            name=rotation_name(item.name, number, len(choices)),
            expected=option_letters(len(rotated))[rotated.index(correct)],
            choices=rotated,
        )
