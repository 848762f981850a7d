"""Multiple choice: the prompt with lettered options, the letter an answer picks (read as
VLMEvalKit reads it, or "unread"), and the rotations of circular evaluation (docs/metrics.md)."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass

from vision.scoring.checks import normalise

CHOICE_INSTRUCTION = "Answer with the option's letter from the given choices directly."
# VLMEvalKit's matching_util.can_infer_option: these marks become spaces before the answer is
# split into words, so "(B)", "B." and "**B**" are the word B, while "C++" and "-5" stay whole.
_MARKS_TO_SPACES = str.maketrans(dict.fromkeys(".()[],:;!*#{}", " "))
# An option letter counts only among the answer's last four words ("A dog is sitting on the
# mat." does not pick A; "The answer is B" picks B).
_LAST_WORDS = 4
# "...answer is B", the reference's pattern as it is: A to D only, any case, no word boundary
# after the letter (so "The answer is a cat" reads as A, as it does there).
_STATED = re.compile(r"(?i)(?:correct\s+)?answer\s+is\s+\**([ABCD])\**")
# Refusals the reference reads as "no option" (its Z): a wrong answer, not an unread one.
_REFUSALS = (
    "Sorry, I can't help with images of people yet.",
    "I can't process this file.",
    "I'm sorry, but without the image provided",
    "Cannot determine the answer",
)
_NO_OPTION = "Z"
# Option text is looked for only in answers at most this many times all options' text long.
_TEXT_LENGTH_FACTOR = 2


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
    """The letter an answer was read as, and how; no letter: the answer names no option
    (declined) or could not be read (unread, a distinct outcome from a wrong letter)."""

    letter: str | None
    how: str
    declined: bool = False

    @property
    def unread(self) -> bool:
        """True when no option, and no refusal, could be read from the answer."""
        return self.letter is None and not self.declined


def _unread(why: str) -> Extraction:
    return Extraction(letter=None, how=f"unread: {why}")


def _by_letter(answer: str, letters: Sequence[str]) -> Extraction | None:
    """VLMEvalKit's can_infer_option: an option letter as a word, or "the answer is X"."""
    if any(refusal in answer for refusal in _REFUSALS):
        return Extraction(letter=None, how="declined: the answer refuses", declined=True)
    words = answer.translate(_MARKS_TO_SPACES).split()
    named = [letter for letter in letters if letter in words]
    if len(named) == 1 and words.index(named[0]) >= len(words) - _LAST_WORDS:
        return Extraction(letter=named[0], how="the one option letter in the answer")
    if not named and _NO_OPTION in words:
        return Extraction(letter=None, how=f"declined: the answer says {_NO_OPTION}", declined=True)
    stated = _STATED.search(answer)
    if stated and stated.group(1).upper() in letters:
        return Extraction(letter=stated.group(1).upper(), how='"the answer is" and a letter')
    return None


def _by_text(answer: str, letters: Sequence[str], options: Sequence[str]) -> Extraction:
    """VLMEvalKit's can_infer_text: the one option whose text the (short) answer contains."""
    lowered = answer.lower()
    if len(lowered) > _TEXT_LENGTH_FACTOR * sum(len(option) for option in options):
        return _unread("no single option letter, and too long to look for an option's text")
    found = [
        letter for letter, option in zip(letters, options, strict=True) if option.lower() in lowered
    ]
    if len(found) == 1:
        return Extraction(letter=found[0], how="the one option whose text the answer contains")
    if found:
        return _unread(f"the text of {len(found)} options and no single option letter")
    return _unread("no single option letter and no option's text")


def extract_choice(answer: str, options: Sequence[str]) -> Extraction:
    """The option an answer picks, as VLMEvalKit's can_infer reads it (docs/metrics.md): one
    option letter among its last words, else "the answer is X", else the one option whose
    text a short answer contains; otherwise unread."""
    letters = option_letters(len(options))
    return _by_letter(answer, letters) or _by_text(answer, letters, options)


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
