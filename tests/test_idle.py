"""The CloudWatch idle checks: GetMetricData against moto with seeded metrics (idle, busy, no
data), batching and paging (Stubber), one region failing, thresholds, and the CLI's --check-idle."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber
from moto import mock_aws

from tests.support.helpers import moto_session, named, record_calls, run_cli, scan
from tests.support.metrics import check_days, launch_instances, put_cpu, put_metric
from tracker_tui.aws.idle import (
    ERRORS_KIND,
    IDLE_CHECK,
    MAX_QUERIES_PER_CALL,
    plan_checks,
    run_checks,
    window,
)
from tracker_tui.aws.kinds import Thresholds
from tracker_tui.config import config_path, load_settings
from tracker_tui.findings import local_findings, savings_total, with_findings
from tracker_tui.model import Finding, Resource

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def _by_id(rows: list[Resource]) -> dict[str, Resource]:
    return {r.id: r for r in rows}


#: Found from the row alone on the m5.large and db.m5.large rows these tests make (its own tests
#: are in test_kinds_*): left out where a test is about the checks' findings.
_LOCAL = {"graviton-migration", "rds-graviton-migration"}


def _checks(row: Resource) -> tuple[Finding, ...]:
    """The row's findings from the CloudWatch checks."""
    return tuple(f for f in row.findings if f.id not in _LOCAL)


# --- the three outcomes, with exact savings --------------------------------------------------


def test_instances_idle_busy_and_without_data(aws: None) -> None:
    idle, busy, edge, silent = launch_instances(4)
    put_cpu("us-east-1", idle, 0.5, 3.0, check_days(NOW))  # max 3.0 < 5, average 1.75 < 2
    put_cpu("us-east-1", busy, 20.0, 80.0, check_days(NOW))
    put_cpu("us-east-1", edge, 0.5, 5.0, check_days(NOW))  # max 5.0 is not under 5
    session = moto_session()
    rows, _ = scan(["ec2:instance"], session=session)

    report = run_checks(plan_checks(rows), lambda _: session, now=NOW)

    got = _by_id(report.resources)
    assert (report.idle, report.busy, report.no_data) == (1, 2, 1)
    [finding] = _checks(got[idle])
    m5_large = 70.08  # $0.096/h x 730 h (catalogue, us-east-1 Linux)
    assert (finding.id, finding.monthly_saving, finding.confidence, finding.action) == (
        "idle-instance", m5_large, "medium", "stop",
    )  # fmt: skip
    assert "highest daily maximum 3.0% (under 5.0%), average 1.8% (under 2.0%)" in finding.evidence
    assert "14 daily datapoints" in finding.evidence
    assert "$70.08/mo" in finding.evidence
    assert got[idle].details[IDLE_CHECK].startswith("idle: ")
    assert not _checks(got[busy]) and got[busy].details[IDLE_CHECK].startswith("busy: ")
    assert not _checks(got[edge]) and "5.0% (not under 5.0%)" in got[edge].details[IDLE_CHECK]
    # No datapoints is "no data": never idle, and said so on the row.
    assert not _checks(got[silent])
    assert got[silent].details[IDLE_CHECK].startswith("no data: CloudWatch has no CPUUtilization")
    assert "not called idle" in got[silent].details[IDLE_CHECK]
    assert (report.requests, report.metrics) == (1, 16)  # CPU maximum and average, network in and out


def test_both_cpu_limits_must_hold_and_each_is_strict(aws: None) -> None:
    peak_at_limit, average_over = launch_instances(2)
    days = check_days(NOW)
    # One spike to exactly 5% (then quiet): the average is 0.3%, but the peak is not under 5%.
    spike = [(0.0, 5.0)] + [(0.1, 0.2)] * 13
    put_metric("us-east-1", "AWS/EC2", "CPUUtilization", "InstanceId", peak_at_limit, spike, days)
    for metric in ("NetworkIn", "NetworkOut"):
        put_metric("us-east-1", "AWS/EC2", metric, "InstanceId", peak_at_limit, [(0.0, 0.0)] * 14, days)
    # Never above 4%, yet 3.5% on average: not idle either.
    put_cpu("us-east-1", average_over, 3.0, 4.0, days)
    session = moto_session()
    rows, _ = scan(["ec2:instance"], session=session)

    report = run_checks(plan_checks(rows), lambda _: session, now=NOW)

    assert (report.idle, report.busy) == (0, 2)
    got = _by_id(report.resources)
    assert (
        "highest daily maximum 5.0% (not under 5.0%), average 0.3% (under 2.0%)"
        in got[peak_at_limit].details[IDLE_CHECK]
    )
    assert (
        "highest daily maximum 4.0% (under 5.0%), average 3.5% (not under 2.0%)"
        in got[average_over].details[IDLE_CHECK]
    )


def test_stopped_instances_are_not_checked_and_cost_nothing(aws: None) -> None:
    running, stopped = launch_instances(2)
    boto3.client("ec2", region_name="us-east-1").stop_instances(InstanceIds=[stopped])
    rows, _ = scan(["ec2:instance"])

    plan = plan_checks(rows)

    assert [t.resource.id for t in plan.targets] == [running]
    assert plan.skipped == 1  # the stopped instance
    assert (plan.metrics, plan.requests) == (4, 1)
    assert plan.estimated_cost == pytest.approx(0.00004)
    assert "1 row (1 EC2 instance) in 1 region: 4 metrics in 1 GetMetricData request" in plan.describe()


def test_a_short_window_of_data_is_low_confidence(aws: None) -> None:
    [instance] = launch_instances(1)
    put_cpu("us-east-1", instance, 0.2, 1.0, check_days(NOW)[:5])  # 5 of 14 days
    session = moto_session()
    rows, _ = scan(["ec2:instance"], session=session)

    [row] = run_checks(plan_checks(rows), lambda _: session, now=NOW).resources

    [finding] = _checks(row)
    assert finding.confidence == "low"
    assert "data on only 5 of 14 days" in finding.evidence


def test_nat_gateway_idle_only_at_zero_bytes(aws: None) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    quiet, chatty = (
        ec2.create_nat_gateway(SubnetId=subnet, AllocationId=ec2.allocate_address(Domain="vpc")["AllocationId"])[
            "NatGateway"
        ]["NatGatewayId"]
        for _ in range(2)
    )
    days = check_days(NOW)
    for metric in ("BytesOutToDestination", "BytesInFromDestination"):
        put_metric("us-east-1", "AWS/NATGateway", metric, "NatGatewayId", quiet, [(0.0, 0.0)] * 14, days)
    # Nothing out, but replies coming back in: traffic both ways counts.
    put_metric("us-east-1", "AWS/NATGateway", "BytesOutToDestination", "NatGatewayId", chatty, [(0.0, 0.0)] * 14, days)
    put_metric("us-east-1", "AWS/NATGateway", "BytesInFromDestination", "NatGatewayId", chatty, [(0.0, 1.0)] * 14, days)
    session = moto_session()
    rows, _ = scan(["ec2:nat-gateway"], session=session)

    got = _by_id(run_checks(plan_checks(rows), lambda _: session, now=NOW).resources)

    [finding] = _checks(got[quiet])
    assert (finding.id, finding.monthly_saving, finding.confidence, finding.action) == (
        "idle-nat-gateway", 32.85, "high", "delete",
    )  # fmt: skip  # $0.045/h x 730 h
    assert "BytesOutToDestination 0 + BytesInFromDestination 0 = 0 bytes (at most 0)" in finding.evidence
    assert not got[chatty].findings
    assert (
        "BytesOutToDestination 0 + BytesInFromDestination 14 = 14 bytes (more than 0)"
        in got[chatty].details[IDLE_CHECK]
    )


def test_idle_database_saves_the_instance_charge_not_the_storage(aws: None) -> None:
    rds = boto3.client("rds", region_name="us-east-1")
    for name in ("quiet", "used"):
        rds.create_db_instance(
            DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.m5.large", AllocatedStorage=100,
            StorageType="gp3", MasterUsername="admin", MasterUserPassword="not-a-real-password-1",
        )  # fmt: skip
    days = check_days(NOW)
    put_metric("us-east-1", "AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", "quiet", [(0.0, 0.0)] * 14, days)
    put_metric("us-east-1", "AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", "used", [(1.0, 12.0)] * 14, days)
    session = moto_session()
    rows, _ = scan(["rds:db-instance"], session=session)

    got = _by_id(run_checks(plan_checks(rows), lambda _: session, now=NOW).resources)

    [finding] = _checks(got["quiet"])
    row = got["quiet"]
    # db.m5.large postgres Single-AZ $0.178/h x 730 h = $129.94; gp3 100 GiB x $0.115 = $11.50.
    assert row.monthly_cost == 141.44
    assert (finding.id, finding.monthly_saving, finding.action) == ("idle-database", 129.94, "stop")
    assert "the row's $141.44 less storage $11.50" in finding.evidence
    assert not _checks(got["used"]) and "highest daily maximum 12" in got["used"].details[IDLE_CHECK]


def test_thresholds_come_from_the_settings(aws: None) -> None:
    [instance] = launch_instances(1)
    put_cpu("us-east-1", instance, 4.0, 9.0, check_days(NOW))  # busy at 5%/2%
    session = moto_session()
    rows, _ = scan(["ec2:instance"], session=session)
    plan = plan_checks(rows)

    assert run_checks(plan, lambda _: session, now=NOW).idle == 0
    loose = Thresholds(idle_cpu_max_percent=10.0, idle_cpu_average_percent=7.0)
    [row] = run_checks(plan, lambda _: session, now=NOW, thresholds=loose).resources
    assert [f.id for f in _checks(row)] == ["idle-instance"]
    assert "under 10.0%" in _checks(row)[0].evidence


def test_a_stricter_limit_and_a_shorter_window_are_honoured(aws: None) -> None:
    [instance] = launch_instances(1)
    put_cpu("us-east-1", instance, 0.5, 3.0, check_days(NOW))  # idle at 5%/2%
    session = moto_session()
    rows, _ = scan(["ec2:instance"], session=session)
    plan = plan_checks(rows)

    strict = Thresholds(idle_cpu_max_percent=2.5)
    [row] = run_checks(plan, lambda _: session, now=NOW, thresholds=strict).resources
    assert _checks(row) == () and "3.0% (not under 2.5%)" in row.details[IDLE_CHECK]
    [week] = run_checks(plan, lambda _: session, now=NOW, thresholds=Thresholds(idle_days=7)).resources
    assert [f.id for f in _checks(week)] == ["idle-instance"]
    assert "CPUUtilization over 7 days (7 daily datapoints)" in _checks(week)[0].evidence


def test_a_second_check_replaces_the_first(aws: None) -> None:
    [instance] = launch_instances(1)
    put_cpu("us-east-1", instance, 0.1, 1.0, check_days(NOW))
    session = moto_session()
    rows, _ = scan(["ec2:instance"], session=session)
    [checked] = run_checks(plan_checks(rows), lambda _: session, now=NOW).resources
    assert [f.id for f in _checks(checked)] == ["idle-instance"]

    # Busy in the next window: the old finding goes, not kept beside the new note.
    put_cpu("us-east-1", instance, 30.0, 90.0, [NOW.replace(hour=12)])
    [again] = run_checks(plan_checks([checked]), lambda _: session, now=NOW + timedelta(days=1)).resources
    assert _checks(again) == ()
    assert again.details[IDLE_CHECK].startswith("busy: ")


# --- the findings engine keeps them; totals count them once ------------------------------------


def test_rules_run_again_keep_the_metric_findings() -> None:
    idle = Finding("idle-instance", 70.08, "CPU ...", "medium", "stop")
    row = Resource(
        kind="ec2:instance", id="i-1", region="us-east-1", state="running", monthly_cost=70.08,
        details={"instance_type": "m5.large"}, findings=(idle,),
    )  # fmt: skip
    assert _checks(local_findings([row])[0]) == (idle,)
    assert _checks(with_findings([row])[0]) == (idle,)
    # The row re-read after a stop has no findings of its own: the check's finding goes with it.
    fresh = Resource(kind="ec2:instance", id="i-1", region="us-east-1", state="stopped", monthly_cost=0.0)
    assert local_findings([fresh])[0].findings == ()


def test_an_idle_previous_generation_instance_is_counted_once() -> None:
    row = Resource(
        kind="ec2:instance", id="i-1", region="us-east-1", state="running", monthly_cost=73.0,
        findings=(
            Finding("previous-generation", 12.41, "m4 -> m5", "medium", "modify"),
            Finding("idle-instance", 73.0, "CPU ...", "medium", "stop"),
        ),
    )  # fmt: skip
    assert savings_total([row]) == 73.0


# --- batching, paging, failures (Stubber and hooks) ------------------------------------------


def test_queries_go_500_to_a_call_per_region(aws: None) -> None:
    ids = launch_instances(300)  # 1,200 queries
    put_cpu("us-east-1", ids[7], 0.1, 0.2, check_days(NOW))
    session = moto_session()
    rows, _ = scan(["ec2:instance"], session=session)
    calls = record_calls(session)

    report = run_checks(plan_checks(rows), lambda _: session, now=NOW)

    sent = named(calls, "cloudwatch.GetMetricData")
    assert [len(c["MetricDataQueries"]) for c in sent] == [MAX_QUERIES_PER_CALL, MAX_QUERIES_PER_CALL, 200]
    assert (report.requests, report.metrics) == (3, 1200)
    assert (report.idle, report.no_data) == (1, 299)
    first = sent[0]
    start, end = window(NOW, 14)
    assert (first["StartTime"], first["EndTime"]) == (start, end)
    assert {q["MetricStat"]["Period"] for c in sent for q in c["MetricDataQueries"]} == {86_400}
    assert {q["MetricStat"]["Stat"] for c in sent for q in c["MetricDataQueries"]} == {"Maximum", "Average", "Sum"}


class _OneSession:
    """A session stand-in whose CloudWatch client is the one given (Stubber'd)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def client(self, service: str, region: str | None = None) -> Any:
        assert service == "cloudwatch"
        return self._client


def _instance_row(ident: str, region: str = "us-east-1") -> Resource:
    return Resource(kind="ec2:instance", id=ident, region=region, state="running", monthly_cost=70.08)


def test_paged_datapoints_are_joined_by_next_token() -> None:
    client = boto3.client("cloudwatch", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stubber = Stubber(client)
    start, end = window(NOW, 14)

    def reply(values: dict[str, list[float]], token: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "MetricDataResults": [{"Id": qid, "Values": v, "StatusCode": "PartialData"} for qid, v in values.items()]
        }
        if token:
            out["NextToken"] = token
        return out

    # q0, q1: CPU maximum and average; q2, q3: network in and out.
    quiet = {"q2": [1e5] * 7, "q3": [1e5] * 7}
    stubber.add_response("get_metric_data", reply({"q0": [1.0] * 7, "q1": [0.5] * 7, **quiet}, "page-2"))
    stubber.add_response("get_metric_data", reply({"q0": [4.0] * 7, "q1": [1.0] * 7, **quiet}, None))
    with stubber:
        report = run_checks(plan_checks([_instance_row("i-1")]), lambda _: _OneSession(client), now=NOW)
    stubber.assert_no_pending_responses()

    [row] = report.resources
    assert report.requests == 2
    # Fourteen values of each, joined: max 4.0, average 0.75.
    [finding] = _checks(row)
    assert "(14 daily datapoints): highest daily maximum 4.0%" in finding.evidence
    assert "average 0.8%" in finding.evidence
    assert "network at most 0.20 MB a day in + out (at most 5 MB)" in finding.evidence


def test_one_region_denied_is_reported_and_the_others_complete(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    east = launch_instances(1, "us-east-1")[0]
    west = launch_instances(1, "eu-west-1")[0]
    put_cpu("us-east-1", east, 0.1, 0.2, check_days(NOW))
    put_cpu("eu-west-1", west, 0.1, 0.2, check_days(NOW))
    session = moto_session()
    rows, _ = scan(["ec2:instance"], ["us-east-1", "eu-west-1"], session=session)

    def denied(context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if context["client_region"] == "eu-west-1":
            http = AWSResponse("https://example.invalid/", 403, {}, None)
            return http, {"Error": {"Code": "AccessDenied", "Message": "no cloudwatch:GetMetricData"}}
        return None

    session.boto.events.register("before-call.cloudwatch.GetMetricData", denied)
    seen: list[tuple[int, int]] = []

    report = run_checks(plan_checks(rows), lambda _: session, now=NOW, progress=lambda d, t: seen.append((d, t)))

    assert [r.id for r in report.resources] == [east]
    assert report.idle == 1
    [failure] = report.failures
    assert (failure.region, failure.code) == ("eu-west-1", "AccessDenied")
    assert failure.message == "no cloudwatch:GetMetricData"
    assert failure.entry().kind == ERRORS_KIND
    assert sorted(seen) == [(1, 2), (2, 2)]
    assert "1 region failed, first eu-west-1: AccessDenied" in report.summary()


def test_cancel_stops_before_the_next_request() -> None:
    cancel = threading.Event()
    cancel.set()
    client = boto3.client("cloudwatch", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    with Stubber(client):  # no response queued: a call would fail the test
        report = run_checks(plan_checks([_instance_row("i-1")]), lambda _: _OneSession(client), now=NOW, cancel=cancel)
    assert report.cancelled and report.resources == [] and report.requests == 0


# --- config and the CLI ------------------------------------------------------------------------


def test_thresholds_in_config_and_bad_ones_reported() -> None:
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text(
        "idle_days = 30\nidle_cpu_max_percent = 10\nidle_cpu_average_percent = 3.5\n"
        "idle_db_connections = 'none'\nidle_nat_bytes_out = -1\n"
    )
    settings = load_settings()
    assert (settings.idle_days, settings.idle_cpu_max_percent, settings.idle_cpu_average_percent) == (30, 10.0, 3.5)
    assert (settings.idle_db_connections, settings.idle_nat_bytes_out) == (0.0, 0.0)
    assert any("'idle_db_connections' must be a number" in w for w in settings.warnings)
    assert any("'idle_nat_bytes_out' must be a number" in w for w in settings.warnings)


def test_scan_check_idle_says_the_cost_first_and_flags_only_the_idle(aws: None, tmp_path: Path) -> None:
    idle, busy, silent = launch_instances(3)
    now = datetime.now(UTC)
    put_cpu("us-east-1", idle, 0.1, 0.9, check_days(now))
    put_cpu("us-east-1", busy, 10.0, 70.0, check_days(now))
    target = tmp_path / "inv.json"

    code, _, err = run_cli(
        "scan", "--format", "json", "-o", str(target), "--region", "us-east-1", "--kind", "ec2:instance", "--check-idle"
    )

    assert code == 0, err
    lines = err.splitlines()
    assert lines[0].startswith("tracker-tui: idle checks: 3 rows (3 EC2 instances) in 1 region: 12 metrics in 1")
    assert "about $0.0001" in lines[0]
    assert lines[1].startswith("tracker-tui: idle checks: 3 checked, 1 flagged, 1 clear, 1 no data")
    assert lines[1].endswith("; found idle-instance x1")
    rows = {r["id"]: r for r in json.loads(target.read_text())["resources"]}
    assert [f["id"] for f in rows[idle]["findings"] if f["id"] not in _LOCAL] == ["idle-instance"]
    assert [f["id"] for r in (rows[busy], rows[silent]) for f in r["findings"]] == ["graviton-migration"] * 2
    assert rows[silent]["details"][IDLE_CHECK].startswith("no data")


def test_scan_without_check_idle_reads_no_metrics(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    launch_instances(2)
    calls: list[str] = []
    original = boto3.Session.client

    def client(self: boto3.Session, service: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(service)
        return original(self, service, *args, **kwargs)

    monkeypatch.setattr(boto3.Session, "client", client)
    code, out, err = run_cli("scan", "--format", "json", "--region", "us-east-1", "--kind", "ec2:instance")
    assert code == 0, err
    assert "cloudwatch" not in calls
    assert "idle checks" not in err
    assert all(IDLE_CHECK not in r["details"] for r in json.loads(out)["resources"])


def test_scan_check_idle_with_a_region_denied_exits_3_with_the_error(
    aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    launch_instances(1, "us-east-1")
    launch_instances(1, "eu-west-1")
    from tracker_tui.aws.session import AwsSession

    original = AwsSession.__init__

    def denied(context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if context["client_region"] == "eu-west-1":
            http = AWSResponse("https://example.invalid/", 403, {}, None)
            return http, {"Error": {"Code": "AccessDenied", "Message": "no cloudwatch:GetMetricData"}}
        return None

    def init(self: AwsSession, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.boto.events.register("before-call.cloudwatch.GetMetricData", denied)

    monkeypatch.setattr(AwsSession, "__init__", init)
    target = tmp_path / "inv.json"

    code, _, err = run_cli(
        "scan", "--format", "json", "-o", str(target), "--region", "us-east-1", "--region", "eu-west-1",
        "--kind", "ec2:instance", "--check-idle",
    )  # fmt: skip

    assert code == 3
    assert "idle checks failed in 123456789012 eu-west-1: AccessDenied: no cloudwatch:GetMetricData" in err
    data = json.loads(target.read_text())
    assert [(e["region"], e["kind"], e["code"]) for e in data["errors"]] == [("eu-west-1", ERRORS_KIND, "AccessDenied")]
    checked = {r["region"]: IDLE_CHECK in r["details"] for r in data["resources"]}
    assert checked == {"us-east-1": True, "eu-west-1": False}


# --- metrics AWS publishes only when not zero -------------------------------------------------


def _alb(name: str, created: datetime) -> Resource:
    return Resource(
        kind="elb:load-balancer", id=name, region="us-east-1", account_id="123456789012", state="active",
        arn=f"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/{name}/50dc6c495c0c9188",
        created=created.isoformat(), monthly_cost=16.43, cost_basis="ALB us-east-1, $0.0225/h x 730 h = $16.43",
        details={"subtype": "application", "target_count": 2},
    )  # fmt: skip


def test_a_sparse_metric_absent_from_an_old_row_reads_as_zero(aws: None) -> None:
    """ELB publishes RequestCount only while requests flow: a balancer older than the window
    with no datapoints at all had none; a younger one is "no data"."""
    start, _ = window(NOW, 14)
    old, young = _alb("old", start - timedelta(days=30)), _alb("young", start + timedelta(days=3))
    session = moto_session()

    report = run_checks(plan_checks([old, young]), lambda _: session, now=NOW)

    got = _by_id(report.resources)
    [finding] = got["old"].findings
    assert (finding.id, finding.monthly_saving, finding.confidence) == ("idle-load-balancer-traffic", 16.43, "medium")
    assert (
        "(no RequestCount datapoints in 14 days: AWS publishes it only when it is not zero, and the row existed "
        "before the window began, so read as 0)"
    ) in finding.evidence
    assert got["young"].findings == ()
    assert got["young"].details[IDLE_CHECK].startswith("no data: CloudWatch has no RequestCount")
    assert (report.idle, report.no_data) == (1, 1)


def test_a_metric_published_always_is_never_read_as_zero(aws: None) -> None:
    """CPUUtilization is not sparse: an old instance without datapoints is "no data"."""
    row = _instance_row("i-old")
    old = Resource(
        kind=row.kind, id=row.id, region=row.region, state=row.state, monthly_cost=row.monthly_cost,
        created=(NOW - timedelta(days=400)).isoformat(), details={"instance_type": "m5.large"},
    )  # fmt: skip
    session = moto_session()
    [checked] = run_checks(plan_checks([old]), lambda _: session, now=NOW).resources
    assert _checks(checked) == ()
    assert checked.details[IDLE_CHECK].startswith("no data: ")
