"""Request validation for the echo backend: strict where the real service is strict.

Decisions (the provider does not document these; see shared/reference/api-contract.md):
- schema errors: 422 with FastAPI's {"detail": [{"type", "loc", "msg"}]} (§1.8);
- an unknown model: 400 with {"detail": "The requested model is not available ..."} (§1.4);
- image problems, too many images, a context overflow, stream_options without stream: 400 with
  {"detail": "<sentence naming the image>"} (vLLM answers these with 400, §3).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from vision.echo.catalog import CATALOG, MODELS_BY_ID, EchoModel
from vision.errors import ImageError, ImageTooLargeError
from vision.limits import MAX_IMAGE_BYTES, MAX_IMAGES_PER_REQUEST, MAX_SIDE_PX, MIME_BY_FORMAT
from vision.profiles import estimate_image_tokens, estimate_text_tokens
from vision.sniff import sniff_image

ROLES = ("system", "user", "assistant", "tool", "developer")
DETAIL_LEVELS = ("auto", "low", "high")
# The echo never fetches a URL image, so its cost is counted as if it were this size.
URL_IMAGE_ASSUMED_SIZE = (1024, 1024)
MODEL_NOT_AVAILABLE = (
    "The requested model is not available for Chat Completions API. Available models: [{}]"
)
OBJECT_EXPECTED = "Input should be a valid dictionary or object to extract fields from"
TOO_MANY_IMAGES = f"At most {MAX_IMAGES_PER_REQUEST} images may be provided in one request."


class Rejected(Exception):
    """The request is refused with this status and JSON body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def reject(status: int, detail: str) -> Rejected:
    """A refusal with io.net's {"detail": "..."} body."""
    return Rejected(status, {"detail": detail})


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceivedImage:
    """One image of the request as the echo understood it (1-based index across the request)."""

    index: int
    source: Literal["data", "url"]
    format: str | None = None
    width: int = 0
    height: int = 0
    size_bytes: int = 0
    host: str | None = None
    tokens: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatCall:
    """A chat request that passed every check, with what the answer needs."""

    model: EchoModel
    prompt: str
    images: tuple[ReceivedImage, ...]
    prompt_tokens: int
    stream: bool
    include_usage: bool
    max_tokens: int | None


class _Schema:
    """Collects FastAPI-style validation errors so all of them are reported at once."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def add(self, kind: str, loc: tuple[str | int, ...], msg: str) -> None:
        self.errors.append({"type": kind, "loc": ["body", *loc], "msg": msg})

    def missing(self, loc: tuple[str | int, ...]) -> None:
        self.add("missing", loc, "Field required")

    def is_object(self, value: Any, loc: tuple[str | int, ...]) -> bool:
        if isinstance(value, dict):
            return True
        self.add("model_attributes_type", loc, OBJECT_EXPECTED)
        return False

    def string(self, obj: dict[str, Any], key: str, loc: tuple[str | int, ...]) -> str | None:
        if key not in obj:
            self.missing((*loc, key))
            return None
        value = obj[key]
        if not isinstance(value, str):
            self.add("string_type", (*loc, key), "Input should be a valid string")
            return None
        return value

    def optional_bool(self, obj: dict[str, Any], key: str, loc: tuple[str | int, ...]) -> bool:
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


def _parts(
    schema: _Schema, role: str, content: Any, loc: tuple[str | int, ...]
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


def human_size(size: int) -> str:
    """A byte count as people read it (12.3 KB)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _inspect_data_url(index: int, url: str) -> tuple[str, int, int, int]:
    """The (format, width, height, bytes) of a base64 data URL image; raises Rejected."""
    header, comma, payload = url[len("data:") :].partition(",")
    fields = header.split(";")
    mime = fields[0].strip().lower()
    if not comma or "base64" not in fields[1:]:
        raise reject(
            400,
            f"Invalid image format: image {index} is a data URL without base64 encoding; "
            "only base64 data URLs are supported.",
        )
    if mime not in MIME_BY_FORMAT.values():
        raise reject(
            400,
            f"Invalid image format: image {index} is declared as {mime or 'no type'}; "
            "send image/jpeg, image/png, image/webp or image/gif.",
        )
    limit = human_size(MAX_IMAGE_BYTES)
    # Refuse an oversized payload from its length, before spending memory on decoding it.
    if len(payload) * 3 // 4 > MAX_IMAGE_BYTES + 2:
        raise reject(
            400,
            f"Image too large: image {index} is about {human_size(len(payload) * 3 // 4)}; "
            f"the limit is {limit}.",
        )
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise reject(
            400, f"Invalid image format: image {index} is not valid base64 in its data URL."
        ) from None
    if len(data) > MAX_IMAGE_BYTES:
        raise reject(
            400,
            f"Image too large: image {index} is {human_size(len(data))}; the limit is {limit}.",
        )
    try:
        facts = sniff_image(data)
    except ImageTooLargeError:
        raise reject(
            400, f"Image too large: image {index} declares more pixels than can be decoded."
        ) from None
    except ImageError:
        raise reject(
            400, f"Invalid image format: image {index} could not be decoded as an image."
        ) from None
    if not facts.accepted:
        raise reject(
            400,
            f"Invalid image format: image {index} is a {facts.format} image; only JPEG, PNG, "
            "WEBP and static GIF are accepted.",
        )
    if facts.mime != mime:
        raise reject(
            400,
            f"Invalid image format: image {index} is declared as {mime} "
            f"but its bytes are {facts.format}.",
        )
    if facts.animated:
        raise reject(
            400,
            f"Invalid image format: image {index} is an animated {facts.format}; "
            "only static images are accepted.",
        )
    if facts.width > MAX_SIDE_PX or facts.height > MAX_SIDE_PX:
        raise reject(
            400,
            f"Image too large: image {index} is {facts.width}×{facts.height} pixels; "
            f"the maximum is {MAX_SIDE_PX}×{MAX_SIDE_PX}.",
        )
    return facts.format, facts.width, facts.height, len(data)


def inspect_image(index: int, url: str, model: EchoModel) -> ReceivedImage:
    """Check one image_url against the documented limits; raises Rejected (400)."""
    if url.startswith(("http://", "https://")):
        width, height = URL_IMAGE_ASSUMED_SIZE
        tokens = estimate_image_tokens(model.id, width, height) if model.supports_images else 0
        return ReceivedImage(index=index, source="url", host=urlsplit(url).hostname, tokens=tokens)
    if not url.startswith("data:"):
        raise reject(
            400,
            f"Invalid image URL: image {index} must be an http(s) URL or a base64 data URL.",
        )
    fmt, width, height, size = _inspect_data_url(index, url)
    # A text-only model never sees the image, so it costs it no prompt tokens.
    tokens = estimate_image_tokens(model.id, width, height) if model.supports_images else 0
    return ReceivedImage(
        index=index,
        source="data",
        format=fmt,
        width=width,
        height=height,
        size_bytes=size,
        tokens=tokens,
    )


def _decode(raw: bytes) -> dict[str, Any]:
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


def parse_chat(raw: bytes) -> ChatCall:
    """Validate a POST /chat/completions body; raises Rejected with the real service's status."""
    body = _decode(raw)
    schema = _Schema()
    model_id = schema.string(body, "model", ())
    texts: list[str] = []
    prompt_parts: list[str] = []
    urls: list[str] = []
    messages = body.get("messages")
    if messages is None:
        schema.missing(("messages",))
    elif not isinstance(messages, list):
        schema.add("list_type", ("messages",), "Input should be a valid list")
    elif not messages:
        schema.add(
            "too_short", ("messages",), "List should have at least 1 item after validation, not 0"
        )
    else:
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
            parts = _parts(schema, role, message.get("content"), (*loc, "content"))
            if role == "user":
                prompt_parts = [value for kind, value in parts if kind == "text"]
            texts.extend(value for kind, value in parts if kind == "text")
            urls.extend(value for kind, value in parts if kind == "image")
    stream = schema.optional_bool(body, "stream", ())
    options = body.get("stream_options")
    include_usage = False
    if options is not None and schema.is_object(options, ("stream_options",)):
        include_usage = schema.optional_bool(options, "include_usage", ("stream_options",))
    max_tokens = schema.optional_number(body, "max_tokens", 1, None, integer=True)
    max_completion = schema.optional_number(body, "max_completion_tokens", 1, None, integer=True)
    schema.optional_number(body, "temperature", 0.0, 2.0, integer=False)
    schema.optional_number(body, "top_p", 0.0, 1.0, integer=False)
    if schema.errors or model_id is None:
        raise Rejected(422, {"detail": schema.errors})

    model = MODELS_BY_ID.get(model_id)
    if model is None:
        available = ", ".join(f"'{known.id}'" for known in CATALOG)
        raise reject(400, MODEL_NOT_AVAILABLE.format(available))
    if options is not None and not stream:
        raise reject(400, "Stream options can only be defined when `stream=True`.")
    if len(urls) > MAX_IMAGES_PER_REQUEST:
        raise reject(400, TOO_MANY_IMAGES)
    images = tuple(inspect_image(index, url, model) for index, url in enumerate(urls, start=1))
    prompt_tokens = sum(estimate_text_tokens(text) for text in texts) + sum(
        image.tokens for image in images
    )
    limit = max_completion if max_completion is not None else max_tokens
    requested = prompt_tokens + int(limit or 0)
    if requested > model.context_window:
        raise reject(
            400,
            f"This model's maximum context length is {model.context_window} tokens. However, "
            f"you requested {requested} tokens ({prompt_tokens} in the messages, "
            f"{int(limit or 0)} in the completion). Please reduce the length of the messages "
            "or completion.",
        )
    return ChatCall(
        model=model,
        prompt=" ".join(prompt_parts),
        images=images,
        prompt_tokens=prompt_tokens,
        stream=stream,
        include_usage=include_usage,
        max_tokens=None if limit is None else int(limit),
    )
