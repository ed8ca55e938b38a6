"""Sort orders over row indices: per-column keys, cached orders, sorting in steps.

Pure Python and independent of what a row is: ``tracker_tui.rowstore`` supplies the key of
each column for its ``Resource`` rows.  A sort order is a list of row indices (rows
numbered in arrival order); every order here has ties in arrival order in both directions,
and unknown keys (``None``) last in both directions.

``SortOrders`` holds the current order of the rows and what makes the next one cheap:
per-column keys (``ColumnKeys``), kept up to date as rows arrive, and the full orders of
earlier sorts until the rows change.  Rows arriving while sorted are appended and the order
re-sorted (Timsort merges the two runs in close to linear time); changed rows are moved
one by one (``sorted_position``); ``precompute_steps`` computes first sorts ahead in small
steps (``sorted_steps``, ``merge_steps``) for an idle-time driver.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from itertools import chain, compress
from typing import Any, Generic, TypeVar

__all__ = ["ColumnKeys", "SortOrders", "in_order", "merge_steps", "sorted_position", "sorted_steps"]

Row = TypeVar("Row")
#: The key of every row of a column, in row order.
KeyBuilder = Callable[[Sequence[Row]], list[Any]]
#: A row index's sort key; ``Any`` as keys are compared only with keys of the same column.
SortKey = Callable[[int], Any]
#: More changed rows than this are re-sorted from scratch rather than moved one by one.
_RESORT_ONE_BY_ONE = 64

_INF = float("inf")
_NEG_INF = float("-inf")


class ColumnKeys(Generic[Row]):
    """The sort keys of one column for every row, parallel to the rows.

    ``keys`` holds ``None`` for an unknown value.  Sorting needs keys that put unknowns last
    whatever the direction, so for a column with ``unknowns`` ``sort_key(reverse)`` gives a
    key function over a copy with ``None`` replaced by +inf (ascending) or -inf (descending,
    which sorts with ``reverse=True``); other columns use ``keys`` directly.

    Args:
        build: The keys of a sequence of rows, one per row.
        rows: The rows present now.
        unknowns: The column has unknown (``None``) keys.
        bucketed: The column has few distinct keys: its rows are kept bucketed by key once
            sorted by, so ``order`` is a concatenation rather than a comparison sort.
        keys: Keys already built for ``rows`` (then ``build`` is not called for them).
    """

    __slots__ = ("keys", "_build", "_unknowns", "_bucketed", "_filled", "_buckets")

    def __init__(
        self,
        build: KeyBuilder[Row],
        rows: Sequence[Row] = (),
        *,
        unknowns: bool = False,
        bucketed: bool = False,
        keys: list[Any] | None = None,
    ) -> None:
        self._build = build
        self._unknowns = unknowns
        self._bucketed = bucketed
        self.keys: list[Any] = build(rows) if keys is None else keys
        self._filled: dict[bool, list[Any]] = {}
        self._buckets: dict[Any, list[int]] | None = None

    def extend(self, rows: Sequence[Row]) -> None:
        """Keys for rows appended after the last one."""
        keys = self.keys
        start = len(keys)
        new = self._build(rows)
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

    def set(self, index: int, row: Row) -> None:
        """The key of a replaced row (ignored for a row not keyed yet)."""
        if index >= len(self.keys):
            return
        key = self._build([row])[0]
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
    def _fill(keys: list[Any], reverse: bool) -> list[Any]:
        unknown = _NEG_INF if reverse else _INF
        return [unknown if key is None else key for key in keys]

    def sort_key(self, reverse: bool) -> SortKey:
        """Key function over row indices, for ``list.sort(key=..., reverse=reverse)``."""
        if not self._unknowns:
            return self.keys.__getitem__
        filled = self._filled.get(reverse)
        if filled is None:
            filled = self._filled[reverse] = self._fill(self.keys, reverse)
        return filled.__getitem__

    def order(self, reverse: bool) -> list[int]:
        """Every row index, sorted; ties in arrival order, unknowns last."""
        if not self._bucketed:
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
        return self._bucketed


def sorted_position(order: list[int], row: int, key: SortKey, reverse: bool) -> int:
    """Where ``row`` goes in ``order`` to keep it sorted.

    Args:
        order: Row indices sorted by ``key`` (descending if ``reverse``), ties by row index
            ascending.
        row: A row index not in ``order``.
        key: The sort key of a row index.
        reverse: ``order`` is descending.

    Returns:
        The index in ``order`` to insert ``row`` at.
    """
    row_key = key(row)
    lo, hi = 0, len(order)
    while lo < hi:
        mid = (lo + hi) // 2
        other = order[mid]
        other_key = key(other)
        if other_key == row_key:
            after = other > row
        elif reverse:
            after = other_key < row_key
        else:
            after = other_key > row_key
        if after:
            hi = mid
        else:
            lo = mid + 1
    return lo


def sorted_steps(rows: list[int], key: SortKey, chunk: int, out: list[int]) -> Iterator[None]:
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
            yield from merge_steps(runs[i], runs[i + 1], key, chunk, run)
            merged.append(run)
        if len(runs) % 2:
            merged.append(runs[-1])
        runs = merged
    if runs:
        out.extend(runs[0])


def merge_steps(
    left: list[int], right: list[int], key: SortKey, chunk: int, out: list[int]
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
        pivot = min(key(left[min(i + chunk, n_left) - 1]), key(right[min(j + chunk, n_right) - 1]))
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


def in_order(rows: Sequence[int], order: Sequence[int], size: int) -> list[int]:
    """``rows`` (a subset of ``order``) rearranged in ``order``'s order, in O(size).

    Args:
        rows: Row indices, each below ``size``.
        order: Every row index that matters, in the wanted order.
        size: How many rows there are.
    """
    mask = bytearray(size)
    for i in rows:
        mask[i] = 1
    return list(compress(order, map(mask.__getitem__, order)))


class SortOrders(Generic[Row]):
    """The current sort order of some rows, the keys behind it, and earlier orders.

    The rows themselves stay with the caller, who passes them wherever keys may have to be
    built and reports every change (``extend``, ``set``, ``keep``, ``clear``); a change drops
    the cached orders, and an unfinished ``precompute_steps`` must then be abandoned.

    Args:
        build: ``build(column, rows)``: the key of each row for a column (``None``: unknown).
        bucketed: Columns with few distinct keys (see ``ColumnKeys``).
        unknowns: Columns that have unknown keys.
        eager: Columns whose keys are kept from the first row on, sorted by or not.
    """

    def __init__(
        self,
        build: Callable[[str, Sequence[Row]], list[Any]],
        *,
        bucketed: frozenset[str] = frozenset(),
        unknowns: frozenset[str] = frozenset(),
        eager: Sequence[str] = (),
    ) -> None:
        self._build = build
        self._bucketed = bucketed
        self._unknowns = unknowns
        self._eager = tuple(eager)
        #: The column the order is sorted by, ``None`` for arrival order.
        self.column: str | None = None
        #: True when the order is descending.
        self.reverse = False
        self.clear()

    def clear(self) -> None:
        """There are no rows now (the sort column and direction stay)."""
        #: Every row index in the current sort order; ``None`` when only a filtered view was
        #: sorted (``ensure_order`` computes it again).
        self.order: list[int] | None = []
        self._columns: dict[str, ColumnKeys[Row]] = {c: self._new_keys(c, ()) for c in self._eager}
        self._cache: dict[tuple[str, bool], list[int]] = {}

    def _new_keys(self, column: str, rows: Sequence[Row], keys: list[Any] | None = None) -> ColumnKeys[Row]:
        return ColumnKeys(
            partial(self._build, column),
            rows,
            unknowns=column in self._unknowns,
            bucketed=column in self._bucketed,
            keys=keys,
        )

    @property
    def cached(self) -> frozenset[tuple[str, bool]]:
        """The ``(column, reverse)`` orders kept for a later sort."""
        return frozenset(self._cache)

    def keys(self, column: str, rows: Sequence[Row]) -> ColumnKeys[Row]:
        """The sort keys of a column, built from ``rows`` on first use and kept up to date after."""
        keys = self._columns.get(column)
        if keys is None:
            keys = self._columns[column] = self._new_keys(column, rows)
        return keys

    # --- changes to the rows ----------------------------------------------------------

    def extend(self, fresh: Sequence[Row]) -> None:
        """Rows were appended (the caller appends their indices to ``order`` and re-sorts)."""
        for keys in self._columns.values():
            keys.extend(fresh)
        self._cache.clear()

    def set(self, index: int, row: Row) -> None:
        """A row was replaced (the caller puts it back in place with ``resort``)."""
        for keys in self._columns.values():
            keys.set(index, row)
        self._cache.clear()

    def keep(self, keep: list[int], remap: Sequence[int]) -> None:
        """Only the rows ``keep`` remain, renumbered in that order; ``remap`` maps each old
        row index to its new one, or -1 for a dropped row.  Survivors keep their places."""
        for keys in self._columns.values():
            keys.keep(keep)
        self._cache.clear()
        if self.order is not None:
            self.order = [remap[i] for i in self.order if remap[i] >= 0]

    # --- orders -----------------------------------------------------------------------

    def sort_key(self, rows: Sequence[Row]) -> SortKey:
        """Key function of the current sort (a column must be set), for ``list.sort``."""
        assert self.column is not None
        return self.keys(self.column, rows).sort_key(self.reverse)

    def sort_by(self, column: str | None, reverse: bool, rows: Sequence[Row], view: list[int] | None) -> list[int]:
        """Switch to another sort.

        The order in force is kept for later.  A column sorted before (and not changed
        since) re-sorts, either way, without a comparison sort.

        Args:
            column: The column to sort by, ``None`` for arrival order.
            reverse: Descending if True.
            rows: The rows.
            view: ``None`` when every row is shown; else the rows shown, in the old order.
                When the new order is not cheap to get, only they are sorted and ``order``
                is left ``None``.

        Returns:
            The new order, or ``view`` in the new order.
        """
        if self.order is not None and self.column is not None:
            # Kept until the data changes: sorting this way again is then free.
            self._cache[(self.column, self.reverse)] = self.order
        self.column = column
        self.reverse = reverse
        if view is None:
            self.order = self._full_order(column, reverse, rows)
            return self.order
        if self._can_order_cheaply(column, reverse):
            self.order = self._full_order(column, reverse, rows)
            return in_order(view, self.order, len(rows))
        # Sort just the visible rows (in arrival order first, so ties keep it); the full
        # order is built later if a wider view needs it.
        self.order = None
        view = sorted(view)
        if column is not None:
            view.sort(key=self.sort_key(rows), reverse=reverse)
        return view

    def ensure_order(self, rows: Sequence[Row]) -> list[int]:
        """``order``, computed first if only a view was sorted."""
        if self.order is None:
            self.order = self._full_order(self.column, self.reverse, rows)
        return self.order

    def _full_order(self, column: str | None, reverse: bool, rows: Sequence[Row]) -> list[int]:
        """Every row index in this sort order: from the cache, by reversing a cached order,
        or by a bucket concatenation or comparison sort.  The list is the caller's."""
        if column is None:
            return list(range(len(rows)))
        cache = self._cache
        order = cache.pop((column, reverse), None)
        if order is not None:
            return order
        keys = self.keys(column, rows)
        opposite = cache.get((column, not reverse))
        if opposite is not None and not keys.cheap_order:
            # A reversed run for Timsort: close to linear, and stable, so ties keep arrival
            # order and unknowns (keyed to the far end for this direction) stay last.
            return sorted(opposite, key=keys.sort_key(reverse), reverse=reverse)
        return keys.order(reverse)

    def _can_order_cheaply(self, column: str | None, reverse: bool) -> bool:
        if column is None or (column, reverse) in self._cache:
            return True
        keys = self._columns.get(column)
        if keys is not None and keys.cheap_order:
            return True
        return (column, not reverse) in self._cache

    def resort(self, changed: Sequence[int], start: int, rows: Sequence[Row]) -> None:
        """Put rows whose sort key changed (``changed``) and rows appended at ``start`` and
        after back in sorted place, ties in arrival order.

        Re-sorting the whole order would keep a changed row's *old* place among equal
        keys, so the changed rows are taken out and put back one by one (a binary search
        on key, then row index); a bulk change is sorted from scratch.  New rows have the
        highest indices: a stable sort of the order with them appended places them right.
        """
        order = self.order
        if order is None or self.column is None:
            return
        reverse = self.reverse
        key = self.sort_key(rows)
        moved = {i for i in changed if i < start}
        if len(moved) > _RESORT_ONE_BY_ONE:
            self.order = sorted(range(len(rows)), key=key, reverse=reverse)
            return
        if moved:
            rest = [i for i in order if i not in moved and i < start]
            for row in sorted(moved):
                rest.insert(sorted_position(rest, row, key, reverse), row)
        else:
            rest = [i for i in order if i < start]
        if start < len(rows):
            rest.extend(range(start, len(rows)))
            rest.sort(key=key, reverse=reverse)
        self.order = rest

    def has_order(self, column: str, reverse: bool) -> bool:
        """True when sorting this way needs no sorting: the order is in force or cached."""
        if (column, reverse) in self._cache:
            return True
        return self.order is not None and self.column == column and self.reverse == reverse

    def precompute_steps(self, rows: Sequence[Row], columns: Sequence[str], chunk: int) -> Iterator[None]:
        """Cache the ascending order of each of ``columns``, in steps of about ``chunk`` rows.

        The steps are key building, chunk sorts and chunked merges.  Stop iterating once
        the rows change: what it would cache then no longer matches them.
        """
        n = len(rows)
        every_row = list(range(n))  # one set of int objects shared by every order
        yield
        for column in columns:
            if self.has_order(column, False):
                continue
            keys = self._columns.get(column)
            if keys is None:
                built: list[Any] = []
                for start in range(0, n, chunk):
                    built.extend(self._build(column, rows[start : start + chunk]))
                    yield
                keys = self._columns.setdefault(column, self._new_keys(column, (), keys=built))
            key = keys.sort_key(False)
            yield
            order: list[int] = []
            yield from sorted_steps(every_row, key, chunk, order)
            if not self.has_order(column, False):
                self._cache[(column, False)] = order
            yield
