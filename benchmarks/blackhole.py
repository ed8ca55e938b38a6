"""Black-hole benchmark: what endpoints that never answer cost a scan.

    python benchmarks/blackhole.py                # side by side: no fault, one service, one region
    python benchmarks/blackhole.py --one-cell [--uncapped]

**Side by side** (the default, issue 21): the demo's estate (moto in a child process, every
kind in 4 regions) is scanned through a fault-injecting loopback proxy of this process
(``FaultProxy``), with the real default config, three times in one run: with no fault; with
one service of one region black-holed (Lambda in eu-west-1); with every endpoint of that
region black-holed.  The proxy reads each request's SigV4 credential scope (region and
service), forwards it to moto or swallows it (accepts, never answers).  It prints each scan's
wall time, the difference to the unfaulted one (the target: at most 20 s), the cells that
ended unreachable or timed out, whether every bucket of the account was still listed and
every cell outside the faulted region ended as in the unfaulted scan.

**--one-cell**: the older measurement below.

With the real default config (``DEFAULT_CONFIG``: connect 5 s, read 20 s, standard retries,
5 attempts, timeouts capped at 2), it scans two cells of one account side by side:

* ``rds:db-instance`` in us-east-1, whose endpoint is a loopback TCP server that accepts
  every connection, reads the request and never answers (the black hole, in this process);
* ``logs:log-group`` in us-east-1, served by moto in a child process
  (``python -m tracker_tui.demo --serve``, as in ``scan_latency.py``), seeded with a few groups.

The two services are pointed at the two servers with botocore's per-service endpoint
variables (``AWS_ENDPOINT_URL_RDS``, ``AWS_ENDPOINT_URL_CLOUDWATCH_LOGS``); a guard on the
session refuses any request that is not for 127.0.0.1, so nothing leaves the machine.

Prints how long the black-holed cell took to give up, how many attempts reached the black
hole, how long the moto cell and the whole scan took, and whether the give-up is within
60 s and within the computed bound (``MAX_CALL_SECONDS``).  ``--uncapped`` leaves botocore's
retry handler as it is (5 attempts on timeouts too) to show what the cap saves (~110 s).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

READY_TIMEOUT = 60.0
GIVE_UP_TARGET = 60.0
LOG_GROUPS = 5


class BlackHole:
    """127.0.0.1 on a free port: accepts, reads, never answers; counts requests."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)  # accept() polls, so stop() needs no blocked-call tricks
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.requests = 0
        self.arrivals: list[float] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._acceptor = threading.Thread(target=self._accept, name="black-hole", daemon=True)
        self._acceptor.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._swallow, args=(conn,), daemon=True).start()

    def _swallow(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        seen = b""
        counted = False
        with conn:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return  # the client gave up on this attempt
                seen += chunk
                if not counted and b"\r\n\r\n" in seen:
                    counted = True
                    with self._lock:
                        self.requests += 1
                        self.arrivals.append(time.monotonic())

    def stop(self) -> None:
        self._stop.set()
        self._acceptor.join(5)  # before close(): accept() on a closed socket raises in that thread
        self._listener.close()


def start_moto(seed: bool = False) -> tuple[subprocess.Popen[str], str]:
    """moto's server in a child process (with the demo's estate when ``seed``); returns
    (process, URL).  It exits when stdin closes."""
    env = dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS="false")
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker_tui.demo", "--serve", *(["--seed"] if seed else [])],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(READY_TIMEOUT)
    ready = line[0].strip() if line else ""
    if not ready.startswith("READY "):
        process.kill()
        raise SystemExit(f"moto server did not start: {ready or 'no output'}")
    return process, ready.split()[1]


def stop_moto(process: subprocess.Popen[str]) -> None:
    try:
        if process.stdin:
            process.stdin.close()
        process.wait(timeout=10)
    except Exception:  # noqa: BLE001 - best effort at exit
        process.kill()
        process.wait(timeout=10)


def _loopback_only(request: Any, **_: Any) -> None:
    """before-send guard: a request for anything but 127.0.0.1 fails before it is sent."""
    host = urlsplit(request.url).hostname
    if host != "127.0.0.1":
        raise RuntimeError(f"benchmark refused a non-loopback request to {host}")


_SCOPE = re.compile(rb"Credential=[^/]+/[0-9]{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")


class FaultProxy:
    """127.0.0.1 on a free port: forwards each request to ``upstream`` (moto), or, when its
    SigV4 scope's (region, service) is faulted, accepts it and never answers."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.faults: set[tuple[str, str]] = set()  # (region, service); service "*" for all
        self.swallowed = 0
        self.forwarded = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                scope = _SCOPE.search((self.headers.get("Authorization") or "").encode())
                region, service = (scope.group(1).decode(), scope.group(2).decode()) if scope else ("", "")
                if (region, service) in proxy.faults or (region, "*") in proxy.faults:
                    with proxy._lock:
                        proxy.swallowed += 1
                    proxy._stop.wait(120)  # the black hole: the client's read timeout ends it
                    self.close_connection = True
                    return
                with proxy._lock:
                    proxy.forwarded += 1
                host = proxy.upstream.hostname or "127.0.0.1"
                conn = http.client.HTTPConnection(host, proxy.upstream.port, timeout=60)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                    conn.request(self.command, self.path, body=body, headers=headers)
                    reply = conn.getresponse()
                    data = reply.read()
                    self.send_response(reply.status)
                    for key, value in reply.getheaders():
                        if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                finally:
                    conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()


FAULTED_REGION = "eu-west-1"
SCENARIOS: tuple[tuple[str, set[tuple[str, str]]], ...] = (
    ("no fault", set()),
    (f"lambda black-holed in {FAULTED_REGION}", {(FAULTED_REGION, "lambda")}),
    (f"all of {FAULTED_REGION} black-holed", {(FAULTED_REGION, "*")}),
)
#: The most a black-holed set of endpoints may add to a scan (issue 21).
ADDED_TARGET = 20.0


def side_by_side() -> int:
    """Scan the demo estate through the proxy with each scenario's faults; print the table."""
    moto, moto_url = start_moto(seed=True)
    proxy = FaultProxy(moto_url)
    try:
        os.environ.pop("AWS_ENDPOINT_URL", None)
        from tracker_tui.aws.kinds import REGISTRY, resolve_kinds
        from tracker_tui.aws.scan import Collector, ScanEngine, ScanOptions
        from tracker_tui.aws.session import DEFAULT_CONFIG, AwsSession, SessionOptions
        from tracker_tui.demo import demo_boto_session
        from tracker_tui.demo_estate import DEMO_REGIONS
        from tracker_tui.model import CellStatus, Identity

        def scan() -> tuple[float, Collector]:
            boto = demo_boto_session()
            boto.events.register("before-send", _loopback_only)
            session = AwsSession(SessionOptions(endpoint_url=proxy.url, home_region="us-east-1"), boto_session=boto)
            assert session.config.read_timeout == DEFAULT_CONFIG.read_timeout  # the real timeouts
            engine = ScanEngine(
                session, Identity("123456789012"), list(DEMO_REGIONS), resolve_kinds(list(REGISTRY.ids)),
                ScanOptions(concurrency=32),
            )  # fmt: skip
            collector = Collector()
            t0 = time.monotonic()
            engine.run(collector)
            return time.monotonic() - t0, collector

        print(
            f"demo estate via moto {moto_url}, fault proxy {proxy.url}; {len(DEMO_REGIONS)} regions x "
            f"{len(REGISTRY.ids)} kinds; connect {DEFAULT_CONFIG.connect_timeout} s, read "
            f"{DEFAULT_CONFIG.read_timeout} s",
            flush=True,
        )
        scan()  # warm-up: the demo seeds while it answers; measure a seeded account only
        runs = []
        for label, faults in SCENARIOS:
            proxy.faults = set(faults)
            before = proxy.swallowed
            wall, collector = scan()
            runs.append((label, wall, collector, proxy.swallowed - before))
            print(f"  {label}: {wall:.1f} s", flush=True)
    finally:
        proxy.stop()
        stop_moto(moto)

    _, base_wall, base, _ = runs[0]
    base_cells = {(r.cell.region, r.cell.kind): (r.status, r.count) for r in base.results}
    base_buckets = {r.id for r in base.resources if r.kind == "s3:bucket"}
    print()
    print(f"{'scan':<40}{'wall':>8}{'added':>9}{'swallowed':>11}{'down':>6}{'timeout':>9}  buckets  other cells")
    ok = True
    for label, wall, collector, swallowed in runs:
        statuses = [r.status for r in collector.results]
        down = statuses.count(CellStatus.UNREACHABLE)
        timed = statuses.count(CellStatus.TIMED_OUT)
        buckets = {r.id for r in collector.resources if r.kind == "s3:bucket"}
        others = {
            (r.cell.region, r.cell.kind): (r.status, r.count)
            for r in collector.results
            if r.cell.region != FAULTED_REGION
        }
        same = all(base_cells.get(key) == value for key, value in others.items() if key[1] != "s3:bucket")
        added = wall - base_wall
        print(
            f"{label:<40}{wall:>7.1f}s{added:>+8.1f}s{swallowed:>11}{down:>6}{timed:>9}  "
            f"{len(buckets)}/{len(base_buckets)}{'':>4}{'exact' if same else 'DIFFER'}"
        )
        ok = ok and added <= ADDED_TARGET and buckets == base_buckets and same
    print()
    print(f"{'PASS' if ok else 'MISS'}  every fault adds at most {ADDED_TARGET:.0f} s, every bucket listed, "
          f"every cell outside {FAULTED_REGION} as without faults")
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--one-cell", action="store_true", help="the single black-holed cell beside a moto cell")
    parser.add_argument(
        "--uncapped",
        action="store_true",
        help="with --one-cell: leave botocore's retries as they are (5 attempts on timeouts) for comparison",
    )
    args = parser.parse_args(argv)
    if not args.one_cell:
        return side_by_side()

    black_hole = BlackHole()
    moto, moto_url = start_moto()
    try:
        # Before any boto3 session exists: botocore reads these when it makes a client.
        os.environ.pop("AWS_ENDPOINT_URL", None)  # AwsSession would send every service to it
        os.environ["AWS_ENDPOINT_URL_RDS"] = black_hole.url
        os.environ["AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"] = moto_url

        import tracker_tui.aws.session as session_module
        from tracker_tui.aws.kinds import resolve_kinds
        from tracker_tui.aws.scan import Collector, ScanEngine
        from tracker_tui.aws.session import (
            DEFAULT_CONFIG,
            MAX_CALL_SECONDS,
            TIMEOUT_MAX_ATTEMPTS,
            AwsSession,
            SessionOptions,
        )
        from tracker_tui.demo import demo_boto_session
        from tracker_tui.model import CellFinished, Identity, ScanEvent

        if args.uncapped:
            session_module.cap_timeout_retries = lambda client, breaker=None: None

        seed = demo_boto_session().client("logs", region_name="us-east-1", endpoint_url=moto_url)
        for i in range(LOG_GROUPS):
            seed.create_log_group(logGroupName=f"/bench/app-{i}")

        boto = demo_boto_session()
        boto.events.register("before-send", _loopback_only)
        session = AwsSession(SessionOptions(home_region="us-east-1"), boto_session=boto)
        assert session.config is DEFAULT_CONFIG  # the real timeouts, nothing shortened
        engine = ScanEngine(
            session, Identity("123456789012"), ["us-east-1"], resolve_kinds(["rds:db-instance", "logs:log-group"])
        )
        collector = Collector()
        finished_at: dict[str, float] = {}
        t0 = time.monotonic()

        def sink(event: ScanEvent) -> None:
            if isinstance(event, CellFinished):
                finished_at[event.result.cell.kind] = time.monotonic() - t0
            collector(event)

        print(
            f"black hole {black_hole.url}; moto {moto_url} (pid {moto.pid}); "
            f"connect {DEFAULT_CONFIG.connect_timeout} s, read {DEFAULT_CONFIG.read_timeout} s, "
            f"{DEFAULT_CONFIG.retries['total_max_attempts']} attempts, timeouts "
            + ("NOT capped (--uncapped)" if args.uncapped else f"capped at {TIMEOUT_MAX_ATTEMPTS}"),
            flush=True,
        )
        result = engine.run(sink)
        wall = time.monotonic() - t0
    finally:
        black_hole.stop()
        stop_moto(moto)

    by_kind = {r.cell.kind: r for r in result.results}
    hole, normal = by_kind["rds:db-instance"], by_kind["logs:log-group"]
    gaps = [b - a for a, b in zip(black_hole.arrivals, black_hole.arrivals[1:], strict=False)]
    print()
    print(
        f"{'black-holed cell (rds, us-east-1)':<36}{hole.seconds:>8.2f} s to give up: {hole.status.value}, "
        f"code {hole.code}"
    )
    print(f"{'':<36}{hole.message}")
    print(
        f"{'attempts that reached the black hole':<36}{black_hole.requests:>8}"
        + (f"   (gaps between them: {', '.join(f'{g:.2f} s' for g in gaps)})" if gaps else "")
    )
    print(
        f"{'moto cell (logs, us-east-1)':<36}{normal.seconds:>8.2f} s: {normal.status.value}, "
        f"{normal.count} resources (finished at +{finished_at.get('logs:log-group', float('nan')):.2f} s)"
    )
    print(f"{'whole scan':<36}{wall:>8.2f} s   (engine: {result.seconds:.2f} s)")
    print(f"{'bound MAX_CALL_SECONDS':<36}{MAX_CALL_SECONDS:>8.2f} s")
    within = hole.seconds <= GIVE_UP_TARGET
    print()
    print(f"{'PASS' if within else 'MISS'}  black-holed cell gave up in {hole.seconds:.2f} s <= {GIVE_UP_TARGET:.0f} s")
    if not args.uncapped:
        print(
            f"{'PASS' if hole.seconds <= MAX_CALL_SECONDS else 'MISS'}  and within the computed bound "
            f"{MAX_CALL_SECONDS:.2f} s"
        )
    return 0 if within or args.uncapped else 1


if __name__ == "__main__":
    sys.exit(main())
