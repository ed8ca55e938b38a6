"""EC2 actions: stop, start and terminate instances, change an instance's type (stop, modify, start),
delete volumes and NAT gateways, release Elastic IPs, modify gp2, io1 and io2 volumes to gp3 in place.

Every EC2 call goes first with ``DryRun=True`` (``Step.ec2_call``).  Termination and stop
protection are read and refused, never switched off.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from tracker_tui.aws.actions.base import (
    ActionOptions,
    ActionSpec,
    ActionUpdate,
    Choice,
    Failed,
    Refused,
    Status,
    Step,
    Verify,
    gone,
    named_fix,
)
from tracker_tui.aws.kinds import estimate
from tracker_tui.aws.kinds.base import code_of, error_code, message_of, tag_dict
from tracker_tui.aws.kinds.ec2_elastic_ip import KIND as ELASTIC_IP
from tracker_tui.aws.kinds.ec2_instance import KIND as INSTANCE
from tracker_tui.aws.kinds.ec2_instance import list_instances
from tracker_tui.aws.kinds.ec2_nat_gateway import KIND as NAT_GATEWAY
from tracker_tui.aws.kinds.ec2_snapshot import FROM_VOLUME_TAG
from tracker_tui.aws.kinds.ec2_volume import (
    GP2_TO_GP3,
    GP3_BASE_IOPS,
    GP3_BASE_MIBPS,
    GP3_MAX_IOPS,
    IO1_TO_GP3,
    gp2_performance,
    gp3_conversion,
    list_volumes,
    snapshot_first_saving,
)
from tracker_tui.aws.kinds.ec2_volume import KIND as VOLUME
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import count_text, number

# --- instances --------------------------------------------------------------------------------


def _instance(ec2: Any, instance_id: str) -> dict[str, Any] | None:
    reservations = ec2.describe_instances(InstanceIds=[instance_id]).get("Reservations", [])
    return next((i for r in reservations for i in r.get("Instances", []) if i.get("InstanceId") == instance_id), None)


def _describe_instance(step: Step, ec2: Any) -> dict[str, Any]:
    return step.reread(lambda: _instance(ec2, step.resource.id))


def protection(step: Step, ec2: Any, attribute: str, key: str, what: str) -> bool:
    """Whether the instance's protection ``attribute`` is on (refused when it cannot be read)."""
    reply = step.read_or_refuse(
        lambda: ec2.describe_instance_attribute(InstanceId=step.resource.id, Attribute=attribute), what
    )
    return bool((reply.get(key) or {}).get("Value"))


def stop_instance(step: Step) -> Verify:
    ec2 = step.client("ec2")
    inst = _describe_instance(step, ec2)
    state = (inst.get("State") or {}).get("Name", "")
    if state in ("stopped", "stopping"):
        step.refuse(f"already {state}")
    if state in ("shutting-down", "terminated"):
        step.refuse(f"it is {state}", deleted=state == "terminated")
    if state != "running":
        step.refuse(f"state is {state}; only a running instance can be stopped")
    step.check_tags(tag_dict(inst.get("Tags")))
    if protection(step, ec2, "disableApiStop", "DisableApiStop", "stop protection"):
        step.refuse("stop protection is on (DisableApiStop); tracker-tui never switches it off")
    request_id = step.ec2_call(ec2, "stop_instances", InstanceIds=[step.resource.id])

    def verify() -> ActionUpdate:
        step.wait(ec2, "instance_stopped", InstanceIds=[step.resource.id])
        fresh = step.reread_resource(list_instances, InstanceIds=[step.resource.id])
        return step.done("stopped", result=fresh, deleted=fresh is None, request_id=request_id)

    return verify


def start_instance(step: Step) -> Verify:
    ec2 = step.client("ec2")
    inst = _describe_instance(step, ec2)
    state = (inst.get("State") or {}).get("Name", "")
    if state == "running":
        step.refuse("already running")
    if state == "pending":
        step.refuse("already starting")
    if state == "stopping":
        step.refuse("it is stopping; wait until it has stopped")
    if state in ("shutting-down", "terminated"):
        step.refuse(f"it is {state}", deleted=state == "terminated")
    if state != "stopped":
        step.refuse(f"state is {state}; only a stopped instance can be started")
    step.check_tags(tag_dict(inst.get("Tags")))
    request_id = step.ec2_call(ec2, "start_instances", InstanceIds=[step.resource.id])

    def verify() -> ActionUpdate:
        step.wait(ec2, "instance_running", InstanceIds=[step.resource.id])
        fresh = step.reread_resource(list_instances, InstanceIds=[step.resource.id])
        return step.done("started", result=fresh, deleted=fresh is None, request_id=request_id)

    return verify


def _start_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    cost, _ = estimate(dataclasses.replace(resource, state="running"))
    return f"bills {format_cost(cost)}/mo again while running"


def terminate_instance(step: Step) -> Verify:
    ec2 = step.client("ec2")
    inst = _describe_instance(step, ec2)
    state = (inst.get("State") or {}).get("Name", "")
    if state == "terminated":
        step.refuse("already terminated", deleted=True)
    if state == "shutting-down":
        step.refuse("already shutting down")
    step.check_tags(tag_dict(inst.get("Tags")))
    if protection(step, ec2, "disableApiTermination", "DisableApiTermination", "termination protection"):
        step.refuse("termination protection is on (DisableApiTermination); tracker-tui never switches it off")
    request_id = step.ec2_call(ec2, "terminate_instances", InstanceIds=[step.resource.id])

    def verify() -> ActionUpdate:
        step.wait(ec2, "instance_terminated", InstanceIds=[step.resource.id])
        return step.done("terminated", deleted=True, request_id=request_id)

    return verify


def _instance_note(resource: Resource, options: ActionOptions, artifact: str | None, *, terminate: bool) -> str:
    group = resource.details.get("autoscaling_group")
    if group:
        return f"managed by Auto Scaling group {group}: it may launch a replacement"
    if terminate:
        return "its EBS volumes follow their DeleteOnTermination setting; Elastic IPs stay allocated"
    return ""


# --- instances: a type change in place (m) ---------------------------------------------------

#: The tag AWS puts on an Auto Scaling group's instances.
AUTOSCALING_TAG = "aws:autoscaling:groupName"
#: What DescribeInstanceTypes answers for a type the region does not offer.
NO_SUCH_TYPE = "InvalidInstanceType"


def _type_info(step: Step, ec2: Any, target: str) -> dict[str, Any]:
    """What DescribeInstanceTypes says of ``target`` in the row's region (refused when it is not offered there)."""

    def read() -> dict[str, Any] | None:
        try:
            types = ec2.describe_instance_types(InstanceTypes=[target]).get("InstanceTypes", [])
        except ClientError as exc:
            if error_code(exc) == NO_SUCH_TYPE:
                return None
            raise
        return next((t for t in types if t.get("InstanceType") == target), None)

    info = step.read_or_refuse(read, f"target type {target}")
    if info is None:
        step.refuse(f"{target} is not offered in {step.region} ({NO_SUCH_TYPE})", NO_SUCH_TYPE)
    return info


def instance_store(step: Step, ec2: Any, itype: str) -> str | None:
    """What stopping an instance of ``itype`` would lose on its instance store volumes (an m5d,
    i3, d2 ...: erased at every stop), e.g. ``m5d.large has 75 GB of instance store, erased when it
    stops``; None when its type has none.  Refused when the type cannot be described."""
    info: dict[str, Any] = step.read_or_refuse(
        lambda: next(
            (
                t
                for t in ec2.describe_instance_types(InstanceTypes=[itype]).get("InstanceTypes", [])
                if t.get("InstanceType") == itype
            ),
            {},
        ),
        f"type {itype} (whether it has instance store volumes)",
    )
    if not info:
        step.refuse(
            f"cannot tell whether {itype} has instance store volumes (not described); refusing without checking"
        )
    if info.get("InstanceStorageSupported"):
        size = (info.get("InstanceStorageInfo") or {}).get("TotalSizeInGB")
        what = f"{size} GB of instance store" if size else "instance store volumes"
        return f"{itype} has {what}, erased when it stops"
    return None


def _cannot_take(inst: dict[str, Any], info: dict[str, Any], target: str) -> str | None:
    """Why the instance cannot boot as ``target`` (None: nothing says it cannot): its image's
    architecture and virtualization, and ENA where the type requires it."""
    arch = str(inst.get("Architecture") or "")
    archs = [str(a) for a in (info.get("ProcessorInfo") or {}).get("SupportedArchitectures") or []]
    if arch not in archs:
        needs = " or ".join(archs) or "an unknown architecture"
        return (
            f"{target} is {needs}, the instance {arch or 'of unknown architecture'}: it needs an image for "
            f"{needs}: launch a new instance from one"
        )
    virtualization = str(inst.get("VirtualizationType") or "")
    takes = [str(v) for v in info.get("SupportedVirtualizationTypes") or []]
    if virtualization not in takes:
        needs = " or ".join(takes) or "unknown"
        return (
            f"{target} takes {needs} virtualization, the instance is {virtualization or 'unknown'}: its image "
            f"cannot boot there; launch a new instance from an {needs} image"
        )
    # DescribeInstances leaves EnaSupport out when it is not enabled: only True is enabled.
    if (info.get("NetworkInfo") or {}).get("EnaSupport") == "required" and inst.get("EnaSupport") is not True:
        return (
            f"{target} requires ENA (enhanced networking), not enabled on the instance: enable ENA first "
            "(an image with the ENA driver, then modify-instance-attribute --ena-support while stopped)"
        )
    return None


def resize_instance(step: Step) -> Verify:
    """Change the instance's type to the one its finding names: stop it if it runs,
    ModifyInstanceAttribute InstanceType, start it again if it was running (each call DryRun
    first and audited).  A modify that fails after the stop starts it again on its old type."""
    ec2 = step.client("ec2")
    instance_id = step.resource.id
    inst = _describe_instance(step, ec2)
    state = (inst.get("State") or {}).get("Name", "")
    if state in ("shutting-down", "terminated"):
        step.refuse(f"it is {state}", deleted=state == "terminated")
    if state not in ("running", "stopped"):
        step.refuse(f"state is {state}; only a running or stopped instance changes type")
    finding = named_fix(step.resource)
    if finding is None or not finding.target:
        step.refuse("no finding names a type to change to")
    target = finding.target
    old = str(inst.get("InstanceType") or "")
    if old == target:
        step.refuse(f"it is {target} already")
    tags = tag_dict(inst.get("Tags"))
    step.check_tags(tags)
    group = tags.get(AUTOSCALING_TAG)
    if group:
        step.refuse(
            f"a member of Auto Scaling group {group}, which would replace it: change the group's instance type "
            "(its launch template) instead"
        )
    if inst.get("RootDeviceType") == "instance-store":
        step.refuse("its root device is instance store: stopping loses the instance store root")
    if protection(step, ec2, "disableApiTermination", "DisableApiTermination", "termination protection"):
        step.refuse(
            "termination protection is on (DisableApiTermination): a protected instance is left as it is; "
            "tracker-tui never switches it off"
        )
    running = state == "running"
    if running and protection(step, ec2, "disableApiStop", "DisableApiStop", "stop protection"):
        step.refuse(
            "stop protection is on (DisableApiStop) and it must be stopped to change type; "
            "tracker-tui never switches it off"
        )
    if (why := _cannot_take(inst, _type_info(step, ec2, target), target)) is not None:
        step.refuse(why)
    if running and (why := instance_store(step, ec2, old)) is not None:
        step.refuse(f"{why}: copy what they hold first, then change the type by hand")
    modify = {"InstanceId": instance_id, "InstanceType": {"Value": target}}
    if not running:
        request_id = step.ec2_call(ec2, "modify_instance_attribute", **modify)
        return lambda: _resized(step, ec2, old, target, request_id, running=False)
    step.ec2_call(ec2, "stop_instances", InstanceIds=[instance_id])

    def verify() -> ActionUpdate:
        # The stop, the modify and the start run here, not in the handler, so a bulk run's
        # instances stop side by side, all within the row's bound.
        try:
            step.wait(ec2, "instance_stopped", InstanceIds=[instance_id])
        except Failed as failure:
            stays = "its type was not changed, and if it stops later it stays stopped: start it with u"
            raise Failed(f"{failure.message}; {stays}", failure.code) from None
        try:
            step.ec2_call(ec2, "modify_instance_attribute", **modify)
        except (Failed, Refused) as exc:
            # Nothing is left stopped: it was running, so it runs again, on its old type.
            raise Failed(
                f"could not change its type to {target}: {exc.message}; {_start_again(step, ec2, old)}",
                exc.code,
                getattr(exc, "request_id", ""),
            ) from None
        try:
            request_id = step.ec2_call(ec2, "start_instances", InstanceIds=[instance_id])
        except (Failed, Refused) as exc:
            raise Failed(
                f"changed to {target}, but it did not start again: {exc.message}; it is stopped: start it with u",
                exc.code,
                getattr(exc, "request_id", ""),
            ) from None
        step.wait(ec2, "instance_running", InstanceIds=[instance_id])
        return _resized(step, ec2, old, target, request_id, running=True)

    return verify


def _start_again(step: Step, ec2: Any, old: str) -> str:
    """Start the instance a failed type change left stopped; what became of it, for the failure."""
    try:
        step.ec2_call(ec2, "start_instances", InstanceIds=[step.resource.id])
        step.wait(ec2, "instance_running", InstanceIds=[step.resource.id])
    except (Failed, Refused) as exc:
        return f"starting it again failed too ({exc.message}): it is stopped, on its old type {old}: start it with u"
    return f"it is running again on its old type {old}"


def _resized(step: Step, ec2: Any, old: str, target: str, request_id: str, *, running: bool) -> ActionUpdate:
    """Verified when AWS reads the new type (and, if it was running, running again); the row re-read and repriced."""
    seen = {"state": "not read yet"}

    def taken() -> bool:
        current = step.find(lambda: _instance(ec2, step.resource.id))
        if current is None:
            seen["state"] = "gone"
            return False
        itype = str(current.get("InstanceType") or "unknown")
        state = str((current.get("State") or {}).get("Name") or "unknown")
        seen["state"] = f"{itype}, {state}"
        return itype == target and (state == "running" or not running)

    step.poll(taken, f"{target}{' and running' if running else ''}", lambda: seen["state"])
    fresh = step.reread_resource(list_instances, InstanceIds=[step.resource.id])
    message = f"type changed {old} -> {target}; {'running again' if running else 'still stopped'}"
    return step.done(message, result=fresh, deleted=fresh is None, request_id=request_id)


def _resize_saving(resource: Resource) -> float | None:
    """The finding's saving, so the dialog and the cost panel agree (None: no finding names a type)."""
    finding = named_fix(resource)
    return finding.monthly_saving if finding is not None else None


def _resize_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    finding = named_fix(resource)
    if finding is None or not finding.target:
        return "no finding names a type to change to (it will be refused)"
    old = str(resource.details.get("instance_type") or "its type")
    target = finding.target
    group = resource.details.get("autoscaling_group")
    if group:
        return (
            f"{old} -> {target}: a member of Auto Scaling group {group} (it will be refused): change the group's "
            "launch template instead"
        )
    running = (resource.state or "").lower() == "running"
    then, _ = estimate(
        dataclasses.replace(resource, state="running", details={**resource.details, "instance_type": target})
    )
    if running:
        note = f"{old} -> {target}: stops for about a minute, then starts again; {format_cost(then)}/mo"
        note += f" (now {format_cost(resource.monthly_cost)})"
    else:
        note = f"{old} -> {target} while stopped (it stays stopped); {format_cost(then)}/mo once started"
    return (
        f"{note}; back the same way: stop, `aws ec2 modify-instance-attribute --instance-id {resource.id} "
        f"--instance-type {old}`, start"
    )


# --- volumes ------------------------------------------------------------------------------------

# FROM_VOLUME_TAG (aws/kinds/ec2_snapshot.py) is on the snapshot a volume's delete takes first,
# naming the volume: a later delete of the same volume finds that snapshot by it and reuses it
# rather than taking another, and the snapshot is not called orphaned.

#: EC2 cannot tell whether a volume was ever attached or written (it keeps no attachment history
#: and reports no used bytes), so every volume's delete snapshots it first unless this is unticked.
SNAPSHOT_FIRST = Choice("snapshot-first", "snapshot each volume first (restorable; the snapshot bills)", True)

#: The states of an earlier snapshot a delete reuses (it waits for a pending one); one in
#: ``error`` never completes and is passed over.
REUSABLE_SNAPSHOT_STATES = ("completed", "pending")
#: An earlier snapshot is reused only if it was started this recently: EC2 keeps no history of
#: attachments, so an older one may miss what was written to the volume since (a new one is taken).
SNAPSHOT_REUSE_HOURS = 24

#: AWS's limit on a snapshot's description (characters).
DESCRIPTION_MAX = 255


def _describe_volume(ec2: Any, volume_id: str) -> dict[str, Any] | None:
    volumes = ec2.describe_volumes(VolumeIds=[volume_id]).get("Volumes", [])
    return next((v for v in volumes if v.get("VolumeId") == volume_id), None)


def _volume_snapshots(ec2: Any, volume_id: str) -> list[dict[str, Any]]:
    """The account's own snapshots a delete of ``volume_id`` took (tagged with it), newest first."""
    pages = ec2.get_paginator("describe_snapshots").paginate(
        OwnerIds=["self"], Filters=[{"Name": f"tag:{FROM_VOLUME_TAG}", "Values": [volume_id]}]
    )
    # The tag is checked here too: a snapshot of another volume is never taken for this one's.
    found = [
        s
        for page in pages
        for s in page.get("Snapshots", [])
        if tag_dict(s.get("Tags")).get(FROM_VOLUME_TAG) == volume_id
    ]
    return sorted(found, key=lambda s: s.get("StartTime") or _EPOCH, reverse=True)


def _snapshot_tags(vol: dict[str, Any], volume_id: str) -> list[dict[str, str]]:
    """The volume's own tags for its snapshot, and the one naming the volume.

    ``aws:`` keys (any case) are AWS's own, refused in a request; a from-volume tag the volume
    already has (restored from such a snapshot with its tags) names another volume.
    """
    kept = {
        key: value
        for key, value in tag_dict(vol.get("Tags")).items()
        if not key.lower().startswith("aws:") and key != FROM_VOLUME_TAG
    }
    return [{"Key": key, "Value": value} for key, value in {**kept, FROM_VOLUME_TAG: volume_id}.items()]


def _snapshot_description(volume_id: str, name: str) -> str:
    text = f"tracker-tui: before deleting {volume_id}" + (f" ({name})" if name else "")
    return text if len(text) <= DESCRIPTION_MAX else text[: DESCRIPTION_MAX - 4] + "...)"


def _started(snapshot: dict[str, Any]) -> str:
    start = snapshot.get("StartTime")
    return f"{start.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if isinstance(start, datetime) else "at an unknown time"


def _snapshot_first(step: Step, ec2: Any, vol: dict[str, Any]) -> tuple[dict[str, Any] | None, frozenset[str], str]:
    """Take the volume's snapshot (DryRun first, audited), or find one an earlier delete took.

    Returns the earlier snapshot reused (None: one was taken now), the ids of the snapshots
    listed before (the new one is the one not among them: CreateSnapshot's id is not
    returned through the step) and CreateSnapshot's request id.
    """
    volume_id = step.resource.id
    earlier = step.read_or_refuse(lambda: _volume_snapshots(ec2, volume_id), "snapshots")
    listed = frozenset(str(s.get("SnapshotId")) for s in earlier)
    since = datetime.now(UTC) - timedelta(hours=SNAPSHOT_REUSE_HOURS)
    reusable = [
        s
        for s in earlier
        if s.get("State") in REUSABLE_SNAPSHOT_STATES
        and isinstance(s.get("StartTime"), datetime)
        and s["StartTime"] >= since
    ]
    if reusable:
        return reusable[0], listed, ""
    name = tag_dict(vol.get("Tags")).get("Name", "")
    try:
        request_id = step.ec2_call(
            ec2,
            "create_snapshot",
            VolumeId=volume_id,
            Description=_snapshot_description(volume_id, name),
            TagSpecifications=[{"ResourceType": "snapshot", "Tags": _snapshot_tags(vol, volume_id)}],
        )
    except Failed as failure:
        raise Failed(
            f"could not snapshot it first, so it was not deleted: {failure.message}", failure.code, failure.request_id
        ) from None
    return None, listed, request_id


def _snapshot_completed(
    step: Step, ec2: Any, reused: dict[str, Any] | None, earlier: frozenset[str], request_id: str
) -> dict[str, Any]:
    """The volume's snapshot once it is completed, polled within the row's deadline.

    Raises:
        Failed: the snapshot failed, went away, cannot be read, or is still pending at the
            deadline; the volume is not deleted.
    """
    volume_id = step.resource.id
    wanted = {"id": str(reused["SnapshotId"]) if reused is not None else ""}
    seen: dict[str, Any] = dict(reused or {})

    def completed() -> bool:
        try:
            listed = _volume_snapshots(ec2, volume_id)
        except ClientError as exc:
            raise Failed(
                f"cannot read its snapshot's progress ({code_of(exc)}: {message_of(exc)}); the volume was not deleted",
                code_of(exc),
                request_id,
            ) from None
        if wanted["id"]:
            mine = next((s for s in listed if s.get("SnapshotId") == wanted["id"]), None)
            if mine is None:
                raise Failed(
                    f"snapshot {wanted['id']} is gone (deleted while it was waited for); the volume was not deleted",
                    "SnapshotGone",
                    request_id,
                )
        else:
            # Not listed yet is not an error: a new snapshot can take a moment to appear.
            mine = next((s for s in listed if str(s.get("SnapshotId")) not in earlier), None)
            if mine is None:
                return False
            wanted["id"] = str(mine.get("SnapshotId"))
        seen.clear()
        seen.update(mine)
        if mine.get("State") == "error":
            why = mine.get("StateMessage") or "AWS gave no reason"
            raise Failed(
                f"snapshot {wanted['id']} failed ({why}); the volume was not deleted", "SnapshotError", request_id
            )
        return mine.get("State") == "completed"

    try:
        step.poll(completed, "snapshotted", lambda: str(seen.get("State") or "not listed yet"))
    except Failed as failure:
        if failure.code != "VerifyTimeout":
            raise
        which = "the snapshot it asked for is not listed yet"
        if wanted["id"]:
            progress = seen.get("Progress") or "no progress given"
            which = f"snapshot {wanted['id']} is still {seen.get('State') or 'pending'} ({progress})"
        raise Failed(
            f"{which}; the volume was not deleted; delete it again once the snapshot completes (it will be reused)",
            "SnapshotPending",
            request_id,
        ) from None
    return seen


def _volume_deleted(step: Step, ec2: Any, start: str, message: str, request_id: str) -> ActionUpdate:
    def volume_state() -> str | None:
        current = step.find(lambda: _describe_volume(ec2, step.resource.id))
        return None if current is None else str(current.get("State", ""))

    step.poll_state(volume_state, "deleted", "deleted", start)
    return step.done(message, deleted=True, request_id=request_id)


def _deletable(step: Step, ec2: Any) -> dict[str, Any]:
    """The volume re-read, refused unless it is available, attached to nothing and unprotected."""
    vol = step.reread(lambda: _describe_volume(ec2, step.resource.id))
    state = vol.get("State", "")
    if state == "deleted":
        raise gone()
    attachments = vol.get("Attachments") or []
    if attachments or state == "in-use":
        where = ", ".join(str(a.get("InstanceId")) for a in attachments) or "an instance"
        step.refuse(f"volume is attached to {where} (state {state})")
    if state == "deleting":
        step.refuse("already being deleted")
    if state != "available":
        step.refuse(f"state is {state}; only an available (unattached) volume can be deleted")
    step.check_tags(tag_dict(vol.get("Tags")))
    return vol


def delete_volume(step: Step) -> Verify:
    ec2 = step.client("ec2")
    volume_id = step.resource.id
    vol = _deletable(step, ec2)
    state = str(vol.get("State", ""))
    if not step.choice(SNAPSHOT_FIRST):
        request_id = step.ec2_call(ec2, "delete_volume", VolumeId=volume_id)
        return lambda: _volume_deleted(step, ec2, state, "deleted", request_id)
    # Every check passed before anything is created: a refused volume leaves no snapshot behind.
    reused, earlier, snapshot_request = _snapshot_first(step, ec2, vol)

    def verify() -> ActionUpdate:
        # Waiting here, not in the handler, lets a bulk run's snapshots proceed side by side.
        snapshot = _snapshot_completed(step, ec2, reused, earlier, snapshot_request)
        kept = str(snapshot.get("SnapshotId"))
        try:
            # Read again: the volume may have been attached or protected while the snapshot ran.
            _deletable(step, ec2)
            request_id = step.ec2_call(ec2, "delete_volume", VolumeId=volume_id)
        except Refused as refusal:
            # Refused as in the handler (a DryRun denied, the audit log unwritable), with the snapshot named.
            return ActionUpdate(
                step.resource,
                step.action,
                Status.REFUSED,
                f"{refusal.message}; the volume was not deleted, its snapshot {kept} is kept",
                refusal.code,
                deleted=refusal.deleted,
            )
        # The delete is verified within its own bound from when it answered, as the runner bounds every call.
        step.deadline = time.monotonic() + step.options.verify_timeout
        message = f"deleted; snapshot {kept} keeps its data (restore: create a volume from it)"
        if reused is not None:
            message += f"; an earlier delete took it (started {_started(snapshot)}), reused"
        return _volume_deleted(step, ec2, state, message, request_id)

    return verify


def _delete_volume_saving(resource: Resource) -> float | None:
    """Net of the snapshot taken first: the plan cannot see the box, whose default takes one."""
    return snapshot_first_saving(resource)[0]


def _delete_volume_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    whole = f"{format_cost(resource.monthly_cost)}/mo"
    if not options.choice(SNAPSHOT_FIRST):
        return f"no snapshot first: not recoverable; saves {whole}"
    net, why = snapshot_first_saving(resource)
    money = f"net saving unknown: {why}"
    if net is not None:
        money = f"saves at least {format_cost(net)}/mo net of its snapshot"
    return (
        f"snapshot first (on: EC2 cannot tell if it holds data): tagged {FROM_VOLUME_TAG}, completed before the "
        f"delete; restore with create-volume from it; {money}, {whole} without it; untick to delete without one: "
        "not recoverable"
    )


# --- volumes: gp2, io1 and io2 -> gp3 in place -------------------------------------------------

#: A modification still under way: AWS takes one at a time per volume.
MODIFYING_STATES = frozenset({"modifying", "optimizing"})
#: The modification has taken: the volume is gp3 (optimizing: still reaching full performance).
MODIFIED_STATES = frozenset({"optimizing", "completed"})
#: What DescribeVolumesModifications answers for a volume that was never modified.
NO_MODIFICATION = "InvalidVolumeModification.NotFound"
_EPOCH = datetime.min.replace(tzinfo=UTC)


#: gp3's IOPS per GiB at most (a 10 GiB gp3 volume takes 5,000 IOPS).
GP3_IOPS_PER_GIB = 500

#: The volume types ``m`` converts to gp3.
TO_GP3 = ("gp2", "io1", "io2")


def gp3_parameters(size_gib: float, vtype: str = "gp2", iops: float | None = None) -> dict[str, int]:
    """ModifyVolume's IOPS and throughput for the gp3 volume that replaces one of ``size_gib``:
    a gp2 volume keeps what gp2 gave at that size (``gp2_performance``); an io1/io2 volume its
    provisioned IOPS (at least gp3's 3,000) at gp3's baseline 125 MiB/s.  The figures the
    ``gp2-to-gp3`` and ``io1-to-gp3`` findings priced, so the saving the dialog shows is the one
    the volume gets."""
    if vtype == "gp2":
        gp2_iops, mibps = gp2_performance(size_gib)
        return {"Iops": gp2_iops, "Throughput": mibps}
    return {"Iops": max(GP3_BASE_IOPS, int(iops or 0)), "Throughput": GP3_BASE_MIBPS}


def _beyond_gp3(size_gib: float, iops: float | None) -> str | None:
    """Why gp3 cannot carry an io1/io2 volume's IOPS (None: it can)."""
    if iops is None:
        return "its provisioned IOPS are unknown"
    if iops > GP3_MAX_IOPS:
        return f"{count_text(iops)} IOPS: gp3 stops at {count_text(GP3_MAX_IOPS)}"
    if iops > GP3_IOPS_PER_GIB * size_gib:
        return (
            f"{count_text(iops)} IOPS on {count_text(size_gib)} GiB: gp3 takes at most {GP3_IOPS_PER_GIB} IOPS per GiB "
            f"({count_text(GP3_IOPS_PER_GIB * size_gib)})"
        )
    return None


def _latest_modification(ec2: Any, volume_id: str) -> dict[str, Any] | None:
    """The volume's most recent modification (None: never modified)."""
    try:
        found = ec2.describe_volumes_modifications(VolumeIds=[volume_id]).get("VolumesModifications", [])
    except ClientError as exc:
        if error_code(exc) == NO_MODIFICATION:
            return None
        raise
    mine = [(m.get("StartTime") or _EPOCH, index, m) for index, m in enumerate(found) if m.get("VolumeId") == volume_id]
    return max(mine, key=lambda entry: entry[:2])[2] if mine else None


def modify_volume(step: Step) -> Verify:
    ec2 = step.client("ec2")
    volume_id = step.resource.id
    vol = step.reread(lambda: _describe_volume(ec2, volume_id))
    state = str(vol.get("State", ""))
    if state == "deleted":
        raise gone()
    vtype = str(vol.get("VolumeType") or "")
    if vtype == "gp3":
        step.refuse("it is gp3 already")
    if vtype not in TO_GP3:
        step.refuse(f"type {vtype or 'unknown'}; only gp2, io1 and io2 volumes are modified to gp3")
    if state not in ("available", "in-use"):
        step.refuse(f"state is {state}; only an available or in-use volume can be modified")
    size = number(vol.get("Size"))
    if not size:
        step.refuse("its size is unknown, so are the IOPS and throughput gp3 must keep")
    provisioned = number(vol.get("Iops"))
    if vtype != "gp2" and (why := _beyond_gp3(size, provisioned)) is not None:
        step.refuse(why)
    step.check_tags(tag_dict(vol.get("Tags")))
    latest = step.read_or_refuse(lambda: _latest_modification(ec2, volume_id), "modifications")
    under_way = str((latest or {}).get("ModificationState") or "")
    if under_way in MODIFYING_STATES:
        towards = (latest or {}).get("TargetVolumeType")
        step.refuse(
            f"a modification is already in progress ({under_way}{f', to {towards}' if towards else ''}); "
            "AWS takes one at a time, try again when it has completed"
        )
    target = gp3_parameters(size, vtype, provisioned)
    request_id = step.ec2_call(ec2, "modify_volume", VolumeId=volume_id, VolumeType="gp3", **target)

    def verify() -> ActionUpdate:
        seen = {"modification": "", "state": "no modification to gp3 listed"}

        def modified() -> bool:
            # Done when the modification has taken (optimizing or completed) and the volume
            # itself reads gp3: either alone could be a lagging or stale answer.
            mod = step.find(lambda: _latest_modification(ec2, volume_id))
            if mod is None or mod.get("TargetVolumeType") != "gp3":
                return False
            seen["modification"] = str(mod.get("ModificationState") or "unknown")
            seen["state"] = f"modification {seen['modification']}"
            if seen["modification"] == "failed":
                why = mod.get("StatusMessage") or "no reason given"
                raise Failed(
                    f"AWS accepted the modification to gp3, then it failed: {why}", "ModificationFailed", request_id
                )
            if seen["modification"] not in MODIFIED_STATES:
                return False
            current = step.find(lambda: _describe_volume(ec2, volume_id))
            vtype = "not found" if current is None else str(current.get("VolumeType") or "unknown")
            seen["state"] += f", volume {vtype}"
            return vtype == "gp3"

        step.poll(modified, "modified to gp3", lambda: seen["state"])
        fresh = step.reread_resource(list_volumes, VolumeIds=[volume_id])
        message = f"modified to gp3 ({count_text(target['Iops'])} IOPS, {target['Throughput']} MiB/s)"
        if seen["modification"] == "optimizing":
            message += "; optimizing: full gp3 performance once it completes"
        return step.done(message, result=fresh, deleted=fresh is None, request_id=request_id)

    return verify


def _gp3_saving(resource: Resource) -> float | None:
    """What the row's ``gp2-to-gp3`` or ``io1-to-gp3`` finding says the conversion saves, so the
    dialog and the cost panel agree (None: unknown, or not convertible).  A row without the
    finding (gp3 at that performance costs as much or more) saves 0.0, priced the same way."""
    finding = next((f for f in resource.findings if f.id in (GP2_TO_GP3.id, IO1_TO_GP3.id)), None)
    if finding is not None:
        return finding.monthly_saving
    vtype = resource.details.get("volume_type")
    size = number(resource.details.get("size_gib"))
    if vtype not in TO_GP3 or (vtype != "gp2" and _beyond_gp3(size or 0, number(resource.details.get("iops")))):
        return None
    return gp3_conversion(resource)[0]


def _modify_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    vtype = str(resource.details.get("volume_type") or "")
    if vtype not in TO_GP3:
        return f"type {vtype or 'unknown'}: only gp2, io1 and io2 volumes are modified to gp3 (it will be refused)"
    size = number(resource.details.get("size_gib"))
    if not size:
        return "to gp3 in place, same size"
    provisioned = number(resource.details.get("iops"))
    if vtype != "gp2" and (why := _beyond_gp3(size, provisioned)) is not None:
        return f"{vtype}: {why} (it will be refused)"
    target = gp3_parameters(size, vtype, provisioned)
    note = (
        f"to gp3 in place (no detach, no restart): {count_text(size)} GiB, {count_text(target['Iops'])} IOPS, "
        f"{target['Throughput']} MiB/s"
    )
    _, twin = gp3_conversion(resource)
    if twin is not None and twin.monthly_cost is not None and resource.monthly_cost is not None:
        now, then = resource.monthly_cost, twin.monthly_cost
        if then > now:
            note += f", {format_cost(then)}/mo: {format_cost(round(then - now, 2))} more than now"
        else:
            note += f", {format_cost(then)}/mo (now {format_cost(now)})"
    if vtype != "gp2":
        note += (
            f"; {target['Throughput']} MiB/s is gp3's baseline ({vtype} may have given more: raise it with "
            f"another modify if the workload needs it); gp3 has higher latency than {vtype}"
            + (" and lower durability" if vtype == "io2" else "")
            + f"; back to {vtype} with another modify after 6 hours"
        )
    return note


# --- Elastic IPs -------------------------------------------------------------------------------


def _address_key(resource: Resource) -> dict[str, str]:
    ident = resource.id
    allocation = resource.details.get("allocation_id") or (ident if ident.startswith("eipalloc-") else None)
    return {"AllocationId": allocation} if allocation else {"PublicIp": resource.details.get("public_ip") or ident}


def _describe_address(ec2: Any, key: dict[str, str]) -> dict[str, Any] | None:
    name, value = next(iter(key.items()))
    addresses = ec2.describe_addresses(**{f"{name}s": [value]}).get("Addresses", [])
    return next((a for a in addresses if a.get(name) == value), None)


def release_address(step: Step) -> Verify:
    ec2 = step.client("ec2")
    key = _address_key(step.resource)
    addr = step.reread(lambda: _describe_address(ec2, key))
    if addr.get("AssociationId") or addr.get("InstanceId") or addr.get("NetworkInterfaceId"):
        target = addr.get("InstanceId") or addr.get("NetworkInterfaceId") or addr.get("AssociationId")
        step.refuse(f"Elastic IP is associated with {target}")
    step.check_tags(tag_dict(addr.get("Tags")))
    request_id = step.ec2_call(ec2, "release_address", **key)

    def verify() -> ActionUpdate:
        step.poll_gone(lambda: step.find(lambda: _describe_address(ec2, key)) is not None, "released", "allocated")
        return step.done("released", deleted=True, request_id=request_id)

    return verify


# --- NAT gateways ------------------------------------------------------------------------------


def _describe_nat(ec2: Any, nat_id: str) -> dict[str, Any] | None:
    gateways = ec2.describe_nat_gateways(NatGatewayIds=[nat_id]).get("NatGateways", [])
    return next((g for g in gateways if g.get("NatGatewayId") == nat_id), None)


def delete_nat_gateway(step: Step) -> Verify:
    ec2 = step.client("ec2")
    nat = step.reread(lambda: _describe_nat(ec2, step.resource.id))
    state = str(nat.get("State", ""))
    if state == "deleted":
        raise gone()
    if state == "deleting":
        step.refuse("already being deleted")
    if state not in ("available", "failed"):
        step.refuse(f"state is {state}; only an available or failed NAT gateway can be deleted")
    step.check_tags(tag_dict(nat.get("Tags")))
    request_id = step.ec2_call(ec2, "delete_nat_gateway", NatGatewayId=step.resource.id)

    def verify() -> ActionUpdate:
        def nat_state() -> str | None:
            current = step.find(lambda: _describe_nat(ec2, step.resource.id))
            return None if current is None else str(current.get("State", ""))

        step.poll_state(nat_state, "deleted", "deleted", "deleting")
        return step.done("deleted (its Elastic IPs stay allocated)", deleted=True, request_id=request_id)

    return verify


ACTIONS = (
    ActionSpec(
        INSTANCE,
        "stop",
        stop_instance,
        iam_actions=("ec2:DescribeInstances", "ec2:DescribeInstanceAttribute", "ec2:StopInstances"),
        note=lambda r, o, a: _instance_note(r, o, a, terminate=False),
        # The row holds compute only (its volumes are their own rows): stopping saves all of it.
        single_key=True,
    ),
    ActionSpec(
        INSTANCE,
        "start",
        start_instance,
        iam_actions=("ec2:DescribeInstances", "ec2:StartInstances"),
        note=_start_note,
        # Starting saves nothing; the note says what it will cost.
        saving=lambda r: 0.0,
        single_key=True,
    ),
    ActionSpec(
        INSTANCE,
        "terminate",
        terminate_instance,
        iam_actions=("ec2:DescribeInstances", "ec2:DescribeInstanceAttribute", "ec2:TerminateInstances"),
        note=lambda r, o, a: _instance_note(r, o, a, terminate=True),
    ),
    # A type change in place: stop, modify, start; reversible the same way and nothing is lost,
    # so one row confirms with y (the note says the downtime); the saving is its finding's.
    ActionSpec(
        INSTANCE,
        "modify",
        resize_instance,
        iam_actions=(
            "ec2:DescribeInstances",
            "ec2:DescribeInstanceAttribute",
            "ec2:DescribeInstanceTypes",
            "ec2:StopInstances",
            "ec2:ModifyInstanceAttribute",
            "ec2:StartInstances",
        ),
        note=_resize_note,
        saving=_resize_saving,
        single_key=True,
    ),
    # Snapshot first by default: the saving is net of the snapshot, the note gives both figures.
    ActionSpec(
        VOLUME,
        "delete",
        delete_volume,
        # No call of ours names CreateTags: AWS authorises CreateSnapshot's TagSpecifications as it.
        iam_actions=(
            "ec2:DescribeVolumes",
            "ec2:DescribeSnapshots",
            "ec2:CreateSnapshot",
            "ec2:CreateTags",
            "ec2:DeleteVolume",
        ),
        note=_delete_volume_note,
        saving=_delete_volume_saving,
        choices=(SNAPSHOT_FIRST,),
    ),
    # In place and reversible, confirmed like a stop (one row with y); the saving is the
    # gp2-to-gp3 finding's, so the dialog and the cost panel say the same.
    ActionSpec(
        VOLUME,
        "modify",
        modify_volume,
        iam_actions=("ec2:DescribeVolumes", "ec2:DescribeVolumesModifications", "ec2:ModifyVolume"),
        note=_modify_note,
        saving=_gp3_saving,
        single_key=True,
    ),
    ActionSpec(ELASTIC_IP, "release", release_address, iam_actions=("ec2:DescribeAddresses", "ec2:ReleaseAddress")),
    ActionSpec(
        NAT_GATEWAY,
        "delete",
        delete_nat_gateway,
        iam_actions=("ec2:DescribeNatGateways", "ec2:DeleteNatGateway"),
        note=lambda r, o, a: "its Elastic IPs stay allocated (release them separately)",
    ),
)
