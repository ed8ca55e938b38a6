"""How fast the demo gets going: demo ready, scan start to first rows, scan end.

    python benchmarks/demo_first_rows.py [--runs 3] [--latency MS]

Runs the real ``--demo`` path headless (Textual's run_test): the moto server child
process, seeding over the public APIs, then the app's own scan worker and drain timer.
Default latency is the demo's (varied by region, 25-200 ms per call).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.scan import ScanOptions
from tracker_tui.aws.source import LiveSource
from tracker_tui.demo import start_demo
from tracker_tui.ui.app import TrackerApp


async def one_run(latency: float | None) -> dict[str, float]:
    t0 = time.monotonic()
    demo = start_demo(latency_ms=latency)
    ready = time.monotonic() - t0
    try:
        source = LiveSource(lambda: demo.session, resolve_kinds(None), (), ScanOptions(), label="demo")
        app = TrackerApp(source)
        async with app.run_test(size=(120, 36)) as pilot:
            started = time.monotonic()
            first_rows = None
            while app._scanning or app.connection is None:
                await asyncio.sleep(0.005)
                if first_rows is None and app.table.row_count > 0:
                    first_rows = time.monotonic() - started
                if time.monotonic() - started > 120:
                    raise RuntimeError("scan did not finish in 120 s")
            done = time.monotonic() - started
            rows = app.table.row_count
            await pilot.pause()
    finally:
        demo.stop()
    return {
        "demo_ready_s": ready,
        "seed_s": demo.seconds_to_seed,
        "first_rows_s": first_rows if first_rows is not None else float("nan"),
        "scan_s": done,
        "rows": rows,
        "resources_seeded": demo.resources_seeded,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency", type=float, default=None, help="fixed ms per call (default: the demo's)")
    args = parser.parse_args()
    runs = [asyncio.run(one_run(args.latency)) for _ in range(args.runs)]
    print(
        f"demo first rows ({args.runs} runs, latency {'by region' if args.latency is None else f'{args.latency:g} ms'})"
    )
    print(f"{'metric':<22}{'median':>10}{'min':>10}{'max':>10}")
    for key in ("demo_ready_s", "seed_s", "first_rows_s", "scan_s"):
        values = [r[key] for r in runs]
        print(f"{key:<22}{statistics.median(values):>10.2f}{min(values):>10.2f}{max(values):>10.2f}")
    print(f"rows on screen: {runs[-1]['rows']:.0f} (seeded {runs[-1]['resources_seeded']:.0f})")
    first = statistics.median(r["first_rows_s"] for r in runs)
    print(f"target: first rows within 1 s of the scan starting: {'PASS' if first <= 1.0 else 'MISS'} ({first:.2f} s)")
    ready = statistics.median(r["demo_ready_s"] for r in runs)
    print(f"target: demo ready within about 2 s: {'PASS' if ready <= 2.5 else 'MISS'} ({ready:.2f} s)")


if __name__ == "__main__":
    main()
