"""The size an image is sent at never earns it a warning: a side we chose to send under the
recommended 512 px is a note saying what it was traded for, and a side the token budget can
keep at the minimum is kept."""

from __future__ import annotations

from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from vision.images.geometry import smart_resize
from vision.images.intake import prepare_image
from vision.images.profiles import estimate_image_tokens


def _no_size_warning(warnings: tuple[str, ...]) -> bool:
    return not [warning for warning in warnings if "512" in warning]


def test_a_receipt_downsized_for_the_budget_is_not_warned_about_but_says_the_trade():
    receipt = prepare_image(make_image("PNG", (600, 2200)), model=QWEN)
    assert (receipt.width, receipt.height) == (504, 1904)
    assert _no_size_warning(receipt.warnings)
    assert receipt.notes == (
        "Sent at 504×1904 to stay within the 1,280-token budget per image: its width is under "
        "the recommended 512 px. Keeping 512 px would take ≈1,332 tokens; raise the token "
        "budget per image to keep it.",
    )


def test_the_budget_it_names_keeps_the_minimum():
    receipt = prepare_image(make_image("PNG", (600, 2200)), model=QWEN, qwen_token_budget=1332)
    assert min(receipt.width, receipt.height) >= 512
    assert receipt.notes == ()
    assert estimate_image_tokens(QWEN, receipt.width, receipt.height) <= 1332


def test_where_the_budget_allows_the_minimum_is_kept_at_a_size_the_processor_reads_as_sent():
    tall = prepare_image(make_image("PNG", (600, 2130)), model=QWEN)
    # Flooring both sides to the 28-px grid gave 504×1876; 532×1876 is 1,273 cells, in budget.
    assert (tall.width, tall.height) == (532, 1876)
    assert smart_resize(tall.width, tall.height, max_pixels=1280 * 28 * 28) == (532, 1876)
    assert estimate_image_tokens(QWEN, tall.width, tall.height) - 2 <= 1280
    assert tall.notes == ()
    assert _no_size_warning(tall.warnings)


def test_a_picture_small_itself_is_still_warned_about_by_its_own_size():
    (warning,) = [w for w in prepare_image(make_image("PNG", (300, 2130))).warnings if "512" in w]
    assert warning.startswith("This image is 300×2130: its width is under 512 px")


def test_a_size_a_resolution_sweep_chose_is_a_note_naming_that_choice():
    photo = prepare_image(make_image("PNG", (1600, 1200)), model=LLAMA, longest_side=448)
    assert _no_size_warning(photo.warnings)
    assert photo.notes == (
        "Sent at 448×336, the chosen resolution (longest side 448 px): both sides are under "
        "the recommended 512 px.",
    )
