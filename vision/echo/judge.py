"""The echo's deterministic judge: a prompt in the judge's shape (vision/scoring/judge.py) gets
a verdict any test can predict. The answer passes when it contains the reference answer
(ignoring case and spacing), or, with no reference, when the rubric's first quoted word is in
it; the reason says which, and how many images the judge was shown.

A multiple-choice reading (vision/scoring/choice_reading.py) names the option whose text comes
first in the answer, or Z when none is in it.

Two answers (vision/scoring/pairwise.py): the one that contains what is looked for is better; a
tie when both do; when neither does, the echo prefers whichever answer came first, the position
bias real judges show, so that swapping the answers changes its verdict."""

from __future__ import annotations

import json
import re

_SECTION = r"<{tag}>\n(.*?)\n</{tag}>"


def _section(prompt: str, tag: str) -> str | None:
    found = re.search(_SECTION.format(tag=tag), prompt, re.DOTALL)
    return found.group(1) if found else None


def _loose(text: str) -> str:
    return " ".join(text.casefold().split())


def _wanted(rubric: str, reference: str) -> str | None:
    if reference != "(none)":
        return reference
    quoted = re.search(r"[\"“']([^\"”']+)[\"”']", rubric)
    return quoted.group(1) if quoted else None


def _seen(images: int) -> str:
    if not images:
        return "It was shown no image."
    return f"It was shown {images} image{'s' if images > 1 else ''}."


def _has(answer: str, wanted: str | None) -> bool:
    return wanted is None or _loose(wanted) in _loose(answer)


def _pair_reply(rubric: str, reference: str, first: str, second: str, images: int) -> str:
    wanted = _wanted(rubric, reference)
    looked = "anything" if wanted is None else repr(wanted)
    has_a, has_b = _has(first, wanted), _has(second, wanted)
    if has_a and has_b:
        better, reason = "tie", f"Echo judge: both answers contain {looked}."
    elif has_a or has_b:
        better = "A" if has_a else "B"
        reason = f"Echo judge: only answer {better} contains {looked}."
    else:
        better, reason = "A", f"Echo judge: neither answer contains {looked}; A came first."
    return json.dumps({"reason": f"{reason} {_seen(images)}", "better": better})


def _reading_reply(options: str, answer: str) -> str:
    listed = re.findall(r"^([A-Y])\. (.*)$", options, re.MULTILINE)
    found = [(_loose(answer).find(_loose(text)), letter) for letter, text in listed]
    present = sorted((at, letter) for at, letter in found if at >= 0)
    return json.dumps({"option": present[0][1] if present else "Z"})


def judge_reply(prompt: str, images: int = 0) -> str | None:
    """The judge's JSON verdict when the prompt is a judge's (shown `images` images), else
    None."""
    rubric, reference = _section(prompt, "rubric"), _section(prompt, "reference")
    options, answer = _section(prompt, "options"), _section(prompt, "answer")
    if rubric is None and options is not None and answer is not None:
        return _reading_reply(options, answer)
    if rubric is None or reference is None:
        return None
    first, second = _section(prompt, "answer_a"), _section(prompt, "answer_b")
    if first is not None and second is not None:
        return _pair_reply(rubric, reference, first, second, images)
    answer = _section(prompt, "answer")
    if answer is None:
        return None
    wanted = _wanted(rubric, reference)
    if wanted is None:
        reason, score = "Echo judge: nothing to look for, so it passes.", 1.0
    elif _has(answer, wanted):
        reason, score = f"Echo judge: the answer contains {wanted!r}.", 1.0
    else:
        reason, score = f"Echo judge: the answer lacks {wanted!r}.", 0.0
    verdict = {"reason": f"{reason} {_seen(images)}", "score": score, "pass": score >= 0.5}
    return json.dumps(verdict, ensure_ascii=False)
