"""Every box and point in an answer, in every shape the families write them, with or without
their marker tokens (servers often strip special tokens), in the order the answer gives them;
and a plain sentence for each part that looks like coordinates but cannot be read.

Shapes read (docs/grounding.md has each family's, with its source):
- JSON, fenced or bare, whole or cut off: `bbox_2d`, `bbox`, `box_2d`, `box`, `point_2d`, `point`;
- Qwen2.5-VL's points XML: `<points x1="…" y1="…" alt="…">phrase</points>`;
- marked spans: `<|object_ref_start|>label<|object_ref_end|><|box_start|>(x1,y1),(x2,y2)<|box_end|>`
  (Qwen2-VL), `<ref>…</ref><box>…</box>` (Qwen-VL), `<|ref|>…<|/ref|><|det|>[[…]]<|/det|>`
  (DeepSeek-VL2), `<|begin_of_box|>[[x1,y1,x2,y2]]<|end_of_box|>` in any bracket style (GLM);
- the same with the markers stripped: `label(x1,y1),(x2,y2)` and `[[x1,y1,x2,y2]]`, `(…)`, `<…>`.
Text before `</think>` is the model's reasoning: its draft boxes are not read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from vision.grounding.json_shapes import JsonShapes, salvage, shapes_in, snippet
from vision.values.grounding import Box, Found, Point

_N = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_PAIR = rf"\(\s*({_N})\s*,\s*({_N})\s*\)"
# Qwen2-VL's two corners: (x1,y1),(x2,y2), the comma between them optional.
CORNERS = re.compile(rf"{_PAIR}\s*,?\s*{_PAIR}")
# Four numbers in any of GLM's bracket styles: [..], (..), <..>, {..}.
QUAD = re.compile(rf"[\[(<{{]\s*({_N})\s*,\s*({_N})\s*,\s*({_N})\s*,\s*({_N})\s*[\])>}}]")
_PAIR_ANY = re.compile(rf"[\[(]\s*({_N})\s*,\s*({_N})\s*[\])]")
_ANY_NUMBER = re.compile(_N)

_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n?(.*?)(?:```|\Z)", re.DOTALL)
_POINTS_XML = re.compile(r"<points?\b([^>]*)>(.*?)</points?>", re.DOTALL)
_ATTRIBUTE = re.compile(r"([A-Za-z_][\w-]*)\s*=\s*\"([^\"]*)\"")
_REF = r"<\|object_ref_start\|>|<ref>|<\|ref\|>"
_REF_END = r"<\|object_ref_end\|>|</ref>|<\|/ref\|>"
_BOX = r"<\|box_start\|>|<box>|<\|det\|>|<\|begin_of_box\|>"
_BOX_END = r"<\|box_end\|>|</box>|<\|/det\|>|<\|end_of_box\|>"
MARKED = re.compile(
    rf"(?:{_REF})(?P<label>.*?)(?:{_REF_END})|(?:{_BOX})(?P<box>.*?)(?:{_BOX_END})", re.DOTALL
)
_LABEL_STOP = re.compile(r"[\n.:;!?\"'`*|]")
_LABEL_CHARS = 60


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedAnswer:
    """The boxes and points of one answer in the model's own frame, in the answer's order, and
    a sentence for each part that could not be read."""

    found: tuple[Found, ...] = ()
    problems: tuple[str, ...] = ()


class _Reader:
    """One pass over an answer: each shape read blanks its text so no later shape reads it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: list[tuple[int, Found]] = []
        self.problems: list[str] = []

    def take(self, start: int, end: int) -> None:
        self.text = self.text[:start] + " " * (end - start) + self.text[end:]

    def add(self, position: int, found: Found) -> None:
        self.found.append((position, found))

    def add_json(self, position: int, read: JsonShapes) -> None:
        for offset, item in enumerate(read.found):
            self.add(position + offset, item)
        self.problems.extend(read.problems)


def _read_json(reader: _Reader) -> None:
    for fence in list(_FENCE.finditer(reader.text)):
        body = fence.group(1).strip()
        if not body:
            continue
        try:
            read = shapes_in(json.loads(body))
        except json.JSONDecodeError:
            read = salvage(body)
        if not read.empty:
            reader.add_json(fence.start(), read)
            reader.take(fence.start(), fence.end())
    decoder = json.JSONDecoder()
    position = 0
    while True:
        starts = (reader.text.find("[", position), reader.text.find("{", position))
        candidates = [at for at in starts if at >= 0]
        if not candidates:
            return
        start = min(candidates)
        try:
            value, end = decoder.raw_decode(reader.text, start)
        except json.JSONDecodeError:
            position = start + 1
            continue
        read = shapes_in(value)
        if read.empty:
            position = start + 1  # plain numbers in brackets: the later passes read them
            continue
        reader.add_json(start, read)
        reader.take(start, end)
        position = end
    # A cut-off array of objects at the very end (no fence) is read by the salvage below.


def _read_cut_off_json(reader: _Reader) -> None:
    start = reader.text.find("[{")
    if start < 0:
        start = reader.text.find('{"')
    if start < 0:
        return
    read = salvage(reader.text[start:])
    if not read.empty:
        reader.add_json(start, read)
        reader.take(start, len(reader.text))


def _read_points_xml(reader: _Reader) -> None:
    for match in list(_POINTS_XML.finditer(reader.text)):
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        phrase = match.group(2).strip() or attributes.get("alt", "").strip() or None
        label = attributes.get("alt", "").strip() or phrase
        suffixes = sorted(
            {name[1:] for name in attributes if name[:1] == "x" and f"y{name[1:]}" in attributes},
            key=lambda suffix: int(suffix) if suffix.isdigit() else 0,
        )
        read = 0
        for suffix in suffixes:
            x, y = attributes[f"x{suffix}"], attributes[f"y{suffix}"]
            try:
                point = Point(float(x), float(y))
            except ValueError:
                continue
            source = snippet(match.group(0))
            reader.add(match.start() + read, Found(shape=point, label=label, source=source))
            read += 1
        if not read:
            reader.problems.append(
                f"The points tag {snippet(match.group(0))} has no x and y numbers; it is skipped."
            )
        reader.take(match.start(), match.end())


def _shapes_in_span(content: str) -> list[Box | Point]:
    corners = [
        Box(*(float(value) for value in match.groups())) for match in CORNERS.finditer(content)
    ]
    if corners:
        return list(corners)
    quads = [Box(*(float(value) for value in match.groups())) for match in QUAD.finditer(content)]
    if quads:
        return list(quads)
    pairs = _PAIR_ANY.findall(content)
    if len(_ANY_NUMBER.findall(content)) != 2 * len(pairs):
        return []  # stray numbers: not a clean list of points
    return [Point(float(x), float(y)) for x, y in pairs]


def _read_marked(reader: _Reader) -> None:
    label: str | None = None
    for match in list(MARKED.finditer(reader.text)):
        if match.group("label") is not None:
            label = match.group("label").strip() or None
            reader.take(match.start(), match.end())
            continue
        content = match.group("box")
        shapes = _shapes_in_span(content)
        if not shapes and _ANY_NUMBER.search(content) and re.search(r"[\[(<{]", content):
            reader.problems.append(
                f"The marked box {snippet(match.group(0))} holds no two corners or four "
                "numbers; it is skipped."
            )
        # A GLM marker around a plain answer ("42") holds no coordinates: it is no box.
        if shapes or re.search(r"[\[(<{]", content):
            for offset, shape in enumerate(shapes):
                reader.add(
                    match.start() + offset,
                    Found(shape=shape, label=label, source=snippet(match.group(0))),
                )
            reader.take(match.start(), match.end())


def _label_before(text: str, end: int) -> str | None:
    before = text[max(0, end - _LABEL_CHARS) : end]
    pieces = _LABEL_STOP.split(before)
    label = pieces[-1].strip(" ,-–—>)(") if pieces else ""
    return label or None


def _read_bare(reader: _Reader) -> None:
    for match in list(CORNERS.finditer(reader.text)):
        label = _label_before(reader.text, match.start())
        box = Box(*(float(value) for value in match.groups()))
        reader.add(match.start(), Found(shape=box, label=label, source=snippet(match.group(0))))
        reader.take(match.start(), match.end())
    for match in list(QUAD.finditer(reader.text)):
        box = Box(*(float(value) for value in match.groups()))
        reader.add(match.start(), Found(shape=box, source=snippet(match.group(0))))
        reader.take(match.start(), match.end())


def _read(text: str) -> _Reader:
    reader = _Reader(text)
    _read_json(reader)
    _read_cut_off_json(reader)
    _read_points_xml(reader)
    _read_marked(reader)
    _read_bare(reader)
    return reader


def parse_answer(text: str) -> ParsedAnswer:
    """The boxes and points of an answer, as written, in order; see the module docstring."""
    reasoning, marker, answer = text.rpartition("</think>")
    problems: list[str] = []
    if marker:
        drafts = len(_read(reasoning).found)
        if drafts:
            noun = "shape" if drafts == 1 else "shapes"
            problems.append(
                f"The model's reasoning held {drafts} draft {noun}; only its answer after "
                "</think> is read."
            )
    reader = _read(answer if marker else text)
    found = tuple(item for _, item in sorted(reader.found, key=lambda pair: pair[0]))
    return ParsedAnswer(found=found, problems=(*reader.problems, *problems))
