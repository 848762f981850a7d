"""A word-level difference between two answers, for showing what changed between runs."""

from __future__ import annotations

import difflib
import re
from typing import Literal

DiffOp = Literal["equal", "insert", "delete"]
# Words (everything between whitespace, punctuation inside them included), the quotes and
# brackets around them, and the whitespace between: a word is changed whole or not at all, so
# "meta-llama/Llama-3.2" against "Qwen/Qwen2-VL" never matches the slash and hyphens inside
# them and splices the two names together, while a quoted word keeps its quotes apart.
_WRAPS = '"“”«»()[\\]{}<>'  # not ' or ’: they are apostrophes inside words
_TOKENS = re.compile(rf"\s+|[{_WRAPS}]|[^\s{_WRAPS}]+")


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def answer_diff(a: str, b: str) -> list[tuple[DiffOp, str]]:
    """How to turn answer a into answer b, as (op, text) pieces; adjacent same-op pieces merged."""
    left, right = _tokens(a), _tokens(b)
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    pieces: list[tuple[DiffOp, str]] = []

    def add(op: DiffOp, text: str) -> None:
        if not text:
            return
        if pieces and pieces[-1][0] == op:
            pieces[-1] = (op, pieces[-1][1] + text)
        else:
            pieces.append((op, text))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", "".join(left[i1:i2]))
            continue
        add("delete", "".join(left[i1:i2]))
        add("insert", "".join(right[j1:j2]))
    return pieces


def similarity(a: str, b: str) -> float:
    """How alike two answers are, word by word, from 0.0 (nothing shared) to 1.0 (identical)."""
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, _tokens(a), _tokens(b), autojunk=False).ratio()
