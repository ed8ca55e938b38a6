"""The header bar (who and where) and the status line (scan progress, rows, marks)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tracker_tui.aws.source import Connection


class AccountHeader(Static):
    """One line: account id and alias, identity, profile, region count; danger-marked in red."""

    DEFAULT_CSS = """
    AccountHeader {
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    AccountHeader.-danger {
        background: $error;
        color: $text;
        text-style: bold;
    }
    """

    def show(self, connection: Connection | None, *, danger: bool, source_note: str = "") -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("tracker-tui", style="bold")
        if danger:
            text.append("  ⚠ PRODUCTION", style="bold reverse")
        if connection is None:
            text.append(f"  {source_note or 'connecting…'}")
        else:
            ident = connection.identity
            text.append("  account ")
            text.append(ident.account_id, style="bold")
            if ident.alias:
                text.append(f" ({ident.alias})", style="bold")
            if ident.arn:
                text.append(f"  {ident.arn}")
            text.append(f"  profile {connection.profile or 'default'}")
            text.append(f"  {len(connection.regions)} regions")
            if connection.label:
                text.append(f"  [{connection.label}]")
            if source_note:
                text.append(f"  {source_note}")
        self.set_class(danger, "-danger")
        self.update(text)


class StatusLine(Static):
    """Scan progress on the left; rows shown of total and marks on the right."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    """

    def show(self, progress: str, rows: int, total: int, marked: int, marked_cost: str = "") -> None:
        left = Text(progress, no_wrap=True, overflow="ellipsis")
        right = f"{rows:,} of {total:,} rows" if rows != total else f"{total:,} rows"
        if marked:
            right += f" · {marked:,} marked"
            if marked_cost:
                right += f" ({marked_cost}/mo)"
        width = max(0, self.size.width - 2)
        room = max(0, width - len(right) - 2)
        left.truncate(room, overflow="ellipsis")
        line = Text(no_wrap=True)
        line.append_text(left)
        line.append(" " * max(1, width - left.cell_len - len(right)))
        line.append(right, style="bold")
        self.update(line)
