"""Multi-account benchmark: 1, 5 and 10 accounts scanned at once, same added latency per call.

    python benchmarks/multi_account.py [--delay-ms 50] [--sizes 1,5,10] [--repeat 2] [--variants] [--strict]

What it does:

1. starts moto's server in a child process (``python -m tracker_tui.demo --serve``);
2. makes an Organization (the dummy credentials land in moto's default account, the
   management account) with 9 member accounts (``CreateAccount``), and seeds every account
   with the same small estate (a few hundred resources over ``--regions``) through
   credentials from ``AssumeRole`` into ``OrganizationAccountAccessRole`` -- moto maps those
   credentials to the role's account, so each member is a separate mocked account;
3. for each size N, in a fresh Python process (so ``ru_maxrss`` is that size's own peak),
   times what ``--org-role`` does: ``org_role_sessions`` (ListAccounts, AssumeRole per
   member) restricted to the first N accounts, then ``MultiSource.connect()`` (identity per
   account) and ``MultiSource.scan()`` over every kind in the named regions, every API
   call delayed by ``--delay-ms`` (``AwsSession(request_delay=...)``, the demo's mechanism);
4. prints a table (wall, ratio to 1 account, peak RSS, RSS per extra account, server CPU)
   and PASS/MISS for the two targets: 10 accounts within 1.5x of one account's wall time,
   and well under 60 MB of RSS per extra account;
5. with ``--variants``, also runs 10 accounts without shared service models (each Session
   its own botocore loader) and with 16 workers per account instead of the split, to show
   what each choice is worth.

Loopback only; nothing leaves the machine.  ``--strict`` exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROLE = "OrganizationAccountAccessRole"
REGIONS = ("us-east-1", "eu-west-1", "us-west-2")
MAX_ACCOUNTS = 10
READY_TIMEOUT = 60.0
TARGET_RATIO = 1.5
TARGET_MB_PER_ACCOUNT = 60.0


# --- the moto server and the estate ---------------------------------------------------------


def start_server() -> tuple[subprocess.Popen[str], str]:
    env = dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS="false")
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker_tui.demo", "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(READY_TIMEOUT)
    if not line or not line[0].startswith("READY "):
        process.kill()
        raise SystemExit(f"moto server did not start: {line!r}")
    return process, line[0].split()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM).

    Not ``ru_maxrss``: Linux carries that across fork+exec, so a child would report its
    (big, seeding) parent's peak.  VmHWM belongs to the current address space.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def base_boto() -> Any:
    from tracker_tui.demo import demo_boto_session

    return demo_boto_session()


def make_organization(endpoint: str) -> list[str]:
    """The Organization's account ids: the management account first, then the members."""
    from botocore.config import Config

    cfg = Config(retries={"mode": "standard", "max_attempts": 3})
    boto = base_boto()
    org = boto.client("organizations", endpoint_url=endpoint, config=cfg)
    org.create_organization(FeatureSet="ALL")
    management = boto.client("sts", endpoint_url=endpoint, config=cfg).get_caller_identity()["Account"]
    members = []
    for i in range(MAX_ACCOUNTS - 1):
        status = org.create_account(AccountName=f"team-{i:02d}", Email=f"team-{i:02d}@example.com")
        members.append(status["CreateAccountStatus"]["AccountId"])
    return [management, *members]


def account_boto(endpoint: str, account_id: str, management: str) -> Any:
    import boto3

    boto = base_boto()
    if account_id == management:
        return boto
    sts = boto.client("sts", endpoint_url=endpoint)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE}", RoleSessionName="seed")["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )


def seed_account(endpoint: str, account_id: str, management: str, regions: tuple[str, ...]) -> int:
    """The same small estate in every account; returns how many resources it made."""
    from botocore.config import Config

    cfg = Config(retries={"mode": "standard", "max_attempts": 3}, s3={"addressing_style": "path"})
    boto = account_boto(endpoint, account_id, management)
    count = 0
    iam = boto.client("iam", endpoint_url=endpoint, config=cfg)
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    )
    for i in range(20):
        iam.create_role(RoleName=f"svc-{i:02d}", AssumeRolePolicyDocument=trust)
    for i in range(8):
        iam.create_user(UserName=f"user-{i:02d}")
    count += 28
    s3 = boto.client("s3", endpoint_url=endpoint, config=cfg, region_name="us-east-1")
    for i, region in enumerate(regions * 2):
        kwargs: dict[str, Any] = {"Bucket": f"b-{account_id}-{i}"}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**kwargs)
        count += 1
    for region in regions:
        ec2 = boto.client("ec2", endpoint_url=endpoint, config=cfg, region_name=region)
        logs = boto.client("logs", endpoint_url=endpoint, config=cfg, region_name=region)
        az = ec2.describe_availability_zones()["AvailabilityZones"][0]["ZoneName"]
        ec2.run_instances(ImageId="ami-12c6146b", MinCount=10, MaxCount=10, InstanceType="t3.micro")
        count += 20  # instances and their root volumes
        for i in range(25):
            ec2.create_volume(AvailabilityZone=az, Size=10 + i, VolumeType="gp3")
        for _ in range(6):
            ec2.allocate_address(Domain="vpc")
        for i in range(25):
            logs.create_log_group(logGroupName=f"/svc/{region}/{i:02d}")
        count += 56
    return count


# --- one measured scan (runs in its own process) --------------------------------------------


def child(args: argparse.Namespace) -> None:
    t_import = time.monotonic()
    from tracker_tui.aws.accounts import org_role_sessions
    from tracker_tui.aws.kinds import resolve_kinds
    from tracker_tui.aws.scan import Collector, ScanOptions, error_entries
    from tracker_tui.aws.session import AwsSession, SessionOptions
    from tracker_tui.aws.source import MultiSource
    from tracker_tui.demo import latency_for

    accounts = args.account_ids.split(",")[: args.accounts]
    rss_before = peak_rss_mb()
    cpu0 = time.process_time()
    t0 = time.monotonic()
    base = AwsSession(
        SessionOptions(endpoint_url=args.endpoint, home_region="us-east-1"),
        boto_session=base_boto(),
        request_delay=latency_for(args.delay_ms),
    )
    targets, failures = org_role_sessions(base, ROLE, share_models=not args.no_share, account_ids=accounts)
    t_assumed = time.monotonic()
    source = MultiSource(
        lambda: (targets, failures),
        resolve_kinds(None),
        tuple(args.regions.split(",")),
        ScanOptions(),
        account_concurrency=args.account_concurrency,
    )
    source.connect()
    t_connected = time.monotonic()
    collector = Collector()
    finished = source.scan(collector, threading.Event())
    t_done = time.monotonic()
    print(
        json.dumps(
            {
                "accounts": len(source.connections),
                "failures": len(failures) + len(source.failures),
                "assume_s": t_assumed - t0,
                "connect_s": t_connected - t_assumed,
                "scan_s": t_done - t_connected,
                "wall_s": t_done - t0,
                "resources": len(collector.resources),
                "cells": len(finished.results),
                "errors": [e.to_dict() for e in error_entries(finished.results)][:3],
                "rss_before_mb": rss_before,
                "peak_rss_mb": peak_rss_mb(),
                "cpu_s": time.process_time() - cpu0,
                "clients": sum(t.session.clients_created for t in targets),
                "per_account_workers": source.per_account_concurrency(len(source.connections)),
                "import_s": t0 - t_import,
            }
        ),
        flush=True,
    )


def measure(
    endpoint: str, server_pid: int, ids: list[str], n: int, args: argparse.Namespace, *extra: str
) -> dict[str, Any]:
    cmd = [
        sys.executable, __file__, "--child", "--endpoint", endpoint, "--account-ids", ",".join(ids),
        "--accounts", str(n), "--delay-ms", str(args.delay_ms), "--regions", args.regions, *extra,
    ]  # fmt: skip
    cpu0 = cpu_seconds(server_pid)
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"child failed ({n} accounts):\n{out.stderr}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["server_cpu_s"] = cpu_seconds(server_pid) - cpu0
    return result


def best_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    best = min(runs, key=lambda r: r["wall_s"])
    best["wall_runs"] = [round(r["wall_s"], 2) for r in runs]
    best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=float, default=50.0)
    parser.add_argument("--sizes", default="1,5,10")
    parser.add_argument("--regions", default=",".join(REGIONS))
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--variants", action="store_true", help="also 10 accounts unshared / 16 workers each")
    parser.add_argument("--strict", action="store_true")
    # child-process options
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    parser.add_argument("--account-ids", help=argparse.SUPPRESS)
    parser.add_argument("--accounts", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-share", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--account-concurrency", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    regions = tuple(args.regions.split(","))
    process, endpoint = start_server()
    try:
        t0 = time.monotonic()
        ids = make_organization(endpoint)
        with ThreadPoolExecutor(max_workers=MAX_ACCOUNTS) as pool:
            counts = list(pool.map(lambda a: seed_account(endpoint, a, ids[0], regions), ids))
        print(
            f"moto server {endpoint}; Organization of {len(ids)} accounts, {counts[0]} resources each "
            f"over {', '.join(regions)} (seeded in {time.monotonic() - t0:.1f}s); "
            f"{args.delay_ms:.0f} ms added per API call; every kind; {os.cpu_count()} CPUs; "
            f"load {os.getloadavg()[0]:.2f}"
        )
        rows = {n: best_of([measure(endpoint, process.pid, ids, n, args) for _ in range(args.repeat)]) for n in sizes}
        one = rows[sizes[0]]
        print()
        print(
            f"{'accounts':>8} {'wall s':>7} {'runs':>13} {'x 1 acct':>8} {'assume':>7} {'connect':>7} {'scan':>6} "
            f"{'resources':>9} {'cells':>5} {'workers':>7} {'peak RSS MB':>11} {'MB/extra':>8} {'scan CPU s':>10} "
            f"{'server CPU s':>12}"
        )
        for n, r in rows.items():
            extra = (r["peak_rss_mb"] - one["peak_rss_mb"]) / (n - 1) if n > 1 else 0.0
            r["mb_per_extra"] = extra
            print(
                f"{n:>8} {r['wall_s']:>7.2f} {','.join(map(str, r['wall_runs'])):>13} "
                f"{r['wall_s'] / one['wall_s']:>8.2f} "
                f"{r['assume_s']:>7.2f} {r['connect_s']:>7.2f} {r['scan_s']:>6.2f} {r['resources']:>9} {r['cells']:>5} "
                f"{r['per_account_workers']:>7} {r['peak_rss_mb']:>11.1f} {extra if n > 1 else float('nan'):>8.1f} "
                f"{r['cpu_s']:>10.2f} {r['server_cpu_s']:>12.2f}"
            )
            if r["failures"] or r["errors"]:
                print(f"         !! failures={r['failures']} errors={r['errors']}")
        print(f"(peak RSS of a fresh interpreter after imports, before any session: {one['rss_before_mb']:.1f} MB)")

        if args.variants:
            n = max(sizes)
            print()
            print(f"variants at {n} accounts (best of {args.repeat}):")
            base = rows[n]
            variants = {
                "as above (shared models, split workers)": base,
                "each Session its own model loader": best_of(
                    [measure(endpoint, process.pid, ids, n, args, "--no-share") for _ in range(args.repeat)]
                ),
                "16 workers per account": best_of(
                    [
                        measure(endpoint, process.pid, ids, n, args, "--account-concurrency", "16")
                        for _ in range(args.repeat)
                    ]
                ),
            }
            for name, r in variants.items():
                print(
                    f"  {name:<42} wall {r['wall_s']:>5.2f}s "
                    f"(assume {r['assume_s']:.2f}, connect {r['connect_s']:.2f}, "
                    f"scan {r['scan_s']:.2f})  peak RSS {r['peak_rss_mb']:>6.1f} MB  scan CPU {r['cpu_s']:.2f}s  "
                    f"server CPU {r['server_cpu_s']:.2f}s"
                )

        big = rows[max(sizes)]
        ratio = big["wall_s"] / one["wall_s"]
        per = big["mb_per_extra"]
        ok_time = ratio <= TARGET_RATIO
        ok_mem = per < TARGET_MB_PER_ACCOUNT
        print()
        print(
            f"{'PASS' if ok_time else 'MISS'}: {max(sizes)} accounts in {ratio:.2f}x one account's wall time "
            f"(target <= {TARGET_RATIO}x)"
        )
        print(
            f"      (CPU floor: the scanning process itself burnt {big['cpu_s']:.2f}s of CPU for "
            f"{max(sizes)} accounts, {big['cpu_s'] / one['wall_s']:.1f}x one account's wall time; one "
            f"interpreter runs Python on one core at a time, and moto used {big['server_cpu_s']:.2f}s more "
            f"on the same {os.cpu_count()} CPUs)"
        )
        print(
            f"{'PASS' if ok_mem else 'MISS'}: {per:.1f} MB peak RSS per extra account "
            f"(target well under {TARGET_MB_PER_ACCOUNT:.0f} MB)"
        )
        return 0 if (ok_time and ok_mem) or not args.strict else 1
    finally:
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    sys.exit(main())
