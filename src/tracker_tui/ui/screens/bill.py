"""``b``: last month's AWS bill per service beside our run-rate (``aws.bill``).

Asking costs money (AWS bills $0.01 per Cost Explorer request), so the view first says what
it will do and asks; ``enter`` fetches in a worker thread, never on the UI thread.  A bill
fetched in the last 24 h is shown at once from the cache (no request).  ``r`` asks again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from tracker_tui.aws.bill import (
    COLUMN_NOTES,
    NOTICE,
    PERMISSION,
    Bill,
    BillError,
    BillSource,
    Comparison,
    KindTotals,
    compare,
    signed,
)
from tracker_tui.model import Identity, format_cost
from tracker_tui.ui.text import safe

#: From this width the table also lists the kinds behind each service.
KINDS_MIN_WIDTH = 110
#: The worker's name (one fetch at a time).
WORKER = "bill-fetch"


def comparison_table(comparison: Comparison, *, with_kinds: bool) -> Table:
    """The services we cover, those we do not, and the totals: narrow columns give way first."""
    month = comparison.bill.period.label
    table = Table(
        box=box.SIMPLE_HEAD, expand=True, pad_edge=False, show_edge=False, padding=(0, 1), collapse_padding=True
    )
    table.add_column("service", ratio=1, min_width=12, no_wrap=True, overflow="ellipsis")
    table.add_column(f"billed\n{month}", justify="right", no_wrap=True)
    table.add_column("ours now\nper month", justify="right", no_wrap=True)
    table.add_column("bill\n- ours", justify="right", no_wrap=True)
    table.add_column("unpriced\nrows", justify="right", no_wrap=True)
    if with_kinds:
        table.add_column("our kinds", ratio=1, no_wrap=True, overflow="ellipsis")
    for index, line in enumerate(comparison.services):
        cells: list[Text] = [
            safe(line.service),
            Text(format_cost(line.billed)),
            Text(format_cost(line.ours)),
            Text(signed(line.difference)),
            Text(str(line.ours_unknown_rows or "")),
        ]
        if with_kinds:
            cells.append(safe(", ".join(line.kinds)))
        table.add_row(*cells, end_section=index == len(comparison.services) - 1)
    for index, item in enumerate(comparison.not_covered):
        cells = [safe(item.service), Text(format_cost(item.billed)), Text("not covered", style="italic")]
        table.add_row(*cells, end_section=index == len(comparison.not_covered) - 1)
    t = comparison.totals
    table.add_row(
        Text("covered by our kinds", style="bold"), Text(format_cost(t.covered)), Text(format_cost(t.ours)),
        Text(signed(t.difference)), Text(str(t.ours_unknown_rows or "")),
    )
    table.add_row(Text("not covered", style="bold"), Text(format_cost(t.not_covered)))
    table.add_row(Text("billed total", style="bold"), Text(format_cost(t.billed)))
    return table


class BillScreen(Screen[None]):
    """The bill beside the estimate, for one account.

    Args:
        bills: where bills come from (``aws.bill.CostExplorerBills``; tests pass a fake).
        identity: the account.
        totals: our run-rate by kind for that account, asked when the bill is shown.
        no_session: why no request can be made ("" when one can): a saved inventory, a replay.
        note: one more line for the title (several accounts open, a scan in flight).
        now: the wall clock (tests freeze it).
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="bill.back"),
        Binding("enter", "fetch", "Fetch ($0.01)", id="bill.fetch"),
        Binding("r", "refresh", "Fetch again ($0.01)", id="bill.refresh"),
        Binding("b", "app.pop_screen", "Back", show=False, id="bill.back_b"),
        Binding("q", "app.pop_screen", "Back", show=False, id="bill.back_q"),
    ]

    DEFAULT_CSS = """
    BillScreen #bill-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    BillScreen #bill-status { height: auto; max-height: 4; padding: 0 1; background: $boost; }
    BillScreen #bill-status.ask { text-style: bold; color: $warning; }
    BillScreen #bill-status.failed { text-style: bold; color: $error; }
    BillScreen VerticalScroll { padding: 0 1; scrollbar-size-vertical: 1; }
    BillScreen #bill-notes { margin-top: 1; color: $text-muted; }
    """

    def __init__(
        self,
        bills: BillSource,
        identity: Identity,
        totals: Callable[[], KindTotals],
        *,
        no_session: str = "",
        note: str = "",
        now: Callable[[], datetime],
    ) -> None:
        super().__init__()
        self.bills = bills
        self.identity = identity
        self.totals = totals
        self.no_session = no_session
        self.note = note
        self._now = now
        #: notice (asking) | fetching | results | error | no-session
        self.state = "notice"
        self.comparison: Comparison | None = None
        self._refresh = False
        self._error = ""

    def compose(self) -> ComposeResult:
        ident = self.identity
        name = f"{ident.alias} ({ident.account_id})" if ident.alias else ident.account_id
        title = f"The bill beside the estimate: {name}"
        yield Static(safe(title + (f" · {self.note}" if self.note else "")), id="bill-title")
        yield Static("", id="bill-status")
        with VerticalScroll(id="bill-body"):
            yield Static("", id="bill-table")
            yield Static("", id="bill-notes")
        yield Footer()

    def on_mount(self) -> None:
        cached = self.bills.cached(self.identity.account_id)
        self._report_problems()
        if cached is not None:
            self._show_bill(cached)
        elif self.no_session:
            self._set_state("no-session")
        else:
            self._set_state("notice")

    # --- keys ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "fetch":
            return self.state in ("notice", "error") and not self.no_session
        if action == "refresh":
            return self.state in ("results", "error") and not self.no_session
        return True

    def action_fetch(self) -> None:
        if not self.check_action("fetch", ()):
            return
        self._set_state("fetching")
        account = self.identity.account_id
        self.run_worker(
            partial(self.bills.fetch, account, refresh=self._refresh),
            name=WORKER, group="bill", thread=True, exclusive=True, exit_on_error=False,
        )

    def action_refresh(self) -> None:
        if not self.check_action("refresh", ()):
            return
        self._refresh = True
        self._set_state("notice")

    # --- the fetch -------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name != WORKER:
            return
        if event.state == WorkerState.SUCCESS and isinstance(worker.result, Bill):
            self._report_problems()
            self._show_bill(worker.result)
        elif event.state == WorkerState.ERROR:
            error = worker.error
            self._error = str(error) if isinstance(error, BillError) else f"{type(error).__name__}: {error}"
            self._set_state("error")

    def _report_problems(self) -> None:
        for problem in self.bills.problems:
            self.notify(problem, severity="warning", timeout=10)
        self.bills.problems.clear()

    def _show_bill(self, bill: Bill) -> None:
        self.comparison = compare(bill, self.totals())
        self._set_state("results")

    # --- what shows ------------------------------------------------------------------------

    def _set_state(self, state: str) -> None:
        self.state = state
        status = self.query_one("#bill-status", Static)
        status.set_class(state == "notice", "ask")
        status.set_class(state == "error", "failed")
        status.update(safe(self._status_text()))  # an error quotes AWS's message
        self._render_body()
        self.refresh_bindings()

    def _status_text(self) -> str:
        month = self.bills.period().label
        if self.state == "notice":
            again = "fetch again: " if self._refresh else ""
            return f"{again}{NOTICE}; press enter to fetch, escape to leave"
        if self.state == "fetching":
            return f"asking Cost Explorer for the {month} bill ({NOTICE})…"
        if self.state == "error":
            tail = "" if self.no_session else f"; enter tries again ({NOTICE})"
            return f"{self._error}{tail}"
        if self.state == "no-session":
            return f"no request can be made: {self.no_session}; escape to leave"
        assert self.comparison is not None
        bill = self.comparison.bill
        text = bill.fetched_text(self._now())
        if bill.estimated:
            text += f"; AWS marks {bill.period.label} as estimated (not final)"
        return text + ("" if self.no_session else "; r fetches again ($0.01)")

    def _render_body(self) -> None:
        table = self.query_one("#bill-table", Static)
        notes = self.query_one("#bill-notes", Static)
        if self.state != "results" or self.comparison is None:
            table.update(Text(self._explanation()))  # ours, over several lines; no data in it
            notes.update(Text(""))
            return
        wide = self.size.width >= KINDS_MIN_WIDTH
        if not self.comparison.services and not self.comparison.not_covered:
            table.update(safe(f"Cost Explorer shows no charges for {self.comparison.bill.period.label}."))
        else:
            table.update(comparison_table(self.comparison, with_kinds=wide))
        notes.update(Group(*(Text(note) for note in COLUMN_NOTES)))

    def _explanation(self) -> str:
        month = self.bills.period().label
        lines = [
            f"Last month's bill ({month}) from AWS Cost Explorer, per service, beside what the resources "
            "scanned now cost per month, and what the bill shows that no kind here covers.",
            "",
            f"Fetching makes {NOTICE} (GetCostAndUsage, grouped by service); the answer is kept for 24 h "
            f"and shown again at no charge. It needs the IAM permission {PERMISSION}.",
        ]
        if self.state == "no-session":
            lines = lines[:1] + ["", f"Nothing can be fetched here: {self.no_session}."]
        return "\n".join(lines)

    def on_resize(self, event: Resize) -> None:
        if self.state == "results":
            self._render_body()
