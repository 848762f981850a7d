"""A batch running elsewhere (another tab, another replica, a worker), drawn from the store's
numbers: overall and per-model progress, and its latest errors."""

from __future__ import annotations

import streamlit as st

from vision.api.catalog import short_name
from vision.markdown import literal
from vision.values.kept_batch import KeptProgress


def _ago(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return (
        " · last heard from just now" if seconds < 2 else f" · last heard from {seconds:.0f} s ago"
    )


def _of(count: int, total: int | None) -> str:
    return f"{count} of {total}" if total is not None else str(count)


def draw_kept_progress(progress: KeptProgress, name: str | None = None) -> None:
    """One batch's progress as the history has it, model by model, under its name (when the
    batch is kept with what it asked) or its id."""
    where = (
        "queued: waiting for a worker"
        if progress.state == "queued"
        else "running in another tab, on another replica or on a worker"
    )
    title = literal(name) if name else f"Batch `{progress.batch_id}`"
    st.markdown(f"**{title}** · {where}")
    total = progress.total
    finished = progress.answered + progress.failed
    text = f"{_of(finished, total)} answers"
    if progress.failed:
        text += f" · {progress.failed} failed"
    text += _ago(progress.quiet_for())
    st.progress(min(1.0, finished / total) if total else 0.0, text=text)
    lines = []
    for model in progress.models:
        line = f"- {short_name(model.model)}: {_of(model.answered, model.total)} answered"
        if model.failed:
            line += f" · {model.failed} failed"
        lines.append(line)
    if lines:
        st.markdown("\n".join(lines))
    for error in progress.errors:
        st.caption(f":material/error: {short_name(error.model)} · {error.item}: {error.sentence}")
