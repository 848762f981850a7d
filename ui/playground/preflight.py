"""Per chosen model, before Send: images, estimated prompt tokens against the context, cost."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ui.playground.preview import open_grid
from ui.shared.calibration import page_calibrator
from ui.shared.session import PROBE_REPORT_KEY, preparation_cache
from vision.api.catalog import Catalog, compact_name, sees_images, short_name
from vision.calibration.probe import plan_probe, run_probe
from vision.chat.plan import Ask, RunPlan
from vision.chat.preflight import format_cost
from vision.chat.preparation import ImageStatus
from vision.errors import VisionError
from vision.markdown import clip, literal
from vision.sizes import human_size
from vision.values.request import ChatClient
from vision.words import counted


def _tokens_line(ask: Ask) -> str:
    check = ask.preflight
    line = f"≈{check.prompt_tokens:,} prompt tokens"
    if check.image_tokens:
        line += f" ({check.image_tokens:,} image + {check.text_tokens:,} text)"
    if check.max_tokens:
        line += f" + {check.max_tokens:,} max"
    if check.context_window:
        line += f" of {check.context_window:,} context"
    return line


def _model_line(model: str, asks: Sequence[Ask]) -> str:
    first = asks[0]
    images = len(first.request.images)
    line = f"**{literal(short_name(model))}**: "
    if len(asks) > 1:
        largest = max(asks, key=lambda ask: ask.preflight.prompt_tokens)
        line += f"{len(asks)} requests, one per image · largest {_tokens_line(largest)}"
    else:
        line += f"{counted(images, 'image')} · {_tokens_line(first)}"
    costs = [ask.preflight.estimated_cost for ask in asks]
    if all(cost is not None for cost in costs):
        line += f" · ≈{format_cost(sum(cost or 0.0 for cost in costs))} at most"
    unchecked = sum(ask.preflight.unchecked_images for ask in asks)
    if unchecked:
        line += f" · {counted(unchecked, 'unchecked URL image')} not counted"
    if first.preflight.image_tokens:
        line += f" · estimate: {first.preflight.estimate_basis.label}"
    return line


def _measure(client: ChatClient, catalog: Catalog, model: str) -> None:
    """The offer to measure a model whose image cost is a guess: its cost first, then a button."""
    plan = plan_probe(model, catalog.info(model))
    with st.popover(f"Measure {compact_name(model)}", icon=":material/straighten:"):
        st.caption(literal(" ".join(plan.lines()[:2])))
        if st.button(f"Send {plan.requests} small requests", key=f"probe_{model}"):
            with st.spinner(f"Measuring {compact_name(model)}…"):
                try:
                    report = run_probe(client, plan, page_calibrator())
                except VisionError as err:
                    st.error(str(err), icon=":material/error:")
                    return
            preparation_cache().forget_model(model)  # prepared with the guess: prepare again
            st.session_state[PROBE_REPORT_KEY] = " ".join(report.lines())
            st.rerun()


def _details(plan: RunPlan) -> None:
    rows = [
        "| model | image | sent | bytes | base64 | ≈ tokens |",
        "|---|---|---|--:|--:|--:|",
    ]
    for ask in plan.asks:
        for image in ask.preflight.images:
            rows.append(
                f"| {literal(compact_name(ask.request.model))} | {literal(clip(image.label, 30))} "
                f"| {image.width}×{image.height} | {human_size(image.size_bytes)} "
                f"| {human_size(image.base64_size)} | {image.estimated_tokens:,} |"
            )
    if len(rows) > 2:
        with st.expander(
            "Preflight: every image as each model receives it", key="preflight-details"
        ):
            st.markdown("\n".join(rows))


def draw_preflight(
    catalog: Catalog,
    models: Sequence[str],
    statuses: Sequence[ImageStatus],
    plan: RunPlan,
    client: ChatClient | None = None,
) -> None:
    """One line per chosen model, with where its estimate comes from (and, for a guess, the
    offer to measure it); an overflowing request is shown in red with its numbers."""
    if report := st.session_state.pop(PROBE_REPORT_KEY, None):
        st.success(literal(report), icon=":material/straighten:")
    sendable = [status for status in statuses if status.sendable]
    for model in models:
        if not sees_images(catalog.info(model)):
            note = "text only: it cannot read images"
            if sendable:
                note += (
                    "; images are never sent to it, so Send waits until you remove one or the other"
                )
            st.caption(f":orange[:material/visibility_off: **{short_name(model)}** is {note}.]")
            continue
        asks = [ask for ask in plan.asks if ask.request.model == model]
        if not asks:
            continue
        st.caption(_model_line(model, asks))
        grids = [ask.sent[0] for ask in asks if ask.attached and ask.sent]
        if grids and st.button(
            "See the grid",
            key=f"grid_{model}",
            icon=":material/grid_view:",
            type="tertiary",
            help="The stitched picture this model will receive, at 1:1.",
        ):
            open_grid(model, grids[0].prepared)
        basis = asks[0].preflight.estimate_basis
        if basis.contradiction:
            st.warning(basis.contradiction, icon=":material/warning:")
        if basis.kind == "guess" and client is not None:
            _measure(client, catalog, model)
        for reason in dict.fromkeys(
            ask.preflight.reason for ask in asks if ask.preflight.overflows
        ):
            st.caption(f":red[:material/block: {literal(reason or '')}]")
    if plan.problem:
        st.caption(f":red[:material/block: {literal(plan.problem)}]")
    _details(plan)
