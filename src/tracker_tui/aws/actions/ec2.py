"""EC2 actions: stop, start and terminate instances, delete volumes and NAT gateways, release Elastic IPs,
modify gp2, io1 and io2 volumes to gp3 in place.

Every EC2 call goes first with ``DryRun=True`` (``Step.ec2_call``).  Termination and stop
protection are read and refused, never switched off.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from tracker_tui.aws.actions.base import ActionOptions, ActionSpec, ActionUpdate, Failed, Step, Verify, gone
from tracker_tui.aws.kinds import estimate
from tracker_tui.aws.kinds.base import error_code, tag_dict
from tracker_tui.aws.kinds.ec2_elastic_ip import KIND as ELASTIC_IP
from tracker_tui.aws.kinds.ec2_instance import KIND as INSTANCE
from tracker_tui.aws.kinds.ec2_instance import list_instances
from tracker_tui.aws.kinds.ec2_nat_gateway import KIND as NAT_GATEWAY
from tracker_tui.aws.kinds.ec2_volume import (
    GP2_TO_GP3,
    GP3_BASE_IOPS,
    GP3_BASE_MIBPS,
    GP3_MAX_IOPS,
    IO1_TO_GP3,
    gp2_performance,
    gp3_conversion,
    list_volumes,
)
from tracker_tui.aws.kinds.ec2_volume import KIND as VOLUME
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import count_text, number

# --- instances --------------------------------------------------------------------------------


def _describe_instance(step: Step, ec2: Any) -> dict[str, Any]:
    def read() -> dict[str, Any] | None:
        reservations = ec2.describe_instances(InstanceIds=[step.resource.id]).get("Reservations", [])
        return next(
            (i for r in reservations for i in r.get("Instances", []) if i.get("InstanceId") == step.resource.id), None
        )

    return step.reread(read)


def _protection(step: Step, ec2: Any, attribute: str, key: str, what: str) -> bool:
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
    if _protection(step, ec2, "disableApiStop", "DisableApiStop", "stop protection"):
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
    if _protection(step, ec2, "disableApiTermination", "DisableApiTermination", "termination protection"):
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


# --- volumes ------------------------------------------------------------------------------------


def _describe_volume(ec2: Any, volume_id: str) -> dict[str, Any] | None:
    volumes = ec2.describe_volumes(VolumeIds=[volume_id]).get("Volumes", [])
    return next((v for v in volumes if v.get("VolumeId") == volume_id), None)


def delete_volume(step: Step) -> Verify:
    ec2 = step.client("ec2")
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
    request_id = step.ec2_call(ec2, "delete_volume", VolumeId=step.resource.id)

    def verify() -> ActionUpdate:
        def volume_state() -> str | None:
            current = step.find(lambda: _describe_volume(ec2, step.resource.id))
            return None if current is None else str(current.get("State", ""))

        step.poll_state(volume_state, "deleted", "deleted", state)
        return step.done("deleted", deleted=True, request_id=request_id)

    return verify


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
    ActionSpec(VOLUME, "delete", delete_volume, iam_actions=("ec2:DescribeVolumes", "ec2:DeleteVolume")),
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
