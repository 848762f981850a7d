"""The model families whose image processors are published, found from a model id.

Each family's numbers, worked examples and sources are in docs/geometry.md; a family marked
published=False uses a published processor we could not tie to those ids (a labelled guess).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from vision.images.encoders import ImageGeometry
from vision.images.geometry import (
    LLAMA_IMAGE_TOKENS,
    LLAMA_MAX_TILES,
    LLAMA_TILE,
    LLAMA_TOKENS_PER_TILE,
    QWEN_FACTOR,
    QWEN_MIN_PIXELS,
    QWEN_SERVER_MAX_PIXELS,
    QWEN_WRAPPER_TOKENS,
)
from vision.images.grids import NavitGrid, PaddedGrid, RoundedGrid
from vision.images.tiles import TileCanvas
from vision.limits import MAX_IMAGES_PER_REQUEST

ModelKind = Literal["qwen2vl", "qwen3vl", "mllama", "llama4", "kimi", "glm4v", "glm5", "generic"]

# Llama 4: 336-px tiles, up to 16; a tile is (336/14)² patches pixel-shuffled by 0.5, i.e. 144
# tokens; several tiles add a global tile, a separator per tile and start/image/end tokens.
LLAMA4_PATCHES_PER_TILE = (336 // 14) ** 2 // 4
LLAMA4 = TileCanvas(
    family="Llama 4",
    tile=336,
    max_tiles=16,
    tokens_per_tile=LLAMA4_PATCHES_PER_TILE + 1,
    fixed_tokens=LLAMA4_PATCHES_PER_TILE + 3,
    single_tile_tokens=LLAMA4_PATCHES_PER_TILE + 3,
)
LLAMA32 = TileCanvas(
    family="Llama 3.2 Vision",
    tile=LLAMA_TILE,
    max_tiles=LLAMA_MAX_TILES,
    tokens_per_tile=LLAMA_TOKENS_PER_TILE,
    fixed_tokens=LLAMA_IMAGE_TOKENS,
    single_tile_tokens=LLAMA_TOKENS_PER_TILE + LLAMA_IMAGE_TOKENS,
)
QWEN2_VL = RoundedGrid(
    family="Qwen2-VL",
    factor=QWEN_FACTOR,
    min_pixels=QWEN_MIN_PIXELS,
    max_pixels=QWEN_SERVER_MAX_PIXELS,
    wrapper_tokens=QWEN_WRAPPER_TOKENS,
)
QWEN25_VL = RoundedGrid(
    family="Qwen2.5-VL",
    factor=QWEN_FACTOR,
    min_pixels=QWEN_MIN_PIXELS,
    max_pixels=QWEN_SERVER_MAX_PIXELS,
    wrapper_tokens=QWEN_WRAPPER_TOKENS,
)
# Qwen3-VL: 16-px patches merged 2×2 (a 32-px cell); the hub config's size is
# shortest_edge 65,536 and longest_edge 16,777,216 pixels (64 to 16,384 cells).
QWEN3_VL = RoundedGrid(
    family="Qwen3-VL",
    factor=32,
    min_pixels=64 * 32 * 32,
    max_pixels=16_384 * 32 * 32,
    wrapper_tokens=2,
)
# GLM-4.xV counts pixels over two temporal frames (a still image is doubled): the hub config's
# 12,544 and 9,633,792 are 6,272 and 4,816,896 pixels of one frame, 8 to 6,144 cells of 28 px.
GLM4V = RoundedGrid(
    family="GLM-4.xV",
    factor=28,
    min_pixels=12_544 // 2,
    max_pixels=9_633_792 // 2,
    wrapper_tokens=2,
    lift_small_sides=True,
)
GLM5_NEXT = PaddedGrid(
    family="GLM-5-Next", factor=28, min_tokens=16, max_tokens=8_000, wrapper_tokens=2
)
# Kimi K2.5 (MoonViT): 14-px patches merged 2×2, at most 16,384 patches and 512 a side; the
# placeholder <|media_begin|>image<|media_content|>…<|media_end|> adds 4 tokens.
KIMI_K25 = NavitGrid(
    family="Kimi K2.5",
    patch=14,
    merge=2,
    max_patches=16_384,
    max_patches_per_side=512,
    wrapper_tokens=4,
)

_TRANSFORMERS = "https://github.com/huggingface/transformers/blob/main/src/transformers/models"
_VLLM = "https://github.com/vllm-project/vllm/blob/main/vllm/model_executor/models"
_GRID_NOTE = "{} reads each image on a {}-pixel grid; several images are fine."


@dataclass(frozen=True, slots=True, kw_only=True)
class Family:
    """A family of models sharing one image processor, and how its ids are recognised."""

    kind: ModelKind
    name: str
    pattern: str
    geometry: ImageGeometry
    published: bool
    recommended_max_images: int
    note: str
    resize_reason: str
    source: str
    counts_images_in_prompt: bool = True
    # Whether the family's models think before answering and take a reasoning effort
    # (docs/provider-api.md, "Reasoning").
    reasons: bool = False


def _grid_family(
    kind: ModelKind, name: str, pattern: str, geometry: RoundedGrid, source: str, *, published: bool
) -> Family:
    return Family(
        kind=kind,
        name=name,
        pattern=pattern,
        geometry=geometry,
        published=published,
        recommended_max_images=MAX_IMAGES_PER_REQUEST,
        note=_GRID_NOTE.format(name, geometry.factor),
        resize_reason=f"on {name}'s {geometry.factor}-px grid within the token budget",
        source=source,
    )


# First match wins, so the narrower patterns come first.
FAMILIES: tuple[Family, ...] = (
    Family(
        kind="mllama",
        name="Llama 3.2 Vision",
        pattern=r"llama-3\.2.*vision",
        geometry=LLAMA32,
        published=True,
        # Meta recommends at most one image per prompt (meta-llama/llama-models#163).
        recommended_max_images=1,
        note="Llama 3.2 Vision attends reliably to one image per request.",
        resize_reason="to fit Llama 3.2 Vision's tile canvas",
        source=f"{_TRANSFORMERS}/mllama/image_processing_mllama.py",
        # Cross-attention: newer engines count one <|image|> token, older ones every tile.
        counts_images_in_prompt=False,
    ),
    Family(
        kind="llama4",
        name="Llama 4",
        pattern=r"llama-?4(?!\d)",
        geometry=LLAMA4,
        published=True,
        recommended_max_images=5,  # the Llama 4 model card: tested with up to 5 images
        note="Llama 4 was tested with up to 5 images per request.",
        resize_reason="to fit Llama 4's tile canvas",
        source=f"{_TRANSFORMERS}/llama4/image_processing_llama4_fast.py",
    ),
    _grid_family(
        "qwen2vl",
        "Qwen2-VL",
        r"qwen2-vl",
        QWEN2_VL,
        f"{_TRANSFORMERS}/qwen2_vl/image_processing_qwen2_vl.py",
        published=True,
    ),
    _grid_family(
        "qwen2vl",
        "Qwen2.5-VL",
        r"qwen2\.5-vl",
        QWEN25_VL,
        f"{_TRANSFORMERS}/qwen2_5_vl/processing_qwen2_5_vl.py",
        published=True,
    ),
    _grid_family(
        "qwen3vl",
        "Qwen3-VL",
        r"qwen3-vl|qwen3\.[56](?!\d)",
        QWEN3_VL,
        f"{_TRANSFORMERS}/qwen3_vl/processing_qwen3_vl.py",
        published=True,
    ),
    _grid_family(
        "qwen3vl",
        "Qwen3-VL",
        r"qwen3\.(?:[7-9]|\d\d)",
        QWEN3_VL,
        f"{_TRANSFORMERS}/qwen3_vl/processing_qwen3_vl.py",
        published=False,
    ),
    _grid_family(
        "glm4v",
        "GLM-4.xV",
        r"glm-4(?:\.\d+)?v",
        GLM4V,
        f"{_TRANSFORMERS}/glm4v/image_processing_glm4v.py",
        published=True,
    ),
    Family(
        kind="glm5",
        name="GLM-5-Next",
        pattern=r"glm-5",
        geometry=GLM5_NEXT,
        published=False,
        recommended_max_images=MAX_IMAGES_PER_REQUEST,
        note="GLM-5 reads each image on a 28-pixel grid; several images are fine.",
        resize_reason="on GLM-5-Next's 28-px grid within the token budget",
        source=f"{_TRANSFORMERS}/glm5_next/image_processing_glm5_next.py",
        reasons=True,
    ),
    Family(
        kind="kimi",
        name="Kimi K2.5",
        pattern=r"kimi-k2\.5",
        geometry=KIMI_K25,
        published=True,
        recommended_max_images=MAX_IMAGES_PER_REQUEST,
        note="Kimi K2.5 reads each image in 28-pixel cells; several images are fine.",
        resize_reason="within Kimi K2.5's patch limit and the token budget",
        source=f"{_VLLM}/kimi_k25.py",
        reasons=True,
    ),
    Family(
        kind="kimi",
        name="Kimi K2.5",
        pattern=r"kimi-k(?:2\.[6-9]|3)",
        geometry=KIMI_K25,
        published=False,
        recommended_max_images=MAX_IMAGES_PER_REQUEST,
        note="Kimi reads each image in 28-pixel cells; several images are fine.",
        resize_reason="within Kimi K2.5's patch limit and the token budget",
        source=f"{_VLLM}/kimi_k25.py",
        reasons=True,
    ),
)


@lru_cache(maxsize=512)
def family_of(model: str) -> Family | None:
    """The family a model id belongs to ("Qwen/Qwen3.6-27B" → Qwen3-VL), or None."""
    lowered = model.lower()
    return next((family for family in FAMILIES if re.search(family.pattern, lowered)), None)
