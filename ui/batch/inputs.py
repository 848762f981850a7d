"""The batch page's inputs: images (files, a folder, URLs, a CSV or JSONL table, whose
multiple-choice rows may be asked circularly), prompt, models, concurrency."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import streamlit as st

from ui.batch.scoring import circular_switch
from ui.batch.scoring_choice import (
    choose_column,
    choose_expected,
    choose_metric,
    scored_line,
)
from ui.batch.table_preview import prompt_note, table_preview
from ui.shared.models import pick_models, unavailable_models
from ui.shared.parameters import choose_parameters
from ui.shared.session import (
    BATCH_CACHE_KEY,
    BATCH_CONCURRENCY_KEY,
    BATCH_FILES_KEY,
    BATCH_FOLDER_KEY,
    BATCH_FOLDER_MODE_KEY,
    BATCH_MODELS_KEY,
    BATCH_PROMPT_KEY,
    BATCH_REPEATS_KEY,
    BATCH_TABLE_KEY,
    BATCH_TABLE_UPLOAD_KEY,
    BATCH_TAG_KEY,
    BATCH_UPLOADS_KEY,
    BATCH_URLS_KEY,
    kept,
)
from vision.api.catalog import Catalog, sees_images, short_name
from vision.batch.items.files import IMAGE_SUFFIXES
from vision.batch.items.kept_uploads import KeptUploads
from vision.batch.items.scored import ScoringChoice
from vision.batch.items.uploads import (
    PageItems,
    PageTable,
    Upload,
    outside_table,
    page_items,
    read_table,
)
from vision.chat.readiness import empty_prompt_note
from vision.errors import RequestError
from vision.limits import DEFAULT_CONCURRENCY
from vision.markdown import literal
from vision.scoring.metrics import BOX_METRICS, MetricName
from vision.values.request import DEFAULT_PROMPT, RequestOptions

# More than this rarely helps: the API answers 429 and the batch halves its pace anyway.
MAX_CONCURRENCY = 16
MAX_REPEATS = 10
FOLDER_TYPES = sorted(suffix.lstrip(".") for suffix in IMAGE_SUFFIXES)
# Names of kept files said in full; past these, how many more.
NAMES_SHOWN = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchPlan:
    """What the user asked for: the items and models, or why the batch cannot start."""

    items: PageItems | None = field(repr=False)
    models: tuple[str, ...]
    concurrency: int
    options: RequestOptions = field(default_factory=RequestOptions)
    problem: str | None = None
    use_cache: bool = True
    circular: bool = False
    metric: MetricName = "contains"
    repeats: int = 1

    @property
    def count(self) -> int:
        """How many items the batch has (none when its inputs have a problem)."""
        return self.items.count() if self.items is not None else 0


def _listed(files: Any) -> list[tuple[str, Upload]]:
    """What an uploader lists now (one file, several, or none), by its file ids."""
    found = files if isinstance(files, list) else [files] if files else []
    return [(file.file_id, Upload(name=file.name, data=file.getvalue())) for file in found]


def _changed(widget: str, store: KeptUploads) -> None:
    store.uploader_changed(file_id for file_id, _ in _listed(st.session_state.get(widget)))


def _kept_note(store: KeptUploads, what: str, *, disabled: bool) -> None:
    """The files kept from before a page switch (the uploader comes back empty), with a way to
    take them out."""
    hidden = store.hidden()
    if not hidden:
        return
    names = ", ".join(upload.name for upload in hidden[:NAMES_SHOWN])
    if len(hidden) > NAMES_SHOWN:
        names += f" and {len(hidden) - NAMES_SHOWN} more"
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.caption(f":material/inventory_2: Kept from before: {literal(names)}")
        st.button(
            "Remove",
            key=f"batch_forget_{what}",
            icon=":material/close:",
            type="tertiary",
            on_click=store.forget_hidden,
            disabled=disabled,
            help="Take these files out of the batch.",
        )


def _uploads(disabled: bool) -> list[Upload]:
    folder = st.toggle(
        "Upload a whole folder",
        key=BATCH_FOLDER_MODE_KEY,
        disabled=disabled,
        help="Pick a folder: every image file in it joins the batch.",
        persist_state="session",
    )
    store = kept(BATCH_UPLOADS_KEY, KeptUploads)
    widget = BATCH_FOLDER_KEY if folder else BATCH_FILES_KEY
    if folder:
        files = st.file_uploader(
            "Image folder",
            key=BATCH_FOLDER_KEY,
            type=FOLDER_TYPES,
            accept_multiple_files="directory",
            disabled=disabled,
            on_change=_changed,
            args=(widget, store),
        )
    else:
        files = st.file_uploader(
            "Images",
            key=BATCH_FILES_KEY,
            accept_multiple_files=True,
            disabled=disabled,
            help="As many as you like: each image is one item, sent on its own to every model.",
            on_change=_changed,
            args=(widget, store),
        )
    uploads = store.gather(_listed(files))
    _kept_note(store, "images", disabled=disabled)
    return uploads


def _table(disabled: bool) -> Upload | None:
    """The uploaded table (CSV or JSONL), kept through a page switch."""
    store = kept(BATCH_TABLE_UPLOAD_KEY, lambda: KeptUploads(single=True))
    table = st.file_uploader(
        "CSV or JSONL of images (optional)",
        key=BATCH_TABLE_KEY,
        type=["csv", "txt", "jsonl", "ndjson"],
        disabled=disabled,
        help="Columns (or JSON fields): url or image (an http(s) URL or the name of an "
        "uploaded file), and optionally prompt or question, expected or answer, answers "
        "(a|b), options (a|b|c, or A, B, C... columns), tag and id. A list of URLs, one a "
        "line, works too.",
        on_change=_changed,
        args=(BATCH_TABLE_KEY, store),
    )
    found = store.gather(_listed(table))
    _kept_note(store, "table", disabled=disabled)
    return found[-1] if found else None


@dataclass(frozen=True, slots=True, kw_only=True)
class _Images:
    """What the images panel gathered."""

    uploads: list[Upload]
    urls: str
    table: Upload | None


def _images_panel(disabled: bool) -> _Images:
    uploads = _uploads(disabled)
    urls = st.text_area(
        "Image URLs",
        key=BATCH_URLS_KEY,
        placeholder="https://example.com/chart.png (one URL per line)",
        height=80,
        disabled=disabled,
        persist_state="session",
    )
    return _Images(uploads=uploads, urls=urls or "", table=_table(disabled))


def _scoring_panel(
    images: _Images, *, disabled: bool
) -> tuple[ScoringChoice, PageTable | None, int]:
    """The metric and the expected answers, chosen before the run; the table read with the
    column chosen (its scan is kept per content and column, so a rerun only hashes it), and
    how many images are not its rows."""
    st.markdown("**Scoring**")
    table = read_table(images.table.data) if images.table else None
    others = outside_table(images.uploads, images.urls, table)
    metric_slot, expected_slot = st.columns(2)
    with metric_slot:
        metric = choose_metric(disabled=disabled)
    with expected_slot:
        column = None
        if table is not None and table.scan.columns:
            column = choose_column(table.scan.columns, disabled=disabled)
            if column is not None and images.table is not None:
                table = read_table(images.table.data, column)
        expected = None
        if others and metric not in BOX_METRICS:
            expected = choose_expected(disabled=disabled)
    scoring = ScoringChoice(metric=metric, expected=expected, column=column)
    scored_line(scoring, table.scan if table is not None else None, others)
    return scoring, table, others


def batch_inputs(catalog: Catalog | None, *, disabled: bool) -> BatchPlan:
    """Draw the inputs and return the plan they describe (with a problem sentence, if any)."""
    images_panel, ask_panel = st.columns(2, gap="large")
    # Drawn below both panels, chosen before the table is read.
    scoring_box = st.container(border=True, key="batch_scoring")
    with images_panel:
        images = _images_panel(disabled)
    with scoring_box:
        scoring, table, others = _scoring_panel(images, disabled=disabled)
    if table is not None and images.table is not None:
        with images_panel:
            table_preview(images.table.name, table)
    with ask_panel:
        prompt = st.text_area(
            "Prompt",
            value=DEFAULT_PROMPT,
            key=BATCH_PROMPT_KEY,
            height=90,
            disabled=disabled,
            persist_state="session",
        )
        if not (prompt or "").strip():
            st.caption(f":material/info: {empty_prompt_note()}")
        prompt_note(table.scan if table is not None else None, others)
        tag = st.text_input(
            "Tag (optional)",
            key=BATCH_TAG_KEY,
            placeholder="OCR, chart, photo…",
            disabled=disabled,
            help="Given to every item whose CSV row has no tag of its own.",
            persist_state="session",
        )
        models = (
            pick_models(catalog, key=BATCH_MODELS_KEY, label="Models to compare", disabled=disabled)
            if catalog is not None
            else unavailable_models(key=BATCH_MODELS_KEY, label="Models to compare")
        )
        concurrency = int(
            st.number_input(
                "Requests at once",
                min_value=1,
                max_value=MAX_CONCURRENCY,
                value=DEFAULT_CONCURRENCY,
                key=BATCH_CONCURRENCY_KEY,
                disabled=disabled,
                help="Halved automatically while the API answers 429 (too many requests).",
                persist_state="session",
            )
        )
        options, _ = choose_parameters(prefix="batch_", models=models, catalog=catalog)
        use_cache = st.toggle(
            "Use answers already in the history",
            value=True,
            key=BATCH_CACHE_KEY,
            disabled=disabled,
            help="At temperature 0, a request answered before (same model, prompt, system, "
            "parameters and images) is served from the history, marked cached: nothing is "
            "asked or paid. Turn off to ask again.",
            persist_state="session",
        )
        repeats = int(
            st.number_input(
                "Repeat each item",
                min_value=1,
                max_value=MAX_REPEATS,
                value=1,
                key=BATCH_REPEATS_KEY,
                disabled=disabled,
                help="Ask every item this many times, never from the history, to see how often "
                "its answers flip between right and wrong.",
                persist_state="session",
            )
        )
        multiple_choice = table is not None and table.scan.has_options
        circular = circular_switch(multiple_choice, disabled=disabled)
    plan = BatchPlan(
        items=None,
        models=tuple(models),
        concurrency=concurrency,
        options=options,
        use_cache=use_cache,
        circular=circular,
        metric=scoring.metric,
        repeats=repeats,
    )
    try:
        items = page_items(
            prompt=prompt or "",
            uploads=images.uploads,
            urls=images.urls,
            table=table,
            tag=tag,
            circular=circular,
            expected=scoring.expected,
        )
    except RequestError as err:
        return replace(plan, problem=str(err))
    return replace(plan, items=items, problem=_problem(catalog, items, models))


def _problem(catalog: Catalog | None, items: PageItems, models: Sequence[str]) -> str | None:
    if catalog is None:
        return "Add an API key in the sidebar, or turn on the echo backend."
    if not items.count():
        return "Add images: upload files or a folder, list image URLs, or upload a CSV or JSONL."
    if not models:
        return "Choose at least one model."
    blind = [model for model in models if not sees_images(catalog.info(model))]
    if blind:
        return f"{short_name(blind[0])} cannot read images: deselect it."
    return None
