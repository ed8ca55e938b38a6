"""``--refresh SECONDS`` / ``refresh = SECONDS``: rescan in the background on an interval.

The next rescan is due ``interval`` seconds after the last scan finished (a scan that takes
longer than the interval never overlaps itself).  It waits while anything else has the
operator's attention: a dialog or another screen open, an action running, the idle checks
running.  Marks on rows that come back stay (``RowStore.clear(keep_marks=True)``).  The
status line says when the next one is due, or what it waits for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker_tui.ui.app import TrackerApp

#: How often the due time is looked at (seconds).
TICK = 1.0


class AutoRefresh:
    """Rescans ``app`` every ``interval`` seconds after the last scan finished."""

    def __init__(self, app: TrackerApp, interval: float, clock: Callable[[], float]) -> None:
        self.app = app
        self.interval = interval
        self.clock = clock
        self.due: float | None = None
        self.waiting_for = ""
        self.refreshes = 0

    def start(self) -> None:
        self.app.set_interval(TICK, self.tick)

    def scan_finished(self) -> None:
        """A scan ended (complete or not): the next one is due an interval from now."""
        self.due = self.clock() + self.interval

    def _blocker(self) -> str:
        app = self.app
        if app.screen is not app.main:
            return "a dialog or view is open"
        if app.actions_running:
            return "an action is running"
        if app.idle.running:
            return "the idle checks are running"
        return ""

    def tick(self) -> None:
        """Start the rescan when it is due and nothing holds it back."""
        app = self.app
        if self.due is None or app.scanning:
            return
        if self.clock() < self.due:
            if self.waiting_for:
                self.waiting_for = ""
            app.refresh_status()
            return
        blocker = self._blocker()
        if blocker:
            if blocker != self.waiting_for:
                self.waiting_for = blocker
                app.refresh_status()
            return
        self.waiting_for = ""
        self.due = None
        self.refreshes += 1
        app.start_scan()

    def status(self) -> str:
        """The status line's part: when the next rescan is due, or what it waits for."""
        if self.due is None:
            return ""
        if self.waiting_for:
            return f"refresh waits: {self.waiting_for}"
        left = max(0, round(self.due - self.clock()))
        return f"refresh in {left}s"
