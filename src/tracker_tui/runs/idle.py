"""The CloudWatch idle checks as a headless run: ``run_checks`` in a thread, its progress
and report taken by whoever polls.

A run remembers the scan generation it was planned on: rows judged for a scan that has
since been replaced are dropped by the caller, never put back over the new rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tracker_tui.aws.idle import IdlePlan, IdleReport, run_checks
from tracker_tui.aws.kinds import Thresholds
from tracker_tui.runs.scan import Notice


@dataclass
class IdleDelta:
    """What the checks did since the last ``take``."""

    #: Regions done so far, of how many (changed in this take).
    progressed: bool = False
    #: The run ended with this report ...
    report: IdleReport | None = None
    #: ... or stopped with this message.
    failure: str = ""

    @property
    def finished(self) -> bool:
        return self.report is not None or bool(self.failure)

    @property
    def notices(self) -> list[Notice]:
        """What the end says: the counts (where to see what was found, each region that
        failed), or why the checks stopped."""
        if self.failure:
            return [Notice(f"The idle checks stopped: {self.failure}", severity="error", timeout=15)]
        report = self.report
        if report is None:
            return []
        text = report.summary() + (" (filter finding:ID shows them)" if report.idle else "")
        text += "".join(f"; {f.region}: {f.code}" for f in report.failures[1:])
        return [Notice(text, "Idle checks", "warning" if report.failures else "information", 12)]


class IdleRun:
    """One run of the idle checks over a plan.

    Args:
        plan: from ``aws.idle.plan_checks`` (what will be read, and what it costs).
        session_for: account id -> its session.
        thresholds: when a row counts as idle (the user's config).
        generation: the scan generation the plan's rows come from.
    """

    def __init__(
        self, plan: IdlePlan, session_for: Callable[[str], Any], thresholds: Thresholds, generation: int
    ) -> None:
        self.plan = plan
        self.session_for = session_for
        self.thresholds = thresholds
        self.generation = generation
        self.running = False
        self.done = 0
        self.total = len(plan.by_place)
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._progress: tuple[int, int] | None = None
        self._end: IdleReport | str | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.running = True
        self._thread = threading.Thread(target=self._run, name="idle-checks", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Stop between requests (a rescan started)."""
        self._cancel.set()

    def join(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def _run(self) -> None:
        def progress(done: int, total: int) -> None:
            with self._lock:
                self._progress = (done, total)

        end: IdleReport | str
        try:
            end = run_checks(
                self.plan, self.session_for, thresholds=self.thresholds, progress=progress, cancel=self._cancel
            )
        except Exception as exc:  # noqa: BLE001 - shown, never a traceback on the screen
            end = f"{type(exc).__name__}: {exc}"
        with self._lock:
            self._end = end

    def take(self) -> IdleDelta:
        delta = IdleDelta()
        with self._lock:
            progress, self._progress = self._progress, None
            end, self._end = self._end, None
        if progress is not None:
            self.done, self.total = progress
            delta.progressed = True
        if isinstance(end, IdleReport):
            delta.report = end
        elif end is not None:
            delta.failure = end
        if delta.finished:
            self.running = False
        return delta

    @property
    def status(self) -> str:
        """The status line's part while it runs."""
        return f"idle checks: {self.done}/{self.total or '?'} regions…"
