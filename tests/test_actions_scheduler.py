"""tracker_tui/aws/actions/scheduler.py against moto: ``ctrl+d`` on a pair of tracker-tui's
off-hours schedules removes both, untags only the rows no other tracker-tui schedule names,
and deletes the role only when the box is ticked and no tracker-tui schedule is left anywhere.

The rails every handler shares (protected tags on the group, the audit log, the row's region,
AWS errors, verification, the group check) run on this handler through
tests/support/rails/scheduler.py, one case per kind of row it untags.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.support import helpers
from tests.support.rails.base import ACCOUNT, FAST, REGION, scanned
from tests.support.rails.rds import make_db
from tests.support.rails.scheduler import SCHEDULE, make_group, make_pair, make_role, put_schedule
from tracker_tui.aws.actions import ActionRunner, ActionUpdate, Status, plan
from tracker_tui.aws.actions.plan import choices_for, needs_typed_name
from tracker_tui.aws.actions.scheduler import DELETE_ROLE, UNTAGGERS
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Resource
from tracker_tui.offhours import GROUP, ROLE, ROLE_POLICY, SCHEDULE_TAG, preset, schedule_names
from tracker_tui.store import AuditLog

KIND = "scheduler:schedule"
FAR = "eu-west-1"
PAIR, STOP, START = schedule_names(SCHEDULE, "ec2")
NIGHTS = preset("nights-off", "Europe/Paris")
TAGGED = {SCHEDULE_TAG: SCHEDULE.text}


@pytest.fixture
def moto() -> Iterator[AwsSession]:
    """moto, and a session whose DescribeRegions answers two regions (moto's thirty add only time)."""
    with mock_aws():
        session = helpers.moto_session()
        session.boto.events.register("before-call.ec2.DescribeRegions", _two_regions)
        yield session


def _two_regions(**_: Any) -> Any:
    regions = [{"RegionName": r, "OptInStatus": "opt-in-not-required"} for r in (REGION, FAR)]
    return SimpleNamespace(status_code=200, headers={}), {"Regions": regions}


def run(session: AwsSession, audit: AuditLog, rows: list[Resource], **options: Any) -> list[ActionUpdate]:
    runner = ActionRunner(session, ACCOUNT, dataclasses.replace(FAST, **options), audit=audit)
    return runner.run(plan(rows, "delete", runner.options), lambda _: None)


def operations(audit: AuditLog) -> list[tuple[str, str, str]]:
    return [(line["phase"], line["operation"], line["region"]) for line in audit.tail(100)]


def instances(n: int, tags: dict[str, str] | None = None) -> list[str]:
    ec2 = boto3.client("ec2", region_name=REGION)
    tag_spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in (tags or TAGGED).items()]}]
    reply = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=n, MaxCount=n, InstanceType="t3.micro", TagSpecifications=tag_spec
    )
    return [str(i["InstanceId"]) for i in reply["Instances"]]


def instance_tags(ident: str) -> dict[str, str]:
    reply = boto3.client("ec2", region_name=REGION).describe_instances(InstanceIds=[ident])
    return {t["Key"]: t["Value"] for t in reply["Reservations"][0]["Instances"][0].get("Tags", [])}


def schedules(region: str = REGION) -> set[str]:
    client = boto3.client("scheduler", region_name=region)
    return {s["Name"] for s in client.list_schedules(GroupName=GROUP)["Schedules"]}


def role_exists() -> bool:
    try:
        boto3.client("iam", region_name=REGION).get_role(RoleName=ROLE)
    except ClientError:
        return False
    return True


# --- the pair and its rows ------------------------------------------------------------------------


def test_removing_a_pair_untags_only_the_rows_no_other_schedule_names(moto: AwsSession, audit: AuditLog) -> None:
    only_ours, shared = instances(2)
    make_pair("ec2:instance", [only_ours, shared])
    nights = make_pair("ec2:instance", [shared], schedule=NIGHTS)
    row = scanned(moto, KIND)[PAIR]
    (planned,) = plan([row], "delete")

    (done,) = run(moto, audit, [row])

    assert (done.status, done.deleted, done.result) == (Status.DONE, True, None)
    assert done.message == (
        f"removed {STOP} and {START}; untagged {only_ours}; kept the tag on {shared} ({nights} names it too); "
        "the rows stay as they are now: running or stopped"
    )
    assert schedules() == {f"{nights}-stop", f"{nights}-start"}
    assert SCHEDULE_TAG not in instance_tags(only_ours)
    assert instance_tags(shared)[SCHEDULE_TAG] == SCHEDULE.text
    # Nothing starts or stops them: both still run.
    states = boto3.client("ec2", region_name=REGION).describe_instances(InstanceIds=[only_ours, shared])
    assert {i["State"]["Name"] for r in states["Reservations"] for i in r["Instances"]} == {"running"}
    assert operations(audit) == [
        ("before", "DeleteSchedule", REGION), ("after", "DeleteSchedule", REGION),
        ("before", "DeleteSchedule", REGION), ("after", "DeleteSchedule", REGION),
        ("before", "DeleteTags", REGION), ("dry-run", "DeleteTags", REGION),
        ("before", "DeleteTags", REGION), ("after", "DeleteTags", REGION),
    ]  # fmt: skip
    assert done.request_id == audit.tail(1)[0]["request_id"]
    # What the dialog said beforehand, with no AWS call.
    assert planned.note == (
        f"removes schedules {STOP} and {START}; untags 2 rows ({only_ours}, {shared}) unless another tracker-tui "
        "schedule names them; they stay as they are now: running or stopped"
    )
    assert (planned.saving, needs_typed_name([planned])) == (0.0, True)  # confirmed with the alias typed


def test_a_row_gone_or_untagged_is_skipped_and_said(moto: AwsSession, audit: AuditLog) -> None:
    (untagged,) = instances(1, {"Name": "no-tag"})
    make_pair("ec2:instance", ["i-0123456789abcdef0", untagged])
    row = scanned(moto, KIND)[PAIR]

    (done,) = run(moto, audit, [row])

    assert done.status is Status.DONE
    assert done.message == (
        f"removed {STOP} and {START}; i-0123456789abcdef0: no longer there, skipped; {untagged}: carried no "
        f"{SCHEDULE_TAG} tag; the rows stay as they are now: running or stopped"
    )
    assert [op for _, op, _ in operations(audit)] == ["DeleteSchedule"] * 4


def test_an_rds_pair_is_untagged_on_the_databases_arn(moto: AwsSession, audit: AuditLog) -> None:
    db = make_db(TAGGED)
    pair = make_pair("rds:db-instance", [db])
    row = scanned(moto, KIND)[pair]

    (done,) = run(moto, audit, [row])

    rds = boto3.client("rds", region_name=REGION)
    arn = rds.describe_db_instances(DBInstanceIdentifier=db)["DBInstances"][0]["DBInstanceArn"]
    assert done.status is Status.DONE, done.message
    assert SCHEDULE_TAG not in {t["Key"] for t in rds.list_tags_for_resource(ResourceName=arn)["TagList"]}
    assert [op for phase, op, _ in operations(audit) if phase == "after"] == [
        "DeleteSchedule", "DeleteSchedule", "RemoveTagsFromResource",
    ]  # fmt: skip
    assert [line["params"] for line in audit.tail(100) if line["phase"] == "before"][-1] == {
        "ResourceName": arn,
        "TagKeys": [SCHEDULE_TAG],
    }


def test_a_half_pair_removes_the_half_there_is(moto: AwsSession, audit: AuditLog) -> None:
    (ident,) = instances(1)
    make_group({})
    put_schedule("ec2:instance", "stop", STOP, [ident])
    row = scanned(moto, KIND)[PAIR]
    assert row.state == "incomplete"
    (planned,) = plan([row], "delete")

    (done,) = run(moto, audit, [row])

    assert planned.note.startswith(f"removes schedule {STOP}; untags 1 row ({ident})")
    assert (done.status, done.message.split(";")[0]) == (Status.DONE, f"removed {STOP}")
    assert schedules() == set() and SCHEDULE_TAG not in instance_tags(ident)


def test_a_half_made_since_the_scan_goes_with_its_pair(moto: AwsSession, audit: AuditLog) -> None:
    (ident,) = instances(1)
    make_group({})
    put_schedule("ec2:instance", "stop", STOP, [ident])
    row = scanned(moto, KIND)[PAIR]
    put_schedule("ec2:instance", "start", START, [ident])

    (done,) = run(moto, audit, [row])

    assert done.message.startswith(f"removed {STOP} and {START};")
    assert schedules() == set()


# --- refusals: nothing changed ---------------------------------------------------------------------


def _nothing_changed(audit: AuditLog, ident: str) -> None:
    assert schedules() == {STOP, START}
    assert instance_tags(ident)[SCHEDULE_TAG] == SCHEDULE.text
    assert audit.tail(100) == []


def test_a_schedule_outside_the_tracker_tui_group_is_refused(moto: AwsSession, audit: AuditLog) -> None:
    (ident,) = instances(1)
    make_pair("ec2:instance", [ident])
    row = scanned(moto, KIND)[PAIR]

    def elsewhere(parsed: dict[str, Any], **_: Any) -> None:
        if parsed.get("Name") == START:
            parsed["GroupName"] = "default"

    moto.client("scheduler", REGION).meta.events.register("after-call.scheduler.GetSchedule", elsewhere)

    (refused,) = run(moto, audit, [row])

    assert (refused.status, refused.deleted) == (Status.REFUSED, False)
    assert refused.message == f"{START} is in the schedule group default, not {GROUP}: not tracker-tui's to remove"
    _nothing_changed(audit, ident)


def test_a_protected_group_keeps_its_schedules(moto: AwsSession, audit: AuditLog) -> None:
    (ident,) = instances(1)
    make_pair("ec2:instance", [ident], {"do-not-delete": "true"})
    row = scanned(moto, KIND)[PAIR]
    assert row.tags == {"do-not-delete": "true"}

    (refused,) = run(moto, audit, [row])

    assert (refused.status, refused.message) == (Status.REFUSED, "tag do-not-delete is set")
    _nothing_changed(audit, ident)


def test_other_schedules_that_cannot_be_read_refuse_before_anything_changes(moto: AwsSession, audit: AuditLog) -> None:
    """Untagging a row another schedule still needs would break that schedule (its role acts only on tagged rows)."""
    (ident,) = instances(1)
    make_pair("ec2:instance", [ident])
    nights = make_pair("ec2:instance", [ident], schedule=NIGHTS)
    row = scanned(moto, KIND)[PAIR]

    def denied(params: dict[str, Any], **_: Any) -> Any:
        if nights in params["url_path"]:
            return helpers.error_response("AccessDeniedException", "not authorized")
        return None

    moto.client("scheduler", REGION).meta.events.register("before-call.scheduler.GetSchedule", denied)

    (refused,) = run(moto, audit, [row])

    assert refused.status is Status.REFUSED
    assert refused.message == (
        "cannot read its region's other tracker-tui schedules (AccessDeniedException: not authorized); "
        "refusing without checking"
    )
    assert schedules() == {STOP, START, f"{nights}-stop", f"{nights}-start"} and audit.tail(100) == []


def test_a_pair_deleted_since_the_scan_is_reported_gone(moto: AwsSession, audit: AuditLog) -> None:
    make_pair("ec2:instance", ["i-0123456789abcdef0"])
    row = scanned(moto, KIND)[PAIR]
    client = boto3.client("scheduler", region_name=REGION)
    for name in (STOP, START):
        client.delete_schedule(Name=name, GroupName=GROUP)

    (refused,) = run(moto, audit, [row])

    assert (refused.status, refused.deleted) == (Status.REFUSED, True)
    assert refused.message == "its schedules no longer exist (deleted since the scan)"
    assert audit.tail(100) == []


# --- failures half-way: said as they are ---------------------------------------------------------------


def test_a_start_that_cannot_be_deleted_after_the_stop_says_which_half_went(moto: AwsSession, audit: AuditLog) -> None:
    (ident,) = instances(1)
    make_pair("ec2:instance", [ident])
    row = scanned(moto, KIND)[PAIR]

    def refuse_start(params: dict[str, Any], **_: Any) -> Any:
        if params["url_path"].endswith(f"/{START}"):
            return helpers.error_response("ConflictException", "busy")
        return None

    moto.client("scheduler", REGION).meta.events.register("before-call.scheduler.DeleteSchedule", refuse_start)

    (failed,) = run(moto, audit, [row])

    assert (failed.status, failed.code, failed.deleted) == (Status.FAILED, "ConflictException", False)
    assert failed.message == f"{STOP} deleted, {START} not: busy"
    assert schedules() == {START}
    assert instance_tags(ident)[SCHEDULE_TAG] == SCHEDULE.text  # no untag while its start remains


def test_a_tag_that_cannot_be_removed_is_a_failure_that_names_the_row(moto: AwsSession, audit: AuditLog) -> None:
    db = make_db(TAGGED)
    pair = make_pair("rds:db-instance", [db])
    row = scanned(moto, KIND)[pair]
    moto.client("rds", REGION).meta.events.register(
        "before-call.rds.RemoveTagsFromResource",
        lambda **_: helpers.error_response("AccessDenied", "not authorized to rds:RemoveTagsFromResource"),
    )

    (failed,) = run(moto, audit, [row])

    assert (failed.status, failed.code, failed.deleted) == (Status.FAILED, "AccessDenied", True)
    assert failed.message == (
        f"removed {pair}-stop and {pair}-start; {SCHEDULE_TAG} is still on {db} "
        "(AccessDenied: not authorized to rds:RemoveTagsFromResource): remove it by hand"
    )
    assert schedules() == set()


# --- the role: kept unless ticked and last -----------------------------------------------------------


def _role_pair(region: str = REGION) -> Resource:
    make_pair("ec2:instance", ["i-0123456789abcdef0"], region=region)
    return scanned(helpers.moto_session(), KIND, region)[PAIR]


def test_the_box_is_offered_off_and_the_role_stays_untouched(moto: AwsSession, audit: AuditLog) -> None:
    row = _role_pair()
    planned = plan([row], "delete")

    (done,) = run(moto, audit, [row])

    assert choices_for(planned) == [DELETE_ROLE] and DELETE_ROLE.default is False
    assert done.status is Status.DONE and ROLE not in done.message
    assert role_exists()
    assert {line["operation"] for line in audit.tail(100)} == {"DeleteSchedule"}


def test_ticked_and_last_the_role_goes_with_its_policy(moto: AwsSession, audit: AuditLog) -> None:
    row = _role_pair()
    options = FAST.choosing({DELETE_ROLE: True})
    (planned,) = plan([row], "delete", options)

    (done,) = run(moto, audit, [row], choices={DELETE_ROLE: True})

    assert planned.note.endswith(f"; then deletes the role {ROLE} if no tracker-tui schedule is left in any region")
    assert done.status is Status.DONE, done.message
    assert done.message.endswith(f"; deleted the role {ROLE}: no tracker-tui schedule is left in any region")
    assert not role_exists()
    befores = [(line["operation"], line["params"]) for line in audit.tail(100) if line["phase"] == "before"]
    assert befores[-2:] == [
        ("DeleteRolePolicy", {"RoleName": ROLE, "PolicyName": ROLE_POLICY}),
        ("DeleteRole", {"RoleName": ROLE}),
    ]
    assert done.request_id == audit.tail(1)[0]["request_id"]


def test_ticked_the_role_stays_while_a_schedule_is_left_in_another_region(moto: AwsSession, audit: AuditLog) -> None:
    row = _role_pair()
    far = make_pair("rds:db-instance", ["reports-dev"], region=FAR)

    (done,) = run(moto, audit, [row], choices={DELETE_ROLE: True})

    assert done.status is Status.DONE
    assert done.message.endswith(
        f"; role {ROLE} kept: 2 tracker-tui schedules left ({FAR} {far}-start, {FAR} {far}-stop)"
    )
    assert role_exists()
    assert "DeleteRole" not in {line["operation"] for line in audit.tail(100)}


def test_ticked_the_role_stays_when_a_region_does_not_answer(moto: AwsSession, audit: AuditLog) -> None:
    row = _role_pair()

    def far_denied(context: dict[str, Any], **_: Any) -> Any:
        if context.get("client_region") == FAR:
            return helpers.error_response("AccessDeniedException", "SCP")
        return None

    moto.boto.events.register("before-call.scheduler.ListSchedules", far_denied)

    (done,) = run(moto, audit, [row], choices={DELETE_ROLE: True})

    assert done.status is Status.DONE
    assert done.message.endswith(
        f"; role {ROLE} kept: no answer listing the schedules of {FAR} (AccessDeniedException)"
    )
    assert role_exists()


def test_ticked_a_role_tracker_tui_did_not_make_is_kept(moto: AwsSession, audit: AuditLog) -> None:
    iam = boto3.client("iam", region_name=REGION)
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    row = _role_pair()

    (done,) = run(moto, audit, [row], choices={DELETE_ROLE: True})

    assert done.message.endswith(f"; role {ROLE} kept: its trust policy is not the one tracker-tui writes")
    assert role_exists()


def test_ticked_a_protected_role_is_kept(moto: AwsSession, audit: AuditLog) -> None:
    make_role()
    boto3.client("iam", region_name=REGION).tag_role(RoleName=ROLE, Tags=[{"Key": "protected", "Value": "yes"}])
    row = _role_pair()

    (done,) = run(moto, audit, [row], choices={DELETE_ROLE: True})

    assert done.message.endswith(f"; role {ROLE} kept: tag protected is set")
    assert role_exists()


def test_two_pairs_in_one_run_delete_the_role_once(moto: AwsSession, audit: AuditLog) -> None:
    first = _role_pair()
    db_pair = make_pair("rds:db-instance", ["reports-dev"])
    second = scanned(moto, KIND)[db_pair]

    finals = run(moto, audit, [first, second], choices={DELETE_ROLE: True})

    assert [f.status for f in finals] == [Status.DONE, Status.DONE]
    # Every delete is made before any is verified: the first verified finds none left.
    assert finals[0].message.endswith(f"; deleted the role {ROLE}: no tracker-tui schedule is left in any region")
    assert finals[1].message.endswith(f"; the role {ROLE} is gone already")
    assert [line["operation"] for line in audit.tail(100)].count("DeleteRole") == 2  # before and after, once
    assert not role_exists()


def test_every_kind_z_schedules_can_be_untagged() -> None:
    assert set(UNTAGGERS) == {kind for kind, spec in REGISTRY.items() if spec.off_hours is not None}
