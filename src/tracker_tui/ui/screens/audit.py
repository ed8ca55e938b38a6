"""``:audit`` -- the last entries of the action audit log, newest at the bottom, as
``tracker-tui audit`` prints them: every mutating call before it is made and after it answers."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tracker_tui.store import AuditLog, audit_line
from tracker_tui.ui.text import safe, visible

#: How many entries the view reads.
ENTRIES = 200


class AuditScreen(Screen[None]):
    """The audit log's tail; ``escape`` goes back."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="audit.back"),
        Binding("q", "app.pop_screen", "Back", show=False, id="audit.back_quit"),
    ]

    DEFAULT_CSS = """
    AuditScreen #audit-title { text-style: bold; padding: 0 1; background: $panel; }
    AuditScreen #audit-lines { padding: 0 1; }
    """

    def __init__(self, log: AuditLog | None = None) -> None:
        super().__init__()
        self.audit_log = log or AuditLog()

    def compose(self) -> ComposeResult:
        entries = self.audit_log.tail(ENTRIES)
        title = f"audit log: {len(entries)} newest entries of {self.audit_log.path}"
        if self.audit_log.skipped:
            title += f" ({len(self.audit_log.skipped)} unreadable lines skipped)"
        yield Static(safe(title), id="audit-title")
        with VerticalScroll():
            # One entry a line, each line's data made visible: a newline in an error message
            # cannot start a line that looks like another entry.
            lines = [visible(audit_line(e)) for e in entries] or ["no audit entries yet: nothing was changed"]
            yield Static(Text("\n".join(lines)), id="audit-lines")
        yield Footer()

    def on_mount(self) -> None:
        scroll = self.query_one(VerticalScroll)
        scroll.focus()
        scroll.scroll_end(animate=False)
