"""Live results of an action run: each row requested -> in progress -> done / refused / failed."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tracker_tui.aws.actions import ActionUpdate, PlannedAction, Status

STATUS_STYLE = {
    Status.REQUESTED: "dim",
    Status.IN_PROGRESS: "bold",
    Status.DONE: "bold green",
    Status.REFUSED: "bold yellow",
    Status.FAILED: "bold red",
    Status.SKIPPED: "dim",
}


class ActionProgressScreen(Screen[None]):
    """One line per row of the run; ``escape`` goes back (the run carries on)."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="progress.back")]

    DEFAULT_CSS = """
    ActionProgressScreen #progress-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    ActionProgressScreen DataTable { height: 1fr; }
    ActionProgressScreen #progress-summary { height: auto; padding: 0 1; background: $boost; }
    """

    def __init__(self, planned: list[PlannedAction], title: str) -> None:
        super().__init__()
        self.planned = planned
        self.title_text = title
        self.latest: dict[tuple[str, str, str, str], ActionUpdate] = {}

    def compose(self) -> ComposeResult:
        yield Static(self.title_text, id="progress-title")
        yield DataTable(id="progress-table", cursor_type="row", zebra_stripes=False)
        yield Static("", id="progress-summary")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("status", key="status", width=11)
        table.add_column("action", key="action", width=9)
        table.add_column("kind", key="kind")
        table.add_column("name / id", key="name")
        table.add_column("region", key="region")
        table.add_column("result", key="message")
        for p in self.planned:
            r = p.resource
            status = Status.REQUESTED if p.action else Status.SKIPPED
            table.add_row(
                Text(status.value, style=STATUS_STYLE[status]),
                p.action or "-",
                r.kind,
                r.name or r.id,
                r.region,
                p.skip_reason or "",
                key="|".join(r.key),
            )
        self._summarise()

    def apply(self, update: ActionUpdate) -> None:
        """Show one progress report (called on the UI thread)."""
        self.latest[update.resource.key] = update
        table = self.query_one(DataTable)
        row = "|".join(update.resource.key)
        message = update.message
        if update.code and update.code not in message:
            message = f"{update.code}: {message}" if message else update.code
        try:
            table.update_cell(row, "status", Text(update.status.value, style=STATUS_STYLE[update.status]))
            table.update_cell(row, "message", message, update_width=True)
        except Exception:  # noqa: BLE001 - a row not in this run
            return
        self._summarise()

    def _summarise(self) -> None:
        counts: dict[Status, int] = {}
        for p in self.planned:
            update = self.latest.get(p.resource.key)
            status = update.status if update else (Status.REQUESTED if p.action else Status.SKIPPED)
            counts[status] = counts.get(status, 0) + 1
        parts = [f"{counts[s]} {s.value}" for s in Status if counts.get(s)]
        running = counts.get(Status.REQUESTED, 0) + counts.get(Status.IN_PROGRESS, 0)
        tail = "running… (escape: back to the table; the run carries on)" if running else "finished: escape to go back"
        self.query_one("#progress-summary", Static).update(f"{', '.join(parts)}   {tail}")
