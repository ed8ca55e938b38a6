"""Rightsizing and Graviton (issue 23): ``rightsize-instance`` from hourly CPU (and the agent's
memory) against moto; ``graviton-migration`` from the row alone; the checks' shared queries and
their datapoint budget per GetMetricData call."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from tests.support.helpers import moto_session, named, record_calls, scan
from tests.support.metrics import check_days, launch_instances, put_hourly, put_metric
from tracker_tui.aws.idle import IDLE_CHECK, MAX_POINTS_PER_CALL, batches, plan_checks, run_checks, window
from tracker_tui.aws.kinds import Thresholds
from tracker_tui.aws.kinds.sizing import need_of, percentile
from tracker_tui.findings import local_findings, savings_total
from tracker_tui.model import Finding, Resource

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
HOURS = 14 * 24


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def _oversized(itype: str = "m5.2xlarge", peak: float = 20.0, hours: int = HOURS) -> str:
    """An instance whose hourly CPU maxima stay at ``peak`` (averages at half), network busy."""
    [instance] = launch_instances(1, itype=itype)
    _busy_network(instance)
    _, end = window(NOW, 14)
    put_hourly("us-east-1", "AWS/EC2", "CPUUtilization", instance, [(peak, 0.0)] * hours, end)
    return instance


def _busy_network(instance: str) -> None:
    for metric in ("NetworkIn", "NetworkOut"):
        put_metric("us-east-1", "AWS/EC2", metric, "InstanceId", instance, [(5e8, 9e8)] * 14, check_days(NOW))


def _check(instance: str, thresholds: Thresholds | None = None) -> tuple[Resource, dict[str, Finding]]:
    session = moto_session()
    rows, _ = scan(["ec2:instance"], session=session)
    report = run_checks(plan_checks(rows), lambda _: session, now=NOW, thresholds=thresholds)
    [row] = [r for r in report.resources if r.id == instance]
    return row, {f.id: f for f in row.findings}


def test_a_smaller_type_is_named_with_the_projected_cpu(aws: None) -> None:
    instance = _oversized()

    row, found = _check(instance)

    finding = found["rightsize-instance"]
    # m5.2xlarge $0.384/h x 730 = $280.32 -> m5.large $0.096/h x 730 = $70.08 (us-east-1 catalogue).
    assert (finding.monthly_saving, finding.confidence, finding.action) == (210.24, "low", "modify")
    assert finding.target == "m5.large"
    assert "(336 of 336 hours)" in finding.evidence
    assert "p99 of hourly CPU maxima 20.0%, p50 of hourly averages 10.0% on 8 vCPUs" in finding.evidence
    assert "needs ceil(8 x 20.0% / 80%) = 2 vCPU(s)" in finding.evidence
    assert "m5.large (2 vCPUs) fits: projected CPU p50 40.0%, p99 80.0%" in finding.evidence
    assert "memory not measured (CWAgent mem_used_percent)" in finding.evidence
    assert "m5.2xlarge $280.32/mo -> m5.large $70.08/mo in us-east-1 (catalogue): saves $210.24/mo" in finding.evidence
    assert "rightsize-instance found: " in row.details[IDLE_CHECK]
    assert "idle-instance busy: " in row.details[IDLE_CHECK]


def test_measured_memory_keeps_a_larger_type_and_raises_the_confidence(aws: None) -> None:
    instance = _oversized()
    _, end = window(NOW, 14)
    put_hourly("us-east-1", "CWAgent", "mem_used_percent", instance, [(30.0, 20.0)] * HOURS, end)

    _, found = _check(instance)

    finding = found["rightsize-instance"]
    # 30% of 8 vCPUs' memory with 20% headroom: 3 vCPUs' worth -> m5.xlarge (4), $140.16.
    assert (finding.monthly_saving, finding.confidence) == (140.16, "medium")
    assert "memory peak 30.0% (CWAgent mem_used_percent) needs 3.00 vCPUs' worth" in finding.evidence
    assert "m5.xlarge (4 vCPUs) fits: projected CPU p50 20.0%, p99 40.0%" in finding.evidence


def test_the_headroom_is_the_users(aws: None) -> None:
    instance = _oversized()

    _, found = _check(instance, Thresholds(rightsize_headroom_percent=60.0))

    # ceil(8 x 20% / 40%) = 4 vCPUs: m5.xlarge.
    assert found["rightsize-instance"].monthly_saving == 140.16
    assert "needs ceil(8 x 20.0% / 40%) = 4 vCPU(s)" in found["rightsize-instance"].evidence


def test_the_top_one_percent_of_hours_does_not_size_the_target(aws: None) -> None:
    [instance] = launch_instances(1, itype="m5.2xlarge")
    _busy_network(instance)
    _, end = window(NOW, 14)
    # Three hours at 100% (under 1% of 336) and the rest at 20%: p99 is 20%.
    put_hourly("us-east-1", "AWS/EC2", "CPUUtilization", instance, [(100.0, 0.0)] * 3 + [(20.0, 0.0)] * 333, end)
    _, found = _check(instance)
    assert found["rightsize-instance"].monthly_saving == 210.24
    # Four such hours are more than 1%: p99 is 100% and nothing smaller fits.
    [other] = launch_instances(1, itype="m5.2xlarge")
    _busy_network(other)
    put_hourly("us-east-1", "AWS/EC2", "CPUUtilization", other, [(100.0, 0.0)] * 4 + [(20.0, 0.0)] * 332, end)
    row, found = _check(other)
    assert "rightsize-instance" not in found
    assert "m5.2xlarge is the cheapest m5 type that fits" in row.details[IDLE_CHECK]


def test_too_few_hours_are_no_data_never_a_finding(aws: None) -> None:
    instance = _oversized(hours=251)  # 75% of 336 is 252

    row, found = _check(instance)

    assert "rightsize-instance" not in found
    assert (
        "rightsize-instance no data: 251 of 336 hours of CPUUtilization; rightsizing needs 75%"
        in (row.details[IDLE_CHECK])
    )


def test_a_busy_instance_is_right_sized(aws: None) -> None:
    instance = _oversized(itype="m5.xlarge", peak=70.0)  # ceil(4 x 70 / 80) = 4

    row, found = _check(instance)

    assert "rightsize-instance" not in found
    assert "rightsize-instance busy: " in row.details[IDLE_CHECK]


def test_the_smallest_of_a_family_and_burstable_types_are_not_checked(aws: None) -> None:
    launch_instances(1, itype="m5.large")
    launch_instances(1, itype="t3.xlarge")
    launch_instances(1, itype="m5.2xlarge")
    rows, _ = scan(["ec2:instance"])

    plan = plan_checks(rows)

    rules = {t.resource.details["instance_type"]: [rule.id for rule in t.rules] for t in plan.targets}
    assert rules == {
        "m5.large": ["idle-instance"],
        "t3.xlarge": ["idle-instance"],
        "m5.2xlarge": ["idle-instance", "rightsize-instance"],
    }


def test_a_metric_two_rules_read_is_requested_once(aws: None) -> None:
    instance = _oversized()
    session = moto_session()
    rows, _ = scan(["ec2:instance"], session=session)
    calls = record_calls(session)

    report = run_checks(plan_checks(rows), lambda _: session, now=NOW)

    [call] = named(calls, "cloudwatch.GetMetricData")
    asked = [
        (q["MetricStat"]["Metric"]["MetricName"], q["MetricStat"]["Stat"], q["MetricStat"]["Period"])
        for q in call["MetricDataQueries"]
    ]
    # Daily CPU and network for idle-instance; hourly CPU and the agent's memory for rightsizing;
    # the network both read, once.
    assert sorted(asked) == sorted(
        [
            ("CPUUtilization", "Maximum", 86_400),
            ("CPUUtilization", "Average", 86_400),
            ("NetworkIn", "Sum", 86_400),
            ("NetworkOut", "Sum", 86_400),
            ("CPUUtilization", "Maximum", 3_600),
            ("CPUUtilization", "Average", 3_600),
            ("mem_used_percent", "Maximum", 86_400),
        ]
    )
    assert report.metrics == 7
    assert instance in {r.id for r in report.resources}


def test_calls_keep_under_the_datapoint_limit() -> None:
    hourly = [("AWS/EC2", "CPUUtilization", "Maximum", (("InstanceId", f"i-{n}"),), 3_600) for n in range(301)]
    daily = [("AWS/EC2", "CPUUtilization", "Maximum", (("InstanceId", f"i-{n}"),), 86_400) for n in range(600)]

    # 300 x 336 = 100,800 datapoints: a full call; the 301st starts the next.
    assert [len(b) for b in batches(hourly, 14)] == [300, 1]
    assert 300 * 14 * 24 == MAX_POINTS_PER_CALL
    # Daily queries are bound by the 500-query limit instead.
    assert [len(b) for b in batches(daily, 14)] == [500, 100]


def test_percentile_and_need_arithmetic() -> None:
    assert percentile(list(range(1, 101)), 99) == 99
    assert percentile([5.0], 99) == 5.0
    need = need_of(8, [20.0] * 10, [10.0] * 10, [], 20.0)
    assert (need.for_cpu, need.for_memory, need.minimum) == (2, 0.0, 2)
    # Exactly at the line: 8 x 40% / 80% = 4, not 5.
    assert need_of(8, [40.0] * 10, [], [], 20.0).for_cpu == 4
    assert need_of(2, [1.0], [], [], 20.0).for_cpu == 1


# --- graviton-migration: from the row alone -------------------------------------------------


def _instance(itype: str, *, region: str = "us-east-1", cost: float | None = None, **details: str) -> Resource:
    from tracker_tui.aws.kinds.ec2_instance import estimate_instance
    from tracker_tui.pricing.catalogue import load_catalogue

    row = Resource(
        kind="ec2:instance",
        id="i-1",
        region=region,
        state=details.pop("state", "running"),
        details={"instance_type": itype, **details},
    )
    monthly = cost if cost is not None else estimate_instance(row, load_catalogue(), None)[0]
    return Resource(kind=row.kind, id=row.id, region=region, state=row.state, details=row.details, monthly_cost=monthly)


def _graviton(row: Resource) -> Finding | None:
    [out] = local_findings([row])
    return next((f for f in out.findings if f.id == "graviton-migration"), None)


def test_graviton_names_the_cheapest_arm64_twin() -> None:
    finding = _graviton(_instance("m5.large"))

    # m5.large $0.096/h -> m6g.large $0.077/h (cheaper than m7g.large $0.0816) x 730 h.
    assert finding is not None
    assert (finding.monthly_saving, finding.confidence, finding.action) == (13.87, "low", None)
    assert "m6g.large (Graviton, arm64, same size) costs $56.21/mo in us-east-1" in finding.evidence
    assert "needs an arm64 image" in finding.evidence
    assert finding.target == "m6g.large"
    t3 = _graviton(_instance("t3.micro"))
    assert t3 is not None and "t4g.micro" in t3.evidence


def test_graviton_skips_windows_stopped_arm_and_unpriced_rows() -> None:
    assert _graviton(_instance("m5.large", platform="Windows")) is None
    assert _graviton(_instance("m5.large", state="stopped")) is None
    assert _graviton(_instance("m6g.large")) is None
    assert _graviton(_instance("m5.large", cost=None, region="xx-nowhere-1")) is None


def test_graviton_and_rightsizing_on_one_row_count_once() -> None:
    row = _instance("m5.2xlarge")
    graviton = _graviton(row)
    assert graviton is not None
    rightsize = Finding("rightsize-instance", 210.24, "...", "low", "modify")
    both = Resource(
        kind=row.kind, id=row.id, region=row.region, state=row.state, details=row.details,
        monthly_cost=row.monthly_cost, findings=(graviton, rightsize),
    )  # fmt: skip
    assert savings_total([both]) == 210.24


def test_graviton_is_found_by_the_scan_with_no_metric_read(aws: None) -> None:
    launch_instances(1, itype="c5.xlarge")
    session = moto_session()
    calls = record_calls(session)
    [row], _ = scan(["ec2:instance"], session=session)

    [finding] = row.findings
    # c5.xlarge $0.17/h -> c6g.xlarge $0.136/h (under c7g.xlarge $0.145) x 730 h.
    assert (finding.id, finding.monthly_saving) == ("graviton-migration", 24.82)
    assert not named(calls, "cloudwatch.GetMetricData")


# --- rightsize-database ----------------------------------------------------------------------


def _database(name: str, cls: str, engine: str = "postgres") -> None:
    boto3.client("rds", region_name="us-east-1").create_db_instance(
        DBInstanceIdentifier=name, Engine=engine, DBInstanceClass=cls, AllocatedStorage=100, StorageType="gp3",
        MasterUsername="admin", MasterUserPassword="not-a-real-password-1",
    )  # fmt: skip


def _db_metrics(name: str, cpu_peak: float, connections: float, hours: int = HOURS) -> None:
    _, end = window(NOW, 14)
    cw = boto3.client("cloudwatch", region_name="us-east-1")
    data = [
        {
            "MetricName": "CPUUtilization",
            "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": name}],
            "Timestamp": end - timedelta(hours=n + 1) + timedelta(minutes=minute),
            "Value": value,
        }
        for n in range(hours)
        for minute, value in ((10, cpu_peak), (40, 0.0))
    ]
    data += [
        {
            "MetricName": "DatabaseConnections",
            "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": name}],
            "Timestamp": day + timedelta(hours=12, minutes=5),
            "Value": connections,
        }
        for day in check_days(NOW)
    ]
    for first in range(0, len(data), 1000):
        cw.put_metric_data(Namespace="AWS/RDS", MetricData=data[first : first + 1000])


def _check_db(name: str) -> tuple[Resource, dict[str, Finding]]:
    session = moto_session()
    rows, _ = scan(["rds:db-instance"], session=session)
    report = run_checks(plan_checks(rows), lambda _: session, now=NOW)
    [row] = [r for r in report.resources if r.id == name]
    return row, {f.id: f for f in row.findings}


def test_a_smaller_db_class_is_named_for_the_same_engine(aws: None) -> None:
    _database("big", "db.m5.2xlarge")
    _db_metrics("big", cpu_peak=20.0, connections=50.0)

    row, found = _check_db("big")

    finding = found["rightsize-database"]
    # db.m5.2xlarge postgres $0.712/h -> db.m5.large $0.178/h, x 730 h (the storage stays).
    assert (finding.monthly_saving, finding.confidence, finding.action) == (389.82, "low", "modify")
    assert "needs ceil(8 x 20.0% / 80%) = 2 vCPU(s)" in finding.evidence
    # 2 vCPUs x 4 GiB = 8 GiB / 9,531,392 bytes: about 901 connections.
    assert "peak DatabaseConnections 50: db.m5.large's default max_connections about 901 holds 50" in (finding.evidence)
    assert "db.m5.large (2 vCPUs) fits: projected CPU p50" in finding.evidence
    assert "memory not measured (FreeableMemory)" in finding.evidence
    assert finding.target == "db.m5.large"
    assert "idle-database busy: " in row.details[IDLE_CHECK]


def test_many_connections_keep_a_larger_db_class(aws: None) -> None:
    _database("busy", "db.m5.2xlarge")
    # 1,000 connections with 20% headroom need 1,250: db.m5.xlarge (16 GiB: about 1,802) holds them.
    _db_metrics("busy", cpu_peak=20.0, connections=1000.0)

    _, found = _check_db("busy")

    finding = found["rightsize-database"]
    assert "db.m5.xlarge (4 vCPUs) fits" in finding.evidence
    assert finding.monthly_saving == 259.88  # ($0.712 - $0.356)/h x 730 h


def test_a_small_or_burstable_db_class_is_not_checked_for_size(aws: None) -> None:
    _database("small", "db.m5.large")
    _database("burst", "db.t3.xlarge")
    rows, _ = scan(["rds:db-instance"])

    plan = plan_checks(rows)

    assert {t.resource.id: [rule.id for rule in t.rules] for t in plan.targets} == {
        "small": ["idle-database"],
        "burst": ["idle-database"],
    }
