"""Client CPU per AWS request: one full 27-kind scan of the demo estate, this checkout beside another.

    python benchmarks/scan_cpu.py [--compare /tmp/before] [--repeat 3] [--delay-ms 0] [--profile N]

What it does:

1. starts the demo's moto server in a child process, seeded with its estate
   (``python -m tracker_tui.demo --serve --seed``, what ``tracker-tui scan --demo`` starts), and
   waits until the seeding says it is done, so no request is held by the seeding gates;
2. for each run, in a fresh Python process per checkout (this one, and ``--compare DIR`` through
   ``PYTHONPATH=DIR/src``), alternating which goes first: imports everything, then scans every
   kind over the demo's 17 enabled regions as ``tracker-tui scan --demo`` does (``LiveSource``:
   preload, identity, regions, then ``ScanEngine`` with the demo's 16 workers, pricing and the
   per-row findings), with ``--delay-ms`` added before every request (default none);
3. measures, in that process: client CPU seconds (``time.process_time()`` from just before the
   session is built to the scan's end: imports excluded, every thread included), the HTTP
   requests sent (attempts, retries included: a ``before-send`` handler on the botocore
   session, registered the same way in both checkouts), CPU per request, resources and wall;
4. prints the best (lowest CPU per request) of ``--repeat`` runs per checkout with the median
   CPU per request beside it, and the ratios of this checkout to the other, then compares
   every scan's inventory with the first's: every resource by its key, with its monthly cost,
   cost basis, findings (the per-row ones and, worked out after the scan, those that read
   other rows), and every other field, and the error cells: MATCH or DIFFER (with the first
   differences).  EFS's ``size_measured`` is left out: moto stamps it with the request time.

``--profile N`` profiles one scan per checkout instead (yappi, CPU clock, every thread: it
slows the scan several times over, so read its shares, not its seconds) and prints the top
N functions by own time and by cumulative time.

Loopback only; nothing leaves the machine.  Run it on an idle machine: the server and the
scan share the cores, and CPU seconds too vary with what else runs (up to 1.5x here on a
busy machine), hence the alternating order, the best and the median.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

READY_TIMEOUT = 60.0
SEED_TIMEOUT = 300.0
HERE = Path(__file__).resolve().parent.parent
#: Details moto stamps with the time of the request, left out of the comparison: EFS's
#: ``SizeInBytes.Timestamp`` is "now" on every DescribeFileSystems.
CLOCK_DETAILS = {"efs:file-system": ("size_measured",)}


# --- the server ------------------------------------------------------------------------------


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen[str], str, str]:
    """The demo server with its estate: (process, endpoint, the SEEDED line)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker_tui.demo", "--serve", "--seed"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    lines: list[str] = []
    done = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.strip())
            if line.startswith("SEEDED"):
                break
        done.set()

    threading.Thread(target=read, daemon=True).start()
    started = time.monotonic()
    while not lines and time.monotonic() - started < READY_TIMEOUT:
        time.sleep(0.05)
    if not lines or not lines[0].startswith("READY "):
        process.kill()
        raise SystemExit(f"the demo server did not start: {lines!r}")
    endpoint = lines[0].split()[1]
    if not done.wait(SEED_TIMEOUT) or not lines[-1].startswith("SEEDED"):
        process.kill()
        raise SystemExit(f"the demo server did not finish seeding: {lines[-3:]!r}")
    return process, endpoint, lines[-1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- one measured scan (a child process, one checkout) ---------------------------------------


def child(args: argparse.Namespace) -> None:
    import tracker_tui
    from tracker_tui.aws.kinds import resolve_kinds
    from tracker_tui.aws.scan import Collector, ScanOptions, error_entries
    from tracker_tui.aws.session import AwsSession, SessionOptions
    from tracker_tui.aws.source import LiveSource
    from tracker_tui.demo import DEMO_ENABLED_REGIONS, DEMO_MAX_CONCURRENCY, demo_boto_session, latency_for
    from tracker_tui.findings import related_findings

    profiler: Any = None
    if args.profile:
        try:
            import yappi  # every thread, CPU clock (cProfile sees the main thread only)
        except ImportError:
            raise SystemExit("--profile needs yappi: pip install yappi") from None
        profiler = yappi
        yappi.set_clock_type("cpu")

    sent = [0]
    count_lock = threading.Lock()

    def count(**_: Any) -> None:
        with count_lock:
            sent[0] += 1

    kinds = resolve_kinds(None)
    if profiler is not None:
        profiler.start(builtins=True, profile_threads=True)
    cpu0 = time.process_time()
    t0 = time.monotonic()
    boto = demo_boto_session()
    # On the botocore session before any client exists: every client copies its handlers.
    boto._session.register("before-send", count)  # noqa: SLF001 - botocore's own session
    session = AwsSession(
        SessionOptions(endpoint_url=args.endpoint, home_region="us-east-1"),
        boto_session=boto,
        request_delay=latency_for(args.delay_ms) if args.delay_ms else None,
    )
    source = LiveSource(
        lambda: session,
        kinds,
        options=ScanOptions(concurrency=DEMO_MAX_CONCURRENCY),
        enabled_regions=DEMO_ENABLED_REGIONS,
    )
    collector = Collector()
    finished = source.scan(collector, threading.Event())
    cpu = time.process_time() - cpu0
    wall = time.monotonic() - t0
    if profiler is not None:
        profiler.stop()
    requests = sent[0]
    own_count = getattr(session, "requests_sent", None)

    rows = {r.key: r for r in collector.resources}
    for row in related_findings(rows.values(), finished.results):
        rows[row.key] = row
    inventory = {
        "resources": sorted(
            (r.to_dict() for r in rows.values()), key=lambda d: (d["account_id"], d["region"], d["kind"], d["id"])
        ),
        "errors": [e.to_dict() for e in error_entries(finished.results)],
    }
    Path(args.out).write_text(json.dumps(inventory, sort_keys=True, default=str))
    print(
        json.dumps(
            {
                "source": str(Path(tracker_tui.__file__).parent),
                "cpu": cpu,
                "wall": wall,
                "requests": requests,
                "requests_sent": own_count,
                "resources": len(collector.resources),
                "errors": len(inventory["errors"]),
                "clients": session.clients_created,
            }
        ),
        flush=True,
    )
    if profiler is not None:
        report_profile(profiler, args.profile, cpu, requests)


def report_profile(yappi: Any, top: int, cpu: float, requests: int) -> None:
    stats = yappi.get_func_stats()
    total = sum(s.ttot for s in yappi.get_thread_stats()) or cpu
    print(f"\nprofile: {cpu:.2f} s CPU, {requests} requests, threads' CPU {total:.2f} s", file=sys.stderr)
    for title, key in (("own time", "tsub"), ("cumulative", "ttot")):
        print(f"\ntop {top} by {title} (s, % of the scan's CPU, calls):", file=sys.stderr)
        for s in sorted(stats, key=lambda s: -getattr(s, key))[:top]:
            where = f"{Path(s.module).name}:{s.lineno}" if s.module else "?"
            seconds = getattr(s, key)
            print(f"  {seconds:7.3f} {100 * seconds / cpu:5.1f}%  {s.ncall:>8}  {s.name}  ({where})", file=sys.stderr)


# --- the parent ------------------------------------------------------------------------------


def run_child(
    args: argparse.Namespace, name: str, src: Path, endpoint: str, out: Path, env: dict[str, str]
) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", "--endpoint", endpoint, "--out", str(out)]
    cmd += ["--delay-ms", str(args.delay_ms)]
    if args.profile:
        cmd += ["--profile", str(args.profile)]
    child_env = dict(env, PYTHONPATH=str(src))
    done = subprocess.run(cmd, env=child_env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise SystemExit(f"the scan under {src} failed:\n{done.stderr[-3000:]}")
    if args.profile:
        print(f"\n=== profile of {name} ({src})", done.stderr, sep="\n")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["out"] = str(out)
    return result


def per_request(run: dict[str, Any]) -> float:
    """CPU ms per request of one run."""
    return 1000 * float(run["cpu"]) / max(1, int(run["requests"]))


def compare(a: Path, b: Path, limit: int = 8) -> list[str]:
    """The first differences between two inventories (empty: the same)."""
    left, right = json.loads(a.read_text()), json.loads(b.read_text())
    differences: list[str] = []
    if left["errors"] != right["errors"]:
        differences.append(f"errors: {left['errors']} != {right['errors']}")

    def keyed(inv: dict[str, Any]) -> dict[tuple[str, ...], dict[str, Any]]:
        for r in inv["resources"]:
            for name in CLOCK_DETAILS.get(r["kind"], ()):
                r["details"].pop(name, None)
        return {(r["account_id"], r["region"], r["kind"], r["id"]): r for r in inv["resources"]}

    lk, rk = keyed(left), keyed(right)
    for key in sorted(set(lk) ^ set(rk)):
        differences.append(f"only in {a.stem if key in lk else b.stem}: {key}")
    for key in sorted(set(lk) & set(rk)):
        if lk[key] != rk[key]:
            fields = sorted(f for f in set(lk[key]) | set(rk[key]) if lk[key].get(f) != rk[key].get(f))
            shown = {f: (lk[key].get(f), rk[key].get(f)) for f in fields}
            differences.append(f"{key}: {json.dumps(shown, default=str)[:400]}")
    return differences[:limit] + ([f"... {len(differences) - limit} more"] if len(differences) > limit else [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compare", metavar="DIR", help="another checkout to run side by side (its src/ is used)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per checkout; the best is shown")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="latency added before every request")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile one scan per checkout: top N")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    with tempfile.TemporaryDirectory(prefix="scan-cpu-") as tmp:
        # Neither checkout reads the user's config, price cache or history.
        env = dict(os.environ)
        for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
            env[var] = str(Path(tmp) / var.lower())
        env.pop("AWS_ENDPOINT_URL", None)
        ours = HERE / "src"
        checkouts = [("this", ours)]
        if args.compare:
            checkouts.append(("before", Path(args.compare).resolve() / "src"))
        server, endpoint, seeded = start_server(dict(env, PYTHONPATH=str(ours)))
        try:
            print(
                f"demo server {endpoint}: {seeded}; delay {args.delay_ms:g} ms/request; load {os.getloadavg()[0]:.2f}"
            )
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in checkouts}
            repeat = 1 if args.profile else args.repeat
            for i in range(repeat):
                # Alternating which goes first: a machine busier in one half of the run
                # weighs on both.
                for name, src in checkouts if i % 2 == 0 else checkouts[::-1]:
                    server_cpu0 = cpu_seconds(server.pid)
                    result = run_child(args, name, src, endpoint, Path(tmp) / f"{name}-{i}.json", env)
                    result["server_cpu"] = cpu_seconds(server.pid) - server_cpu0
                    runs[name].append(result)
                    print(
                        f"  run {i + 1} {name:6s}: {result['cpu']:6.2f} s CPU, {result['requests']} requests, "
                        f"{per_request(result):5.2f} ms/request, wall {result['wall']:5.1f} s",
                        flush=True,
                    )
        finally:
            if server.stdin:
                server.stdin.close()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        report(runs, checkouts)


def report(runs: dict[str, list[dict[str, Any]]], checkouts: list[tuple[str, Path]]) -> None:
    """The table (best run of each checkout, and the median's CPU per request), the ratio, and
    whether every scan listed the same inventory."""
    best = {name: min(rs, key=per_request) for name, rs in runs.items()}
    median = {name: statistics.median(per_request(r) for r in rs) for name, rs in runs.items()}
    print()
    header = f"{'checkout':10s} {'CPU s':>7s} {'requests':>9s} {'ms/req':>7s} {'median':>7s} {'resources':>9s} "
    header += f"{'errors':>6s} {'clients':>7s} {'wall s':>7s} {'server CPU s':>12s}"
    print(header)
    for name, _ in checkouts:
        r = best[name]
        print(
            f"{name:10s} {r['cpu']:7.2f} {r['requests']:9d} {per_request(r):7.2f} {median[name]:7.2f} "
            f"{r['resources']:9d} {r['errors']:6d} {r['clients']:7d} {r['wall']:7.1f} {r['server_cpu']:12.1f}"
        )
    this = best["this"]
    if this.get("requests_sent") is not None:
        print(
            f"AwsSession.requests_sent (this checkout): {this['requests_sent']} "
            f"(the benchmark's own count: {this['requests']})"
        )
    if "before" in best:
        ratio = per_request(this) / per_request(best["before"])
        ratio_median = median["this"] / median["before"]
        print(
            f"CPU per request, this / before: {ratio:.2f} best ({100 * (1 - ratio):.0f}% less), "
            f"{ratio_median:.2f} median ({100 * (1 - ratio_median):.0f}% less)"
        )
    outs = [Path(r["out"]) for rs in runs.values() for r in rs]
    differences = [d for out in outs[1:] for d in compare(outs[0], out)]
    if differences:
        print("inventories: DIFFER")
        for line in differences[:20]:
            print(f"  {line}")
    else:
        print(f"inventories: MATCH ({len(outs)} scans: same resources, costs, findings and errors)")


if __name__ == "__main__":
    main()
