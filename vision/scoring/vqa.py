"""VQA accuracy as the official VQA evaluation computes it (GT-Vision-Lab/VQA,
PythonEvaluationTools/vqaEvaluation/vqaEval.py; docs/metrics.md): its answer normalisation and
min(1, matches among the other references ÷ 3) averaged over the references."""

from __future__ import annotations

import re
from collections.abc import Sequence

_NUMBERS = {
    "none": "0", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
}  # fmt: skip
_ARTICLES = frozenset({"a", "an", "the"})
# The official table, every entry as it is there: the words are lower-cased before the lookup,
# so its keys with a capital I never match, and "somebody'd" does become "somebodyd".
_CONTRACTIONS = {
    'aint': "ain't", 'arent': "aren't", 'cant': "can't", 'couldve': "could've",
    'couldnt': "couldn't", "couldn'tve": "couldn't've", "couldnt've": "couldn't've",
    'didnt': "didn't", 'doesnt': "doesn't", 'dont': "don't", 'hadnt': "hadn't",
    "hadnt've": "hadn't've", "hadn'tve": "hadn't've", 'hasnt': "hasn't", 'havent': "haven't",
    'hed': "he'd", "hed've": "he'd've", "he'dve": "he'd've", 'hes': "he's", 'howd': "how'd",
    'howll': "how'll", 'hows': "how's", "Id've": "I'd've", "I'dve": "I'd've", 'Im': "I'm",
    'Ive': "I've", 'isnt': "isn't", 'itd': "it'd", "itd've": "it'd've", "it'dve": "it'd've",
    'itll': "it'll", "let's": "let's", 'maam': "ma'am", 'mightnt': "mightn't",
    "mightnt've": "mightn't've", "mightn'tve": "mightn't've", 'mightve': "might've",
    'mustnt': "mustn't", 'mustve': "must've", 'neednt': "needn't", 'notve': "not've",
    'oclock': "o'clock", 'oughtnt': "oughtn't", "ow's'at": "'ow's'at", "'ows'at": "'ow's'at",
    "'ow'sat": "'ow's'at", 'shant': "shan't", "shed've": "she'd've", "she'dve": "she'd've",
    "she's": "she's", 'shouldve': "should've", 'shouldnt': "shouldn't",
    "shouldnt've": "shouldn't've", "shouldn'tve": "shouldn't've", "somebody'd": 'somebodyd',
    "somebodyd've": "somebody'd've", "somebody'dve": "somebody'd've", 'somebodyll': "somebody'll",
    'somebodys': "somebody's", 'someoned': "someone'd", "someoned've": "someone'd've",
    "someone'dve": "someone'd've", 'someonell': "someone'll", 'someones': "someone's",
    'somethingd': "something'd", "somethingd've": "something'd've",
    "something'dve": "something'd've", 'somethingll': "something'll", 'thats': "that's",
    'thered': "there'd", "thered've": "there'd've", "there'dve": "there'd've",
    'therere': "there're", 'theres': "there's", 'theyd': "they'd", "theyd've": "they'd've",
    "they'dve": "they'd've", 'theyll': "they'll", 'theyre': "they're", 'theyve': "they've",
    'twas': "'twas", 'wasnt': "wasn't", "wed've": "we'd've", "we'dve": "we'd've", 'weve': "we've",
    'werent': "weren't", 'whatll': "what'll", 'whatre': "what're", 'whats': "what's",
    'whatve': "what've", 'whens': "when's", 'whered': "where'd", 'wheres': "where's",
    'whereve': "where've", 'whod': "who'd", "whod've": "who'd've", "who'dve": "who'd've",
    'wholl': "who'll", 'whos': "who's", 'whove': "who've", 'whyll': "why'll", 'whyre': "why're",
    'whys': "why's", 'wont': "won't", 'wouldve': "would've", 'wouldnt': "wouldn't",
    "wouldnt've": "wouldn't've", "wouldn'tve": "wouldn't've", 'yall': "y'all",
    "yall'll": "y'all'll", "y'allll": "y'all'll", "yall'd've": "y'all'd've",
    "y'alld've": "y'all'd've", "y'all'dve": "y'all'd've", 'youd': "you'd", "youd've": "you'd've",
    "you'dve": "you'd've", 'youll': "you'll", 'youre': "you're", 'youve': "you've",
}  # fmt: skip
# The marks the official script removes; it keeps the others (' * # % ^ & $ ~ | :), so "45%"
# is not "45" and "it's" is not "its".
_PUNCTUATION = (";", "/", "[", "]", '"', "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<",
                "@", "`", ",", "?", "!")  # fmt: skip
# A comma between digits anywhere in the text: every mark is then removed, none becomes a space.
_DIGIT_COMMA = re.compile(r"(\d)(,)(\d)")
# The official pattern as it is: "(?!<=" is a lookahead, not a lookbehind, so it removes every
# full stop not followed by a digit ("5." loses it, "1.5" keeps it)...
_FULL_STOP = re.compile(r"(?!<=\d)(\.)(?!\d)")
# ...and it passes re.UNICODE (32) where re.sub takes its count: at most 32 are removed.
_FULL_STOPS_REMOVED = int(re.UNICODE)
# Ten annotators' answers: three matching among the other nine give full credit.
_FULL_CREDIT_MATCHES = 3


def _punctuation(text: str) -> str:
    """The official processPunctuation."""
    out = text
    joined = _DIGIT_COMMA.search(text) is not None
    for mark in _PUNCTUATION:
        spaced = f"{mark} " in text or f" {mark}" in text
        out = out.replace(mark, "" if spaced or joined else " ")
    return _FULL_STOP.sub("", out, count=_FULL_STOPS_REMOVED)


def _digits_and_articles(text: str) -> str:
    """The official processDigitArticle: lower case, number words as digits, no articles,
    contractions restored."""
    words = [_NUMBERS.get(word, word) for word in text.lower().split()]
    return " ".join(_CONTRACTIONS.get(word, word) for word in words if word not in _ARTICLES)


def _cleaned(text: str) -> str:
    return text.replace("\n", " ").replace("\t", " ").strip()


def vqa_normalise(answer: str) -> str:
    """An answer as the official evaluation normalises it when the references disagree."""
    return _digits_and_articles(_punctuation(_cleaned(answer)))


def vqa_accuracy(answer: str, references: Sequence[str]) -> float:
    """The official VQA accuracy: for each reference, min(1, the other references equal to the
    answer ÷ 3), averaged; answer and references are normalised only when the references are
    not all the same text, as there. With one reference, 1 when it equals the answer after
    normalisation (the official formula would give every answer 0: docs/metrics.md)."""
    if not references:
        return 0.0
    if len(references) == 1:
        return float(vqa_normalise(answer) == vqa_normalise(references[0]))
    predicted = _cleaned(answer)
    given = [_cleaned(reference) for reference in references]
    if len(set(given)) > 1:
        predicted = vqa_normalise(predicted)
        given = [vqa_normalise(reference) for reference in given]
    total = 0.0
    for index in range(len(given)):
        matches = sum(other == predicted for at, other in enumerate(given) if at != index)
        total += min(1.0, matches / _FULL_CREDIT_MATCHES)
    return total / len(given)
