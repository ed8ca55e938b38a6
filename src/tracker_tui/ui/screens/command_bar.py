"""``:`` -- a one-line command bar at the bottom, as in k9s: a kind or a view by name.

``enter`` goes (``ui.jump`` says what the word means); a word that means nothing, or more
than one thing, is said inline and the bar stays; ``tab`` completes; ``escape`` closes it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tracker_tui.ui.jump import Jump, candidates, complete, resolve
from tracker_tui.ui.text import safe

HINT = "a kind (vol, snap, eks, lambda, ec2:instance ...) or cost, grid, changes, audit, help · tab completes"


class CommandBarScreen(ModalScreen[Jump | None]):
    """Returns what the word means, or None when closed with escape."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="command_bar.close"),
        Binding("tab", "complete", "Complete", id="command_bar.complete", priority=True),
    ]

    DEFAULT_CSS = """
    CommandBarScreen { align: left bottom; background: $background 0%; }
    CommandBarScreen > Vertical {
        width: 100%; height: auto; background: $surface; border-top: solid $primary; padding: 0 1;
    }
    CommandBarScreen Horizontal { height: 1; }
    CommandBarScreen #command-prompt { width: 2; color: $accent; text-style: bold; }
    CommandBarScreen Input, CommandBarScreen Input:focus {
        border: none; height: 1; padding: 0; width: 1fr; background: $surface;
    }
    CommandBarScreen #command-hint { color: $text-muted; height: auto; }
    CommandBarScreen #command-hint.error { color: $error; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            with Horizontal():
                yield Static(":", id="command-prompt")
                yield Input(placeholder="vol, ec2:instance, cost ...", id="command")
            yield Static(safe(HINT), id="command-hint")

    def on_mount(self) -> None:
        field = self.query_one("#command", Input)
        field.cursor_blink = False
        field.focus()

    def _hint(self, text: str, *, error: bool = False) -> None:
        hint = self.query_one("#command-hint", Static)
        hint.update(safe(text))  # it may quote what was typed
        hint.set_class(error, "error")

    def on_input_changed(self, event: Input.Changed) -> None:
        found = candidates(event.value)
        self._hint("  ".join(found) if found else HINT)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        jump = resolve(event.value)
        if jump.error:
            self._hint(jump.error, error=True)
            return
        self.dismiss(jump)

    def action_complete(self) -> None:
        field = self.query_one("#command", Input)
        done = complete(field.value)
        if done != field.value:
            field.value = done
            field.cursor_position = len(done)
        else:
            found = candidates(field.value)
            self._hint("  ".join(found) if found else f"nothing starts with '{field.value}'", error=not found)

    def action_close(self) -> None:
        self.dismiss(None)
