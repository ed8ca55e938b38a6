"""``d``: what changed since the last scan: new, gone and changed resources, and the cost delta."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tracker_tui.history import Diff
from tracker_tui.model import Resource, format_cost
from tracker_tui.ui.text import safe

LIMIT = 200


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "-") + format_cost(abs(value))


def _rows(title: str, resources: list[Resource], sign: int) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, expand=True, pad_edge=False)
    table.add_column("kind", no_wrap=True)
    table.add_column("name / id", overflow="fold")
    table.add_column("region", no_wrap=True)
    table.add_column("state", no_wrap=True)
    table.add_column("cost/mo", justify="right", no_wrap=True)
    for r in resources[:LIMIT]:
        cost = "?" if r.monthly_cost is None else _signed(sign * r.monthly_cost)
        table.add_row(safe(r.kind), safe(r.name or r.id), safe(r.region), safe(r.state), Text(cost))
    if len(resources) > LIMIT:
        table.add_row(Text(""), Text(f"… and {len(resources) - LIMIT} more"))
    return table


class ChangesScreen(Screen[None]):
    """The diff between the previous scan and this one."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="changes.back"),
        Binding("d", "app.pop_screen", "Back", show=False, id="changes.back_d"),
        Binding("q", "app.pop_screen", "Back", show=False, id="changes.back_q"),
    ]

    DEFAULT_CSS = """
    ChangesScreen #changes-title { height: auto; padding: 0 1; background: $panel; text-style: bold; }
    ChangesScreen VerticalScroll { padding: 0 1; }
    ChangesScreen VerticalScroll > Static { margin-bottom: 1; }
    """

    def __init__(self, changes: Diff, since: str) -> None:
        super().__init__()
        self.changes = changes
        self.since = since

    def compose(self) -> ComposeResult:
        d = self.changes
        yield Static(
            safe(
                f"Changes since the last scan ({self.since}): {len(d.new)} new, {len(d.gone)} gone, "
                f"{len(d.changed)} changed; monthly run-rate {_signed(d.cost_delta)}"
            ),
            id="changes-title",
        )
        with VerticalScroll():
            if d.is_empty:
                yield Static(Text("Nothing changed."))
            if d.new:
                yield Static(_rows("New", d.new, +1))
            if d.gone:
                yield Static(_rows("Gone", d.gone, -1))
            if d.changed:
                table = Table(title="Changed", title_justify="left", show_edge=False, expand=True, pad_edge=False)
                table.add_column("kind", no_wrap=True)
                table.add_column("name / id", overflow="fold")
                table.add_column("region", no_wrap=True)
                table.add_column("what changed", overflow="fold")
                table.add_column("cost/mo", justify="right", no_wrap=True)
                for change in d.changed[:LIMIT]:
                    before, after = change.before, change.after
                    what = ", ".join(
                        f"state {before.state} -> {after.state}" if name == "state" else name for name in change.fields
                    )
                    table.add_row(
                        safe(after.kind),
                        safe(after.name or after.id),
                        safe(after.region),
                        safe(what),
                        Text(_signed(change.cost_delta)),
                    )
                yield Static(table)
        yield Footer()
