"""Small typed events the scan thread hands to the UI.

The scan thread never touches a widget: it appends ``(generation, event)`` pairs to a
thread-safe deque, and the UI drains it on a short timer while a scan runs, so the
screen sees at most one batch per tick however fast resources arrive (toolong's pattern).
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker_tui.aws.source import Connection
from tracker_tui.model import Resource


@dataclass(frozen=True)
class Connected:
    connection: Connection


@dataclass(frozen=True)
class ConnectFailed:
    message: str


@dataclass(frozen=True)
class FindingsSettled:
    """Rows whose findings read other rows, worked out in the scan thread once every row was
    in (``findings.related_findings``); they replace their rows just before ScanFinished."""

    resources: tuple[Resource, ...]
