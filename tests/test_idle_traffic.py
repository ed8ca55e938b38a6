"""The traffic checks read from CloudWatch (issue 23): ``ebs-no-io``, ``idle-vpc-endpoint``,
``idle-load-balancer-traffic`` and ``idle-dynamodb-table``, against moto with seeded metrics:
idle (the exact saving and the numbers in the evidence), busy, no data, the rows never
checked, and the dimension sets AWS publishes each metric with (CloudWatch, and moto, match a
metric by its whole dimension set: a query that names one dimension too few finds nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from tests.support.helpers import moto_session, scan
from tests.support.metrics import AMI, check_days
from tracker_tui.aws.idle import IDLE_CHECK, IdleReport, ask_of, plan_checks, run_checks
from tracker_tui.aws.kinds import REGISTRY, Thresholds, price_resources
from tracker_tui.aws.kinds.dynamodb import IDLE_DYNAMODB_TABLE
from tracker_tui.aws.kinds.ec2_vpc_endpoint import IDLE_VPC_ENDPOINT
from tracker_tui.aws.kinds.elb import IDLE_LB_TRAFFIC_ALB, IDLE_LB_TRAFFIC_CLASSIC, IDLE_LB_TRAFFIC_NLB, metric_name
from tracker_tui.demo_estate import seed_global, seed_region
from tracker_tui.model import Resource

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
REGION = "us-east-1"


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def _put(namespace: str, metric: str, dimensions: dict[str, str], daily: list[float]) -> None:
    """One datapoint a day (noon), newest day first, with exactly ``dimensions``."""
    data = [
        {
            "MetricName": metric,
            "Dimensions": [{"Name": name, "Value": value} for name, value in dimensions.items()],
            "Timestamp": day + timedelta(hours=12),
            "Value": value,
        }
        for day, value in zip(check_days(NOW), daily, strict=False)
    ]
    boto3.client("cloudwatch", region_name=REGION).put_metric_data(Namespace=namespace, MetricData=data)


def _check(kinds: list[str], thresholds: Thresholds | None = None) -> tuple[dict[str, Resource], IdleReport, int]:
    """Scan ``kinds``, run the checks: (the rows judged by id, the report, the rows not checked)."""
    session = moto_session()
    rows, _ = scan(kinds, session=session)
    plan = plan_checks(rows)
    report = run_checks(plan, lambda _: session, now=NOW, thresholds=thresholds)
    return {r.id: r for r in report.resources}, report, plan.skipped


ZEROS = [0.0] * 14


# --- ebs-no-io ------------------------------------------------------------------------------------


def _instance() -> str:
    reply = boto3.client("ec2", region_name=REGION).run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="m5.large", Placement={"AvailabilityZone": "us-east-1a"}
    )
    return str(reply["Instances"][0]["InstanceId"])


def _volume(instance: str | None, device: str = "/dev/sdf", size: int = 100) -> str:
    ec2 = boto3.client("ec2", region_name=REGION)
    volume = str(ec2.create_volume(AvailabilityZone="us-east-1a", Size=size, VolumeType="gp3")["VolumeId"])
    if instance:
        ec2.attach_volume(VolumeId=volume, InstanceId=instance, Device=device)
    return volume


def _io(volume: str, reads: list[float], writes: list[float]) -> None:
    _put("AWS/EBS", "VolumeReadOps", {"VolumeId": volume}, reads)
    _put("AWS/EBS", "VolumeWriteOps", {"VolumeId": volume}, writes)


def test_an_attached_volume_with_no_reads_and_no_writes_saves_its_cost(aws: None) -> None:
    instance = _instance()
    quiet, written, detached = _volume(instance, "/dev/sdf"), _volume(instance, "/dev/sdg"), _volume(None)
    _io(quiet, ZEROS, ZEROS)
    _io(written, ZEROS, [0.0] * 13 + [4.0])  # never read, written once: not idle
    _io(detached, ZEROS, ZEROS)  # an available volume is unattached-volume's, never read here

    got, report, skipped = _check(["ec2:volume"])

    assert detached not in got and skipped == 1
    [finding] = got[quiet].findings
    # gp3 100 GiB x $0.08/GB-mo in us-east-1; deleting an attached volume is no verb of ours.
    assert (finding.id, finding.monthly_saving, finding.confidence, finding.action) == (
        "ebs-no-io", 8.0, "medium", None,
    )  # fmt: skip
    assert f"attached to {instance} (/dev/sdf)" in finding.evidence
    assert (
        "over 14 days: VolumeReadOps (14 daily datapoints) 0 reads, VolumeWriteOps (14 daily datapoints) 0 writes "
        "(at most 0 together)"
    ) in finding.evidence
    assert "detaching and deleting it (after a snapshot) saves its cost, $8.00/mo" in finding.evidence
    assert "a standby volume may be wanted" in finding.evidence
    assert not got[written].findings
    assert "0 reads, VolumeWriteOps (14 daily datapoints) 4 writes (more than 0" in got[written].details[IDLE_CHECK]
    # The instance's root volume has no datapoints: no data, never idle.
    [root] = [r for r in got.values() if r.id not in (quiet, written)]
    assert "ebs-no-io" not in {f.id for f in root.findings}
    assert root.details[IDLE_CHECK].startswith("no data: CloudWatch has no VolumeReadOps (Sum)")
    assert (report.idle, report.busy, report.no_data) == (1, 1, 1)


def test_a_few_operations_are_idle_under_a_higher_limit(aws: None) -> None:
    volume = _volume(_instance())
    _io(volume, [1.0] * 14, [2.0] * 14)  # 42 operations in all

    got, _, _ = _check(["ec2:volume"])
    assert not got[volume].findings and "(more than 0 together)" in got[volume].details[IDLE_CHECK]

    got, _, _ = _check(["ec2:volume"], Thresholds(idle_volume_ops=42))
    [finding] = got[volume].findings
    assert "14 reads, VolumeWriteOps (14 daily datapoints) 28 writes (at most 42 together)" in finding.evidence


# --- idle-vpc-endpoint ----------------------------------------------------------------------------


def _endpoints() -> dict[str, dict[str, str]]:
    """Two interface endpoints (2 AZs), a GWLB endpoint and a gateway endpoint, by name."""
    ec2 = boto3.client("ec2", region_name=REGION)
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    vpc = subnets[0]["VpcId"]
    specs = {
        "quiet": ("Interface", "com.amazonaws.us-east-1.ssm", {"SubnetIds": [s["SubnetId"] for s in subnets[:2]]}),
        "busy": ("Interface", "com.amazonaws.us-east-1.sqs", {"SubnetIds": [s["SubnetId"] for s in subnets[:2]]}),
        "silent": ("Interface", "com.amazonaws.us-east-1.kms", {"SubnetIds": [subnets[0]["SubnetId"]]}),
        "inspect": (
            "GatewayLoadBalancer",
            "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
            {"SubnetIds": [subnets[0]["SubnetId"]]},
        ),
        "s3": ("Gateway", "com.amazonaws.us-east-1.s3", {}),
    }
    out = {}
    for name, (kind, service, more) in specs.items():
        endpoint = ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType=kind, ServiceName=service, **more)
        out[name] = {"id": endpoint["VpcEndpoint"]["VpcEndpointId"], "vpc": vpc, "type": kind, "service": service}
    return out


def _published(endpoint: dict[str, str]) -> dict[str, str]:
    """The dimension set PrivateLink publishes an endpoint's metrics with.  (In the order the check
    asks for them: CloudWatch matches a set in any order, moto 5.2's only in the order it was put.)"""
    return {
        "VPC Endpoint Id": endpoint["id"],
        "VPC Id": endpoint["vpc"],
        "Endpoint Type": endpoint["type"],
        "Service Name": endpoint["service"],
    }


def test_an_interface_endpoint_with_no_bytes_saves_its_az_hours(aws: None) -> None:
    endpoints = _endpoints()
    _put("AWS/PrivateLinkEndpoints", "BytesProcessed", _published(endpoints["quiet"]), ZEROS)
    _put("AWS/PrivateLinkEndpoints", "BytesProcessed", _published(endpoints["busy"]), [0.0] * 13 + [2048.0])
    _put("AWS/PrivateLinkEndpoints", "BytesProcessed", _published(endpoints["inspect"]), ZEROS)
    # Gateway endpoints publish nothing, and are free: never checked (nothing to read, nothing to save).
    got, report, skipped = _check(["ec2:vpc-endpoint"])

    ids = {name: e["id"] for name, e in endpoints.items()}
    assert ids["s3"] not in got and skipped == 1
    [finding] = got[ids["quiet"]].findings
    # 2 AZs x $0.01/h x 730 h.
    assert (finding.id, finding.monthly_saving, finding.confidence, finding.action) == (
        "idle-vpc-endpoint", 14.6, "high", "delete",
    )  # fmt: skip
    assert "Interface endpoint for ssm: BytesProcessed over 14 days (14 daily datapoints): 0 bytes (at most 0)" in (
        finding.evidence
    )
    assert "deleting it saves its AZ-hours, $14.60/mo (interface endpoint us-east-1, 2 AZs" in finding.evidence
    [gwlb] = got[ids["inspect"]].findings
    assert gwlb.monthly_saving == 7.3 and "GatewayLoadBalancer endpoint" in gwlb.evidence
    assert not got[ids["busy"]].findings and "2,048 bytes (more than 0)" in got[ids["busy"]].details[IDLE_CHECK]
    assert got[ids["silent"]].details[IDLE_CHECK].startswith("no data: CloudWatch has no BytesProcessed (Sum)")
    assert (report.idle, report.busy, report.no_data) == (2, 1, 1)


def test_the_endpoint_query_names_the_whole_dimension_set_aws_publishes(aws: None) -> None:
    endpoints = _endpoints()
    quiet = endpoints["quiet"]
    # Published with one dimension only, as a tool that names the endpoint alone would ask for it:
    # CloudWatch keeps that a different metric, and the check must not read it.
    _put("AWS/PrivateLinkEndpoints", "BytesProcessed", {"VPC Endpoint Id": quiet["id"]}, ZEROS)
    session = moto_session()
    rows, _ = scan(["ec2:vpc-endpoint"], session=session)
    row = next(r for r in rows if r.id == quiet["id"])

    [query] = IDLE_VPC_ENDPOINT.queries
    namespace, metric, stat, dimensions, period = ask_of(IDLE_VPC_ENDPOINT, query, row)
    assert (namespace, metric, stat, period) == ("AWS/PrivateLinkEndpoints", "BytesProcessed", "Sum", 86_400)
    assert dict(dimensions) == _published(quiet)
    [judged] = run_checks(plan_checks([row]), lambda _: session, now=NOW).resources
    assert not judged.findings and judged.details[IDLE_CHECK].startswith("no data")


# --- idle-load-balancer-traffic -------------------------------------------------------------------


def _balancers(instances: list[str]) -> dict[str, dict[str, str]]:
    """ALBs and NLBs with ``instances`` registered behind them, and an ALB with no targets, by name."""
    elbv2 = boto3.client("elbv2", region_name=REGION)
    subnets = [s["SubnetId"] for s in boto3.client("ec2", region_name=REGION).describe_subnets()["Subnets"][:2]]
    vpc = boto3.client("ec2", region_name=REGION).describe_subnets()["Subnets"][0]["VpcId"]
    out = {}
    for name, kind in (("quiet", "application"), ("busy", "application"), ("silent", "application"),
                       ("empty", "application"), ("tcp-quiet", "network"), ("tcp-open", "network")):  # fmt: skip
        arn = elbv2.create_load_balancer(Name=name, Subnets=subnets, Type=kind)["LoadBalancers"][0]["LoadBalancerArn"]
        out[name] = {"arn": arn, "id": name}
        if name == "empty":
            continue
        protocol = "HTTP" if kind == "application" else "TCP"
        group = elbv2.create_target_group(Name=f"{name}-tg", Protocol=protocol, Port=80, VpcId=vpc)
        group_arn = group["TargetGroups"][0]["TargetGroupArn"]
        elbv2.create_listener(
            LoadBalancerArn=arn,
            Protocol=protocol,
            Port=80,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": group_arn}],
        )
        elbv2.register_targets(TargetGroupArn=group_arn, Targets=[{"Id": i} for i in instances])
    return out


def _dimension(arn: str) -> str:
    return arn.split(":loadbalancer/", 1)[1]


def test_a_balancer_with_targets_and_no_requests_saves_its_hourly_charge(aws: None) -> None:
    instances = [_instance(), _instance()]
    lbs = _balancers(instances)
    for name, daily in (("quiet", ZEROS), ("busy", [0.0] * 13 + [3.0]), ("empty", ZEROS)):
        _put("AWS/ApplicationELB", "RequestCount", {"LoadBalancer": _dimension(lbs[name]["arn"])}, daily)
    _put("AWS/NetworkELB", "NewFlowCount", {"LoadBalancer": _dimension(lbs["tcp-quiet"]["arn"])}, ZEROS)
    _put("AWS/NetworkELB", "ActiveFlowCount", {"LoadBalancer": _dimension(lbs["tcp-quiet"]["arn"])}, ZEROS)
    # No new flows in the window, but a connection opened before it is still open: traffic.
    _put("AWS/NetworkELB", "NewFlowCount", {"LoadBalancer": _dimension(lbs["tcp-open"]["arn"])}, ZEROS)
    _put("AWS/NetworkELB", "ActiveFlowCount", {"LoadBalancer": _dimension(lbs["tcp-open"]["arn"])}, [1.0] * 14)

    got, report, skipped = _check(["elb:load-balancer"])

    # The balancer with no targets is idle-load-balancer's (unchanged), never read here.
    assert "empty" not in got and skipped == 1
    [finding] = got["quiet"].findings
    # ALB us-east-1: $0.0225/h x 730 h.
    assert (finding.id, finding.monthly_saving, finding.confidence, finding.action) == (
        "idle-load-balancer-traffic", 16.43, "medium", "delete",
    )  # fmt: skip
    assert "2 registered targets; RequestCount over 14 days (14 daily datapoints): 0 requests (at most 0)" in (
        finding.evidence
    )
    assert "deleting it saves its hourly charge, $16.43/mo" in finding.evidence
    [flows] = got["tcp-quiet"].findings
    assert flows.monthly_saving == 16.43
    assert (
        "NewFlowCount (14 daily datapoints) 0 new flows, ActiveFlowCount (14 daily datapoints) highest daily "
        "maximum 0 (at most 0)"
    ) in flows.evidence
    assert not got["tcp-open"].findings
    assert "highest daily maximum 1 (not both at most 0)" in got["tcp-open"].details[IDLE_CHECK]
    assert not got["busy"].findings and "3 requests (more than 0)" in got["busy"].details[IDLE_CHECK]
    assert got["silent"].details[IDLE_CHECK].startswith("no data: CloudWatch has no RequestCount (Sum)")
    assert (report.idle, report.busy, report.no_data) == (2, 2, 1)


def test_a_few_requests_are_idle_under_a_higher_limit(aws: None) -> None:
    lbs = _balancers([_instance()])
    _put("AWS/ApplicationELB", "RequestCount", {"LoadBalancer": _dimension(lbs["quiet"]["arn"])}, [0.0] * 13 + [3.0])

    got, _, _ = _check(["elb:load-balancer"], Thresholds(idle_lb_requests=3))

    [finding] = got["quiet"].findings
    assert "RequestCount over 14 days (14 daily datapoints): 3 requests (at most 3)" in finding.evidence


def test_the_no_targets_rule_is_as_it_was_and_the_two_never_meet(aws: None) -> None:
    _balancers([_instance()])
    rows = price_resources(scan(["elb:load-balancer"])[0])
    by_id = {r.id: r for r in rows}
    assert [f.id for f in by_id["empty"].findings] == ["idle-load-balancer"]
    rules = (IDLE_LB_TRAFFIC_ALB, IDLE_LB_TRAFFIC_NLB, IDLE_LB_TRAFFIC_CLASSIC)
    for r in rows:
        assert sum(rule.applies(r) for rule in rules) == (0 if r.id == "empty" else 1), r.id


def test_a_classic_balancer_is_read_by_its_name(aws: None) -> None:
    elb = boto3.client("elb", region_name=REGION)
    for name in ("legacy", "legacy-busy"):
        elb.create_load_balancer(
            LoadBalancerName=name,
            Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
            AvailabilityZones=["us-east-1a"],
        )
        elb.register_instances_with_load_balancer(LoadBalancerName=name, Instances=[{"InstanceId": _instance()}])
    _put("AWS/ELB", "RequestCount", {"LoadBalancerName": "legacy"}, ZEROS)
    _put("AWS/ELB", "RequestCount", {"LoadBalancerName": "legacy-busy"}, [120.0] * 14)

    got, _, _ = _check(["elb:load-balancer"])

    [finding] = got["legacy"].findings
    assert (finding.id, finding.monthly_saving) == ("idle-load-balancer-traffic", 18.25)  # $0.025/h x 730 h
    assert "1 registered target; RequestCount over 14 days (14 daily datapoints): 0 requests" in finding.evidence
    assert "1,680 requests (more than 0)" in got["legacy-busy"].details[IDLE_CHECK]
    assert not got["legacy-busy"].findings


def test_balancers_are_named_as_elb_names_them_in_cloudwatch() -> None:
    account = "arn:aws:elasticloadbalancing:us-east-1:123456789012"
    nlb = Resource(
        kind="elb:load-balancer", id="edge", region=REGION, arn=f"{account}:loadbalancer/net/edge/7e3b1f0c2d4a5b6c"
    )
    alb = Resource(
        kind="elb:load-balancer", id="web", region=REGION, arn=f"{account}:loadbalancer/app/web/50dc6c495c0c9188"
    )
    assert (metric_name(nlb), metric_name(alb)) == ("net/edge/7e3b1f0c2d4a5b6c", "app/web/50dc6c495c0c9188")
    assert metric_name(Resource(kind="elb:load-balancer", id="x", region=REGION)) == ""
    classic = Resource(
        kind="elb:load-balancer",
        id="legacy",
        region=REGION,
        state="active",
        details={"subtype": "classic", "target_count": 1},
    )
    [query] = IDLE_LB_TRAFFIC_CLASSIC.queries
    assert ask_of(IDLE_LB_TRAFFIC_CLASSIC, query, classic)[3] == (("LoadBalancerName", "legacy"),)
    # One finding in three declarations (each type publishes its traffic in a namespace of its
    # own): one label in the Savings panel, one knob, one verb.
    rules = (IDLE_LB_TRAFFIC_ALB, IDLE_LB_TRAFFIC_NLB, IDLE_LB_TRAFFIC_CLASSIC)
    label = REGISTRY.finding_labels()["idle-load-balancer-traffic"]
    assert {(r.id, r.label, r.knobs, r.action) for r in rules} == {
        ("idle-load-balancer-traffic", label, IDLE_LB_TRAFFIC_ALB.knobs, "delete")
    }
    assert REGISTRY["elb:load-balancer"].metric_rules == rules


# --- idle-dynamodb-table --------------------------------------------------------------------------


def _table(name: str, mode: str = "PROVISIONED", index: bool = False) -> None:
    params: dict[str, object] = {
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": mode,
    }
    if mode == "PROVISIONED":
        params["ProvisionedThroughput"] = {"ReadCapacityUnits": 10, "WriteCapacityUnits": 5}
    if index:
        params["AttributeDefinitions"] = [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "customer", "AttributeType": "S"},
        ]
        params["GlobalSecondaryIndexes"] = [
            {
                "IndexName": "by-customer",
                "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            }
        ]
    boto3.client("dynamodb", region_name=REGION).create_table(**params)


def _consumed(table: str, reads: list[float], writes: list[float]) -> None:
    _put("AWS/DynamoDB", "ConsumedReadCapacityUnits", {"TableName": table}, reads)
    _put("AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": table}, writes)


def test_a_provisioned_table_nobody_uses_saves_its_capacity(aws: None) -> None:
    for name in ("quiet", "read", "silent"):
        _table(name)
    _table("indexed", index=True)
    _table("on-demand", mode="PAY_PER_REQUEST")
    _consumed("quiet", ZEROS, ZEROS)
    _consumed("read", [0.0] * 13 + [0.5], ZEROS)
    _consumed("indexed", ZEROS, ZEROS)
    _consumed("on-demand", ZEROS, ZEROS)

    got, report, skipped = _check(["dynamodb:table"])

    assert "on-demand" not in got and skipped == 1  # no provisioned capacity to save
    [finding] = got["quiet"].findings
    # (10 RCU x $0.00013/h + 5 WCU x $0.00065/h) x 730 h = $3.32; the (empty) table's storage is $0.00.
    assert (finding.id, finding.monthly_saving, finding.confidence, finding.action) == (
        "idle-dynamodb-table", 3.32, "high", "modify",
    )  # fmt: skip
    assert (
        "over 14 days: ConsumedReadCapacityUnits (14 daily datapoints) 0 read units, ConsumedWriteCapacityUnits "
        "(14 daily datapoints) 0 write units (at most 0 together)"
    ) in finding.evidence
    assert (
        "switching it to on-demand removes its provisioned capacity charge, $3.32/mo: (10 RCU x $0.00013/h + "
        "5 WCU x $0.00065/h) x 730 h = $3.32; storage ($0.00 of the row's $3.32) keeps billing"
    ) in finding.evidence
    # Reads through an index are published under its own dimension and not read: less sure.
    [indexed] = got["indexed"].findings
    assert indexed.confidence == "medium" and "reads through its 1 global secondary index are not counted" in (
        indexed.evidence
    )
    assert indexed.monthly_saving == 6.17  # (15 RCU x $0.00013/h + 10 WCU x $0.00065/h) x 730 h
    assert not got["read"].findings and "0.50 read units" in got["read"].details[IDLE_CHECK]
    assert got["silent"].details[IDLE_CHECK].startswith("no data: CloudWatch has no ConsumedReadCapacityUnits (Sum)")
    assert (report.idle, report.busy, report.no_data) == (2, 1, 1)


def test_the_table_saving_is_the_capacity_part_of_its_price_and_storage_stays() -> None:
    table = Resource(
        kind="dynamodb:table",
        id="orders",
        region=REGION,
        state="ACTIVE",
        details={
            "billing_mode": "PROVISIONED",
            "read_capacity_units": 100,
            "write_capacity_units": 50,
            "gsi_count": 1,
            "gsi_read_capacity_units": 20,
            "gsi_write_capacity_units": 10,
            "size_bytes": 50 * 2**30,
            "table_class": "STANDARD",
        },
    )
    [row] = price_resources([table])
    saving = IDLE_DYNAMODB_TABLE.saving(row)
    # (120 RCU x $0.00013 + 60 WCU x $0.00065) x 730 h = $39.86; 50 GB x $0.25 = $12.50 of storage.
    assert (row.monthly_cost, saving) == (52.36, 39.86)
    assert "= $39.86 (20 RCU and 10 WCU of it on 1 index); + storage 50 GB" in str(row.cost_basis)
    basis = IDLE_DYNAMODB_TABLE.saving_basis(row, saving)
    assert "$39.86/mo: (120 RCU x $0.00013/h + 60 WCU x $0.00065/h) x 730 h = $39.86" in basis
    assert "storage ($12.50 of the row's $52.36) keeps billing" in basis
    # A row the catalogue cannot price (its region) has no saving, and says why.
    [unknown] = price_resources([Resource(kind="dynamodb:table", id="x", region="mars-1", state="ACTIVE",
                                          details=table.details)])  # fmt: skip
    assert IDLE_DYNAMODB_TABLE.saving(unknown) is None
    assert IDLE_DYNAMODB_TABLE.saving_basis(unknown, None).startswith("its provisioned capacity's cost is unknown")


# --- the demo -------------------------------------------------------------------------------------


def test_the_demo_seeds_one_idle_row_of_each_and_some_without_data() -> None:
    regions = ["ap-southeast-2", "us-west-2"]  # dev and staging
    with mock_aws():
        boto = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
        seed_global(boto, None)
        for region in regions:
            seed_region(boto, None, region)
        session = moto_session()
        rows, _ = scan(
            ["ec2:volume", "ec2:vpc-endpoint", "elb:load-balancer", "dynamodb:table"], regions, session=session
        )
        report = run_checks(plan_checks(rows), lambda _: session)

    flagged = {(f.id, r.region, r.name) for r in report.resources for f in r.findings if f.id in TRAFFIC_IDS}
    assert flagged == {
        ("ebs-no-io", "ap-southeast-2", "dev-worker-data"),
        ("idle-load-balancer-traffic", "ap-southeast-2", "dev-web-alb"),
        ("idle-vpc-endpoint", "us-west-2", "staging-ssm"),
        ("idle-dynamodb-table", "us-west-2", "staging-orders"),
    }
    silent = {(r.kind, r.name) for r in report.resources if r.details[IDLE_CHECK].startswith("no data")}
    assert {("ec2:vpc-endpoint", "dev-ssm"), ("elb:load-balancer", "staging-web-alb")} < silent
    # The volumes of the stopped instances and of the bastions: EBS publishes nothing for them.
    assert {kind for kind, _ in silent} == {"ec2:volume", "ec2:vpc-endpoint", "elb:load-balancer"}
    busy = {r.name for r in report.resources if r.details[IDLE_CHECK].startswith("busy")}
    assert "staging-worker-data" in busy


TRAFFIC_IDS = {"ebs-no-io", "idle-vpc-endpoint", "idle-load-balancer-traffic", "idle-dynamodb-table"}
