"""Sampling options are checked before anything is sent, with a sentence saying what to do."""

from __future__ import annotations

import pytest

from vision.api.payload import build_payload
from vision.errors import RequestError
from vision.values.request import ChatRequest, options_problem


@pytest.mark.parametrize(
    ("temperature", "max_tokens", "says"),
    [
        (5.0, None, "Temperature 5 is outside 0 to 2"),
        (-0.1, None, "Temperature -0.1 is outside 0 to 2"),
        (None, 0, "Max tokens 0 must be at least 1"),
        (None, -3, "Max tokens -3 must be at least 1"),
    ],
)
def test_out_of_range_options_are_refused_before_sending(temperature, max_tokens, says):
    request = ChatRequest(model="m", prompt="hi", temperature=temperature, max_tokens=max_tokens)
    with pytest.raises(RequestError, match=says):
        build_payload(request)


def test_options_in_range_are_sent_as_given():
    assert options_problem(0.0, 1) is None
    body = build_payload(ChatRequest(model="m", prompt="hi", temperature=2.0, max_tokens=16))
    assert (body["temperature"], body["max_tokens"]) == (2.0, 16)
