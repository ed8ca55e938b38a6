"""Scans, actions and idle checks as headless runs.

Each run does its work in a thread and hands what changed to whoever polls ``take()``: the
TUI's one timer (``ui/app.py``) or ``tracker-tui scan``'s loop.  Nothing here imports
Textual; the app is a shell that applies what the runs report to its widgets.
"""

from tracker_tui.runs.actions import ActionDelta, ActionRun
from tracker_tui.runs.idle import IdleDelta, IdleRun
from tracker_tui.runs.scan import Notice, ScanDelta, ScanRun, collect_once_settled, rows_of

__all__ = [
    "ActionDelta",
    "ActionRun",
    "IdleDelta",
    "IdleRun",
    "Notice",
    "ScanDelta",
    "ScanRun",
    "collect_once_settled",
    "rows_of",
]
