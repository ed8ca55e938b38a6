"""Black-hole benchmark: how long a cell whose endpoint never answers holds the scan.

    python benchmarks/blackhole.py [--uncapped]

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
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
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


def start_moto() -> tuple[subprocess.Popen[str], str]:
    """moto's server in a child process; returns (process, URL).  It exits when stdin closes."""
    env = dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS="false")
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker_tui.demo", "--serve"],
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--uncapped",
        action="store_true",
        help="leave botocore's retries as they are (5 attempts on timeouts) for comparison",
    )
    args = parser.parse_args(argv)

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
            session_module.cap_timeout_retries = lambda client: None  # type: ignore[assignment]

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
