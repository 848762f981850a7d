"""The Send button's click, kept until the page has started its run or said why it cannot.

Streamlit stops a running script at its next yield point when another rerun arrives (a widget
changed, an upload finished, a reconnect), and every session-state access is such a point, even
inside a widget's callback. So a click is recorded by plain attribute writes, and it is let go
only once the run it started is where the next script run will find it.
"""

from __future__ import annotations

from vision.chat.live import LiveAnswers


class SendClicks:
    """One session's Send clicks: at most one waiting for the page, and the run it started."""

    def __init__(self) -> None:
        self.waiting = False  # a click the page has neither started a run for nor refused
        self.repeated = False  # a click while one was waiting or its run was answering
        self.run: LiveAnswers | None = None  # the run made for the latest click

    def click(self) -> None:
        """The button's callback (no session-state access, so no rerun can cut it short)."""
        if self.waiting or (self.run is not None and self.run.running):
            self.repeated = True
        else:
            self.waiting = True
            self.run = None  # the last click's run has ended: this click needs its own

    def claim(self, run: LiveAnswers) -> None:
        """The run being made for the waiting click, before the page publishes it."""
        self.run = run

    def settle(self, current: LiveAnswers | None) -> bool:
        """Whether the waiting click still needs a run, given the run the page shows: once that
        is the run claimed for it, the click is answered."""
        if self.waiting and current is not None and current is self.run:
            self.waiting = False
        elif self.waiting and current is not None and current.running:
            # Another run (a follow-up) is answering: this click is a repeat, not a second run.
            self.waiting = False
            self.repeated = True
        return self.waiting

    def refuse(self) -> None:
        """The waiting click cannot be sent (the page says why)."""
        self.waiting = False

    def take_repeated(self) -> bool:
        """Whether a repeated click came in since the last call."""
        repeated, self.repeated = self.repeated, False
        return repeated
