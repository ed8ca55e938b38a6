"""The TUI's idle checks (``i``): ask with the cost, read CloudWatch off the UI thread, put
the judged rows back, and say how it went.

One run at a time, over the rows in view (the filter decides what is asked about), never
while a scan is streaming (the rows would be a moving target).  A rescan started while the
checks run cancels them between requests and drops their results.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import TYPE_CHECKING

from tracker_tui.aws.idle import IdlePlan, IdleReport, plan_checks, run_checks
from tracker_tui.aws.kinds.metric import IDLE_THRESHOLDS
from tracker_tui.ui.screens.idle import IdleCheckScreen

if TYPE_CHECKING:
    from tracker_tui.ui.app import TrackerApp


class IdleChecks:
    """The app's idle checks and their progress (for the status line)."""

    def __init__(self, app: TrackerApp) -> None:
        self.app = app
        self.running = False
        self.done = 0
        self.total = 0
        self._cancel: threading.Event | None = None

    def status(self) -> str:
        """The status line's part while they run ("" when they do not)."""
        if not self.running:
            return ""
        return f"idle checks: {self.done}/{self.total or '?'} regions…"

    def request(self) -> None:
        """Plan the checks for the rows in view and ask (with their cost) before any request."""
        app = self.app
        if app.source is None:
            app.notify("A saved inventory has no AWS session to read CloudWatch with.", severity="warning")
            return
        if self.running:
            app.notify("The idle checks are already running.", severity="warning")
            return
        if app.scanning:
            app.notify("Wait for the scan to finish: the rows in view are still arriving.", severity="warning")
            return
        rows = app.table.visible_resources
        plan = plan_checks(rows)
        if not plan.targets:
            app.notify(
                "Nothing here to check: the idle checks read running EC2 instances, available NAT gateways "
                "and available RDS databases (filter to them, or clear the filter).",
                severity="warning",
                timeout=8,
            )
            return
        app.push_screen(IdleCheckScreen(plan, IDLE_THRESHOLDS, shown=len(rows)), partial(self._confirmed, plan))

    def cancel(self) -> None:
        """Stop a run between requests (a rescan started)."""
        if self._cancel is not None:
            self._cancel.set()

    def _confirmed(self, plan: IdlePlan, run: bool | None) -> None:
        app = self.app
        if not run:
            app.notify("Cancelled: no metrics were read.")
            return
        self.running = True
        self.done, self.total = 0, len(plan.by_place)
        cancel = threading.Event()
        self._cancel = cancel
        app.run_worker(
            partial(self._thread, plan, app.generation, cancel),
            thread=True,
            group="idle-checks",
            exit_on_error=False,
            description="idle checks",
        )
        app.refresh_status()

    def _thread(self, plan: IdlePlan, generation: int, cancel: threading.Event) -> None:
        app = self.app
        source = app.source
        assert source is not None

        def progress(done: int, total: int) -> None:
            app.call_from_thread(self._progress, done, total)

        try:
            report = run_checks(plan, source.session_for, progress=progress, cancel=cancel)
        except Exception as exc:  # noqa: BLE001 - shown, never a traceback on the screen
            app.call_from_thread(self._failed, f"{type(exc).__name__}: {exc}")
            return
        app.call_from_thread(self._finished, report, generation)

    def _progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        self.app.refresh_status()

    def _failed(self, message: str) -> None:
        self.running = False
        self.app.notify(f"The idle checks stopped: {message}", severity="error", timeout=15)
        self.app.refresh_status()

    def _finished(self, report: IdleReport, generation: int) -> None:
        app = self.app
        self.running = False
        if generation != app.generation:
            app.notify("A rescan started: the idle checks' results were dropped (press i again).", severity="warning")
            app.refresh_status()
            return
        # Only the rows still there: one deleted by an action meanwhile must not come back.
        present = {r.key for r in app.table.resources}
        judged = [r for r in report.resources if r.key in present]
        if judged:
            app.table.add_resources(judged)
            app.costs.add(judged)
            app.refresh_costs()
        app.refresh_status()
        failed = bool(report.failures)
        text = report.summary()
        if report.idle:
            text += " (filter finding:ID shows them)"
        for failure in report.failures[1:]:
            text += f"; {failure.region}: {failure.code}"
        app.notify(text, title="Idle checks", severity="warning" if failed else "information", timeout=12)
