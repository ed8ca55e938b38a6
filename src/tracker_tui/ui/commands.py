"""Command palette providers made from the key definitions (``ui.keys``).

Each key with a command title is a palette command that runs the key's action, on the
screen that binds it (``MainScreenCommands``, offered only from the main view) or on the
app (``AppCommands``, from every screen).  posting's ``commands.py`` is the model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, ClassVar

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from tracker_tui.ui.keys import APP_KEYS, MAIN_KEYS, Entry, commands


class KeyCommands(Provider):
    """The palette commands of ``ENTRIES``, run in the namespace ``target`` gives."""

    ENTRIES: ClassVar[Sequence[Entry]] = ()

    @property
    def target(self) -> DOMNode:
        """Where the actions run: the screen the palette was opened on."""
        return self.screen

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        run = self.app.run_action
        keymap = getattr(self.app, "keymap_in_force", None)
        return [(c.title, c.help, partial(run, c.action, self.target)) for c in commands(self.ENTRIES, keymap)]

    async def discover(self) -> Hits:
        for title, help_text, runnable in self._commands():
            yield DiscoveryHit(title, runnable, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, runnable in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), runnable, help=help_text)


class MainScreenCommands(KeyCommands):
    """The main view's commands (in ``MainScreen.COMMANDS``: only offered from there)."""

    ENTRIES = MAIN_KEYS


class AppCommands(KeyCommands):
    """The app's own commands (help), from every screen."""

    ENTRIES = APP_KEYS

    @property
    def target(self) -> DOMNode:
        return self.app
