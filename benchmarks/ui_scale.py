"""UI scale benchmark: the TUI at 100,000 resources, headless, through the real streaming path.

    python benchmarks/ui_scale.py [--rows 100000] [--page-delay 0.002] [--no-datatable]
                                  [--profile] [--strict]

What it does, in one run:

1. builds ``--rows`` synthetic resources: a realistic mix over the first 13 kinds (mostly log
   groups, volumes, roles, instances), 17 regions (IAM in ``global``), names, tags, created
   dates, ``details``; some ``monthly_cost`` figures and some ``None``;
2. runs ``TrackerApp(ReplaySource(..., page_size=1000, page_delay=--page-delay))`` inside
   ``App.run_test(size=(120, 36))``: the scan thread fills the ``ScanRun``'s deque and the app's
   one 0.1 s timer takes it into ``ResourceTable.add_resources`` -- the same path as a live scan;
3. during ingest, a coroutine on the app's event loop ticks every 10 ms and records the
   real intervals: an interval of N ms means nothing (no frame, no key) could run for N ms.
   That worst interval is the "frame gap" checked against the 100 ms target.  The timer's
   ticks and the GC pauses are timed too, to name the culprit when the target is missed;
4. types filter queries one key at a time (``pilot.press``) and measures keystroke-to-repaint:
   from the key event being sent to the end of the first screen update that follows the
   app's ``Input.Changed`` handler *and* re-rendered lines of the table (hooks: the filter
   error line's ``update``, ``ResourceTable.set_filter``/``sort_by``/``move_cursor``,
   ``ResourceTable.render_line`` and ``App._display``, all wrapped on the instances).
   Headless Textual skips turning the update into terminal bytes; the hook does that step
   (``CompositorUpdate.render_segments``) so its cost is in the figure too;
5. presses each sort key (K N R S C A, A again to reverse, C with a filter on) the same way;
6. baselines: ``down`` (cursor move: the framework's own key-to-paint floor, which includes
   Textual's 1/60 s screen-update timer) and the wall time of ``pilot.press`` on a key bound
   to nothing (pilot's idle waits; *not* part of the latencies above, which are timed from
   hooks, but printed so nobody mistakes it for app cost);
7. peak RSS (``ru_maxrss``) after ingest, filter and sort -- before step 8;
8. for comparison, the stock ``DataTable`` in a minimal app: ``add_rows`` of 10,000 rows,
   then ``clear()`` + ``add_rows`` of a 40,000-row filtered view out of 100,000, each timed
   to the first repaint after DataTable's idle-time measuring; and ResourceTable's
   equivalent (the same 40k-row query applied in one go, from an empty filter).

``--profile`` reruns the filter and sort keystrokes under cProfile and prints the hot
functions.  ``--strict`` exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import os
import pstats
import random
import resource as _resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from textual._compositor import CompositorUpdate  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import DataTable, Input, Static  # noqa: E402

from tracker_tui.aws.kinds import REGISTRY  # noqa: E402
from tracker_tui.model import GLOBAL_REGION, Identity, Resource, format_cost  # noqa: E402

KIND_IDS = REGISTRY.ids
from tracker_tui.replay import ReplaySource  # noqa: E402
from tracker_tui.ui.app import TrackerApp  # noqa: E402
from tracker_tui.ui.widgets.resource_table import ResourceTable, format_age, format_tags  # noqa: E402

# --- targets (the product's performance targets) ---------------------------------------------

TARGET_FILTER_MS = 50.0
TARGET_SORT_MS = 50.0
TARGET_GAP_MS = 100.0
TARGET_RSS_MB = 300.0

SIZE = (120, 36)
TICK = 0.010
NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
ACCOUNT = "123456789012"

REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
    "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-southeast-1", "ap-southeast-2", "sa-east-1",
)  # fmt: skip
# Where the estate lives: most in two home regions, a long tail elsewhere.
REGION_WEIGHTS = (30, 8, 3, 14, 2, 14, 4, 2, 8, 2, 2, 3, 1, 1, 2, 3, 1)

# Share of each kind in 1000s (sums to 1000).
KIND_MIX = {
    "logs:log-group": 300,
    "ec2:volume": 170,
    "iam:role": 130,
    "ec2:instance": 140,
    "lambda:function": 70,
    "s3:bucket": 40,
    "ec2:elastic-ip": 30,
    "elb:load-balancer": 30,
    "rds:db-instance": 20,
    "iam:user": 20,
    "autoscaling:group": 20,
    "elasticache:cluster": 20,
    "ec2:nat-gateway": 10,
}
# The first 13 kinds, as in every earlier run (comparable figures); the other kinds are a few
# rows each in a real estate and change nothing here.
assert set(KIND_MIX) <= set(KIND_IDS) and sum(KIND_MIX.values()) == 1000

ENVS = ("prod", "staging", "dev", "test")
ENV_WEIGHTS = (40, 25, 25, 10)
TEAMS = ("platform", "payments", "search", "data", "growth", "identity", "ml", "web", "mobile", "infra")
SERVICES = (
    "orders", "billing", "checkout", "catalog", "users", "auth", "search", "ingest", "reports",
    "notify", "gateway", "inventory", "pricing", "ledger", "media", "etl", "feeds", "sessions",
)  # fmt: skip
INSTANCE_TYPES = {"t3.micro": 7.59, "t3.medium": 30.37, "m5.large": 70.08, "m5.xlarge": 140.16,
                  "c5.2xlarge": 248.2, "r5.large": 91.98}  # fmt: skip


# --- synthetic estate -----------------------------------------------------------------------


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def make_resources(count: int, seed: int = 7) -> list[Resource]:
    """``count`` deterministic resources shaped like the real scanners' output."""
    rng = random.Random(seed)
    kinds = list(KIND_MIX)
    kind_weights = list(KIND_MIX.values())
    out: list[Resource] = []
    seen: set[tuple[str, str, str]] = set()
    epoch = NOW - timedelta(days=3 * 365)
    while len(out) < count:
        kind = rng.choices(kinds, kind_weights)[0]
        region = GLOBAL_REGION if kind.startswith("iam:") else rng.choices(REGIONS, REGION_WEIGHTS)[0]
        env = rng.choices(ENVS, ENV_WEIGHTS)[0]
        team = rng.choice(TEAMS)
        svc = rng.choice(SERVICES)
        n = rng.randrange(1, 10_000)
        created_dt = epoch + timedelta(seconds=rng.randrange(0, 3 * 365 * 86400))
        created: str | None = created_dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        tags: dict[str, str] = {}
        if kind not in ("logs:log-group", "iam:role", "iam:user") or rng.random() < 0.15:
            tags = {"env": env, "team": team}
            if rng.random() < 0.5:
                tags["cost-center"] = f"cc-{rng.randrange(100, 999)}"
        cost: float | None = None
        state = "active"
        details: dict[str, Any]
        name = f"{env}-{svc}-{n}"
        if kind == "logs:log-group":
            rid = name = rng.choice(("/aws/lambda/", "/ecs/", "/aws/rds/", "/app/")) + f"{env}-{svc}-{n}"
            cost = None if rng.random() < 0.8 else round(rng.uniform(0.01, 40), 2)
            details = {"stored_bytes": rng.randrange(0, 10**10), "retention": "never expires",
                       "log_group_class": "STANDARD"}  # fmt: skip
        elif kind == "ec2:volume":
            rid = f"vol-{_hex(rng, 17)}"
            size = rng.choice((8, 20, 30, 50, 100, 200, 500, 1000))
            state = rng.choices(("in-use", "available"), (85, 15))[0]
            cost = round(size * 0.08, 2)
            details = {"size_gib": size, "volume_type": "gp3", "availability_zone": f"{region}a",
                       "encrypted": True}  # fmt: skip
            if rng.random() < 0.6:
                tags["Name"] = name
            else:
                name = ""
        elif kind == "ec2:instance":
            rid = f"i-{_hex(rng, 17)}"
            itype = rng.choice(list(INSTANCE_TYPES))
            state = rng.choices(("running", "stopped", "pending", "terminated"), (75, 18, 2, 5))[0]
            cost = INSTANCE_TYPES[itype] if state == "running" else 0.0
            tags["Name"] = name
            details = {"instance_type": itype, "platform": "Linux/UNIX", "availability_zone": f"{region}b",
                       "tenancy": "default", "lifecycle": "on-demand", "vpc_id": f"vpc-{_hex(rng, 8)}",
                       "subnet_id": f"subnet-{_hex(rng, 8)}", "private_ip": f"10.{n % 256}.{n // 256}.7",
                       "image_id": f"ami-{_hex(rng, 17)}", "volume_ids": [f"vol-{_hex(rng, 17)}"]}  # fmt: skip
        elif kind == "iam:role":
            rid = name = f"{env}-{svc}-role-{n}"
            state = ""
            cost = 0.0 if rng.random() < 0.5 else None
            details = {"path": "/", "role_id": f"AROA{_hex(rng, 16).upper()}", "max_session_duration": 3600}
        elif kind == "iam:user":
            rid = name = f"{svc}.{team}.{n}"
            state = ""
            cost = 0.0
            details = {"path": "/", "user_id": f"AIDA{_hex(rng, 16).upper()}"}
        elif kind == "lambda:function":
            rid = name
            cost = None if rng.random() < 0.7 else round(rng.uniform(0, 25), 2)
            details = {"runtime": rng.choice(("python3.12", "nodejs20.x", "java21")), "memory_mb": 512,
                       "timeout_s": 30, "code_size": rng.randrange(10**4, 10**8)}  # fmt: skip
        elif kind == "s3:bucket":
            rid = name = f"{env}-{svc}-{team}-{n}-{region}"
            state = "available"
            cost = None
            details = {"versioning": "Enabled", "encryption": "AES256"}
        elif kind == "ec2:elastic-ip":
            rid = f"eipalloc-{_hex(rng, 17)}"
            state = rng.choices(("associated", "idle"), (80, 20))[0]
            cost = 3.65
            details = {"public_ip": f"52.{n % 256}.{rng.randrange(256)}.{rng.randrange(256)}", "domain": "vpc"}
            created = None
        elif kind == "elb:load-balancer":
            rid = name = f"{env}-{svc}-{n}"[:32]
            state = "active"
            cost = round(rng.choice((16.43, 18.4, 22.27)), 2)
            details = {"type": rng.choice(("application", "network")), "scheme": "internet-facing",
                       "dns_name": f"{rid}.{region}.elb.amazonaws.com"}  # fmt: skip
        elif kind == "rds:db-instance":
            rid = name = f"{env}-{svc}-db-{n}"
            state = rng.choices(("available", "stopped", "backing-up"), (85, 10, 5))[0]
            cost = round(rng.uniform(12, 900), 2)
            details = {"engine": rng.choice(("postgres", "mysql", "aurora-postgresql")),
                       "instance_class": "db.m5.large", "multi_az": rng.random() < 0.4,
                       "allocated_storage_gib": rng.choice((20, 100, 500))}  # fmt: skip
        elif kind == "autoscaling:group":
            rid = name = f"{env}-{svc}-asg-{n}"
            state = "active"
            cost = None
            details = {"min_size": 1, "max_size": 10, "desired_capacity": rng.randrange(1, 10)}
        elif kind == "elasticache:cluster":
            rid = name = f"{env}-{svc}-{n}"[:40]
            state = rng.choices(("available", "modifying"), (95, 5))[0]
            cost = round(rng.uniform(11, 400), 2)
            details = {"engine": rng.choice(("redis", "memcached")), "node_type": "cache.t3.medium", "nodes": 2}
        else:  # ec2:nat-gateway
            rid = f"nat-{_hex(rng, 17)}"
            state = rng.choices(("available", "deleted"), (92, 8))[0]
            cost = 32.85 if state == "available" else 0.0
            details = {"vpc_id": f"vpc-{_hex(rng, 8)}", "subnet_id": f"subnet-{_hex(rng, 8)}"}
            tags["Name"] = name
        if (region, kind, rid) in seen:
            continue
        seen.add((region, kind, rid))
        service = kind.split(":")[0]
        arn_region = "" if region == GLOBAL_REGION else region
        out.append(
            Resource(
                kind=kind,
                id=rid,
                region=region,
                account_id=ACCOUNT,
                arn=f"arn:aws:{service}:{arn_region}:{ACCOUNT}:{kind.split(':')[1]}/{rid}",
                name=name,
                state=state,
                created=created,
                tags=tags,
                details=details,
                monthly_cost=cost,
                cost_basis=None if cost is None else "list price",
            )
        )
    return out


# --- measurement helpers ----------------------------------------------------------------------


def peak_rss_mb() -> float:
    return _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KB on Linux


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        import os

        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return float("nan")


def pct(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def ms(value: float | None) -> str:
    return "n/a" if value is None or value != value else f"{value * 1000:.1f}"


class PaintProbe:
    """Timestamps the first screen update that shows the effect of an action.

    ``arm()`` before the action.  ``handled()`` is called (by wrapped methods) when the
    app's handler ran; ``mutating()`` around a table update (set_filter, sort_by, ...).
    The probe fires on the first ``App._display`` after the handler ran and, if the table
    changed, after the table re-rendered lines.
    """

    def __init__(self, app: App[Any], emulate_terminal: bool = True) -> None:
        self.app = app
        self.emulate_terminal = emulate_terminal
        self.display_times: list[float] = []
        self.display_seconds: list[float] = []
        self.armed = False
        self.t0 = 0.0
        self.handler_seen = False
        self.mutation_pending = False
        self.table_rendered = False
        self.paint_at: float | None = None
        self.work: list[float] = []  # durations of the wrapped table updates since arm()
        self.work_cpu: list[float] = []  # the same in this thread's CPU time
        self.event = asyncio.Event()
        self.on_display: Callable[[float], None] | None = None
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            start = time.monotonic()
            original(screen, renderable)
            if renderable is None:
                return
            if self.emulate_terminal and isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)  # what a real terminal driver does
            now = time.monotonic()
            self.display_times.append(now)
            self.display_seconds.append(now - start)
            if self.on_display is not None:
                self.on_display(now)
            if self.armed and self.handler_seen and (not self.mutation_pending or self.table_rendered):
                self.armed = False
                self.paint_at = now
                self.event.set()

        app._display = display  # type: ignore[method-assign]

    def watch_table(self, table: Any) -> None:
        original = table.render_line

        def render_line(y: int) -> Any:
            if self.mutation_pending:
                self.table_rendered = True
            return original(y)

        table.render_line = render_line

    def wrap_mutation(self, obj: Any, name: str) -> None:
        original = getattr(obj, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.monotonic()
            cpu = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.work.append(time.monotonic() - start)
                self.work_cpu.append(time.thread_time() - cpu)
                self.handler_seen = True
                self.mutation_pending = True
                self.table_rendered = False

        setattr(obj, name, wrapper)

    def wrap_handler_marker(self, obj: Any, name: str) -> None:
        original = getattr(obj, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.handler_seen = True
            return original(*args, **kwargs)

        setattr(obj, name, wrapper)

    def arm(self) -> None:
        self.armed = True
        self.handler_seen = False
        self.mutation_pending = False
        self.table_rendered = False
        self.paint_at = None
        self.work = []
        self.work_cpu = []
        self.event.clear()
        self.t0 = time.monotonic()

    async def wait(self, timeout: float = 10.0) -> float | None:
        """Seconds from ``arm()`` to the paint (None on timeout)."""
        try:
            await asyncio.wait_for(self.event.wait(), timeout)
        except TimeoutError:
            self.armed = False
            return None
        assert self.paint_at is not None
        return self.paint_at - self.t0


@dataclass
class KeyTiming:
    key: str
    latency: float | None  # key sent -> repaint
    press_wall: float  # how long pilot.press took to return
    work: float  # time inside the wrapped table update(s)
    rows: int
    work_cpu: float = 0.0  # CPU time of the same (less sensitive to a busy machine)
    gc: float = 0.0  # GC pauses between the key and the repaint
    gc_generation: int = -1


@dataclass
class Results:
    rows: int = 0
    gen_seconds: float = 0.0
    rss_start: float = 0.0
    rss_after_gen: float = 0.0
    rss_after_ingest: float = 0.0
    rss_peak_app: float = 0.0
    rss_current_app: float = 0.0
    ingest_seconds: float = 0.0
    ingest_floor: float = 0.0
    first_rows_seconds: float | None = None
    tick_intervals: list[float] = field(default_factory=list)
    display_intervals: list[float] = field(default_factory=list)
    drain_seconds: list[float] = field(default_factory=list)
    drain_batches: list[int] = field(default_factory=list)
    gc_pauses: list[tuple[int, float]] = field(default_factory=list)
    display_seconds_ingest: list[float] = field(default_factory=list)
    queries: dict[str, list[KeyTiming]] = field(default_factory=dict)
    sorts: list[tuple[str, KeyTiming]] = field(default_factory=list)
    down: list[KeyTiming] = field(default_factory=list)
    noop_press: list[float] = field(default_factory=list)
    oneshot_40k: KeyTiming | None = None
    dt_add_10k: float | None = None
    dt_add_10k_call: float = 0.0
    dt_rebuild_40k: float | None = None
    dt_rebuild_40k_call: float = 0.0
    profile_text: str = ""


QUERIES = ("kind:logs", "prod", "region:eu- !state:running", "tag:env=prod cost>10")
ONESHOT_QUERY = "prod"  # ~40% of the estate: the 40k-row view compared with DataTable
SORT_KEYS = ("K", "N", "R", "S", "C", "A", "A")  # A twice: the second press reverses


class GcTimer:
    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self.windows: list[tuple[float, float, int]] = []
        self._start = 0.0
        self.active = False

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if not self.active:
            return
        if phase == "start":
            self._start = time.monotonic()
        else:
            end = time.monotonic()
            self.pauses.append((info.get("generation", -1), end - self._start))
            self.windows.append((self._start, end, info.get("generation", -1)))

    def within(self, start: float, end: float) -> tuple[float, int]:
        """GC seconds spent inside [start, end], and the highest generation collected."""
        total, top = 0.0, -1
        for a, b, generation in reversed(self.windows):
            if b < start:
                break
            if a <= end:
                total += min(b, end) - max(a, start)
                top = max(top, generation)
        return total, top


# --- the TrackerApp run -------------------------------------------------------------------------


GC_TIMER: GcTimer | None = None


async def press_timed(pilot: Any, probe: PaintProbe, key: str, table: ResourceTable) -> KeyTiming:
    probe.arm()
    await pilot.press(key)
    press_wall = time.monotonic() - probe.t0
    latency = await probe.wait()
    timing = KeyTiming(key, latency, press_wall, sum(probe.work), table.row_count, sum(probe.work_cpu))
    if GC_TIMER is not None and latency is not None:
        timing.gc, timing.gc_generation = GC_TIMER.within(probe.t0, probe.t0 + latency)
    return timing


async def run_tracker(resources: list[Resource], args: argparse.Namespace, res: Results) -> None:
    identity = Identity(account_id=ACCOUNT, arn=f"arn:aws:iam::{ACCOUNT}:user/bench", alias="bench")
    source = ReplaySource(
        identity=identity,
        regions=REGIONS,
        kinds=KIND_IDS,
        resources=resources,
        page_size=1000,
        page_delay=args.page_delay,
    )
    cells = source._cells()
    by_cell: dict[tuple[str, str], int] = {}
    for r in resources:
        by_cell[(r.region, r.kind)] = by_cell.get((r.region, r.kind), 0) + 1
    pages = sum(-(-n // 1000) for n in by_cell.values())
    res.ingest_floor = pages * args.page_delay
    if args.verbose:
        print(f"  replay: {len(cells)} cells, {pages} pages", flush=True)

    app = TrackerApp(source, now=lambda: NOW)
    probe = PaintProbe(app, emulate_terminal=not args.no_terminal_emulation)
    total = len(resources)
    state: dict[str, Any] = {"scan_started": None, "ingest_end": None, "first_rows": None}

    original_tick = app._tick

    def drain() -> None:
        if state["scan_started"] is None:
            state["scan_started"] = app.scan.started
        before = app.scan.resources_found
        start = time.monotonic()
        original_tick()
        if args.gc_freeze:
            gc.freeze()  # experiment: what PROPOSED fix (a) would do
        end = time.monotonic()
        res.drain_seconds.append(end - start)
        res.drain_batches.append(app.scan.resources_found - before)
        if state["ingest_end"] is None and app.table.total_count >= total:
            state["ingest_end"] = end

    app._tick = drain  # type: ignore[method-assign]

    table_ref: list[ResourceTable] = []

    def on_display(now: float) -> None:
        if state["first_rows"] is None and table_ref and table_ref[0].row_count > 0:
            state["first_rows"] = now

    probe.on_display = on_display

    ticks: list[tuple[float, float]] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        last = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(TICK)
            now = time.monotonic()
            ticks.append((last, now))
            last = now

    global GC_TIMER
    gc_timer = GC_TIMER = GcTimer()
    gc.callbacks.append(gc_timer)
    tick_task = asyncio.create_task(ticker())
    try:
        async with app.run_test(size=SIZE) as pilot:
            table = app.table
            table_ref.append(table)
            gc_timer.active = True
            probe.watch_table(table)
            # --- ingest -------------------------------------------------------------------
            deadline = time.monotonic() + 120
            while (app.scanning or state["ingest_end"] is None) and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            stop.set()
            await tick_task
            started = state["scan_started"] or app.scan.started
            end = state["ingest_end"]
            if end is None or table.total_count != total:
                raise SystemExit(f"ingest did not complete: {table.total_count:,}/{total:,} rows")
            res.ingest_seconds = end - started
            res.first_rows_seconds = None if state["first_rows"] is None else state["first_rows"] - started
            res.tick_intervals = [b - a for a, b in ticks if a >= started and b <= end + 0.05]
            shown = [t for t in probe.display_times if started <= t <= end]
            res.display_intervals = [b - a for a, b in zip(shown, shown[1:], strict=False)]
            res.display_seconds_ingest = [
                s for t, s in zip(probe.display_times, probe.display_seconds, strict=True) if started <= t <= end
            ]
            res.gc_pauses = [(g, b - a) for a, b, g in gc_timer.windows if a >= started and b <= end + 0.05]
            res.rss_after_ingest = peak_rss_mb()
            await pilot.pause()

            # --- hooks for keystroke measurements -----------------------------------------
            probe.wrap_mutation(table, "set_filter")
            probe.wrap_mutation(table, "sort_by")
            probe.wrap_mutation(table, "move_cursor")
            error_line = app.query_one("#filter-error", Static)
            probe.wrap_handler_marker(error_line, "update")
            filter_input = app.query_one("#filter", Input)

            # Baselines: a key bound to nothing (pilot's own wall time), and cursor down.
            for _ in range(5):
                start = time.monotonic()
                await pilot.press("x")
                res.noop_press.append(time.monotonic() - start)
            for _ in range(5):
                res.down.append(await press_timed(pilot, probe, "down", table))
            await pilot.press("home")

            async def typing_pass(record: bool) -> None:
                await pilot.press("slash")
                assert app.focused is filter_input
                for query in QUERIES:
                    timings = []
                    for ch in query:
                        timings.append(await press_timed(pilot, probe, ch, table))
                    clear = await press_timed(pilot, probe, "ctrl+u", table)
                    if record:
                        res.queries[query] = timings
                        res.queries.setdefault("(clear: ctrl+u)", []).append(clear)
                    assert filter_input.value == ""

            async def sort_pass(record: bool) -> None:
                table.focus()
                await pilot.pause()
                for key in SORT_KEYS:
                    timing = await press_timed(pilot, probe, key, table)
                    if record:
                        res.sorts.append(
                            (f"{key} ({table.sort_column} {'desc' if table.sort_reverse else 'asc'})", timing)
                        )
                # Sorting with a filter on: the view is rebuilt through the filter too.
                filter_input.value = ONESHOT_QUERY
                await pilot.pause()
                table.focus()
                await pilot.pause()
                timing = await press_timed(pilot, probe, "C", table)
                if record:
                    res.sorts.append(
                        (f"C ({table.sort_column}, filter {ONESHOT_QUERY!r}: {table.row_count:,} rows)", timing)
                    )
                filter_input.value = ""
                await pilot.pause()
                table.sort_by(None)
                await pilot.pause()

            await typing_pass(record=True)
            await sort_pass(record=True)

            # ResourceTable's counterpart of the DataTable rebuild: a 40k-row view from
            # 100k in one go (the whole query arrives in one Input.Changed, no refinement).
            probe.arm()
            filter_input.value = ONESHOT_QUERY
            latency = await probe.wait()
            res.oneshot_40k = KeyTiming(ONESHOT_QUERY, latency, 0.0, sum(probe.work), table.row_count)
            filter_input.value = ""
            await pilot.pause()

            res.rss_peak_app = peak_rss_mb()
            res.rss_current_app = current_rss_mb()

            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                await typing_pass(record=False)
                await sort_pass(record=False)
                profiler.disable()
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats("tottime").print_stats(25)
                stats.sort_stats("cumulative").print_stats(r"tracker_tui|_compositor|strip|widget\.py|screen\.py", 30)
                res.profile_text = out.getvalue()
            await pilot.press("q")
    finally:
        if gc_timer in gc.callbacks:
            gc.callbacks.remove(gc_timer)
        stop.set()


# --- the stock DataTable, for comparison ---------------------------------------------------------


class DataTableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()


def column_rows(resources: Sequence[Resource]) -> list[tuple[str, ...]]:
    return [
        (
            r.kind,
            r.name,
            r.id,
            r.region,
            r.state,
            format_cost(r.monthly_cost),
            format_age(r.created, NOW),
            format_tags(r),
        )
        for r in resources
    ]


async def run_datatable(resources: list[Resource], res: Results) -> None:
    rows = column_rows(resources)
    first_10k = rows[:10_000]
    view_40k = [row for i, row in enumerate(rows) if i % 5 in (0, 2)][:40_000]
    assert len(view_40k) == 40_000 or len(rows) < 100_000
    app = DataTableApp()
    probe = PaintProbe(app)
    async with app.run_test(size=SIZE) as pilot:
        dt = app.query_one(DataTable)
        dt.add_columns("Kind", "Name", "ID", "Region", "State", "Cost/mo", "Age", "Tags")
        await pilot.pause()
        probe.watch_table(dt)
        probe.wrap_mutation(dt, "_update_dimensions")  # DataTable measures new rows on idle

        probe.arm()
        dt.add_rows(first_10k)
        res.dt_add_10k_call = time.monotonic() - probe.t0
        res.dt_add_10k = await probe.wait(timeout=120)
        await pilot.pause()

        probe.arm()
        dt.clear()
        dt.add_rows(view_40k)
        res.dt_rebuild_40k_call = time.monotonic() - probe.t0
        res.dt_rebuild_40k = await probe.wait(timeout=300)
        await pilot.pause()
        app.exit()


# --- report ----------------------------------------------------------------------------------


def verdict(value: float | None, target: float) -> str:
    if value is None or value != value:
        return "MISS (no repaint)"
    return "PASS" if value <= target else "MISS"


def report(res: Results, args: argparse.Namespace) -> bool:
    line = "-" * 100
    print()
    print(
        f"tracker-tui UI scale benchmark: {res.rows:,} resources, textual {__import__('textual').__version__}, "
        f"python {sys.version.split()[0]}, size {SIZE[0]}x{SIZE[1]}, headless"
    )
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} at the end"
        f"{'  -- BUSY: wall times are inflated, see the cpu columns' if load[0] > (os.cpu_count() or 1) else ''}"
    )
    print(
        f"synthetic estate built in {res.gen_seconds:.2f}s; replay page_size=1000 page_delay={args.page_delay}s"
        f"{'' if not args.no_terminal_emulation else ' (terminal output NOT emulated)'}"
    )
    print(line)
    print(f"{'measure':<58}{'value':>22}  {'target':>9}  verdict")
    print(line)
    ok = True

    def row(name: str, value: str, target: str = "", result: str = "") -> None:
        print(f"{name:<58}{value:>22}  {target:>9}  {result}")

    # ingest
    row("ingest: total time, scan start -> all rows in table", f"{res.ingest_seconds:.2f} s")
    row("  (replay pacing floor: pages x page_delay)", f"{res.ingest_floor:.2f} s")
    if res.first_rows_seconds is not None:
        row("  first rows painted after scan start", f"{res.first_rows_seconds * 1000:.0f} ms")
    worst_tick = max(res.tick_intervals, default=float("nan"))
    gap_verdict = verdict(worst_tick, TARGET_GAP_MS / 1000)
    ok &= gap_verdict == "PASS"
    row(
        "ingest: worst event-loop gap (10 ms ticker interval)",
        f"{ms(worst_tick)} ms",
        f"<= {TARGET_GAP_MS:.0f} ms",
        gap_verdict,
    )
    row("  p99 / median ticker interval", f"{ms(pct(res.tick_intervals, 99))} / {ms(pct(res.tick_intervals, 50))} ms")
    row("  ticker samples during ingest", f"{len(res.tick_intervals):,}")
    if res.drain_seconds:
        big = max(range(len(res.drain_seconds)), key=res.drain_seconds.__getitem__)
        row(
            "  timer ticks (take + apply) / worst (its batch) / median",
            f"{len(res.drain_seconds)} / {ms(res.drain_seconds[big])} ({res.drain_batches[big]:,}) / "
            f"{ms(statistics.median(res.drain_seconds))} ms",
        )
    if res.display_seconds_ingest:
        row(
            "  screen updates / worst update (render+output)",
            f"{len(res.display_seconds_ingest)} / {ms(max(res.display_seconds_ingest))} ms",
        )
    if res.display_intervals:
        row(
            "  worst / p99 interval between screen updates (info)",
            f"{ms(max(res.display_intervals))} / {ms(pct(res.display_intervals, 99))} ms",
        )
    if res.gc_pauses:
        worst_gc = max(res.gc_pauses, key=lambda p: p[1])
        row("  GC runs / worst pause (generation)", f"{len(res.gc_pauses)} / {ms(worst_gc[1])} ms (gen {worst_gc[0]})")
    print(line)

    # baselines
    row("baseline: pilot.press wall time, unbound key 'x' (median)", f"{ms(statistics.median(res.noop_press))} ms")
    row("  (pilot's idle waits; NOT included in latencies below)", "")
    downs = [t.latency for t in res.down if t.latency is not None]
    row(
        "baseline: 'down' key -> repaint (median / max)",
        f"{ms(statistics.median(downs) if downs else None)} / {ms(max(downs, default=None))} ms",
    )
    row("  (framework floor: key dispatch + one screen update)", "")
    row("  note: a filter key needs two updates (Input, then table after", "")
    row("  Input.Changed bubbles to the app): + up to 1/60 s timer", "")
    print(line)

    # filter
    all_filter: list[float] = []
    for query, timings in res.queries.items():
        lat = [t.latency for t in timings if t.latency is not None]
        missing = sum(1 for t in timings if t.latency is None)
        all_filter.extend(lat)
        worst = max(lat, default=None)
        v = verdict(worst, TARGET_FILTER_MS / 1000) if not missing else "MISS (no repaint)"
        ok &= v == "PASS"
        work = max((t.work for t in timings), default=0.0)
        label = f"filter {query!r}" if not query.startswith("(") else f"filter {query}"
        row(
            f"{label[:46]} ({len(timings)} keys)",
            f"max {ms(worst)} / med {ms(statistics.median(lat) if lat else None)} ms",
            f"<= {TARGET_FILTER_MS:.0f} ms",
            v,
        )
        gc_worst = max((t.gc for t in timings), default=0.0)
        work_cpu = max((t.work_cpu for t in timings), default=0.0)
        row(
            "  set_filter worst wall / cpu, GC worst, rows at end",
            f"{ms(work)} / {ms(work_cpu)}, {ms(gc_worst)} ms, {timings[-1].rows:,}",
        )
    if all_filter:
        row(
            "filter: all keystrokes p50 / p99 / max",
            f"{ms(pct(all_filter, 50))} / {ms(pct(all_filter, 99))} / {ms(max(all_filter))} ms",
        )
    print(line)

    # sort
    for label, timing in res.sorts:
        v = verdict(timing.latency, TARGET_SORT_MS / 1000)
        ok &= v == "PASS"
        row(
            f"sort {label}"[:46],
            f"{ms(timing.latency)} ms (sort_by {ms(timing.work)}/cpu {ms(timing.work_cpu)})",
            f"<= {TARGET_SORT_MS:.0f} ms",
            v,
        )
    print(line)

    # memory
    rss_verdict = "PASS" if res.rss_peak_app <= TARGET_RSS_MB else "MISS"
    ok &= rss_verdict == "PASS"
    row("RSS at start (interpreter + textual + app imports)", f"{res.rss_start:.0f} MB")
    row("peak RSS after building the estate (benchmark's data)", f"{res.rss_after_gen:.0f} MB")
    row("peak RSS after ingest", f"{res.rss_after_ingest:.0f} MB")
    row(
        "peak RSS after filter + sort (whole process)",
        f"{res.rss_peak_app:.0f} MB",
        f"<= {TARGET_RSS_MB:.0f} MB",
        rss_verdict,
    )
    row("  current RSS then", f"{res.rss_current_app:.0f} MB")
    print(line)

    # comparison
    if res.dt_add_10k is not None or res.dt_rebuild_40k is not None:
        row(
            "stock DataTable: add_rows 10,000 -> repaint",
            f"{ms(res.dt_add_10k)} ms",
            "",
            f"(call {ms(res.dt_add_10k_call)} ms)",
        )
        row(
            "stock DataTable: clear + add_rows 40,000 (of 100k) -> repaint",
            f"{ms(res.dt_rebuild_40k)} ms",
            "",
            f"(call {ms(res.dt_rebuild_40k_call)} ms)",
        )
        if res.oneshot_40k is not None:
            one = res.oneshot_40k
            row(
                f"ResourceTable: filter {ONESHOT_QUERY!r} in one go -> repaint",
                f"{ms(one.latency)} ms",
                "",
                f"({one.rows:,} of {res.rows:,} rows)",
            )
            if one.latency and res.dt_rebuild_40k:
                row("  ratio DataTable rebuild / ResourceTable", f"{res.dt_rebuild_40k / one.latency:,.0f}x")
        if res.drain_seconds:
            per_10k = sum(res.drain_seconds) / max(1, res.rows) * 10_000
            row("ResourceTable: ingest work per 10,000 rows (sum of ticks)", f"{per_10k * 1000:.1f} ms")
        print(line)
    print("overall:", "PASS" if ok else "MISS (see rows marked MISS)")
    if args.keys:
        print()
        print("keystrokes over 50 ms (query, text so far, latency, set_filter, GC in window (top generation), rows):")
        for query, timings in res.queries.items():
            typed = ""
            for t in timings:
                typed = "" if t.key == "ctrl+u" else typed + t.key
                if t.latency is None or t.latency > TARGET_FILTER_MS / 1000:
                    print(
                        f"  {query!r:30} {typed or t.key!r:28} {ms(t.latency):>7} ms  work {ms(t.work):>6} "
                        f"(cpu {ms(t.work_cpu):>6})  "
                        f"GC {ms(t.gc):>6} (gen {t.gc_generation})  rows {t.rows:,}"
                    )
    if res.profile_text:
        print()
        print("cProfile of the filter + sort keystroke passes (tottime, then cumulative):")
        print(res.profile_text)
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--page-delay", type=float, default=0.002)
    parser.add_argument("--no-datatable", action="store_true", help="skip the stock DataTable comparison")
    parser.add_argument(
        "--no-terminal-emulation",
        action="store_true",
        help="do not render screen updates to terminal bytes (headless default)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the keystroke passes")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="experiment: gc.freeze() after every drain (a proposed fix), to measure its effect",
    )
    parser.add_argument("--keys", action="store_true", help="list every keystroke over its target")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)

    res = Results(rows=args.rows)
    res.rss_start = peak_rss_mb()
    start = time.monotonic()
    resources = make_resources(args.rows)
    res.gen_seconds = time.monotonic() - start
    res.rss_after_gen = peak_rss_mb()
    if args.verbose:
        from collections import Counter

        print(Counter(r.kind for r in resources).most_common(), flush=True)
    asyncio.run(run_tracker(resources, args, res))
    if not args.no_datatable:
        asyncio.run(run_datatable(resources, res))
    ok = report(res, args)
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
