"""``e``: ask where to write the filtered view; the extension picks JSON or CSV."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tracker_tui.ui.text import safe


class ExportScreen(ModalScreen[Path | None]):
    """Returns the chosen path, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical {
        width: 76; max-width: 100%; height: auto; border: thick $primary; background: $surface; padding: 1 2;
    }
    ExportScreen Input { margin: 1 0; }
    ExportScreen #export-error { color: $error; height: auto; }
    ExportScreen Horizontal { height: auto; align-horizontal: right; }
    ExportScreen Button { margin-left: 1; }
    """

    def __init__(self, default_path: Path, rows: int) -> None:
        super().__init__()
        self.default_path = default_path
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Export {self.rows:,} rows (the filtered view). File ending .json or .csv:")
            yield Input(str(self.default_path), id="export-path")
            yield Static("", id="export-error")
            with Horizontal():
                yield Button("Cancel", id="export-cancel")
                yield Button("Export", id="export-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export-ok":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _submit(self) -> None:
        raw = self.query_one(Input).value.strip()
        if not raw:
            self.query_one("#export-error", Static).update("type a file name")
            return
        path = Path(raw).expanduser()
        if path.suffix.lower() not in (".json", ".csv"):
            self.query_one("#export-error", Static).update("the file must end in .json or .csv")
            return
        if path.is_dir():
            self.query_one("#export-error", Static).update(safe(f"{path} is a directory"))
            return
        self.dismiss(path)
