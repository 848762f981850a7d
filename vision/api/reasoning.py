"""Which models take a reasoning effort: the one rule every request builder and the client use.

The server's word comes first (a `supports_reasoning` flag in /models); without it, the model's
family (vision/images/families.py) or a "thinking" in its id. Any other model gets no effort:
strict servers refuse the field from a model that does not reason (docs/provider-api.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from vision.images.families import family_of
from vision.values.request import Effort, Reasoning
from vision.values.result import ModelInfo

# Ids of reasoning variants say so (Qwen3-VL-…-Thinking, GLM-4.1V-…-Thinking).
_THINKING_HINT = "thinking"


def known_to_reason(model: str, info: ModelInfo | None = None) -> bool | None:
    """True or False when the server or the family says whether this model reasons, else None."""
    if info is not None and info.supports_reasoning is not None:
        return info.supports_reasoning
    if _THINKING_HINT in model.lower():
        return True
    family = family_of(model)
    return family.reasons if family is not None else None


def reasons(model: str, info: ModelInfo | None = None) -> bool:
    """Whether to send this model a reasoning effort: only when it is known to reason."""
    return known_to_reason(model, info) is True


def choose_reasoning(
    effort: Effort | None,
    models: Sequence[str],
    infos: Mapping[str, ModelInfo] | None = None,
) -> Reasoning | None:
    """The effort for the chosen models: sent to those that reason, and a notice naming the
    others (None when no effort is chosen)."""
    if effort is None:
        return None
    takes = tuple(reasoning_models(models, infos))
    return Reasoning(
        effort=effort,
        models=takes,
        declined=tuple(model for model in models if model not in takes),
    )


def reasoning_models(
    models: Sequence[str], infos: Mapping[str, ModelInfo] | None = None
) -> list[str]:
    """The models of these that take a reasoning effort, in order."""
    known = infos or {}
    return [model for model in models if reasons(model, known.get(model))]
