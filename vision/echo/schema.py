"""FastAPI-style schema checks of a chat completion body (422 errors, all reported at once)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from vision.echo.rejection import Rejected

ROLES = ("system", "user", "assistant", "tool", "developer")
DETAIL_LEVELS = ("auto", "low", "high")
EFFORTS = ("none", "low", "medium", "high")
OBJECT_EXPECTED = "Input should be a valid dictionary or object to extract fields from"


class Schema:
    """Collects FastAPI-style validation errors so all of them are reported at once."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def add(self, kind: str, loc: tuple[str | int, ...], msg: str) -> None:
        """Record one validation error at `loc` (under "body")."""
        self.errors.append({"type": kind, "loc": ["body", *loc], "msg": msg})

    def missing(self, loc: tuple[str | int, ...]) -> None:
        """Record a required field that is absent."""
        self.add("missing", loc, "Field required")

    def is_object(self, value: Any, loc: tuple[str | int, ...]) -> bool:
        """True for a JSON object; otherwise records the error."""
        if isinstance(value, dict):
            return True
        self.add("model_attributes_type", loc, OBJECT_EXPECTED)
        return False

    def string(self, obj: dict[str, Any], key: str, loc: tuple[str | int, ...]) -> str | None:
        """The required string field, or None with the error recorded."""
        if key not in obj:
            self.missing((*loc, key))
            return None
        value = obj[key]
        if not isinstance(value, str):
            self.add("string_type", (*loc, key), "Input should be a valid string")
            return None
        return value

    def optional_bool(self, obj: dict[str, Any], key: str, loc: tuple[str | int, ...]) -> bool:
        """The optional boolean field (False when absent or invalid, the error recorded)."""
        value = obj.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.add("bool_type", (*loc, key), "Input should be a valid boolean")
            return False
        return value

    def optional_number(
        self, obj: dict[str, Any], key: str, low: float, high: float | None, *, integer: bool
    ) -> float | None:
        """The optional number field within [low, high], or None with any error recorded."""
        value = obj.get(key)
        if value is None:
            return None
        wanted = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, wanted):
            kind, what = ("int_type", "integer") if integer else ("float_type", "number")
            self.add(kind, (key,), f"Input should be a valid {what}")
            return None
        if value < low:
            self.add(
                "greater_than_equal", (key,), f"Input should be greater than or equal to {low}"
            )
            return None
        if high is not None and value > high:
            self.add("less_than_equal", (key,), f"Input should be less than or equal to {high}")
            return None
        return float(value)


def content_parts(
    schema: Schema, role: str, content: Any, loc: tuple[str | int, ...]
) -> list[tuple[str, str]]:
    """The (kind, value) pairs of a message's content: ("text", text) or ("image", url)."""
    if isinstance(content, str):
        return [("text", content)]
    if content is None:
        if role in ("assistant", "tool"):
            return []
        schema.add("missing", loc, "Field required")
        return []
    if not isinstance(content, list):
        schema.add("string_type", loc, "Input should be a valid string or a list of content parts")
        return []
    allowed = ("text", "image_url") if role == "user" else ("text",)
    found: list[tuple[str, str]] = []
    for position, part in enumerate(content):
        here = (*loc, position)
        if not schema.is_object(part, here):
            continue
        kind = part.get("type")
        if kind is None:
            schema.add(
                "union_tag_not_found", here, "Unable to extract tag using discriminator 'type'"
            )
            continue
        if kind not in allowed:
            expected = ", ".join(f"'{tag}'" for tag in allowed)
            schema.add(
                "union_tag_invalid",
                here,
                f"Input tag '{kind}' found using 'type' does not match any of the expected "
                f"tags: {expected}",
            )
            continue
        if kind == "text":
            text = schema.string(part, "text", here)
            if text is not None:
                found.append(("text", text))
            continue
        if "image_url" not in part:
            schema.missing((*here, "image_url"))
            continue
        image = part["image_url"]
        if not schema.is_object(image, (*here, "image_url")):
            continue
        url = schema.string(image, "url", (*here, "image_url"))
        detail = image.get("detail")
        if detail is not None and detail not in DETAIL_LEVELS:
            schema.add(
                "literal_error",
                (*here, "image_url", "detail"),
                "Input should be 'auto', 'low' or 'high'",
            )
        if url is not None:
            found.append(("image", url))
    return found


def _effort(schema: Schema, value: Any, loc: tuple[str | int, ...]) -> str | None:
    if value is None:
        return None
    if value not in EFFORTS:
        schema.add("literal_error", loc, "Input should be 'none', 'low', 'medium' or 'high'")
        return None
    return str(value)


def read_effort(schema: Schema, body: dict[str, Any]) -> str | None:
    """The reasoning effort asked for: `reasoning.effort`, else the legacy top-level
    `reasoning_effort`; None when neither is given (errors recorded in `schema`)."""
    reasoning = body.get("reasoning")
    if reasoning is not None:
        if not schema.is_object(reasoning, ("reasoning",)):
            return None
        return _effort(schema, reasoning.get("effort"), ("reasoning", "effort"))
    return _effort(schema, body.get("reasoning_effort"), ("reasoning_effort",))


@dataclass(frozen=True, slots=True, kw_only=True)
class Messages:
    """What the messages hold: every text, the last user message's text, every image URL."""

    texts: tuple[str, ...] = ()
    prompt: str = ""
    image_urls: tuple[str, ...] = field(default=(), repr=False)  # data URLs: megabytes


def read_messages(schema: Schema, messages: Any) -> Messages:
    """Check the messages array, recording errors in `schema`, and collect texts and images."""
    if messages is None:
        schema.missing(("messages",))
        return Messages()
    if not isinstance(messages, list):
        schema.add("list_type", ("messages",), "Input should be a valid list")
        return Messages()
    if not messages:
        schema.add(
            "too_short", ("messages",), "List should have at least 1 item after validation, not 0"
        )
        return Messages()
    texts: list[str] = []
    prompt_parts: list[str] = []
    urls: list[str] = []
    for position, message in enumerate(messages):
        loc: tuple[str | int, ...] = ("messages", position)
        if not schema.is_object(message, loc):
            continue
        role = schema.string(message, "role", loc)
        if role is None:
            continue
        if role not in ROLES:
            schema.add(
                "literal_error",
                (*loc, "role"),
                "Input should be 'system', 'user', 'assistant', 'tool' or 'developer'",
            )
            continue
        parts = content_parts(schema, role, message.get("content"), (*loc, "content"))
        if role == "user":
            prompt_parts = [value for kind, value in parts if kind == "text"]
        texts.extend(value for kind, value in parts if kind == "text")
        urls.extend(value for kind, value in parts if kind == "image")
    return Messages(texts=tuple(texts), prompt=" ".join(prompt_parts), image_urls=tuple(urls))


def decode_body(raw: bytes) -> dict[str, Any]:
    """The request body as a JSON object; raises Rejected (422) as FastAPI would."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        position = getattr(exc, "pos", 0)
        raise Rejected(
            422,
            {
                "detail": [
                    {"type": "json_invalid", "loc": ["body", position], "msg": "JSON decode error"}
                ]
            },
        ) from None
    if not isinstance(body, dict):
        raise Rejected(
            422,
            {
                "detail": [
                    {
                        "type": "model_attributes_type",
                        "loc": ["body"],
                        "msg": OBJECT_EXPECTED,
                    }
                ]
            },
        )
    return body
