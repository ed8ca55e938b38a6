"""What showing AWS's text safely costs: ``untrusted.visible`` and the table's data engine.

    python benchmarks/untrusted_text.py [--rows 100000]

Side by side in one run, over the same 100,000 rows as ``ui_scale.py`` builds:

* ``visible()`` per call on ordinary ASCII names (the fast path: ``str.isprintable``), on
  non-ASCII names (wide, accented) and on hostile ones (escapes, bidi, C1), against the
  identity function as the floor;
* ``RowStore.add`` of every row in the scan's batch size (which now measures non-ASCII
  text in terminal cells), and ``column_texts`` of a screenful of rows (the cells as shown),
  each against the same work without the safe-text steps.

It prints the times; nothing is asserted.  The machine is shared: compare the columns of one
run, not one number with another run's.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from benchmarks.ui_scale import make_resources  # noqa: E402
from tracker_tui import rowstore  # noqa: E402
from tracker_tui.rowstore import RowStore  # noqa: E402
from tracker_tui.untrusted import visible  # noqa: E402

ASCII = ["web-prod-1", "i-0a1b2c3d4e5f60001", "acme-prod-backups", "/aws/lambda/prod-fn-01", "running"] * 200
WIDE = ["中文名前テスト", "café résumé", "deploy 🚀 ok ✅", "naïve-bücket", "Ω-service"] * 200
HOSTILE = ["clip\x1b]52;c;aGk=\x07", "invoice\u202egnp.exe", "c1\x9b31m", "line\nfeed", "del\x7f"] * 200


def per_call(fn: Callable[[str], str], values: list[str], repeat: int = 200) -> float:
    """Nanoseconds per call, best of three."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeat):
            for value in values:
                fn(value)
        best = min(best, time.perf_counter() - start)
    return best / (repeat * len(values)) * 1e9


def timed(fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    print(f"{'visible() per call':<40}{'visible':>12}{'identity':>12}")
    for label, values in (("ASCII names", ASCII), ("non-ASCII names", WIDE), ("hostile names", HOSTILE)):
        print(f"  {label:<38}{per_call(visible, values):>9.0f} ns{per_call(str, values):>9.0f} ns")

    rows = make_resources(args.rows)
    batches = [rows[i : i + 1000] for i in range(0, len(rows), 1000)]

    def ingest() -> RowStore:
        store = RowStore()
        for batch in batches:
            store.add(batch)
        return store

    safe_ingest = timed(ingest)
    original_cell_len, original_visible = rowstore.cell_len, rowstore.visible
    rowstore.cell_len, rowstore.visible = len, str  # the same work without measuring as shown
    try:
        plain_ingest = timed(ingest)
        store = ingest()
        now = datetime.now(UTC)
        screen = store.rows[:40]
        plain_texts = timed(lambda: [rowstore.column_texts(r, now) for r in screen for _ in range(100)])
    finally:
        rowstore.cell_len, rowstore.visible = original_cell_len, original_visible
    safe_texts = timed(lambda: [rowstore.column_texts(r, now) for r in screen for _ in range(100)])

    print(f"\n{'table engine':<40}{'as shown':>12}{'raw':>12}")
    print(f"  {f'RowStore.add, {args.rows:,} rows':<38}{safe_ingest:>9.1f} ms{plain_ingest:>9.1f} ms")
    print(f"  {'column_texts, 40 rows x 100':<38}{safe_texts:>9.1f} ms{plain_texts:>9.1f} ms")


if __name__ == "__main__":
    main()
