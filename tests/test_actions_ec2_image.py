"""tracker_tui/aws/actions/ec2_image.py against moto: deregistering an AMI (DryRun first), its
snapshots kept by default and deleted, each by its own audited call, when the box is ticked;
every refusal (running instances, protected, another account's), the audit lines, the plan's notes.

The rails every handler shares run on it through tests/support/rails/ec2_image.py.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.actions import (
    after_ec2_call,
    also_maps,
    delete_run,
    ec2_client,
    image_snapshots,
    on_ec2_call,
    snapshot_exists,
    snapshot_phases,
)
from tests.support.rails.base import FAST, REGION, scanned
from tests.support.rails.ec2_image import make_image
from tests.support.rails.ec2_snapshot import make_snapshot
from tracker_tui.aws.actions import Status, choices_for, plan
from tracker_tui.aws.actions.ec2_image import DELETE_SNAPSHOTS
from tracker_tui.aws.kinds.ec2_image import KIND as IMAGE
from tracker_tui.model import Resource
from tracker_tui.store import AuditLog


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


def _image_exists(image: str) -> bool:
    return bool(ec2_client().describe_images(ImageIds=[image])["Images"])


def test_deregister_keeps_the_images_snapshots_by_default_and_names_them(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({})
        (snap,) = image_snapshots(image)
        row = scanned(session, IMAGE)[image]
        (planned,) = plan([row], "delete")
        final, seen = delete_run(session, audit, row)
        assert not _image_exists(image)
        assert snapshot_exists(snap)

    assert planned.action == "deregister"
    assert planned.note == f"its snapshots stay and keep billing: {snap}"
    assert (final.status, final.message, final.deleted) == (
        Status.DONE,
        f"deregistered; its snapshots stay: {snap}",
        True,
    )
    assert seen == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]
    assert [p[:2] for p in snapshot_phases(audit)] == [
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
        also_maps(session, image, extra)
        snaps = [*image_snapshots(image), extra]
        final, _ = delete_run(session, audit, scanned(session, IMAGE)[image], choices={DELETE_SNAPSHOTS: True})
        assert not _image_exists(image)
        assert [snapshot_exists(s) for s in snaps] == [False, False]

    assert (final.status, final.deleted) == (Status.DONE, True)
    assert final.message == f"deregistered; snapshots deleted: {snaps[0]}, {snaps[1]}"
    assert snapshot_phases(audit) == [
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
        (doomed,) = image_snapshots(image)
        also_maps(session, image, kept)
        final, _ = delete_run(session, audit, scanned(session, IMAGE)[image], choices={DELETE_SNAPSHOTS: True})
        assert (snapshot_exists(kept), snapshot_exists(doomed)) == (True, False)

    assert (final.status, final.deleted) == (Status.DONE, True)
    assert final.message == f"deregistered; snapshots deleted: {doomed}; kept: {kept} (tag Do-Not-Delete is set)"
    assert not [line for line in audit.tail(100) if (line.get("params") or {}).get("SnapshotId") == kept]


def test_a_snapshot_that_fails_to_delete_is_reported_and_the_row_failed(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({})
        (snap,) = image_snapshots(image)
        on_ec2_call(session, "DeleteSnapshot", _real_call_fails("InvalidSnapshot.InUse", "in use by ami-0other"))
        final, _ = delete_run(session, audit, scanned(session, IMAGE)[image], choices={DELETE_SNAPSHOTS: True})
        assert not _image_exists(image)
        assert snapshot_exists(snap)

    # The image is gone (its row goes), but what was asked was not all done: a failure, named.
    assert (final.status, final.deleted, final.code) == (Status.FAILED, True, "InvalidSnapshot.InUse")
    assert final.message == f"deregistered; not deleted: {snap} (InvalidSnapshot.InUse: in use by ami-0other)"
    after = [line for line in audit.tail(100) if line["phase"] == "after" and line["operation"] == "DeleteSnapshot"]
    assert [(line["result"], line["code"]) for line in after] == [("error", "InvalidSnapshot.InUse")]


def test_an_image_in_use_by_a_running_instance_is_refused(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({})
        runs = ec2_client().run_instances(ImageId=image, MinCount=2, MaxCount=2)["Instances"]
        row = scanned(session, IMAGE)[image]
        (planned,) = plan([row], "delete")
        final, _ = delete_run(session, audit, row)
        assert _image_exists(image)

    ids = ", ".join(r["InstanceId"] for r in runs)
    assert (final.status, final.message) == (Status.REFUSED, f"in use by running instances {ids}")
    assert planned.note.endswith(f"in use by running {ids}: refused")
    assert audit.tail(100) == []


def test_an_image_launched_since_the_scan_is_refused_as_in_use(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({})
        row = scanned(session, IMAGE)[image]
        assert row.details["in_use_by"] == 0
        instance = ec2_client().run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        final, _ = delete_run(session, audit, row)

    assert (final.status, final.message) == (Status.REFUSED, f"in use by running instance {instance}")


def test_an_image_only_stopped_instances_use_is_deregistered(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({})
        instance = ec2_client().run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        ec2_client().stop_instances(InstanceIds=[instance])
        row = scanned(session, IMAGE)[image]
        (planned,) = plan([row], "delete")
        final, _ = delete_run(session, audit, row)
        assert not _image_exists(image)

    assert planned.note.endswith(f"stopped {instance} launched from it keep working")
    assert final.status is Status.DONE


@pytest.mark.parametrize("tag", ["DO-NOT-DELETE", "protected"])
def test_a_protected_image_is_refused(audit: AuditLog, tag: str) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({tag: "true"})
        final, _ = delete_run(session, audit, scanned(session, IMAGE)[image], choices={DELETE_SNAPSHOTS: True})
        assert _image_exists(image)

    assert (final.status, final.message) == (Status.REFUSED, f"tag {tag} is set")
    assert audit.tail(100) == []


def test_another_accounts_image_is_refused_when_re_read(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({})
        row = scanned(session, IMAGE)[image]
        after_ec2_call(session, "DescribeImages", lambda parsed: parsed["Images"][0].update(OwnerId="210987654321"))
        final, _ = delete_run(session, audit, row)

    assert (final.status, final.message) == (
        Status.REFUSED,
        "the AMI belongs to account 210987654321; tracker-tui acts only on the account's own",
    )
