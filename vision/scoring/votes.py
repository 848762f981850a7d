"""Blind A/B votes: which answers can be paired, the next pair to judge, the vote, a leaderboard."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from vision.api.catalog import compact_name, short_name
from vision.errors import RequestError
from vision.values.run import Run, Vote, VoteChoice

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class BlindPair(Generic[T]):
    """Two answers shown as A and B in an order the voter cannot guess."""

    a: T
    b: T


def blind_pair(results: Sequence[T], rng: random.Random) -> BlindPair[T]:
    """Pick two of the results (one per model) and put them in random A/B order."""
    if len(results) < 2:
        raise RequestError("Blind voting needs two answers to the same image: run two models.")
    first, second = rng.sample(list(results), 2)
    return BlindPair(a=first, b=second)


@dataclass(frozen=True, slots=True, kw_only=True)
class LeaderboardRow:
    """One model's record in blind votes; a tie counts half a win."""

    model: str
    wins: int
    losses: int
    ties: int
    both_bad: int

    @property
    def votes(self) -> int:
        """Every vote the model took part in."""
        return self.wins + self.losses + self.ties + self.both_bad

    @property
    def win_rate(self) -> float:
        """(wins + ties / 2) over all its votes, "both bad" included as no win."""
        return (self.wins + self.ties / 2) / self.votes if self.votes else 0.0


def leaderboard(votes: Iterable[Vote]) -> list[LeaderboardRow]:
    """Models ranked by win rate (then by votes) over the given votes."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for vote in votes:
        if vote.model_a == vote.model_b:
            continue
        a, b = tally[vote.model_a], tally[vote.model_b]
        if vote.choice == "a":
            a[0] += 1
            b[1] += 1
        elif vote.choice == "b":
            b[0] += 1
            a[1] += 1
        elif vote.choice == "tie":
            a[2] += 1
            b[2] += 1
        else:
            a[3] += 1
            b[3] += 1
    rows = [
        LeaderboardRow(model=model, wins=w, losses=lo, ties=t, both_bad=bb)
        for model, (w, lo, t, bb) in tally.items()
    ]
    return sorted(rows, key=lambda row: (-row.win_rate, -row.votes, row.model))


def leaderboard_by_tag(votes: Iterable[Vote]) -> dict[str | None, list[LeaderboardRow]]:
    """One leaderboard per tag (None for untagged votes), tags in alphabetical order."""
    grouped: dict[str | None, list[Vote]] = defaultdict(list)
    for vote in votes:
        grouped[vote.tag].append(vote)
    return {tag: leaderboard(grouped[tag]) for tag in sorted(grouped, key=lambda t: t or "")}


def pair_id(run: Run) -> str:
    """The id of the image a pair of answers belongs to (one vote per image and batch)."""
    return f"{run.batch_id}:{run.item_index}"


def votable_groups(runs: Sequence[Run]) -> dict[str, list[Run]]:
    """Answers grouped by image, keeping images that two or more models answered."""
    groups: dict[str, dict[str, Run]] = defaultdict(dict)
    for run in runs:
        if not run.failed and run.id:
            groups[pair_id(run)][run.model] = run
    return {pid: list(by_model.values()) for pid, by_model in groups.items() if len(by_model) > 1}


@dataclass(frozen=True, slots=True, kw_only=True)
class PairOnScreen:
    """The blind pair being judged: its image's pair id and the two runs' ids, A then B."""

    pair_id: str
    run_a_id: int
    run_b_id: int


def next_pair(
    groups: dict[str, list[Run]],
    voted: set[str],
    current: PairOnScreen | None,
    rng: random.Random,
) -> tuple[Run, Run, PairOnScreen] | None:
    """The pair on screen while its runs still exist, else a new blind pair from the first image
    not voted on yet; None when every image has its vote."""
    if current is not None:
        by_id = {run.id: run for run in groups.get(current.pair_id, [])}
        if current.run_a_id in by_id and current.run_b_id in by_id:
            return by_id[current.run_a_id], by_id[current.run_b_id], current
    waiting = [pid for pid in groups if pid not in voted]
    if not waiting:
        return None
    pid = waiting[0]
    pair = blind_pair(groups[pid], rng)
    return pair.a, pair.b, PairOnScreen(pair_id=pid, run_a_id=pair.a.id, run_b_id=pair.b.id)


def vote_for(a: Run, b: Run, choice: VoteChoice) -> Vote:
    """The vote to save when answer A (run a) and answer B (run b) were judged."""
    return Vote(
        batch_id=a.batch_id,
        pair_id=pair_id(a),
        image_sha256=a.images[0].sha256 if a.images else None,
        model_a=a.model,
        model_b=b.model,
        choice=choice,
        tag=a.tag,
        run_a_id=a.id,
        run_b_id=b.id,
    )


HIDDEN_MODEL = "[model hidden]"


def blind_text(answer: str, models: Iterable[str]) -> str:
    """The answer with every name these models go by (id, short and compact names, any case)
    replaced, so an answer that names its model (the echo's does) keeps the vote blind."""
    names = {name for model in models for name in (model, short_name(model), compact_name(model))}
    if not names:
        return answer
    pattern = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True) if name)
    return re.sub(pattern, HIDDEN_MODEL, answer, flags=re.IGNORECASE)
