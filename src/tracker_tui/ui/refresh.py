"""``--refresh SECONDS`` / ``refresh = SECONDS``: rescan in the background on an interval.

The next rescan is due ``interval`` seconds after the last scan finished (a scan that takes
longer than the interval never overlaps itself).  It waits while anything else has the
operator's attention: a dialog or another screen open, an action running, the idle checks
running.  Marks on rows that come back stay (``RowStore.clear(keep_marks=True)``).  The
status line says when the next one is due, or what it waits for.
"""

from __future__ import annotations

from collections.abc import Callable

from tracker_tui.ui.host import RescanGate

#: How often the due time is looked at (seconds).
TICK = 1.0


class AutoRefresh:
    """Rescans through ``gate`` every ``interval`` seconds after the last scan finished; the
    app calls ``tick`` every ``TICK`` seconds."""

    def __init__(self, gate: RescanGate, interval: float, clock: Callable[[], float]) -> None:
        self.gate = gate
        self.interval = interval
        self.clock = clock
        self.due: float | None = None
        self.waiting_for = ""
        self.refreshes = 0

    def scan_finished(self) -> None:
        """A scan ended (complete or not): the next one is due an interval from now."""
        self.due = self.clock() + self.interval

    def tick(self) -> None:
        """Start the rescan when it is due and nothing holds it back."""
        gate = self.gate
        if self.due is None or gate.scanning:
            return
        if self.clock() < self.due:
            if self.waiting_for:
                self.waiting_for = ""
            gate.refresh_status()
            return
        blocker = gate.busy()
        if blocker:
            if blocker != self.waiting_for:
                self.waiting_for = blocker
                gate.refresh_status()
            return
        self.waiting_for = ""
        self.due = None
        self.refreshes += 1
        gate.start_scan()

    def status(self) -> str:
        """The status line's part: when the next rescan is due, or what it waits for."""
        if self.due is None:
            return ""
        if self.waiting_for:
            return f"refresh waits: {self.waiting_for}"
        left = max(0, round(self.due - self.clock()))
        return f"refresh in {left}s"
