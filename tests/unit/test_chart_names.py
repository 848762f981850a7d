"""Model names on the shared bar charts: a long one wraps after its hyphens, whole."""

from __future__ import annotations

from ui.shared.charts import LINE_CHARS, wrapped


def test_a_long_name_wraps_after_hyphens_and_keeps_every_character():
    name = "Llama-4-Maverick-17B-128E-Instruct-FP8"
    lines = wrapped(name)
    assert lines == ["Llama-4-Maverick-17B-", "128E-Instruct-FP8"]
    assert "".join(lines) == name
    assert all(len(line) <= LINE_CHARS for line in lines)


def test_a_short_name_stays_on_one_line_and_a_piece_without_hyphens_is_never_cut():
    assert wrapped("Qwen2-VL-7B") == ["Qwen2-VL-7B"]
    assert wrapped("Kimi-K2.5 · text only") == ["Kimi-K2.5 · text only"]
    long_piece = "a" * (LINE_CHARS + 8)
    assert wrapped(f"org-{long_piece}-v2") == ["org-", f"{long_piece}-", "v2"]
