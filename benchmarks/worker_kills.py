"""Worker kills: does a scan in worker processes always end when a worker is killed mid-scan?

    python benchmarks/worker_kills.py [--runs 100] [--wait 90]
    PYTHONPATH=/tmp/old/src:/tmp/old python benchmarks/worker_kills.py   # another checkout

Each run scans 8 accounts of the tests' moto Organization (``tests/support/org_server.py``:
20 members on the demo's server, on loopback) with 2 worker processes, and SIGKILLs one of
the live workers after a random number (1-30) of row events, a random 0-50 ms later; the
added latency per call is 0, 5 or 30 ms, at random.  A run that has not ended ``--wait``
seconds later counts as hung: the script prints every thread's stack and stops.

Prints each run, then the number of runs, kills and hangs.  A rare deadlock needs many runs
to show (the pool before per-worker pipes hung once in 156 runs); a hang here is a bug, not
noise.  Not a test: a hundred runs take about ten minutes.
"""

from __future__ import annotations

import argparse
import faulthandler
import os
import random
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--wait", type=float, default=90.0, help="seconds before a run counts as hung")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ[name] = "testing"  # moto's dummy keys: nothing leaves the machine
    os.environ.update(
        AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull
    )
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.support

    import boto3

    from tests.support.fake_workers import live_worker_pids
    from tests.support.helpers import ROLE
    from tests.support.org_server import KINDS, REGIONS, org_server
    from tracker_tui.aws.accounts import org_role_sessions
    from tracker_tui.aws.kinds import resolve_kinds
    from tracker_tui.aws.scan import ScanOptions
    from tracker_tui.aws.session import AwsSession, SessionOptions
    from tracker_tui.aws.source import MultiSource
    from tracker_tui.demo import Latency
    from tracker_tui.model import ResourcesFound

    rng = random.Random(args.seed)
    kills = hangs = 0
    with org_server() as server:
        ids = [server.management, *server.members][:8]
        for run in range(args.runs):
            target, pause, delay = rng.randint(1, 30), rng.random() * 0.05, rng.choice([0, 5, 30])
            seen, killed = [0], []

            def sink(
                event: Any, target: int = target, pause: float = pause, seen: Any = seen, killed: Any = killed
            ) -> None:
                if isinstance(event, ResourcesFound) and not killed:
                    seen[0] += 1
                    pids = live_worker_pids() if seen[0] >= target else []
                    if pids:
                        time.sleep(pause)
                        killed.append(rng.choice(pids))
                        try:
                            os.kill(killed[0], signal.SIGKILL)
                        except ProcessLookupError:
                            pass  # it ended in the pause

            base = AwsSession(
                SessionOptions(endpoint_url=server.endpoint, home_region="us-east-1"),
                boto_session=boto3.Session(region_name="us-east-1"),
                request_delay=Latency(delay) if delay else None,
            )
            source = MultiSource(
                lambda base=base: org_role_sessions(base, ROLE, account_ids=ids),
                resolve_kinds(list(KINDS)),
                REGIONS,
                ScanOptions(),
                workers=2,
            )
            ended = threading.Event()

            def scan(source: Any = source, ended: threading.Event = ended) -> None:
                try:
                    source.scan(sink, threading.Event())
                finally:
                    ended.set()

            threading.Thread(target=scan, daemon=True).start()
            if not ended.wait(args.wait):
                hangs += 1
                print(f"run {run}: HUNG (kill after {target} row events, {delay} ms per call)", flush=True)
                faulthandler.dump_traceback(file=sys.stdout)
                break
            kills += bool(killed)
            print(f"run {run}: ended ({'a worker killed' if killed else 'no worker left to kill'})", flush=True)
    print(f"{run + 1} runs, {kills} workers killed, {hangs} hung")
    return 1 if hangs else 0


if __name__ == "__main__":
    sys.exit(main())
