"""The filter bar's input: what is typed filters the table in the same paint as the text.

A stock ``Input`` tells of a new value with an ``Input.Changed`` message, which reaches the
screen's handler a few message hops later: by then the screen has already painted the new
text (a paint with a layout, as the input's width changes), and the table's change waits for
the next frame slot, 17-33 ms on (Textual's screen timer skips to the slot after next when it
restarts).  During a scan that wait was a third of a keystroke's time to the table.  This input
calls its ``on_change`` while the key is handled, so the text and the table it filters are
painted together, once.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input


class FilterInput(Input):
    """An ``Input`` that calls ``on_change(value)`` as soon as its value changes.

    It still posts ``Input.Changed`` (and ``Input.Submitted``) as any input does.

    Args:
        on_change: called with the new value, synchronously, whenever it changes (typed,
            pasted, or set by code).
        placeholder: shown while the input is empty.
        id: widget id.
    """

    def __init__(self, on_change: Callable[[str], None], *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id)
        self._on_change = on_change

    def watch_value(self, value: str) -> None:
        self._on_change(value)
