"""The header bar (who and where) and the status line (scan progress, rows, marks)."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual.content import Content
from textual.widgets import Static

from tracker_tui.aws.source import Connection
from tracker_tui.model import plural
from tracker_tui.untrusted import visible


class AccountHeader(Static):
    """One line: account id and alias, identity, profile, region count; danger-marked in red."""

    DEFAULT_CSS = """
    AccountHeader {
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    AccountHeader.-danger {
        background: $error;
        color: $text;
        text-style: bold;
    }
    """

    def show(self, connection: Connection | None, *, danger: bool, source_note: str = "") -> None:
        # Content.assemble takes str parts as plain text (not markup); what came from AWS, a
        # saved file or the config (alias, ARN, profile, label) is made visible too.
        parts: list[str | tuple[str, str]] = [("tracker-tui", "bold")]
        if danger:
            parts += ["  ", ("⚠ PRODUCTION", "bold reverse")]
        if connection is None:
            parts.append(f"  {visible(source_note) or 'connecting…'}")
        else:
            ident = connection.identity
            accounts = connection.accounts
            if len(accounts) > 1:
                names = ", ".join(visible(a.alias or a.account_id) for a in accounts[:3])
                more = f", +{len(accounts) - 3}" if len(accounts) > 3 else ""
                parts += ["  ", (f"{len(accounts)} accounts", "bold"), f" ({names}{more})"]
            else:
                parts += ["  account ", (visible(ident.account_id), "bold")]
                if ident.alias:
                    parts += [" (", (visible(ident.alias), "bold"), ")"]
            if connection.failures:
                parts += ["  ", (f"{len(connection.failures)} account(s) not scanned", "bold reverse")]
            parts.append(f"  {plural(len(connection.regions), 'region')}")
            parts.append(f"  profile {visible(connection.profile or 'default')}")
            if connection.label:
                parts.append(f"  [{visible(connection.label)}]")
            if ident.arn and len(accounts) <= 1:
                parts.append(f"  {visible(ident.arn)}")
            if source_note:
                parts.append(f"  {visible(source_note)}")
        self.set_class(danger, "-danger")
        self.update(Content.assemble(*parts))


class StatusLine(Static):
    """Scan progress on the left; rows shown of total and marks on the right."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $boost;
        text-wrap: nowrap;
    }
    """

    _last: tuple[str, int, int, int, str, str] = ("", 0, 0, 0, "", "")

    def on_resize(self) -> None:
        self.show(*self._last)

    def show(
        self, progress: str, rows: int, total: int, marked: int, marked_cost: str = "", sort_note: str = ""
    ) -> None:
        """``sort_note`` (e.g. "sorted by id ▲") is shown on the right, which is never cut."""
        self._last = (progress, rows, total, marked, marked_cost, sort_note)
        progress = visible(progress)  # may carry an AWS error message
        right = f"{rows:,} of {total:,} rows" if rows != total else f"{total:,} rows"
        if marked:
            right += f" · {marked:,} marked"
            if marked_cost:
                right += f" ({marked_cost}/mo)"
        if sort_note:
            right += f" · {sort_note}"
        width = max(0, self.size.width - 2)
        room = max(0, width - len(right) - 1)
        if cell_len(progress) > room:
            progress = set_cell_size(progress, max(0, room - 1)) + "…"
        gap = " " * max(1, width - cell_len(progress) - cell_len(right))
        # One fixed-height line: no need to lay the screen out again on every tick.
        self.update(Content.assemble(progress, gap, (right, "bold")), layout=False)
