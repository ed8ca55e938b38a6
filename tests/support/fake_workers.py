"""Worker processes that misbehave on purpose, for ``tests/test_workers.py``; and the live ones.

``scan_in_workers`` starts ``tracker_tui.aws.workers.worker_main`` by name; a test points that
name at one of these (``monkeypatch``), so the worker process imports this module and runs it.
Worker 0 misbehaves; every other worker is the real one, so the scan has someone to finish it.
"""

from __future__ import annotations

import os
import signal
import struct
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from tracker_tui.aws import workers


def dies_mid_message(index: int, link: Connection, plan: Any, endpoint_env: str | None) -> None:
    """Takes an account, says it began, then is killed halfway through its next message (a
    frame that promises 1 MB and carries 10 bytes): what a worker killed by the kernel while
    writing a batch leaves in its pipe."""
    if index != 0:
        workers.worker_main(index, link, plan, endpoint_env)
        return
    job = link.recv()
    link.send([workers._Begun(index, job.identity.account_id)])
    os.write(link.fileno(), struct.pack("!i", 1_000_000) + b"x" * 10)
    os.kill(os.getpid(), signal.SIGKILL)


def never_answers(index: int, link: Connection, plan: Any, endpoint_env: str | None) -> None:
    """Takes an account and then neither reads nor writes again (a worker stuck for good)."""
    if index != 0:
        workers.worker_main(index, link, plan, endpoint_env)
        return
    job = link.recv()
    link.send([workers._Begun(index, job.identity.account_id)])
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        time.sleep(60)


def live_worker_pids() -> list[int]:
    """The scan's live workers, newest first: the fork server's children, from /proc (a worker
    of an earlier test may linger a moment, or be a zombie not yet reaped: never those)."""
    from multiprocessing import forkserver

    server_pid = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            state, ppid, started = fields[0], int(fields[1]), int(fields[19])
            if ppid == server_pid and state not in ("Z", "X"):
                found.append((started, int(entry.name)))
    return [pid for _, pid in sorted(found, reverse=True)]
