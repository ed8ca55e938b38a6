"""A confirmed action run as a headless run: ``ActionRunner`` in a thread, its updates taken
by whoever polls.

The thread only appends updates to a deque; ``take()`` returns them with what they mean for
the rows shown (a row deleted goes, a row changed is replaced), and ``running`` stays true
until the take that sees the run end, so a caller never starts what waits for actions (a
background rescan) while updates are still untaken.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from tracker_tui.aws.actions import ActionRunner, ActionUpdate, PlannedAction
from tracker_tui.model import Resource
from tracker_tui.rowstore import Key

#: Queued after the last update: the run is over.
_DONE = None


@dataclass
class ActionDelta:
    """What an action run reported since the last ``take``."""

    #: Every update, in order (the progress view shows each).
    updates: list[ActionUpdate] = field(default_factory=list)
    #: Rows the run changed (stopped, modified ...) or made (a schedule): replace or add them.
    rows: list[Resource] = field(default_factory=list)
    #: Rows the run deleted: drop them.
    removed: list[Key] = field(default_factory=list)
    #: The run ended in this take.
    finished: bool = False
    #: ... on an error of ours (the runner reports AWS's errors per row and never raises them).
    error: str = ""


class ActionRun:
    """One confirmed run of planned actions against one account."""

    def __init__(self, runner: ActionRunner, planned: Sequence[PlannedAction]) -> None:
        self.runner = runner
        self.planned = list(planned)
        #: Started and not yet seen to end by ``take``.
        self.running = False
        #: Why the run stopped early ("" unless the runner raised).
        self.error = ""
        self._inbox: deque[ActionUpdate | None] = deque()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.running = True
        # Not a daemon: quitting while a run is in flight lets it finish (each call audited
        # after, each result verified) before the process ends, rather than cutting it off
        # between a call and its audit line.
        self._thread = threading.Thread(target=self._run, name="actions", daemon=False)
        self._thread.start()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the run's thread (headless use); True when it has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def _run(self) -> None:
        try:
            self.runner.run(self.planned, self._inbox.append)
        except Exception as exc:  # noqa: BLE001 - said on the screen, never a traceback over it
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self._inbox.append(_DONE)

    def take(self) -> ActionDelta:
        delta = ActionDelta()
        while self._inbox:
            update = self._inbox.popleft()
            if update is _DONE:
                delta.finished = True
                delta.error = self.error
                self.running = False
                continue
            delta.updates.append(update)
            if update.deleted:
                delta.removed.append(update.resource.key)
            elif update.result is not None:
                delta.rows.append(update.result)
            # What else it made or changed (a schedule's row, the rows a removal untagged).
            delta.rows.extend(update.related)
        return delta
