"""Each family's published geometry, pinned to the worked examples of docs/geometry.md."""

from __future__ import annotations

import pytest

from tests.support.models import GLM4V, GLM5, KIMI, LLAMA, LLAMA4, QWEN, QWEN3, QWEN25
from vision.images.families import (
    GLM4V as GLM4V_GRID,
    GLM5_NEXT,
    KIMI_K25,
    LLAMA4 as LLAMA4_TILES,
    QWEN3_VL,
)
from vision.images.grids import RoundedGrid
from vision.images.profiles import (
    estimate_image_tokens,
    profile_for,
    published_profile,
    send_size,
)
from vision.values.result import ModelInfo

MAX_WRAPPER_TOKENS = 4  # Kimi's; the grid families add 2

SIZES = [(4032, 3024), (4096, 4096), (1920, 1080), (1280, 720), (800, 600), (560, 560),
         (1000, 4000), (300, 200)]  # fmt: skip

# input -> (tiles, tokens): 147 for one tile, else 145·tiles + 147
LLAMA4_TABLE = [(12, 1887), (16, 2467), (15, 2322), (12, 1887), (6, 1017), (4, 727),
                (16, 2467), (1, 147)]  # fmt: skip
# input -> (grid W, H, tokens): cells of 32 px + 2
QWEN3_TABLE = [(4032, 3008, 11_846), (4096, 4096, 16_386), (1920, 1088, 2042), (1280, 704, 882),
               (800, 608, 477), (576, 576, 326), (992, 4000, 3877), (320, 224, 72)]  # fmt: skip
# input -> (grid W, H, tokens): cells of 28 px within 6,272–4,816,896 px, + 2
GLM4V_TABLE = [(2520, 1876, 6032), (2184, 2184, 6086), (1932, 1092, 2693), (1288, 728, 1198),
               (812, 588, 611), (560, 560, 402), (1008, 4004, 5150), (308, 196, 79)]  # fmt: skip
# input -> (padded canvas W, H, tokens): 16–8,000 cells of 28 px, + 2
GLM5_TABLE = [(2884, 2156, 7933), (2492, 2492, 7923), (1932, 1092, 2693), (1288, 728, 1198),
              (812, 616, 640), (560, 560, 402), (1008, 4004, 5150), (308, 224, 90)]  # fmt: skip
# input -> (scaled W, H, tokens): ≤ 16,384 patches of 14 px, padded to 28-px cells, + 4
KIMI_TABLE = [(2069, 1551, 4148), (1795, 1795, 4229), (1920, 1080, 2695), (1280, 720, 1200),
              (800, 600, 642), (560, 560, 404), (899, 3599, 4261), (300, 200, 92)]  # fmt: skip


@pytest.mark.parametrize(("size", "expected"), zip(SIZES, LLAMA4_TABLE, strict=True))
def test_llama4_tiles_and_tokens(size, expected):
    assert LLAMA4_TILES.tiles(*size) == expected[0]
    assert estimate_image_tokens(LLAMA4, *size) == expected[1]


@pytest.mark.parametrize(("size", "expected"), zip(SIZES, QWEN3_TABLE, strict=True))
def test_qwen3_grid_and_tokens(size, expected):
    assert QWEN3_VL.model_size(*size) == expected[:2]
    assert estimate_image_tokens(QWEN3, *size) == expected[2]


@pytest.mark.parametrize(("size", "expected"), zip(SIZES, GLM4V_TABLE, strict=True))
def test_glm4v_grid_and_tokens(size, expected):
    assert GLM4V_GRID.model_size(*size) == expected[:2]
    assert estimate_image_tokens(GLM4V, *size) == expected[2]


@pytest.mark.parametrize(("size", "expected"), zip(SIZES, GLM5_TABLE, strict=True))
def test_glm5_canvas_and_tokens(size, expected):
    assert GLM5_NEXT.canvas(*size) == expected[:2]
    assert estimate_image_tokens(GLM5, *size) == expected[2]


@pytest.mark.parametrize(("size", "expected"), zip(SIZES, KIMI_TABLE, strict=True))
def test_kimi_scale_and_tokens(size, expected):
    assert KIMI_K25.model_size(*size) == expected[:2]
    assert estimate_image_tokens(KIMI, *size) == expected[2]


def test_qwen25_reads_like_qwen2_vl():
    for size in SIZES:
        assert estimate_image_tokens(QWEN25, *size) == estimate_image_tokens(QWEN, *size)


@pytest.mark.parametrize(
    ("model", "kind", "family", "basis"),
    [
        (LLAMA, "mllama", "Llama 3.2 Vision", "published"),
        (LLAMA4, "llama4", "Llama 4", "published"),
        ("meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama4", "Llama 4", "published"),
        (QWEN, "qwen2vl", "Qwen2-VL", "published"),
        (QWEN25, "qwen2vl", "Qwen2.5-VL", "published"),
        (QWEN3, "qwen3vl", "Qwen3-VL", "published"),
        ("Qwen/Qwen3.6-35B-A3B", "qwen3vl", "Qwen3-VL", "published"),
        ("Qwen/Qwen3-VL-8B-Instruct", "qwen3vl", "Qwen3-VL", "published"),
        ("Qwen/Qwen3.8-27B", "qwen3vl", "Qwen3-VL", "guess"),
        (KIMI, "kimi", "Kimi K2.5", "published"),
        ("moonshotai/Kimi-K2.6", "kimi", "Kimi K2.5", "guess"),
        ("moonshotai/Kimi-K3", "kimi", "Kimi K2.5", "guess"),
        (GLM4V, "glm4v", "GLM-4.xV", "published"),
        ("zai-org/GLM-4.1V-9B-Thinking", "glm4v", "GLM-4.xV", "published"),
        (GLM5, "glm5", "GLM-5-Next", "guess"),
        ("some/other-vision-model", "generic", "unknown", "guess"),
    ],
)
def test_the_family_comes_from_the_id(model, kind, family, basis):
    profile = profile_for(model)
    assert (profile.kind, profile.family, profile.basis.kind) == (kind, family, basis)
    assert profile.accepts_images
    assert profile.basis.how
    if basis == "published":
        assert profile.basis.source.startswith("https://github.com/")


def test_text_models_of_vision_families_are_not_taken_for_vision_ones():
    assert profile_for("Qwen/Qwen3-235B-A22B-Instruct-2507").kind == "generic"
    assert profile_for("moonshotai/Kimi-K2-Instruct").kind == "generic"
    assert profile_for("meta-llama/Llama-3.3-70B-Instruct").kind == "generic"
    assert profile_for("meta-llama/Llama-3.1-405B-Instruct").kind == "generic"


def test_what_models_says_about_images_wins_over_the_id():
    text_only = ModelInfo(id=QWEN3, supports_images=False)
    assert not published_profile(QWEN3, text_only).accepts_images
    unknown = ModelInfo(id="acme/sees-all", supports_images=True)
    assert published_profile("acme/sees-all", unknown).accepts_images
    assert not published_profile("acme/sees-all").accepts_images


def test_how_many_images_each_family_handles_well():
    assert profile_for(LLAMA).recommended_max_images == 1
    assert profile_for(LLAMA4).recommended_max_images == 5
    for model in (QWEN, QWEN25, QWEN3, KIMI, GLM4V, GLM5):
        assert profile_for(model).recommended_max_images == 10


@pytest.mark.parametrize(
    ("model", "size", "sent", "tokens"),
    [
        (QWEN3, (4032, 3024), (1312, 960), 1232),
        (QWEN3, (4096, 4096), (1120, 1120), 1227),
        (QWEN3, (1000, 4000), (544, 2272), 1209),
        (GLM4V, (4032, 3024), (1148, 840), 1232),
        (GLM5, (4032, 3024), (1148, 861), 1273),
        (KIMI, (4032, 3024), (1148, 861), 1275),
        (LLAMA4, (4032, 3024), (1344, 1008), 1887),
        (LLAMA4, (1920, 1080), (1680, 945), 2322),
    ],
)
def test_what_is_sent_at_the_default_budget(model, size, sent, tokens):
    assert send_size(model, *size) == sent
    assert estimate_image_tokens(model, *sent) == tokens


SENT_SIZES = [(6000, 4000), (4032, 3024), (1280, 720), (810, 590), (300, 200), (40, 30),
              (4000, 90), (13, 2000), (800, 10)]  # fmt: skip


@pytest.mark.parametrize("model", [QWEN, QWEN25, QWEN3, GLM4V, GLM5, KIMI, LLAMA, LLAMA4])
@pytest.mark.parametrize("size", SENT_SIZES)
@pytest.mark.parametrize("budget", [256, 1280, 16_384])
def test_sent_sizes_are_never_upscaled_nor_more_than_the_model_reads(model, size, budget):
    width, height = size
    sent = send_size(model, width, height, qwen_token_budget=budget)
    assert sent[0] <= min(width, 4096)
    assert sent[1] <= min(height, 4096)
    # The model reads the sent image as it is: sending fewer pixels never costs more.
    assert estimate_image_tokens(model, *sent) <= estimate_image_tokens(model, width, height)
    geometry = profile_for(model).geometry
    if geometry.budgeted and sent != size:
        assert estimate_image_tokens(model, *sent) <= budget + MAX_WRAPPER_TOKENS


@pytest.mark.parametrize("model", [QWEN, QWEN3, GLM4V])
def test_a_resized_grid_image_is_not_resampled_again_by_the_server(model):
    geometry = profile_for(model).geometry
    assert isinstance(geometry, RoundedGrid)
    for size in [(6000, 4000), (4032, 3024), (1920, 1080), (1000, 4000)]:
        sent = send_size(model, *size)
        assert geometry.model_size(*sent) == sent
