"""Small typed events the scan thread hands to the UI.

The scan thread never touches a widget: it appends ``(generation, event)`` pairs to a
thread-safe deque, and the UI drains it on a short timer while a scan runs, so the
screen sees at most one batch per tick however fast resources arrive (toolong's pattern).
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker_tui.aws.source import Connection


@dataclass(frozen=True)
class Connected:
    connection: Connection


@dataclass(frozen=True)
class ConnectFailed:
    message: str
