"""The two vision models the provider documents, as every test layer names them.

Spelled out rather than read from vision.api.catalog.DOCUMENTED_MODELS, so a change there is
caught (tests/unit/test_catalog.py compares the two).
"""

from __future__ import annotations

LLAMA = "meta-llama/Llama-3.2-90B-Vision-Instruct"
QWEN = "Qwen/Qwen2-VL-7B-Instruct"

# The models of the families the echo also serves (their geometries: docs/geometry.md).
LLAMA4 = "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8"
QWEN25 = "Qwen/Qwen2.5-VL-32B-Instruct"
QWEN3 = "Qwen/Qwen3.6-27B"
KIMI = "moonshotai/Kimi-K2.5"
GLM4V = "zai-org/GLM-4.5V"
GLM5 = "zai-org/GLM-5.3-Flash"
FAMILY_MODELS = (LLAMA4, QWEN25, QWEN3, KIMI, GLM4V, GLM5)
# The echo's model that takes no images.
TEXT_ONLY = "meta-llama/Llama-3.3-70B-Instruct"
# The echo's vision model whose geometry the project does not know.
MYSTERY = "echo/mystery-vision"
# The echo's reasoning vision model (Kimi's family): it thinks before it answers.
REASONING = "moonshotai/Kimi-K2.6"
ALL_ECHO_VISION_MODELS = (LLAMA, QWEN, *FAMILY_MODELS, REASONING, MYSTERY)
