"""Pickers: switch the AWS profile, or limit the scan to some regions, then rescan."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from tracker_tui.ui.text import safe


class ProfilePicker(ModalScreen[str | None]):
    """Choose one of the profiles in the shared config and credentials files."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="profile.cancel")]

    DEFAULT_CSS = """
    ProfilePicker { align: center middle; }
    ProfilePicker > Vertical { width: 60; max-width: 100%; height: auto; max-height: 80%;
        border: thick $primary; background: $surface; padding: 0 1; }
    ProfilePicker OptionList { height: auto; max-height: 20; }
    """

    def __init__(self, profiles: list[str], current: str | None) -> None:
        super().__init__()
        self.profiles = profiles
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Switch to profile (enter), escape cancels:")
            if self.profiles:
                yield OptionList(
                    *[
                        Option(safe(f"{p}{'  (current)' if p == self.current else ''}"), id=p)
                        for p in self.profiles
                    ],
                    id="profiles",
                )
            else:
                yield Static("No profiles in ~/.aws/config or ~/.aws/credentials.")

    def on_mount(self) -> None:
        for options in self.query(OptionList):
            options.focus()
            if self.current in self.profiles:
                options.highlighted = self.profiles.index(self.current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RegionPicker(ModalScreen[list[str] | None]):
    """Tick the regions to scan (space toggles, enter applies); none ticked means all enabled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="regions.cancel"),
        Binding("enter", "apply", "Apply", id="regions.apply", priority=True),
    ]

    DEFAULT_CSS = """
    RegionPicker { align: center middle; }
    RegionPicker > Vertical { width: 60; max-width: 100%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1; }
    RegionPicker SelectionList { height: auto; max-height: 24; }
    """

    def __init__(self, regions: list[str], selected: list[str]) -> None:
        super().__init__()
        self.regions = regions
        self.selected = set(selected)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Regions to scan: space ticks, enter applies and rescans (none ticked: all enabled).")
            yield SelectionList[str](
                *[(safe(region), region, region in self.selected) for region in self.regions], id="regions"
            )

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_apply(self) -> None:
        self.dismiss(list(self.query_one(SelectionList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)
