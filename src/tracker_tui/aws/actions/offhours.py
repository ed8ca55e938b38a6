"""``z``: putting rows on an off-hours schedule through EventBridge Scheduler (action ``schedule``).

Each schedulable kind (``KindSpec.off_hours``: EC2 and RDS instances, Redshift clusters,
SageMaker notebook instances) takes the same handler, ``schedule_offhours``.  Per row it

1. reads, refusing before anything is made: the row re-read (gone, a state no schedule moves it
   through), protected tags, what AWS cannot stop or would undo (an Auto Scaling group member,
   an Aurora cluster member, an instance store root or data volumes, stop protection, a read
   replica), a row already scheduled (tracker-tui's tag, AWS Instance Scheduler's ``Schedule``
   tag, or any schedule of the region whose universal target names it), the execution role
   (refused when one of its name trusts anything else), the policy, the group, the pair;
2. makes what is missing, each call audited before and after: the role ``tracker-tui-scheduler``
   and its inline policy (the union of the actions there and this kind's stop and start, only
   on resources tagged ``tracker-tui:schedule``), the group ``tracker-tui``, the stop and start
   schedules (one pair per region for a kind whose API takes a list of ids, whose input gains
   the id; one pair per row for the others);
3. tags the row ``tracker-tui:schedule=<schedule>`` last, so no tag ever claims a schedule that
   was not made.  EC2's CreateTags goes first with ``DryRun=True``, before anything is made.

What every row of a run shares (the role, a region's group and its schedules) is read once
per run and kept on the runner (``ActionRunner.shared``).  Verification reads both schedules
back (expression, zone, state, target, role, input) and the row's tag, then returns the row
re-read: priced on its schedule's hours, without its ``no-off-hours`` finding.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import unquote

from botocore.exceptions import ClientError

from tracker_tui.aws.actions.base import (
    ActionOptions,
    ActionSpec,
    ActionUpdate,
    Failed,
    PlannedAction,
    Step,
    Verify,
    failed,
    gone,
)
from tracker_tui.aws.actions.ec2 import AUTOSCALING_TAG, instance_store, protection
from tracker_tui.aws.kinds import REGISTRY, estimate
from tracker_tui.aws.kinds.base import Lister, Schedulable, error_code, tag_dict, ts
from tracker_tui.aws.kinds.ec2_instance import KIND as EC2_INSTANCE
from tracker_tui.aws.kinds.ec2_instance import list_instances
from tracker_tui.aws.kinds.rds import KIND as RDS_INSTANCE
from tracker_tui.aws.kinds.rds import list_db_instances
from tracker_tui.aws.kinds.redshift import KIND as REDSHIFT_CLUSTER
from tracker_tui.aws.kinds.redshift import list_redshift_clusters
from tracker_tui.aws.kinds.sagemaker import NOTEBOOK as SAGEMAKER_NOTEBOOK
from tracker_tui.aws.kinds.sagemaker import list_notebook_instances
from tracker_tui.aws.kinds.scheduler import list_schedules
from tracker_tui.model import Resource, format_cost
from tracker_tui.offhours import (
    GROUP,
    INSTANCE_SCHEDULER_TAG,
    ROLE,
    ROLE_POLICY,
    SCHEDULE_TAG,
    SCHEDULER_PRINCIPAL,
    OffHours,
    role_policy,
    schedule_names,
    trust_policy,
)
from tracker_tui.pricing.basis import cents

T = TypeVar("T")

ACTION = "schedule"
#: A stop or start that fails is tried again a few times within the hour, then dropped (the next
#: one comes the next day): a stop retried all day would stop a machine somebody started since.
RETRY_POLICY = {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}
#: What EventBridge Scheduler and IAM answer for what does not exist.
SCHEDULER_NOT_FOUND = "ResourceNotFoundException"
IAM_NOT_FOUND = "NoSuchEntity"
ROLE_DESCRIPTION = f"tracker-tui off-hours: EventBridge Scheduler stops and starts resources tagged {SCHEDULE_TAG}"

# --- the documents -----------------------------------------------------------------------------------


def _document(value: Any) -> dict[str, Any]:
    """A policy document as IAM answered it (botocore decodes it; a raw answer is URL-encoded JSON)."""
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(unquote(str(value or "")))
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = document.get("Statement")
    items = [found] if isinstance(found, dict) else found if isinstance(found, list) else []
    return [s for s in items if isinstance(s, dict)]


def _allowed(document: dict[str, Any]) -> set[str]:
    """The actions a policy document's Allow statements name."""
    actions: set[str] = set()
    for statement in _statements(document):
        if statement.get("Effect") != "Allow":
            continue
        named = statement.get("Action")
        actions.update([named] if isinstance(named, str) else [str(a) for a in named or []])
    return actions


def _same_trust(found: dict[str, Any], ours: dict[str, Any]) -> bool:
    return {**found, "Statement": _statements(found)} == ours


# --- reading what may not exist ----------------------------------------------------------------------


def _or_none(read: Callable[[], T], code: str) -> T | None:
    """``read()``, or None when AWS answers ``code`` (it does not exist)."""
    try:
        return read()
    except ClientError as exc:
        if error_code(exc) == code:
            return None
        raise


def _input_of(target: dict[str, Any]) -> Any:
    try:
        return json.loads(str(target.get("Input") or ""))
    except ValueError:
        return None


def _universal(service: str) -> re.Pattern[str]:
    """A universal target of ``service``'s API, any operation, any partition."""
    return re.compile(rf"arn:[a-z-]+:scheduler:::aws-sdk:{re.escape(service)}:[A-Za-z0-9]+")


# --- each kind's reads and its tag call ---------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """How the handler reads, checks and tags one kind's rows (its schedules are ``off_hours``'s)."""

    kind: str
    #: The boto3 client the row is read and tagged through.
    service: str
    #: The row as AWS has it now (None: gone).
    read: Callable[[Any, str], dict[str, Any] | None]
    #: Its state in that answer.
    state: Callable[[dict[str, Any]], str]
    #: Its tags (a second call where the answer has none).
    tags: Callable[[Any, dict[str, Any]], dict[str, str]]
    #: Refuses what AWS cannot stop or would undo (after the protected tags).
    blockers: Callable[[Step, Any, dict[str, Any], dict[str, str]], None]
    #: Puts the tag on the row (the last call): its request id.
    tag: Callable[[Step, Any, dict[str, Any], str], str]
    #: The kind's lister, and the filter narrowing it to the row, for the re-read row.
    lister: Lister
    only: Callable[[str], dict[str, Any]]
    #: The states the row is gone or going in (refused as such), and the one meaning it is gone.
    ending: frozenset[str]
    ended: str
    #: What reading, checking and tagging it asks of IAM.
    iam_actions: tuple[str, ...]
    #: EC2: the tag call's DryRun before anything is made (None elsewhere).
    preflight: Callable[[Step, Any, str], bool] | None = None


def _tag_list(value: str) -> list[dict[str, str]]:
    return [{"Key": SCHEDULE_TAG, "Value": value}]


def _tag_failure() -> str:
    return (
        "its schedules are in place, but tagging it failed (until it is tagged the schedules' role may not "
        "stop it: run z again, or remove them in :schedules): "
    )


# EC2 instances


def _ec2_read(ec2: Any, ident: str) -> dict[str, Any] | None:
    reservations = ec2.describe_instances(InstanceIds=[ident]).get("Reservations", [])
    return next((i for r in reservations for i in r.get("Instances", []) if i.get("InstanceId") == ident), None)


def _ec2_blockers(step: Step, ec2: Any, inst: dict[str, Any], tags: dict[str, str]) -> None:
    group = tags.get(AUTOSCALING_TAG)
    if group:
        step.refuse(
            f"a member of Auto Scaling group {group}: the group would replace it when the schedule stops it; "
            "schedule the group's desired capacity instead"
        )
    if inst.get("RootDeviceType") == "instance-store":
        step.refuse("its root device is instance store: it cannot be stopped")
    if protection(step, ec2, "disableApiStop", "DisableApiStop", "stop protection"):
        step.refuse(
            "stop protection is on (DisableApiStop): every scheduled stop would fail; tracker-tui never switches it off"
        )
    if (why := instance_store(step, ec2, str(inst.get("InstanceType") or ""))) is not None:
        step.refuse(f"{why}: each scheduled stop would erase it")


def _ec2_preflight(step: Step, ec2: Any, value: str) -> bool:
    """CreateTags with DryRun before anything is made; True when the endpoint ignored DryRun and tagged it."""
    carried_out = step.runner.dry_run(step, ec2, "create_tags", Resources=[step.resource.id], Tags=_tag_list(value))
    if carried_out is None:
        return False
    step.note = "the endpoint ignored DryRun=True and tagged it before its schedules were made"
    return True


def _ec2_tag(step: Step, ec2: Any, inst: dict[str, Any], value: str) -> str:
    return step.call(ec2, "create_tags", failure=_tag_failure(), Resources=[step.resource.id], Tags=_tag_list(value))


EC2 = Family(
    kind=EC2_INSTANCE,
    service="ec2",
    read=_ec2_read,
    state=lambda inst: str((inst.get("State") or {}).get("Name", "")),
    tags=lambda ec2, inst: tag_dict(inst.get("Tags")),
    blockers=_ec2_blockers,
    tag=_ec2_tag,
    lister=list_instances,
    only=lambda ident: {"InstanceIds": [ident]},
    ending=frozenset({"shutting-down", "terminated"}),
    ended="terminated",
    iam_actions=(
        "ec2:DescribeInstances",
        "ec2:DescribeInstanceAttribute",
        "ec2:DescribeInstanceTypes",
        "ec2:CreateTags",
    ),
    preflight=_ec2_preflight,
)


# RDS DB instances


def _rds_read(rds: Any, ident: str) -> dict[str, Any] | None:
    found = rds.describe_db_instances(DBInstanceIdentifier=ident).get("DBInstances", [])
    return next((d for d in found if d.get("DBInstanceIdentifier") == ident), None)


def _rds_tags(rds: Any, db: dict[str, Any]) -> dict[str, str]:
    tags = db.get("TagList")
    if tags is None:
        tags = rds.list_tags_for_resource(ResourceName=db["DBInstanceArn"]).get("TagList")
    return tag_dict(tags)


def _rds_blockers(step: Step, rds: Any, db: dict[str, Any], tags: dict[str, str]) -> None:
    cluster = db.get("DBClusterIdentifier")
    if cluster:
        step.refuse(f"it belongs to the Aurora cluster {cluster}: schedule the cluster instead (not supported here)")
    source = db.get("ReadReplicaSourceDBInstanceIdentifier")
    if source:
        step.refuse(f"it is a read replica of {source}: AWS cannot stop a read replica")
    replicas = [str(r) for r in db.get("ReadReplicaDBInstanceIdentifiers") or []]
    if replicas:
        step.refuse(f"it has read replicas ({', '.join(replicas)}): AWS cannot stop it")


def _rds_tag(step: Step, rds: Any, db: dict[str, Any], value: str) -> str:
    arn = str(db.get("DBInstanceArn") or step.resource.arn)
    return step.call(rds, "add_tags_to_resource", failure=_tag_failure(), ResourceName=arn, Tags=_tag_list(value))


RDS = Family(
    kind=RDS_INSTANCE,
    service="rds",
    read=_rds_read,
    state=lambda db: str(db.get("DBInstanceStatus", "")),
    tags=_rds_tags,
    blockers=_rds_blockers,
    tag=_rds_tag,
    lister=list_db_instances,
    only=lambda ident: {"DBInstanceIdentifier": ident},
    ending=frozenset({"deleting"}),
    ended="deleted",
    iam_actions=(
        "rds:DescribeDBInstances",
        "rds:ListTagsForResource",
        "rds:AddTagsToResource",
    ),
)


# Redshift clusters


def _redshift_read(redshift: Any, ident: str) -> dict[str, Any] | None:
    found = redshift.describe_clusters(ClusterIdentifier=ident).get("Clusters", [])
    return next((c for c in found if c.get("ClusterIdentifier") == ident), None)


def _no_blockers(step: Step, client: Any, item: dict[str, Any], tags: dict[str, str]) -> None:
    return None


def _redshift_arn(step: Step) -> str:
    if step.resource.arn:
        return step.resource.arn
    partition = "aws-cn" if step.region.startswith("cn-") else "aws"
    return f"arn:{partition}:redshift:{step.region}:{step.account}:cluster:{step.resource.id}"


def _redshift_tag(step: Step, redshift: Any, cluster: dict[str, Any], value: str) -> str:
    return step.call(
        redshift, "create_tags", failure=_tag_failure(), ResourceName=_redshift_arn(step), Tags=_tag_list(value)
    )


REDSHIFT = Family(
    kind=REDSHIFT_CLUSTER,
    service="redshift",
    read=_redshift_read,
    state=lambda cluster: str(cluster.get("ClusterStatus", "")),
    tags=lambda redshift, cluster: tag_dict(cluster.get("Tags")),
    blockers=_no_blockers,
    tag=_redshift_tag,
    lister=list_redshift_clusters,
    only=lambda ident: {"ClusterIdentifier": ident},
    ending=frozenset({"deleting", "final-snapshot"}),
    ended="deleted",
    iam_actions=("redshift:DescribeClusters", "redshift:CreateTags"),
)


# SageMaker notebook instances


def _notebook_read(sm: Any, name: str) -> dict[str, Any] | None:
    return dict(sm.describe_notebook_instance(NotebookInstanceName=name))


def _notebook_tags(sm: Any, nb: dict[str, Any]) -> dict[str, str]:
    tags: list[dict[str, Any]] = []
    for page in sm.get_paginator("list_tags").paginate(ResourceArn=nb["NotebookInstanceArn"]):
        tags.extend(page.get("Tags") or [])
    return tag_dict(tags)


def _notebook_blockers(step: Step, sm: Any, nb: dict[str, Any], tags: dict[str, str]) -> None:
    created = step.resource.created
    if created and ts(nb.get("CreationTime")) not in (None, created):
        # Made again under the same name since the scan: not the row the user chose.
        raise gone()


def _notebook_tag(step: Step, sm: Any, nb: dict[str, Any], value: str) -> str:
    arn = str(nb.get("NotebookInstanceArn") or step.resource.arn)
    return step.call(sm, "add_tags", failure=_tag_failure(), ResourceArn=arn, Tags=_tag_list(value))


NOTEBOOK = Family(
    kind=SAGEMAKER_NOTEBOOK,
    service="sagemaker",
    read=_notebook_read,
    state=lambda nb: str(nb.get("NotebookInstanceStatus", "")),
    tags=_notebook_tags,
    blockers=_notebook_blockers,
    tag=_notebook_tag,
    lister=list_notebook_instances,
    only=lambda name: {"NameContains": name},
    ending=frozenset({"Deleting"}),
    ended="Deleted",
    iam_actions=(
        "sagemaker:DescribeNotebookInstance",
        "sagemaker:ListTags",
        "sagemaker:AddTags",
        "sagemaker:ListNotebookInstances",
    ),
)

FAMILIES: dict[str, Family] = {f.kind: f for f in (EC2, RDS, REDSHIFT, NOTEBOOK)}

#: What every kind's handler asks of IAM besides its own reads and tag: the region's schedules,
#: the role and its policy, the group, the pair; and iam:PassRole, which AWS checks when
#: CreateSchedule (UpdateSchedule) hands the schedule the role.
SCHEDULER_IAM_ACTIONS = (
    "scheduler:ListSchedules",
    "scheduler:GetSchedule",
    # The pair's row, re-read for the table (its group's tags: scheduler:schedule's lister).
    "scheduler:ListTagsForResource",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "scheduler:GetScheduleGroup",
    "iam:CreateRole",
    "iam:PutRolePolicy",
    "scheduler:CreateScheduleGroup",
    "scheduler:CreateSchedule",
    "scheduler:UpdateSchedule",
    "iam:PassRole",
)


# --- what the rows of a run share ---------------------------------------------------------------------


@dataclass
class _Role:
    """The execution role as read (once a run) and as made since."""

    arn: str | None = None
    #: Why no row may use it (a role of that name trusting something else).
    refusal: str | None = None
    #: The actions its inline policy allows (None: it has none).
    allowed: set[str] | None = None
    #: Made by this run: IAM may take a while to let EventBridge Scheduler assume it.
    created: bool = False


def _role(step: Step) -> _Role:
    shared: _Role | None = step.runner.shared.get("offhours.role")
    if shared is not None:
        return shared
    iam = step.client("iam")
    found = step.read_or_refuse(
        lambda: _or_none(lambda: iam.get_role(RoleName=ROLE)["Role"], IAM_NOT_FOUND), f"role {ROLE}"
    )
    role = _Role()
    if found is not None:
        role.arn = str(found["Arn"])
        if not _same_trust(_document(found.get("AssumeRolePolicyDocument")), trust_policy(step.account)):
            role.refusal = (
                f"a role named {ROLE} exists with another trust policy: tracker-tui uses its own role only "
                f"(trusted by {SCHEDULER_PRINCIPAL} for account {step.account}); rename or delete that one"
            )
        else:
            policy = step.read_or_refuse(
                lambda: _or_none(lambda: iam.get_role_policy(RoleName=ROLE, PolicyName=ROLE_POLICY), IAM_NOT_FOUND),
                f"role {ROLE}'s policy {ROLE_POLICY}",
            )
            role.allowed = None if policy is None else _allowed(_document(policy.get("PolicyDocument")))
    step.runner.shared["offhours.role"] = role
    return role


def _group_exists(step: Step, scheduler: Any) -> bool:
    key = f"offhours.group.{step.region}"
    if key not in step.runner.shared:
        found = step.read_or_refuse(
            lambda: _or_none(lambda: scheduler.get_schedule_group(Name=GROUP), SCHEDULER_NOT_FOUND),
            f"schedule group {GROUP} in {step.region}",
        )
        step.runner.shared[key] = found is not None
    return bool(step.runner.shared[key])


@dataclass(frozen=True)
class _Target:
    """A schedule of the region whose universal target calls one service's API."""

    group: str
    name: str
    arn: str
    state: str
    input: Any


def _targets(step: Step, scheduler: Any, service: str) -> list[_Target]:
    """Every schedule of the row's region (every group) whose target is ``service``'s API, with its input."""
    summaries_key = f"offhours.schedules.{step.region}"
    if summaries_key not in step.runner.shared:

        def every() -> list[dict[str, Any]]:
            return [s for page in scheduler.get_paginator("list_schedules").paginate() for s in page["Schedules"]]

        step.runner.shared[summaries_key] = step.read_or_refuse(
            every, f"region's schedules (whether one already stops or starts it in {step.region})"
        )
    key = f"offhours.targets.{step.region}.{service}"
    if key not in step.runner.shared:
        universal = _universal(service)
        targets: list[_Target] = []
        for summary in step.runner.shared[summaries_key]:
            arn = str((summary.get("Target") or {}).get("Arn") or "")
            if not universal.fullmatch(arn):
                continue
            group, name = str(summary.get("GroupName") or "default"), str(summary["Name"])
            full = step.read_or_refuse(
                functools.partial(_get_schedule, scheduler, name, group), f"schedule {group}/{name}"
            )
            if full is not None:
                target = full.get("Target") or {}
                targets.append(_Target(group, name, str(target.get("Arn")), str(full.get("State")), _input_of(target)))
        step.runner.shared[key] = targets
    found: list[_Target] = step.runner.shared[key]
    return found


# --- the schedules ------------------------------------------------------------------------------------


def _definition(
    schedule: OffHours, kind: Schedulable, name: str, verb: str, ids: Sequence[str], role_arn: str
) -> dict[str, Any]:
    """CreateSchedule's (and UpdateSchedule's: the whole definition) parameters."""
    stop, start = schedule.crons()
    return {
        "Name": name,
        "GroupName": GROUP,
        "ScheduleExpression": stop if verb == "stop" else start,
        "ScheduleExpressionTimezone": schedule.zone,
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "State": "ENABLED",
        "Description": f"tracker-tui off-hours: {schedule.text} ({verb})",
        "Target": {
            "Arn": kind.target_arn(verb),
            "RoleArn": role_arn,
            "Input": json.dumps(kind.input_for(ids)),
            "RetryPolicy": dict(RETRY_POLICY),
        },
    }


def _problem(found: dict[str, Any], wanted: dict[str, Any], kind: Schedulable, ident: str) -> str | None:
    """What in a schedule read back differs from ``wanted`` (None: nothing that matters)."""
    target, want = found.get("Target") or {}, wanted["Target"]
    if found.get("ScheduleExpression") != wanted["ScheduleExpression"]:
        return f"its expression is {found.get('ScheduleExpression')}, not {wanted['ScheduleExpression']}"
    if found.get("ScheduleExpressionTimezone") != wanted["ScheduleExpressionTimezone"]:
        return f"its time zone is {found.get('ScheduleExpressionTimezone')}, not {wanted['ScheduleExpressionTimezone']}"
    if found.get("State") != "ENABLED":
        return f"it is {found.get('State')}"
    if target.get("Arn") != want["Arn"]:
        return f"its target is {target.get('Arn')}, not {want['Arn']}"
    if target.get("RoleArn") != want["RoleArn"]:
        return f"its role is {target.get('RoleArn')}, not {want['RoleArn']}"
    if ident not in kind.ids_in(_input_of(target)):
        return f"its input does not name {ident}"
    return None


def _get_schedule(scheduler: Any, name: str, group: str = GROUP) -> dict[str, Any] | None:
    found: dict[str, Any] | None = _or_none(
        lambda: scheduler.get_schedule(Name=name, GroupName=group), SCHEDULER_NOT_FOUND
    )
    return found


@dataclass
class _Pair:
    """One of the row's two schedules: as it is now (None: missing), and the ids it must name."""

    name: str
    verb: str
    found: dict[str, Any] | None
    ids: list[str]


#: EC2 states from which an instance never comes back: a schedule naming it only fails.
_GONE_STATES = frozenset({"shutting-down", "terminated"})


def _live(step: Step, kind: Schedulable, ids: list[str]) -> list[str]:
    """``ids`` without the instances EC2 no longer has (or is terminating), in order; the others'
    kinds name one row per pair, so only EC2's list is read (by filter: DescribeInstances by id
    fails for the whole call on one that is gone)."""
    if kind.service != "ec2" or not ids:
        return ids
    ec2 = step.client("ec2")

    def read() -> set[str]:
        live: set[str] = set()
        pages = ec2.get_paginator("describe_instances").paginate(Filters=[{"Name": "instance-id", "Values": ids}])
        for page in pages:
            for reservation in page.get("Reservations", []):
                for inst in reservation.get("Instances", []):
                    if (inst.get("State") or {}).get("Name") not in _GONE_STATES:
                        live.add(str(inst.get("InstanceId")))
        return live

    live = step.read_or_refuse(read, f"the instances schedule {GROUP} names")
    return [i for i in ids if i in live]


def _pair(step: Step, scheduler: Any, kind: Schedulable, names: tuple[str, str]) -> list[_Pair]:
    ident = step.resource.id
    pairs = []
    for verb, name in zip(("stop", "start"), names, strict=True):
        found = step.read_or_refuse(functools.partial(_get_schedule, scheduler, name), f"schedule {GROUP}/{name}")
        ids = [ident]
        if found is not None and kind.many:
            # The region's pair names every row on this schedule: this one joins them, and the
            # ids that no longer exist leave (StopInstances fails for the whole list on one).
            listed = _live(step, kind, kind.ids_in(_input_of(found.get("Target") or {})))
            ids = listed if ident in listed else [*listed, ident]
        pairs.append(_Pair(name, verb, found, ids))
    return pairs


def _write(step: Step, scheduler: Any, pair: _Pair, params: dict[str, Any], role: _Role, deadline: float) -> str:
    """Create or update one schedule (no call when it already is as wanted): the request id."""
    if pair.found is not None and _problem(pair.found, params, _kind(step), step.resource.id) is None:
        return ""
    method, verb = ("create_schedule", "create") if pair.found is None else ("update_schedule", "update")
    while True:
        try:
            return step.call(scheduler, method, failure=f"could not {verb} schedule {GROUP}/{pair.name}: ", **params)
        except Failed as failure:
            # IAM is eventually consistent: a role made seconds ago may not be assumable yet.
            fresh_role = role.created and failure.code == "ValidationException" and "role" in failure.message.lower()
            if not fresh_role or time.monotonic() >= deadline:
                raise
            step.note = f"EventBridge Scheduler took a moment to accept the new role {ROLE}; asked again"
            time.sleep(step.options.poll_interval)


def _kind(step: Step) -> Schedulable:
    spec = REGISTRY[step.resource.kind]
    assert spec.off_hours is not None
    return spec.off_hours


# --- the handler ----------------------------------------------------------------------------------


def _refuse_scheduled(step: Step, schedule: OffHours, tags: dict[str, str]) -> None:
    ours = tags.get(SCHEDULE_TAG)
    if ours == schedule.text:
        step.refuse("already on this schedule")
    if ours:
        step.refuse(f"already on schedule {ours}: remove it in :schedules first")
    for key, value in tags.items():
        if key.lower() == INSTANCE_SCHEDULER_TAG.lower() and value:
            step.refuse(
                f"AWS Instance Scheduler schedules it (tag {key}={value}): one scheduler per resource; "
                "remove that tag first"
            )


def _refuse_covered(step: Step, scheduler: Any, kind: Schedulable, ours: set[str]) -> None:
    ident = step.resource.id
    for target in _targets(step, scheduler, kind.service):
        if target.group == GROUP and target.name in ours:
            continue  # the pair this run (re)writes
        if ident in kind.ids_in(target.input):
            state = "" if target.state == "ENABLED" else f", {target.state.lower()}"
            step.refuse(
                f"schedule {target.group}/{target.name} already calls {target.arn.rsplit(':', 1)[-1]} on it{state}: "
                "one schedule per resource; remove that one first"
            )


def schedule_offhours(step: Step) -> Verify:
    """Put the row on the run's schedule (``ActionOptions.schedule``); see the module's docstring."""
    schedule = step.options.schedule
    if schedule is None:
        step.refuse("no schedule chosen")
    family = FAMILIES.get(step.resource.kind)
    if family is None or REGISTRY[step.resource.kind].off_hours is None:
        step.refuse(f"{step.resource.kind} cannot be scheduled")
    kind = _kind(step)
    ident = step.resource.id
    deadline = time.monotonic() + step.options.verify_timeout
    client = step.client(family.service)

    # 1. Read and refuse: nothing is made before every check has passed.
    item = step.reread(lambda: family.read(client, ident))
    state = family.state(item)
    if state in family.ending:
        step.refuse(f"it is {state}", deleted=state == family.ended)
    if state not in kind.states:
        step.refuse(
            f"state is {state}; only one that is {kind.running_state} or {kind.stopped_state} is put on a schedule"
        )
    tags = step.read_or_refuse(lambda: family.tags(client, item), "tags")
    step.check_tags(tags)
    family.blockers(step, client, item, tags)
    _refuse_scheduled(step, schedule, tags)
    pair_name, stop_name, start_name = schedule_names(schedule, kind.short, None if kind.many else ident)
    scheduler = step.client("scheduler")
    _refuse_covered(step, scheduler, kind, {stop_name, start_name})
    role = _role(step)
    if role.refusal is not None:
        step.refuse(role.refusal)
    group_exists = _group_exists(step, scheduler)
    pairs = _pair(step, scheduler, kind, (stop_name, start_name))
    tagged = family.preflight(step, client, schedule.text) if family.preflight is not None else False

    # 2. Make what is missing, each call audited.
    iam = step.client("iam")
    if role.arn is None:
        try:
            made = step.runner.audited_call(
                step,
                iam,
                "create_role",
                RoleName=ROLE,
                AssumeRolePolicyDocument=json.dumps(trust_policy(step.account)),
                Description=ROLE_DESCRIPTION,
            )
        except ClientError as exc:
            raise failed(exc, f"could not create role {ROLE}: ") from None
        role.arn, role.created = str(made["Role"]["Arn"]), True
    if not set(kind.iam_actions) <= (role.allowed or set()):
        allowed = (role.allowed or set()) | set(kind.iam_actions)
        step.call(
            iam,
            "put_role_policy",
            failure=f"could not set role {ROLE}'s policy {ROLE_POLICY}: ",
            RoleName=ROLE,
            PolicyName=ROLE_POLICY,
            PolicyDocument=json.dumps(role_policy(allowed)),
        )
        role.allowed = allowed
    if not group_exists:
        step.call(
            scheduler,
            "create_schedule_group",
            failure=f"could not create schedule group {GROUP} in {step.region}: ",
            Name=GROUP,
        )
        step.runner.shared[f"offhours.group.{step.region}"] = True
    request_id = ""
    wanted: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        wanted[pair.name] = _definition(schedule, kind, pair.name, pair.verb, pair.ids, str(role.arn))
        request_id = _write(step, scheduler, pair, wanted[pair.name], role, deadline) or request_id

    # 3. The tag, last: a row tagged is a row its schedules reach.
    if not tagged:
        request_id = family.tag(step, client, item, schedule.text)

    def verify() -> ActionUpdate:
        seen = {"last": "not read back yet"}

        def written() -> bool:
            seen["last"] = _still_to_see(step, scheduler, family, client, schedule, kind, wanted) or "scheduled"
            return seen["last"] == "scheduled"

        step.poll(written, f"seen on its two schedules with its tag {SCHEDULE_TAG}", lambda: seen["last"])
        fresh = step.reread_resource(family.lister, **family.only(ident))
        # The pair's row for the table, read once per run: every verification comes after every
        # row's writes, so the first to get here sees the pair as the run leaves it.
        seen_pairs = step.runner.shared.setdefault("pair rows", set())
        pair_row = None
        if (step.region, pair_name) not in seen_pairs:
            seen_pairs.add((step.region, pair_name))
            pair_row = step.read_row(list_schedules, pair_name)
        stops, starts = schedule.next_events()
        return step.done(
            f"scheduled {schedule.label}; stops {_when(stops)}, starts {_when(starts)}",
            result=fresh,
            deleted=fresh is None,
            request_id=request_id,
            related=(pair_row,) if pair_row is not None else (),
        )

    return verify


def _still_to_see(
    step: Step,
    scheduler: Any,
    family: Family,
    client: Any,
    schedule: OffHours,
    kind: Schedulable,
    wanted: dict[str, dict[str, Any]],
) -> str | None:
    """What the read-back does not show yet (None: both schedules as written, and the tag)."""
    for name, params in wanted.items():
        found = _get_schedule(scheduler, name)
        if found is None:
            return f"schedule {GROUP}/{name} not found"
        problem = _problem(found, params, kind, step.resource.id)
        if problem is not None:
            return f"schedule {GROUP}/{name}: {problem}"
    item = family.read(client, step.resource.id)
    if item is None:
        return "it is gone"
    value = family.tags(client, item).get(SCHEDULE_TAG)
    if value != schedule.text:
        return f"tag {SCHEDULE_TAG} is {value!r}" if value else f"no tag {SCHEDULE_TAG} yet"
    return None


def _when(moment: datetime) -> str:
    return f"{moment:%a %d %b %H:%M}"


# --- the plan: per row, and what the run makes ------------------------------------------------------------


def _scheduled(resource: Resource, schedule: OffHours) -> float | None:
    """What the row bills a month on ``schedule`` (the estimator of a row carrying its tag)."""
    cost, _ = estimate(dataclasses.replace(resource, tags={**resource.tags, SCHEDULE_TAG: schedule.text}))
    return cost


def schedule_saving(resource: Resource, options: ActionOptions) -> float | None:
    """The row's cost now less its cost on the run's schedule (None: unknown, or no schedule).

    A row that is stopped now costs more on a schedule, which starts it: that saves nothing
    (the note says what it will bill).
    """
    schedule = options.schedule
    if schedule is None or resource.monthly_cost is None:
        return None
    scheduled = _scheduled(resource, schedule)
    if scheduled is None:
        return None
    return cents(max(0.0, resource.monthly_cost - scheduled))


def schedule_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    """``stops cron(0 19 ? * MON-FRI *), starts cron(0 8 ? * MON-FRI *) Europe/Paris; 239.14 h/month``."""
    schedule = options.schedule
    if schedule is None:
        return "no schedule chosen"
    stop, start = schedule.crons()
    note = f"stops {stop}, starts {start} {schedule.zone}; {schedule.monthly_hours():g} h/month"
    spec = REGISTRY.get(resource.kind)
    kind = spec.off_hours if spec is not None else None
    if kind is not None and resource.state == kind.stopped_state:
        scheduled = _scheduled(resource, schedule)
        bills = f" (bills {format_cost(scheduled)}/mo)" if scheduled is not None else ""
        note += f"; stopped now: the schedule starts it{bills}"
    return note


def creations(planned: Sequence[PlannedAction], schedule: OffHours, account: str) -> list[str]:
    """What a ``z`` run of ``planned`` will make in the account, a line each, for the confirm dialog:
    the role (once), the group per region, each pair of schedules, the tag on the rows.  What
    exists already is reused (the role, a group, a region's pair of a kind that takes a list)."""
    rows = [p.resource for p in planned if p.action == ACTION]
    if not rows:
        return []
    kinds: dict[str, Schedulable] = {}
    for r in rows:
        spec = REGISTRY.get(r.kind)
        if spec is not None and spec.off_hours is not None:
            kinds.setdefault(r.kind, spec.off_hours)
    actions = sorted({a for kind in kinds.values() for a in kind.iam_actions})
    lines = [
        f"IAM role {ROLE}, created unless it exists (assumed only by {SCHEDULER_PRINCIPAL} for account {account}), "
        f"with its inline policy {ROLE_POLICY}: {', '.join(actions)} on resources tagged {SCHEDULE_TAG}"
    ]
    regions = list(dict.fromkeys(r.region for r in rows))
    lines += [f"schedule group {GROUP} in {region}, created unless it exists" for region in regions]
    stop_cron, start_cron = schedule.crons()
    pairs: dict[tuple[str, str, str], list[str]] = {}
    for r in rows:
        kind = kinds.get(r.kind)
        if kind is None:
            continue
        _, stop_name, start_name = schedule_names(schedule, kind.short, None if kind.many else r.id)
        pairs.setdefault((r.region, r.kind, stop_name), [stop_name, start_name]).append(r.id)
    for (region, kind_id, _), (stop_name, start_name, *ids) in pairs.items():
        kind = kinds[kind_id]
        joins = ", or joins it if it exists" if kind.many else ""
        count = f"{len(ids)} id" + ("" if len(ids) == 1 else "s")
        lines.append(
            f"schedules {stop_name} ({stop_cron}: {kind.service}:{kind.stop}) and {start_name} "
            f"({start_cron}: {kind.service}:{kind.start}) in {region}, {schedule.zone}, on {count}{joins}"
        )
    count = f"{len(rows)} row" + ("" if len(rows) == 1 else "s")
    lines.append(f"tag {SCHEDULE_TAG}={schedule.text} on {count}")
    return lines


ACTIONS = tuple(
    ActionSpec(
        family.kind,
        ACTION,
        schedule_offhours,
        note=schedule_note,
        saving=lambda r: None,
        saving_with=schedule_saving,
        # A schedule keeps acting every day: confirmed with the account's name typed, like a bulk stop.
        single_key=False,
        iam_actions=family.iam_actions + SCHEDULER_IAM_ACTIONS,
    )
    for family in FAMILIES.values()
)
