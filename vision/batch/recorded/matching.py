"""The recorded batch a command means when it adds --resume to the command that started it: the
newest batch on the same input asked the same way, or a sentence saying how they differ."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from vision.batch.recorded.spec import BatchSpec
from vision.errors import RequestError

if TYPE_CHECKING:
    from vision.history.store import HistoryStore


def _models(spec: BatchSpec) -> Any:
    return sorted(spec.models)  # the same models asked in another order are the same batch


# What makes two batches on one input the same batch, each with how a sentence names it (the
# concurrency and whether originals are copied change how a batch runs, not what it asks).
_COMPARED: tuple[tuple[str, Callable[[BatchSpec], Any]], ...] = (
    ("the prompt", lambda spec: spec.prompt),
    ("the models", _models),
    ("the tag", lambda spec: spec.tag),
    ("the system prompt", lambda spec: spec.system),
    ("the temperature", lambda spec: spec.temperature),
    ("max tokens", lambda spec: spec.max_tokens),
    ("circular evaluation", lambda spec: spec.circular),
    ("the frames", lambda spec: sorted(spec.frames)),
    ("the reasoning effort", lambda spec: spec.reasoning_effort),
)


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    return repr(value) if isinstance(value, str) else str(value)


def differences(recorded: BatchSpec, wanted: BatchSpec) -> list[str]:
    """How `wanted` asks differently from `recorded`: a phrase each ("the prompt 'a' (now 'b')")."""
    found = []
    for name, read in _COMPARED:
        then, now = read(recorded), read(wanted)
        if then != now:
            found.append(f"{name} {_shown(then)} (now {_shown(now)})")
    return found


def _on_input(store: HistoryStore, source: str) -> list[tuple[str, BatchSpec]]:
    """The batches recorded on this input, newest first."""
    found = []
    for batch_id in store.batch_ids():
        recorded = store.batch_spec(batch_id)
        if recorded is None:
            continue
        spec = BatchSpec.from_json(recorded[0])
        if spec.source == source:
            found.append((batch_id, spec))
    return found


def batch_to_resume(store: HistoryStore, wanted: BatchSpec, batch_id: str | None = None) -> str:
    """The newest batch (or `batch_id`) on `wanted`'s input asked the same way as `wanted`;
    a RequestError saying how it differs, or that no batch read that input."""
    if batch_id:
        recorded = store.batch_spec(batch_id)
        candidates = [] if recorded is None else [(batch_id, BatchSpec.from_json(recorded[0]))]
        candidates = [(found, spec) for found, spec in candidates if spec.source == wanted.source]
    else:
        candidates = _on_input(store, wanted.source)
    for found, spec in candidates:
        if not differences(spec, wanted):
            return found
    if not candidates and batch_id:
        raise RequestError(
            f"Batch {batch_id} did not read {wanted.source}: leave out --images to resume it "
            "as it was asked, or give --resume alone to continue the newest batch on "
            f"{wanted.source}."
        )
    if not candidates:
        raise RequestError(
            f"No batch in this history read {wanted.source}: leave out --resume to start one."
        )
    newest, spec = candidates[0]
    changed = "; ".join(differences(spec, wanted))
    raise RequestError(
        f"The newest batch on {wanted.source} ({newest}) was asked with {changed}: resume it "
        f"as it was asked with `vision eval --resume {newest}`, or leave out --resume to start "
        "a new batch with these settings."
    )
