"""How fast the demo gets going, seen from outside: the real command in a real terminal.

    python benchmarks/demo_first_rows.py [--runs 3] [--size 120x36] [--command "tracker-tui --demo"]

Starts ``tracker-tui --demo`` in a detached tmux session (a fresh HOME and XDG dirs, so no
earlier scan is shown from history and no config applies), reads the screen every 20 ms
with ``tmux capture-pane``, and reports, from the moment the command was started:

- ``first_row_s``: the first resource row on screen;
- ``scan_done_s``: the status line saying "scan complete" (every cell answered);
- the rows on screen at the end (the status line's count).

Needs tmux (Debian: ``apt-get install tmux``).  Nothing leaves the machine: the demo is a
moto server on a loopback port.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from tracker_tui.aws.kinds import REGISTRY

#: A table row starts with a kind id (the column may cut it short).
ROW = re.compile(r"^\s{1,3}(" + "|".join(re.escape(kind[:9]) for kind in REGISTRY) + r")")
DONE = re.compile(r"scan complete: (\d+) cells · ([\d,]+) found · (\d+) errors?")


def _screen(session: str) -> list[str]:
    out = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True)
    return out.stdout.splitlines()


def one_run(command: str, size: tuple[int, int], timeout: float) -> dict[str, float]:
    session = f"demo-bench-{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as home:
        env = {
            "HOME": home,
            "XDG_CONFIG_HOME": f"{home}/config",
            "XDG_DATA_HOME": f"{home}/data",
            "XDG_CACHE_HOME": f"{home}/cache",
            "XDG_STATE_HOME": f"{home}/state",
            "TERM": "xterm-256color",
            "PATH": os.environ.get("PATH", ""),
        }
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        width, height = size
        started = time.monotonic()
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", session, "-x", str(width), "-y", str(height),
             f"cd {shlex.quote(home)} && env -i {exports} {command}"],
            check=True,
        )  # fmt: skip
        first_row = float("nan")
        result: dict[str, float] = {}
        try:
            while time.monotonic() - started < timeout:
                lines = _screen(session)
                now = time.monotonic() - started
                if first_row != first_row and any(ROW.match(line) for line in lines[3:-2]):
                    first_row = now
                done = next((m for m in map(DONE.search, lines) if m), None)
                if done:
                    result = {
                        "first_row_s": first_row,
                        "scan_done_s": now,
                        "cells": float(done.group(1)),
                        "rows": float(done.group(2).replace(",", "")),
                        "errors": float(done.group(3)),
                    }
                    break
                time.sleep(0.02)
            else:
                raise RuntimeError(f"no 'scan complete' within {timeout:g} s; last screen:\n" + "\n".join(lines))
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", default="120x36", help="terminal size, WIDTHxHEIGHT")
    parser.add_argument("--command", default=f"{shlex.quote(sys.executable)} -m tracker_tui.cli --demo")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("needs tmux (apt-get install tmux)", file=sys.stderr)
        return 2
    width, height = (int(part) for part in args.size.lower().split("x"))
    runs = [one_run(args.command, (width, height), args.timeout) for _ in range(args.runs)]
    print(f"demo from outside: {args.command!r} in tmux {width}x{height}, {args.runs} runs")
    print(f"{'metric':<16}{'median':>10}{'min':>10}{'max':>10}   runs")
    for key in ("first_row_s", "scan_done_s"):
        values = [r[key] for r in runs]
        listed = ", ".join(f"{v:.2f}" for v in values)
        print(f"{key:<16}{statistics.median(values):>10.2f}{min(values):>10.2f}{max(values):>10.2f}   {listed}")
    last = runs[-1]
    print(f"at the end: {last['rows']:.0f} rows, {last['cells']:.0f} cells, {last['errors']:.0f} errors")
    first = statistics.median(r["first_row_s"] for r in runs)
    print(f"target: first row within 2.5 s of the command: {'PASS' if first <= 2.5 else 'MISS'} ({first:.2f} s)")
    print(f"load average when done: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
