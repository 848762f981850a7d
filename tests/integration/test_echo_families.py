"""The echo serves every family with its real geometry: the preflight matches what it counts."""

from __future__ import annotations

import pytest

from tests.support.echo_requests import PROMPT, SYSTEM, data_url, post, seed_body
from tests.support.images import make_image, make_photo
from tests.support.models import GLM4V, GLM5, KIMI, LLAMA, LLAMA4, MYSTERY, QWEN, QWEN3, QWEN25
from vision import prepare_image
from vision.api.client import VisionClient
from vision.chat.preflight import preflight
from vision.echo import EchoServer
from vision.images.profiles import estimate_text_tokens

TEXT_TOKENS = estimate_text_tokens(SYSTEM) + estimate_text_tokens(PROMPT)

# A 1600×1200 PNG as each model counts it (docs/geometry.md has the arithmetic).
COUNTED_1600x1200 = {
    LLAMA: 4 * 1601 + 1,
    LLAMA4: 12 * 145 + 147,  # a 3×4 canvas of 336-px tiles
    QWEN: 57 * 43 + 2,  # 1596×1204 on the 28-px grid
    QWEN25: 57 * 43 + 2,
    QWEN3: 50 * 38 + 2,  # 1600×1216 on the 32-px grid
    GLM4V: 57 * 43 + 2,
    GLM5: 58 * 43 + 2,  # padded up to 1624×1204
    KIMI: 58 * 43 + 4,
    MYSTERY: 36 * 27 + 3,  # capped at 1,024 cells of 24 px: 864×648
}


@pytest.mark.parametrize("model", list(COUNTED_1600x1200))
def test_usage_follows_each_familys_formula(echo: EchoServer, model: str) -> None:
    body = post(echo, seed_body(model, data_url(make_image("PNG", (1600, 1200)), "image/png")))
    assert body.status_code == 200, body.text
    assert body.json()["usage"]["prompt_tokens"] == TEXT_TOKENS + COUNTED_1600x1200[model]


# Thin strips as the transformers processor reads them (tests/unit/test_processor_rounding.py
# works them out): a side under half a cell rounds to none and takes the min_pixels branch.
COUNTED_THIN_STRIPS = {
    (QWEN, (13, 2000)): 25 + 2,  # read as 28×700
    (QWEN25, (800, 10)): 18 + 2,  # read as 504×28
    (QWEN3, (15, 3000)): 114 + 2,  # read as 32×3648
    (GLM4V, (13, 2000)): 154 + 2,  # stretched to 28×4307 first, read as 28×4312
}


@pytest.mark.parametrize(("model", "size"), list(COUNTED_THIN_STRIPS))
def test_a_thin_strip_is_sent_as_it_is_and_counted_as_the_processor_reads_it(
    echo: EchoServer, model: str, size: tuple[int, int]
) -> None:
    image = prepare_image(make_image("PNG", size), model=model)
    assert (image.width, image.height) == size
    assert image.estimated_tokens == COUNTED_THIN_STRIPS[model, size]
    body = post(echo, seed_body(model, image.data_url))
    assert body.status_code == 200, body.text
    assert body.json()["usage"]["prompt_tokens"] == TEXT_TOKENS + COUNTED_THIN_STRIPS[model, size]


@pytest.mark.parametrize("model", [LLAMA4, QWEN3, QWEN25, KIMI, GLM4V])
def test_the_preflight_of_a_published_family_is_what_the_server_counts(
    client: VisionClient, model: str
) -> None:
    info = {info.id: info for info in client.list_models()}[model]
    image = prepare_image(make_photo((4032, 3024)), model=model)
    check = preflight(model, [image], PROMPT, SYSTEM, 64, info)
    assert check.estimate_basis.label == "published geometry"
    result = client.chat(
        model=model, prompt=PROMPT, system=SYSTEM, images=[image.as_ref()], max_tokens=64
    )
    assert result.usage.prompt_tokens == check.prompt_tokens


def test_the_unknown_model_is_only_guessed_before_calibration(client: VisionClient) -> None:
    image = prepare_image(make_photo((4032, 3024)), model=MYSTERY)
    check = preflight(MYSTERY, [image], PROMPT, SYSTEM, 64, None)
    assert check.estimate_basis.label == "a guess"
    result = client.chat(model=MYSTERY, prompt=PROMPT, system=SYSTEM, images=[image.as_ref()])
    assert result.usage.prompt_tokens is not None
    assert result.usage.prompt_tokens < check.prompt_tokens  # the guess errs high
