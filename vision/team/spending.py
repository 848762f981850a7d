"""Daily budgets for the team's key, per person and for the whole team, in tokens and in money
(where /models gives prices), and the one sentence that stops a Send or a batch that would pass
them. What was spent is what the API reported, summed from the audit trail of every replica.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from vision.chat.preflight import Preflight, format_cost
from vision.errors import BudgetError
from vision.images.profiles import estimate_image_tokens, send_size
from vision.limits import MAX_SIDE_PX
from vision.values.audit import Spent
from vision.values.batch import BatchSizing
from vision.values.result import ModelInfo, Usage

PERSON_TOKENS_ENV = "VISION_DAILY_TOKENS_PER_PERSON"
PERSON_DOLLARS_ENV = "VISION_DAILY_DOLLARS_PER_PERSON"
TEAM_TOKENS_ENV = "VISION_DAILY_TOKENS_TEAM"
TEAM_DOLLARS_ENV = "VISION_DAILY_DOLLARS_TEAM"
# A request without Max tokens may answer at length; a plan counts this many for it.
UNBOUNDED_COMPLETION_TOKENS = 1024


def _limit(env: Mapping[str, str], name: str, kind: type[int] | type[float]) -> float | None:
    raw = env.get(name, "").strip().replace("_", "")
    if not raw:
        return None
    try:
        value = kind(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise BudgetError(f"{name} must be a number of at least 0 (or unset for no limit); "
                          f"it is {env[name]!r}.")  # fmt: skip
    return float(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class Budget:
    """Daily limits (None: no limit) of the team key's use, reset at 00:00 UTC."""

    person_tokens: float | None = None
    person_dollars: float | None = None
    team_tokens: float | None = None
    team_dollars: float | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Budget:
        """The budgets in VISION_DAILY_{TOKENS,DOLLARS}_{PER_PERSON,TEAM}."""
        env = os.environ if environ is None else environ
        return cls(
            person_tokens=_limit(env, PERSON_TOKENS_ENV, int),
            person_dollars=_limit(env, PERSON_DOLLARS_ENV, float),
            team_tokens=_limit(env, TEAM_TOKENS_ENV, int),
            team_dollars=_limit(env, TEAM_DOLLARS_ENV, float),
        )

    @property
    def limited(self) -> bool:
        """True when any budget is set."""
        return any(
            value is not None
            for value in (self.person_tokens, self.person_dollars, self.team_tokens,
                          self.team_dollars)
        )  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Planned:
    """What a Send or a batch is expected to use: tokens, and money where every price is known."""

    tokens: int
    cost: float | None


def planned(preflights: Iterable[Preflight], *, times: int = 1) -> Planned:
    """The expected use of these requests (prompt estimate plus Max tokens), each `times` times."""
    tokens = 0
    cost: float | None = 0.0
    for check in preflights:
        completion = check.max_tokens or UNBOUNDED_COMPLETION_TOKENS
        tokens += check.prompt_tokens + completion
        if check.input_cost is None or cost is None:
            cost = None
        else:
            # output_cost is priced at Max tokens; without it only the prompt can be priced.
            cost += check.input_cost + (check.output_cost or 0.0)
    return Planned(tokens=tokens * times, cost=None if cost is None else cost * times)


def request_cost(info: ModelInfo | None, usage: Usage) -> float | None:
    """What a request cost at the prices /models gives, from the tokens the API reported."""
    if info is None or info.input_token_price is None or info.output_token_price is None:
        return None
    if usage.prompt_tokens is None and usage.completion_tokens is None:
        return None
    return (usage.prompt_tokens or 0) * info.input_token_price + (
        usage.completion_tokens or 0
    ) * info.output_token_price


def _number(value: float, money: bool) -> str:
    value = max(value, 0.0)
    return format_cost(value) if money else f"{round(value):,}"


def _amount(value: float, money: bool) -> str:
    return _number(value, money) + ("" if money else " tokens")


# (whose, what, used, limit, in money) for every budget that is set.
_Part = tuple[str, str, float, float, bool]


def _parts(budget: Budget, person: Spent, team: Spent) -> list[_Part]:
    parts: list[_Part] = []
    if budget.person_tokens is not None:
        parts.append(("your", "daily tokens", person.tokens, budget.person_tokens, False))
    if budget.person_dollars is not None:
        parts.append(("your", "daily spending", person.cost, budget.person_dollars, True))
    if budget.team_tokens is not None:
        parts.append(("the team's", "daily tokens", team.tokens, budget.team_tokens, False))
    if budget.team_dollars is not None:
        parts.append(("the team's", "daily spending", team.cost, budget.team_dollars, True))
    return parts


def left_line(budget: Budget, person: Spent, team: Spent) -> str | None:
    """What is left today, as one line for the preflight; None when no budget is set."""
    parts = _parts(budget, person, team)
    if not parts:
        return None
    shown = [
        f"{whose} {what}: {_number(limit - used, money)} of {_number(limit, money)} left"
        for whose, what, used, limit, money in parts
    ]
    return "Budget today (UTC): " + "; ".join(shown) + "."


def over_budget(budget: Budget, person: Spent, team: Spent, plan: Planned) -> str | None:
    """The sentence that stops a Send or batch passing a budget, naming the numbers; else None."""
    for whose, what, used, limit, money in _parts(budget, person, team):
        need = (plan.cost or 0.0) if money else float(plan.tokens)
        if used + need > limit:
            return (
                f"Not sent: this needs about {_amount(need, money)}, but only "
                f"{_number(limit - used, money)} of {whose} {_number(limit, money)} {what} "
                f"{'is' if money else 'are'} left ({_number(used, money)} used); the "
                "budget resets at 00:00 UTC, or paste your own key in the sidebar."
            )
    return None


def spent_up(budget: Budget, person: Spent, team: Spent) -> str | None:
    """The sentence when a budget is already used up (nothing more may be sent); else None."""
    for whose, what, used, limit, money in _parts(budget, person, team):
        if used >= limit:
            return (
                f"Not sent: {whose} {_number(limit, money)} {what} "
                f"{'is' if money else 'are'} used up ({_number(used, money)} used); the budget "
                "resets at 00:00 UTC, or paste your own key in the sidebar."
            )
    return None


def worst_case_tokens(model: str, size: tuple[int, int] | None) -> int:
    """An image's prompt tokens on this model: at its size, or at the largest size the API
    takes when the size is not known (an image URL)."""
    width, height = size or (MAX_SIDE_PX, MAX_SIDE_PX)
    return estimate_image_tokens(model, *send_size(model, width, height))


def planned_batch(
    sizing: BatchSizing,
    models: Iterable[str],
    *,
    max_tokens: int | None,
    prices: Callable[[str], ModelInfo | None],
    repeats: int = 1,
) -> Planned:
    """The expected use of a batch: each of its items on each model, `repeats` times (the sums
    of what each request would be expected to use, item by item)."""
    completion = (max_tokens or UNBOUNDED_COMPLETION_TOKENS) * sizing.items
    tokens = 0
    cost: float | None = 0.0
    for model in models:
        images = sum(worst_case_tokens(model, size) * count for size, count in sizing.sizes.items())
        prompt_tokens = sizing.text_tokens + images
        tokens += prompt_tokens + completion
        price = request_cost(
            prices(model), Usage(prompt_tokens=prompt_tokens, completion_tokens=completion)
        )
        cost = None if price is None or cost is None else cost + price
    return Planned(tokens=tokens * repeats, cost=None if cost is None else cost * repeats)
