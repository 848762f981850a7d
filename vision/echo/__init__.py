"""A local OpenAI-compatible echo backend for tests, offline mode and anyone without a key.

It runs no model: every answer describes what it received, labelled "[echo backend — no model
ran]". It is strict where the real service is (see rejection.py for the statuses and bodies):

- GET /v1/models: public, like io.net's; OpenAI list shape, or io.net's documented shape with
  models_shape="io" (paginated with page and page_size).
- POST /v1/chat/completions: Bearer key (401 {"detail": "Unauthorized"}); schema errors 422;
  unknown model 400; images must be base64 data URLs whose MIME matches the bytes, JPEG, PNG,
  WEBP or static GIF, at most 20 MiB and 4096×4096, at most 10 per request (400 naming the image);
  http(s) image URLs are counted (as 1024×1024) but never fetched; a text-only model answers as
  the provider's troubleshooting table says. usage.prompt_tokens = estimate_text_tokens of every
  text part + every image's cost on that model's published geometry (accounting.py; the
  unknown MYSTERY_MODEL has its own, for calibration to discover); one completion token a word.
- Models: the two documented vision models and a text model, then one model per family the
  live /models lists in 2026 (Llama 4, Qwen2.5-VL, Qwen3.x, Kimi K2.5, GLM-4.5V, GLM-5.x), and
  one reasoning vision model (Kimi K2.6, `supports_reasoning` true in /models; false for the
  rest).
- Reasoning: `reasoning: {"effort": "none"|"low"|"medium"|"high"}` (or the legacy top-level
  `reasoning_effort`) is checked like the schema (422); a model that does not reason refuses it
  (400). The reasoning model thinks first: reasoning_content (one token a word, longer at a
  higher effort, none at "none"; it counts against max_tokens), then the answer, and reports
  usage.completion_tokens_details.reasoning_tokens, streamed or not.
- SSE with stream=true: a role delta, one content delta a word, a finish chunk, a usage chunk
  with choices [] when stream_options.include_usage, then data: [DONE].
- A locate question in a family's own prompt (docs/grounding.md) is answered with the boxes of
  the solid shapes it sees in the first inline image, written as that family writes them, in
  its frame; the request field skip_special_tokens true strips the marker tokens, as vLLM does.
- Faults (Fault, in process or POST/DELETE /_echo/faults) and the request log (GET
  /_echo/requests, never the key) for tests, including tests running it in another process;
  every /_echo/ route needs the key. The log keeps the metadata of the latest requests (model,
  time, size, status); bodies and headers only with EchoServer(record_bodies=True), for tests.
- Pace: ttft_s before the first token and token_delay_s between tokens, or per client a base URL
  …/pace/TTFT/TPS/v1 (pace.py): a demo streams at a real model's pace without a key.
- Only requests whose Host is a loopback name, the echo's own address or one it was told to
  allow are answered (403 otherwise): a rebound DNS name cannot reach it from a browser.
"""

from vision.echo.catalog import (
    CATALOG,
    ECHO_MODELS,
    MYSTERY_MODEL,
    REASONING_MODEL,
    TEXT_ONLY_MODEL,
    EchoModel,
)
from vision.echo.faults import QUOTA_BODY, RATE_LIMIT_BODY, STREAM_ERROR_BODY, Fault
from vision.echo.recorder import RecordedRequest
from vision.echo.server import EchoServer

__all__ = [
    "CATALOG",
    "ECHO_MODELS",
    "MYSTERY_MODEL",
    "QUOTA_BODY",
    "RATE_LIMIT_BODY",
    "REASONING_MODEL",
    "STREAM_ERROR_BODY",
    "TEXT_ONLY_MODEL",
    "EchoModel",
    "EchoServer",
    "Fault",
    "RecordedRequest",
]
