"""Blind A/B voting on two models' answers to the same image, Undo for the votes just cast, and
the leaderboard it feeds. The page draws this view only while its tab is open, so the keyboard
shortcuts act only where the person can see what they vote on."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import streamlit as st

from ui.shared.charts import bar_charts, percent_column
from ui.shared.session import VOTES_KEY_PREFIX
from ui.shared.thumbnails import thumbnail_data_url
from vision.api.catalog import compact_name, short_name
from vision.errors import VisionError
from vision.history.store import HistoryStore
from vision.markdown import answer_markdown, clip, literal
from vision.scoring.checks import model_stats
from vision.scoring.votes import (
    LeaderboardRow,
    PairOnScreen,
    blind_text,
    leaderboard,
    leaderboard_by_tag,
    next_pair,
    votable_groups,
    vote_for,
)
from vision.values.run import Run, Vote, VoteChoice
from vision.words import counted

# Each choice with its label, icon and keyboard shortcut (the arrows are the arrow keys).
CHOICES: tuple[tuple[VoteChoice, str, str, str], ...] = (
    ("a", "A is better", ":material/arrow_back:", "Left"),
    ("b", "B is better", ":material/arrow_forward:", "Right"),
    ("tie", "Tie", ":material/drag_handle:", "T"),
    ("both_bad", "Both bad", ":material/thumb_down:", "X"),
)
CHOICE_WORDS: dict[str, str] = {
    "a": "A was better",
    "b": "B was better",
    "tie": "a tie",
    "both_bad": "both bad",
}


def _state(key: str) -> dict[str, Any]:
    state: dict[str, Any] = st.session_state.setdefault(VOTES_KEY_PREFIX + key, {})
    return state


def _cast_vote(store: HistoryStore, key: str, a: Run, b: Run, choice: VoteChoice) -> None:
    state = _state(key)
    try:
        vote = store.save_vote(vote_for(a, b, choice))
    except VisionError as err:
        state["problem"] = str(err)
        return
    state["revealed"] = vote
    state.setdefault("cast", []).append(vote)
    state.pop("pair", None)  # one click per pair: the next one comes straight away


def _undo(store: HistoryStore, key: str) -> None:
    state = _state(key)
    cast: list[Vote] = state.get("cast", [])
    if not cast:
        return
    vote = cast.pop()
    state.pop("revealed", None)
    try:
        removed = store.delete_vote(vote.id)
    except VisionError as err:
        state["problem"] = str(err)
        return
    if not removed:
        state["problem"] = "That vote was already removed; nothing else was changed."
        return
    state["undone"] = True
    if vote.pair_id and vote.run_a_id and vote.run_b_id:  # the same pair comes back on screen
        state["pair"] = PairOnScreen(
            pair_id=vote.pair_id, run_a_id=vote.run_a_id, run_b_id=vote.run_b_id
        )


def _undo_button(store: HistoryStore, key: str) -> None:
    """Undo last vote, while this session has cast a vote it can take back."""
    state = _state(key)
    if state.pop("undone", False):
        st.info(
            "Your last vote was removed: that image is back among those left to judge.",
            icon=":material/undo:",
        )
    if state.get("cast"):
        st.button(
            "Undo last vote",
            key=f"{key}_undo",
            icon=":material/undo:",
            on_click=_undo,
            args=(store, key),
            help="Takes back the newest vote you cast here; press again for the one before.",
        )


def _answer(label: str, run: Run, models: Sequence[str]) -> None:
    with st.container(border=True):
        st.markdown(f"##### Answer {label}")
        st.markdown(answer_markdown(blind_text(run.answer, models)) or "_(empty)_")


def vote_panel(store: HistoryStore, runs: Sequence[Run], *, key: str) -> None:
    """Show two answers to one image as A and B; after the vote, reveal which model was which."""
    groups = votable_groups(runs)
    if not groups:
        st.caption("Blind voting needs images that two or more models answered.")
        return
    state = _state(key)
    if state.get("problem"):
        st.error(state.pop("problem"), icon=":material/error:")
    batches = {run.batch_id for group in groups.values() for run in group}
    voted = {
        vote.pair_id
        for batch in batches
        for vote in store.votes(batch_id=batch)
        if vote.pair_id is not None
    }
    revealed: Vote | None = state.pop("revealed", None)
    rng: random.Random = state.setdefault("rng", random.SystemRandom())
    pair = next_pair(groups, voted, state.get("pair"), rng)
    if revealed is not None:  # the pair just judged, unmasked above the next one
        st.success(
            f"You judged {CHOICE_WORDS[revealed.choice]}. "
            f"A was **{literal(short_name(revealed.model_a))}**, "
            f"B was **{literal(short_name(revealed.model_b))}**.",
            icon=":material/visibility:",
        )
    _undo_button(store, key)
    if pair is None:
        state.pop("pair", None)
        st.success(
            f"You voted on all {len(groups)} images of this batch.", icon=":material/done_all:"
        )
        return
    a, b, state["pair"] = pair
    left = len([pid for pid in groups if pid not in voted])
    st.caption(f"{counted(left, 'image')} left to judge · the models stay hidden until you vote.")
    picture, question = st.columns([1, 4], vertical_alignment="center")
    thumbnail = thumbnail_data_url(a.images[0]) if a.images else ""
    with picture:
        if thumbnail:
            st.image(thumbnail, width=140, alt=f"The image both answers are about: {a.item_name}")
        elif a.images and a.images[0].url:
            st.caption(literal(clip(a.images[0].url, 60)))
    with question:
        st.caption(f"Image: {literal(a.item_name or '')}")
        st.markdown(f"**Prompt:** {literal(clip(a.prompt, 300))}")
    # The answers never name a model: every name either model goes by is masked.
    models = {run.model for group in groups.values() for run in group}
    column_a, column_b = st.columns(2, gap="medium")
    with column_a:
        _answer("A", a, sorted(models))
    with column_b:
        _answer("B", b, sorted(models))
    for column, (choice, label, icon, shortcut) in zip(st.columns(4), CHOICES, strict=True):
        with column:
            st.button(
                label,
                key=f"{key}_{choice}",
                icon=icon,
                on_click=_cast_vote,
                args=(store, key, a, b, choice),
                width="stretch",
                shortcut=shortcut,
            )


def _board_rows(rows: Sequence[LeaderboardRow]) -> list[dict[str, Any]]:
    return [
        {
            "model": short_name(row.model),
            "win rate": round(row.win_rate * 100, 1),
            "wins": row.wins,
            "losses": row.losses,
            "ties": row.ties,
            "both bad": row.both_bad,
            "votes": row.votes,
        }
        for row in rows
    ]


def leaderboard_panel(votes: Sequence[Vote], runs: Sequence[Run], *, key: str) -> None:
    """Win rates per model, overall and per tag, with a chart of win rate, tokens and latency."""
    if not votes:
        st.caption("No votes yet: judge a few pairs to fill the leaderboard.")
        return
    rate = percent_column("win rate")
    rows = leaderboard(votes)
    st.markdown(f"**Win rate per model** · {len(votes)} vote(s); a tie counts half a win")
    st.dataframe(
        _board_rows(rows), hide_index=True, column_config={"win rate": rate}, key=f"{key}_board"
    )
    by_tag = leaderboard_by_tag(votes)
    if any(tag is not None for tag in by_tag):
        tagged = [
            {"tag": tag or "(none)", **row}
            for tag, tag_rows in by_tag.items()
            for row in _board_rows(tag_rows)
        ]
        st.markdown("**Win rate per model and tag**")
        st.dataframe(tagged, hide_index=True, column_config={"win rate": rate}, key=f"{key}_tags")
    stats = {stat.model: stat for stat in model_stats(runs)}
    models = [row.model for row in rows]
    bar_charts(
        [compact_name(model) for model in models],
        [
            ("Win rate (%)", "win rate", [round(row.win_rate * 100, 1) for row in rows]),
            (
                "Mean total tokens",
                "tokens",
                [(stats[m].mean_total_tokens or 0.0) if m in stats else 0.0 for m in models],
            ),
            (
                "Mean latency (s)",
                "seconds",
                [(stats[m].mean_latency_s or 0.0) if m in stats else 0.0 for m in models],
            ),
        ],
    )
