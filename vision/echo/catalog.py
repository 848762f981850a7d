"""The models the echo backend serves, and the two /models response shapes that exist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from vision.images.encoders import ImageGeometry
from vision.images.grids import RoundedGrid

ModelsShape = Literal["openai", "io"]

# A fixed timestamp keeps every response byte-for-byte deterministic.
CREATED = 1_727_740_800  # 2024-10-01T00:00:00Z
CREATED_ISO = "2024-10-01T00:00:00Z"


@dataclass(frozen=True, slots=True, kw_only=True)
class EchoModel:
    """A model as the echo advertises it. Prices are per token, as io.net lists them.

    Its images cost what its family's published geometry says, unless `geometry` is set: the
    echo's own accounting for a model the project's profiles do not know. A model that `reasons`
    thinks before it answers and takes a reasoning effort; the others refuse one.
    """

    id: str
    supports_images: bool
    context_window: int
    max_tokens: int
    input_token_price: float
    output_token_price: float
    developer: str
    geometry: ImageGeometry | None = None
    reasons: bool = False


MYSTERY_MODEL = "echo/mystery-vision"
# The echo's reasoning vision model: it streams its reasoning_content first, then the answer.
REASONING_MODEL = "moonshotai/Kimi-K2.6"
# Made up, and known only to the echo: calibration and `vision probe` must discover it.
MYSTERY_GEOMETRY = RoundedGrid(
    family=MYSTERY_MODEL,
    factor=24,
    min_pixels=16 * 24 * 24,
    max_pixels=1024 * 24 * 24,
    wrapper_tokens=3,
)


# Context windows follow the public model cards (plausible placeholders where a card is not
# published); prices are plausible placeholders. The families after the first three are those
# the live /models lists in 2026 (docs/geometry.md), each with its published geometry.
CATALOG: tuple[EchoModel, ...] = (
    EchoModel(
        id="meta-llama/Llama-3.2-90B-Vision-Instruct",
        supports_images=True,
        context_window=131_072,
        max_tokens=4_096,
        input_token_price=3.5e-07,
        output_token_price=4.0e-07,
        developer="Meta",
    ),
    EchoModel(
        id="Qwen/Qwen2-VL-7B-Instruct",
        supports_images=True,
        context_window=32_768,
        max_tokens=8_192,
        input_token_price=5.0e-08,
        output_token_price=1.0e-07,
        developer="Qwen",
    ),
    EchoModel(
        id="meta-llama/Llama-3.3-70B-Instruct",
        supports_images=False,
        context_window=128_000,
        max_tokens=8_192,
        input_token_price=1.3e-07,
        output_token_price=3.8e-07,
        developer="Meta",
    ),
    EchoModel(
        id="meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
        supports_images=True,
        context_window=1_048_576,
        max_tokens=8_192,
        input_token_price=1.5e-07,
        output_token_price=6.0e-07,
        developer="Meta",
    ),
    EchoModel(
        id="Qwen/Qwen2.5-VL-32B-Instruct",
        supports_images=True,
        context_window=32_000,
        max_tokens=8_192,
        input_token_price=5.0e-08,
        output_token_price=2.2e-07,
        developer="Qwen",
    ),
    EchoModel(
        id="Qwen/Qwen3.6-27B",
        supports_images=True,
        context_window=262_144,
        max_tokens=16_384,
        input_token_price=1.0e-07,
        output_token_price=4.0e-07,
        developer="Qwen",
    ),
    EchoModel(
        id="moonshotai/Kimi-K2.5",
        supports_images=True,
        context_window=262_144,
        max_tokens=16_384,
        input_token_price=5.5e-07,
        output_token_price=2.2e-06,
        developer="Moonshot AI",
    ),
    # Kimi K2.x reasons (docs/provider-api.md, "Reasoning"); the echo keeps K2.5 answering at
    # once, as before, and lists K2.6 as its reasoning model.
    EchoModel(
        id=REASONING_MODEL,
        supports_images=True,
        context_window=262_144,
        max_tokens=16_384,
        input_token_price=6.0e-07,
        output_token_price=2.5e-06,
        developer="Moonshot AI",
        reasons=True,
    ),
    EchoModel(
        id="zai-org/GLM-4.5V",
        supports_images=True,
        context_window=65_536,
        max_tokens=8_192,
        input_token_price=6.0e-07,
        output_token_price=1.8e-06,
        developer="Z.ai",
    ),
    EchoModel(
        id="zai-org/GLM-5.3-Flash",
        supports_images=True,
        context_window=131_072,
        max_tokens=8_192,
        input_token_price=1.0e-07,
        output_token_price=4.0e-07,
        developer="Z.ai",
    ),
    EchoModel(
        id=MYSTERY_MODEL,
        supports_images=True,
        context_window=32_768,
        max_tokens=4_096,
        input_token_price=2.0e-07,
        output_token_price=6.0e-07,
        developer="echo",
        geometry=MYSTERY_GEOMETRY,
    ),
)

ECHO_MODELS: tuple[str, ...] = tuple(model.id for model in CATALOG if model.supports_images)
TEXT_ONLY_MODEL = "meta-llama/Llama-3.3-70B-Instruct"
MODELS_BY_ID: dict[str, EchoModel] = {model.id: model for model in CATALOG}


def openai_entry(model: EchoModel) -> dict[str, Any]:
    """One model in the OpenAI/vLLM list shape, with io.net's extra fields at the top level."""
    return {
        "id": model.id,
        "object": "model",
        "created": CREATED,
        "owned_by": "io-intelligence-echo",
        "root": model.id,
        "parent": None,
        "max_model_len": model.context_window,
        "permission": [],
        "max_tokens": model.max_tokens,
        "context_window": model.context_window,
        "supports_images_input": model.supports_images,
        "supports_reasoning": model.reasons,
        "supports_prompt_cache": False,
        "input_token_price": model.input_token_price,
        "output_token_price": model.output_token_price,
        "precision": "fp8",
    }


def io_entry(model: EchoModel) -> dict[str, Any]:
    """One model in io.net's documented shape: name and model_id, facts under metadata."""
    return {
        "model_id": model.id,
        "name": model.id,
        "description": f"{model.id} served by the local echo backend (no model runs).",
        "status": "active",
        "created_at": CREATED_ISO,
        "updated_at": CREATED_ISO,
        "metadata": {
            "tags": ["vision"] if model.supports_images else ["text"],
            "developer": model.developer,
            "enable_api_chat_completions": True,
            "tool_support": False,
            "max_tokens": model.max_tokens,
            "context_window": model.context_window,
            "supports_images_input": model.supports_images,
            "supports_reasoning": model.reasons,
            "supports_prompt_cache": False,
            "input_token_price": model.input_token_price,
            "output_token_price": model.output_token_price,
        },
    }


def models_body(shape: ModelsShape, page: int = 1, page_size: int = 50) -> dict[str, Any]:
    """The /models response body in the requested shape (io.net's shape is paginated)."""
    if shape == "openai":
        return {"object": "list", "data": [openai_entry(model) for model in CATALOG]}
    total = len(CATALOG)
    start = (page - 1) * page_size
    chosen = CATALOG[start : start + page_size]
    total_pages = max(1, -(-total // page_size))
    return {
        "data": [io_entry(model) for model in chosen],
        "pagination": {
            "total": total,
            "page": page,
            "page_size": page_size,
            "total_pages": total_pages,
            "has_next": page < total_pages,
            "has_previous": page > 1,
        },
    }
