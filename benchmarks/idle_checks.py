"""Idle-checks benchmark: the CloudWatch checks over 1,000 instances in one region.

    python benchmarks/idle_checks.py [--instances 1000] [--latency 0.05] [--moto 100]

Side by side in one run, over the same rows and the same metrics:

* **batched**: ``aws.idle.run_checks`` as shipped, up to 500 queries per GetMetricData call;
* **one call per row**: the same engine with one row's queries per call (what a tool that
  asks about each instance separately makes; GetMetricStatistics would be one per metric,
  twice as many again).

CloudWatch is answered in this process by a botocore ``before-call`` hook (no HTTP, nothing
leaves the machine) that sleeps ``--latency`` seconds per request, as a round trip to AWS
would, and returns 14 daily datapoints per query from a seeded table (10% of the instances
idle, 5% without data).  Real botocore builds and validates every request; only the wire is
replaced.  moto's GetMetricData scans every datapoint of the region for every query and
period (about 50 ms a query at 1,000 instances), too slow to stand in for CloudWatch here;
``--moto N`` also runs the batched engine against moto with N instances, as a check that the
requests and verdicts match a real implementation of the API.

Prints requests made, metrics requested (what AWS bills, $0.01 per 1,000), the estimated
cost, wall time, and whether both runs judged every row the same.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import boto3
from botocore.awsrequest import AWSResponse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from tracker_tui.aws import idle  # noqa: E402
from tracker_tui.aws.idle import plan_checks, run_checks, window  # noqa: E402
from tracker_tui.aws.session import AwsSession, SessionOptions  # noqa: E402
from tracker_tui.model import Resource  # noqa: E402

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
DUMMY = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def rows(n: int) -> list[Resource]:
    return [
        Resource(
            kind="ec2:instance", id=f"i-{index:017x}", region="us-east-1", account_id="123456789012",
            state="running", monthly_cost=70.08, cost_basis="m5.large $0.096/h x 730 h",
            details={"instance_type": "m5.large"},
        )  # fmt: skip
        for index in range(n)
    ]


def series(instance_id: str, stat: str) -> list[float]:
    """14 daily values: every 10th instance idle, every 20th (offset) without data."""
    index = int(instance_id[2:], 16)
    if index % 20 == 7:
        return []
    if index % 10 == 3:
        return [2.5 if stat == "Maximum" else 0.4] * 14
    return [60.0 if stat == "Maximum" else 25.0] * 14


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
            results.append({"Id": q["Id"], "Values": series(ident, stat["Stat"]), "StatusCode": "Complete"})
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
def per_call(queries: int) -> Iterator[None]:
    with mock.patch.object(idle, "MAX_QUERIES_PER_CALL", queries):
        yield


def measure(label: str, instances: list[Resource], latency: float, queries_per_call: int | None) -> dict[str, Any]:
    cloudwatch = FakeCloudWatch(latency)
    session = fake_session(cloudwatch)
    plan = plan_checks(instances)
    start = time.perf_counter()
    if queries_per_call is None:
        report = run_checks(plan, lambda _: session, now=NOW)
    else:
        with per_call(queries_per_call):
            report = run_checks(plan, lambda _: session, now=NOW)
    wall = time.perf_counter() - start
    verdicts = {r.id: r.details[idle.IDLE_CHECK].split(":")[0] for r in report.resources}
    return {
        "label": label, "requests": cloudwatch.calls, "metrics": report.metrics, "wall": wall,
        "idle": report.idle, "busy": report.busy, "no_data": report.no_data, "verdicts": verdicts,
        "estimate": plan.describe(),
    }  # fmt: skip


def moto_check(n: int) -> dict[str, Any]:
    """The batched engine against moto with ``n`` instances seeded like ``series``."""
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    from moto import mock_aws

    with mock_aws():
        cw = boto3.client("cloudwatch", region_name="us-east-1", **DUMMY)
        start_w, end_w = window(NOW, 14)
        instances = rows(n)
        data = []
        for r in instances:
            high, low = series(r.id, "Maximum"), series(r.id, "Average")
            for day in range(len(high)):
                when = end_w - timedelta(days=day + 1)
                # Two datapoints a day whose maximum and mean are the seeded pair.
                top, mean = high[day], low[day]
                for hour, value in ((6, 2 * mean - top), (18, top)):
                    data.append({
                        "MetricName": "CPUUtilization", "Timestamp": when + timedelta(hours=hour), "Value": value,
                        "Dimensions": [{"Name": "InstanceId", "Value": r.id}],
                    })  # fmt: skip
        for first in range(0, len(data), 1000):
            cw.put_metric_data(Namespace="AWS/EC2", MetricData=data[first : first + 1000])
        boto = boto3.Session(region_name="us-east-1", **DUMMY)
        calls = {"n": 0}

        def count(**_: Any) -> None:
            calls["n"] += 1

        boto.events.register("before-call.cloudwatch.GetMetricData", count)
        session = AwsSession(SessionOptions(home_region="us-east-1"), boto_session=boto)
        start = time.perf_counter()
        report = run_checks(plan_checks(instances), lambda _: session, now=NOW)
        wall = time.perf_counter() - start
        verdicts = {r.id: r.details[idle.IDLE_CHECK].split(":")[0] for r in report.resources}
    return {"requests": calls["n"], "metrics": report.metrics, "wall": wall, "verdicts": verdicts,
            "idle": report.idle, "busy": report.busy, "no_data": report.no_data}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request (default 0.05)")
    parser.add_argument("--moto", type=int, default=100, metavar="N", help="also check against moto with N (0: skip)")
    args = parser.parse_args()
    instances = rows(args.instances)
    print(f"{args.instances:,} running instances in us-east-1; {args.latency * 1000:.0f} ms per request")
    print(f"the dialog says: {plan_checks(instances).describe()}\n")
    batched = measure("batched (500 queries a call)", instances, args.latency, None)
    per_row = measure("one call per row (2 queries)", instances, args.latency, 2)
    print(f"{'run':32} {'requests':>9} {'metrics':>8} {'wall s':>8} {'idle':>5} {'busy':>5} {'no data':>8}")
    for run in (batched, per_row):
        print(
            f"{run['label']:32} {run['requests']:>9,} {run['metrics']:>8,} {run['wall']:>8.2f} "
            f"{run['idle']:>5} {run['busy']:>5} {run['no_data']:>8}"
        )
    same = batched["verdicts"] == per_row["verdicts"]
    print(f"\nrequests: {per_row['requests'] / batched['requests']:.0f}x fewer batched; "
          f"wall: {per_row['wall'] / batched['wall']:.1f}x faster batched; same verdicts: {same}")  # fmt: skip
    print(f"billed either way: {batched['metrics']:,} metrics = ${batched['metrics'] * 0.01 / 1000:.4f}")
    if args.moto:
        check = moto_check(args.moto)
        expected = {k: v for k, v in batched["verdicts"].items() if int(k[2:], 16) < args.moto}
        print(
            f"\nmoto, {args.moto} instances: {check['requests']} requests, {check['metrics']} metrics, "
            f"{check['wall']:.2f} s; {check['idle']} idle, {check['busy']} busy, {check['no_data']} no data; "
            f"verdicts as the fake's: {check['verdicts'] == expected}"
        )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
