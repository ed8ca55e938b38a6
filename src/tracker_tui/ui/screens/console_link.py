"""``o``: the cursor row's AWS console page, as a link the terminal can open (OSC 8) and that
``y`` copies (OSC 52, so it reaches the clipboard over SSH too)."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from tracker_tui.model import Resource
from tracker_tui.ui.text import safe


class ConsoleLinkScreen(ModalScreen[None]):
    """The link; ``y`` copies it, ``escape`` closes."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="console.close"),
        Binding("y", "copy", "Copy", id="console.copy"),
    ]

    DEFAULT_CSS = """
    ConsoleLinkScreen { align: center middle; }
    ConsoleLinkScreen > Vertical {
        width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ConsoleLinkScreen #console-title { text-style: bold; }
    ConsoleLinkScreen #console-url { margin: 1 0; }
    ConsoleLinkScreen #console-hint { color: $text-muted; }
    ConsoleLinkScreen Horizontal { height: auto; align-horizontal: right; }
    ConsoleLinkScreen Button { margin-left: 1; }
    """

    def __init__(self, resource: Resource, url: str) -> None:
        super().__init__()
        self.resource = resource
        self.url = url

    def compose(self) -> ComposeResult:
        r = self.resource
        with Vertical():
            title = Text.assemble("AWS console: ", safe(r.kind), " ", safe(r.name or r.id), " (", safe(r.region), ")")
            yield Label(title, id="console-title")
            # The one link on any screen, and its URL is ours (``aws.console``): ids in it are
            # percent-encoded there, and what shows is the same URL, made visible.
            yield Static(safe(self.url, Style(link=self.url, underline=True)), id="console-url")
            yield Static(
                "Your terminal opens the link (ctrl+click or cmd+click in most); y copies it.", id="console-hint"
            )
            with Horizontal():
                yield Button("Close", id="console-close")
                yield Button("Copy (y)", id="console-copy", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#console-copy", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "console-copy":
            self.action_copy()
        else:
            self.dismiss(None)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.url)
        self.app.notify(f"Copied the console link of {self.resource.name or self.resource.id}", timeout=4)
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
