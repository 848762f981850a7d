"""The Batch page's pairwise judging: per pair of models, how often the judge's verdict changed
when the answers swapped places, the consistent verdicts' wins and ties, and the judge's
agreement with the blind votes people cast on the same pairs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from ui.shared.charts import interval_text, percent_column
from vision.api.catalog import short_name
from vision.history.store import HistoryStore
from vision.report.judging import saw_sentence
from vision.scoring.agreement import Agreement, judge_agreement
from vision.scoring.pair_results import PairwiseRow, pairwise_rows
from vision.values.run import Run


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _pair_row(row: PairwiseRow) -> dict[str, Any]:
    return {
        "A": short_name(row.model_a),
        "B": short_name(row.model_b),
        "pairs": row.pairs,
        "changed with the order": _percent(row.inconsistent_share),
        "95% interval": interval_text(*row.inconsistent_interval),
        "A wins": row.wins_a,
        "B wins": row.wins_b,
        "ties": row.ties,
        "A's win rate": _percent(row.win_rate_a),
        "A's win rate, MT-Bench": _percent(row.mt_bench_win_rate_a),
    }


def _agreement_row(found: Agreement) -> dict[str, Any]:
    kappa = found.kappa
    return {
        "votes compared": found.compared,
        "agreed": found.agreed,
        "agreement": _percent(found.rate),
        "95% interval": interval_text(*found.interval),
        "Cohen's kappa": None if kappa.value is None else round(kappa.value, 2),
        "kappa 95% interval": (
            f"{kappa.low:.2f} – {kappa.high:.2f}"
            if kappa.low is not None and kappa.high is not None
            else "undefined"
        ),
        "left out: judge inconsistent": found.inconsistent,
        "left out: not compared": found.unjudged,
    }


def pairwise_panel(
    store: HistoryStore, batch_id: str, judge: str, rubric: str, runs: Sequence[Run]
) -> None:
    """The judge's pairwise verdicts per pair of models, and how well it agrees with people."""
    verdicts = store.pair_verdicts(batch_id, judge_model=judge, rubric=rubric)
    if not verdicts:
        return
    models = list(dict.fromkeys(run.model for run in runs))
    st.markdown(f"**{short_name(judge)} compared the answers in pairs**, each pair twice")
    seen = sum(verdict.saw_images for verdict in verdicts)
    st.caption(saw_sentence(seen, len(verdicts), "pair", "compared"))
    rates = {
        name: percent_column(name)
        for name in ("changed with the order", "A's win rate", "A's win rate, MT-Bench")
    }
    st.dataframe(
        [_pair_row(row) for row in pairwise_rows(verdicts, models)],
        hide_index=True,
        column_config=rates,
        key="judge_pairs",
    )
    st.caption(
        "A verdict that changed when the answers swapped places does not count. A's win rate "
        "is over the consistent verdicts (a tie counts half); MT-Bench counts a changed verdict "
        "as a tie instead."
    )
    votes = store.votes(batch_id=batch_id)
    st.markdown("**Does the judge agree with people?**")
    if not votes:
        st.caption("Vote blind on this batch to see how often the judge agrees with you.")
        return
    found = judge_agreement(verdicts, votes)
    st.dataframe(
        [_agreement_row(found)],
        hide_index=True,
        column_config={"agreement": percent_column("agreement")},
        key="judge_agreement",
    )
    st.caption(
        "Blind votes on the same two answers against the judge's consistent verdicts: A, B or a "
        'tie ("both bad" counts as a tie). 95% intervals: Wilson for the agreement, the '
        "large-sample variance of Fleiss, Cohen and Everitt for kappa."
    )
