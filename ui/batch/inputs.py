"""The batch page's inputs: images (files, a folder, URLs, a CSV or JSONL table, whose
multiple-choice rows may be asked circularly), prompt, models, concurrency."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import streamlit as st

from ui.batch.scoring import circular_switch
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
    BATCH_TAG_KEY,
    BATCH_URLS_KEY,
)
from vision.api.catalog import Catalog, sees_images, short_name
from vision.batch.items.files import IMAGE_SUFFIXES
from vision.batch.items.uploads import PageItems, Upload, page_items, read_table
from vision.errors import RequestError
from vision.limits import DEFAULT_CONCURRENCY
from vision.values.request import DEFAULT_PROMPT, RequestOptions

# More than this rarely helps: the API answers 429 and the batch halves its pace anyway.
MAX_CONCURRENCY = 16
MAX_REPEATS = 10
FOLDER_TYPES = sorted(suffix.lstrip(".") for suffix in IMAGE_SUFFIXES)


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
    repeats: int = 1

    @property
    def count(self) -> int:
        """How many items the batch has (none when its inputs have a problem)."""
        return self.items.count() if self.items is not None else 0


def _uploads(disabled: bool) -> list[Upload]:
    folder = st.toggle(
        "Upload a whole folder",
        key=BATCH_FOLDER_MODE_KEY,
        disabled=disabled,
        help="Pick a folder: every image file in it joins the batch.",
    )
    if folder:
        files = st.file_uploader(
            "Image folder",
            key=BATCH_FOLDER_KEY,
            type=FOLDER_TYPES,
            accept_multiple_files="directory",
            disabled=disabled,
        )
    else:
        files = st.file_uploader(
            "Images",
            key=BATCH_FILES_KEY,
            accept_multiple_files=True,
            disabled=disabled,
            help="As many as you like: each image is one item, sent on its own to every model.",
        )
    return [Upload(name=file.name, data=file.getvalue()) for file in files or []]


def batch_inputs(catalog: Catalog | None, *, disabled: bool) -> BatchPlan:
    """Draw the inputs and return the plan they describe (with a problem sentence, if any)."""
    images_panel, ask_panel = st.columns(2, gap="large")
    with images_panel:
        uploads = _uploads(disabled)
        urls = st.text_area(
            "Image URLs",
            key=BATCH_URLS_KEY,
            placeholder="https://example.com/chart.png (one URL per line)",
            height=80,
            disabled=disabled,
        )
        table = st.file_uploader(
            "CSV or JSONL of images (optional)",
            key=BATCH_TABLE_KEY,
            type=["csv", "txt", "jsonl", "ndjson"],
            disabled=disabled,
            help="Columns (or JSON fields): url or image (an http(s) URL or the name of an "
            "uploaded file), and optionally prompt or question, expected or answer, answers "
            "(a|b), options (a|b|c, or A, B, C... columns), tag and id. A list of URLs, one a "
            "line, works too.",
        )
    # Read through once per content (its scan is kept by hash), never decoded or split whole on
    # each run of the page.
    table_read = read_table(table.getvalue()) if table else None
    with ask_panel:
        prompt = st.text_area(
            "Prompt", value=DEFAULT_PROMPT, key=BATCH_PROMPT_KEY, height=90, disabled=disabled
        )
        tag = st.text_input(
            "Tag (optional)",
            key=BATCH_TAG_KEY,
            placeholder="OCR, chart, photo…",
            disabled=disabled,
            help="Given to every item whose CSV row has no tag of its own.",
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
            )
        )
        multiple_choice = table_read is not None and table_read.scan.has_options
        circular = circular_switch(multiple_choice, disabled=disabled)
    try:
        items = page_items(
            prompt=prompt or "",
            uploads=uploads,
            urls=urls or "",
            table=table_read,
            tag=tag,
            circular=circular,
        )
    except RequestError as err:
        return BatchPlan(
            items=None,
            models=tuple(models),
            concurrency=concurrency,
            options=options,
            problem=str(err),
            use_cache=use_cache,
            circular=circular,
            repeats=repeats,
        )
    problem = _problem(catalog, items, models)
    return BatchPlan(
        items=items,
        models=tuple(models),
        concurrency=concurrency,
        options=options,
        problem=problem,
        use_cache=use_cache,
        circular=circular,
        repeats=repeats,
    )


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
