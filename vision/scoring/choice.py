"""Multiple choice: the prompt with lettered options, the letter an answer picks, and the
rotations of circular evaluation (docs/metrics.md)."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass

from vision.scoring.checks import normalise

CHOICE_INSTRUCTION = "Answer with the option's letter from the given choices directly."
# An answer much longer than the options is an explanation, whose text may name several.
_LONG_ANSWER_FACTOR = 3
_TOKEN = re.compile(r"[A-Za-z0-9]+")


def option_letters(count: int) -> list[str]:
    """The first `count` option letters: A, B, C..."""
    return list(string.ascii_uppercase[:count])


def choice_prompt(question: str, options: Sequence[str], *, hint: str | None = None) -> str:
    """The question, a hint if any, the lettered options and the instruction to answer a letter."""
    lines = [f"Hint: {hint}"] if hint else []
    lines.append(question.strip())
    lines.append("Options:")
    lines.extend(
        f"{letter}. {option}"
        for letter, option in zip(option_letters(len(options)), options, strict=True)
    )
    lines.append(CHOICE_INSTRUCTION)
    return "\n".join(lines)


@dataclass(frozen=True, slots=True, kw_only=True)
class Extraction:
    """The letter an answer was read as (None: none could be), and how it was read."""

    letter: str | None
    how: str


def extract_choice(answer: str, options: Sequence[str]) -> Extraction:
    """The option an answer picks: exactly one option letter as a word ("B", "(B)", "B."), else
    exactly one option's text in a short answer, else none."""
    letters = option_letters(len(options))
    tokens = _TOKEN.findall(answer)
    named = {token for token in tokens if token in letters}
    if len(named) == 1:
        return Extraction(letter=named.pop(), how="the one option letter in the answer")
    text = normalise(answer)
    longest = max((len(option) for option in options), default=0)
    if len(named) == 0 and len(text) <= _LONG_ANSWER_FACTOR * max(longest, 1) + 20:
        found = [
            letter
            for letter, option in zip(letters, options, strict=True)
            if normalise(option) and re.search(rf"\b{re.escape(normalise(option))}\b", text)
        ]
        if len(found) == 1:
            return Extraction(letter=found[0], how="the one option whose text the answer has")
    why = "several option letters" if len(named) > 1 else "no option letter or text"
    return Extraction(letter=None, how=f"not read: the answer has {why}")


def answer_letter(expected: str, options: Sequence[str]) -> str | None:
    """The correct letter from a reference given as a letter or as an option's text."""
    letters = option_letters(len(options))
    stripped = expected.strip().strip("().").upper()
    if stripped in letters:
        return stripped
    wanted = normalise(expected)
    for letter, option in zip(letters, options, strict=True):
        if normalise(option) == wanted:
            return letter
    return None


def rotations(options: Sequence[str]) -> list[tuple[str, ...]]:
    """Each circular shift of the options (n of them for n options), the original first."""
    count = len(options)
    return [tuple(options[(start + i) % count] for i in range(count)) for start in range(count)]


_ROTATION = re.compile(r" \[rotation (\d+)/(\d+)\]$")


def rotation_name(name: str, number: int, count: int) -> str:
    """An item's name for one rotation of its options: "q7 [rotation 2/4]"."""
    return f"{name} [rotation {number}/{count}]"


def rotation_base(name: str) -> str | None:
    """The question a rotation's name belongs to, or None when it names no rotation."""
    found = _ROTATION.search(name)
    return name[: found.start()] if found else None
