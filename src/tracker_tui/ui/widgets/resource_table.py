"""A virtual table of resources that stays fast at 100,000 rows.

The stock ``DataTable`` builds a renderable per cell and re-lays out every row when the
view changes (about 5 s for a 40k-row filtered view here).  This widget only renders lines:
the rows, their sort orders, the filter and the marks live in a ``RowStore``
(``tracker_tui.rowstore``, plain Python), which keeps plain lists and narrows or re-sorts
incrementally.  The widget adds the cursor, scrolling, the column layout, the messages, and
an idle-time timer that runs the store's ``precompute_steps`` a few milliseconds at a time.

``render_line`` formats only the lines on screen, from the store's per-resource cache of
cell strings, so painting is O(width) per line whatever the row count.

Which columns show at a width is ``tracker_tui.table_layout``'s arithmetic.  Unknown cost
(``None``) shows as a dim ``?``: "we do not know", which a blank or ``$0.00`` would misstate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from time import monotonic
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from tracker_tui.filtering import Filter
from tracker_tui.model import Resource
from tracker_tui.rowstore import COLUMNS, Key, RowStore, format_age, format_tags
from tracker_tui.table_layout import LABELS, fit_text, layout_columns

__all__ = ["COLUMNS", "ResourceTable", "format_age", "format_tags"]

_RIGHT_ALIGNED = frozenset({"cost", "age"})
#: Position of each column's text in a row's cached texts.
_COLUMN_INDEX = {name: i for i, name in enumerate(COLUMNS)}
_SORT_ARROWS = {False: "▲", True: "▼"}
_MARK = "●"
#: Once the rows have been still this long (seconds: a scan is over, or paused), the
#: ascending orders of the comparison-sorted columns are computed ahead, a little at a time,
#: so the first sort by any of them is a cache hit (``RowStore.precompute_steps``).
_PRECOMPUTE_DELAY = 0.5
#: Below this many rows a first sort is quick anyway, so nothing is computed ahead.
_PRECOMPUTE_MIN_ROWS = 20_000
#: Work done per turn of the event loop before it is given back (seconds), and the pause
#: between turns, so keys and repaints are never held up by more than a step or two.
_PRECOMPUTE_BUDGET = 0.004
_PRECOMPUTE_PAUSE = 0.004
_INF = float("inf")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ResourceTable(ScrollView, can_focus=True):
    """A virtual, sortable, filterable table of ``Resource`` rows with marks.

    Args:
        now: Clock for the age column (inject a fixed one for deterministic snapshots).
        name: Widget name.
        id: Widget id.
        classes: CSS classes.
        disabled: Start disabled.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False, id="table.cursor_up"),
        Binding("down", "cursor_down", "Down", show=False, id="table.cursor_down"),
        Binding("pageup", "cursor_page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "cursor_page_down", "Page down", show=False, id="table.page_down"),
        Binding("home", "cursor_home", "First row", show=False, id="table.home"),
        Binding("end", "cursor_end", "Last row", show=False, id="table.end"),
        Binding("enter", "select", "Details", show=False, id="select"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "resource-table--header",
        "resource-table--cursor",
        "resource-table--marked",
        "resource-table--dim",
    }

    DEFAULT_CSS = """
    ResourceTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;

        & > .resource-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .resource-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .resource-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .resource-table--marked {
            color: $accent;
            text-style: bold;
        }
        & > .resource-table--dim {
            color: $text-muted;
        }
        /* NO_COLOR: every colour above is dropped, so carry the meaning in text styles. */
        &:nocolor > .resource-table--header {
            text-style: bold underline;
        }
        &:nocolor > .resource-table--cursor {
            text-style: bold reverse;
        }
        &:nocolor > .resource-table--dim {
            text-style: dim;
        }
    }
    """

    # --- messages -----------------------------------------------------------------------

    class _TableMessage(Message):
        def __init__(self, table: ResourceTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> ResourceTable:
            return self.table

    class CursorMoved(_TableMessage):
        """The cursor is on a different resource (``None`` when the view is empty)."""

        def __init__(self, table: ResourceTable, resource: Resource | None) -> None:
            super().__init__(table)
            self.resource = resource

    class Selected(_TableMessage):
        """``enter`` (or a double click) on a row."""

        def __init__(self, table: ResourceTable, resource: Resource) -> None:
            super().__init__(table)
            self.resource = resource

    class MarksChanged(_TableMessage):
        """The set of marked rows changed; ``count`` is how many are marked now."""

        def __init__(self, table: ResourceTable, count: int) -> None:
            super().__init__(table)
            self.count = count

    # --- construction -------------------------------------------------------------------

    def __init__(
        self,
        *,
        now: Callable[[], datetime] = _utc_now,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._now = now
        self._store = RowStore()
        self._generation = self._store.generation
        self._cursor = 0
        self._cursor_key: Key | None = None
        self._base_style: Style | None = None
        self._precompute_timer: Timer | None = None
        self._precompute_job: Iterator[None] | None = None
        self._last_change = 0.0
        self._columns_cache: tuple[tuple[object, ...], list[tuple[str, int]]] | None = None

    # --- data ---------------------------------------------------------------------------

    @property
    def resources(self) -> list[Resource]:
        """Every resource, in the order it arrived."""
        return list(self._store.rows)

    @property
    def visible_resources(self) -> list[Resource]:
        """The resources that pass the filter, in display order."""
        resources = self._store.rows
        return [resources[i] for i in self._store.view]

    @property
    def row_count(self) -> int:
        """How many rows pass the filter."""
        return len(self._store.view)

    @property
    def total_count(self) -> int:
        """How many resources the table holds."""
        return len(self._store)

    @property
    def filter(self) -> Filter:
        """The filter in force."""
        return self._store.filter

    @property
    def sort_column(self) -> str | None:
        """The column rows are sorted by, or ``None`` for arrival order."""
        return self._store.sort_column

    @property
    def sort_reverse(self) -> bool:
        """True when sorted descending."""
        return self._store.sort_reverse

    def add_resources(self, batch: Sequence[Resource]) -> None:
        """Add a batch of resources; one whose key is already present replaces it.  Cost is
        O(batch) plus one merge of the sorted order: every scan batch can come this way."""
        if not batch:
            return
        anchor = self._remember_cursor()
        marks_before = self._store.marked_count
        self._store.add(batch)
        self._data_changed(anchor)
        if self._store.marked_count != marks_before:  # marks kept across a rescan came back
            self._post_marks()

    def replace_resource(self, resource: Resource) -> None:
        """Put a fresh copy of a resource in place (by key), or add it if it is new.

        Cheap when the row keeps its place (the usual case for a state change).  To replace
        many rows at once, pass them all to ``add_resources``, which re-sorts once.
        """
        anchor = self._remember_cursor()
        self._store.replace(resource)
        self._data_changed(anchor)

    def remove_keys(self, keys: Iterable[Key]) -> None:
        """Drop resources by ``Resource.key``; unknown keys are ignored.  Marks go with them.
        Surviving rows keep their places: no re-sort and no re-filter."""
        anchor = self._remember_cursor()
        marks_before = self._store.marked_count
        if not self._store.remove(keys):
            return
        self._data_changed(anchor)
        if self._store.marked_count != marks_before:
            self._post_marks()

    def clear(self, *, keep_marks: bool = False) -> None:
        """Remove every resource and mark (the filter and sort stay); ``keep_marks`` (a
        rescan) marks the rows that come back with the same key again."""
        had_marks = bool(self._store.marked_count)
        self._store.clear(keep_marks=keep_marks)
        self._cursor = 0
        self._data_changed(None)
        if had_marks:
            self._post_marks()

    def sort_by(self, column: str | None, reverse: bool | None = None) -> None:
        """Sort rows by one of ``COLUMNS`` (``None``: arrival order); the cursor stays on its
        resource.  ``reverse=None`` toggles the direction of the sort column, else sorts
        ascending.  Ties keep arrival order; unknowns sort last (``RowStore.sort_by``)."""
        anchor = self._remember_cursor()
        self._store.sort_by(column, reverse)
        self._data_changed(anchor)

    def set_filter(self, filter: Filter) -> None:
        """Show only the rows that pass ``filter``; the cursor stays on its resource if it can.
        A refinement of a recent filter only tests the rows that one let through."""
        anchor = self._remember_cursor()
        self._store.set_filter(filter)
        self._data_changed(anchor)

    # --- sort orders computed ahead, while idle -----------------------------------------

    def _rows_changed(self) -> None:
        """Rows were added, replaced or removed: start over on the sort orders computed
        ahead, once the rows are still again (see ``_PRECOMPUTE_DELAY``)."""
        self._generation = self._store.generation
        self._precompute_job = None
        self._last_change = monotonic()
        self._schedule_precompute(_PRECOMPUTE_DELAY)

    def _schedule_precompute(self, delay: float) -> None:
        if (
            self._precompute_timer is None
            and self.is_mounted
            and len(self._store) >= _PRECOMPUTE_MIN_ROWS
        ):
            self._precompute_timer = self.set_timer(delay, self._precompute_tick, name="precompute")

    def on_mount(self) -> None:
        self._schedule_precompute(_PRECOMPUTE_DELAY)

    def _precompute_tick(self) -> None:
        """Run the ahead-of-time sorting for one time budget, then give the loop back."""
        self._precompute_timer = None
        if len(self._store) < _PRECOMPUTE_MIN_ROWS:
            return
        wait = self._last_change + _PRECOMPUTE_DELAY - monotonic()
        if wait > 0:  # rows changed since this was scheduled: wait for them to settle
            self._schedule_precompute(wait)
            return
        if self._precompute_job is None:
            self._precompute_job = self._store.precompute_steps()
        if self._run_precompute(monotonic() + _PRECOMPUTE_BUDGET):
            self._schedule_precompute(_PRECOMPUTE_PAUSE)

    def _run_precompute(self, deadline: float = _INF) -> bool:
        """Run the pending ahead-of-time sorting until ``deadline``; True if some is left."""
        job = self._precompute_job
        if job is None:
            return False
        for _ in job:
            if monotonic() >= deadline:
                return True
        self._precompute_job = None
        return False

    # --- cursor -------------------------------------------------------------------------

    @property
    def cursor_row(self) -> int:
        """The cursor's position in ``visible_resources``."""
        return self._cursor

    @property
    def cursor_resource(self) -> Resource | None:
        """The resource under the cursor, or ``None`` when nothing is visible."""
        view = self._store.view
        if not view:
            return None
        return self._store.rows[view[self._cursor]]

    def move_cursor(self, row: int) -> None:
        """Put the cursor on a display row (clamped) and scroll it into view."""
        self._cursor = max(0, min(row, len(self._store.view) - 1))
        self._scroll_to_cursor()
        self.refresh()
        self._post_cursor_if_moved()

    def _remember_cursor(self) -> tuple[Key | None, int]:
        """Cursor key and its offset from the top of the screen, to restore after a change."""
        resource = self.cursor_resource
        return (None if resource is None else resource.key, self._cursor - self.scroll_offset.y)

    def _data_changed(self, anchor: tuple[Key | None, int] | None) -> None:
        """After the view changed: restore the cursor, size, scroll, repaint, notify."""
        # Every store call ends here; only some changed rows (a sort or filter does not),
        # and only those restart the idle-time sorting.
        if self._store.generation != self._generation:
            self._rows_changed()
        view = self._store.view
        row = None
        if anchor is not None and anchor[0] is not None:
            row = self._store.view_row(anchor[0])
        if row is None:
            row = min(self._cursor, len(view) - 1)
        self._cursor = max(0, row)
        self._size_to_view()
        if anchor is not None and self.is_mounted:
            # Keep the cursor where it was on screen, so streaming rows do not jolt it.
            self.scroll_to(y=max(0, self._cursor - anchor[1]), animate=False, force=True)
        self._scroll_to_cursor()
        self.refresh()
        self._post_cursor_if_moved()

    def _size_to_view(self) -> None:
        """Make the scrollable height the view's (plus the header line).

        Setting ``virtual_size`` lays the whole screen out again (it is a layout reactive):
        the cost panels' tables are measured and repainted, 15-70 ms during a many-account
        scan, on every batch of rows and every filter keystroke.  The table's own size does
        not depend on its row count, so while the vertical scrollbar neither appears nor goes
        only the scrollbar and the scroll limits follow (``Widget._scroll_update``, what a
        layout would call here); when it does, the layout it needs is asked for.
        """
        size = Size(self.scrollable_content_region.width, len(self._store.view) + 1)
        if size == self.virtual_size:
            return
        height = self.container_size.height
        scrollbar_flips = (self.virtual_size.height > height) != (size.height > height)
        # (The width is the view's, whatever it is: overflow-x is hidden, so it moves nothing.)
        if not self.is_mounted or not height or scrollbar_flips:
            self.virtual_size = size
            return
        self.set_reactive(ResourceTable.virtual_size, size)
        self._scroll_update(size)

    def _scroll_to_cursor(self) -> None:
        if not self.is_mounted:
            return
        body = max(1, self.size.height - 1)
        top = self.scroll_offset.y
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, force=True)
        elif self._cursor >= top + body:
            self.scroll_to(y=self._cursor - body + 1, animate=False, force=True)

    def _post_cursor_if_moved(self) -> None:
        resource = self.cursor_resource
        key = None if resource is None else resource.key
        if key != self._cursor_key:
            self._cursor_key = key
            self.post_message(self.CursorMoved(self, resource))

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_cursor_page_up(self) -> None:
        self.move_cursor(self._cursor - max(1, self.size.height - 1))

    def action_cursor_page_down(self) -> None:
        self.move_cursor(self._cursor + max(1, self.size.height - 1))

    def action_cursor_home(self) -> None:
        self.move_cursor(0)

    def action_cursor_end(self) -> None:
        self.move_cursor(len(self._store.view) - 1)

    def action_select(self) -> None:
        resource = self.cursor_resource
        if resource is not None:
            self.post_message(self.Selected(self, resource))

    # --- marks --------------------------------------------------------------------------

    @property
    def marked(self) -> list[Resource]:
        """Marked resources that are still in the table, in arrival order (visible or not)."""
        return self._store.marked

    @property
    def marked_count(self) -> int:
        """How many rows are marked."""
        return self._store.marked_count

    def is_marked(self, resource: Resource) -> bool:
        """True when the resource's row is marked."""
        return self._store.is_marked(resource.key)

    def toggle_mark(self) -> None:
        """Mark or unmark the cursor row."""
        resource = self.cursor_resource
        if resource is None:
            return
        self._store.toggle_mark(resource.key)
        self.refresh()
        self._post_marks()

    def mark_all_visible(self) -> None:
        """Mark exactly the rows that pass the filter (marks on hidden rows are dropped)."""
        self._store.mark_all_visible()
        self.refresh()
        self._post_marks()

    def clear_marks(self) -> None:
        """Unmark every row (and forget the marks a rescan keeps waiting for their rows)."""
        if not self._store.marked_count:
            self._store.clear_marks()  # nothing shown marked, but some may be waiting
            return
        self._store.clear_marks()
        self.refresh()
        self._post_marks()

    @property
    def kept_marks_count(self) -> int:
        """Marks waiting for their rows after a rescan."""
        return self._store.kept_marks_count

    def forget_kept_marks(self) -> int:
        """Drop the kept marks whose rows did not come back; how many."""
        return self._store.forget_kept_marks()

    def _post_marks(self) -> None:
        self.post_message(self.MarksChanged(self, self._store.marked_count))

    def action_toggle_mark(self) -> None:
        self.toggle_mark()

    def action_mark_all(self) -> None:
        """Mark every visible row, or clear the marks when they already are (ctrl+a twice)."""
        if self._store.marks_equal_view:
            self.clear_marks()
        else:
            self.mark_all_visible()

    def action_clear_marks(self) -> None:
        self.clear_marks()

    # --- layout -------------------------------------------------------------------------

    @property
    def show_account(self) -> bool:
        """True when rows from more than one account are present."""
        return self._store.account_count > 1

    @property
    def hidden_sort(self) -> str:
        """``"sorted by id ▲"`` when the sort column gave way at this width (no arrow shows), else ``""``."""
        column = self._store.sort_column
        if column is None:
            return ""
        shown = {c for c, _ in self.columns_for_width(self.scrollable_content_region.width)}
        if column in shown:
            return ""
        return f"sorted by {column} {_SORT_ARROWS[self._store.sort_reverse]}"

    def columns_for_width(self, width: int) -> list[tuple[str, int]]:
        """The ``(column, cell width)`` pairs shown at ``width``, mark column excluded."""
        show_account = self.show_account
        store = self._store
        # The generation stands for the content widths, which only grow when rows change.
        cache_key = (width, show_account, store.sort_column, store.generation)
        if self._columns_cache is not None and self._columns_cache[0] == cache_key:
            return self._columns_cache[1]
        layout = layout_columns(store.content_widths, width, show_account)
        self._columns_cache = (cache_key, layout)
        return layout

    # --- rendering ----------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._columns_cache = None
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._store.view) + 1)
        self._scroll_to_cursor()

    def render_lines(self, crop: Region) -> list[Strip]:
        # ``rich_style`` walks the DOM (~50-100 us): look it up once per paint, not per line.
        self._base_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._base_style = None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._base_style or self.rich_style
        if y == 0:
            return self._render_header(width, base)
        row = self.scroll_offset.y + y - 1
        if row >= len(self._store.view) or row < 0:
            return Strip.blank(width, base)
        return self._render_row(row, width, base)

    def _render_header(self, width: int, base: Style) -> Strip:
        style = base + self.get_component_rich_style("resource-table--header")
        parts = [" "]
        for column, column_width in self.columns_for_width(width):
            label = LABELS[column]
            if column == self._store.sort_column:
                label = f"{label} {_SORT_ARROWS[self._store.sort_reverse]}"
            parts.append(fit_text(label, column_width, column in _RIGHT_ALIGNED))
        text = " ".join(parts)
        return Strip([Segment(text, style)]).adjust_cell_length(width, style)

    def _render_row(self, row: int, width: int, base: Style) -> Strip:
        store = self._store
        resource = store.rows[store.view[row]]
        texts = store.column_texts(resource, self._now)
        marked = store.is_marked(resource.key)
        style = base
        if marked:
            style = style + self.get_component_rich_style("resource-table--marked")
        if row == self._cursor:
            style = style + self.get_component_rich_style("resource-table--cursor")
        segments: list[Segment] = []
        parts = [_MARK if marked else " "]
        layout = self.columns_for_width(width)
        for column, column_width in layout:
            text = texts[_COLUMN_INDEX[column]]
            if column == "name" and not text and not any(c == "id" for c, _ in layout):
                text = texts[_COLUMN_INDEX["id"]]  # unnamed, and the ID column gave way (the id as shown)
            if column == "cost" and resource.monthly_cost is None:
                # Flush what we have, then the dim "?" in its own segment.
                parts.append("")
                segments.append(Segment(" ".join(parts), style))
                parts = []
                dim = style + self.get_component_rich_style("resource-table--dim", partial=True)
                segments.append(Segment(fit_text(text, column_width, True), dim))
                parts.append("")
                continue
            parts.append(fit_text(text, column_width, column in _RIGHT_ALIGNED))
        segments.append(Segment(" ".join(parts), style))
        return Strip(segments).adjust_cell_length(width, style)

    # --- mouse --------------------------------------------------------------------------

    def column_at(self, x: int) -> str | None:
        """The column under content x offset ``x`` (``None`` for the mark column or a gap)."""
        left = 2
        for column, column_width in self.columns_for_width(self.scrollable_content_region.width):
            if left <= x < left + column_width + 1:
                return column
            left += column_width + 1
        return None

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self.column_at(offset.x)
            if column is not None:
                self.sort_by(column)
            return
        row = self.scroll_offset.y + offset.y - 1
        if 0 <= row < len(self._store.view):
            was_cursor = row == self._cursor
            self.move_cursor(row)
            if was_cursor and event.chain >= 2:
                self.action_select()
