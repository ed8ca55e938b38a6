"""What the screens and the verbs ask of the app, as protocols, so no module under ``ui``
imports ``ui/app.py`` (the app implements them; a test can too).

``Host`` is what the main view and its verbs (``ui/verbs.py``) need: the runs, the rows'
costs, the user's settings, and the app's two ways of taking what runs report (``watch_*``).
``RescanGate`` is what background rescans (``ui/refresh.py``) need: whether anything holds
the operator's attention, and how to start a scan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tracker_tui.aws.bill import BillSource
    from tracker_tui.config import Settings
    from tracker_tui.costs import CostSummary
    from tracker_tui.runs import ActionRun, IdleRun, ScanRun
    from tracker_tui.ui.screens.progress import ActionProgressScreen
    from tracker_tui.ui.widgets.resource_table import ResourceTable


class Host(Protocol):
    """The app as the main view and its verbs see it."""

    settings: Settings
    #: Why actions are refused ("" when they are allowed).
    read_only_reason: str
    #: The scan (and the account source it scans).
    scan: ScanRun
    #: The cost panels' sums over the rows shown.
    costs: CostSummary
    #: Where the bill view gets last month's bill.
    bills: BillSource

    @property
    def table(self) -> ResourceTable: ...

    @property
    def idle(self) -> IdleRun | None:
        """The idle checks' run, while one runs."""
        ...

    def start_scan(self) -> None: ...

    def watch_actions(self, run: ActionRun, progress: ActionProgressScreen) -> None:
        """Start ``run`` and show its updates on ``progress`` and in the table."""
        ...

    def watch_idle(self, run: IdleRun) -> None:
        """Start ``run`` and put the rows it judges back in the table."""
        ...

    def refresh_header(self) -> None: ...

    def refresh_status(self) -> None: ...

    def refresh_costs(self) -> None: ...


class RescanGate(Protocol):
    """The app as background rescans see it."""

    @property
    def scanning(self) -> bool: ...

    def busy(self) -> str:
        """What holds the operator's attention ("" when nothing does): a rescan waits for it."""
        ...

    def start_scan(self) -> None: ...

    def refresh_status(self) -> None: ...
