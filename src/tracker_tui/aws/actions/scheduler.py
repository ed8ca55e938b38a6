"""Removing one of tracker-tui's off-hours schedules (``scheduler:schedule``: ``ctrl+d`` in ``:schedules``).

A row is a pair of EventBridge schedules, its stop and its start.  Removing it, in this order:

1. re-read both halves (GetSchedule in the group ``tracker-tui``; refused unless they are in
   it) and the group's tags (a protected tag refuses);
2. read which rows the region's other tracker-tui schedules name, and each row the pair names
   (does it still exist, does it carry ``tracker-tui:schedule``): every refusal comes before
   anything changes;
3. delete the stop, then the start schedule (DeleteSchedule, audited);
4. remove the tag ``tracker-tui:schedule`` from each row the pair named that no remaining
   tracker-tui schedule names (EC2 DeleteTags, pre-flighted with DryRun; RDS
   RemoveTagsFromResource; Redshift and SageMaker DeleteTags, on the row's ARN); a row that no
   longer exists is skipped and said.  The schedules go first, as the brief has it: a tag left
   behind by a failed untag is reported with the row to untag by hand;
5. verify: both schedules gone (GetSchedule answers ResourceNotFound), the tags gone.  With the
   box ticked, the role ``tracker-tui-scheduler`` is deleted too (its inline policy, then the
   role) when no tracker-tui schedule is left in any enabled region and every region answered;
   otherwise it is kept, and the done message says why.

The rows stay as they are now, running or stopped: nothing starts or stops them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import BotoCoreError, ClientError

from tracker_tui.aws.actions.base import (
    GENERIC_NOT_FOUND,
    ActionOptions,
    ActionSpec,
    ActionUpdate,
    Choice,
    Failed,
    Refused,
    Status,
    Step,
    Verify,
)
from tracker_tui.aws.actions.offhours import FAMILIES
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.aws.kinds.base import code_of, error_code, message_of, tag_dict
from tracker_tui.aws.kinds.ec2_instance import KIND as INSTANCE
from tracker_tui.aws.kinds.rds import KIND as DB_INSTANCE
from tracker_tui.aws.kinds.redshift import KIND as CLUSTER
from tracker_tui.aws.kinds.sagemaker import NOTEBOOK
from tracker_tui.aws.kinds.scheduler import KIND as SCHEDULE
from tracker_tui.aws.kinds.scheduler import NOT_FOUND, group_arn, schedulable_of, target_ids
from tracker_tui.aws.regions import RegionsError, enabled_regions, partition_of, service_offered
from tracker_tui.aws.session import CredentialsError
from tracker_tui.model import Resource, plural
from tracker_tui.offhours import GROUP, ROLE, ROLE_POLICY, SCHEDULE_TAG, pair_of, trust_policy

#: Off by default: the role serves every region's schedules, and ``z`` makes it again when needed.
DELETE_ROLE = Choice(
    "scheduler_delete_role", f"Also delete the role {ROLE} when no tracker-tui schedule is left (in any region)", False
)
#: How many of the schedules still left the done message names.
NAMED = 3


def listed(items: list[str]) -> str:
    return ", ".join(items)


# --- the rows a pair names: reading them and removing the tag, per kind --------------------------


@dataclass(frozen=True)
class Target:
    """A row a pair names, as read now: its kind, id, ARN (where its untag call needs one) and tags."""

    kind: str
    ident: str
    arn: str
    tags: dict[str, str]


@dataclass(frozen=True)
class Untagger:
    """How one schedulable kind's row is read (None: gone) and untagged (the request id)."""

    service: str
    read: Callable[[Step, Any, str], Target | None]
    untag: Callable[[Step, Any, Target], str]
    #: Codes besides the kind's not-found ones that mean there is no such row (a malformed id).
    absent: frozenset[str] = frozenset()


def _read_instance(step: Step, ec2: Any, ident: str) -> Target | None:
    for reservation in ec2.describe_instances(InstanceIds=[ident]).get("Reservations", []):
        for inst in reservation.get("Instances", []):
            if inst.get("InstanceId") == ident and (inst.get("State") or {}).get("Name") != "terminated":
                return Target(INSTANCE, ident, "", tag_dict(inst.get("Tags")))
    return None


def _untag_instance(step: Step, ec2: Any, target: Target) -> str:
    return step.ec2_call(ec2, "delete_tags", Resources=[target.ident], Tags=[{"Key": SCHEDULE_TAG}])


def _read_db(step: Step, rds: Any, ident: str) -> Target | None:
    found = rds.describe_db_instances(DBInstanceIdentifier=ident).get("DBInstances", [])
    db = next((d for d in found if d.get("DBInstanceIdentifier") == ident), None)
    if db is None:
        return None
    arn = str(db["DBInstanceArn"])
    # DescribeDBInstances may leave its TagList out: the tags are read where they always are.
    return Target(DB_INSTANCE, ident, arn, tag_dict(rds.list_tags_for_resource(ResourceName=arn).get("TagList")))


def _untag_db(step: Step, rds: Any, target: Target) -> str:
    return step.call(rds, "remove_tags_from_resource", ResourceName=target.arn, TagKeys=[SCHEDULE_TAG])


def _read_cluster(step: Step, redshift: Any, ident: str) -> Target | None:
    found = redshift.describe_clusters(ClusterIdentifier=ident).get("Clusters", [])
    cluster = next((c for c in found if c.get("ClusterIdentifier") == ident), None)
    if cluster is None:
        return None
    arn = f"arn:{partition_of(step.region)}:redshift:{step.region}:{step.account}:cluster:{ident}"
    return Target(CLUSTER, ident, arn, tag_dict(cluster.get("Tags")))


def _untag_cluster(step: Step, redshift: Any, target: Target) -> str:
    return step.call(redshift, "delete_tags", ResourceName=target.arn, TagKeys=[SCHEDULE_TAG])


def _read_notebook(step: Step, sagemaker: Any, ident: str) -> Target | None:
    notebook = sagemaker.describe_notebook_instance(NotebookInstanceName=ident)
    arn = str(notebook["NotebookInstanceArn"])
    tags: dict[str, str] = {}
    for page in sagemaker.get_paginator("list_tags").paginate(ResourceArn=arn):
        tags.update(tag_dict(page.get("Tags")))
    return Target(NOTEBOOK, ident, arn, tags)


def _untag_notebook(step: Step, sagemaker: Any, target: Target) -> str:
    return step.call(sagemaker, "delete_tags", ResourceArn=target.arn, TagKeys=[SCHEDULE_TAG])


#: Every kind ``z`` schedules (``KindSpec.off_hours``), by kind id; a test holds the two together.
UNTAGGERS: dict[str, Untagger] = {
    INSTANCE: Untagger("ec2", _read_instance, _untag_instance, frozenset({"InvalidInstanceID.Malformed"})),
    DB_INSTANCE: Untagger("rds", _read_db, _untag_db),
    CLUSTER: Untagger("redshift", _read_cluster, _untag_cluster),
    NOTEBOOK: Untagger("sagemaker", _read_notebook, _untag_notebook),
}


def read_target(step: Step, kind: str, ident: str) -> Target | None:
    """The row ``ident`` of ``kind`` as AWS has it now; None when it no longer exists."""
    way = UNTAGGERS[kind]
    spec = REGISTRY.get(kind)
    absent = (spec.not_found_codes if spec is not None else frozenset()) | GENERIC_NOT_FOUND | way.absent
    try:
        return way.read(step, step.client(way.service), ident)
    except ClientError as exc:
        if error_code(exc) in absent:
            return None
        raise


# --- the pair ---------------------------------------------------------------------------------------


def _reread(step: Step, targets: Sequence[Target]) -> tuple[Resource, ...]:
    """The rows a removal untagged, as their kinds' listers map them now (no ``z``, priced
    around the clock again, ``no-off-hours`` back if it applies), for the table."""
    rows = []
    for target in targets:
        family = FAMILIES.get(target.kind)
        if family is not None:
            row = step.read_row(family.lister, target.ident, **family.only(target.ident))
            if row is not None:
                rows.append(row)
    return tuple(rows)


def schedule_names(r: Resource) -> list[str]:
    """The schedules a row stands for, stop first: the halves the scan found, and the pair's two
    names (a half made since the scan goes with its pair)."""
    d = r.details
    names = [d.get("stop_name"), f"{r.id}-stop", d.get("start_name"), f"{r.id}-start"]
    return list(dict.fromkeys(str(n) for n in names if n))


def _get_schedule(scheduler: Any, name: str) -> dict[str, Any]:
    return dict(scheduler.get_schedule(Name=name, GroupName=GROUP))


def _reread_pair(step: Step, scheduler: Any) -> dict[str, dict[str, Any]]:
    """Each half that exists, by name; refused when none does or one cannot be read."""
    found: dict[str, dict[str, Any]] = {}
    for name in schedule_names(step.resource):
        try:
            item = step.find(functools.partial(_get_schedule, scheduler, name))
        except ClientError as exc:
            raise Refused(f"cannot re-read {name} ({code_of(exc)}: {message_of(exc)})", code_of(exc)) from None
        if item is not None:
            found[name] = item
    if not found:
        raise Refused("its schedules no longer exist (deleted since the scan)", deleted=True)
    return found


def _targets(halves: dict[str, dict[str, Any]]) -> tuple[list[tuple[str, str]], list[str]]:
    """((kind, id) of every row the halves name, in order; the halves whose target is no kind tracker-tui
    schedules)."""
    targets: list[tuple[str, str]] = []
    foreign: list[str] = []
    for name, item in halves.items():
        found = schedulable_of(str((item.get("Target") or {}).get("Arn") or ""))
        if found is None:
            foreign.append(name)
            continue
        targets += [(found[0], i) for i in target_ids(item) if (found[0], i) not in targets]
    return targets, foreign


def _named_elsewhere(scheduler: Any, ours: set[str]) -> dict[tuple[str, str], str]:
    """(kind, id) -> the first other tracker-tui schedule of the region that names that row (its pair's name)."""
    named: dict[tuple[str, str], str] = {}
    for page in scheduler.get_paginator("list_schedules").paginate(GroupName=GROUP):
        for summary in page.get("Schedules", []):
            name = str(summary.get("Name") or "")
            if name in ours:
                continue
            try:
                item = _get_schedule(scheduler, name)
            except ClientError as exc:
                if error_code(exc) in NOT_FOUND:  # deleted since the listing: it names nothing
                    continue
                raise
            found = schedulable_of(str((item.get("Target") or {}).get("Arn") or ""))
            if found is None:
                continue
            paired = pair_of(name)
            for ident in target_ids(item):
                named.setdefault((found[0], ident), paired[0] if paired else name)
    return named


@dataclass
class Removal:
    """What removing a pair does to the rows it names, decided before anything changes."""

    untag: list[Target]
    #: id -> the other schedule that names it (its tag stays).
    kept: dict[str, str]
    #: Rows that no longer exist, and rows that carry no tracker-tui tag.
    missing: list[str]
    untagged_already: list[str]
    #: Halves whose target is no kind tracker-tui schedules.
    foreign: list[str]


def _removal(step: Step, halves: dict[str, dict[str, Any]], scheduler: Any) -> Removal:
    targets, foreign = _targets(halves)
    others = step.read_or_refuse(
        lambda: _named_elsewhere(scheduler, set(halves)), "region's other tracker-tui schedules"
    )
    removal = Removal([], {}, [], [], foreign)
    for kind, ident in targets:
        target = step.read_or_refuse(functools.partial(read_target, step, kind, ident), f"row {ident}")
        if target is None:
            removal.missing.append(ident)
        elif SCHEDULE_TAG not in target.tags:
            removal.untagged_already.append(ident)
        elif (kind, ident) in others:
            removal.kept[ident] = others[(kind, ident)]
        else:
            removal.untag.append(target)
    return removal


def _delete_pair(step: Step, scheduler: Any, names: list[str]) -> tuple[list[str], str]:
    """Delete each half (stop first): (the names deleted, the last request id).  A half found gone
    by its delete counts as deleted; a failure after the first half says which half went."""
    deleted: list[str] = []
    request_id = ""
    for name in names:
        try:
            request_id = step.call(scheduler, "delete_schedule", Name=name, GroupName=GROUP)
        except Failed as exc:
            if exc.code in NOT_FOUND:
                deleted.append(name)
                continue
            if not deleted:
                raise
            raise Failed(f"{listed(deleted)} deleted, {name} not: {exc.message}", exc.code, exc.request_id) from None
        except Refused as exc:
            if not deleted:
                raise
            raise Failed(f"{listed(deleted)} deleted, {name} not: {exc.message}", exc.code) from None
        deleted.append(name)
    return deleted, request_id


def _schedule_gone(scheduler: Any, name: str) -> bool:
    try:
        _get_schedule(scheduler, name)
    except ClientError as exc:
        if error_code(exc) in NOT_FOUND:
            return True
        raise
    return False


def delete_schedules(step: Step) -> Verify:
    scheduler = step.client("scheduler")
    halves = _reread_pair(step, scheduler)
    for name, item in halves.items():
        group = str(item.get("GroupName") or "")
        if group != GROUP:
            step.refuse(
                f"{name} is in the schedule group {group or '(none)'}, not {GROUP}: not tracker-tui's to remove"
            )
    tags = step.read_or_refuse(
        lambda: tag_dict(
            scheduler.list_tags_for_resource(ResourceArn=group_arn(step.region, step.account)).get("Tags")
        ),
        f"schedule group {GROUP}'s tags",
    )
    step.check_tags(tags)
    removal = _removal(step, halves, scheduler)
    # Every check passed: from here on, things change.
    deleted, request_id = _delete_pair(step, scheduler, list(halves))
    untagged: list[Target] = []
    failures: dict[str, tuple[str, str]] = {}
    for target in removal.untag:
        way = UNTAGGERS[target.kind]
        try:
            request_id = way.untag(step, step.client(way.service), target)
        except (Failed, Refused) as exc:
            failures[target.ident] = (exc.code, exc.message)
            continue
        untagged.append(target)
    ids = [t.ident for t in removal.untag]

    def verify() -> ActionUpdate:
        waiting = set(deleted)

        def pair_gone() -> bool:
            waiting.difference_update([n for n in sorted(waiting) if _schedule_gone(scheduler, n)])
            return not waiting

        step.poll(pair_gone, "deleted", lambda: f"{listed(sorted(waiting))} still there")
        tagged = {t.ident: t for t in untagged}

        def tags_gone() -> bool:
            for ident, target in sorted(tagged.items()):
                now = read_target(step, target.kind, ident)
                if now is None or SCHEDULE_TAG not in now.tags:
                    del tagged[ident]
            return not tagged

        step.poll(tags_gone, "untagged", lambda: f"{SCHEDULE_TAG} still on {listed(sorted(tagged))}")
        parts = [f"removed {' and '.join(deleted)}", *_target_parts(removal, [i for i in ids if i not in failures])]
        last_request = request_id
        role_failure: tuple[str, str] | None = None
        if step.choice(DELETE_ROLE):
            said, role_request, role_failure = _delete_role_if_last(step)
            parts.append(said)
            last_request = role_request or last_request
        for ident, (code, message) in failures.items():
            parts.append(f"{SCHEDULE_TAG} is still on {ident} ({code}: {message}): remove it by hand")
        message = "; ".join(p for p in parts if p)
        if not failures and role_failure is None:
            return step.done(message, deleted=True, request_id=last_request, related=_reread(step, untagged))
        # The pair is gone (its row goes), but not all that was asked was done: a failure.
        if step.note:
            message = f"{message} ({step.note})"
        code = next(iter(failures.values()))[0] if failures else (role_failure or ("", ""))[0]
        return ActionUpdate(
            step.resource, step.action, Status.FAILED, message, code, deleted=True, request_id=last_request
        )

    return verify


def _target_parts(removal: Removal, untagged: list[str]) -> list[str]:
    parts = []
    if untagged:
        parts.append(f"untagged {listed(untagged)}")
    if removal.kept:
        parts.append("kept the tag on " + ", ".join(f"{i} ({name} names it too)" for i, name in removal.kept.items()))
    if removal.missing:
        parts.append(f"{listed(removal.missing)}: no longer there, skipped")
    if removal.untagged_already:
        parts.append(f"{listed(removal.untagged_already)}: carried no {SCHEDULE_TAG} tag")
    if removal.foreign:
        parts.append(f"{listed(removal.foreign)} named no row tracker-tui schedules")
    if untagged or removal.kept or removal.untagged_already:
        parts.append("the rows stay as they are now: running or stopped")
    return parts


# --- the role, when no schedule is left ----------------------------------------------------------------


def _ours(document: Any, account: str) -> bool:
    """Whether a role's trust policy is the one ``z`` writes (``offhours.trust_policy``: EventBridge
    Scheduler acting for this account), as ``z`` judges a role it finds before reusing it; IAM may
    hand the document back URL-encoded."""
    if isinstance(document, str):
        try:
            document = json.loads(unquote(document))
        except ValueError:
            return False
    if not isinstance(document, dict):
        return False
    statements = document.get("Statement")
    found = {**document, "Statement": [statements] if isinstance(statements, dict) else statements}
    return found == trust_policy(account)


def schedules_left(step: Step) -> tuple[list[str], list[str]]:
    """(``region name`` of every tracker-tui schedule in the account's enabled regions, the regions
    that did not answer)."""
    session = step.runner.session
    try:
        regions = enabled_regions(session)
    except (CredentialsError, RegionsError) as exc:
        return [], [f"the enabled regions ({exc})"]
    left: list[str] = []
    unanswered: list[str] = []
    for region in regions:
        if not service_offered("scheduler", region, session.boto):
            continue
        client = session.client("scheduler", region)
        try:
            for page in client.get_paginator("list_schedules").paginate(GroupName=GROUP):
                left += [f"{region} {s.get('Name')}" for s in page.get("Schedules", [])]
        except ClientError as exc:
            if error_code(exc) not in NOT_FOUND:  # no group there: nothing left there
                unanswered.append(f"{region} ({code_of(exc)})")
        except BotoCoreError as exc:
            unanswered.append(f"{region} ({type(exc).__name__})")
    return sorted(left), unanswered


def _delete_role_if_last(step: Step) -> tuple[str, str, tuple[str, str] | None]:
    """(what the done message says, the last request id, (code, message) when a warranted delete
    failed).  The role goes only when it is tracker-tui's, unprotected, and no tracker-tui schedule
    is left in any enabled region, every region having answered."""
    iam = step.client("iam")
    try:
        role = iam.get_role(RoleName=ROLE)["Role"]
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return f"the role {ROLE} is gone already", "", None
        said = f"role {ROLE} kept: cannot read it ({code_of(exc)}: {message_of(exc)})"
        return said, "", (code_of(exc), said)
    if not _ours(role.get("AssumeRolePolicyDocument"), step.account):
        return f"role {ROLE} kept: its trust policy is not the one tracker-tui writes", "", None
    try:
        step.check_tags(tag_dict(role.get("Tags")))
    except Refused as refusal:
        return f"role {ROLE} kept: {refusal.message}", "", None
    left, unanswered = schedules_left(step)
    if unanswered:
        return f"role {ROLE} kept: no answer listing the schedules of {listed(unanswered)}", "", None
    if left:
        more = f" and {len(left) - NAMED} more" if len(left) > NAMED else ""
        return (
            f"role {ROLE} kept: {plural(len(left), 'tracker-tui schedule')} left ({listed(left[:NAMED])}{more})",
            "",
            None,
        )
    request_id = ""
    try:
        request_id = step.call(iam, "delete_role_policy", RoleName=ROLE, PolicyName=ROLE_POLICY)
    except (Failed, Refused) as exc:
        if exc.code != "NoSuchEntity":
            said = f"role {ROLE} kept: deleting its policy {ROLE_POLICY} failed ({exc.code}: {exc.message})"
            return said, "", (exc.code, said)
    try:
        request_id = step.call(iam, "delete_role", RoleName=ROLE)
    except (Failed, Refused) as exc:
        said = f"role {ROLE} kept, its policy {ROLE_POLICY} deleted: DeleteRole failed ({exc.code}: {exc.message})"
        return said, request_id, (exc.code, said)
    try:
        step.poll(lambda: _role_gone(iam), "deleted with its role", lambda: f"role {ROLE} still there")
    except Failed as exc:
        return f"role {ROLE}: {exc.message}", request_id, (exc.code, exc.message)
    return f"deleted the role {ROLE}: no tracker-tui schedule is left in any region", request_id, None


def _role_gone(iam: Any) -> bool:
    try:
        iam.get_role(RoleName=ROLE)
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return True
        raise
    return False


# --- the plan -----------------------------------------------------------------------------------------


def _note(r: Resource, options: ActionOptions, artifact: str | None) -> str:
    names = [str(n) for n in (r.details.get("stop_name"), r.details.get("start_name")) if n] or [r.id]
    targets = [str(t) for t in r.details.get("targets") or []]
    said = f"removes {'schedules' if len(names) > 1 else 'schedule'} {' and '.join(names)}; "
    if targets:
        said += (
            f"untags {plural(len(targets), 'row')} ({listed(targets)}) unless another tracker-tui schedule names "
            "them; they stay as they are now: running or stopped"
        )
    else:
        said += "it names no row"
    if options.choice(DELETE_ROLE):
        said += f"; then deletes the role {ROLE} if no tracker-tui schedule is left in any region"
    return said


ACTIONS = (
    ActionSpec(
        SCHEDULE,
        "delete",
        delete_schedules,
        iam_actions=(
            "scheduler:GetSchedule",
            "scheduler:ListTagsForResource",
            "scheduler:ListSchedules",
            "scheduler:DeleteSchedule",
            "ec2:DescribeInstances",
            "ec2:DeleteTags",
            "rds:DescribeDBInstances",
            "rds:ListTagsForResource",
            "rds:RemoveTagsFromResource",
            "redshift:DescribeClusters",
            "redshift:DeleteTags",
            "sagemaker:DescribeNotebookInstance",
            "sagemaker:ListTags",
            "sagemaker:DeleteTags",
            # The untagged rows, re-read for the table through their kinds' listers.
            "sagemaker:ListNotebookInstances",
            # The box: the role, and (with the connect statement's ec2:DescribeRegions) every region's group.
            "iam:GetRole",
            "iam:DeleteRolePolicy",
            "iam:DeleteRole",
        ),
        note=_note,
        # The schedules are free (EventBridge Scheduler's free tier); their rows bill around the
        # clock again once started.
        saving=lambda r: 0.0,
        choices=(DELETE_ROLE,),
    ),
)
