"""``z`` against moto: tracker_tui/aws/actions/offhours.py puts rows on an off-hours schedule.

What a run makes, exactly: the role ``tracker-tui-scheduler`` (its trust and inline policy),
the group ``tracker-tui``, a pair of schedules (EC2: one per region whose input lists every
instance; RDS: one per instance) and the row's tag, each call audited; a second run joins the
region's pair instead of making another.  Every refusal leaves nothing made.  The plan's
saving is the row's cost less its cost on the schedule, and the row comes back priced so.

The rails every handler shares (protected tags in any case, the audit log, the row's region,
verification, states) run on this handler through tests/support/rails/offhours.py.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.support import helpers
from tests.support.actions import on_call, run_instance
from tests.support.helpers import error_response, record_calls
from tests.support.rails.base import ACCOUNT, FAST, REGION, scanned
from tracker_tui.aws.actions import ACTION_SPECS, ActionRunner, ActionUpdate, Status, needs_typed_name, plan
from tracker_tui.aws.actions.offhours import creations
from tracker_tui.aws.kinds import estimate
from tracker_tui.aws.permissions import CONNECT_ACTIONS, iam_actions
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Resource
from tracker_tui.offhours import (
    GROUP,
    ROLE,
    ROLE_POLICY,
    SCHEDULE_TAG,
    OffHours,
    preset,
    role_policy,
    schedule_names,
    trust_policy,
)
from tracker_tui.store import AuditLog

OFFICE = preset("office-hours", "Europe/Paris")
NIGHTS = preset("nights-off", "America/New_York")
DEV = {"env": "dev"}
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
_, EC2_STOP, EC2_START = schedule_names(OFFICE, "ec2")
EC2_TARGETS = ("arn:aws:scheduler:::aws-sdk:ec2:stopInstances", "arn:aws:scheduler:::aws-sdk:ec2:startInstances")
STOP_CRON, START_CRON = "cron(0 19 ? * MON-FRI *)", "cron(0 8 ? * MON-FRI *)"


@pytest.fixture
def session() -> Iterator[AwsSession]:
    with mock_aws():
        yield helpers.moto_session()


# --- helpers ---------------------------------------------------------------------------------------


def _ec2() -> Any:
    return boto3.client("ec2", region_name=REGION)


def _scheduler() -> Any:
    return boto3.client("scheduler", region_name=REGION)


def _iam() -> Any:
    return boto3.client("iam", region_name=REGION)


def _rds() -> Any:
    return boto3.client("rds", region_name=REGION)


def _instances(count: int, tags: dict[str, str] | None = None, **extra: Any) -> list[str]:
    return [run_instance(_ec2(), {**DEV, **(tags or {})}, **extra) for _ in range(count)]


def _db(ident: str = "dev-db", tags: dict[str, str] | None = None) -> str:
    _rds().create_db_instance(
        DBInstanceIdentifier=ident,
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
        Tags=[{"Key": k, "Value": v} for k, v in {**DEV, **(tags or {})}.items()],
    )
    return ident


def _rows(session: AwsSession, kind: str, *ids: str) -> list[Resource]:
    found = scanned(session, kind)
    return [found[i] for i in ids]


def _run(
    session: AwsSession, audit: AuditLog, rows: list[Resource], schedule: OffHours | None = OFFICE, **options: Any
) -> list[ActionUpdate]:
    runner = ActionRunner(session, ACCOUNT, dataclasses.replace(FAST, schedule=schedule, **options), audit=audit)
    return runner.run(plan(rows, "schedule", runner.options), lambda _: None)


def _ours() -> dict[str, dict[str, Any]]:
    """Every schedule of the group tracker-tui, read back whole, by name."""
    sch = _scheduler()
    names = [s["Name"] for s in sch.list_schedules(GroupName=GROUP)["Schedules"]]
    return {name: sch.get_schedule(Name=name, GroupName=GROUP) for name in names}


def _instance_tags(ident: str) -> dict[str, str]:
    inst = _ec2().describe_instances(InstanceIds=[ident])["Reservations"][0]["Instances"][0]
    return {t["Key"]: t["Value"] for t in inst.get("Tags", [])}


def _phases(audit: AuditLog) -> list[tuple[str, str]]:
    return [(line["phase"], line["operation"]) for line in audit.tail(200)]


def _calls(*operations: str) -> list[tuple[str, str]]:
    return [(phase, op) for op in operations for phase in ("before", "after")]


DRY_RUN_TAG = [("before", "CreateTags"), ("dry-run", "CreateTags")]


def _role_exists() -> bool:
    try:
        _iam().get_role(RoleName=ROLE)
    except ClientError:
        return False
    return True


def _group_exists() -> bool:
    return any(g["Name"] == GROUP for g in _scheduler().list_schedule_groups()["ScheduleGroups"])


def _assert_nothing_made(audit: AuditLog, *, role: bool = False, schedules: int = 0) -> None:
    """No role (unless one was there), no group, no schedule of ours, nothing called."""
    assert _role_exists() is role
    assert not _group_exists()
    assert len(_scheduler().list_schedules()["Schedules"]) == schedules
    assert audit.tail(100) == []


# --- what a run makes --------------------------------------------------------------------------------


def test_two_instances_share_one_pair_and_the_role_group_and_tags_are_made_exactly(
    session: AwsSession, audit: AuditLog
) -> None:
    first, second = _instances(2)
    rows = _rows(session, "ec2:instance", first, second)
    assert all(any(f.id == "no-off-hours" for f in r.findings) for r in rows)

    finals = _run(session, audit, rows)

    assert [(u.status, u.resource.id) for u in finals] == [(Status.DONE, first), (Status.DONE, second)]
    # The role: trusted by EventBridge Scheduler for this account only; its inline policy allows
    # EC2's stop and start on tagged resources, nothing else.
    role = _iam().get_role(RoleName=ROLE)["Role"]
    assert role["Arn"] == ROLE_ARN
    assert role["AssumeRolePolicyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "scheduler.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            }
        ],
    }
    assert _iam().get_role_policy(RoleName=ROLE, PolicyName=ROLE_POLICY)["PolicyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["ec2:StartInstances", "ec2:StopInstances"],
                "Resource": "*",
                "Condition": {"StringLike": {"aws:ResourceTag/tracker-tui:schedule": "*"}},
            }
        ],
    }
    assert _group_exists()
    # One pair for the region, whose input names both instances.
    ours = _ours()
    assert sorted(ours) == sorted([EC2_STOP, EC2_START]) == ["office-hours-0ca81787-ec2-start", EC2_STOP]
    for name, verb, cron, arn in ((EC2_STOP, "stop", STOP_CRON, EC2_TARGETS[0]), (EC2_START, "start", START_CRON,
                                                                                 EC2_TARGETS[1])):  # fmt: skip
        found = ours[name]
        assert (found["ScheduleExpression"], found["ScheduleExpressionTimezone"], found["State"]) == (
            cron,
            "Europe/Paris",
            "ENABLED",
        )
        assert found["FlexibleTimeWindow"] == {"Mode": "OFF"}
        assert found["Description"] == f"tracker-tui off-hours: office-hours MON-FRI 08:00-19:00 Europe/Paris ({verb})"
        target = found["Target"]
        assert (target["Arn"], target["RoleArn"]) == (arn, ROLE_ARN)
        assert json.loads(target["Input"]) == {"InstanceIds": [first, second]}
        assert target["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}
    # The tag on each, the schedule's text.
    assert _instance_tags(first)[SCHEDULE_TAG] == _instance_tags(second)[SCHEDULE_TAG] == OFFICE.text
    # Each mutating call audited before and after; the role, policy and group once for the run;
    # the second instance joins the pair (UpdateSchedule with the whole definition).
    assert _phases(audit) == (
        DRY_RUN_TAG
        + _calls("CreateRole", "PutRolePolicy", "CreateScheduleGroup", "CreateSchedule", "CreateSchedule", "CreateTags")
        + DRY_RUN_TAG
        + _calls("UpdateSchedule", "UpdateSchedule", "CreateTags")
    )
    lines = audit.tail(200)
    assert [line["id"] for line in lines] == [first] * 14 + [second] * 8
    assert {(line["kind"], line["action"], line["region"]) for line in lines} == {("ec2:instance", "schedule", REGION)}
    assert all(line["result"] == "ok" for line in lines if line["phase"] == "after")
    update = next(line for line in lines if line["operation"] == "UpdateSchedule" and line["phase"] == "before")
    assert update["params"]["Target"]["Input"] == json.dumps({"InstanceIds": [first, second]})
    assert update["params"]["ScheduleExpression"] == STOP_CRON


def test_a_done_row_comes_back_priced_on_its_schedules_hours_without_its_finding(
    session: AwsSession, audit: AuditLog
) -> None:
    (ident,) = _instances(1)
    (row,) = _rows(session, "ec2:instance", ident)
    assert row.monthly_cost is not None

    (done,) = _run(session, audit, [row])

    stops, starts = OFFICE.next_events()
    assert done.message == (
        f"scheduled office hours MON-FRI 08:00-19:00 Europe/Paris; stops {stops:%a %d %b %H:%M}, "
        f"starts {starts:%a %d %b %H:%M}"
    )
    assert done.request_id and done.request_id == audit.tail(100)[-1]["request_id"]  # the tag's
    fresh = done.result
    assert fresh is not None and not done.deleted
    assert fresh.tags[SCHEDULE_TAG] == OFFICE.text
    hours = OFFICE.monthly_hours()
    assert 230 < hours < 245
    # t3.micro: no storage on the instance's own row, so its cost is the compute on the schedule's hours.
    assert fresh.monthly_cost == round(row.monthly_cost * hours / 730, 2)
    assert fresh.cost_basis is not None and fresh.cost_basis.startswith(
        f"scheduled office hours MON-FRI 08:00-19:00 Europe/Paris: {hours:g} h/month"
    )
    assert "no-off-hours" not in {f.id for f in fresh.findings}


def test_an_rds_instance_gets_its_own_pair_and_the_policy_gains_its_actions(
    session: AwsSession, audit: AuditLog
) -> None:
    (instance,) = _instances(1)
    db = _db()
    rows = _rows(session, "ec2:instance", instance) + _rows(session, "rds:db-instance", db)

    finals = _run(session, audit, rows)

    assert [u.status for u in finals] == [Status.DONE, Status.DONE], [u.message for u in finals]
    _, db_stop, db_start = schedule_names(OFFICE, "rds", db)
    assert (db_stop, db_start) == ("office-hours-0ca81787-rds-dev-db-stop", "office-hours-0ca81787-rds-dev-db-start")
    ours = _ours()
    assert sorted(ours) == sorted([EC2_STOP, EC2_START, db_stop, db_start])
    assert (ours[db_stop]["Target"]["Arn"], ours[db_start]["Target"]["Arn"]) == (
        "arn:aws:scheduler:::aws-sdk:rds:stopDBInstance",
        "arn:aws:scheduler:::aws-sdk:rds:startDBInstance",
    )
    assert json.loads(ours[db_stop]["Target"]["Input"]) == {"DbInstanceIdentifier": db}
    assert (ours[db_stop]["ScheduleExpression"], ours[db_start]["ScheduleExpression"]) == (STOP_CRON, START_CRON)
    assert ours[db_start]["Target"]["RoleArn"] == ROLE_ARN
    policy = _iam().get_role_policy(RoleName=ROLE, PolicyName=ROLE_POLICY)["PolicyDocument"]
    assert policy == role_policy(
        ["ec2:StopInstances", "ec2:StartInstances", "rds:StopDBInstance", "rds:StartDBInstance"]
    )
    assert policy["Statement"][0]["Action"] == [
        "ec2:StartInstances",
        "ec2:StopInstances",
        "rds:StartDBInstance",
        "rds:StopDBInstance",
    ]
    arn = _rds().describe_db_instances(DBInstanceIdentifier=db)["DBInstances"][0]["DBInstanceArn"]
    assert {t["Key"]: t["Value"] for t in _rds().list_tags_for_resource(ResourceName=arn)["TagList"]}[
        SCHEDULE_TAG
    ] == OFFICE.text
    # The role and the group once for the run; the policy again for RDS's actions.
    db_lines = [(line["phase"], line["operation"]) for line in audit.tail(100) if line["id"] == db]
    assert db_lines == _calls("PutRolePolicy", "CreateSchedule", "CreateSchedule", "AddTagsToResource")
    assert finals[1].result is not None and finals[1].result.tags[SCHEDULE_TAG] == OFFICE.text


def test_a_second_run_adding_a_third_instance_joins_the_pair_and_reads_what_exists(
    session: AwsSession, audit: AuditLog, tmp_path: Any
) -> None:
    first, second, third = _instances(3)
    rows = {r.id: r for r in _rows(session, "ec2:instance", first, second, third)}
    _run(session, audit, [rows[first], rows[second]])
    calls = record_calls(session)
    later = ActionRunner(
        helpers.moto_session(),
        ACCOUNT,
        dataclasses.replace(FAST, schedule=OFFICE),
        audit=AuditLog(tmp_path / "2.jsonl"),
    )
    recorded = record_calls(later.session)

    (done,) = later.run(plan([rows[third]], "schedule", later.options), lambda _: None)

    assert done.status is Status.DONE, done.message
    ours = _ours()
    assert sorted(ours) == sorted([EC2_STOP, EC2_START])  # the same pair, not another
    assert json.loads(ours[EC2_STOP]["Target"]["Input"]) == {"InstanceIds": [first, second, third]}
    assert json.loads(ours[EC2_START]["Target"]["Input"]) == {"InstanceIds": [first, second, third]}
    assert ours[EC2_STOP]["ScheduleExpression"] == STOP_CRON
    assert _phases(later.audit) == DRY_RUN_TAG + _calls("UpdateSchedule", "UpdateSchedule", "CreateTags")  # type: ignore[arg-type]
    # What this path calls is declared too (tests/test_permissions.py records the first run's):
    # the role's policy read, the pair updated.
    called = {a for name, _ in recorded for a in iam_actions(*name.split(".", 1))} - set(CONNECT_ACTIONS)
    declared = set(ACTION_SPECS[("ec2:instance", "schedule")].iam_actions)
    assert called <= declared
    assert {"iam:GetRole", "iam:GetRolePolicy", "scheduler:UpdateSchedule", "scheduler:GetScheduleGroup"} <= called
    assert calls == []  # the first session's clients were not used


def test_an_instance_terminated_since_leaves_the_pair_when_another_joins(
    session: AwsSession, audit: AuditLog, tmp_path: Any
) -> None:
    """StopInstances fails for the whole list on one id that is gone: the pair is rewritten
    without it when the next row joins."""
    first, second, third = _instances(3)
    rows = {r.id: r for r in _rows(session, "ec2:instance", first, second, third)}
    _run(session, audit, [rows[first], rows[second]])
    session.client("ec2", REGION).terminate_instances(InstanceIds=[first])
    later = ActionRunner(
        helpers.moto_session(),
        ACCOUNT,
        dataclasses.replace(FAST, schedule=OFFICE),
        audit=AuditLog(tmp_path / "2.jsonl"),
    )

    (done,) = later.run(plan([rows[third]], "schedule", later.options), lambda _: None)

    assert done.status is Status.DONE, done.message
    ours = _ours()
    for name in (EC2_STOP, EC2_START):
        assert json.loads(ours[name]["Target"]["Input"]) == {"InstanceIds": [second, third]}


def test_a_run_reads_the_role_and_the_regions_schedules_once(session: AwsSession, audit: AuditLog) -> None:
    ids = _instances(3)
    rows = _rows(session, "ec2:instance", *ids)
    calls = record_calls(session)

    finals = _run(session, audit, rows)

    assert [u.status for u in finals] == [Status.DONE] * 3
    names = [name for name, _ in calls]
    # ListSchedules twice: once for the checks, once for the pair's row the table gets back.
    assert (names.count("iam.GetRole"), names.count("scheduler.ListSchedules")) == (1, 2)
    assert names.count("scheduler.GetScheduleGroup") == 1
    (pair,) = [row for u in finals for row in u.related]
    assert pair.kind == "scheduler:schedule" and sorted(pair.details["targets"]) == sorted(ids)
    assert names.count("iam.CreateRole") == 1 and names.count("scheduler.CreateScheduleGroup") == 1


def test_an_existing_role_with_our_trust_and_policy_is_reused_untouched(session: AwsSession, audit: AuditLog) -> None:
    _iam().create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust_policy(ACCOUNT)))
    _iam().put_role_policy(
        RoleName=ROLE,
        PolicyName=ROLE_POLICY,
        PolicyDocument=json.dumps(role_policy(["ec2:StopInstances", "ec2:StartInstances", "rds:StopDBInstance"])),
    )
    (ident,) = _instances(1)

    (done,) = _run(session, audit, _rows(session, "ec2:instance", ident))

    assert done.status is Status.DONE, done.message
    assert _phases(audit) == DRY_RUN_TAG + _calls(
        "CreateScheduleGroup", "CreateSchedule", "CreateSchedule", "CreateTags"
    )
    assert _iam().get_role_policy(RoleName=ROLE, PolicyName=ROLE_POLICY)["PolicyDocument"] == role_policy(
        ["ec2:StopInstances", "ec2:StartInstances", "rds:StopDBInstance"]
    )


def test_a_new_role_eventbridge_cannot_assume_yet_is_asked_again_and_said_so(
    session: AwsSession, audit: AuditLog
) -> None:
    (ident,) = _instances(1)
    rows = _rows(session, "ec2:instance", ident)
    answers = [error_response("ValidationException", "The execution role you provide must allow AWS EventBridge "
                              "Scheduler to assume the role.")]  # fmt: skip
    on_call(session, "scheduler", REGION, "CreateSchedule", lambda **_: answers.pop() if answers else None)

    (done,) = _run(session, audit, rows)

    assert done.status is Status.DONE, done.message
    assert done.message.endswith(
        "(EventBridge Scheduler took a moment to accept the new role tracker-tui-scheduler; asked again)"
    )
    creates = [line for line in audit.tail(100) if line["operation"] == "CreateSchedule"]
    assert [(line["phase"], line["result"]) for line in creates] == [
        ("before", None), ("after", "error"), ("before", None), ("after", "ok"), ("before", None), ("after", "ok")
    ]  # fmt: skip
    assert len(_ours()) == 2


def test_a_role_error_on_a_role_this_run_did_not_make_is_not_retried(session: AwsSession, audit: AuditLog) -> None:
    _iam().create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust_policy(ACCOUNT)))
    (ident,) = _instances(1)
    rows = _rows(session, "ec2:instance", ident)
    on_call(session, "scheduler", REGION, "CreateSchedule", lambda **_: error_response("ValidationException", "role?"))

    (done,) = _run(session, audit, rows)

    assert (done.status, done.code) == (Status.FAILED, "ValidationException")
    assert done.message == f"could not create schedule {GROUP}/{EC2_STOP}: role?"
    assert [line["phase"] for line in audit.tail(100) if line["operation"] == "CreateSchedule"] == ["before", "after"]
    assert SCHEDULE_TAG not in _instance_tags(ident)


def test_a_failed_tag_leaves_the_schedules_and_says_so_and_a_second_run_finishes(
    session: AwsSession, audit: AuditLog
) -> None:
    (ident,) = _instances(1)
    rows = _rows(session, "ec2:instance", ident)

    def refuse_real_tag(params: dict[str, Any], **_: Any) -> Any:
        body = params.get("body")
        if isinstance(body, dict) and str(body.get("DryRun", "")).lower() == "true":
            return None
        return error_response("RequestLimitExceeded", "Slow down.")

    on_call(session, "ec2", REGION, "CreateTags", refuse_real_tag)
    (failed,) = _run(session, audit, rows)

    assert (failed.status, failed.code, failed.request_id) == (
        Status.FAILED,
        "RequestLimitExceeded",
        "req-RequestLimitExceeded",
    )
    assert failed.message == (
        "its schedules are in place, but tagging it failed (until it is tagged the schedules' role may not stop "
        "it: run z again, or remove them in :schedules): Slow down."
    )
    assert sorted(_ours()) == sorted([EC2_STOP, EC2_START])
    assert SCHEDULE_TAG not in _instance_tags(ident)

    # Run again (a fresh session, its clients without the hook): its own pair does not cover it,
    # nothing is rewritten, the tag is put on.
    again = AuditLog(audit.path.with_name("again.jsonl"))
    (done,) = _run(helpers.moto_session(), again, rows)
    assert done.status is Status.DONE, done.message
    assert _phases(again) == DRY_RUN_TAG + _calls("CreateTags")
    assert _instance_tags(ident)[SCHEDULE_TAG] == OFFICE.text


def test_an_endpoint_that_carries_the_tags_dry_run_out_is_not_tagged_twice(
    session: AwsSession, audit: AuditLog
) -> None:
    """moto carries some DryRun calls out (DeleteNatGateway): the tag is then on record as made."""
    (ident,) = _instances(1)
    rows = _rows(session, "ec2:instance", ident)

    def carried_out(params: dict[str, Any], **_: Any) -> Any:
        body = params.get("body")
        if not (isinstance(body, dict) and str(body.get("DryRun", "")).lower() == "true"):
            return None
        _ec2().create_tags(Resources=[ident], Tags=[{"Key": SCHEDULE_TAG, "Value": OFFICE.text}])
        return SimpleNamespace(status_code=200, headers={}), {"ResponseMetadata": {"RequestId": "req-dry"}}

    on_call(session, "ec2", REGION, "CreateTags", carried_out)

    (done,) = _run(session, audit, rows)

    assert done.status is Status.DONE, done.message
    assert done.message.endswith("(the endpoint ignored DryRun=True and tagged it before its schedules were made)")
    assert _phases(audit) == [("before", "CreateTags"), ("after", "CreateTags")] + _calls(
        "CreateRole", "PutRolePolicy", "CreateScheduleGroup", "CreateSchedule", "CreateSchedule"
    )
    assert _instance_tags(ident)[SCHEDULE_TAG] == OFFICE.text


# --- refusals: nothing made -----------------------------------------------------------------------------


def _rewrite(session: AwsSession, service: str, operation: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Every answer of ``operation`` from now on goes through ``change`` (register after the scan)."""
    client = session.client(service, REGION)
    prefix = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"after-call.{prefix}.{operation}", lambda parsed, **_: change(parsed))


def _each_instance(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def rewrite(parsed: dict[str, Any]) -> None:
        for reservation in parsed.get("Reservations", []):
            for inst in reservation.get("Instances", []):
                change(inst)

    return rewrite


def _refused(session: AwsSession, audit: AuditLog, rows: list[Resource], **options: Any) -> ActionUpdate:
    (final,) = _run(session, audit, rows, **options)
    assert final.status is Status.REFUSED, final.message
    assert final.request_id == ""
    return final


EC2_REFUSALS = [
    pytest.param(
        {"aws:autoscaling:groupName": "web-asg"},
        {},
        None,
        "a member of Auto Scaling group web-asg: the group would replace it when the schedule stops it; schedule the "
        "group's desired capacity instead",
        id="auto-scaling-member",
    ),
    pytest.param({"Protected": "yes"}, {}, None, "tag Protected is set", id="protected-tag"),
    pytest.param({SCHEDULE_TAG: OFFICE.text}, {}, None, "already on this schedule", id="already-on-this-schedule"),
    pytest.param(
        {SCHEDULE_TAG: NIGHTS.text},
        {},
        None,
        f"already on schedule {NIGHTS.text}: remove it in :schedules first",
        id="already-on-another-schedule",
    ),
    pytest.param(
        {"schedule": "uk-office-hours"},
        {},
        None,
        "AWS Instance Scheduler schedules it (tag schedule=uk-office-hours): one scheduler per resource; "
        "remove that tag first",
        id="instance-scheduler-tag",
    ),
    pytest.param(
        {},
        {"InstanceType": "m5d.large"},
        None,
        "m5d.large has 75 GB of instance store, erased when it stops: each scheduled stop would erase it",
        id="instance-store-volumes",
    ),
    pytest.param(
        {},
        {},
        lambda inst: inst.update(RootDeviceType="instance-store"),
        "its root device is instance store: it cannot be stopped",
        id="instance-store-root",
    ),
    pytest.param(
        {},
        {},
        lambda inst: inst.update(State={"Name": "terminated"}),
        "it is terminated",
        id="terminated",
    ),
]


@pytest.mark.parametrize(("tags", "launch", "rewrite", "message"), EC2_REFUSALS)
def test_an_instance_that_cannot_be_scheduled_is_refused_with_nothing_made(
    session: AwsSession,
    audit: AuditLog,
    tags: dict[str, str],
    launch: dict[str, Any],
    rewrite: Callable[[dict[str, Any]], None] | None,
    message: str,
) -> None:
    (ident,) = _instances(1, tags, **launch)
    rows = _rows(session, "ec2:instance", ident)
    if rewrite is not None:
        _rewrite(session, "ec2", "DescribeInstances", _each_instance(rewrite))

    final = _refused(session, audit, rows, protected_tags=("protected",))

    assert final.message == message
    assert final.deleted is (message == "it is terminated")
    _assert_nothing_made(audit)
    assert _instance_tags(ident).get(SCHEDULE_TAG) == tags.get(SCHEDULE_TAG)


def test_stop_protection_refuses(session: AwsSession, audit: AuditLog) -> None:
    (ident,) = _instances(1)
    _ec2().modify_instance_attribute(InstanceId=ident, DisableApiStop={"Value": True})

    final = _refused(session, audit, _rows(session, "ec2:instance", ident))

    assert final.message == (
        "stop protection is on (DisableApiStop): every scheduled stop would fail; tracker-tui never switches it off"
    )
    _assert_nothing_made(audit)


def test_no_schedule_chosen_refuses(session: AwsSession, audit: AuditLog) -> None:
    (ident,) = _instances(1)

    final = _refused(session, audit, _rows(session, "ec2:instance", ident), schedule=None)

    assert final.message == "no schedule chosen"
    _assert_nothing_made(audit)


def test_an_instance_another_schedule_already_stops_is_refused(session: AwsSession, audit: AuditLog) -> None:
    """A schedule of another group (somebody's own) whose universal target names it covers it."""
    other, ident = _instances(2)
    sch = _scheduler()
    sch.create_schedule_group(Name="ops")
    sch.create_schedule(
        Name="dev-nightly-stop",
        GroupName="ops",
        ScheduleExpression="cron(0 22 * * ? *)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": "arn:aws:scheduler:::aws-sdk:ec2:stopInstances",
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/ops-scheduler",
            "Input": json.dumps({"InstanceIds": [other, ident]}),
        },
    )
    # A schedule of another service with an input that happens to carry the field is no match.
    sch.create_schedule(
        Name="unrelated",
        ScheduleExpression="rate(1 day)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": "arn:aws:lambda:us-east-1:123456789012:function:f", "RoleArn": "arn:aws:iam::1:role/r",
                "Input": json.dumps({"InstanceIds": [ident]})},
    )  # fmt: skip
    rows = _rows(session, "ec2:instance", ident)

    final = _refused(session, audit, rows)

    assert final.message == (
        "schedule ops/dev-nightly-stop already calls stopInstances on it: one schedule per resource; "
        "remove that one first"
    )
    _assert_nothing_made(audit, schedules=2)
    assert SCHEDULE_TAG not in _instance_tags(ident)


def test_an_instance_on_another_tracker_tui_pair_without_its_tag_is_refused(
    session: AwsSession, audit: AuditLog
) -> None:
    """Only the pair this run writes is ours to rewrite: another schedule of the group covers it."""
    (ident,) = _instances(1)
    _, nights_stop, _ = schedule_names(NIGHTS, "ec2")
    sch = _scheduler()
    sch.create_schedule_group(Name=GROUP)
    sch.create_schedule(
        Name=nights_stop,
        GroupName=GROUP,
        ScheduleExpression="cron(0 19 ? * * *)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": EC2_TARGETS[0], "RoleArn": ROLE_ARN, "Input": json.dumps({"InstanceIds": [ident]})},
    )
    rows = _rows(session, "ec2:instance", ident)

    final = _refused(session, audit, rows)

    assert final.message == (
        f"schedule {GROUP}/{nights_stop} already calls stopInstances on it: one schedule per resource; "
        "remove that one first"
    )
    assert audit.tail(100) == [] and not _role_exists()
    assert [s["Name"] for s in sch.list_schedules()["Schedules"]] == [nights_stop]


def test_a_role_of_that_name_with_another_trust_policy_refuses_every_row(session: AwsSession, audit: AuditLog) -> None:
    foreign = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    _iam().create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(foreign))
    ids = _instances(2)
    rows = _rows(session, "ec2:instance", *ids)
    calls = record_calls(session)

    finals = _run(session, audit, rows)

    message = (
        f"a role named {ROLE} exists with another trust policy: tracker-tui uses its own role only (trusted by "
        f"scheduler.amazonaws.com for account {ACCOUNT}); rename or delete that one"
    )
    assert [(u.status, u.message) for u in finals] == [(Status.REFUSED, message)] * 2
    _assert_nothing_made(audit, role=True)
    assert _iam().get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"] == foreign
    assert _iam().list_role_policies(RoleName=ROLE)["PolicyNames"] == []
    assert [name for name, _ in calls].count("iam.GetRole") == 1  # read once for the run
    assert all(SCHEDULE_TAG not in _instance_tags(i) for i in ids)


def test_an_aurora_member_and_read_replicas_are_refused(session: AwsSession, audit: AuditLog) -> None:
    db = _db()
    rows = _rows(session, "rds:db-instance", db)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"DBClusterIdentifier": "aurora-dev"},
         "it belongs to the Aurora cluster aurora-dev: schedule the cluster instead (not supported here)"),
        ({"ReadReplicaSourceDBInstanceIdentifier": "prod-db"},
         "it is a read replica of prod-db: AWS cannot stop a read replica"),
        ({"ReadReplicaDBInstanceIdentifiers": ["dev-db-replica"]},
         "it has read replicas (dev-db-replica): AWS cannot stop it"),
    ]  # fmt: skip
    current: dict[str, Any] = {}

    def change_each(parsed: dict[str, Any]) -> None:
        for db_instance in parsed["DBInstances"]:
            db_instance.update(current)

    _rewrite(session, "rds", "DescribeDBInstances", change_each)
    messages = []
    for change, _ in cases:
        current.clear()
        current.update(change)
        messages.append(_refused(session, audit, rows).message)

    assert messages == [message for _, message in cases]
    _assert_nothing_made(audit)


def test_a_db_instance_gone_since_the_scan_is_refused(session: AwsSession, audit: AuditLog) -> None:
    db = _db()
    rows = _rows(session, "rds:db-instance", db)
    _rds().delete_db_instance(DBInstanceIdentifier=db, SkipFinalSnapshot=True)

    final = _refused(session, audit, rows)

    assert (final.message, final.deleted) == ("it no longer exists (deleted since the scan)", True)
    _assert_nothing_made(audit)


@pytest.mark.parametrize(
    ("status", "message", "deleted"),
    [
        ("Deleting", "it is Deleting", False),
        ("Failed", "state is Failed; only one that is InService or Stopped is put on a schedule", False),
    ],
)
def test_a_notebook_in_a_state_no_schedule_takes_is_refused(
    session: AwsSession, audit: AuditLog, status: str, message: str, deleted: bool
) -> None:
    sm = boto3.client("sagemaker", region_name=REGION)
    sm.create_notebook_instance(
        NotebookInstanceName="dev-notebook",
        InstanceType="ml.t3.medium",
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/sm",
        Tags=[{"Key": "env", "Value": "dev"}],
    )
    rows = _rows(session, "sagemaker:notebook-instance", "dev-notebook")
    _rewrite(
        session, "sagemaker", "DescribeNotebookInstance", lambda parsed: parsed.update(NotebookInstanceStatus=status)
    )

    final = _refused(session, audit, rows)

    assert (final.message, final.deleted) == (message, deleted)
    _assert_nothing_made(audit)


# --- the plan -------------------------------------------------------------------------------------------


def test_the_plan_saves_the_cost_less_the_scheduled_cost_and_says_what_it_makes(session: AwsSession) -> None:
    first, second = _instances(2)
    db = _db()
    rows = _rows(session, "ec2:instance", first, second) + _rows(session, "rds:db-instance", db)
    volume = scanned(session, "ec2:volume")
    options = dataclasses.replace(FAST, schedule=OFFICE)

    planned = plan([*rows, next(iter(volume.values()))], "schedule", options)

    assert [p.action for p in planned] == ["schedule", "schedule", "schedule", None]
    assert planned[-1].skip_reason == "no schedule action"
    for item in planned[:3]:
        cost = item.resource.monthly_cost
        scheduled, _ = estimate(
            dataclasses.replace(item.resource, tags={**item.resource.tags, SCHEDULE_TAG: OFFICE.text})
        )
        assert cost is not None and scheduled is not None and scheduled < cost
        assert item.saving == round(cost - scheduled, 2)
        assert item.note == (f"stops {STOP_CRON}, starts {START_CRON} Europe/Paris; {OFFICE.monthly_hours():g} h/month")
    # The saving is the no-off-hours finding's, on the same schedule (office hours, the same zone).
    finding = next(f for f in rows[0].findings if f.id == "no-off-hours")
    assert finding.monthly_saving is not None
    assert needs_typed_name(planned[:1])  # a schedule is confirmed with the account's name typed

    _, db_stop, db_start = schedule_names(OFFICE, "rds", db)
    assert creations(planned, OFFICE, ACCOUNT) == [
        f"IAM role {ROLE}, created unless it exists (assumed only by scheduler.amazonaws.com for account {ACCOUNT}), "
        f"with its inline policy {ROLE_POLICY}: ec2:StartInstances, ec2:StopInstances, rds:StartDBInstance, "
        "rds:StopDBInstance on resources tagged tracker-tui:schedule",
        f"schedule group {GROUP} in us-east-1, created unless it exists",
        f"schedules {EC2_STOP} ({STOP_CRON}: ec2:stopInstances) and {EC2_START} ({START_CRON}: ec2:startInstances) "
        "in us-east-1, Europe/Paris, on 2 ids, or joins it if it exists",
        f"schedules {db_stop} ({STOP_CRON}: rds:stopDBInstance) and {db_start} ({START_CRON}: rds:startDBInstance) "
        "in us-east-1, Europe/Paris, on 1 id",
        f"tag {SCHEDULE_TAG}={OFFICE.text} on 3 rows",
    ]
    assert creations(planned[-1:], OFFICE, ACCOUNT) == []


def test_a_stopped_row_saves_nothing_and_its_note_says_the_schedule_starts_it(session: AwsSession) -> None:
    (ident,) = _instances(1, InstanceType="m5.large")
    _ec2().stop_instances(InstanceIds=[ident])
    (row,) = _rows(session, "ec2:instance", ident)
    scheduled, _ = estimate(dataclasses.replace(row, tags={**row.tags, SCHEDULE_TAG: OFFICE.text}))
    assert row.state == "stopped" and scheduled is not None and row.monthly_cost is not None
    assert scheduled > row.monthly_cost

    (item,) = plan([row], "schedule", dataclasses.replace(FAST, schedule=OFFICE))

    assert item.saving == 0.0
    assert item.note.endswith(f"; stopped now: the schedule starts it (bills ${scheduled:,.2f}/mo)")


def test_without_a_schedule_the_plan_knows_no_saving() -> None:
    row = Resource(
        "ec2:instance", "i-1", REGION, state="running", monthly_cost=70.08, details={"instance_type": "m5.large"}
    )

    (item,) = plan([row], "schedule")

    assert (item.action, item.saving, item.note) == ("schedule", None, "no schedule chosen")
