"""What `vision eval` writes on stderr while it runs: a bar on a terminal, else a line a result."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from vision.batch.recorded.missing import Missing
    from vision.values.batch import BatchProgress, BatchResult


class ProgressLines:
    """Shows progress after each saved result: a bar on a terminal, else one line each."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self.live = err.isatty()
        self.last: BatchResult | None = None
        self.cached = 0

    def result(self, result: BatchResult) -> None:
        """Note a saved result, for the next progress line."""
        self.last = result
        self.cached += result.cached

    def progress(self, progress: BatchProgress) -> None:
        """Redraw the bar, or write the last result's line."""
        if self.live:
            width = 24
            filled = round(progress.fraction * width)
            left = f" · {progress.eta_s:.0f} s left" if progress.eta_s is not None else ""
            self.err.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {progress.finished}/{progress.total}"
                f" · {progress.failed} failed · {progress.concurrency} at once{left}   "
            )
        elif self.last is not None:
            status = "ok" if self.last.ok else f"failed: {self.last.error}"
            if self.last.cached:
                status += " (cached)"
            self.err.write(
                f"[{progress.finished}/{progress.total}] {self.last.job.model} · "
                f"{self.last.item.name or self.last.job.item_index} · {status}\n"
            )
        self.err.flush()

    def plan(self, missing: Missing) -> None:
        """Say what a resumed batch already has and what it will ask."""
        if missing.answered or missing.failed:
            left = (
                f", {missing.failed} failed left alone"
                if missing.failed and not missing.retry_errors
                else ""
            )
            self.err.write(
                f"Resuming: {missing.answered} of {missing.total} answered{left}; "
                f"asking {missing.to_ask}.\n"
            )

    def done(self) -> None:
        """End the bar's line."""
        if self.live:
            self.err.write("\n")
