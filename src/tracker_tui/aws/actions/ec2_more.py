"""Actions on snapshots, AMIs and VPC endpoints: delete a snapshot, deregister an AMI (its
snapshots too, if the user ticks it), delete a VPC endpoint.

Every call goes first with ``DryRun=True``.  A snapshot that backs one of the account's
AMIs is refused (deregister the image first); an AMI that a running instance was launched
from is refused; only the account's own snapshots and images are acted on.
"""

from __future__ import annotations

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
    failed,
    gone,
    request_id_of,
)
from tracker_tui.aws.kinds.base import tag_dict
from tracker_tui.aws.kinds.ec2_image import KIND as IMAGE
from tracker_tui.aws.kinds.ec2_image import RUNNING_STATES, USING_STATES
from tracker_tui.aws.kinds.ec2_snapshot import KIND as SNAPSHOT
from tracker_tui.aws.kinds.ec2_snapshot import snapshot_ids_of
from tracker_tui.aws.kinds.ec2_vpc_endpoint import KIND as VPC_ENDPOINT
from tracker_tui.model import Resource

IGNORED_DRY_RUN = "the endpoint ignored DryRun=True and carried the call out at once"


def _listed(ids: list[str]) -> str:
    return ", ".join(ids)


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


# --- snapshots ----------------------------------------------------------------------------------


def _describe_snapshot(ec2: Any, snapshot_id: str) -> dict[str, Any] | None:
    snapshots = ec2.describe_snapshots(SnapshotIds=[snapshot_id]).get("Snapshots", [])
    return next((s for s in snapshots if s.get("SnapshotId") == snapshot_id), None)


def _snapshot_exists(ec2: Any, snapshot_id: str) -> bool:
    try:
        return _describe_snapshot(ec2, snapshot_id) is not None
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "InvalidSnapshot.NotFound":
            return False
        raise


def _images_using(ec2: Any, snapshot_id: str, account: str) -> list[str]:
    """The account's own AMIs whose block device mappings name the snapshot."""
    found: list[str] = []
    for page in ec2.get_paginator("describe_images").paginate(Owners=["self"]):
        for image in page.get("Images", []):
            if str(image.get("OwnerId", account)) == account and snapshot_id in snapshot_ids_of(image):
                found.append(str(image["ImageId"]))
    return found


def _check_own(step: Step, item: dict[str, Any], what: str) -> None:
    owner = str(item.get("OwnerId") or "")
    if owner and owner != step.account:
        step.refuse(f"the {what} belongs to account {owner}; tracker-tui acts only on the account's own")


def delete_snapshot(step: Step) -> Verify:
    ec2 = step.client("ec2")
    snap = step.reread(lambda: _describe_snapshot(ec2, step.resource.id))
    _check_own(step, snap, "snapshot")
    state = str(snap.get("State", ""))
    if state == "pending":
        step.refuse(
            f"it is still being created ({snap.get('Progress') or 'progress unknown'}); wait until it completes"
        )
    if state not in ("completed", "error"):
        step.refuse(f"state is {state}; only a completed (or error) snapshot can be deleted")
    step.check_tags(tag_dict(snap.get("Tags")))
    images = step.read_or_refuse(lambda: _images_using(ec2, step.resource.id, step.account), "AMIs")
    if images:
        step.refuse(
            f"it backs {_plural(len(images), 'AMI', 'AMIs')} {_listed(images)}; "
            f"deregister {_plural(len(images), 'the image', 'them')} first"
        )
    request_id = step.ec2_call(ec2, "delete_snapshot", SnapshotId=step.resource.id)

    def verify() -> ActionUpdate:
        step.poll_gone(lambda: step.find(lambda: _describe_snapshot(ec2, step.resource.id)) is not None, "deleted")
        return step.done("deleted", deleted=True, request_id=request_id)

    return verify


def _snapshot_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    notes = []
    backs = resource.details.get("backs_image")
    if backs:
        notes.append(f"it backs AMI {backs}: refused until the image is deregistered")
    if resource.details.get("storage_tier") == "archive":
        notes.append("archived: deleting it within 90 days of archiving still bills the rest of them")
    return "; ".join(notes)


# --- AMIs ---------------------------------------------------------------------------------------


def _describe_image(ec2: Any, image_id: str) -> dict[str, Any] | None:
    images = ec2.describe_images(ImageIds=[image_id]).get("Images", [])
    return next((i for i in images if i.get("ImageId") == image_id), None)


def _instances_using(ec2: Any, image_id: str) -> list[tuple[str, str]]:
    """(instance id, state) of every live instance launched from the image."""
    filters = [{"Name": "image-id", "Values": [image_id]}, {"Name": "instance-state-name", "Values": USING_STATES}]
    found: list[tuple[str, str]] = []
    for page in ec2.get_paginator("describe_instances").paginate(Filters=filters):
        for reservation in page.get("Reservations", []):
            for inst in reservation.get("Instances", []):
                if inst.get("ImageId") == image_id:
                    found.append((str(inst["InstanceId"]), str((inst.get("State") or {}).get("Name", ""))))
    return found


def _snapshot_tags(ec2: Any, snapshot_ids: list[str]) -> dict[str, dict[str, str]]:
    """snapshot id -> its tags, for the image's snapshots that still exist and are the account's."""
    if not snapshot_ids:
        return {}
    try:
        snapshots = ec2.describe_snapshots(SnapshotIds=snapshot_ids).get("Snapshots", [])
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "InvalidSnapshot.NotFound":
            raise
        # One of them is gone already: read the rest one by one.
        snapshots = []
        for snapshot_id in snapshot_ids:
            try:
                snapshots += ec2.describe_snapshots(SnapshotIds=[snapshot_id]).get("Snapshots", [])
            except ClientError as one:
                if one.response.get("Error", {}).get("Code") != "InvalidSnapshot.NotFound":
                    raise
    return {str(s["SnapshotId"]): tag_dict(s.get("Tags")) for s in snapshots}


def _image_gone(step: Step, ec2: Any) -> bool:
    current = step.find(lambda: _describe_image(ec2, step.resource.id))
    return current is None or current.get("State") == "deregistered"


def deregister_image(step: Step) -> Verify:
    ec2 = step.client("ec2")
    image = step.reread(lambda: _describe_image(ec2, step.resource.id))
    _check_own(step, image, "AMI")
    state = str(image.get("State", ""))
    if state == "deregistered":
        raise gone()
    if state in ("pending", "transient"):
        step.refuse(f"state is {state}; wait until it is available")
    step.check_tags(tag_dict(image.get("Tags")))
    users = step.read_or_refuse(lambda: _instances_using(ec2, step.resource.id), "instances")
    running = [ident for ident, status in users if status in RUNNING_STATES]
    if running:
        step.refuse(f"in use by running {_plural(len(running), 'instance', 'instances')} {_listed(running)}")
    snapshots = snapshot_ids_of(image)
    deleting = step.options.delete_image_snapshots and bool(snapshots)
    # What may be deleted is decided before anything changes: protected snapshots stay.
    kept: dict[str, str] = {}
    to_delete: list[str] = []
    if deleting:
        tags = step.read_or_refuse(lambda: _snapshot_tags(ec2, snapshots), "snapshots' tags")
        for snapshot_id in snapshots:
            if snapshot_id not in tags:
                kept[snapshot_id] = "already gone"
                continue
            try:
                step.check_tags(tags[snapshot_id])
            except Refused as refusal:
                kept[snapshot_id] = refusal.message
                continue
            to_delete.append(snapshot_id)
    request_id = step.ec2_call(ec2, "deregister_image", ImageId=step.resource.id)

    def verify() -> ActionUpdate:
        step.poll(lambda: _image_gone(step, ec2), "deregistered", lambda: state)
        if not deleting:
            message = f"deregistered; its snapshots stay: {_listed(snapshots)}" if snapshots else "deregistered"
            return step.done(message, deleted=True, request_id=request_id)
        return _delete_image_snapshots(step, ec2, to_delete, kept, request_id)

    return verify


def _delete_image_snapshots(
    step: Step, ec2: Any, to_delete: list[str], kept: dict[str, str], request_id: str
) -> ActionUpdate:
    """After the image is gone: each of its snapshots deleted by its own audited call, then verified."""
    deleted: list[str] = []
    failures: dict[str, tuple[str, str]] = {}
    for snapshot_id in to_delete:
        try:
            step.ec2_call(ec2, "delete_snapshot", SnapshotId=snapshot_id)
        except (Failed, Refused) as exc:
            failures[snapshot_id] = (exc.code, exc.message)
            continue
        deleted.append(snapshot_id)
    remaining = set(deleted)

    def all_gone() -> bool:
        remaining.difference_update([sid for sid in sorted(remaining) if not _snapshot_exists(ec2, sid)])
        return not remaining

    try:
        step.poll(all_gone, "deregistered with its snapshots deleted", lambda: "snapshots still listed")
    except Failed as exc:
        # The image is gone all the same: the snapshots not seen gone are reported, not assumed.
        for snapshot_id in sorted(remaining):
            failures[snapshot_id] = (exc.code, "still listed after the delete; rescan to check")
        deleted = [sid for sid in deleted if sid not in remaining]
    parts = ["deregistered"]
    if deleted:
        parts.append(f"snapshots deleted: {_listed(deleted)}")
    if kept:
        parts.append("kept: " + ", ".join(f"{sid} ({why})" for sid, why in kept.items()))
    if failures:
        parts.append("not deleted: " + ", ".join(f"{sid} ({code}: {why})" for sid, (code, why) in failures.items()))
    message = "; ".join(parts)
    if not failures:
        return step.done(message, deleted=True, request_id=request_id)
    # The image is gone (its row goes), but not all that was asked was done: say so as a failure.
    if step.note:
        message = f"{message} ({step.note})"
    code = next(iter(failures.values()))[0]
    return ActionUpdate(step.resource, step.action, Status.FAILED, message, code, deleted=True, request_id=request_id)


def _image_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    d = resource.details
    snapshots = [str(s) for s in d.get("snapshot_ids") or []]
    notes = []
    if snapshots and options.delete_image_snapshots:
        notes.append(f"its snapshots are deleted too: {_listed(snapshots)}")
    elif snapshots:
        notes.append(f"its snapshots stay and keep billing: {_listed(snapshots)}")
    running = [str(i) for i in d.get("running_instance_ids") or []]
    stopped = [str(i) for i in d.get("instance_ids") or [] if str(i) not in running]
    if running:
        notes.append(f"in use by running {_listed(running)}: refused")
    elif stopped:
        notes.append(f"stopped {_listed(stopped)} launched from it keep working")
    return "; ".join(notes)


# --- VPC endpoints ------------------------------------------------------------------------------

#: The endpoint states a delete applies to (DescribeVpcEndpoints' State, lower case).
DELETABLE_ENDPOINT_STATES = frozenset({"available", "pendingacceptance", "rejected", "expired", "partial"})


def _describe_endpoint(ec2: Any, endpoint_id: str) -> dict[str, Any] | None:
    endpoints = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id]).get("VpcEndpoints", [])
    return next((e for e in endpoints if e.get("VpcEndpointId") == endpoint_id), None)


def _ec2_call_answer(step: Step, client: Any, method: str, **params: Any) -> dict[str, Any]:
    """``Step.ec2_call`` (DryRun first, audited), keeping AWS's answer: a batch API says in
    its body what it did not do."""
    carried_out = step.runner.dry_run(step, client, method, **params)
    if carried_out is not None:
        step.note = IGNORED_DRY_RUN
        return carried_out
    try:
        return step.runner.audited_call(step, client, method, **params)
    except ClientError as exc:
        raise failed(exc) from None


def delete_vpc_endpoint(step: Step) -> Verify:
    ec2 = step.client("ec2")
    endpoint = step.reread(lambda: _describe_endpoint(ec2, step.resource.id))
    state = str(endpoint.get("State", "")).lower()
    if state == "deleted":
        raise gone()
    if state == "deleting":
        step.refuse("already being deleted")
    if state not in DELETABLE_ENDPOINT_STATES:
        step.refuse(f"state is {state}; only an available, pending-acceptance, rejected or expired endpoint is deleted")
    if endpoint.get("RequesterManaged"):
        step.refuse("it is managed by another AWS service (RequesterManaged); delete it through that service")
    step.check_tags(tag_dict(endpoint.get("Tags")))
    answer = _ec2_call_answer(step, ec2, "delete_vpc_endpoints", VpcEndpointIds=[step.resource.id])
    request_id = request_id_of(answer)
    # DeleteVpcEndpoints answers 200 for the batch and lists the endpoints it did not delete.
    for item in answer.get("Unsuccessful") or []:
        error = item.get("Error") or {}
        code = str(error.get("Code") or "Unsuccessful")
        raise Failed(f"AWS did not delete it: {error.get('Message') or code}", code, request_id)

    def verify() -> ActionUpdate:
        def endpoint_state() -> str | None:
            current = step.find(lambda: _describe_endpoint(ec2, step.resource.id))
            return None if current is None else str(current.get("State", "")).lower()

        step.poll_state(endpoint_state, "deleted", "deleted", state)
        return step.done("deleted", deleted=True, request_id=request_id)

    return verify


def _endpoint_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    if str(resource.details.get("endpoint_type", "")).lower() == "gateway":
        return "its routes in the VPC's route tables go with it"
    return "its network interfaces go with it; private DNS names stop resolving"


ACTIONS = (
    ActionSpec(
        SNAPSHOT,
        "delete",
        delete_snapshot,
        iam_actions=("ec2:DescribeSnapshots", "ec2:DescribeImages", "ec2:DeleteSnapshot"),
        note=_snapshot_note,
    ),
    ActionSpec(
        IMAGE,
        "deregister",
        deregister_image,
        iam_actions=(
            "ec2:DescribeImages",
            "ec2:DescribeInstances",
            "ec2:DescribeSnapshots",
            "ec2:DeregisterImage",
            "ec2:DeleteSnapshot",
        ),
        note=_image_note,
        choices=(Choice("delete_image_snapshots", "Also delete the image's snapshots (named above)", False),),
    ),
    ActionSpec(
        VPC_ENDPOINT,
        "delete",
        delete_vpc_endpoint,
        iam_actions=("ec2:DescribeVpcEndpoints", "ec2:DeleteVpcEndpoints"),
        note=_endpoint_note,
    ),
)
