"""Validation of a chat completion request: strict where the real service is strict."""

from __future__ import annotations

from dataclasses import dataclass

from vision.echo.catalog import CATALOG, MODELS_BY_ID, EchoModel
from vision.echo.images import ReceivedImage, inspect_image
from vision.echo.rejection import Rejected, reject
from vision.echo.schema import Schema, decode_body, read_effort, read_messages
from vision.images.profiles import estimate_text_tokens
from vision.limits import MAX_IMAGES_PER_REQUEST

MODEL_NOT_AVAILABLE = (
    "The requested model is not available for Chat Completions API. Available models: [{}]"
)
TOO_MANY_IMAGES = f"At most {MAX_IMAGES_PER_REQUEST} images may be provided in one request."
# OpenAI's sentence for a reasoning field sent to a model that does not reason, in io.net's body.
NO_REASONING = "Unsupported parameter: '{}' is not supported with this model."


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
    skip_special_tokens: bool = False  # vLLM's request field: strip marker tokens from answers
    reasoning_effort: str | None = None  # as asked; None: the model's default


def parse_chat(raw: bytes) -> ChatCall:
    """Validate a POST /chat/completions body; raises Rejected with the real service's status."""
    body = decode_body(raw)
    schema = Schema()
    model_id = schema.string(body, "model", ())
    messages = read_messages(schema, body.get("messages"))
    stream = schema.optional_bool(body, "stream", ())
    options = body.get("stream_options")
    include_usage = False
    if options is not None and schema.is_object(options, ("stream_options",)):
        include_usage = schema.optional_bool(options, "include_usage", ("stream_options",))
    max_tokens = schema.optional_number(body, "max_tokens", 1, None, integer=True)
    max_completion = schema.optional_number(body, "max_completion_tokens", 1, None, integer=True)
    schema.optional_number(body, "temperature", 0.0, 2.0, integer=False)
    schema.optional_number(body, "top_p", 0.0, 1.0, integer=False)
    skip_special_tokens = schema.optional_bool(body, "skip_special_tokens", ())
    effort = read_effort(schema, body)
    if schema.errors or model_id is None:
        raise Rejected(422, {"detail": schema.errors})

    model = MODELS_BY_ID.get(model_id)
    if model is None:
        available = ", ".join(f"'{known.id}'" for known in CATALOG)
        raise reject(400, MODEL_NOT_AVAILABLE.format(available))
    if options is not None and not stream:
        raise reject(400, "Stream options can only be defined when `stream=True`.")
    if not model.reasons:
        for field in ("reasoning", "reasoning_effort"):
            if body.get(field) is not None:
                raise reject(400, NO_REASONING.format(field))
    if len(messages.image_urls) > MAX_IMAGES_PER_REQUEST:
        raise reject(400, TOO_MANY_IMAGES)
    images = tuple(
        inspect_image(index, url, model) for index, url in enumerate(messages.image_urls, start=1)
    )
    prompt_tokens = sum(estimate_text_tokens(text) for text in messages.texts) + sum(
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
        prompt=messages.prompt,
        images=images,
        prompt_tokens=prompt_tokens,
        stream=stream,
        include_usage=include_usage,
        max_tokens=None if limit is None else int(limit),
        skip_special_tokens=skip_special_tokens,
        reasoning_effort=effort,
    )
