"""EC2 actions: stop and terminate instances, delete volumes and NAT gateways, release Elastic IPs.

Every EC2 call goes first with ``DryRun=True`` (``Step.ec2_call``).  Termination and stop
protection are read and refused, never switched off.
"""

from __future__ import annotations

from typing import Any

from tracker_tui.aws.actions.base import ActionOptions, ActionSpec, ActionUpdate, Step, Verify, gone
from tracker_tui.aws.kinds.base import tag_dict
from tracker_tui.aws.kinds.ec2_elastic_ip import KIND as ELASTIC_IP
from tracker_tui.aws.kinds.ec2_instance import KIND as INSTANCE
from tracker_tui.aws.kinds.ec2_instance import list_instances
from tracker_tui.aws.kinds.ec2_nat_gateway import KIND as NAT_GATEWAY
from tracker_tui.aws.kinds.ec2_volume import KIND as VOLUME
from tracker_tui.model import Resource

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
        note=lambda r, o, a: _instance_note(r, o, a, terminate=False),
        # The row holds compute only (its volumes are their own rows): stopping saves all of it.
        single_key=True,
    ),
    ActionSpec(INSTANCE, "terminate", terminate_instance, note=lambda r, o, a: _instance_note(r, o, a, terminate=True)),
    ActionSpec(VOLUME, "delete", delete_volume),
    ActionSpec(ELASTIC_IP, "release", release_address),
    ActionSpec(
        NAT_GATEWAY,
        "delete",
        delete_nat_gateway,
        note=lambda r, o, a: "its Elastic IPs stay allocated (release them separately)",
    ),
)
