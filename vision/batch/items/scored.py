"""How a batch will be scored, chosen before its run, and how many of its images that scores:
the table's rows with an expected answer (or reference boxes, for a box metric), and the uploads
and URLs when an answer is expected of them."""

from __future__ import annotations

from dataclasses import dataclass

from vision.batch.items.table_scan import TableScan
from vision.scoring.metrics import BOX_METRICS, MetricName


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoringChoice:
    """How a batch will be scored, chosen before its run: its metric, the answer expected of
    the uploads and URLs, and the table's column its rows' expected answers are read from
    (None: as the table names them)."""

    metric: MetricName
    expected: str | None = None
    column: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoredCount:
    """The batch's images, how many of them will be scored, and whether the metric reads
    reference boxes (else an expected answer)."""

    total: int
    scored: int
    boxes: bool


def scored_count(scoring: ScoringChoice, scan: TableScan | None, others: int) -> ScoredCount:
    """The images a batch scores: its table's rows (scan) with what the metric reads, and the
    `others` (uploads and URLs outside the table) when an answer is expected of them (never
    for a box metric: only a table's rows give boxes)."""
    boxes = scoring.metric in BOX_METRICS
    rows = scan.rows if scan is not None else 0
    from_rows = (scan.boxed if boxes else scan.expected) if scan is not None else 0
    from_page = others if scoring.expected and not boxes else 0
    return ScoredCount(total=rows + others, scored=from_rows + from_page, boxes=boxes)
