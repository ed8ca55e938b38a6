"""A virtual table of resources that stays fast at 100,000 rows.

The stock ``DataTable`` builds a renderable per cell and re-lays out every row when the
view changes (about 5 s for a 40k-row filtered view here).  This widget keeps plain lists:

* ``_resources`` / ``_blobs``: every row in ingest order, plus its lowercased search text
  (``filtering.search_text``), built once at ingest;
* ``_order``: every row index in the current sort order (ingest order when unsorted),
  kept sorted as batches arrive by appending and re-sorting -- Timsort merges the two runs
  in close to linear time;
* ``_view``: the rows that pass the filter, in display order.  Filtering walks ``_order``
  so the result is already sorted: a filter keystroke never sorts.

``render_line`` formats only the lines on screen, from a per-resource cache of cell
strings, so painting is O(width) per line whatever the row count.

Column layout: mark, [account], kind, name, id, region, state, cost, age, tags.  The account
column only appears once rows from more than one account are present.  When the width is
short, tags give way first, then age, then id, then account; name takes what is left.
Unknown cost (``None``) shows as a dim ``?``: "we do not know", which a blank or ``$0.00``
would misstate.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, ClassVar, Iterable, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tracker_tui.filtering import Filter, format_cost, search_text
from tracker_tui.model import Resource

__all__ = ["COLUMNS", "ResourceTable", "format_age", "format_tags"]

Key = tuple[str, str, str, str]

#: Sortable columns, in display order (the mark column is not one of them).
COLUMNS: tuple[str, ...] = ("account", "kind", "name", "id", "region", "state", "cost", "age", "tags")

_LABELS = {
    "account": "Account",
    "kind": "Kind",
    "name": "Name",
    "id": "ID",
    "region": "Region",
    "state": "State",
    "cost": "Cost/mo",
    "age": "Age",
    "tags": "Tags",
}
#: Widest a column grows to fit its content (name is flexible and has no cap).
_CAPS = {"account": 12, "kind": 19, "id": 24, "region": 14, "state": 13, "cost": 12, "age": 4, "tags": 40}
_RIGHT_ALIGNED = frozenset({"cost", "age"})
#: Position of each column's text in a cached cell tuple.
_CELL_INDEX = {name: i for i, name in enumerate(COLUMNS)}
_NAME_MIN = 12
_TAGS_MIN = 8
#: Optional columns in the order they are given room; the last one added gives way first.
_OPTIONAL = ("account", "id", "age", "tags")
_ALWAYS = ("kind", "name", "region", "state", "cost")
_SORT_ARROWS = {False: "▲", True: "▼"}
_MARK = "●"
_UNKNOWN_COST = "?"
_CELL_CACHE_LIMIT = 20_000
_INF = float("inf")
_NEG_INF = float("-inf")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def format_age(created: str | None, now: datetime) -> str:
    """A compact age: ``45s``, ``12m``, ``3h``, ``5d``, ``2y``; ``""`` when unknown."""
    if not created:
        return ""
    try:
        when = datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    seconds = max(0, int((now - when).total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    if seconds < 365 * 86400:
        return f"{seconds // 86400}d"
    return f"{seconds // (365 * 86400)}y"


def format_tags(resource: Resource) -> str:
    """``env=prod,team=x``; the ``Name`` tag is left out when it is the row's name already."""
    return ",".join(
        f"{key}={value}"
        for key, value in resource.tags.items()
        if not (key == "Name" and value == resource.name)
    )


def _fit(text: str, width: int, right: bool = False) -> str:
    """Pad or truncate (with an ellipsis) to exactly ``width`` cells."""
    if width <= 0:
        return ""
    if text.isascii():
        if len(text) <= width:
            return text.rjust(width) if right else text.ljust(width)
        return text[: width - 1] + "…"
    if cell_len(text) <= width:
        pad = " " * (width - cell_len(text))
        return pad + text if right else text + pad
    return set_cell_size(text, width - 1) + "…"


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
        Binding("enter", "select", "Details", id="select"),
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

    class CursorMoved(Message):
        """The cursor is on a different resource (``None`` when the view is empty)."""

        def __init__(self, table: "ResourceTable", resource: Resource | None) -> None:
            super().__init__()
            self.table = table
            self.resource = resource

        @property
        def control(self) -> "ResourceTable":
            return self.table

    class Selected(Message):
        """``enter`` (or a double click) on a row."""

        def __init__(self, table: "ResourceTable", resource: Resource) -> None:
            super().__init__()
            self.table = table
            self.resource = resource

        @property
        def control(self) -> "ResourceTable":
            return self.table

    class MarksChanged(Message):
        """The set of marked rows changed; ``count`` is how many are marked now."""

        def __init__(self, table: "ResourceTable", count: int) -> None:
            super().__init__()
            self.table = table
            self.count = count

        @property
        def control(self) -> "ResourceTable":
            return self.table

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
        self._filter = Filter()
        self._sort_column: str | None = None
        self._sort_reverse = False
        self._marks: set[Key] = set()
        self._cursor = 0
        self._cursor_key: Key | None = None
        self._reset_data()

    def _reset_data(self) -> None:
        self._resources: list[Resource] = []
        self._blobs: list[str] = []
        self._position: dict[Key, int] = {}
        self._order: list[int] = []
        self._view: list[int] = self._order
        self._sort_keys: list[object] = []
        self._cells: dict[Key, tuple[str, ...]] = {}
        self._content_widths = {column: len(_LABELS[column]) + 2 for column in COLUMNS}
        self._max_cost = 0.0
        self._accounts: dict[str, int] = {}
        self._columns_cache: tuple[tuple[object, ...], list[tuple[str, int]]] | None = None

    # --- data ---------------------------------------------------------------------------

    @property
    def resources(self) -> list[Resource]:
        """Every resource, in the order it arrived."""
        return list(self._resources)

    @property
    def visible_resources(self) -> list[Resource]:
        """The resources that pass the filter, in display order."""
        resources = self._resources
        return [resources[i] for i in self._view]

    @property
    def row_count(self) -> int:
        """How many rows pass the filter."""
        return len(self._view)

    @property
    def total_count(self) -> int:
        """How many resources the table holds."""
        return len(self._resources)

    @property
    def filter(self) -> Filter:
        """The filter in force."""
        return self._filter

    @property
    def sort_column(self) -> str | None:
        """The column rows are sorted by, or ``None`` for arrival order."""
        return self._sort_column

    @property
    def sort_reverse(self) -> bool:
        """True when sorted descending."""
        return self._sort_reverse

    def add_resources(self, batch: Sequence[Resource]) -> None:
        """Add a batch of resources; one whose key is already present replaces it.

        Cost is O(batch) to index plus one merge of the sorted order (Timsort sees two
        runs), so calling it with every scan batch never stalls the screen.
        """
        if not batch:
            return
        anchor = self._remember_cursor()
        self._ingest(batch)
        self._data_changed(anchor)

    def _ingest(self, batch: Iterable[Resource]) -> None:
        resources, blobs, position = self._resources, self._blobs, self._position
        widths = self._content_widths
        accounts = self._accounts
        new_indices: list[int] = []
        replaced = False
        for resource in batch:
            key = resource.key
            existing = position.get(key)
            if existing is not None:
                self._replace_at(existing, resource)
                replaced = True
                continue
            index = len(resources)
            resources.append(resource)
            blobs.append(search_text(resource))
            position[key] = index
            new_indices.append(index)
            accounts[resource.account_id] = accounts.get(resource.account_id, 0) + 1
            self._measure(resource, widths)
        self._columns_cache = None
        sorted_by = self._sort_column
        if sorted_by is not None:
            sort_key = self._sort_key
            self._sort_keys.extend(sort_key(resources[i], sorted_by) for i in new_indices)
        order = self._order
        order.extend(new_indices)
        if replaced:
            # A replaced row may now sort or filter differently: redo both (rare: rescans).
            self._resort()
            self._rebuild_view()
            return
        if sorted_by is not None:
            order.sort(key=self._sort_keys.__getitem__, reverse=self._effective_reverse)
        if self._filter.is_empty or self._view is order:
            self._rebuild_view()  # O(1) when unfiltered: the view is the order itself
            return
        passing = self._filter.select(resources, blobs, new_indices)
        if passing:
            view = self._view
            view.extend(passing)
            if sorted_by is not None:
                view.sort(key=self._sort_keys.__getitem__, reverse=self._effective_reverse)

    def replace_resource(self, resource: Resource) -> None:
        """Put a fresh copy of a resource in place (by key), or add it if it is new.

        Cheap when the row keeps its place (same sort value, same filter verdict, the usual
        case for a state change); otherwise the order is re-sorted.  To replace many rows at
        once, pass them all to ``add_resources``, which replaces by key with one re-sort.
        """
        index = self._position.get(resource.key)
        if index is None:
            self.add_resources([resource])
            return
        anchor = self._remember_cursor()
        old_sort_key = self._sort_keys[index] if self._sort_column is not None else None
        old_pass = self._filter.matches(self._resources[index], self._blobs[index])
        self._replace_at(index, resource)
        self._columns_cache = None
        new_sort_key = self._sort_keys[index] if self._sort_column is not None else None
        if old_sort_key != new_sort_key or old_pass != self._filter.matches(resource, self._blobs[index]):
            self._resort()
            self._rebuild_view()
        self._data_changed(anchor)

    def remove_keys(self, keys: Iterable[Key]) -> None:
        """Drop resources by ``Resource.key``; unknown keys are ignored.  Marks go with them.

        O(n) list work, no re-sort and no re-filter: surviving rows keep their places.
        """
        position = self._position
        doomed = {key for key in keys if key in position}
        if not doomed:
            return
        anchor = self._remember_cursor()
        old_resources, old_blobs = self._resources, self._blobs
        doomed_rows = {position[key] for key in doomed}
        keep = [i for i in range(len(old_resources)) if i not in doomed_rows]
        remap = [-1] * len(old_resources)
        for new_index, old_index in enumerate(keep):
            remap[old_index] = new_index
        view_was_order = self._view is self._order
        self._resources = [old_resources[i] for i in keep]
        self._blobs = [old_blobs[i] for i in keep]
        self._position = {key: remap[i] for key, i in position.items() if remap[i] >= 0}
        if self._sort_column is not None:
            self._sort_keys = [self._sort_keys[i] for i in keep]
        self._order = [remap[i] for i in self._order if remap[i] >= 0]
        if view_was_order:
            self._view = self._order
        else:
            self._view = [remap[i] for i in self._view if remap[i] >= 0]
        for key in doomed:
            self._cells.pop(key, None)
            self._accounts[key[0]] -= 1
        self._columns_cache = None
        marks_before = len(self._marks)
        self._marks -= doomed
        self._data_changed(anchor)
        if len(self._marks) != marks_before:
            self._post_marks()

    def clear(self) -> None:
        """Remove every resource and mark (the filter and sort stay)."""
        had_marks = bool(self._marks)
        self._marks.clear()
        self._reset_data()
        self._cursor = 0
        self._data_changed(None)
        if had_marks:
            self._post_marks()

    def _replace_at(self, index: int, resource: Resource) -> None:
        old = self._resources[index]
        self._resources[index] = resource
        self._blobs[index] = search_text(resource)
        self._cells.pop(resource.key, None)
        if old.account_id != resource.account_id:  # cannot happen (part of key); be safe
            self._accounts[old.account_id] -= 1
            self._accounts[resource.account_id] = self._accounts.get(resource.account_id, 0) + 1
        if self._sort_column is not None:
            self._sort_keys[index] = self._sort_key(resource, self._sort_column)
        self._measure(resource, self._content_widths)

    def _measure(self, resource: Resource, widths: dict[str, int]) -> None:
        """Grow column content widths to fit a resource (cheap: lengths only)."""
        for column, value in (
            ("kind", resource.kind),
            ("name", resource.name),
            ("id", resource.id),
            ("region", resource.region),
            ("state", resource.state),
            ("account", resource.account_id),
        ):
            if len(value) > widths[column]:
                widths[column] = len(value)
        cost = resource.monthly_cost
        if cost is not None and cost > self._max_cost:
            self._max_cost = cost
            widths["cost"] = max(widths["cost"], len(format_cost(cost)))
        if resource.tags:
            size = sum(len(k) + len(v) + 2 for k, v in resource.tags.items())
            if size > widths["tags"]:
                widths["tags"] = size

    # --- sorting ------------------------------------------------------------------------

    @property
    def _effective_reverse(self) -> bool:
        # Age ascending means youngest first, i.e. ``created`` descending.
        return self._sort_reverse ^ (self._sort_column == "age")

    def _sort_key(self, resource: Resource, column: str) -> object:
        # Unknown values (None cost, no created date) sort last in both directions.  Keys
        # are plain floats/strings, not tuples: sorting 100k tuples costs about 3x more.
        if column == "cost":
            cost = resource.monthly_cost
            if cost is None:
                return _NEG_INF if self._effective_reverse else _INF
            return cost
        if column == "age":
            if not resource.created:
                return "" if self._effective_reverse else "\uffff"
            return resource.created
        if column == "account":
            return resource.account_id.lower()
        if column == "tags":
            return format_tags(resource).lower()
        return getattr(resource, column).lower()

    def sort_by(self, column: str | None, reverse: bool | None = None) -> None:
        """Sort rows by a column.

        Args:
            column: One of ``COLUMNS``, or ``None`` for arrival order.
            reverse: Descending if True.  ``None`` toggles the direction when the column is
                already the sort column, and sorts ascending otherwise.
        """
        if column is not None and column not in COLUMNS:
            raise ValueError(f"unknown column {column!r}")
        if reverse is None:
            reverse = not self._sort_reverse if column == self._sort_column else False
        anchor = self._remember_cursor()
        self._sort_column = column
        self._sort_reverse = bool(reverse) if column is not None else False
        if column is None:
            self._sort_keys = []
        else:
            sort_key = self._sort_key
            self._sort_keys = [sort_key(r, column) for r in self._resources]
        self._order = list(range(len(self._resources)))
        self._resort()
        self._rebuild_view()
        self._columns_cache = None
        self._data_changed(anchor)

    def _resort(self) -> None:
        if self._sort_column is not None:
            self._order.sort(key=self._sort_keys.__getitem__, reverse=self._effective_reverse)

    # --- filtering ----------------------------------------------------------------------

    def set_filter(self, filter: Filter) -> None:
        """Show only the rows that pass ``filter``; the cursor stays on its resource if it can."""
        anchor = self._remember_cursor()
        previous, self._filter = self._filter, filter
        if filter.is_empty or previous.is_empty or not filter.refines(previous):
            self._rebuild_view()
        else:
            # One more character typed: only rows that passed before can pass now, and
            # narrowing them keeps their (sorted) order.
            self._view = filter.select(self._resources, self._blobs, self._view)
        self._data_changed(anchor)

    def _rebuild_view(self) -> None:
        if self._filter.is_empty:
            self._view = self._order
        else:
            self._view = self._filter.select(self._resources, self._blobs, self._order)

    # --- cursor -------------------------------------------------------------------------

    @property
    def cursor_row(self) -> int:
        """The cursor's position in ``visible_resources``."""
        return self._cursor

    @property
    def cursor_resource(self) -> Resource | None:
        """The resource under the cursor, or ``None`` when nothing is visible."""
        if not self._view:
            return None
        return self._resources[self._view[self._cursor]]

    def move_cursor(self, row: int) -> None:
        """Put the cursor on a display row (clamped) and scroll it into view."""
        self._cursor = max(0, min(row, len(self._view) - 1))
        self._scroll_to_cursor()
        self.refresh()
        self._post_cursor_if_moved()

    def _remember_cursor(self) -> tuple[Key | None, int]:
        """Cursor key and its offset from the top of the screen, to restore after a change."""
        resource = self.cursor_resource
        return (None if resource is None else resource.key, self._cursor - self.scroll_offset.y)

    def _data_changed(self, anchor: tuple[Key | None, int] | None) -> None:
        """After the view changed: restore the cursor, size, scroll, repaint, notify."""
        view = self._view
        row = None
        if anchor is not None and anchor[0] is not None:
            index = self._position.get(anchor[0])
            if index is not None:
                try:
                    row = view.index(index)
                except ValueError:
                    row = None
        if row is None:
            row = min(self._cursor, len(view) - 1)
        self._cursor = max(0, row)
        self.virtual_size = Size(self.scrollable_content_region.width, len(view) + 1)
        if anchor is not None and self.is_mounted:
            # Keep the cursor where it was on screen, so streaming rows do not jolt it.
            self.scroll_to(y=max(0, self._cursor - anchor[1]), animate=False, force=True)
        self._scroll_to_cursor()
        self.refresh()
        self._post_cursor_if_moved()

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
        self.move_cursor(len(self._view) - 1)

    def action_select(self) -> None:
        resource = self.cursor_resource
        if resource is not None:
            self.post_message(self.Selected(self, resource))

    # --- marks --------------------------------------------------------------------------

    @property
    def marked(self) -> list[Resource]:
        """Marked resources that are still in the table, in arrival order (visible or not)."""
        position = self._position
        indices = sorted(position[key] for key in self._marks if key in position)
        return [self._resources[i] for i in indices]

    @property
    def marked_count(self) -> int:
        return len(self._marks)

    def is_marked(self, resource: Resource) -> bool:
        return resource.key in self._marks

    def toggle_mark(self) -> None:
        """Mark or unmark the cursor row."""
        resource = self.cursor_resource
        if resource is None:
            return
        self._marks.symmetric_difference_update({resource.key})
        self.refresh()
        self._post_marks()

    def mark_all_visible(self) -> None:
        """Mark exactly the rows that pass the filter.

        Marks on rows hidden by the filter are dropped: a bulk action then acts on what the
        operator can see, never on something filtered out of sight.
        """
        resources = self._resources
        self._marks = {resources[i].key for i in self._view}
        self.refresh()
        self._post_marks()

    def clear_marks(self) -> None:
        """Unmark every row."""
        if not self._marks:
            return
        self._marks.clear()
        self.refresh()
        self._post_marks()

    def _post_marks(self) -> None:
        self.post_message(self.MarksChanged(self, len(self._marks)))

    def action_toggle_mark(self) -> None:
        self.toggle_mark()

    def action_mark_all(self) -> None:
        """Mark every visible row, or clear the marks when they already are (ctrl+a twice)."""
        resources = self._resources
        if self._marks and self._marks == {resources[i].key for i in self._view}:
            self.clear_marks()
        else:
            self.mark_all_visible()

    def action_clear_marks(self) -> None:
        self.clear_marks()

    # --- layout -------------------------------------------------------------------------

    @property
    def show_account(self) -> bool:
        """True when rows from more than one account are present."""
        return sum(1 for count in self._accounts.values() if count > 0) > 1

    def columns_for_width(self, width: int) -> list[tuple[str, int]]:
        """The ``(column, cell width)`` pairs shown at ``width``, mark column excluded."""
        show_account = self.show_account
        cache_key = (width, show_account, self._sort_column)
        if self._columns_cache is not None and self._columns_cache[0] == cache_key:
            return self._columns_cache[1]
        # Fit content up to a cap, but never narrower than the label and its sort arrow.
        widths = {
            c: max(len(_LABELS[c]) + 2, min(_CAPS.get(c, w), w))
            for c, w in self._content_widths.items()
        }
        name_content = max(self._content_widths["name"], _NAME_MIN)
        shown = set(_ALWAYS)
        used = 2 + sum(widths[c] + 1 for c in _ALWAYS if c != "name")  # mark + separators
        for column in _OPTIONAL:
            if column == "account" and not show_account:
                continue
            need = (_TAGS_MIN if column == "tags" else widths[column]) + 1
            if used + need + _NAME_MIN > width:
                break
            shown.add(column)
            used += need if column != "tags" else 0
        remaining = width - used  # for name (and tags, when shown)
        if "tags" in shown:
            name_w = max(_NAME_MIN, min(name_content, remaining - 1 - _TAGS_MIN))
            tags_w = max(_TAGS_MIN, min(widths["tags"], remaining - name_w - 1))
            name_w = max(_NAME_MIN, remaining - tags_w - 1)
            widths["tags"] = tags_w
        else:
            name_w = max(1, remaining)
        widths["name"] = name_w
        layout = [(c, widths[c]) for c in COLUMNS if c in shown]
        self._columns_cache = (cache_key, layout)
        return layout

    # --- rendering ----------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._columns_cache = None
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._view) + 1)
        self._scroll_to_cursor()

    def _cell_texts(self, resource: Resource) -> tuple[str, ...]:
        cells = self._cells.get(resource.key)
        if cells is None:
            if len(self._cells) > _CELL_CACHE_LIMIT:
                self._cells.clear()
            cost = resource.monthly_cost
            cells = (
                resource.account_id,
                resource.kind,
                resource.name,
                resource.id,
                resource.region,
                resource.state,
                _UNKNOWN_COST if cost is None else format_cost(cost),
                format_age(resource.created, self._now()),
                format_tags(resource),
            )
            self._cells[resource.key] = cells
        return cells

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._render_header(width, base)
        row = self.scroll_offset.y + y - 1
        if row >= len(self._view) or row < 0:
            return Strip.blank(width, base)
        return self._render_row(row, width, base)

    def _render_header(self, width: int, base: Style) -> Strip:
        style = base + self.get_component_rich_style("resource-table--header")
        parts = [" "]
        for column, cell_width in self.columns_for_width(width):
            label = _LABELS[column]
            if column == self._sort_column:
                label = f"{label} {_SORT_ARROWS[self._sort_reverse]}"
            parts.append(_fit(label, cell_width, column in _RIGHT_ALIGNED))
        text = " ".join(parts)
        return Strip([Segment(text, style)]).adjust_cell_length(width, style)

    def _render_row(self, row: int, width: int, base: Style) -> Strip:
        resource = self._resources[self._view[row]]
        cells = self._cell_texts(resource)
        marked = resource.key in self._marks
        style = base
        if marked:
            style = style + self.get_component_rich_style("resource-table--marked")
        if row == self._cursor:
            style = style + self.get_component_rich_style("resource-table--cursor")
        segments: list[Segment] = []
        parts = [_MARK if marked else " "]
        for column, cell_width in self.columns_for_width(width):
            text = cells[_CELL_INDEX[column]]
            if column == "cost" and resource.monthly_cost is None:
                # Flush what we have, then the dim "?" in its own segment.
                parts.append("")
                segments.append(Segment(" ".join(parts), style))
                parts = []
                dim = style + self.get_component_rich_style("resource-table--dim", partial=True)
                segments.append(Segment(_fit(text, cell_width, True), dim))
                parts.append("")
                continue
            parts.append(_fit(text, cell_width, column in _RIGHT_ALIGNED))
        segments.append(Segment(" ".join(parts), style))
        return Strip(segments).adjust_cell_length(width, style)

    # --- mouse --------------------------------------------------------------------------

    def column_at(self, x: int) -> str | None:
        """The column under content x offset ``x`` (``None`` for the mark column or a gap)."""
        left = 2
        for column, cell_width in self.columns_for_width(self.scrollable_content_region.width):
            if left <= x < left + cell_width + 1:
                return column
            left += cell_width + 1
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
        if 0 <= row < len(self._view):
            was_cursor = row == self._cursor
            self.move_cursor(row)
            if was_cursor and event.chain >= 2:
                self.action_select()
