"""The SSE reader: events split anywhere, any line ending, keep-alives, errors, [DONE]."""

from __future__ import annotations

import json

import pytest

from vision.api.sse import SSEDecoder, iter_events
from vision.errors import ResponseFormatError, StreamError

CHUNK_A = {"choices": [{"delta": {"content": "Hel"}}]}
CHUNK_B = {"choices": [{"delta": {"content": "lo"}}]}


def _stream(*events, newline="\n"):
    out = ""
    for event in events:
        data = event if isinstance(event, str) else json.dumps(event)
        out += f"data: {data}{newline}{newline}"
    return out.encode()


def _all(chunks):
    return list(iter_events(iter(chunks)))


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_each_line_ending(newline):
    raw = _stream(CHUNK_A, CHUNK_B, "[DONE]", newline=newline)
    assert _all([raw]) == [CHUNK_A, CHUNK_B]


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_events_split_across_any_chunk_boundary(size):
    raw = _stream(CHUNK_A, CHUNK_B, "[DONE]", newline="\r\n")
    pieces = [raw[i : i + size] for i in range(0, len(raw), size)]
    decoder = SSEDecoder()
    events = [event for piece in pieces for event in decoder.feed(piece)]
    assert events == [CHUNK_A, CHUNK_B]
    assert decoder.done


def test_multibyte_text_split_mid_character():
    raw = _stream({"t": "naïve café ☕"}, "[DONE]")
    pieces = [raw[i : i + 1] for i in range(len(raw))]
    assert _all(pieces) == [{"t": "naïve café ☕"}]


def test_comments_and_other_fields_are_skipped():
    raw = b': keep-alive\n\n: ping\nid: 3\nretry: 10\ndata: {"a": 1}\n\n'
    assert _all([raw]) == [{"a": 1}]


def test_multi_line_data_is_joined():
    raw = b'data: {"a":\ndata: 1}\n\n'
    assert _all([raw]) == [{"a": 1}]


def test_events_without_blank_lines_are_still_read():
    raw = b'data: {"a": 1}\ndata: {"b": 2}\ndata: [DONE]\n'
    decoder = SSEDecoder()
    events = list(decoder.feed(raw)) + list(decoder.finish())
    assert events == [{"a": 1}, {"b": 2}]
    assert decoder.done


def test_done_stops_reading():
    decoder = SSEDecoder()
    assert list(decoder.feed(_stream(CHUNK_A, "[DONE]", CHUNK_B))) == [CHUNK_A]
    assert decoder.done
    assert list(decoder.feed(_stream(CHUNK_B))) == []


def test_a_stream_that_ends_early_is_not_done():
    decoder = SSEDecoder()
    assert list(decoder.feed(_stream(CHUNK_A) + b'data: {"choi')) == [CHUNK_A]
    assert list(decoder.finish()) == []
    assert not decoder.done


def test_a_last_event_without_newline_is_used_when_whole():
    decoder = SSEDecoder()
    assert list(decoder.feed(b'data: {"a": 1}')) == []
    assert list(decoder.finish()) == [{"a": 1}]


def test_done_without_trailing_newline():
    decoder = SSEDecoder()
    list(decoder.feed(_stream(CHUNK_A) + b"data: [DONE]"))
    list(decoder.finish())
    assert decoder.done


@pytest.mark.parametrize("data", ["{bad", "<html>", "[1, 2]", "42"])
def test_data_that_is_not_a_json_object_is_a_format_error(data):
    with pytest.raises(ResponseFormatError, match=r"not JSON|OpenAI streaming format"):
        _all([_stream(data)])


@pytest.mark.parametrize(
    ("event", "phrase"),
    [
        ({"error": {"message": "model overloaded", "code": 503}}, "model overloaded"),
        ({"error": "plain"}, "plain"),
        ({"detail": "gateway"}, None),
    ],
)
def test_error_events_raise_stream_error(event, phrase):
    raw = _stream(CHUNK_A, event)
    if phrase is None:
        assert _all([raw]) == [CHUNK_A, event]
        return
    seen = []
    with pytest.raises(StreamError, match=phrase) as caught:
        seen.extend(iter_events(iter([raw])))
    assert seen == [CHUNK_A]
    assert "text so far is kept" in str(caught.value)


def test_named_error_event_raises():
    with pytest.raises(StreamError, match="boom"):
        _all([b'event: error\ndata: {"message": "boom"}\n\n'])


def test_error_event_status_is_kept_and_key_redacted():
    secret = "io-SENTINEL-key-0123456789"  # noqa: S105 - a sentinel, not a credential
    raw = _stream({"error": {"message": f"bad key {secret}", "code": 401}})
    with pytest.raises(StreamError) as caught:
        list(iter_events(iter([raw]), keys=(secret,)))
    assert caught.value.status == 401
    assert secret not in str(caught.value)


def test_an_endless_line_is_refused():
    decoder = SSEDecoder()
    with pytest.raises(ResponseFormatError):
        list(decoder.feed(b"data: " + b"x" * (1 << 20) + b"y"))
