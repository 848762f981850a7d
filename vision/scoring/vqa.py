"""The answer normalisation of the official VQA evaluation: punctuation, number words,
articles and contractions, so that "Two dogs." and "2 dogs" compare equal."""

from __future__ import annotations

import re

_NUMBERS = {
    "none": "0", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
}  # fmt: skip
_ARTICLES = frozenset({"a", "an", "the"})
# The contractions the official script restores most often (its table is longer).
_CONTRACTIONS = {
    "arent": "aren't", "cant": "can't", "couldnt": "couldn't", "didnt": "didn't",
    "doesnt": "doesn't", "dont": "don't", "hadnt": "hadn't", "hasnt": "hasn't",
    "havent": "haven't", "hes": "he's", "im": "i'm", "isnt": "isn't", "itd": "it'd",
    "itll": "it'll", "ive": "i've", "shouldnt": "shouldn't", "thats": "that's",
    "theres": "there's", "theyre": "they're", "wasnt": "wasn't", "werent": "weren't",
    "whats": "what's", "wont": "won't", "wouldnt": "wouldn't", "youre": "you're",
}  # fmt: skip
_PUNCTUATION = ";/[]\"{}()=+\\_-><@`,?!*#%^&$~|:'"
# A comma between digits (1,000) is removed, not turned into a space.
_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d)")
# A full stop that is not a decimal point.
_PERIOD = re.compile(r"(?!<=\d)(\.)(?!\d)")


def vqa_normalise(answer: str) -> str:
    """The answer as the VQA evaluation compares it."""
    text = " ".join(answer.replace("\n", " ").replace("\t", " ").strip().lower().split())
    text = _DIGIT_COMMA.sub("", text)
    for mark in _PUNCTUATION:
        if f"{mark} " in text or f" {mark}" in text:
            text = text.replace(mark, "")
        else:
            text = text.replace(mark, " " if mark != "'" else "")
    text = _PERIOD.sub("", text)
    words = []
    for word in text.split():
        word = _NUMBERS.get(word, word)
        if word in _ARTICLES:
            continue
        words.append(_CONTRACTIONS.get(word, word))
    return " ".join(words)
