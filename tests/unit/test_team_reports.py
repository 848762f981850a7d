"""The admin's CSV files: usage per day, person and model; cells that a spreadsheet would run are
defused."""

from __future__ import annotations

from vision.team.reports import usage_csv, usage_totals
from vision.values.audit import UsageRow


def _row(email: str, model: str, tokens: int, cost: float | None) -> UsageRow:
    return UsageRow(day="2026-03-04", workspace="w-" + email, email=email, model=model,
                    requests=2, prompt_tokens=tokens, completion_tokens=10, cost=cost)  # fmt: skip


def test_usage_is_one_line_per_day_person_and_model():
    rows = [_row("a@x.example", "m1", 100, 0.5), _row("=cmd()@x.example", "m2", 5, None)]
    assert usage_csv(rows).splitlines() == [
        "day,email,model,requests,prompt_tokens,completion_tokens,tokens,cost",
        "2026-03-04,a@x.example,m1,2,100,10,110,0.500000",
        "2026-03-04,'=cmd()@x.example,m2,2,5,10,15,",
    ]
    assert usage_totals(rows) == {"2026-03-04": {"a@x.example": 110, "=cmd()@x.example": 15}}
