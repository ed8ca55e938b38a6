"""Everything about one resource: attributes, tags, cost basis, ARN.  ``escape`` leaves."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.model import Resource, format_cost
from tracker_tui.offhours import next_fire, scheduled_by
from tracker_tui.ui.clipboard import row_message, row_text
from tracker_tui.ui.text import safe

#: Widest the key column grows; longer keys fold onto more lines.
KEY_WIDTH = 32


def _value(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)
    if value is None:
        return "—"
    return str(value)


def _next_events(resource: Resource, now: datetime | None) -> list[tuple[str, str]]:
    """An off-hours schedule's next stop and start, worked out now from its crons and zone (a
    scan's copy would be stale by the time anyone reads it)."""
    zone = resource.details.get("zone")
    found = []
    for verb in ("stop", "start"):
        expression = resource.details.get(f"{verb}_expression")
        if isinstance(expression, str) and isinstance(zone, str):
            when = next_fire(expression, resource.details.get(f"{verb}_zone") or zone, now)
            text = when.strftime("%a %d %b %Y %H:%M %Z") if when else f"{expression} (not read)"
            found.append((f"next {verb}", text))
    return found


def details_table(resource: Resource, now: datetime | None = None) -> Table:
    """Every attribute of a row; each cell is literal text (``ui.text.safe``), never markup."""
    table = Table.grid(padding=(0, 2))
    # A key (a tag key is anyone's text) folds at KEY_WIDTH, so a long one cannot push the
    # values off the screen.
    table.add_column(style="bold", overflow="fold", max_width=KEY_WIDTH)
    table.add_column(overflow="fold")

    def heading(title: str, empty: str = "") -> None:
        table.add_row(Text(title, style="bold underline"), Text(empty))

    rows = [
        ("kind", resource.kind),
        ("id", resource.id),
        ("name", resource.name or "—"),
        ("account", resource.account_id),
        ("region", resource.region),
        ("state", resource.state),
        ("created", resource.created or "—"),
        ("monthly cost", format_cost(resource.monthly_cost)),
        ("cost basis", resource.cost_basis or "—"),
        ("arn", resource.arn or "—"),
    ]
    spec = REGISTRY.get(resource.kind)
    schedule = scheduled_by(resource.tags)
    if schedule or (spec is not None and spec.off_hours is not None):
        rows.insert(6, ("schedule", schedule or "none (z schedules off-hours)"))
    rows[7:7] = _next_events(resource, now)
    for key, value in rows:
        table.add_row(Text(key), safe(value))
    table.add_row()
    heading("savings", "" if resource.findings else "none found")
    for finding in resource.findings:
        amount = finding.monthly_saving
        saving = "saving unknown" if amount is None else f"saves {format_cost(amount)}/mo"
        action = f", by: {finding.action}" if finding.action else ""
        table.add_row(
            safe(finding.id), safe(f"{saving} ({finding.confidence} confidence{action}): {finding.evidence}")
        )
    table.add_row()
    heading("details")
    for key, value in sorted(resource.details.items()):
        table.add_row(safe(key), safe(_value(value)))
    table.add_row()
    heading("tags", "" if resource.tags else "none")
    for key, value in sorted(resource.tags.items()):
        table.add_row(safe(key), safe(value))
    return table


class DetailsScreen(Screen[None]):
    """A scrollable page of one resource's attributes."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="details.back"),
        Binding("q", "app.pop_screen", "Back", show=False, id="details.back_q"),
        Binding("y", "copy", "Copy ARN", show=False, id="details.copy"),
    ]

    DEFAULT_CSS = """
    DetailsScreen #details-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    DetailsScreen VerticalScroll { padding: 0 1; }
    """

    def __init__(self, resource: Resource, now: datetime | None = None) -> None:
        super().__init__()
        self.resource = resource
        #: The wall clock the next stop and start of a schedule are read against (default: now).
        self.now = now

    def compose(self) -> ComposeResult:
        r = self.resource
        title = Text.assemble(safe(r.kind), "  ", safe(r.name or r.id), "  (", safe(r.region), ")")
        title.no_wrap = True  # one line: a long name is cut with an ellipsis, not wrapped away
        title.overflow = "ellipsis"
        yield Static(title, id="details-title")
        with VerticalScroll(id="details-body"):
            yield Static(details_table(r, self.now), id="details-table")
        yield Footer()

    def action_copy(self) -> None:
        """Copy the row's ARN (or its id): what users come here to read off."""
        self.app.copy_to_clipboard(row_text(self.resource))
        self.notify(row_message(self.resource))
