"""Reading what the server sent back: error bodies, completions and model lists, tolerantly."""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vision.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ModelNotAvailableError,
    PaymentRequiredError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
)
from vision.redaction import redact
from vision.values.result import ModelInfo, Usage

MAX_DETAIL_CHARS = 300
MODELS_HINT = "run `python -m vision models` or pick one from the models list"

# OpenAI documents a 429 that is a quota or billing problem (insufficient_quota), which waiting
# does not fix; io.net sends 402 for a plan tier. These words in a 429 body mean "do not retry".
_QUOTA_PATTERN = re.compile(r"quota|billing|credit|balance|payment|insufficient|tier", re.I)
# io.net's text for a model it does not serve, and vLLM's (docs/provider-api.md).
_MODEL_MISSING_PATTERN = re.compile(
    r"not available for chat completions|model .{0,200}does not exist|model_not_found"
    r"|no such model|unknown model|model not found",
    re.I,
)
# A refused reasoning effort: a model that does not reason, or an always-reasoning one given
# "none" (the provider's reasoning guide documents a 400 for the latter).
_REASONING_PATTERN = re.compile(r"reasoning|effort", re.I)
_IMAGE_FORMAT_PATTERN = re.compile(
    r"invalid image|cannot (?:process|identify|decode) (?:base64 )?image|unidentifiedimage", re.I
)


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _text_of_detail(detail: Any) -> str | None:
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = [
            str(item.get("msg")) if isinstance(item, Mapping) and item.get("msg") else str(item)
            for item in detail
        ]
        return "; ".join(part for part in parts if part) or None
    return None


def error_detail(body_text: str, *, keys: tuple[str, ...] = ()) -> str:
    """The server's own error message, in the order error.message, detail, message, error, text."""
    body = _json_or_none(body_text)
    found: str | None = None
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping) and isinstance(error.get("message"), str):
            found = error["message"]
        found = found or _text_of_detail(body.get("detail"))
        if not found and isinstance(body.get("message"), str):
            found = body["message"]
        if not found and isinstance(error, str):
            found = error
    if not found:
        found = body_text
    text = " ".join(redact(found, keys).split())
    if len(text) > MAX_DETAIL_CHARS:
        text = text[: MAX_DETAIL_CHARS - 1].rstrip() + "…"
    return text


def _error_codes(body_text: str) -> str:
    """The error type and code fields of a body, joined, for classifying a 429."""
    body = _json_or_none(body_text)
    if not isinstance(body, Mapping):
        return ""
    error = body.get("error")
    source = error if isinstance(error, Mapping) else body
    return " ".join(str(source.get(name) or "") for name in ("type", "code"))


def is_quota_error(status: int, body_text: str) -> bool:
    """True for a 402, or a 429 whose body says quota, billing or credit rather than slow down."""
    if status == 402:
        return True
    if status != 429:
        return False
    return bool(_QUOTA_PATTERN.search(_error_codes(body_text) + " " + error_detail(body_text)))


def server_retry_delay(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asks us to wait: retry-after-ms, then Retry-After (seconds or a date)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    millis = lowered.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000
        except ValueError:
            value = math.nan
        if math.isfinite(value):
            return value
    after = lowered.get("retry-after")
    if after is None:
        return None
    try:
        value = float(after)
    except ValueError:
        parsed = email.utils.parsedate_tz(after)
        if parsed is None:
            return None
        return email.utils.mktime_tz(parsed) - time.time()
    return value if math.isfinite(value) else None


def _wait_phrase(headers: Mapping[str, str]) -> str:
    delay = server_retry_delay(headers)
    if delay is None or delay <= 0:
        return "wait a little and try again"
    return f"try again in {math.ceil(delay)} s"


def status_error(
    status: int,
    body_text: str,
    headers: Mapping[str, str] | None = None,
    *,
    model: str | None = None,
    keys: tuple[str, ...] = (),
) -> APIStatusError:
    """The error for a non-2xx answer, as one sentence that says what to do."""
    headers = headers or {}
    detail = error_detail(body_text, keys=keys)
    said = f' (the server said "{detail}")' if detail else ""
    if status in (401, 403):
        return AuthenticationError(
            f"The API rejected the key ({status}): check IOINTELLIGENCE_API_KEY (or the key "
            "you entered) and that it is allowed to use this model.",
            status=status,
        )
    if is_quota_error(status, body_text):
        return PaymentRequiredError(
            f"The account has no quota or credit left for this request ({status}){said}: top up "
            "or upgrade the IO Intelligence plan, or pick another model.",
            status=status,
        )
    if status == 429:
        return RateLimitError(
            f"The server is rate-limiting requests (429): {_wait_phrase(headers)}.", status=status
        )
    if 400 <= status < 500 and _MODEL_MISSING_PATTERN.search(body_text):
        named = f"The model {model!r}" if model else "The requested model"
        return ModelNotAvailableError(
            f"{named} is not available on this server ({status}): {MODELS_HINT}.", status=status
        )
    if status in (400, 422) and _REASONING_PATTERN.search(body_text):
        named = f"{model!r}" if model else "this model"
        return BadRequestError(
            f"The server refused the reasoning effort for {named} ({status}){said}: leave the "
            "effort unset for a model that does not reason, and give an always-reasoning model "
            "low, medium or high rather than none.",
            status=status,
        )
    if 400 <= status < 500 and _IMAGE_FORMAT_PATTERN.search(body_text):
        return BadRequestError(
            f"The server could not read an image ({status}){said}: re-export it as JPEG or PNG "
            "and send it again.",
            status=status,
        )
    if status == 413:
        return BadRequestError(
            "The request is too large for the server (413): send fewer or smaller images.",
            status=status,
        )
    if status == 404:
        return BadRequestError(
            f"The server has no such endpoint or model (404){said}: check that the base URL ends "
            f"in /api/v1 (or /v1 for vLLM) and {MODELS_HINT}.",
            status=status,
        )
    if status in (400, 422):
        return BadRequestError(
            f"The server rejected the request ({status}){said}: change what it objects to and "
            "send again.",
            status=status,
        )
    if status >= 500:
        return ServerError(
            f"The server failed with {status}{said}: try again in a minute, or pick another model.",
            status=status,
        )
    return APIStatusError(
        f"The server answered {status}{said}: try again, and check the base URL if it persists.",
        status=status,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedCompletion:
    """The parts of a chat completion body that a ChatResult needs."""

    text: str
    model: str
    finish_reason: str | None
    usage: Usage
    reasoning: str | None


def _shape_error(what: str) -> ResponseFormatError:
    return ResponseFormatError(
        f"The server's answer is not a chat completion ({what}): check that the base URL points "
        "at an OpenAI-compatible API."
    )


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_usage(value: Any) -> Usage:
    """Usage counts from a body's usage field; None for every count the server left out."""
    if not isinstance(value, Mapping):
        return Usage()
    details = value.get("completion_tokens_details")
    return Usage(
        prompt_tokens=_int_or_none(value.get("prompt_tokens")),
        completion_tokens=_int_or_none(value.get("completion_tokens")),
        total_tokens=_int_or_none(value.get("total_tokens")),
        reasoning_tokens=(
            _int_or_none(details.get("reasoning_tokens")) if isinstance(details, Mapping) else None
        ),
    )


def content_text(content: Any) -> str | None:
    """Message text from a string, null, or a list of text parts."""
    if content is None or isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text") or "") for part in content if isinstance(part, Mapping))
    raise _shape_error("the message content is neither text nor a list of parts")


def parse_completion(
    body: Any, *, requested_model: str = "", keys: tuple[str, ...] = ()
) -> ParsedCompletion:
    """Text, model, finish reason, usage and reasoning from a /chat/completions body."""
    if not isinstance(body, Mapping):
        raise _shape_error("the body is not a JSON object")
    if "error" in body and "choices" not in body:
        detail = error_detail(json.dumps(body), keys=keys)
        raise ResponseFormatError(
            f'The server answered with an error instead of a completion ("{detail}"): '
            "try again, or pick another model."
        )
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
        raise _shape_error("it has no choices")
    message = choices[0].get("message")
    if not isinstance(message, Mapping):
        raise _shape_error("the first choice has no message")
    reasoning = message.get("reasoning_content") or message.get("reasoning")
    finish = choices[0].get("finish_reason")
    model = body.get("model")
    return ParsedCompletion(
        text=content_text(message.get("content")) or "",
        model=model if isinstance(model, str) and model else requested_model,
        finish_reason=finish if isinstance(finish, str) else None,
        usage=parse_usage(body.get("usage")),
        reasoning=reasoning if isinstance(reasoning, str) and reasoning else None,
    )


def _number_or_none(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _field(item: Mapping[str, Any], name: str) -> Any:
    """A model field at the top level (OpenAI/vLLM list) or under metadata (io.net catalog)."""
    value = item.get(name)
    if value is None and isinstance(item.get("metadata"), Mapping):
        value = item["metadata"].get(name)
    return value


def _model_info(item: Mapping[str, Any]) -> ModelInfo | None:
    name = next(
        (item[key] for key in ("id", "name", "model_id") if isinstance(item.get(key), str)), None
    )
    if not name:
        return None
    if _field(item, "enable_api_chat_completions") is False:
        return None
    flag = _field(item, "supports_images_input")
    reasons = _field(item, "supports_reasoning")
    parameters = _field(item, "supported_parameters")
    if not isinstance(reasons, bool) and isinstance(parameters, list) and parameters:
        # OpenRouter-style lists name the request fields a model takes.
        reasons = bool({"reasoning", "reasoning_effort"} & set(map(str, parameters)))
    context = _number_or_none(_field(item, "context_window") or item.get("max_model_len"))
    max_tokens = _number_or_none(_field(item, "max_tokens"))
    return ModelInfo(
        id=name,
        supports_images=flag if isinstance(flag, bool) else None,
        context_window=int(context) if context is not None else None,
        max_tokens=int(max_tokens) if max_tokens is not None else None,
        input_token_price=_number_or_none(_field(item, "input_token_price")),
        output_token_price=_number_or_none(_field(item, "output_token_price")),
        supports_reasoning=reasons if isinstance(reasons, bool) else None,
    )


def parse_models(body: Any) -> list[ModelInfo]:
    """Models from GET /models in either shape: an OpenAI list or io.net's paginated catalog."""
    items = body.get("data") if isinstance(body, Mapping) else body
    if not isinstance(items, list):
        raise _shape_error("the model list has no data array")
    models: dict[str, ModelInfo] = {}
    for item in items:
        info = _model_info(item) if isinstance(item, Mapping) else None
        if info is not None and info.id not in models:
            models[info.id] = info
    return list(models.values())
