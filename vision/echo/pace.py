"""How fast the echo answers, chosen per client by its base URL: `…/pace/TTFT/TPS/v1` waits TTFT
seconds before the first token, then streams TPS tokens a second. A demo without a key can so
stream at a real model's pace, and each page session (or script) picks its own."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from vision.errors import EchoPaceError

PACE_SEGMENT = "pace"
MAX_TTFT_S = 60.0
MIN_TOKENS_PER_SECOND = 0.5
MAX_TOKENS_PER_SECOND = 1000.0
_PACED = re.compile(rf"^/{PACE_SEGMENT}/([^/]+)/([^/]+)(/.*)$")


@dataclass(frozen=True, slots=True, kw_only=True)
class EchoPace:
    """The time to the first token and the tokens a second after it."""

    ttft_s: float = 0.0
    tokens_per_second: float = 100.0

    def __post_init__(self) -> None:
        problem = pace_problem(self.ttft_s, self.tokens_per_second)
        if problem is not None:
            raise EchoPaceError(problem)

    @property
    def token_delay_s(self) -> float:
        """The wait between two tokens."""
        return 1.0 / self.tokens_per_second

    def base_url(self, base_url: str) -> str:
        """An echo's base URL (…/v1) that asks for this pace."""
        parts = urlsplit(base_url)
        path = f"/{PACE_SEGMENT}/{self.ttft_s:g}/{self.tokens_per_second:g}{parts.path}"
        return urlunsplit(parts._replace(path=path))


def pace_problem(ttft_s: float, tokens_per_second: float) -> str | None:
    """Why this pace cannot be used, as a sentence, or None."""
    if not math.isfinite(ttft_s) or not 0 <= ttft_s <= MAX_TTFT_S:
        return f"The time to the first token must be between 0 and {MAX_TTFT_S:g} seconds."
    if (
        not math.isfinite(tokens_per_second)
        or not MIN_TOKENS_PER_SECOND <= tokens_per_second <= MAX_TOKENS_PER_SECOND
    ):
        return (
            f"Tokens per second must be between {MIN_TOKENS_PER_SECOND:g} and "
            f"{MAX_TOKENS_PER_SECOND:g}."
        )
    return None


def read_pace(path: str) -> tuple[EchoPace | None, str]:
    """The pace a request path asks for and the path without it; raises EchoPaceError (its
    sentence says what to write) for a pace segment that does not read."""
    found = _PACED.match(path)
    if found is None:
        return None, path
    try:
        ttft, rate = float(found.group(1)), float(found.group(2))
    except ValueError:
        raise EchoPaceError(
            f"/{PACE_SEGMENT}/ takes two numbers: the seconds before the first token and the "
            "tokens per second, e.g. /pace/0.8/30/v1."
        ) from None
    return EchoPace(ttft_s=ttft, tokens_per_second=rate), found.group(3)
