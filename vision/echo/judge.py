"""The echo's deterministic judge: a prompt in the judge's shape (vision/scoring/judge.py) gets
a verdict any test can predict. The answer passes when it contains the reference answer
(ignoring case and spacing), or, with no reference, when the rubric's first quoted word is in
it; the reason says which."""

from __future__ import annotations

import json
import re

_SECTION = r"<{tag}>\n(.*?)\n</{tag}>"


def _section(prompt: str, tag: str) -> str | None:
    found = re.search(_SECTION.format(tag=tag), prompt, re.DOTALL)
    return found.group(1) if found else None


def _loose(text: str) -> str:
    return " ".join(text.casefold().split())


def judge_reply(prompt: str) -> str | None:
    """The judge's JSON verdict when the prompt is a judge's, else None."""
    rubric, answer = _section(prompt, "rubric"), _section(prompt, "answer")
    reference = _section(prompt, "reference")
    if rubric is None or answer is None or reference is None:
        return None
    wanted = reference if reference != "(none)" else None
    if wanted is None:
        quoted = re.search(r"[\"“']([^\"”']+)[\"”']", rubric)
        wanted = quoted.group(1) if quoted else None
    if wanted is None:
        reason, score = "Echo judge: nothing to look for, so it passes.", 1.0
    elif _loose(wanted) in _loose(answer):
        reason, score = f"Echo judge: the answer contains {wanted!r}.", 1.0
    else:
        reason, score = f"Echo judge: the answer lacks {wanted!r}.", 0.0
    verdict = {"reason": reason, "score": score, "pass": score >= 0.5}
    return json.dumps(verdict, ensure_ascii=False)
