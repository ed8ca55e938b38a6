"""Deregistering an AMI (``ec2:image``), and its snapshots too if the user ticks the box.

The calls go first with ``DryRun=True``.  Only the account's own images are acted on; an
image a running instance was launched from is refused (stopped ones keep working without
it).  Which of the image's snapshots may go is decided before anything changes, so a
protected snapshot stays; each one then goes by its own audited call once the image is gone.
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
    gone,
)
from tracker_tui.aws.actions.ec2_snapshot import check_own, listed, plural, snapshot_exists
from tracker_tui.aws.kinds.base import tag_dict
from tracker_tui.aws.kinds.ec2_image import KIND as IMAGE
from tracker_tui.aws.kinds.ec2_image import RUNNING_STATES, USING_STATES
from tracker_tui.aws.kinds.ec2_snapshot import snapshot_ids_of
from tracker_tui.model import Resource

#: Deregistering an image also deletes its snapshots only when the user ticks this (off by
#: default): they may back other images' copies or be kept on purpose.
DELETE_SNAPSHOTS = Choice("delete_image_snapshots", "Also delete the image's snapshots (named above)", False)


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
    check_own(step, image, "AMI")
    state = str(image.get("State", ""))
    if state == "deregistered":
        raise gone()
    if state in ("pending", "transient"):
        step.refuse(f"state is {state}; wait until it is available")
    step.check_tags(tag_dict(image.get("Tags")))
    users = step.read_or_refuse(lambda: _instances_using(ec2, step.resource.id), "instances")
    running = [ident for ident, status in users if status in RUNNING_STATES]
    if running:
        step.refuse(f"in use by running {plural(len(running), 'instance', 'instances')} {listed(running)}")
    snapshots = snapshot_ids_of(image)
    deleting = step.choice(DELETE_SNAPSHOTS) and bool(snapshots)
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
            message = f"deregistered; its snapshots stay: {listed(snapshots)}" if snapshots else "deregistered"
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
        remaining.difference_update([sid for sid in sorted(remaining) if not snapshot_exists(ec2, sid)])
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
        parts.append(f"snapshots deleted: {listed(deleted)}")
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
    if snapshots and options.choice(DELETE_SNAPSHOTS):
        notes.append(f"its snapshots are deleted too: {listed(snapshots)}")
    elif snapshots:
        notes.append(f"its snapshots stay and keep billing: {listed(snapshots)}")
    running = [str(i) for i in d.get("running_instance_ids") or []]
    stopped = [str(i) for i in d.get("instance_ids") or [] if str(i) not in running]
    if running:
        notes.append(f"in use by running {listed(running)}: refused")
    elif stopped:
        notes.append(f"stopped {listed(stopped)} launched from it keep working")
    return "; ".join(notes)


ACTIONS = (
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
        choices=(DELETE_SNAPSHOTS,),
    ),
)
