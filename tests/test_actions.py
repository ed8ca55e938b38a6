"""Stop, terminate, delete and release against moto: each action, each refusal, the audit log."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests import helpers
from tests.helpers import error_response
from tracker_tui.aws.actions import (
    ActionOptions,
    ActionRunner,
    ActionUpdate,
    PlannedAction,
    Status,
    final_snapshot_id,
    plan,
)
from tracker_tui.aws.actions.rds import FINAL_SNAPSHOT
from tracker_tui.aws.actions.s3 import EMPTY_FIRST
from tracker_tui.aws.kinds import price_resources
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Resource
from tracker_tui.pricing.catalogue import load_catalogue
from tracker_tui.store import AuditLog

ACCOUNT = "123456789012"
AMI = "ami-12c6146b"
FAST = ActionOptions(poll_interval=0.01, verify_timeout=5)
AUDIT_FIELDS = {"time", "account", "region", "kind", "id", "action", "request_id", "result"}


# --- helpers -----------------------------------------------------------------------------


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


def runner(session: AwsSession, audit: AuditLog, **options: Any) -> ActionRunner:
    return ActionRunner(session, ACCOUNT, dataclasses.replace(FAST, **options), audit=audit)


def scanned(session: AwsSession, kind: str, region: str = "us-east-1") -> dict[str, Resource]:
    """The kind's resources as the scan maps and prices them, by id."""
    resources, _ = helpers.scan([kind], [region], session=session)
    return {r.id: r for r in price_resources(resources)}


def act(
    session: AwsSession,
    audit: AuditLog,
    resources: list[Resource],
    verb: str,
    **options: Any,
) -> tuple[list[ActionUpdate], list[ActionUpdate]]:
    """Plan and run ``verb``; returns (final updates, every update in order)."""
    run = runner(session, audit, **options)
    seen: list[ActionUpdate] = []
    finals = run.run(plan(resources, verb, run.options), seen.append)  # type: ignore[arg-type]
    return finals, seen


def run_instance(ec2: Any, tags: dict[str, str] | None = None, **extra: Any) -> str:
    kwargs: dict[str, Any] = {"ImageId": AMI, "MinCount": 1, "MaxCount": 1, "InstanceType": "t3.micro", **extra}
    if tags:
        kwargs["TagSpecifications"] = [
            {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    return ec2.run_instances(**kwargs)["Instances"][0]["InstanceId"]


def instance_state(ec2: Any, instance_id: str) -> str:
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]["Name"]


def on_call(session: AwsSession, service: str, region: str, operation: str, handler: Callable[..., Any]) -> None:
    """Register ``handler`` for ``before-call`` of one operation on the session's cached client."""
    client = session.client(service, region)
    client.meta.events.register(f"before-call.{client.meta.service_model.service_id.hyphenize()}.{operation}", handler)


def _network(ec2: Any) -> tuple[str, list[str]]:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    return vpc, subnets


def _db(rds: Any, ident: str, **extra: Any) -> None:
    params: dict[str, Any] = {
        "DBInstanceIdentifier": ident,
        "Engine": "postgres",
        "DBInstanceClass": "db.t3.micro",
        "AllocatedStorage": 20,
        "StorageType": "gp2",
        "MasterUsername": "admin",
        "MasterUserPassword": "not-a-secret-1",
        **extra,
    }
    rds.create_db_instance(**params)


def statuses(updates: list[ActionUpdate], resource_id: str) -> list[Status]:
    return [u.status for u in updates if u.resource.id == resource_id]


# --- plan() ------------------------------------------------------------------------------


def _resource(kind: str, ident: str, cost: float | None = None, **details: Any) -> Resource:
    return Resource(kind=kind, id=ident, region="us-east-1", account_id=ACCOUNT, monthly_cost=cost, details=details)


def test_plan_delete_on_a_mixed_selection_picks_each_kinds_action_and_skips_the_rest() -> None:
    when = datetime(2026, 11, 29, 1, 2, 3, tzinfo=UTC)
    rows = [
        _resource("ec2:instance", "i-1", 7.59),
        _resource("ec2:volume", "vol-1", 8.0),
        _resource("ec2:elastic-ip", "eipalloc-1", 3.65),
        _resource("ec2:nat-gateway", "nat-1", 32.85),
        _resource("s3:bucket", "logs-bucket", None),
        _resource("rds:db-instance", "orders", 15.0),
        _resource("elb:load-balancer", "web-alb", 16.43, subtype="application"),
        _resource("logs:log-group", "/app", 0.5),
        _resource("iam:role", "deployer", 0.0),
        _resource("lambda:function", "handler", None),
    ]

    planned = plan(rows, "delete", now=when)

    assert [p.action for p in planned] == [
        "terminate",
        "delete",
        "release",
        "delete",
        "delete",
        "delete",
        "delete",
        "delete",
        None,
        None,
    ]
    assert planned[8].skip_reason == "read-only kind"
    assert planned[9].skip_reason == "read-only kind"
    assert all(p.skip_reason is None for p in planned[:8])
    # Deleting saves the whole row's cost (unknown stays unknown).
    assert [p.saving for p in planned[:8]] == [7.59, 8.0, 3.65, 32.85, None, 15.0, 16.43, 0.5]
    rds = planned[5]
    assert rds.artifact == "tracker-tui-final-orders-20261129010203"
    assert "tracker-tui-final-orders-20261129010203" in rds.note
    assert "stay allocated" in planned[3].note  # the NAT gateway's EIPs are not released implicitly


def test_plan_stop_saves_compute_only() -> None:
    catalogue = load_catalogue()
    instance, db = price_resources(
        [
            Resource(
                kind="ec2:instance",
                id="i-1",
                region="us-east-1",
                state="running",
                details={"instance_type": "t3.micro"},
            ),
            Resource(
                kind="rds:db-instance",
                id="orders",
                region="us-east-1",
                state="available",
                details={
                    "engine": "postgres",
                    "instance_class": "db.t3.micro",
                    "allocated_storage_gib": 20,
                    "storage_type": "gp2",
                },
            ),
        ]
    )
    volume = _resource("ec2:volume", "vol-1", 8.0)

    planned = plan([instance, db, volume], "stop")

    assert [p.action for p in planned] == ["stop", "stop", None]
    assert planned[0].saving == instance.monthly_cost
    hourly = catalogue.rds_hourly("postgres", "db.t3.micro", "us-east-1")
    assert hourly is not None and db.monthly_cost is not None
    # The instance part only: a stopped DB keeps paying for its 20 GiB of storage.
    assert planned[1].saving == pytest.approx(round(hourly * catalogue.hours_per_month, 2), abs=0.011)
    assert planned[1].saving is not None
    assert planned[1].saving < db.monthly_cost
    assert planned[2].skip_reason == "no stop action"


def test_plan_without_final_snapshot_says_so() -> None:
    unticked = ActionOptions(choices={FINAL_SNAPSHOT: False})
    planned = plan([_resource("rds:db-instance", "orders", 15.0)], "delete", unticked)
    assert planned[0].artifact is None
    assert "no final snapshot" in planned[0].note


def test_final_snapshot_id_is_deterministic() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert final_snapshot_id("db-1", when) == "tracker-tui-final-db-1-20260102030405"


def test_efs_file_systems_take_no_action() -> None:
    fs = Resource(kind="efs:file-system", id="fs-1", region="us-east-1", account_id=ACCOUNT, state="available")
    assert [(p.action, p.skip_reason) for p in plan([fs], "delete")] == [(None, "read-only kind")]
    assert [(p.action, p.skip_reason) for p in plan([fs], "stop")] == [(None, "read-only kind")]


# --- EC2 instances -----------------------------------------------------------------------


def test_stop_instance_verifies_and_returns_it_repriced(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]
        assert row.monthly_cost and row.monthly_cost > 0

        finals, seen = act(session, audit, [row], "stop")

        assert instance_state(ec2, instance_id) == "stopped"
    assert statuses(seen, instance_id) == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]
    (done,) = finals
    assert done.action == "stop" and not done.deleted
    assert done.result is not None
    assert done.result.state == "stopped"
    assert done.result.monthly_cost == 0.0
    assert done.result.cost_basis and done.result.cost_basis.startswith("stopped")
    assert done.result.details["instance_type"] == "t3.micro"


def test_terminate_instance(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]

        (done,), _ = act(session, audit, [row], "delete")

        assert instance_state(ec2, instance_id) == "terminated"
    assert (done.status, done.action, done.deleted) == (Status.DONE, "terminate", True)


def test_stop_refused_when_already_stopped(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]  # scanned while running
        ec2.stop_instances(InstanceIds=[instance_id])

        (refused,), _ = act(session, audit, [row], "stop")

    assert refused.status is Status.REFUSED
    assert refused.message == "already stopped"
    assert audit.tail(50) == []  # nothing was called, not even a dry run


@pytest.mark.parametrize(
    ("tags", "options", "reason"),
    [
        ({"do-not-delete": "yes"}, {}, "tag do-not-delete is set"),
        ({"protected": ""}, {}, "tag protected is set"),
        ({"keep-forever": "1"}, {"protected_tags": ("keep-forever",)}, "tag keep-forever is set"),
    ],
)
def test_protected_tags_refuse_terminate_and_nothing_changes(
    audit: AuditLog, tags: dict[str, str], options: dict[str, Any], reason: str
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2, tags)
        row = scanned(session, "ec2:instance")[instance_id]

        (refused,), _ = act(session, audit, [row], "delete", **options)

        assert instance_state(ec2, instance_id) == "running"
    assert (refused.status, refused.message) == (Status.REFUSED, reason)


def test_protected_tag_added_after_the_scan_is_still_found(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]
        assert "do-not-delete" not in row.tags
        ec2.create_tags(Resources=[instance_id], Tags=[{"Key": "do-not-delete", "Value": "1"}])

        (refused,), _ = act(session, audit, [row], "delete")

        assert instance_state(ec2, instance_id) == "running"
    assert refused.message == "tag do-not-delete is set"


def test_termination_protection_refuses_and_is_left_on(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2)
        # moto 5.2 ignores RunInstances' DisableApiTermination; ModifyInstanceAttribute sets it.
        ec2.modify_instance_attribute(InstanceId=instance_id, DisableApiTermination={"Value": True})
        row = scanned(session, "ec2:instance")[instance_id]

        (refused,), _ = act(session, audit, [row], "delete")

        assert instance_state(ec2, instance_id) == "running"
        attribute = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="disableApiTermination")
        assert attribute["DisableApiTermination"]["Value"] is True
    assert refused.status is Status.REFUSED
    assert refused.message == (
        "termination protection is on (DisableApiTermination); tracker-tui never switches it off"
    )


def test_stop_protection_refuses_and_is_left_on(audit: AuditLog) -> None:
    # moto 5.2 keeps DisableApiStop (RunInstances and ModifyInstanceAttribute) and enforces it.
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2, DisableApiStop=True)
        row = scanned(session, "ec2:instance")[instance_id]

        (refused,), _ = act(session, audit, [row], "stop")

        assert instance_state(ec2, instance_id) == "running"
        attribute = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="disableApiStop")
        assert attribute["DisableApiStop"]["Value"] is True
    assert refused.message == "stop protection is on (DisableApiStop); tracker-tui never switches it off"
    assert audit.tail(50) == []


def test_dry_run_denial_refuses_before_anything_changes(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]
        real_calls: list[dict[str, Any]] = []

        def deny_dry_run(params: dict[str, Any], **_: Any) -> Any:
            if params["body"].get("DryRun") == "true":
                return error_response("UnauthorizedOperation", "You are not authorized to perform this operation.", 403)
            real_calls.append(params["body"])
            return None

        on_call(session, "ec2", "us-east-1", "StopInstances", deny_dry_run)

        (refused,), _ = act(session, audit, [row], "stop")

        assert instance_state(ec2, instance_id) == "running"
    assert real_calls == []
    assert refused.status is Status.REFUSED
    assert refused.code == "UnauthorizedOperation"
    assert refused.message == "DryRun denied: UnauthorizedOperation You are not authorized to perform this operation."
    before, line = audit.tail(50)
    assert (before["phase"], before["operation"], before["params"]["DryRun"]) == ("before", "StopInstances", True)
    assert line["phase"] == "dry-run"
    assert line["result"] == "denied"
    assert line["code"] == "UnauthorizedOperation"
    assert line["request_id"] == "req-UnauthorizedOperation"
    assert (line["operation"], line["id"], line["action"]) == ("StopInstances", instance_id, "stop")


def test_identity_changed_since_the_scan_refuses_every_row(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        ids = [run_instance(ec2), run_instance(ec2)]
        found = scanned(session, "ec2:instance")
        # The rows say they were scanned in another account than the credentials now reach.
        rows = [dataclasses.replace(found[i], account_id="210987654321") for i in ids]
        run = ActionRunner(session, "210987654321", FAST, audit=audit)

        finals = run.run(plan(rows, "delete"), lambda _: None)

        assert [instance_state(ec2, i) for i in ids] == ["running", "running"]
    assert [u.status for u in finals] == [Status.REFUSED, Status.REFUSED]
    assert finals[0].message == (
        "identity changed: credentials now belong to account 123456789012, rows were scanned in 210987654321"
    )
    assert audit.tail(50) == []


# --- EBS volumes -------------------------------------------------------------------------


def test_delete_unattached_volume(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = ec2.create_volume(Size=10, AvailabilityZone="us-east-1a", VolumeType="gp3")["VolumeId"]
        row = scanned(session, "ec2:volume")[volume_id]

        (done,), _ = act(session, audit, [row], "delete")

        assert ec2.describe_volumes()["Volumes"] == []
    assert (done.status, done.action, done.deleted) == (Status.DONE, "delete", True)


def test_attached_volume_refused(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2, Placement={"AvailabilityZone": "us-east-1a"})
        volume_id = ec2.create_volume(Size=10, AvailabilityZone="us-east-1a")["VolumeId"]
        row = scanned(session, "ec2:volume")[volume_id]  # scanned while still unattached
        ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")

        (refused,), _ = act(session, audit, [row], "delete")

        assert [v["VolumeId"] for v in ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"]] == [volume_id]
    assert refused.status is Status.REFUSED
    assert refused.message == f"volume is attached to {instance_id} (state in-use)"


def test_bulk_delete_one_failure_does_not_stop_the_rest(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        ids = [ec2.create_volume(Size=1, AvailabilityZone="us-east-1a")["VolumeId"] for _ in range(3)]
        found = scanned(session, "ec2:volume")
        failing = ids[1]

        def fail_middle(params: dict[str, Any], **_: Any) -> Any:
            body = params["body"]
            if body.get("VolumeId") == failing and body.get("DryRun") != "true":
                return error_response("VolumeInUse", f"Volume {failing} is currently being used.")
            return None

        on_call(session, "ec2", "us-east-1", "DeleteVolume", fail_middle)

        finals, seen = act(session, audit, [found[i] for i in ids], "delete")

        left = [v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]]
    assert left == [failing]
    assert [u.status for u in finals] == [Status.DONE, Status.FAILED, Status.DONE]
    assert finals[1].code == "VolumeInUse"
    assert finals[1].message == f"Volume {failing} is currently being used."
    assert statuses(seen, failing) == [Status.REQUESTED, Status.IN_PROGRESS, Status.FAILED]
    # The failed call is in the audit log too, before and after.
    lines = [
        line
        for line in audit.tail(100)
        if line["id"] == failing and line["phase"] in ("before", "after") and not line.get("params", {}).get("DryRun")
    ]
    assert [(line["phase"], line["result"]) for line in lines] == [("before", None), ("after", "error")]
    assert lines[1]["code"] == "VolumeInUse"
    assert lines[1]["request_id"] == "req-VolumeInUse"


# --- Elastic IPs ---------------------------------------------------------------------------


def test_release_idle_elastic_ip(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        row = scanned(session, "ec2:elastic-ip")[allocation]

        (done,), _ = act(session, audit, [row], "delete")

        assert ec2.describe_addresses()["Addresses"] == []
    assert (done.status, done.action, done.deleted) == (Status.DONE, "release", True)


def test_associated_elastic_ip_refused(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2)
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ec2.associate_address(AllocationId=allocation, InstanceId=instance_id)
        row = scanned(session, "ec2:elastic-ip")[allocation]

        (refused,), _ = act(session, audit, [row], "delete")

        assert [a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]] == [allocation]
    assert refused.status is Status.REFUSED
    assert refused.message == f"Elastic IP is associated with {instance_id}"


# --- NAT gateways --------------------------------------------------------------------------


def _nat(ec2: Any) -> tuple[str, str]:
    _, subnets = _network(ec2)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    return nat, allocation


def test_delete_nat_gateway_polls_deleting_until_deleted_and_keeps_its_eip(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        nat_id, allocation = _nat(ec2)
        row = scanned(session, "ec2:nat-gateway")[nat_id]
        # moto deletes at once; AWS answers "deleting" for a while.  Show that twice.
        polls: list[str] = []

        def still_deleting(parsed: dict[str, Any], **_: Any) -> None:
            for gateway in parsed.get("NatGateways", []):
                if gateway["State"] == "deleted" and polls.count("deleting") < 2:
                    gateway["State"] = "deleting"
                polls.append(gateway["State"])

        ec2.meta.events.register("after-call.ec2.DescribeNatGateways", still_deleting)

        (done,), _ = act(session, audit, [row], "delete")

        assert ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]["State"] == "deleted"
        # Release nothing implicitly: the NAT gateway's Elastic IP is still allocated.
        assert [a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]] == [allocation]
    assert polls == ["available", "deleting", "deleting", "deleted", "deleted"]  # the last one is ours
    assert (done.status, done.deleted) == (Status.DONE, True)
    # moto 5.2 carries DeleteNatGateway out even with DryRun=True: the runner does not call it
    # a second time, and the change is still in the audit log.
    after = [line for line in audit.tail(10) if line["phase"] == "after"]
    assert [(line["operation"], line["result"]) for line in after] == [("DeleteNatGateway", "ok")]


def test_nat_gateway_that_never_finishes_deleting_fails_within_the_bound(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        nat_id, _ = _nat(ec2)
        row = scanned(session, "ec2:nat-gateway")[nat_id]
        deleted: list[bool] = []

        def stuck(parsed: dict[str, Any], **_: Any) -> None:
            for gateway in parsed.get("NatGateways", []):
                if gateway["State"] == "deleted":
                    gateway["State"] = "deleting"
                    deleted.append(True)

        ec2.meta.events.register("after-call.ec2.DescribeNatGateways", stuck)

        (failed,), _ = act(session, audit, [row], "delete", verify_timeout=0.1)

    assert deleted
    assert failed.status is Status.FAILED
    assert failed.code == "VerifyTimeout"
    assert "deleting" in failed.message


# --- S3 buckets ----------------------------------------------------------------------------


def _versioned_bucket(region: str, name: str) -> Any:
    s3 = boto3.client("s3", region_name=region)
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=name, Key="a.txt", Body=b"1")
    s3.put_object(Bucket=name, Key="a.txt", Body=b"2")
    s3.delete_object(Bucket=name, Key="a.txt")  # two versions and a delete marker; no current object
    return s3


def test_delete_empty_bucket_in_its_own_region(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(Bucket="empty-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        row = scanned(session, "s3:bucket", "eu-west-1")["empty-bucket"]
        assert row.region == "eu-west-1"

        (done,), _ = act(session, audit, [row], "delete")

        assert s3.list_buckets()["Buckets"] == []
    assert (done.status, done.deleted) == (Status.DONE, True)
    assert {line["region"] for line in audit.tail(10)} == {"eu-west-1"}


def test_non_empty_versioned_bucket_refused_without_empty_it_first(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _versioned_bucket("eu-west-1", "versioned-bucket")
        row = scanned(session, "s3:bucket", "eu-west-1")["versioned-bucket"]

        (refused,), _ = act(session, audit, [row], "delete")

        versions = s3.list_object_versions(Bucket="versioned-bucket")
        assert len(versions["Versions"]) == 2 and len(versions["DeleteMarkers"]) == 1
    assert refused.status is Status.REFUSED
    assert refused.message == "bucket is not empty (3 objects/versions); choose 'empty it first' to delete it"
    assert audit.tail(10) == []


def test_empty_it_first_deletes_every_version_then_the_bucket(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _versioned_bucket("eu-west-1", "versioned-bucket")
        row = scanned(session, "s3:bucket", "eu-west-1")["versioned-bucket"]

        (done,), _ = act(session, audit, [row], "delete", choices={EMPTY_FIRST: True})

        assert s3.list_buckets()["Buckets"] == []
    assert (done.status, done.deleted) == (Status.DONE, True)
    assert "emptied" in done.message
    calls = [(line["operation"], line["phase"]) for line in audit.tail(20)]
    assert calls == [
        ("DeleteObjects", "before"),
        ("DeleteObjects", "after"),
        ("DeleteBucket", "before"),
        ("DeleteBucket", "after"),
    ]
    assert audit.tail(20)[0]["params"] == {"Bucket": "versioned-bucket", "object_versions": 3}


def test_protected_bucket_refused_even_when_empty_it_first_was_chosen(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _versioned_bucket("us-east-2", "backups-bucket")
        s3.put_bucket_tagging(Bucket="backups-bucket", Tagging={"TagSet": [{"Key": "do-not-delete", "Value": "1"}]})
        row = scanned(session, "s3:bucket", "us-east-2")["backups-bucket"]

        (refused,), _ = act(session, audit, [row], "delete", choices={EMPTY_FIRST: True})

        assert len(s3.list_object_versions(Bucket="backups-bucket")["Versions"]) == 2
    assert refused.message == "tag do-not-delete is set"


def test_versions_aws_refuses_to_delete_fail_the_row_naming_the_first(audit: AuditLog) -> None:
    """Object Lock or MFA delete: DeleteObjects answers per-key errors; the bucket stays."""
    with mock_aws():
        session = helpers.moto_session()
        s3 = _versioned_bucket("eu-west-1", "locked-bucket")
        row = scanned(session, "s3:bucket", "eu-west-1")["locked-bucket"]

        def locked(parsed: dict[str, Any], **_: Any) -> None:
            parsed["Errors"] = [
                {"Key": "a.txt", "VersionId": "v1", "Code": "AccessDenied", "Message": "Object is WORM protected"},
                {"Key": "a.txt", "VersionId": "v2", "Code": "AccessDenied", "Message": "Object is WORM protected"},
            ]

        session.client("s3", "eu-west-1").meta.events.register("after-call.s3.DeleteObjects", locked)

        (failed,), _ = act(session, audit, [row], "delete", choices={EMPTY_FIRST: True})

        assert "locked-bucket" in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert (failed.status, failed.code) == (Status.FAILED, "AccessDenied")
    assert failed.message == (
        "emptying it failed: 2 versions not deleted, e.g. a.txt (AccessDenied: Object is WORM protected)"
    )
    assert failed.request_id
    assert [line["operation"] for line in audit.tail(20)] == ["DeleteObjects", "DeleteObjects"]  # no DeleteBucket


def test_a_deleteobjects_error_fails_the_row_as_emptying(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        _versioned_bucket("eu-west-1", "denied-bucket")
        row = scanned(session, "s3:bucket", "eu-west-1")["denied-bucket"]
        on_call(
            session, "s3", "eu-west-1", "DeleteObjects",
            lambda **_: error_response("AccessDenied", "no s3:DeleteObjectVersion", 403),
        )  # fmt: skip

        (failed,), _ = act(session, audit, [row], "delete", choices={EMPTY_FIRST: True})

    assert (failed.status, failed.code, failed.request_id) == (Status.FAILED, "AccessDenied", "req-AccessDenied")
    assert failed.message == "emptying it failed: no s3:DeleteObjectVersion"


def test_emptying_aborts_unfinished_uploads_before_deleting(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _versioned_bucket("eu-west-1", "uploads-bucket")
        upload = s3.create_multipart_upload(Bucket="uploads-bucket", Key="big.bin")["UploadId"]
        row = scanned(session, "s3:bucket", "eu-west-1")["uploads-bucket"]

        (done,), _ = act(session, audit, [row], "delete", choices={EMPTY_FIRST: True})

        assert "uploads-bucket" not in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert done.status is Status.DONE
    aborts = [line for line in audit.tail(20) if line["operation"] == "AbortMultipartUpload"]
    assert [(line["phase"], line.get("result")) for line in aborts] == [("before", None), ("after", "ok")]
    assert aborts[0]["params"] == {"Bucket": "uploads-bucket", "Key": "big.bin", "UploadId": upload}


def test_an_abort_that_fails_fails_the_row_and_keeps_the_bucket(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _versioned_bucket("eu-west-1", "stuck-bucket")
        s3.create_multipart_upload(Bucket="stuck-bucket", Key="big.bin")
        row = scanned(session, "s3:bucket", "eu-west-1")["stuck-bucket"]
        on_call(
            session, "s3", "eu-west-1", "AbortMultipartUpload",
            lambda **_: error_response("AccessDenied", "no s3:AbortMultipartUpload", 403),
        )  # fmt: skip

        (failed,), _ = act(session, audit, [row], "delete", choices={EMPTY_FIRST: True})

        assert "stuck-bucket" in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert (failed.status, failed.code) == (Status.FAILED, "AccessDenied")
    assert failed.message == "aborting an unfinished upload failed: no s3:AbortMultipartUpload"


# --- RDS -----------------------------------------------------------------------------------


def test_stop_db_instance_returns_it_repriced_with_storage_only(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", "us-east-1")
        _db(rds, "orders")
        row = scanned(session, "rds:db-instance")["orders"]

        (done,), _ = act(session, audit, [row], "stop")

        status = rds.describe_db_instances(DBInstanceIdentifier="orders")["DBInstances"][0]["DBInstanceStatus"]
    assert status == "stopped"
    assert done.status is Status.DONE
    assert done.result is not None and done.result.state == "stopped"
    assert row.monthly_cost is not None and done.result.monthly_cost is not None
    assert 0 < done.result.monthly_cost < row.monthly_cost
    assert done.result.cost_basis and done.result.cost_basis.startswith("stopped")


def test_stop_db_instance_refused_when_already_stopped(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", "us-east-1")
        _db(rds, "orders")
        row = scanned(session, "rds:db-instance")["orders"]
        rds.stop_db_instance(DBInstanceIdentifier="orders")

        (refused,), _ = act(session, audit, [row], "stop")

    assert (refused.status, refused.message) == (Status.REFUSED, "already stopped")


def test_delete_db_instance_keeps_the_named_final_snapshot(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", "us-east-1")
        _db(rds, "orders")
        row = scanned(session, "rds:db-instance")["orders"]
        run = runner(session, audit)
        planned = plan([row], "delete", run.options, now=datetime(2026, 11, 29, 1, 2, 3, tzinfo=UTC))

        (done,) = run.run(planned, lambda _: None)

        assert rds.describe_db_instances()["DBInstances"] == []
        snapshots = rds.describe_db_snapshots(DBInstanceIdentifier="orders")["DBSnapshots"]
    assert "tracker-tui-final-orders-20261129010203" in {s["DBSnapshotIdentifier"] for s in snapshots}
    assert (done.status, done.deleted) == (Status.DONE, True)
    assert "tracker-tui-final-orders-20261129010203" in done.message
    before = next(line for line in audit.tail(10) if line["phase"] == "before")
    assert before["params"]["FinalDBSnapshotIdentifier"] == "tracker-tui-final-orders-20261129010203"


def test_a_delete_planned_without_a_name_still_keeps_a_final_snapshot(audit: AuditLog) -> None:
    """A row planned elsewhere (no artifact): the runner names the snapshot itself, never skips it."""
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", "us-east-1")
        _db(rds, "orders")
        row = scanned(session, "rds:db-instance")["orders"]

        (done,) = runner(session, audit).run([PlannedAction(row, "delete")], lambda _: None)

        snapshots = {s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots()["DBSnapshots"]}
    (name,) = [s for s in snapshots if s.startswith("tracker-tui-final-orders-")]
    assert done.status is Status.DONE and done.message == f"deleted; final snapshot {name}"
    before = next(line for line in audit.tail(10) if line["phase"] == "before")
    assert before["params"] == {"DBInstanceIdentifier": "orders", "FinalDBSnapshotIdentifier": name}


def test_a_delete_without_a_final_snapshot_says_so_and_asks_for_none(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", "us-east-1")
        _db(rds, "scratch")
        row = scanned(session, "rds:db-instance")["scratch"]
        run = runner(session, audit, choices={FINAL_SNAPSHOT: False})

        (done,) = run.run(plan([row], "delete", run.options), lambda _: None)

        assert rds.describe_db_snapshots()["DBSnapshots"] == []
    assert (done.status, done.message, done.deleted) == (Status.DONE, "deleted (no final snapshot)", True)
    before = next(line for line in audit.tail(10) if line["phase"] == "before")
    assert before["params"] == {"DBInstanceIdentifier": "scratch", "SkipFinalSnapshot": True}


def test_deletion_protection_refuses_and_is_left_on(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", "us-east-1")
        _db(rds, "orders", DeletionProtection=True)
        row = scanned(session, "rds:db-instance")["orders"]

        (refused,), _ = act(session, audit, [row], "delete")

        (db,) = rds.describe_db_instances()["DBInstances"]
    assert db["DBInstanceStatus"] == "available"
    assert db["DeletionProtection"] is True
    assert refused.message == "deletion protection is on (DeletionProtection); tracker-tui never switches it off"


# --- load balancers ------------------------------------------------------------------------


def test_delete_alb_nlb_and_classic(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        elbv2 = session.client("elbv2", "us-east-1")
        elb = session.client("elb", "us-east-1")
        _, subnets = _network(ec2)
        elbv2.create_load_balancer(Name="web-alb", Subnets=subnets, Type="application")
        elbv2.create_load_balancer(Name="tcp-nlb", Subnets=subnets, Type="network")
        elb.create_load_balancer(
            LoadBalancerName="legacy",
            Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
            AvailabilityZones=["us-east-1a"],
        )
        found = scanned(session, "elb:load-balancer")
        assert {r.details["subtype"] for r in found.values()} == {"application", "network", "classic"}

        finals, _ = act(session, audit, list(found.values()), "delete")

        assert elbv2.describe_load_balancers()["LoadBalancers"] == []
        assert elb.describe_load_balancers()["LoadBalancerDescriptions"] == []
    assert [u.status for u in finals] == [Status.DONE] * 3
    operations = {(line["id"], line["operation"]) for line in audit.tail(20)}
    assert ("legacy", "DeleteLoadBalancer") in operations
    assert {line["operation"] for line in audit.tail(20)} == {"DeleteLoadBalancer"}


def test_load_balancer_deletion_protection_refuses(audit: AuditLog) -> None:
    # moto does not enforce the attribute; the runner must read it and refuse on its own.
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        elbv2 = session.client("elbv2", "us-east-1")
        _, subnets = _network(ec2)
        arn = elbv2.create_load_balancer(Name="web-alb", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
        elbv2.modify_load_balancer_attributes(
            LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}]
        )
        row = scanned(session, "elb:load-balancer")["web-alb"]

        (refused,), _ = act(session, audit, [row], "delete")

        assert len(elbv2.describe_load_balancers()["LoadBalancers"]) == 1
    assert refused.message == (
        "deletion protection is on (deletion_protection.enabled); tracker-tui never switches it off"
    )


# --- log groups ----------------------------------------------------------------------------


def test_delete_log_group(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        logs = session.client("logs", "us-east-1")
        logs.create_log_group(logGroupName="/app/old")
        logs.create_log_group(logGroupName="/app/old-but-kept")
        row = scanned(session, "logs:log-group")["/app/old"]

        (done,), _ = act(session, audit, [row], "delete")

        names = [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
    assert names == ["/app/old-but-kept"]
    assert (done.status, done.deleted) == (Status.DONE, True)


def test_log_group_tags_are_read_before_deleting(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        logs = session.client("logs", "us-east-1")
        logs.create_log_group(logGroupName="/audit/trail", tags={"protected": "true"})
        row = scanned(session, "logs:log-group")["/audit/trail"]
        assert row.tags == {}  # the scan does not list log group tags

        (refused,), _ = act(session, audit, [row], "delete")

        assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/audit/trail"]
    assert refused.message == "tag protected is set"


# --- the audit log -------------------------------------------------------------------------


def test_audit_has_before_and_after_for_every_call_and_before_is_on_disk_first(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]
        on_disk_at_call: list[dict[str, Any]] = []

        def read_log(params: dict[str, Any], **_: Any) -> None:
            lines = audit.path.read_text(encoding="utf-8").splitlines()
            on_disk_at_call.append(json.loads(lines[-1]))

        on_call(session, "ec2", "us-east-1", "TerminateInstances", read_log)

        (done,), _ = act(session, audit, [row], "delete")

    assert done.status is Status.DONE
    # Both calls, the DryRun and the real one, find their "before" line on disk already.
    dry, real = on_disk_at_call
    assert (dry["phase"], dry["operation"], dry["id"], dry["params"]["DryRun"]) == (
        "before",
        "TerminateInstances",
        instance_id,
        True,
    )
    assert (real["phase"], real["operation"], real["id"]) == ("before", "TerminateInstances", instance_id)
    assert "DryRun" not in real["params"]
    lines = audit.tail(10)
    assert [(line["phase"], line["result"]) for line in lines] == [
        ("before", None),
        ("dry-run", "ok"),
        ("before", None),
        ("after", "ok"),
    ]
    for line in lines:
        assert AUDIT_FIELDS <= set(line)
        assert (line["account"], line["region"], line["kind"], line["id"], line["action"]) == (
            ACCOUNT,
            "us-east-1",
            "ec2:instance",
            instance_id,
            "terminate",
        )
        assert line["time"].endswith("Z")
    assert lines[3]["request_id"]
    assert done.request_id == lines[3]["request_id"]


def test_a_call_is_not_made_when_the_audit_log_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the log's directory should be")
    audit = AuditLog(blocker / "audit.jsonl")
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = ec2.create_volume(Size=1, AvailabilityZone="us-east-1a")["VolumeId"]
        row = scanned(session, "ec2:volume")[volume_id]

        (refused,), _ = act(session, audit, [row], "delete")

        assert [v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]] == [volume_id]
    assert refused.status is Status.REFUSED
    assert refused.code == "AuditLogUnwritable"


def test_audit_log_defaults_to_the_data_dir_and_appends(tmp_path: Path) -> None:
    from tracker_tui import config

    log = AuditLog()
    assert log.path == config.data_dir() / "audit.jsonl"
    log.record(phase="before", id="a")
    AuditLog().record(phase="after", id="a", result="ok")
    assert [(e["phase"], e.get("result")) for e in log.tail()] == [("before", None), ("after", "ok")]


def test_audit_tail_skips_corrupt_lines_and_returns_the_last_n(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "deep" / "audit.jsonl")
    for i in range(30):
        log.record(n=i)
    with open(log.path, "a", encoding="utf-8") as handle:
        handle.write('{"n": "torn\n')
    log.record(n=30)

    last = log.tail(5)

    assert [e["n"] for e in last] == [26, 27, 28, 29, 30]
    assert len(log.skipped) == 1 and "torn" in log.skipped[0]
    assert [e["n"] for e in log.tail(100)][:2] == [0, 1]
    assert AuditLog(tmp_path / "missing.jsonl").tail() == []


# --- runner behaviour ------------------------------------------------------------------------


def test_skipped_rows_are_reported_and_cancel_skips_what_has_not_started(audit: AuditLog) -> None:
    import threading

    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_ids = [ec2.create_volume(Size=1, AvailabilityZone="us-east-1a")["VolumeId"] for _ in range(2)]
        found = scanned(session, "ec2:volume")
        role = Resource(kind="iam:role", id="deployer", region="global", account_id=ACCOUNT)
        cancel = threading.Event()

        def cancel_after_first_done(update: ActionUpdate) -> None:
            if update.status is Status.IN_PROGRESS:
                cancel.set()

        run = runner(session, audit)
        finals = run.run(plan([role, *(found[v] for v in volume_ids)], "delete"), cancel_after_first_done, cancel)

        left = [v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]]
    assert [u.status for u in finals] == [Status.SKIPPED, Status.DONE, Status.SKIPPED]
    assert finals[0].message == "read-only kind"
    assert finals[2].message == "cancelled before it started"
    assert left == [volume_ids[1]]


def test_resource_deleted_since_the_scan_is_reported_gone(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = ec2.create_volume(Size=1, AvailabilityZone="us-east-1a")["VolumeId"]
        row = scanned(session, "ec2:volume")[volume_id]
        ec2.delete_volume(VolumeId=volume_id)

        (update,), _ = act(session, audit, [row], "delete")

    assert update.status is Status.REFUSED
    assert update.deleted is True
    assert "no longer exists" in update.message


@pytest.mark.parametrize(("ticked", "kept"), [(True, {"tracker-tui-final-orders-20260101000000"}), (False, set())])
def test_the_plan_names_the_final_snapshot_and_the_box_decides_whether_it_is_kept(
    audit: AuditLog, ticked: bool, kept: set[str]
) -> None:
    """The plan is made before the dialog, with the box ticked: the name it shows is the one
    used, but unticking the box in that dialog is what the run does (it used to be ignored)."""
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", "us-east-1")
        _db(rds, "orders")
        row = scanned(session, "rds:db-instance")["orders"]
        planned = [PlannedAction(row, "delete", artifact="tracker-tui-final-orders-20260101000000")]
        run = runner(session, audit, choices={FINAL_SNAPSHOT: ticked})

        (done,) = run.run(planned, lambda _: None)

        snapshots = {s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots()["DBSnapshots"]}
    assert done.status is Status.DONE
    assert snapshots == kept


def test_log_group_deletion_protection_refuses(audit: AuditLog) -> None:
    # moto 5.2 has no PutLogGroupDeletionProtection: the flag is added to DescribeLogGroups' answer.
    with mock_aws():
        session = helpers.moto_session()
        logs = session.client("logs", "us-east-1")
        logs.create_log_group(logGroupName="/audit/trail")
        row = scanned(session, "logs:log-group")["/audit/trail"]

        def protected(parsed: dict[str, Any], **_: Any) -> None:
            for group in parsed.get("logGroups", []):
                group["deletionProtectionEnabled"] = True

        logs.meta.events.register("after-call.cloudwatch-logs.DescribeLogGroups", protected)

        (refused,), _ = act(session, audit, [row], "delete")

        logs.meta.events.unregister("after-call.cloudwatch-logs.DescribeLogGroups", protected)
        assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/audit/trail"]
    assert refused.message == (
        "deletion protection is on (deletionProtectionEnabled); tracker-tui never switches it off"
    )
