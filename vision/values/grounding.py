"""Where a model says things are: boxes and points, the frame its numbers are in, and the same
boxes and points on the original image."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

# What a grounding item asks: one box for an expression (RefCOCO), a point on it, or a box for
# every match (detection).
GroundingTask = Literal["box", "point", "detection"]
GROUNDING_TASKS: tuple[GroundingTask, ...] = ("box", "point", "detection")

# What a frame's numbers are measured against: the picture itself (whatever size it was sent
# at), the image the model's processor made of what was sent (a tile canvas keeps its padding),
# or the image exactly as sent.
FrameSpace = Literal["image", "input", "sent"]


@dataclass(frozen=True, slots=True)
class Point:
    """A point: x to the right, y down, origin at the top-left corner."""

    x: float
    y: float

    def as_list(self) -> list[float]:
        """[x, y]."""
        return [self.x, self.y]


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle by its top-left (x1, y1) and bottom-right (x2, y2) corners."""

    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        """x2 − x1 (0 for a box written backwards)."""
        return max(0.0, self.x2 - self.x1)

    @property
    def height(self) -> float:
        """y2 − y1 (0 for a box written backwards)."""
        return max(0.0, self.y2 - self.y1)

    @property
    def area(self) -> float:
        """width × height."""
        return self.width * self.height

    @property
    def center(self) -> Point:
        """The point halfway between the corners."""
        return Point((self.x1 + self.x2) / 2, (self.y1 + self.y2) / 2)

    def ordered(self) -> Box:
        """The same rectangle with x1 ≤ x2 and y1 ≤ y2 (corners written in any order)."""
        x1, x2 = sorted((self.x1, self.x2))
        y1, y2 = sorted((self.y1, self.y2))
        return Box(x1, y1, x2, y2)

    def as_list(self) -> list[float]:
        """[x1, y1, x2, y2]."""
        return [self.x1, self.y1, self.x2, self.y2]


Shape: TypeAlias = Box | Point


@dataclass(frozen=True, slots=True, kw_only=True)
class Frame:
    """What a model's coordinates mean: thousandths (or another scale) of a picture's width and
    height, or pixels of a picture of a known size."""

    name: str
    scale: float | None  # 1000, 999 or 1 for a relative frame; None for pixels
    space: FrameSpace
    description: str

    @property
    def relative(self) -> bool:
        """True when the numbers are fractions of a width and a height, times `scale`."""
        return self.scale is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class Found:
    """One box or point as the answer wrote it, still in the model's frame."""

    shape: Shape
    label: str | None = None
    source: str = ""  # the text it was read from


@dataclass(frozen=True, slots=True, kw_only=True)
class Located:
    """One box or point on the original image (upright, in its pixels), with what the model
    wrote; `image` is the picture's place in a stitched grid (0 when nothing was stitched)."""

    found: Found
    shape: Shape
    image: int = 0
    clipped: bool = False
    note: str | None = None

    @property
    def label(self) -> str | None:
        """The label the model gave, if any."""
        return self.found.label


@dataclass(frozen=True, slots=True, kw_only=True)
class LocatedAnswer:
    """Every box and point of one answer on the original image, the frame they were read in,
    the sizes the mapping went through, and each part of the answer that could not be read."""

    frame: Frame
    sent_size: tuple[int, int]
    input_size: tuple[int, int]
    located: tuple[Located, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def boxes(self) -> tuple[Located, ...]:
        """The boxes, in the order the answer gave them."""
        return tuple(item for item in self.located if isinstance(item.shape, Box))

    @property
    def points(self) -> tuple[Located, ...]:
        """The points, in the order the answer gave them."""
        return tuple(item for item in self.located if isinstance(item.shape, Point))


@dataclass(frozen=True, slots=True, kw_only=True)
class Reference:
    """A reference box in the original image's upright pixels, with its label when it has one."""

    box: Box
    label: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LocateTask:
    """What a run asked to locate: the expression, as a box, a point or every match, and the
    reference boxes an evaluation item scores it against (none on the Playground)."""

    task: GroundingTask
    target: str
    references: tuple[Reference, ...] = ()

    @property
    def kind(self) -> Literal["box", "point"]:
        """What the model is asked for: points for a pointing task, else boxes."""
        return "point" if self.task == "point" else "box"

    def to_json(self) -> dict[str, Any]:
        """The task as JSON values, as the history and a batch's manifest keep it."""
        return {
            "task": self.task,
            "target": self.target,
            "references": [
                {"box": reference.box.as_list(), "label": reference.label}
                for reference in self.references
            ],
        }

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> LocateTask:
        """A task read back from to_json's values."""
        task = values.get("task")
        return cls(
            task=task if task in GROUNDING_TASKS else "box",
            target=str(values.get("target", "")),
            references=tuple(
                Reference(
                    box=Box(*(float(value) for value in entry["box"])), label=entry.get("label")
                )
                for entry in values.get("references") or ()
            ),
        )
