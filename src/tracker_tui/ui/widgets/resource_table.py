"""A virtual table of resources that stays fast at 100,000 rows.

The stock ``DataTable`` builds a renderable per cell and re-lays out every row when the
view changes (about 5 s for a 40k-row filtered view here).  This widget keeps plain lists:

* ``_resources`` / ``_blobs``: every row in ingest order, plus its lowercased search text
  (``filtering.search_text``), built once at ingest;
* ``_columns``: per sortable column, one sort key per row (``_ColumnKeys``), built with
  C-level ``map`` calls the first time the column is sorted (name, id and age -- as epoch
  seconds -- at ingest) and extended with every batch; low-cardinality columns (kind, region, state,
  account) also keep their rows bucketed by value, so sorting them is a concatenation;
* ``_order``: every row index in the current sort order (ingest order when unsorted),
  kept sorted as batches arrive by appending and re-sorting -- Timsort merges the two runs
  in close to linear time.  ``None`` when a sort was applied to a filtered view only; it is
  computed again when a wider filter needs it;
* ``_order_cache``: the full orders of earlier sorts, until the data changes, so sorting
  by a column again or reversing it needs no comparison sort;
* ``_view``: the rows that pass the filter, in display order.  Filtering walks ``_order``
  so the result is already sorted: a filter keystroke never sorts.

Ties sort in arrival order in both directions, and unknown values (no cost, no created
date) sort last in both directions.

``render_line`` formats only the lines on screen, from a per-resource cache of cell
strings, so painting is O(width) per line whatever the row count.

Column layout: mark, [account], kind, name, id, region, state, cost, age, tags.  The account
column only appears once rows from more than one account are present.  When the width is
short, tags give way first, then age, then id, then account; name takes what is left.
Unknown cost (``None``) shows as a dim ``?``: "we do not know", which a blank or ``$0.00``
would misstate.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from datetime import datetime, timezone
from itertools import chain, compress
from operator import attrgetter, neg
from time import monotonic
from typing import Callable, ClassVar, Iterable, Iterator, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from tracker_tui.filtering import Filter, Term, format_cost, search_text, search_texts
from tracker_tui.model import Resource, parse_iso

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
#: How many recent filters' views ``set_filter`` keeps to narrow from.
_RECENT_VIEWS = 16
#: Once the rows have been still this long (seconds: a scan is over, or paused), the
#: ascending orders of the comparison-sorted columns are computed ahead, a little at a time,
#: so the first sort by any of them is a cache hit (``_precompute_steps``).
_PRECOMPUTE_DELAY = 0.5
#: Below this many rows a first sort is quick anyway, so nothing is computed ahead.
_PRECOMPUTE_MIN_ROWS = 20_000
#: Rows per step of that work: sorting or merging this many takes ~1-2 ms at most.
_PRECOMPUTE_CHUNK = 8192
#: Work done per turn of the event loop before it is given back (seconds), and the pause
#: between turns, so keys and repaints are never held up by more than a step or two.
_PRECOMPUTE_BUDGET = 0.004
_PRECOMPUTE_PAUSE = 0.004
#: The columns whose first sort is a full comparison sort, most likely to be asked first.
#: (Kind, region, state and account sort by bucket concatenation: cheap without help.)
_PRECOMPUTE_COLUMNS = ("name", "id", "tags", "cost", "age")
#: More changed rows than this are re-sorted from scratch rather than moved one by one.
_RESORT_ONE_BY_ONE = 64
_INF = float("inf")
_NEG_INF = float("-inf")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def format_age(created: str | None, now: datetime) -> str:
    """A compact age: ``45s``, ``12m``, ``3h``, ``5d``, ``2y``; ``""`` when unknown."""
    when = parse_iso(created)
    if when is None:
        return ""
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


def _age_key(created: str | None) -> float | None:
    """Sort key for the age column: minus epoch seconds (youngest first); None if unknown."""
    if not created:
        return None
    try:
        when = datetime.fromisoformat(created)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return -when.timestamp()


def _tags_size(tags: dict[str, str]) -> int:
    """Length of ``k=v,k2=v2`` plus one: how the tags column is measured."""
    return sum(map(len, tags)) + sum(map(len, tags.values())) + 2 * len(tags)


def _age_keys(created: list[str | None]) -> list[float | None]:
    """``_age_key`` of each value; in bulk (C-level parsing) when every date is zoned ISO."""
    known = [value for value in created if value]
    try:
        parsed = list(map(datetime.fromisoformat, known))
    except ValueError:
        return list(map(_age_key, created))
    if None in map(attrgetter("tzinfo"), parsed):
        return list(map(_age_key, created))  # naive: read as UTC, not local time
    keys = list(map(neg, map(datetime.timestamp, parsed)))
    if len(keys) == len(created):
        return keys
    it = iter(keys)
    return [next(it) if value else None for value in created]


def _tags_key(resource: Resource) -> str:
    tags = resource.tags
    if not tags:
        return ""
    if tags.get("Name") == resource.name:
        return format_tags(resource).lower()
    return ",".join(map("=".join, tags.items())).lower()


def _lowered(values: list[str]) -> list[str]:
    """``str.lower`` of each value, one shared string per distinct value."""
    lower = {value: value.lower() for value in set(values)}
    return list(map(lower.__getitem__, values))


_ATTR = {"account": "account_id", "kind": "kind", "name": "name", "id": "id", "region": "region", "state": "state"}
#: Columns with few distinct values: their rows are kept bucketed by value once sorted by.
#: (Cost is not one: a float sort beats building buckets in Python.)
_BUCKETED = frozenset({"account", "kind", "region", "state"})
#: Columns whose keys are built at ingest whatever the sort: dates (parsing them is slow)
#: and the high-cardinality text columns, whose first sort is a full comparison sort.
_EAGER = ("name", "id", "age")


def _column_keys(column: str, resources: Sequence[Resource]) -> list[object]:
    """One sort key per resource: lowercased text, a float, or None when unknown."""
    if column in ("kind", "region", "state", "account"):
        return _lowered(list(map(attrgetter(_ATTR[column]), resources)))
    if column in ("name", "id"):
        values = list(map(attrgetter(column), resources))
        joined = "\0".join(values)
        if joined.lower() == joined:
            return values  # already lowercase (the usual case): share the strings
        return list(map(str.lower, values))
    if column == "cost":
        return list(map(attrgetter("monthly_cost"), resources))
    if column == "age":
        return _age_keys(list(map(attrgetter("created"), resources)))
    return list(map(_tags_key, resources))


class _ColumnKeys:
    """The sort keys of one column for every row, parallel to ``ResourceTable._resources``.

    ``keys`` holds ``None`` for an unknown value (cost, age).  Sorting needs keys that put
    unknowns last whatever the direction, so ``sort_key(reverse)`` gives a key function
    over a copy with ``None`` replaced by +inf (ascending) or -inf (descending, which sorts
    with ``reverse=True``); text columns have no unknowns and use ``keys`` directly.
    """

    __slots__ = ("column", "keys", "_filled", "_buckets")

    def __init__(
        self, column: str, resources: Sequence[Resource], keys: list[object] | None = None
    ) -> None:
        self.column = column
        self.keys: list[object] = _column_keys(column, resources) if keys is None else keys
        self._filled: dict[bool, list[object]] = {}
        self._buckets: dict[object, list[int]] | None = None

    def extend(self, resources: Sequence[Resource]) -> None:
        """Keys for rows appended to the table."""
        keys = self.keys
        start = len(keys)
        new = _column_keys(self.column, resources)
        keys.extend(new)
        for reverse, filled in self._filled.items():
            filled.extend(self._fill(new, reverse))
        buckets = self._buckets
        if buckets is not None:
            for index, key in enumerate(new, start):
                bucket = buckets.get(key)
                if bucket is None:
                    buckets[key] = [index]
                else:
                    bucket.append(index)

    def set(self, index: int, resource: Resource) -> None:
        """The key of a replaced row (ignored for a row not keyed yet)."""
        if index >= len(self.keys):
            return
        key = _column_keys(self.column, [resource])[0]
        self.keys[index] = key
        for reverse, filled in self._filled.items():
            filled[index] = self._fill([key], reverse)[0]
        self._buckets = None

    def keep(self, rows: list[int]) -> None:
        """Only these rows remain, renumbered in this order."""
        keys = self.keys
        self.keys = [keys[i] for i in rows]
        self._filled = {}
        self._buckets = None

    @staticmethod
    def _fill(keys: list[object], reverse: bool) -> list[object]:
        unknown = _NEG_INF if reverse else _INF
        return [unknown if key is None else key for key in keys]

    def sort_key(self, reverse: bool) -> Callable[[int], object]:
        """Key function over row indices, for ``list.sort(key=..., reverse=reverse)``."""
        if self.column not in ("cost", "age"):
            return self.keys.__getitem__
        filled = self._filled.get(reverse)
        if filled is None:
            filled = self._filled[reverse] = self._fill(self.keys, reverse)
        return filled.__getitem__

    def order(self, reverse: bool) -> list[int]:
        """Every row index, sorted; ties in arrival order, unknowns last."""
        if self.column not in _BUCKETED:
            return sorted(range(len(self.keys)), key=self.sort_key(reverse), reverse=reverse)
        buckets = self._buckets
        if buckets is None:
            buckets = self._buckets = {}
            for index, key in enumerate(self.keys):
                bucket = buckets.get(key)
                if bucket is None:
                    buckets[key] = [index]
                else:
                    bucket.append(index)
        known = sorted([key for key in buckets if key is not None], reverse=reverse)
        runs = [buckets[key] for key in known]
        if None in buckets:
            runs.append(buckets[None])
        return list(chain.from_iterable(runs))

    @property
    def cheap_order(self) -> bool:
        """True when ``order`` is a concatenation rather than a comparison sort."""
        return self.column in _BUCKETED


def _sorted_position(
    order: list[int], row: int, key: Callable[[int], object], reverse: bool
) -> int:
    """Where ``row`` goes in ``order`` (sorted by key, descending if ``reverse``, ties by
    row index ascending) to keep it so."""
    row_key = key(row)
    lo, hi = 0, len(order)
    while lo < hi:
        mid = (lo + hi) // 2
        other = order[mid]
        other_key = key(other)
        if other_key == row_key:
            after = other > row
        elif reverse:
            after = other_key < row_key  # type: ignore[operator]
        else:
            after = other_key > row_key  # type: ignore[operator]
        if after:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _sorted_steps(
    rows: list[int], key: Callable[[int], object], chunk: int, out: list[int]
) -> Iterator[None]:
    """Sort ``rows`` (ascending row indices) by ``key`` into ``out``, stably, in steps.

    Yields after each step: sorting a chunk of ``chunk`` rows, or merging about ``2 *
    chunk`` rows of two sorted runs.  The result equals ``sorted(rows, key=key)``.
    """
    runs = []
    for start in range(0, len(rows), chunk):
        runs.append(sorted(rows[start : start + chunk], key=key))
        yield
    while len(runs) > 1:
        merged = []
        for i in range(0, len(runs) - 1, 2):
            run: list[int] = []
            yield from _merge_steps(runs[i], runs[i + 1], key, chunk, run)
            merged.append(run)
        if len(runs) % 2:
            merged.append(runs[-1])
        runs = merged
    if runs:
        out.extend(runs[0])


def _merge_steps(
    left: list[int], right: list[int], key: Callable[[int], object], chunk: int, out: list[int]
) -> Iterator[None]:
    """Merge two sorted runs into ``out``, ``left`` first among equal keys, in steps.

    Each step takes, for a pivot ``p`` no larger than the key ``chunk`` places ahead in
    either run, every ``left`` row with key <= ``p`` and every ``right`` row with key < ``p``:
    all of them sort before whatever is left (and ``left`` wins ties), so sorting just that
    piece (two runs: a linear merge) and appending it keeps the whole stable.
    """
    i = j = 0
    n_left, n_right = len(left), len(right)
    while i < n_left and j < n_right:
        pivot = min(key(left[min(i + chunk, n_left) - 1]), key(right[min(j + chunk, n_right) - 1]))  # type: ignore[type-var]
        li = bisect_right(left, pivot, i, n_left, key=key)
        rj = bisect_left(right, pivot, j, n_right, key=key)
        if li == i and rj == j:
            # ``right`` holds a long run of keys equal to the pivot, all below left[i].
            rj = bisect_right(right, pivot, j, n_right, key=key)
        piece = left[i:li] + right[j:rj]
        piece.sort(key=key)
        out.extend(piece)
        i, j = li, rj
        yield
    out.extend(left[i:])
    out.extend(right[j:])


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
        self._base_style: Style | None = None
        self._precompute_timer: Timer | None = None
        self._precompute_job: Iterator[None] | None = None
        self._last_change = 0.0
        self._reset_data()

    def _reset_data(self) -> None:
        self._resources: list[Resource] = []
        self._blobs: list[str] = []
        self._position: dict[Key, int] = {}
        self._order: list[int] | None = []
        self._view: list[int] = self._order
        self._columns: dict[str, _ColumnKeys] = {c: _ColumnKeys(c, ()) for c in _EAGER}
        self._order_cache: dict[tuple[str, bool], list[int]] = {}
        self._recent_views: dict[tuple[Term, ...], list[int]] = {}
        self._cells: dict[Key, tuple[str, ...]] = {}
        self._content_widths = {column: len(_LABELS[column]) + 2 for column in COLUMNS}
        self._max_cost = 0.0
        self._accounts: dict[str, int] = {}
        self._columns_cache: tuple[tuple[object, ...], list[tuple[str, int]]] | None = None
        self._precompute_job = None

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
        batch = list(batch)
        start = len(resources)
        keys = list(
            zip(
                map(attrgetter("account_id"), batch),
                map(attrgetter("region"), batch),
                map(attrgetter("kind"), batch),
                map(attrgetter("id"), batch),
            )
        )
        replaced: list[int] = []
        if position.keys().isdisjoint(keys) and len(set(keys)) == len(keys):
            # The usual case, all new rows: bulk work at C speed.
            resources.extend(batch)
            position.update(zip(keys, range(start, start + len(batch))))
        else:
            for resource, key in zip(batch, keys):
                existing = position.get(key)
                if existing is not None:
                    self._replace_at(existing, resource)
                    replaced.append(existing)
                    continue
                position[key] = len(resources)
                resources.append(resource)
        fresh = resources[start:]  # replaced-within-the-batch rows hold their final value
        blobs.extend(search_texts(fresh))
        accounts = self._accounts
        for account, count in Counter(map(attrgetter("account_id"), fresh)).items():
            accounts[account] = accounts.get(account, 0) + count
        self._measure(fresh)
        self._columns_cache = None
        for column in self._columns.values():
            column.extend(fresh)
        self._rows_changed()
        new_indices = range(start, len(resources))
        sorted_by = self._sort_column
        reverse = self._sort_reverse
        order = self._order
        if order is not None:
            order.extend(new_indices)
        if replaced:
            # A replaced row may now sort or filter differently: redo both (rare: rescans).
            self._resort(replaced, start)
            self._rebuild_view()
            return
        if order is not None and sorted_by is not None:
            order.sort(key=self._column(sorted_by).sort_key(reverse), reverse=reverse)
        if self._filter.is_empty or self._view is order:
            self._rebuild_view()  # O(1) when unfiltered: the view is the order itself
            return
        passing = self._filter.select(resources, blobs, new_indices)
        if passing:
            view = self._view
            view.extend(passing)
            if sorted_by is not None:
                view.sort(key=self._column(sorted_by).sort_key(reverse), reverse=reverse)

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
        column = None if self._sort_column is None else self._column(self._sort_column)
        old_sort_key = None if column is None else column.keys[index]
        old_pass = self._filter.matches(self._resources[index], self._blobs[index])
        self._replace_at(index, resource)
        self._columns_cache = None
        new_sort_key = None if column is None else column.keys[index]
        if old_sort_key != new_sort_key or old_pass != self._filter.matches(resource, self._blobs[index]):
            self._resort([index], len(self._resources))
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
        for column in self._columns.values():
            column.keep(keep)
        self._rows_changed()
        if self._order is not None:
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
        if index < len(self._blobs):  # else: added earlier in this batch, blob still to come
            self._blobs[index] = search_text(resource)
        self._cells.pop(resource.key, None)
        if old.account_id != resource.account_id:  # cannot happen (part of key); be safe
            self._accounts[old.account_id] -= 1
            self._accounts[resource.account_id] = self._accounts.get(resource.account_id, 0) + 1
        for column in self._columns.values():
            column.set(index, resource)
        self._rows_changed()
        self._measure([resource])

    def _rows_changed(self) -> None:
        """Rows were added, replaced or removed: drop what depended on them, and compute
        the sort orders ahead again once the rows are still (see ``_PRECOMPUTE_DELAY``)."""
        self._order_cache.clear()
        self._recent_views.clear()
        self._precompute_job = None
        self._last_change = monotonic()
        self._schedule_precompute(_PRECOMPUTE_DELAY)

    # --- sort orders computed ahead, while idle -----------------------------------------

    def _schedule_precompute(self, delay: float) -> None:
        if (
            self._precompute_timer is None
            and self.is_mounted
            and len(self._resources) >= _PRECOMPUTE_MIN_ROWS
        ):
            self._precompute_timer = self.set_timer(delay, self._precompute_tick, name="precompute")

    def on_mount(self) -> None:
        self._schedule_precompute(_PRECOMPUTE_DELAY)

    def _precompute_tick(self) -> None:
        """Run the ahead-of-time sorting for one time budget, then give the loop back."""
        self._precompute_timer = None
        if len(self._resources) < _PRECOMPUTE_MIN_ROWS:
            return
        wait = self._last_change + _PRECOMPUTE_DELAY - monotonic()
        if wait > 0:  # rows changed since this was scheduled: wait for them to settle
            self._schedule_precompute(wait)
            return
        if self._precompute_job is None:
            self._precompute_job = self._precompute_steps()
        if self._run_precompute(monotonic() + _PRECOMPUTE_BUDGET):
            self._schedule_precompute(_PRECOMPUTE_PAUSE)

    def _run_precompute(self, deadline: float = _INF) -> bool:
        """Run the pending ahead-of-time sorting until ``deadline``; True if some is left."""
        job = self._precompute_job
        if job is None:
            return False
        for _ in job:
            if self._precompute_job is not job:
                return False  # the rows changed under it (cannot happen between steps)
            if monotonic() >= deadline:
                return True
        self._precompute_job = None
        return False

    def _has_order(self, column: str, reverse: bool) -> bool:
        if (column, reverse) in self._order_cache:
            return True
        return self._order is not None and self._sort_column == column and self._sort_reverse == reverse

    def _precompute_steps(self) -> Iterator[None]:
        """Put the ascending order of each ``_PRECOMPUTE_COLUMNS`` column in
        ``_order_cache``, in steps of ~1-2 ms (key building, chunk sorts, chunked merges).

        The job is dropped as soon as a row changes (``_rows_changed``), so what it caches
        always matches the rows; a sort asked for before it is done takes the usual path.
        """
        resources = self._resources
        n = len(resources)
        chunk = max(1, _PRECOMPUTE_CHUNK)
        rows = list(range(n))  # one set of int objects shared by every order
        yield
        for column in _PRECOMPUTE_COLUMNS:
            if self._has_order(column, False):
                continue
            keys = self._columns.get(column)
            if keys is None:
                built: list[object] = []
                for start in range(0, n, chunk):
                    built.extend(_column_keys(column, resources[start : start + chunk]))
                    yield
                keys = self._columns.setdefault(column, _ColumnKeys(column, (), keys=built))
            key = keys.sort_key(False)
            yield
            order: list[int] = []
            yield from _sorted_steps(rows, key, chunk, order)
            if not self._has_order(column, False):
                self._order_cache[(column, False)] = order
            yield

    def _measure(self, batch: Sequence[Resource]) -> None:
        """Grow column content widths to fit a batch (cheap: lengths only, at C speed)."""
        if not batch:
            return
        widths = self._content_widths
        for column in ("kind", "name", "id", "region", "state", "account"):
            longest = max(map(len, map(attrgetter(_ATTR[column]), batch)))
            if longest > widths[column]:
                widths[column] = longest
        costs = [cost for cost in map(attrgetter("monthly_cost"), batch) if cost is not None]
        if costs:
            cost = max(costs)
            if cost > self._max_cost:
                self._max_cost = cost
                widths["cost"] = max(widths["cost"], len(format_cost(cost)))
        tagged = [tags for tags in map(attrgetter("tags"), batch) if tags]
        if tagged:
            size = max(map(_tags_size, tagged))
            if size > widths["tags"]:
                widths["tags"] = size

    # --- sorting ------------------------------------------------------------------------

    def _column(self, column: str) -> _ColumnKeys:
        """The sort keys of a column, built on first use and kept up to date after."""
        keys = self._columns.get(column)
        if keys is None:
            keys = self._columns[column] = _ColumnKeys(column, self._resources)
        return keys

    def _full_order(self, column: str | None, reverse: bool) -> list[int]:
        """Every row index in this sort order: from the cache, by reversing a cached order,
        or by a bucket concatenation or comparison sort.  The list is the caller's."""
        if column is None:
            return list(range(len(self._resources)))
        cache = self._order_cache
        order = cache.pop((column, reverse), None)
        if order is not None:
            return order
        keys = self._column(column)
        opposite = cache.get((column, not reverse))
        if opposite is not None and not keys.cheap_order:
            # A reversed run for Timsort: close to linear, and stable, so ties keep arrival
            # order and unknowns (keyed to the far end for this direction) stay last.
            return sorted(opposite, key=keys.sort_key(reverse), reverse=reverse)
        return keys.order(reverse)

    def _can_order_cheaply(self, column: str | None, reverse: bool) -> bool:
        if column is None or (column, reverse) in self._order_cache:
            return True
        keys = self._columns.get(column)
        if keys is not None and keys.cheap_order:
            return True
        return (column, not reverse) in self._order_cache

    def _resort(self, changed: Sequence[int], start: int) -> None:
        """Put rows whose sort key changed (``changed``) and rows appended at ``start`` and
        after back in sorted place, ties in arrival order.

        Re-sorting the whole order would keep a changed row's *old* place among equal
        keys, so the changed rows are taken out and put back one by one (a binary search
        on key, then row index); a bulk change is sorted from scratch.  New rows have the
        highest indices: a stable sort of the order with them appended places them right.
        """
        column = self._sort_column
        order = self._order
        if order is None or column is None:
            return
        reverse = self._sort_reverse
        key = self._column(column).sort_key(reverse)
        moved = {i for i in changed if i < start}
        if len(moved) > _RESORT_ONE_BY_ONE:
            self._order = sorted(range(len(self._resources)), key=key, reverse=reverse)
            return
        if moved:
            rest = [i for i in order if i not in moved and i < start]
            for row in sorted(moved):
                rest.insert(_sorted_position(rest, row, key, reverse), row)
        else:
            rest = [i for i in order if i < start]
        if start < len(self._resources):
            rest.extend(range(start, len(self._resources)))
            rest.sort(key=key, reverse=reverse)
        self._order = rest

    def _ensure_order(self) -> list[int]:
        if self._order is None:
            self._order = self._full_order(self._sort_column, self._sort_reverse)
        return self._order

    def sort_by(self, column: str | None, reverse: bool | None = None) -> None:
        """Sort rows by a column.

        Ties keep arrival order and unknown values (cost, age) sort last, both ways.  A
        column sorted before (and not changed since) re-sorts, either way, without a
        comparison sort; with a filter on, only the visible rows are sorted.

        Args:
            column: One of ``COLUMNS``, or ``None`` for arrival order.
            reverse: Descending if True.  ``None`` toggles the direction when the column is
                already the sort column, and sorts ascending otherwise.
        """
        if column is not None and column not in COLUMNS:
            raise ValueError(f"unknown column {column!r}")
        if reverse is None:
            reverse = not self._sort_reverse if column == self._sort_column else False
        reverse = bool(reverse) if column is not None else False
        anchor = self._remember_cursor()
        if self._order is not None and self._sort_column is not None:
            # Kept until the data changes: sorting this way again is then free.
            self._order_cache[(self._sort_column, self._sort_reverse)] = self._order
        self._sort_column = column
        self._sort_reverse = reverse
        self._recent_views.clear()  # their rows are in the old order
        if self._filter.is_empty:
            self._order = self._full_order(column, reverse)
            self._view = self._order
        elif self._can_order_cheaply(column, reverse):
            self._order = self._full_order(column, reverse)
            self._view = self._in_order(self._view, self._order)
        else:
            # Sort just the visible rows (in arrival order first, so ties keep it); the full
            # order is built later if a wider filter needs it.
            view = sorted(self._view)
            if column is not None:
                view.sort(key=self._column(column).sort_key(reverse), reverse=reverse)
            self._order = None
            self._view = view
        self._columns_cache = None
        self._data_changed(anchor)

    def _in_order(self, rows: list[int], order: list[int]) -> list[int]:
        """``rows`` (a subset of ``order``) rearranged in ``order``'s order, in O(n)."""
        mask = bytearray(len(self._resources))
        for i in rows:
            mask[i] = 1
        return list(compress(order, map(mask.__getitem__, order)))

    # --- filtering ----------------------------------------------------------------------

    def set_filter(self, filter: Filter) -> None:
        """Show only the rows that pass ``filter``; the cursor stays on its resource if it can.

        When the new filter can only match a subset of what a recent filter matched (one
        more character typed, or a new term after a finished one), only that filter's rows
        are tested, against just the terms it did not have.  Recent views are kept until
        the data or the sort changes.
        """
        anchor = self._remember_cursor()
        previous, self._filter = self._filter, filter
        recent = self._recent_views
        if not previous.is_empty:
            recent[previous.terms] = self._view
            if len(recent) > _RECENT_VIEWS:
                del recent[next(iter(recent))]
        base_terms: tuple[Term, ...] | None = None
        if not filter.is_empty:
            for terms, view in recent.items():
                if (base_terms is None or len(view) < len(recent[base_terms])) and filter.refines(
                    Filter(terms=terms)
                ):
                    base_terms = terms
        if base_terms is None:
            self._rebuild_view()
        else:
            # Only rows that passed the earlier filter can pass now, and narrowing them
            # keeps their (sorted) order.
            extra = Filter(terms=[term for term in filter.terms if term not in base_terms])
            view = recent[base_terms]
            self._view = extra.select(self._resources, self._blobs, view) if extra.terms else list(view)
        self._data_changed(anchor)

    def _rebuild_view(self) -> None:
        order = self._ensure_order()
        if self._filter.is_empty:
            self._view = order
        else:
            self._view = self._filter.select(self._resources, self._blobs, order)

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

    @property
    def hidden_sort(self) -> str:
        """``"sorted by id ▲"`` when the sort column gave way at this width (no arrow shows), else ``""``."""
        column = self._sort_column
        if column is None:
            return ""
        shown = {c for c, _ in self.columns_for_width(self.scrollable_content_region.width)}
        if column in shown:
            return ""
        return f"sorted by {column} {_SORT_ARROWS[self._sort_reverse]}"

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
        layout = self.columns_for_width(width)
        for column, cell_width in layout:
            text = cells[_CELL_INDEX[column]]
            if column == "name" and not text and not any(c == "id" for c, _ in layout):
                text = resource.id  # unnamed, and the ID column gave way: the id is all there is
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
