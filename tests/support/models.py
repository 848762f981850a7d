"""The two vision models the provider documents, as every test layer names them.

Spelled out rather than read from vision.api.catalog.DOCUMENTED_MODELS, so a change there is
caught (tests/unit/test_catalog.py compares the two).
"""

from __future__ import annotations

LLAMA = "meta-llama/Llama-3.2-90B-Vision-Instruct"
QWEN = "Qwen/Qwen2-VL-7B-Instruct"
