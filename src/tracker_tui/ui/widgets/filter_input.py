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

from textual.geometry import Size
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

    def _watch_value(self, value: str) -> None:
        """``Input``'s own, but the text's new width moves the input's scroll limits without
        laying the whole screen out.

        ``Input`` sets its ``virtual_size`` (a layout reactive) to the text's width on every
        change: a layout of the screen for each key, 40-90 ms during a many-account scan, the
        longest wait of the event loop.  This input's width is the filter bar's (``1fr``), so
        only its horizontal scroll limit follows the text (``Widget._scroll_update``, what the
        layout would call; Textual is pinned, see ``ResourceTable._size_to_view``).  Then
        ``Input``'s watcher runs as ever, its assignment of the same size a no-op.
        """
        size = Size(self.content_width, 1)
        if self.is_mounted and not self.styles.auto_dimensions and size != self.virtual_size:
            self.set_reactive(FilterInput.virtual_size, size)
            self._scroll_update(size)
        super()._watch_value(value)

    def watch_value(self, value: str) -> None:
        self._on_change(value)
