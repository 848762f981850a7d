"""What a recorded batch asked: its input, prompt, models and request options, kept in the
history's batches table so the batch can be resumed by another process, or after a restart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from vision.batch.items.files import ItemSource, open_source
from vision.batch.items.manifest import KEPT_SOURCE, KeptItems, keep_item_list
from vision.errors import RequestError
from vision.limits import DEFAULT_CONCURRENCY
from vision.values.audit import KeyKind
from vision.values.batch import BatchItems
from vision.values.request import Effort, Reasoning, RequestOptions, effort_named

if TYPE_CHECKING:
    # Only for types: a new batch's first requests go out while the store is still importing.
    from vision.history.store import HistoryStore

BATCH_STATES = ("queued", "running", "done", "cancelled")


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchSpec:
    """What a batch asks: its input, prompt, models and request options."""

    source: str
    prompt: str
    models: tuple[str, ...]
    tag: str | None = None
    system: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    circular: bool = False
    # How many times each item is asked of each model; past 1 the answer cache is not used
    # (a cached answer is not a repeat: docs/evaluation.md).
    repeats: int = 1
    # A resolution sweep's setting for this batch (vision.values.batch.Resolution).
    token_budget: int | None = None
    max_side: int | None = None
    # Grounding items: (model id, frame name) pairs reading a model in a frame other than its
    # family's (docs/grounding.md).
    frames: tuple[tuple[str, str], ...] = ()
    # False: an image file on this machine is kept as its path and hash, not copied into the
    # history (`vision eval` without --keep-originals); its reopened runs read the file.
    keep_originals: bool = True
    # The reasoning effort, and the batch's models it is sent to (those that reason, decided
    # when the batch was made: vision/api/reasoning.py).
    reasoning_effort: Effort | None = None
    reasoning_models: tuple[str, ...] = ()
    # A page's batch names the list its items are kept under in the history, and their number
    # (vision/batch/items/manifest.py); a file's batch reads `source`.
    item_list: str | None = None
    item_count: int | None = None
    # Whose key asks it: the configured (team's) key, a key pasted for one session ("own"), or
    # the echo backend. Only the team's key's batches go to the workers (a pasted key never
    # leaves its session, and the workers have no echo).
    key_kind: KeyKind = "team"

    @property
    def reasoning(self) -> Reasoning | None:
        """The reasoning effort and the models it goes to, or None when the batch sets none."""
        if self.reasoning_effort is None:
            return None
        return Reasoning(
            effort=self.reasoning_effort,
            models=self.reasoning_models,
            declined=tuple(model for model in self.models if model not in self.reasoning_models),
        )

    @property
    def options(self) -> RequestOptions:
        """The request options every job of the batch is sent with."""
        return RequestOptions(
            system=self.system,
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            reasoning=self.reasoning,
        )

    def with_reasoning(self, reasoning: Reasoning | None) -> BatchSpec:
        """The spec asking with this effort (None: none), sent to the models it names."""
        if reasoning is None:
            return replace(self, reasoning_effort=None, reasoning_models=())
        return replace(
            self,
            reasoning_effort=reasoning.effort,
            reasoning_models=tuple(model for model in self.models if model in reasoning.models),
        )

    @property
    def awaits_items(self) -> bool:
        """True for a page's batch whose items are not kept in the history yet (keep_items)."""
        return self.source == KEPT_SOURCE and self.item_list is None

    def open(self, store: HistoryStore | None = None) -> ItemSource | KeptItems:
        """The batch's items, read lazily from its input (or, for a page's, from `store`)."""
        if self.item_list is not None:
            if store is None:
                raise RequestError("A page's batch is read from its history; open the store.")
            return KeptItems(store=store, list_id=self.item_list, items=self.item_count or 0)
        return open_source(self.source, self.prompt, tag=self.tag, circular=self.circular)

    def to_json(self) -> dict[str, Any]:
        """The spec as JSON values, for the batches table (version 2: a page's items are
        kept in rows of their own, not listed here)."""
        return {
            **asdict(self),
            "models": list(self.models),
            "frames": [list(pair) for pair in self.frames],
            "version": 2,
        }

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> BatchSpec:
        """A spec read back from the batches table."""
        known = {name: values[name] for name in cls.__dataclass_fields__ if name in values}
        return cls(
            **{
                **known,
                "models": tuple(known.get("models", ())),
                "frames": tuple(
                    (str(model), str(frame)) for model, frame in known.get("frames", ())
                ),
                "reasoning_effort": effort_named(known.get("reasoning_effort")),
                "reasoning_models": tuple(known.get("reasoning_models", ())),
            }
        )


def page_spec(
    items: BatchItems,
    models: Sequence[str],
    *,
    concurrency: int,
    options: RequestOptions,
    key_kind: KeyKind = "team",
    tag: str | None = None,
    repeats: int = 1,
) -> BatchSpec:
    """A page's batch as a spec, asked with this kind of key (each item `repeats` times),
    before its items are kept (kept_spec keeps them); `tag` is the page's, which names the
    batch (its items keep their own)."""
    first = next(iter(items), None)
    if first is None:
        raise RequestError("Add at least one image to the batch.")
    return BatchSpec(
        source=KEPT_SOURCE,
        prompt=first.prompt,
        models=tuple(models),
        system=options.system,
        temperature=options.temperature,
        max_tokens=options.max_tokens,
        concurrency=concurrency,
        key_kind=key_kind,
        tag=tag,
        repeats=repeats,
    ).with_reasoning(options.reasoning)


def keep_items(store: HistoryStore, spec: BatchSpec, items: BatchItems) -> BatchSpec:
    """The spec naming its items, kept in the history as they are read (images by hash)."""
    list_id, count = keep_item_list(store, items)
    return replace(spec, item_list=list_id, item_count=count)


def kept_spec(
    store: HistoryStore,
    items: BatchItems,
    models: Sequence[str],
    *,
    concurrency: int,
    options: RequestOptions,
    tag: str | None = None,
    repeats: int = 1,
) -> BatchSpec:
    """A page's items as a batch's spec, their images kept in the history by hash."""
    spec = page_spec(
        items, models, concurrency=concurrency, options=options, tag=tag, repeats=repeats
    )
    return keep_items(store, spec, items)


def latest_batch(store: HistoryStore) -> str:
    """The newest batch this workspace recorded with a spec (the one --resume picks)."""
    for batch_id in store.batch_ids():
        if store.batch_spec(batch_id) is not None:
            return batch_id
    recorded = store.batches_in(*BATCH_STATES)
    if recorded:
        return recorded[-1]
    raise RequestError("There is no batch to resume in this history; start one with --images.")


def load_spec(store: HistoryStore, batch_id: str) -> BatchSpec:
    """The recorded spec of a batch, or a sentence saying it cannot be resumed."""
    found = store.batch_spec(batch_id)
    if found is None:
        raise RequestError(
            f"Batch {batch_id} is not in this history with what it asked (batches before this "
            "version, or run from the page with uploads, cannot be resumed); start a new one."
        )
    return BatchSpec.from_json(found[0])
