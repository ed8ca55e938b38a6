"""The data engine of the resource table: rows, sort orders, filter, marks; no terminal.

``ResourceTable`` (the widget) only renders lines; everything it shows comes from a
``RowStore``, which plain tests and scripts can drive directly.  It keeps plain lists, so
it stays fast at 100,000 rows:

* ``_resources`` / ``_blobs``: every row in ingest order, plus its lowercased search text
  (``filtering.search_text``), built once at ingest;
* ``_sorts`` (``sortorder.SortOrders``): per sortable column, one sort key per row, built
  with C-level ``map`` calls the first time the column is sorted (name, id and age -- as
  epoch seconds -- at ingest) and extended with every batch; low-cardinality columns (kind,
  region, state, account) also keep their rows bucketed by value, so sorting them is a
  concatenation.  Its ``order`` is every row index in the current sort order (ingest order
  when unsorted), kept sorted as batches arrive; ``None`` when a sort was applied to a
  filtered view only, computed again when a wider filter needs it.  It keeps the full
  orders of earlier sorts (and those ``precompute_steps`` computed ahead) until the data
  changes, so sorting by a column again or reversing it needs no comparison sort;
* ``_view``: the rows that pass the filter, in display order.  Filtering walks the order
  so the result is already sorted: a filter keystroke never sorts.

Ties sort in arrival order in both directions, and unknown values (no cost, no created
date) sort last in both directions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from itertools import filterfalse
from operator import attrgetter, neg
from typing import Any

from rich.cells import cell_len

from tracker_tui.filtering import Filter, Term, search_text, search_texts
from tracker_tui.model import UNKNOWN_COST, Resource, format_cost, parse_iso
from tracker_tui.offhours import scheduled_by
from tracker_tui.sortorder import SortOrders
from tracker_tui.untrusted import visible

__all__ = ["COLUMNS", "UNKNOWN_COST", "Key", "RowStore", "column_texts", "format_age", "format_tags"]

#: ``Resource.key``: account, region, kind, id.
Key = tuple[str, str, str, str]

#: Sortable columns, in display order; also the order of the texts ``column_texts`` gives.
COLUMNS: tuple[str, ...] = ("account", "kind", "name", "id", "region", "state", "cost", "age", "tags")

_TEXT_CACHE_LIMIT = 20_000
#: How many recent filters' views ``set_filter`` keeps to narrow from.
_RECENT_VIEWS = 16
#: Rows per step of ``precompute_steps``: sorting or merging this many takes ~1-2 ms at most.
_PRECOMPUTE_CHUNK = 8192
#: The columns whose first sort is a full comparison sort, most likely to be asked first.
#: (Kind, region, state and account sort by bucket concatenation: cheap without help.)
_PRECOMPUTE_COLUMNS = ("name", "id", "tags", "cost", "age")

_ATTR = {"account": "account_id", "kind": "kind", "name": "name", "id": "id", "region": "region", "state": "state"}
#: Columns with few distinct values: their rows are kept bucketed by value once sorted by.
#: (Cost is not one: a float sort beats building buckets in Python.)
_BUCKETED = frozenset({"account", "kind", "region", "state"})
#: Columns whose keys are built at ingest whatever the sort: dates (parsing them is slow)
#: and the high-cardinality text columns, whose first sort is a full comparison sort.
_EAGER = ("name", "id", "age")
_WITH_UNKNOWNS = frozenset({"cost", "age"})


# --- column texts ---------------------------------------------------------------------------


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
        f"{key}={value}" for key, value in resource.tags.items() if not (key == "Name" and value == resource.name)
    )


#: After the cost of a row with findings (the Savings panel and the details say what).
SAVINGS_MARK = "*"
#: Before the state of a row an off-hours schedule stops and starts (``z``; the details say which):
#: first, so a narrow state column cuts the state, never the mark.
SCHEDULE_MARK = "z "


def column_texts(resource: Resource, now: datetime) -> tuple[str, ...]:
    """The text of each of ``COLUMNS`` for a row as shown, unpadded (unknown cost: ``UNKNOWN_COST``)."""
    cost = resource.monthly_cost
    # Data shown as drawn: control characters in a visible form (``untrusted.visible``), so
    # no name or tag can move the cursor, write the clipboard or shift a row.
    return (
        visible(resource.account_id),
        visible(resource.kind),
        visible(resource.name),
        visible(resource.id),
        visible(resource.region),
        (SCHEDULE_MARK if resource.tags and scheduled_by(resource.tags) else "") + visible(resource.state),
        format_cost(cost) + (SAVINGS_MARK if resource.findings else ""),
        format_age(resource.created, now),
        visible(format_tags(resource)),
    )


# --- sort keys ----------------------------------------------------------------------------


def _age_key(created: str | None) -> float | None:
    """Sort key for the age column: minus epoch seconds (youngest first); None if unknown."""
    if not created:
        return None
    try:
        when = datetime.fromisoformat(created)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return -when.timestamp()


def _age_keys(created: list[str | None]) -> list[float | None]:
    """``_age_key`` of each value; in bulk (C-level parsing) when every date is zoned ISO."""
    known = [value for value in created if value]
    try:
        parsed = list(map(datetime.fromisoformat, known))
    except ValueError:
        return list(map(_age_key, created))
    if None in map(attrgetter("tzinfo"), parsed):
        return list(map(_age_key, created))  # naive: read as UTC, not local time
    keys: list[float | None] = list(map(neg, map(datetime.timestamp, parsed)))
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


def _tags_size(tags: dict[str, str]) -> int:
    """Length of ``k=v,k2=v2`` plus one: how the tags column is measured."""
    return sum(map(len, tags)) + sum(map(len, tags.values())) + 2 * len(tags)


def _lowered(values: list[str]) -> list[str]:
    """``str.lower`` of each value, one shared string per distinct value."""
    lower = {value: value.lower() for value in set(values)}
    return list(map(lower.__getitem__, values))


def _column_keys(column: str, resources: Sequence[Resource]) -> list[Any]:
    """One sort key per resource: lowercased text, a float, or None when unknown."""
    if column in _BUCKETED:
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


# --- the store ----------------------------------------------------------------------------


class RowStore:
    """Every resource the table holds, the order and filter they are shown in, and marks.

    Rows are numbered in arrival order; ``view`` lists the numbers of the rows that pass the
    filter, in display order.  A resource whose ``key`` is already present replaces that row
    in place.  The filter and sort survive ``clear``.
    """

    def __init__(self) -> None:
        self._filter = Filter()
        self._sorts: SortOrders[Resource] = SortOrders(
            _column_keys, bucketed=_BUCKETED, unknowns=_WITH_UNKNOWNS, eager=_EAGER
        )
        self._marks: set[Key] = set()
        #: Marks waiting for their rows after a rescan's ``clear(keep_marks=True)``.
        self._kept_marks: set[Key] = set()
        self._generation = 0
        self._reset()

    def _reset(self) -> None:
        self._resources: list[Resource] = []
        self._blobs: list[str] = []
        self._position: dict[Key, int] = {}
        self._sorts.clear()
        self._view: list[int] = self._sorts.ensure_order(self._resources)
        self._recent_views: dict[tuple[Term, ...], list[int]] = {}
        self._texts: dict[Key, tuple[str, ...]] = {}
        self._content_widths = dict.fromkeys(COLUMNS, 0)
        self._max_cost = 0.0
        self._accounts: dict[str, int] = {}

    # --- reading ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._resources)

    @property
    def rows(self) -> Sequence[Resource]:
        """Every resource, in arrival order (the store's own list: do not change it)."""
        return self._resources

    @property
    def view(self) -> Sequence[int]:
        """Indexes into ``rows`` of the rows that pass the filter, in display order (live)."""
        return self._view

    @property
    def filter(self) -> Filter:
        """The filter in force."""
        return self._filter

    @property
    def sort_column(self) -> str | None:
        """The column rows are sorted by, or ``None`` for arrival order."""
        return self._sorts.column

    @property
    def sort_reverse(self) -> bool:
        """True when sorted descending."""
        return self._sorts.reverse

    @property
    def generation(self) -> int:
        """A number that changes whenever rows are added, replaced or removed."""
        return self._generation

    @property
    def content_widths(self) -> Mapping[str, int]:
        """The longest text seen in each of ``COLUMNS`` so far (it never shrinks)."""
        return self._content_widths

    @property
    def account_count(self) -> int:
        """How many accounts the rows come from."""
        return sum(1 for count in self._accounts.values() if count > 0)

    def view_row(self, key: Key) -> int | None:
        """Where the resource with this key is in ``view``; ``None`` if absent or filtered out."""
        index = self._position.get(key)
        if index is None:
            return None
        try:
            return self._view.index(index)
        except ValueError:
            return None

    def column_texts(self, resource: Resource, now: Callable[[], datetime]) -> tuple[str, ...]:
        """``column_texts`` of a row in the store, cached until the row is replaced or removed.

        Args:
            resource: A row of ``rows``.
            now: Clock for the age column, read only when the texts are not cached.
        """
        texts = self._texts.get(resource.key)
        if texts is None:
            if len(self._texts) > _TEXT_CACHE_LIMIT:
                self._texts.clear()
            texts = self._texts[resource.key] = column_texts(resource, now())
        return texts

    # --- changing rows ------------------------------------------------------------------

    def add(self, batch: Iterable[Resource]) -> None:
        """Add resources; one whose key is already present replaces that row.

        Cost is O(batch) to index plus one merge of the sorted order (Timsort sees two
        runs), so calling it with every scan batch never stalls the screen.
        """
        resources, blobs, position = self._resources, self._blobs, self._position
        batch = list(batch)
        if not batch:
            return
        start = len(resources)
        keys = list(
            zip(
                map(attrgetter("account_id"), batch),
                map(attrgetter("region"), batch),
                map(attrgetter("kind"), batch),
                map(attrgetter("id"), batch),
                strict=True,
            )
        )
        if self._kept_marks:
            back = self._kept_marks.intersection(keys)
            if back:  # rows marked before a rescan, found again: marked again
                self._marks |= back
                self._kept_marks -= back
        replaced: list[int] = []
        if position.keys().isdisjoint(keys) and len(set(keys)) == len(keys):
            # The usual case, all new rows: bulk work at C speed.
            resources.extend(batch)
            position.update(zip(keys, range(start, start + len(batch)), strict=True))
        else:
            for resource, key in zip(batch, keys, strict=True):
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
        sorts = self._sorts
        sorts.extend(fresh)
        self._rows_changed()
        new_indices = range(start, len(resources))
        sorted_by = sorts.column
        reverse = sorts.reverse
        order = sorts.order
        if order is not None:
            order.extend(new_indices)
        if replaced:
            # A replaced row may now sort or filter differently: redo both (rare: rescans).
            sorts.resort(replaced, start, resources)
            self._rebuild_view()
            return
        if order is not None and sorted_by is not None:
            order.sort(key=sorts.sort_key(resources), reverse=reverse)
        if self._filter.is_empty or self._view is order:
            self._rebuild_view()  # O(1) when unfiltered: the view is the order itself
            return
        passing = self._filter.select(resources, blobs, new_indices)
        if passing:
            view = self._view
            view.extend(passing)
            if sorted_by is not None:
                view.sort(key=sorts.sort_key(resources), reverse=reverse)

    def replace(self, resource: Resource) -> None:
        """Put a fresh copy of a resource in place (by key), or add it if it is new.

        Cheap when the row keeps its place (same sort value, same filter verdict, the usual
        case for a state change); otherwise the order is re-sorted.  To replace many rows at
        once, pass them all to ``add``, which replaces by key with one re-sort.
        """
        index = self._position.get(resource.key)
        if index is None:
            self.add([resource])
            return
        sorted_by = self._sorts.column
        column = None if sorted_by is None else self._sorts.keys(sorted_by, self._resources)
        old_sort_key = None if column is None else column.keys[index]
        old_pass = self._filter.matches(self._resources[index], self._blobs[index])
        self._replace_at(index, resource)
        new_sort_key = None if column is None else column.keys[index]
        if old_sort_key != new_sort_key or old_pass != self._filter.matches(resource, self._blobs[index]):
            self._sorts.resort([index], len(self._resources), self._resources)
            self._rebuild_view()

    def remove(self, keys: Iterable[Key]) -> set[Key]:
        """Drop resources by ``Resource.key``; unknown keys are ignored.  Marks go with them.

        O(n) list work, no re-sort and no re-filter: surviving rows keep their places.

        Returns:
            The keys that were present (and are gone now).
        """
        position = self._position
        doomed = {key for key in keys if key in position}
        if not doomed:
            return doomed
        old_resources, old_blobs = self._resources, self._blobs
        doomed_rows = {position[key] for key in doomed}
        keep = [i for i in range(len(old_resources)) if i not in doomed_rows]
        remap = [-1] * len(old_resources)
        for new_index, old_index in enumerate(keep):
            remap[old_index] = new_index
        view_was_order = self._view is self._sorts.order
        self._resources = [old_resources[i] for i in keep]
        self._blobs = [old_blobs[i] for i in keep]
        self._position = {key: remap[i] for key, i in position.items() if remap[i] >= 0}
        self._sorts.keep(keep, remap)
        self._rows_changed()
        order = self._sorts.order
        if view_was_order and order is not None:
            self._view = order
        else:
            self._view = [remap[i] for i in self._view if remap[i] >= 0]
        for key in doomed:
            self._texts.pop(key, None)
            self._accounts[key[0]] -= 1
        self._marks -= doomed
        return doomed

    def clear(self, *, keep_marks: bool = False) -> None:
        """Remove every resource and mark (the filter and sort stay).

        ``keep_marks`` (a rescan): the marked keys wait, and a row added again with one of
        them is marked again; ``forget_kept_marks`` drops those whose rows did not come back.
        """
        self._kept_marks = self._kept_marks | self._marks if keep_marks else set()
        self._marks.clear()
        self._reset()
        self._generation += 1

    @property
    def kept_marks_count(self) -> int:
        """Marks still waiting for their rows after a rescan."""
        return len(self._kept_marks)

    def forget_kept_marks(self) -> int:
        """Drop the marks whose rows did not come back (the rescan is complete); how many."""
        gone = len(self._kept_marks)
        self._kept_marks = set()
        return gone

    def _replace_at(self, index: int, resource: Resource) -> None:
        old = self._resources[index]
        self._resources[index] = resource
        if index < len(self._blobs):  # else: added earlier in this batch, blob still to come
            self._blobs[index] = search_text(resource)
        self._texts.pop(resource.key, None)
        if old.account_id != resource.account_id:  # cannot happen (part of key); be safe
            self._accounts[old.account_id] -= 1
            self._accounts[resource.account_id] = self._accounts.get(resource.account_id, 0) + 1
        self._sorts.set(index, resource)
        self._rows_changed()
        self._measure([resource])

    def _rows_changed(self) -> None:
        """Drop what depended on the rows; ``precompute_steps`` in progress then stop."""
        self._recent_views.clear()
        self._generation += 1

    def _measure(self, batch: Sequence[Resource]) -> None:
        """Grow column content widths to fit a batch (cheap: lengths only, at C speed)."""
        if not batch:
            return
        widths = self._content_widths
        for column in ("kind", "name", "id", "region", "state", "account"):
            values = list(map(attrgetter(_ATTR[column]), batch))
            longest = max(map(len, values))
            # ASCII shows in as many cells as it has characters (a C0 control becomes one
            # control picture); other text is measured as drawn: wide characters take two.
            for value in filterfalse(str.isascii, values):
                longest = max(longest, cell_len(visible(value)))
            if longest > widths[column]:
                widths[column] = longest
        costs = [cost for cost in map(attrgetter("monthly_cost"), batch) if cost is not None]
        if costs:
            cost = max(costs)
            if cost > self._max_cost:
                self._max_cost = cost
                widths["cost"] = max(widths["cost"], len(format_cost(cost)) + len(SAVINGS_MARK))
        tagged = [tags for tags in map(attrgetter("tags"), batch) if tags]
        if tagged:
            size = max(map(_tags_size, tagged))
            if size > widths["tags"]:
                widths["tags"] = size

    # --- sorting ------------------------------------------------------------------------

    def sort_by(self, column: str | None, reverse: bool | None = None) -> None:
        """Sort rows by a column.

        Ties keep arrival order and unknown values (cost, age) sort last, both ways.  A
        column sorted before (and not changed since) re-sorts, either way, without a
        comparison sort; with a filter on, only the visible rows are sorted.

        Args:
            column: One of ``COLUMNS``, or ``None`` for arrival order.
            reverse: Descending if True.  ``None`` toggles the direction when the column is
                already the sort column, and sorts ascending otherwise.

        Raises:
            ValueError: ``column`` is not one of ``COLUMNS``.
        """
        if column is not None and column not in COLUMNS:
            raise ValueError(f"unknown column {column!r}")
        sorts = self._sorts
        if reverse is None:
            reverse = not sorts.reverse if column == sorts.column else False
        reverse = bool(reverse) if column is not None else False
        self._recent_views.clear()  # their rows are in the old order
        self._view = sorts.sort_by(column, reverse, self._resources, None if self._filter.is_empty else self._view)

    def precompute_steps(self, chunk: int | None = None) -> Iterator[None]:
        """Compute ahead the ascending order of the columns whose first sort is slow.

        The orders go where ``sort_by`` looks first, so a later first sort by name, id,
        tags, cost or age is a cache hit.  The work is cut in steps of ~1-2 ms (key
        building, chunk sorts, chunked merges) for a caller to run while idle, a few steps
        at a time.  Once rows change the iterator stops at its next step and caches
        nothing; a sort asked for before it is done takes the usual path.

        Args:
            chunk: Rows per step (default ``_PRECOMPUTE_CHUNK``).

        Yields:
            ``None`` after each step.
        """
        generation = self._generation
        chunk = max(1, _PRECOMPUTE_CHUNK if chunk is None else chunk)
        for _ in self._sorts.precompute_steps(self._resources, _PRECOMPUTE_COLUMNS, chunk):
            yield
            if self._generation != generation:
                return

    # --- filtering ----------------------------------------------------------------------

    def set_filter(self, filter: Filter) -> None:
        """Show only the rows that pass ``filter``.

        When the new filter can only match a subset of what a recent filter matched (one
        more character typed, or a new term after a finished one), only that filter's rows
        are tested, against just the terms it did not have.  Recent views are kept until
        the data or the sort changes.
        """
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

    def _rebuild_view(self) -> None:
        order = self._sorts.ensure_order(self._resources)
        if self._filter.is_empty:
            self._view = order
        else:
            self._view = self._filter.select(self._resources, self._blobs, order)

    # --- marks --------------------------------------------------------------------------

    @property
    def marked(self) -> list[Resource]:
        """Marked resources, in arrival order (visible or not)."""
        position = self._position
        indices = sorted(position[key] for key in self._marks if key in position)
        return [self._resources[i] for i in indices]

    @property
    def marked_count(self) -> int:
        """How many rows are marked."""
        return len(self._marks)

    @property
    def marks_equal_view(self) -> bool:
        """True when some rows are marked and they are exactly the rows that pass the filter."""
        resources = self._resources
        return bool(self._marks) and self._marks == {resources[i].key for i in self._view}

    def is_marked(self, key: Key) -> bool:
        """True when the row with this key is marked."""
        return key in self._marks

    def toggle_mark(self, key: Key) -> None:
        """Mark the row with this key, or unmark it if it is marked."""
        self._marks.symmetric_difference_update({key})

    def mark_all_visible(self) -> None:
        """Mark exactly the rows that pass the filter.

        Marks on rows hidden by the filter are dropped: a bulk action then acts on what the
        operator can see, never on something filtered out of sight.
        """
        resources = self._resources
        self._marks = {resources[i].key for i in self._view}
        self._kept_marks = set()

    def clear_marks(self) -> None:
        """Unmark every row (and forget the marks a rescan keeps waiting)."""
        self._marks.clear()
        self._kept_marks = set()
