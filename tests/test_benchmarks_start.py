"""Every benchmark still starts (imports what it needs and parses its options).

Nothing here measures anything: the benchmarks print their numbers when run by hand. This
only keeps a refactor from breaking them silently (a moved name, a changed import).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).resolve().parent.parent / "benchmarks").glob("*.py"))


def test_there_are_benchmarks() -> None:
    assert len(BENCHMARKS) >= 5


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_a_benchmark_starts(script: Path) -> None:
    done = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout


def test_price_coverage_counts_what_the_estimator_prices(tmp_path: Path) -> None:
    """The coverage benchmark on a tiny offer table: one type the catalogue has (at its price),
    one it has at another price, one it does not have; GovCloud is left out."""
    import gzip
    import json

    offers = {
        "publication_date": "2026-10-15T00:00:00Z",
        "source": "test",
        "regions": {
            "us-east-1": {"ec2_hour": {"m5.large": 0.096, "t3.micro": 0.02, "x9z.mega": 1.0},
                          "ebs_gb_month": {"gp3": 0.08}},
            "us-gov-west-1": {"ec2_hour": {"m5.large": 0.12}},
        },
    }
    path = tmp_path / "prices.json.gz"
    path.write_bytes(gzip.compress(json.dumps(offers).encode()))
    script = BENCHMARKS[0].parent / "price_coverage.py"
    done = subprocess.run([sys.executable, str(script), "--offers", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "(1 commercial regions of 2)" in out
    ec2 = out.split("EC2 Linux, every type")[1].split("\n\n")[0]
    lines = {line[:24].strip(): line[24:].split() for line in ec2.splitlines()[2:]}
    assert lines["pairs"] == ["3"] and lines["priced"] == ["2"] and lines["priced, within 5%"] == ["1"]
    assert lines["worst"] == ["48.0%", "(t3.micro", "us-east-1)"]  # 0.0104 against 0.02
    assert "us-east-1 unknown (this checkout): 1 of 3" in out


def test_idle_checks_batches_and_judges_like_one_call_per_row() -> None:
    """The idle-checks benchmark at a small size: 40 instances (10 of them m5.2xlarge, read
    hourly for rightsizing) and 20 rows of other kinds are 229 queries, one batched call against
    60; both runs judge every row the same (the script exits 1 otherwise)."""
    script = BENCHMARKS[0].parent / "idle_checks.py"
    args = ["--instances", "40", "--others", "20", "--latency", "0", "--moto", "20"]
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    table = {line[:32].strip(): line[32:].split() for line in done.stdout.splitlines() if "a call" in line[:32]
             or "per row" in line[:32]}  # fmt: skip
    # requests, metrics, (wall), flagged, clear, no data
    batched, per_row = table["batched (500 queries a call)"], table["one call per row"]
    assert (batched[:2], batched[3:]) == (["1", "229"], ["11", "47", "2"])
    assert (per_row[:2], per_row[3:]) == (["60", "229"], ["11", "47", "2"])
    assert "same verdicts: True" in done.stdout
    assert "rightsize-instance x3" in done.stdout
    assert "moto, 15 m5.large instances: 1 requests, 60 metrics" in done.stdout
    assert "verdicts as the fake's: True" in done.stdout
