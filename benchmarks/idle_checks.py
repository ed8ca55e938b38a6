"""Idle-checks benchmark: the CloudWatch checks over 1,000 instances and 200 rows of the other
checked kinds in one region.

    python benchmarks/idle_checks.py [--instances 1000] [--others 200] [--latency 0.05] [--moto 100]

Side by side in one run, over the same rows and the same metrics:

* **batched**: ``aws.idle.run_checks`` as shipped: per region, calls of up to 500 queries and
  100,800 datapoints (the hourly CPU rightsizing reads is 336 datapoints a metric over 14 days);
* **one call per row**: the same engine with one row's queries per call (what a tool that
  asks about each resource separately makes; GetMetricStatistics would be one per metric,
  more again).

A quarter of the instances are m5.2xlarge (rightsize-instance reads their hourly CPU and the
agent's memory besides idle-instance's daily CPU and network); the other rows are the sample
estate's rows of every checked kind (NAT gateways, attached volumes, VPC endpoints, load
balancers, databases, DynamoDB tables, Redshift, ElastiCache, SageMaker, OpenSearch; half the
databases db.m5.2xlarge for rightsize-database), cloned to ``--others``.

CloudWatch is answered in this process by a botocore ``before-call`` hook (no HTTP, nothing
leaves the machine) that sleeps ``--latency`` seconds per request, as a round trip to AWS
would, and returns a datapoint per period from a seeded table (10% of the rows idle, 5% without
data; memory only for every third instance).  Real botocore builds and validates every request;
only the wire is replaced.  moto's GetMetricData scans every datapoint of the region for every
query and period, too slow to stand in for CloudWatch here; ``--moto N`` also runs the batched
engine against moto with N instances, as a check that the requests and verdicts match a real
implementation of the API.

Prints requests made (and per 1,000 rows), metrics requested (what AWS bills, $0.01 per
1,000), the estimated cost, wall time, and whether both runs judged every row the same.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import boto3
from botocore.awsrequest import AWSResponse

ROOT = os.path.join(os.path.dirname(__file__), "..")
sys.path.insert(0, os.path.join(ROOT, "src"))
sys.path.insert(0, ROOT)

from tests.support.estate import sample_resources  # noqa: E402
from tracker_tui.aws import idle  # noqa: E402
from tracker_tui.aws.idle import Ask, batches, plan_checks, run_checks, window  # noqa: E402
from tracker_tui.aws.kinds import REGISTRY, price_resources  # noqa: E402
from tracker_tui.aws.kinds.metric import datapoints  # noqa: E402
from tracker_tui.aws.session import AwsSession, SessionOptions  # noqa: E402
from tracker_tui.model import Resource  # noqa: E402

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
DUMMY = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "us-east-1"


def instances(n: int) -> list[Resource]:
    rows = [
        Resource(
            kind="ec2:instance",
            id=f"i-{index:017x}",
            region=REGION,
            account_id="123456789012",
            state="running",
            details={"instance_type": "m5.2xlarge" if index % 4 == 1 else "m5.large"},
        )  # fmt: skip
        for index in range(n)
    ]
    return price_resources(rows)


def others(n: int) -> list[Resource]:
    """The sample estate's checked rows of the other kinds, cloned to ``n`` in one region."""
    templates = [
        r
        for r in sample_resources(priced=True, every_kind=True)
        if r.kind != "ec2:instance" and plan_checks([dataclasses.replace(r, region=REGION)]).targets
    ]
    out = []
    for index in range(n):
        r = templates[index % len(templates)]
        details = dict(r.details)
        if r.kind == "rds:db-instance" and index % 2:
            details["instance_class"] = "db.m5.2xlarge"
        out.append(
            dataclasses.replace(
                r, id=f"{r.id}-{index}", region=REGION, arn=f"{r.arn}-{index}" if r.arn else r.arn, details=details
            )
        )
    return price_resources(out)


def series(ident: str, metric: str, stat: str, period: int) -> list[float]:
    """A value per period of 14 days: every 10th row idle, every 20th (offset) without data."""
    index = zlib.crc32(ident.encode())
    if index % 20 == 7 or (metric == "mem_used_percent" and index % 3):
        return []
    idle = index % 10 == 3
    if metric in ("CPUUtilization", "mem_used_percent"):
        value = (2.5 if stat == "Maximum" else 0.4) if idle else (60.0 if stat == "Maximum" else 25.0)
        if period == 3600 and not idle and index % 4 == 1:
            value = 14.0 if stat == "Maximum" else 6.0  # oversized: a smaller type fits
    else:
        value = 0.0 if idle else 5e6
    return [value] * (14 * 86_400 // period)


class FakeCloudWatch:
    """Answers GetMetricData from ``series`` after ``latency`` seconds; counts the calls."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.calls = 0
        self.queries = 0

    def capture(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["bench_queries"] = params["MetricDataQueries"]

    def answer(self, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        queries = context["bench_queries"]
        assert len(queries) <= 500, "CloudWatch takes at most 500 queries a call"
        time.sleep(self.latency)
        self.calls += 1
        self.queries += len(queries)
        results = []
        for q in queries:
            stat = q["MetricStat"]
            ident = stat["Metric"]["Dimensions"][0]["Value"]
            values = series(ident, stat["Metric"]["MetricName"], stat["Stat"], stat["Period"])
            results.append({"Id": q["Id"], "Values": values, "StatusCode": "Complete"})
        http = AWSResponse("https://monitoring.us-east-1.amazonaws.com/", 200, {}, None)
        return http, {"MetricDataResults": results}


def fake_session(cloudwatch: FakeCloudWatch) -> AwsSession:
    boto = boto3.Session(region_name="us-east-1", **DUMMY)
    boto.events.register("before-parameter-build.cloudwatch.GetMetricData", cloudwatch.capture)
    boto.events.register("before-call.cloudwatch.GetMetricData", cloudwatch.answer)

    def refuse(request: Any, **_: Any) -> None:
        raise AssertionError(f"a request reached the wire: {request.url}")

    boto.events.register("before-send", refuse)
    return AwsSession(SessionOptions(home_region="us-east-1"), boto_session=boto)


@contextmanager
def per_row() -> Iterator[None]:
    """One call per row: the asks grouped by the row they name (its first dimension's value)."""

    def one_each(asks: Sequence[Ask], days: int) -> list[list[Ask]]:
        rows: dict[str, list[Ask]] = defaultdict(list)
        for ask in asks:
            rows[ask[3][0][1]].append(ask)
        return [batch for group in rows.values() for batch in batches(group, days)]

    with mock.patch.object(idle, "batches", one_each):
        yield


def measure(label: str, rows: list[Resource], latency: float, one_per_row: bool) -> dict[str, Any]:
    cloudwatch = FakeCloudWatch(latency)
    session = fake_session(cloudwatch)
    plan = plan_checks(rows)
    start = time.perf_counter()
    if one_per_row:
        with per_row():
            report = run_checks(plan, lambda _: session, now=NOW)
    else:
        report = run_checks(plan, lambda _: session, now=NOW)
    wall = time.perf_counter() - start
    verdicts = {r.id: (r.details[idle.IDLE_CHECK], r.findings) for r in report.resources}
    return {
        "label": label, "requests": cloudwatch.calls, "metrics": report.metrics, "wall": wall,
        "idle": report.idle, "busy": report.busy, "no_data": report.no_data, "verdicts": verdicts,
        "estimate": plan.describe(),
    }  # fmt: skip


def moto_check(n: int) -> dict[str, Any]:
    """The batched engine against moto with the first ``n`` m5.large instances, seeded like
    ``series`` (daily CPU and network: what idle-instance reads)."""
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    from moto import mock_aws

    rows = [r for r in instances(n) if r.details["instance_type"] == "m5.large"]
    with mock_aws():
        cw = boto3.client("cloudwatch", region_name=REGION, **DUMMY)
        _, end_w = window(NOW, 14)
        data = []
        for r in rows:
            high, low = (
                series(r.id, "CPUUtilization", "Maximum", 86_400),
                series(r.id, "CPUUtilization", "Average", 86_400),
            )
            net = series(r.id, "NetworkIn", "Sum", 86_400)
            dims = [{"Name": "InstanceId", "Value": r.id}]
            for day in range(len(high)):
                when = end_w - timedelta(days=day + 1)
                # Two datapoints a day whose maximum and mean are the seeded pair; one of each network metric.
                top, mean = high[day], low[day]
                for hour, value in ((6, 2 * mean - top), (18, top)):
                    data.append({"MetricName": "CPUUtilization", "Timestamp": when + timedelta(hours=hour),
                                 "Value": value, "Dimensions": dims})  # fmt: skip
                for metric in ("NetworkIn", "NetworkOut"):
                    data.append({"MetricName": metric, "Timestamp": when + timedelta(hours=12), "Value": net[day],
                                 "Dimensions": dims})  # fmt: skip
        for first in range(0, len(data), 1000):
            cw.put_metric_data(Namespace="AWS/EC2", MetricData=data[first : first + 1000])
        boto = boto3.Session(region_name=REGION, **DUMMY)
        calls = {"n": 0}

        def count(**_: Any) -> None:
            calls["n"] += 1

        boto.events.register("before-call.cloudwatch.GetMetricData", count)
        session = AwsSession(SessionOptions(home_region=REGION), boto_session=boto)
        start = time.perf_counter()
        report = run_checks(plan_checks(rows), lambda _: session, now=NOW)
        wall = time.perf_counter() - start
        verdicts = {r.id: (r.details[idle.IDLE_CHECK], r.findings) for r in report.resources}
    return {"requests": calls["n"], "metrics": report.metrics, "wall": wall, "verdicts": verdicts,
            "idle": report.idle, "busy": report.busy, "no_data": report.no_data}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--others", type=int, default=200, help="rows of the other checked kinds (default 200)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request (default 0.05)")
    parser.add_argument("--moto", type=int, default=100, metavar="N", help="also check against moto with N (0: skip)")
    args = parser.parse_args()
    rows = [*instances(args.instances), *others(args.others)]
    plan = plan_checks(rows)
    print(
        f"{args.instances:,} running instances and {args.others:,} rows of other kinds in {REGION}; "
        f"{args.latency * 1000:.0f} ms per request"
    )
    print(f"the dialog says: {plan.describe()}\n")
    batched = measure("batched (500 queries a call)", rows, args.latency, False)
    per_row = measure("one call per row", rows, args.latency, True)
    print(f"{'run':32} {'requests':>9} {'metrics':>8} {'wall s':>8} {'flagged':>8} {'clear':>6} {'no data':>8}")
    for run in (batched, per_row):
        print(
            f"{run['label']:32} {run['requests']:>9,} {run['metrics']:>8,} {run['wall']:>8.2f} "
            f"{run['idle']:>8} {run['busy']:>6} {run['no_data']:>8}"
        )
    same = batched["verdicts"] == per_row["verdicts"]
    checked = len(plan.targets)
    print(f"\nrequests: {per_row['requests'] / batched['requests']:.0f}x fewer batched; "
          f"wall: {per_row['wall'] / batched['wall']:.1f}x faster batched; same verdicts: {same}")  # fmt: skip
    print(
        f"batched: {batched['requests'] * 1000 / checked:.1f} requests per 1,000 rows checked "
        f"({checked:,} rows, {sum(datapoints(a[4], 14) for t in plan.targets for a in t.queries):,} datapoints at most)"
    )
    print(f"billed either way: {batched['metrics']:,} metrics = ${batched['metrics'] * 0.01 / 1000:.4f}")
    found: dict[str, int] = defaultdict(int)
    metric = set(REGISTRY.metric_rules())
    for _, findings in batched["verdicts"].values():
        for f in findings:
            if f.id in metric:
                found[f.id] += 1
    print("found by the checks: " + ", ".join(f"{fid} x{n}" for fid, n in sorted(found.items())))
    if args.moto:
        check = moto_check(args.moto)
        expected = {k: v for k, v in batched["verdicts"].items() if k in check["verdicts"]}
        print(
            f"\nmoto, {len(check['verdicts'])} m5.large instances: {check['requests']} requests, "
            f"{check['metrics']} metrics, {check['wall']:.2f} s; {check['idle']} flagged, {check['busy']} clear, "
            f"{check['no_data']} no data; verdicts as the fake's: {check['verdicts'] == expected}"
        )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
