"""The safety rails, each guarded by a test that fails when the rail is removed.

1. A protected tag (key compared without case) refuses every handler of every kind that has
   an action, and nothing is called: each case has an untagged twin that the same run does
   carry out, so the refusal is the tag's doing.
2. The TUI acts with the config file's ``protected_tags``, not the built-in defaults.
3. A call whose "before" audit line cannot be written is not made, for every service (not
   only EC2, where the dry-run line refuses first).

Everything runs in-process against moto (``mock_aws``); nothing reaches AWS.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from textual.pilot import Pilot
from textual.widgets import Input

from tests import helpers, rails_data, rails_ec2_more, rails_ml, rails_start
from tests.rails import (  # the shared half of these tests
    ACCOUNT,
    AMI,
    FAST,
    GONE,
    HARMLESS,
    REGION,
    Case,
    Tags,
    scanned,
    where,
)
from tests.rails import WHERE as _WHERE
from tests.rails import calls as _calls
from tests.rails import ec2_calls as _ec2_calls
from tests.rails import tag_list as _tag_list
from tests.rails import tag_spec as _spec
from tracker_tui import config
from tracker_tui.aws.actions import ActionRunner, ActionUpdate, Status, plan
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.session import AwsSession
from tracker_tui.aws.source import LiveSource
from tracker_tui.history import ScanHistory
from tracker_tui.store import AuditLog
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.confirm import ConfirmActionScreen
from tracker_tui.ui.screens.progress import ActionProgressScreen

#: The kind families' own cases, run through every rail below with the core ones.
FAMILIES = (rails_ec2_more, rails_data, rails_ml, rails_start)

def _ec2() -> Any:
    return boto3.client("ec2", region_name=where())


def _subnets() -> list[str]:
    ec2 = _ec2()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{where()}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]


def _make_instance(tags: Tags) -> str:
    reply = _ec2().run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro", **_spec("instance", tags)
    )
    return str(reply["Instances"][0]["InstanceId"])


def _instance_state(ident: str) -> str:
    reply = _ec2().describe_instances(InstanceIds=[ident])
    return str(reply["Reservations"][0]["Instances"][0]["State"]["Name"])


def _make_volume(tags: Tags) -> str:
    return str(_ec2().create_volume(Size=1, AvailabilityZone=f"{where()}a", **_spec("volume", tags))["VolumeId"])


def _volume_state(ident: str) -> str:
    try:
        return str(_ec2().describe_volumes(VolumeIds=[ident])["Volumes"][0]["State"])
    except ClientError:
        return GONE


def _make_gp2_volume(tags: Tags) -> str:
    volume = _ec2().create_volume(Size=100, AvailabilityZone=f"{where()}a", VolumeType="gp2", **_spec("volume", tags))
    return str(volume["VolumeId"])


def _volume_type(ident: str) -> str:
    """What modify changes: the volume's type."""
    try:
        return str(_ec2().describe_volumes(VolumeIds=[ident])["Volumes"][0]["VolumeType"])
    except ClientError:
        return GONE


def _make_eip(tags: Tags) -> str:
    return str(_ec2().allocate_address(Domain="vpc", **_spec("elastic-ip", tags))["AllocationId"])


def _eip_state(ident: str) -> str:
    try:
        (address,) = _ec2().describe_addresses(AllocationIds=[ident])["Addresses"]
    except ClientError:
        return GONE
    return "associated" if address.get("AssociationId") else "allocated"


def _make_nat(tags: Tags) -> str:
    ec2 = _ec2()
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    reply = ec2.create_nat_gateway(SubnetId=_subnets()[0], AllocationId=allocation, **_spec("natgateway", tags))
    return str(reply["NatGateway"]["NatGatewayId"])


def _nat_state(ident: str) -> str:
    return str(_ec2().describe_nat_gateways(NatGatewayIds=[ident])["NatGateways"][0]["State"])


def _make_bucket(tags: Tags) -> str:
    s3 = boto3.client("s3", region_name=where())
    location = {} if where() == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": where()}}
    s3.create_bucket(Bucket="rails-bucket", **location)
    if tags:
        s3.put_bucket_tagging(Bucket="rails-bucket", Tagging={"TagSet": _tag_list(tags)})
    return "rails-bucket"


def _bucket_state(ident: str) -> str:
    try:
        boto3.client("s3", region_name=where()).head_bucket(Bucket=ident)
    except ClientError:
        return GONE
    return "exists"


def _make_db(tags: Tags) -> str:
    boto3.client("rds", region_name=where()).create_db_instance(
        DBInstanceIdentifier="rails-db",
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        StorageType="gp2",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
        Tags=_tag_list(tags),
    )
    return "rails-db"


def _db_state(ident: str) -> str:
    try:
        found = boto3.client("rds", region_name=where()).describe_db_instances(DBInstanceIdentifier=ident)
    except ClientError:
        return GONE
    return str(found["DBInstances"][0]["DBInstanceStatus"])


def _v2_lb_maker(lb_type: str) -> Callable[[Tags], str]:
    def make(tags: Tags) -> str:
        name = f"rails-{lb_type}"
        extra = {"Tags": _tag_list(tags)} if tags else {}
        boto3.client("elbv2", region_name=where()).create_load_balancer(
            Name=name, Subnets=_subnets(), Type=lb_type, **extra
        )
        return name

    return make


def _v2_lb_state(ident: str) -> str:
    try:
        boto3.client("elbv2", region_name=where()).describe_load_balancers(Names=[ident])
    except ClientError:
        return GONE
    return "exists"


def _make_classic_lb(tags: Tags) -> str:
    extra = {"Tags": _tag_list(tags)} if tags else {}
    boto3.client("elb", region_name=where()).create_load_balancer(
        LoadBalancerName="rails-classic",
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
        AvailabilityZones=[f"{where()}a"],
        **extra,
    )
    return "rails-classic"


def _classic_lb_state(ident: str) -> str:
    try:
        boto3.client("elb", region_name=where()).describe_load_balancers(LoadBalancerNames=[ident])
    except ClientError:
        return GONE
    return "exists"


def _make_log_group(tags: Tags) -> str:
    extra = {"tags": dict(tags)} if tags else {}
    boto3.client("logs", region_name=where()).create_log_group(logGroupName="/rails/app", **extra)
    return "/rails/app"


def _log_group_state(ident: str) -> str:
    groups = boto3.client("logs", region_name=where()).describe_log_groups(logGroupNamePrefix=ident)["logGroups"]
    return "exists" if any(g["logGroupName"] == ident for g in groups) else GONE


CASES = {
    "instance-stop": Case(
        "ec2:instance", "stop", _make_instance, _instance_state, "running", "stopped", _ec2_calls("StopInstances")
    ),
    "instance-terminate": Case(
        "ec2:instance",
        "delete",
        _make_instance,
        _instance_state,
        "running",
        "terminated",
        _ec2_calls("TerminateInstances"),
    ),
    "volume-delete": Case(
        "ec2:volume", "delete", _make_volume, _volume_state, "available", GONE, _ec2_calls("DeleteVolume")
    ),
    "volume-modify": Case(
        "ec2:volume", "modify", _make_gp2_volume, _volume_type, "gp2", "gp3", _ec2_calls("ModifyVolume")
    ),
    "eip-release": Case(
        "ec2:elastic-ip", "delete", _make_eip, _eip_state, "allocated", GONE, _ec2_calls("ReleaseAddress")
    ),
    # moto 5.2 carries DeleteNatGateway out even with DryRun=True: its before line and one
    # "after" line record it.
    "nat-delete": Case(
        "ec2:nat-gateway",
        "delete",
        _make_nat,
        _nat_state,
        "available",
        "deleted",
        (("before", "DeleteNatGateway"), ("after", "DeleteNatGateway")),
    ),
    "bucket-delete": Case("s3:bucket", "delete", _make_bucket, _bucket_state, "exists", GONE, _calls("DeleteBucket")),
    "db-stop": Case("rds:db-instance", "stop", _make_db, _db_state, "available", "stopped", _calls("StopDBInstance")),
    "db-delete": Case("rds:db-instance", "delete", _make_db, _db_state, "available", GONE, _calls("DeleteDBInstance")),
    "alb-delete": Case(
        "elb:load-balancer",
        "delete",
        _v2_lb_maker("application"),
        _v2_lb_state,
        "exists",
        GONE,
        _calls("DeleteLoadBalancer"),
    ),
    "nlb-delete": Case(
        "elb:load-balancer",
        "delete",
        _v2_lb_maker("network"),
        _v2_lb_state,
        "exists",
        GONE,
        _calls("DeleteLoadBalancer"),
    ),
    "classic-elb-delete": Case(
        "elb:load-balancer",
        "delete",
        _make_classic_lb,
        _classic_lb_state,
        "exists",
        GONE,
        _calls("DeleteLoadBalancer"),
    ),
    "log-group-delete": Case(
        "logs:log-group", "delete", _make_log_group, _log_group_state, "exists", GONE, _calls("DeleteLogGroup")
    ),
}
for _family in FAMILIES:
    CASES.update(_family.CASES)



# --- running one action -----------------------------------------------------------------------


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


@dataclass
class Outcome:
    final: ActionUpdate
    statuses: list[Status]
    state: str


def _act(case: Case, tags: Tags, audit: AuditLog, session: AwsSession | None = None, **options: Any) -> Outcome:
    """Make the case's resource with ``tags``, scan it, plan and run the case's verb, read its state."""
    session = session or helpers.moto_session()
    ident = case.make(tags)
    assert case.state(ident) == case.before
    row = scanned(session, case.kind, where())[ident]
    runner = ActionRunner(session, ACCOUNT, dataclasses.replace(FAST, **options), audit=audit)
    seen: list[ActionUpdate] = []
    (final,) = runner.run(plan([row], case.verb, runner.options), seen.append)
    return Outcome(final, [u.status for u in seen], case.state(ident))


def _phases(audit: AuditLog) -> list[tuple[str, str]]:
    return [(line["phase"], line["operation"]) for line in audit.tail(100)]


# --- 1. protected tags, in every handler ------------------------------------------------------

PROTECTIONS = [
    # (the tag on the resource, the configured protected_tags): keys differ in case both ways.
    pytest.param("Do-Not-Delete", ("do-not-delete",), id="Do-Not-Delete-vs-do-not-delete"),
    pytest.param("keep-me", ("Keep-Me",), id="keep-me-vs-Keep-Me"),
]


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize(("tag", "protected"), PROTECTIONS)
def test_a_protected_tag_in_any_case_refuses_and_nothing_is_called(
    audit: AuditLog, name: str, tag: str, protected: tuple[str, ...]
) -> None:
    case = CASES[name]
    with mock_aws():
        outcome = _act(case, {**HARMLESS, tag: "yes"}, audit, protected_tags=protected)

    assert (outcome.final.status, outcome.final.message) == (Status.REFUSED, f"tag {tag} is set")
    assert outcome.statuses == [Status.REQUESTED, Status.IN_PROGRESS, Status.REFUSED]
    assert outcome.final.request_id == "" and not outcome.final.deleted
    assert outcome.state == case.before  # unchanged in moto
    # The tag is checked before the EC2 dry run too: not a single line, so no call was made.
    assert audit.tail(100) == []


@pytest.mark.parametrize("name", list(CASES))
def test_the_untagged_twin_is_carried_out(audit: AuditLog, name: str) -> None:
    """The same resource, run and options without the protected tag: done, so the tag is what refuses."""
    case = CASES[name]
    with mock_aws():
        outcome = _act(case, dict(HARMLESS), audit, protected_tags=("do-not-delete", "Keep-Me"))

    assert outcome.final.status is Status.DONE, outcome.final.message
    assert outcome.state == case.after
    assert _phases(audit) == list(case.calls)


@pytest.fixture
def far_region() -> Iterator[str]:
    """The cases' resources in eu-west-1, while the session's home region stays us-east-1."""
    _WHERE.append("eu-west-1")
    try:
        yield "eu-west-1"
    finally:
        _WHERE.pop()


@pytest.mark.parametrize("name", list(CASES))
def test_every_handler_acts_in_the_rows_own_region(audit: AuditLog, far_region: str, name: str) -> None:
    """A handler that asked for its client in the home region would find nothing to act on there."""
    case = CASES[name]
    with mock_aws():
        outcome = _act(case, dict(HARMLESS), audit)

    assert outcome.final.status is Status.DONE, outcome.final.message
    assert outcome.state == case.after
    lines = audit.tail(100)
    assert lines and {line["region"] for line in lines} == {far_region}


# --- 3. no call without its audit line, for every service -------------------------------------


def _unwritable_log(tmp_path: Path) -> AuditLog:
    """A log whose directory is a regular file: every write fails, even as root."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the audit log's directory should be")
    return AuditLog(blocker / "audit.jsonl")


@pytest.mark.parametrize("name", list(CASES))
def test_an_unwritable_audit_log_blocks_the_call(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    audit = _unwritable_log(tmp_path)
    with mock_aws():
        outcome = _act(case, {}, audit)

    assert (outcome.final.status, outcome.final.code) == (Status.REFUSED, "AuditLogUnwritable")
    assert outcome.final.message.startswith("cannot write the audit log (")
    assert outcome.final.message.endswith("); nothing was called")
    assert outcome.state == case.before
    assert not audit.path.exists()


@pytest.mark.parametrize("name", list(CASES))
def test_a_before_line_that_cannot_be_written_blocks_the_call(
    audit: AuditLog, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Only the real call's "before" line fails: EC2's DryRun lines are written, the real call is not made."""
    case = CASES[name]
    record = AuditLog.record

    def no_before(self: AuditLog, **fields: Any) -> None:
        if fields.get("phase") == "before" and not (fields.get("params") or {}).get("DryRun"):
            raise OSError(28, "No space left on device")
        record(self, **fields)

    monkeypatch.setattr(AuditLog, "record", no_before)
    with mock_aws():
        outcome = _act(case, {}, audit)

    if name == "nat-delete":
        # moto carries DeleteNatGateway out on the DryRun itself (real AWS answers
        # DryRunOperation): the change is on record, before and after, and reported as done.
        assert outcome.final.status is Status.DONE
        assert _phases(audit) == [("before", "DeleteNatGateway"), ("after", "DeleteNatGateway")]
        return
    assert (outcome.final.status, outcome.final.code) == (Status.REFUSED, "AuditLogUnwritable")
    assert (
        outcome.final.message == "cannot write the audit log ([Errno 28] No space left on device); nothing was called"
    )
    assert outcome.state == case.before
    assert _phases(audit) == (list(case.calls[:2]) if case.ec2 else [])


@pytest.mark.parametrize("name", [name for name in CASES if CASES[name].ec2])
def test_a_dry_run_whose_before_line_cannot_be_written_is_not_sent(
    audit: AuditLog, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """An endpoint may ignore DryRun and act (moto does for DeleteNatGateway): no line, no DryRun either."""
    case = CASES[name]
    sent: list[tuple[str, dict[str, Any]]] = []

    def no_lines(self: AuditLog, **fields: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(AuditLog, "record", no_lines)
    with mock_aws():
        session = helpers.moto_session()
        session.boto.events.register(
            "before-call.ec2", lambda model, params, **_: sent.append((model.name, dict(params)))
        )
        outcome = _act(case, {}, audit, session=session)

    assert (outcome.final.status, outcome.final.code) == (Status.REFUSED, "AuditLogUnwritable")
    assert outcome.state == case.before
    assert sent, "the scan's own calls are seen"
    assert not [name for name, params in sent if params.get("DryRun")]


def test_an_unwritable_audit_log_blocks_emptying_a_bucket(tmp_path: Path) -> None:
    audit = _unwritable_log(tmp_path)
    with mock_aws():
        session = helpers.moto_session()
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="full-bucket")
        s3.put_object(Bucket="full-bucket", Key="a.txt", Body=b"1")
        row = scanned(session, "s3:bucket")["full-bucket"]
        runner = ActionRunner(session, ACCOUNT, dataclasses.replace(FAST, empty_buckets=True), audit=audit)

        (final,) = runner.run(plan([row], "delete", runner.options), lambda _: None)

        assert [o["Key"] for o in s3.list_objects_v2(Bucket="full-bucket")["Contents"]] == ["a.txt"]
    assert (final.status, final.code) == (Status.REFUSED, "AuditLogUnwritable")


# --- 2. the TUI acts with the config file's protected tags ------------------------------------

TUI_KINDS = ["ec2:instance", "ec2:volume", "ec2:elastic-ip", "s3:bucket", "logs:log-group"]
KEEP = {"keep-me": "yes"}  # lower case; the config file says "Keep-Me"


def _tui_estate() -> dict[str, str]:
    """One resource of each kind tagged keep-me, and one untagged volume, by a name."""
    return {
        "instance": _make_instance(KEEP),
        "volume": _make_volume(KEEP),
        "eip": _make_eip(KEEP),
        "bucket": _make_bucket(KEEP),
        "log-group": _make_log_group(KEEP),
        "untagged": _make_volume({}),
    }


TUI_STATE = {
    "instance": _instance_state,
    "volume": _volume_state,
    "eip": _eip_state,
    "bucket": _bucket_state,
    "log-group": _log_group_state,
    "untagged": _volume_state,
}


async def _settle(pilot: Pilot[Any], until: Callable[[], bool], timeout: float = 30.0) -> None:
    for _ in range(int(timeout / 0.05)):
        await pilot.pause(0.05)
        if until():
            return
    raise AssertionError("timed out")


def test_the_tui_refuses_with_the_config_files_protected_tags() -> None:
    path = config.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('protected_tags = ["Keep-Me"]\n', encoding="utf-8")
    settings = config.load_settings()
    assert settings.protected_tags == ("Keep-Me",) and settings.warnings == ()

    with mock_aws():
        estate = _tui_estate()
        states = {name: TUI_STATE[name](ident) for name, ident in estate.items()}
        session = helpers.moto_session()
        source = LiveSource(lambda: session, resolve_kinds(TUI_KINDS), [REGION])
        latest: dict[str, ActionUpdate] = {}

        async def go() -> None:
            # As ui/app.py launch() builds it.
            app = TrackerApp(source, settings=settings, history=ScanHistory(keep=settings.keep_scans))
            async with app.run_test(size=(120, 36)) as pilot:
                await _settle(pilot, lambda: not app._scanning and app.connection is not None)
                await pilot.press("slash")
                # The instance's root volume is attached: leave it out.
                app.query_one("#filter", Input).value = "!state:in-use"
                await pilot.press("enter")
                await pilot.pause()
                assert {r.id for r in app.table.resources} >= set(estate.values())
                assert app.table.row_count == len(estate)
                await pilot.press("ctrl+a", "ctrl+d")
                await pilot.pause()
                screen = app.screen
                assert isinstance(screen, ConfirmActionScreen)
                assert screen.word == ACCOUNT
                await pilot.press(*ACCOUNT, "enter")
                await pilot.pause()
                progress = app.screen
                assert isinstance(progress, ActionProgressScreen)
                await _settle(pilot, lambda: app._actions_running == 0)
                latest.update({u.resource.id: u for u in progress.latest.values()})

        asyncio.run(go())
        after = {name: TUI_STATE[name](ident) for name, ident in estate.items()}

    assert set(latest) == set(estate.values())
    for name, ident in estate.items():
        update = latest[ident]
        if name == "untagged":
            assert update.status is Status.DONE, update.message
            assert after[name] == GONE
        else:
            assert (name, update.status, update.message) == (name, Status.REFUSED, "tag keep-me is set")
            assert after[name] == states[name]  # unchanged
    lines = AuditLog().tail(100)
    assert AuditLog().path == config.data_dir() / "audit.jsonl"
    tagged = {ident for name, ident in estate.items() if name != "untagged"}
    assert not [line for line in lines if line["id"] in tagged]
    assert [(line["phase"], line["id"]) for line in lines] == [
        ("before", estate["untagged"]),  # the DryRun call
        ("dry-run", estate["untagged"]),
        ("before", estate["untagged"]),
        ("after", estate["untagged"]),
    ]


# --- 4. a call AWS refuses is reported as AWS said it ----------------------------------------------

#: The client each case's mutating call goes through.
SERVICES = {
    "instance-stop": "ec2",
    "instance-terminate": "ec2",
    "volume-delete": "ec2",
    "volume-modify": "ec2",
    "eip-release": "ec2",
    "bucket-delete": "s3",
    "db-stop": "rds",
    "db-delete": "rds",
    "alb-delete": "elbv2",
    "nlb-delete": "elbv2",
    "classic-elb-delete": "elb",
    "log-group-delete": "logs",
}
for _family in FAMILIES:
    SERVICES.update(getattr(_family, "SERVICES", {}))



def _answer_with_error(code: str, message: str) -> Callable[..., Any]:
    """A before-call hook answering the real call (not its DryRun) with an AWS error, unsent."""

    def hook(params: dict[str, Any], **_: Any) -> Any:
        body = params.get("body")
        if isinstance(body, dict) and str(body.get("DryRun", "")).lower() == "true":
            return None
        return SimpleNamespace(status_code=400, headers={}), {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"RequestId": f"req-{code}", "HTTPStatusCode": 400},
        }

    return hook


# NAT is left out: moto carries its DryRun call out, so the real call is never made there.
@pytest.mark.parametrize("name", list(SERVICES))
def test_a_call_aws_refuses_is_failed_with_its_code_message_and_request_id(audit: AuditLog, name: str) -> None:
    case = CASES[name]
    operation = case.calls[-1][1]
    with mock_aws():
        session = helpers.moto_session()
        client = session.client(SERVICES[name], where())
        event = f"before-call.{client.meta.service_model.service_id.hyphenize()}.{operation}"
        client.meta.events.register(event, _answer_with_error("UnsupportedOperation", "Not today."))
        outcome = _act(case, {}, audit, session=session)

    final = outcome.final
    assert (final.status, final.code, final.message, final.request_id) == (
        Status.FAILED,
        "UnsupportedOperation",
        "Not today.",
        "req-UnsupportedOperation",
    )
    assert not final.deleted and final.result is None
    assert outcome.state == case.before
    after = [line for line in audit.tail(100) if line["phase"] == "after" and line["operation"] == operation]
    assert [(line["result"], line["code"], line["message"], line["request_id"]) for line in after] == [
        ("error", "UnsupportedOperation", "Not today.", "req-UnsupportedOperation")
    ]


# --- 5. what a finished action reports, and that it is verified, not assumed ------------------------

#: What each action's final update says when it is done.
DONE_MESSAGES = {
    "instance-stop": "stopped",
    "instance-terminate": "terminated",
    "volume-delete": "deleted",
    "volume-modify": "modified to gp3 (3,000 IOPS, 128 MiB/s)",
    "eip-release": "released",
    "nat-delete": (
        "deleted (its Elastic IPs stay allocated) (the endpoint ignored DryRun=True and carried the call out at once)"
    ),
    "bucket-delete": "deleted",
    "db-stop": "stopped",
    "db-delete": "deleted; final snapshot tracker-tui-final-rails-db-",
    "alb-delete": "deleted (its target groups are kept)",
    "nlb-delete": "deleted (its target groups are kept)",
    "classic-elb-delete": "deleted",
    "log-group-delete": "deleted",
}
for _family in FAMILIES:
    DONE_MESSAGES.update(_family.DONE_MESSAGES)


#: The read each action is verified with: (client, operation).
VERIFIED_BY = {
    "instance-stop": ("ec2", "DescribeInstances"),
    "instance-terminate": ("ec2", "DescribeInstances"),
    "volume-delete": ("ec2", "DescribeVolumes"),
    "volume-modify": ("ec2", "DescribeVolumes"),
    "eip-release": ("ec2", "DescribeAddresses"),
    "nat-delete": ("ec2", "DescribeNatGateways"),
    "bucket-delete": ("s3", "HeadBucket"),
    "db-stop": ("rds", "DescribeDBInstances"),
    "db-delete": ("rds", "DescribeDBInstances"),
    "alb-delete": ("elbv2", "DescribeLoadBalancers"),
    "nlb-delete": ("elbv2", "DescribeLoadBalancers"),
    "classic-elb-delete": ("elb", "DescribeLoadBalancers"),
    "log-group-delete": ("logs", "DescribeLogGroups"),
}
for _family in FAMILIES:
    VERIFIED_BY.update(_family.VERIFIED_BY)



@pytest.mark.parametrize("name", list(CASES))
def test_a_done_action_reports_what_it_did_its_request_and_the_row(audit: AuditLog, name: str) -> None:
    case = CASES[name]
    with mock_aws():
        outcome = _act(case, {}, audit)

    final = outcome.final
    assert final.status is Status.DONE
    assert final.message.startswith(DONE_MESSAGES[name]), final.message
    after = [line for line in audit.tail(100) if line["phase"] == "after"]
    assert final.request_id and final.request_id == after[-1]["request_id"]
    if case.verb in ("stop", "start", "modify"):
        # A stop (start, modify) comes back re-read and repriced: the row changes in the table.
        assert not final.deleted
        assert final.result is not None
        changed = final.result.details.get("volume_type") if case.verb == "modify" else final.result.state
        assert changed == case.after
        assert final.result.cost_basis is not None
    else:
        assert final.deleted and final.result is None


class _Stale:
    """Makes the resource look unchanged after the action: every read of ``operation`` once
    the mutating call answered gets the answer it had before (what a call that did nothing,
    or an endpoint that lags, would show)."""

    def __init__(self, session: AwsSession, service: str, operation: str, mutating: str) -> None:
        self.before: dict[str, Any] | None = None
        self.acted = False
        client = session.client(service, where())
        prefix = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register(f"after-call.{prefix}.{operation}", self._remember)
        client.meta.events.register(f"before-call.{prefix}.{operation}", self._replay)
        client.meta.events.register(f"after-call.{prefix}.{mutating}", self._acted)

    def _remember(self, http_response: Any, parsed: dict[str, Any], **_: Any) -> None:
        if not self.acted and http_response.status_code < 300:
            self.before = copy.deepcopy(parsed)

    def _acted(self, http_response: Any, **_: Any) -> None:
        if http_response.status_code < 300:
            self.acted = True

    def _replay(self, **_: Any) -> Any:
        if self.acted and self.before is not None:
            return SimpleNamespace(status_code=200, headers={}), copy.deepcopy(self.before)
        return None


#: What a verification that times out says it waited for, and the state it saw last.
VERIFY_TIMEOUTS = {
    "instance-stop": "instance stopped was not confirmed within 0.3 s (Max attempts exceeded)",
    "instance-terminate": "instance terminated was not confirmed within 0.3 s (Max attempts exceeded)",
    "volume-delete": "it was not deleted within 0.3 s (state: available)",
    # moto completes the modification at once; the stale reads still say gp2.
    "volume-modify": "it was not modified to gp3 within 0.3 s (state: modification completed, volume gp2)",
    "eip-release": "it was not released within 0.3 s (state: allocated)",
    # moto deleted it on the DryRun call; the stale reads still say available.
    "nat-delete": "it was not deleted within 0.3 s (state: available)",
    "bucket-delete": "it was not deleted within 0.3 s (state: still listed)",
    "db-stop": "it was not stopped within 0.3 s (state: available)",
    "db-delete": "it was not deleted within 0.3 s (state: available)",
    "alb-delete": "it was not deleted within 0.3 s (state: still listed)",
    "nlb-delete": "it was not deleted within 0.3 s (state: still listed)",
    "classic-elb-delete": "it was not deleted within 0.3 s (state: still listed)",
    "log-group-delete": "it was not deleted within 0.3 s (state: still listed)",
}
for _family in FAMILIES:
    VERIFY_TIMEOUTS.update(getattr(_family, "VERIFY_TIMEOUTS", {}))


@pytest.mark.parametrize("name", list(CASES))
def test_an_action_that_does_not_take_is_failed_by_its_verification(audit: AuditLog, name: str) -> None:
    case = CASES[name]
    service, operation = VERIFIED_BY[name]
    with mock_aws():
        session = helpers.moto_session()
        _Stale(session, service, operation, case.calls[-1][1])
        outcome = _act(case, {}, audit, session=session, verify_timeout=0.3, poll_interval=0.01)

    final = outcome.final
    assert (final.status, final.code) == (Status.FAILED, "VerifyTimeout"), final.message
    assert final.message.startswith(f"asked AWS to {final.action} it, but ")
    assert final.message.endswith("; rescan to check")
    assert "0.3 s" in final.message
    if name in VERIFY_TIMEOUTS:
        # What it waited for and the last state seen, as the results screen shows them.
        assert final.message == f"asked AWS to {final.action} it, but {VERIFY_TIMEOUTS[name]}; rescan to check"
    assert not final.deleted and final.result is None


#: A state the resource may be in when it is re-read, and what the action must say.
STATE_REFUSALS = [
    ("instance-stop", "Reservations.0.Instances.0.State.Name", "stopping", "already stopping", False),
    ("instance-stop", "Reservations.0.Instances.0.State.Name", "pending",
     "state is pending; only a running instance can be stopped", False),
    ("instance-stop", "Reservations.0.Instances.0.State.Name", "shutting-down", "it is shutting-down", False),
    ("instance-stop", "Reservations.0.Instances.0.State.Name", "terminated", "it is terminated", True),
    ("instance-terminate", "Reservations.0.Instances.0.State.Name", "shutting-down", "already shutting down", False),
    ("instance-terminate", "Reservations.0.Instances.0.State.Name", "terminated", "already terminated", True),
    ("volume-delete", "Volumes.0.State", "deleting", "already being deleted", False),
    ("volume-delete", "Volumes.0.State", "creating",
     "state is creating; only an available (unattached) volume can be deleted", False),
    ("volume-delete", "Volumes.0.State", "deleted", "it no longer exists (deleted since the scan)", True),
    ("volume-modify", "Volumes.0.VolumeType", "gp3", "it is gp3 already", False),
    ("volume-modify", "Volumes.0.VolumeType", "io1", "type io1; only gp2 volumes are modified to gp3", False),
    ("volume-modify", "Volumes.0.State", "creating",
     "state is creating; only an available or in-use volume can be modified", False),
    ("volume-modify", "Volumes.0.State", "deleted", "it no longer exists (deleted since the scan)", True),
    ("eip-release", "Addresses.0.AssociationId", "eipassoc-0f1", "Elastic IP is associated with eipassoc-0f1", False),
    ("eip-release", "Addresses.0.InstanceId", "i-0f1", "Elastic IP is associated with i-0f1", False),
    ("eip-release", "Addresses.0.NetworkInterfaceId", "eni-0f1", "Elastic IP is associated with eni-0f1", False),
    ("nat-delete", "NatGateways.0.State", "deleting", "already being deleted", False),
    ("nat-delete", "NatGateways.0.State", "pending",
     "state is pending; only an available or failed NAT gateway can be deleted", False),
    ("nat-delete", "NatGateways.0.State", "deleted", "it no longer exists (deleted since the scan)", True),
    ("db-stop", "DBInstances.0.DBInstanceStatus", "stopping", "already stopping", False),
    ("db-stop", "DBInstances.0.DBInstanceStatus", "backing-up",
     "state is backing-up; only an available DB instance can be stopped", False),
    ("db-delete", "DBInstances.0.DBInstanceStatus", "deleting", "already being deleted", False),
    ("db-delete", "DBInstances.0.DeletionProtection", True,
     "deletion protection is on (DeletionProtection); tracker-tui never switches it off", False),
    ("db-delete", "DBInstances.0.DBClusterIdentifier", "orders-cluster",
     "it belongs to the Aurora cluster orders-cluster; act on the cluster instead (not supported here)", False),
]  # fmt: skip
for _family in FAMILIES:
    STATE_REFUSALS += getattr(_family, "STATE_REFUSALS", [])



def _set(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = document
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[last] = value


@pytest.mark.parametrize(("name", "path", "value", "message", "deleted"), STATE_REFUSALS)
def test_a_resource_in_the_wrong_state_when_re_read_is_refused_with_nothing_called(
    audit: AuditLog, name: str, path: str, value: Any, message: str, deleted: bool
) -> None:
    case = CASES[name]
    service, operation = VERIFIED_BY[name]
    with mock_aws():
        session = helpers.moto_session()
        client = session.client(service, where())
        prefix = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register(
            f"after-call.{prefix}.{operation}", lambda parsed, **_: _set(parsed, path, value) if parsed else None
        )
        outcome = _act(case, {}, audit, session=session)

    final = outcome.final
    assert (final.status, final.message, final.deleted) == (Status.REFUSED, message, deleted)
    assert outcome.state == case.before
    assert audit.tail(100) == []
