"""Every shape the families write boxes and points in, with and without their marker tokens,
read in the answer's order; unreadable parts are reported, not dropped (docs/grounding.md)."""

from __future__ import annotations

import pytest

from vision.grounding.parsing import parse_answer
from vision.values.grounding import Box, Point


def shapes(text: str) -> list[tuple[Box | Point, str | None]]:
    parsed = parse_answer(text)
    assert parsed.problems == (), parsed.problems
    return [(found.shape, found.label) for found in parsed.found]


# Qwen2-VL: the object-reference form, and what a server that strips special tokens sends.


def test_qwen2_vl_reference_and_box_with_their_tokens():
    text = "<|object_ref_start|>图片<|object_ref_end|><|box_start|>(460,66),(683,252)<|box_end|>"
    assert shapes(text) == [(Box(460, 66, 683, 252), "图片")]


def test_qwen2_vl_answer_with_the_tokens_stripped_keeps_box_and_label():
    # vllm-project/vllm#27636: the tokens above, skipped by the server's detokenizer.
    assert shapes("图片(460,66),(683,252)") == [(Box(460, 66, 683, 252), "图片")]


def test_qwen2_vl_several_boxes_of_one_reference_share_its_label():
    text = (
        "<|object_ref_start|>the man<|object_ref_end|><|box_start|>(123,235),(324,546)"
        "<|box_end|><|box_start|>(600, 100), (700, 300)<|box_end|>"
    )
    assert shapes(text) == [
        (Box(123, 235, 324, 546), "the man"),
        (Box(600, 100, 700, 300), "the man"),
    ]


def test_stripped_qwen2_vl_references_on_their_own_lines_keep_their_own_labels():
    text = "red rectangle(125,250),(375,583)\nblue circle(625,167),(813,417)"
    assert shapes(text) == [
        (Box(125, 250, 375, 583), "red rectangle"),
        (Box(625, 167, 813, 417), "blue circle"),
    ]


def test_qwen_vl_and_deepseek_markers():
    assert shapes("<ref>dog</ref><box>(10,20),(30,40)</box>") == [(Box(10, 20, 30, 40), "dog")]
    text = "<|ref|>the cat<|/ref|><|det|>[[10,20,30,40],[50,60,70,80]]<|/det|>"
    assert shapes(text) == [(Box(10, 20, 30, 40), "the cat"), (Box(50, 60, 70, 80), "the cat")]


# Qwen2.5-VL and Qwen3-VL: JSON, fenced or bare; Qwen2.5-VL's points XML.


def test_qwen25_vl_json_in_a_code_fence():
    text = '```json\n[\n\t{"bbox_2d": [574, 420, 861, 630], "label": "brown cake"}\n]\n```'
    assert shapes(text) == [(Box(574, 420, 861, 630), "brown cake")]


def test_qwen3_vl_points_from_its_cookbook():
    text = '[{"point_2d": [925, 618], "label": "point_1"}]'
    assert shapes(text) == [(Point(925, 618), "point_1")]


def test_kimi_vl_fractions_in_a_bare_object():
    # MoonshotAI/Kimi-VL#56: one object, numbers in [0, 1].
    text = 'The box is {"bbox_2d": [0.28, 0.50, 0.52, 0.70]} in the image.'
    assert shapes(text) == [(Box(0.28, 0.50, 0.52, 0.70), None)]


def test_other_keys_nested_objects_and_numbers_written_as_strings():
    text = (
        '{"objects": [{"bbox": ["1", "2", "3", "4"], "name": "a"}, '
        '{"box_2d": [5, 6, 7, 8]}, {"point": [9, 10], "category": "c"}]}'
    )
    assert shapes(text) == [
        (Box(1, 2, 3, 4), "a"),
        (Box(5, 6, 7, 8), None),
        (Point(9, 10), "c"),
    ]


def test_qwen25_vl_points_xml_with_numbered_attributes():
    text = '<points x1="100" y1="200" x2="300" y2="400" alt="two cakes">two cakes</points>'
    assert shapes(text) == [(Point(100, 200), "two cakes"), (Point(300, 400), "two cakes")]


# GLM-4.xV: the box markers, with and without tokens, in any bracket style.


@pytest.mark.parametrize(
    "text",
    [
        "It is at <|begin_of_box|>[[125,250,375,583]]<|end_of_box|>.",
        "It is at [[125,250,375,583]].",
        "It is at <|begin_of_box|>[125, 250, 375, 583]<|end_of_box|>.",
        "It is at <|begin_of_box|>(125,250,375,583)<|end_of_box|>.",
        "It is at <|begin_of_box|><125,250,375,583><|end_of_box|>.",
    ],
)
def test_glm_boxes_in_every_bracket_style_with_or_without_markers(text):
    assert shapes(text) == [(Box(125, 250, 375, 583), None)]


def test_glm_marker_around_a_plain_answer_is_no_box():
    assert shapes("<answer><|begin_of_box|>42<|end_of_box|></answer>") == []


def test_boxes_in_the_reasoning_are_drafts_and_are_not_read():
    parsed = parse_answer(
        "<think>first guess [[1,2,3,4]], no</think>Here: <|begin_of_box|>[[5,6,7,8]]<|end_of_box|>"
    )
    assert [found.shape for found in parsed.found] == [Box(5, 6, 7, 8)]
    assert parsed.problems == (
        "The model's reasoning held 1 draft shape; only its answer after </think> is read.",
    )


# Order, plain text, and what cannot be read.


def test_shapes_come_back_in_the_order_the_answer_gives_them():
    text = (
        "First [[1,2,3,4]], then\n"
        '```json\n[{"bbox_2d": [5, 6, 7, 8], "label": "b"}]\n```\n'
        "c(9,10),(11,12)"
    )
    assert shapes(text) == [
        (Box(1, 2, 3, 4), None),
        (Box(5, 6, 7, 8), "b"),
        (Box(9, 10, 11, 12), "c"),
    ]


def test_an_answer_without_coordinates_has_nothing_and_no_problem():
    assert parse_answer("A cat sleeps on a red sofa (two cushions).") == parse_answer("")


def test_json_cut_off_by_the_token_limit_keeps_every_whole_entry_and_says_so():
    text = (
        '```json\n[\n  {"bbox_2d": [1, 2, 3, 4], "label": "car"},\n'
        '  {"bbox_2d": [5, 6, 7, 8], "label": "car"},\n  {"bbox_2d": [9, 10'
    )
    parsed = parse_answer(text)
    assert [found.shape for found in parsed.found] == [Box(1, 2, 3, 4), Box(5, 6, 7, 8)]
    (problem,) = parsed.problems
    assert "does not decode" in problem
    assert "2 entries were read" in problem
    assert '{"bbox_2d": [9, 10' in problem


def test_an_entry_without_four_numbers_is_reported_and_the_others_kept():
    parsed = parse_answer('[{"bbox_2d": [1, 2, 3], "label": "x"}, {"bbox_2d": [1, 2, 3, 4]}]')
    assert [found.shape for found in parsed.found] == [Box(1, 2, 3, 4)]
    assert parsed.problems == (
        'The entry {"bbox_2d": [1, 2, 3], "label": "x"} has \'bbox_2d\' but not four numbers; '
        "it is skipped.",
    )


def test_a_marked_box_without_two_corners_is_reported():
    parsed = parse_answer("<|box_start|>(1,2),(3)<|box_end|>")
    assert parsed.found == ()
    assert parsed.problems == (
        "The marked box <|box_start|>(1,2),(3)<|box_end|> holds no two corners or four "
        "numbers; it is skipped.",
    )


def test_a_points_tag_without_numbers_is_reported():
    parsed = parse_answer('<points alt="cup">cup</points>')
    assert parsed.found == ()
    assert parsed.problems == (
        'The points tag <points alt="cup">cup</points> has no x and y numbers; it is skipped.',
    )


def test_points_inside_a_marker_are_read_as_points():
    assert shapes("<|begin_of_box|>[512, 300]<|end_of_box|>") == [(Point(512, 300), None)]


def test_the_text_each_shape_was_read_from_is_kept():
    (found,) = parse_answer("图片(460,66),(683,252)").found
    assert found.source == "(460,66),(683,252)"
