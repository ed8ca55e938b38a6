"""tracker_tui/aws/actions/ec2_image.py against moto: deregistering an AMI (DryRun first), its
snapshots kept by default and deleted, each by its own audited call, when the box is ticked;
every refusal (running instances, protected, another account's), the audit lines, the plan's notes.

The rails every handler shares run on it through tests/support/rails/ec2_image.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.support import helpers
from tests.support.rails.ec2_image import make_image
from tests.support.rails.ec2_snapshot import make_snapshot
from tracker_tui.aws.actions import ActionOptions, ActionRunner, ActionUpdate, Status, choices_for, plan
from tracker_tui.aws.actions.ec2_image import DELETE_SNAPSHOTS
from tracker_tui.aws.kinds import price_resources
from tracker_tui.aws.kinds.ec2_image import KIND as IMAGE
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Resource
from tracker_tui.store import AuditLog

ACCOUNT = "123456789012"
REGION = "us-east-1"
AMI = "ami-12c6146b"
FAST = ActionOptions(poll_interval=0.01, verify_timeout=5)


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


def _ec2() -> Any:
    return boto3.client("ec2", region_name=REGION)


def _rows(session: AwsSession, kind: str) -> dict[str, Resource]:
    resources, _ = helpers.scan([kind], [REGION], session=session)
    return {r.id: r for r in price_resources(resources)}


def _run(session: AwsSession, audit: AuditLog, row: Resource, **options: Any) -> tuple[ActionUpdate, list[Status]]:
    runner = ActionRunner(session, ACCOUNT, dataclasses.replace(FAST, **options), audit=audit)
    seen: list[ActionUpdate] = []
    (final,) = runner.run(plan([row], "delete", runner.options), seen.append)
    return final, [u.status for u in seen]


def _phases(audit: AuditLog) -> list[tuple[str, str, str]]:
    return [
        (line["phase"], line["operation"], (line.get("params") or {}).get("SnapshotId", "")) for line in audit.tail(100)
    ]


def _on_call(session: AwsSession, operation: str, handler: Callable[..., Any]) -> None:
    client = session.client("ec2", REGION)
    client.meta.events.register(f"before-call.ec2.{operation}", handler)


def _after_call(session: AwsSession, operation: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Alter every later answer of ``operation`` (after the scan: only the handler's re-read sees it)."""
    client = session.client("ec2", REGION)
    client.meta.events.register(f"after-call.ec2.{operation}", lambda parsed, **_: change(parsed) if parsed else None)


def _real_call_fails(code: str, message: str, only: str = "") -> Callable[..., Any]:
    """A before-call hook answering the real call (not its DryRun) with an AWS error."""

    def hook(params: dict[str, Any], **_: Any) -> Any:
        body = params.get("body") or {}
        if str(body.get("DryRun", "")).lower() == "true" or (only and body.get("SnapshotId") != only):
            return None
        return SimpleNamespace(status_code=400, headers={}), {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"RequestId": f"req-{code}", "HTTPStatusCode": 400},
        }

    return hook


def _also_maps(session: AwsSession, image: str, snapshot: str) -> None:
    """Every later DescribeImages answer has ``image`` name ``snapshot`` too (moto's RegisterImage
    ignores the block device mappings it is given, so an AMI of several snapshots is made so)."""

    def change(parsed: dict[str, Any]) -> None:
        for found in parsed.get("Images", []):
            if found["ImageId"] == image:
                found["BlockDeviceMappings"].append({"DeviceName": "/dev/xvdz", "Ebs": {"SnapshotId": snapshot}})

    _after_call(session, "DescribeImages", change)


def _snapshot_exists(ident: str) -> bool:
    try:
        return bool(_ec2().describe_snapshots(SnapshotIds=[ident])["Snapshots"])
    except ClientError:
        return False


def _image_snapshots(image: str) -> list[str]:
    (found,) = _ec2().describe_images(ImageIds=[image])["Images"]
    return [m["Ebs"]["SnapshotId"] for m in found["BlockDeviceMappings"] if m.get("Ebs")]


def _image_exists(image: str) -> bool:
    return bool(_ec2().describe_images(ImageIds=[image])["Images"])


def test_deregister_keeps_the_images_snapshots_by_default_and_names_them(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({})
        (snap,) = _image_snapshots(image)
        row = _rows(session, IMAGE)[image]
        (planned,) = plan([row], "delete")
        final, seen = _run(session, audit, row)
        assert not _image_exists(image)
        assert _snapshot_exists(snap)

    assert planned.action == "deregister"
    assert planned.note == f"its snapshots stay and keep billing: {snap}"
    assert (final.status, final.message, final.deleted) == (
        Status.DONE,
        f"deregistered; its snapshots stay: {snap}",
        True,
    )
    assert seen == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]
    assert [p[:2] for p in _phases(audit)] == [
        ("before", "DeregisterImage"), ("dry-run", "DeregisterImage"),
        ("before", "DeregisterImage"), ("after", "DeregisterImage"),
    ]  # fmt: skip


def test_the_confirm_dialog_offers_the_snapshots_box_unticked() -> None:
    row = Resource(kind=IMAGE, id="ami-1", region=REGION, details={"snapshot_ids": ["snap-1", "snap-2"]})
    planned = plan([row], "delete")
    # The box is the action's own declaration, unticked unless the user ticks it.
    assert choices_for(planned) == [DELETE_SNAPSHOTS]
    assert (DELETE_SNAPSHOTS.default, DELETE_SNAPSHOTS.label) == (
        False,
        "Also delete the image's snapshots (named above)",
    )
    (ticked,) = plan([row], "delete", FAST.choosing({DELETE_SNAPSHOTS: True}))
    assert ticked.note == "its snapshots are deleted too: snap-1, snap-2"


def test_deregister_with_the_box_ticked_deletes_each_snapshot_by_its_own_audited_call(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image, extra = make_image({}), make_snapshot({})
        _also_maps(session, image, extra)
        snaps = [*_image_snapshots(image), extra]
        final, _ = _run(session, audit, _rows(session, IMAGE)[image], choices={DELETE_SNAPSHOTS: True})
        assert not _image_exists(image)
        assert [_snapshot_exists(s) for s in snaps] == [False, False]

    assert (final.status, final.deleted) == (Status.DONE, True)
    assert final.message == f"deregistered; snapshots deleted: {snaps[0]}, {snaps[1]}"
    assert _phases(audit) == [
        ("before", "DeregisterImage", ""), ("dry-run", "DeregisterImage", ""),
        ("before", "DeregisterImage", ""), ("after", "DeregisterImage", ""),
        *[line for s in snaps for line in (
            ("before", "DeleteSnapshot", s), ("dry-run", "DeleteSnapshot", s),
            ("before", "DeleteSnapshot", s), ("after", "DeleteSnapshot", ""),
        )],
    ]  # fmt: skip
    # Each line names the row acted on (the image); the snapshot is in the call's parameters.
    assert {line["id"] for line in audit.tail(100)} == {final.resource.id}


def test_a_protected_snapshot_of_the_image_is_kept_and_named(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image, kept = make_image({}), make_snapshot({"Do-Not-Delete": "1"})
        (doomed,) = _image_snapshots(image)
        _also_maps(session, image, kept)
        final, _ = _run(session, audit, _rows(session, IMAGE)[image], choices={DELETE_SNAPSHOTS: True})
        assert (_snapshot_exists(kept), _snapshot_exists(doomed)) == (True, False)

    assert (final.status, final.deleted) == (Status.DONE, True)
    assert final.message == f"deregistered; snapshots deleted: {doomed}; kept: {kept} (tag Do-Not-Delete is set)"
    assert not [line for line in audit.tail(100) if (line.get("params") or {}).get("SnapshotId") == kept]


def test_a_snapshot_that_fails_to_delete_is_reported_and_the_row_failed(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({})
        (snap,) = _image_snapshots(image)
        _on_call(session, "DeleteSnapshot", _real_call_fails("InvalidSnapshot.InUse", "in use by ami-0other"))
        final, _ = _run(session, audit, _rows(session, IMAGE)[image], choices={DELETE_SNAPSHOTS: True})
        assert not _image_exists(image)
        assert _snapshot_exists(snap)

    # The image is gone (its row goes), but what was asked was not all done: a failure, named.
    assert (final.status, final.deleted, final.code) == (Status.FAILED, True, "InvalidSnapshot.InUse")
    assert final.message == f"deregistered; not deleted: {snap} (InvalidSnapshot.InUse: in use by ami-0other)"
    after = [line for line in audit.tail(100) if line["phase"] == "after" and line["operation"] == "DeleteSnapshot"]
    assert [(line["result"], line["code"]) for line in after] == [("error", "InvalidSnapshot.InUse")]


def test_an_image_in_use_by_a_running_instance_is_refused(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({})
        runs = _ec2().run_instances(ImageId=image, MinCount=2, MaxCount=2)["Instances"]
        row = _rows(session, IMAGE)[image]
        (planned,) = plan([row], "delete")
        final, _ = _run(session, audit, row)
        assert _image_exists(image)

    ids = ", ".join(r["InstanceId"] for r in runs)
    assert (final.status, final.message) == (Status.REFUSED, f"in use by running instances {ids}")
    assert planned.note.endswith(f"in use by running {ids}: refused")
    assert audit.tail(100) == []


def test_an_image_launched_since_the_scan_is_refused_as_in_use(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({})
        row = _rows(session, IMAGE)[image]
        assert row.details["in_use_by"] == 0
        instance = _ec2().run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        final, _ = _run(session, audit, row)

    assert (final.status, final.message) == (Status.REFUSED, f"in use by running instance {instance}")


def test_an_image_only_stopped_instances_use_is_deregistered(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({})
        instance = _ec2().run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        _ec2().stop_instances(InstanceIds=[instance])
        row = _rows(session, IMAGE)[image]
        (planned,) = plan([row], "delete")
        final, _ = _run(session, audit, row)
        assert not _image_exists(image)

    assert planned.note.endswith(f"stopped {instance} launched from it keep working")
    assert final.status is Status.DONE


@pytest.mark.parametrize("tag", ["DO-NOT-DELETE", "protected"])
def test_a_protected_image_is_refused(audit: AuditLog, tag: str) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({tag: "true"})
        final, _ = _run(session, audit, _rows(session, IMAGE)[image], choices={DELETE_SNAPSHOTS: True})
        assert _image_exists(image)

    assert (final.status, final.message) == (Status.REFUSED, f"tag {tag} is set")
    assert audit.tail(100) == []


def test_another_accounts_image_is_refused_when_re_read(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({})
        row = _rows(session, IMAGE)[image]
        _after_call(session, "DescribeImages", lambda parsed: parsed["Images"][0].update(OwnerId="210987654321"))
        final, _ = _run(session, audit, row)

    assert (final.status, final.message) == (
        Status.REFUSED,
        "the AMI belongs to account 210987654321; tracker-tui acts only on the account's own",
    )
