"""``m`` on an EBS snapshot: ModifySnapshotTier to the archive tier, in place (``archive_snapshot``
of aws/actions/ec2_snapshot.py, whose delete is tested in tests/test_actions_ec2_snapshot.py),
against moto; and what the dialog says it saves and costs (``archive_saving`` of
aws/kinds/ec2_snapshot.py).

DryRun first, audited, verified (AWS lists this archive as in progress, or completed with the
snapshot reading the archive tier), and the row comes back repriced at the archive rate.  Every
refusal leaves the snapshot in the standard tier and calls nothing.

moto 5.2 implements ModifySnapshotTier (DryRun honoured) and DescribeSnapshotTierStatus, and
archives at once (``archival-completed``); AWS's ``archival-in-progress``, a failure after the
call, a restore under way and a lagging answer are injected with botocore hooks.  The rails every
handler shares run on it through tests/support/rails/ec2_snapshot.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.actions import act, after_ec2_call, ec2_client, on_ec2_call, statuses
from tests.support.helpers import error_response
from tests.support.rails.base import ACCOUNT, REGION, scanned
from tests.support.rails.ec2_image import make_image
from tests.support.rails.ec2_snapshot import make_snapshot
from tracker_tui.aws.actions import ACTION_SPECS, Status, needs_typed_name, plan
from tracker_tui.aws.actions.ec2_snapshot import _this_snapshot
from tracker_tui.aws.kinds.base import CellContext
from tracker_tui.aws.kinds.ec2_snapshot import KIND as SNAPSHOT
from tracker_tui.aws.kinds.ec2_snapshot import ArchiveEstimate, archive_estimate, archive_saving
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Resource
from tracker_tui.store import AuditLog

#: The undo every note ends with.
UNDO = "undo: aws ec2 restore-snapshot-tier --permanent-restore"


def _tier(snapshot_id: str) -> str:
    (snap,) = ec2_client().describe_snapshots(SnapshotIds=[snapshot_id])["Snapshots"]
    return str(snap.get("StorageTier"))


def _tier_status(snapshot_id: str) -> dict[str, Any]:
    reply = ec2_client().describe_snapshot_tier_status(Filters=[{"Name": "snapshot-id", "Values": [snapshot_id]}])
    (status,) = reply["SnapshotTierStatuses"]
    return dict(status)


def _row(snapshot_id: str = "snap-0example", size: Any = 100, region: str = REGION, **details: Any) -> Resource:
    return Resource(
        kind=SNAPSHOT,
        id=snapshot_id,
        region=region,
        state="completed",
        details={"volume_size_gib": size, "storage_tier": "standard", **details},
    )


def _acted(session: AwsSession) -> list[bool]:
    """Holds True once ModifySnapshotTier (the real call, not its DryRun) has answered."""
    acted: list[bool] = []

    def archived(http_response: Any, **_: Any) -> None:
        if http_response.status_code < 300:
            acted.append(True)

    session.client("ec2", REGION).meta.events.register("after-call.ec2.ModifySnapshotTier", archived)
    return acted


def _after_archive(session: AwsSession, operation: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Change ``operation``'s answers once ModifySnapshotTier has answered."""
    acted = _acted(session)
    after_ec2_call(session, operation, lambda parsed: change(parsed) if acted else None)


def _until_archived(session: AwsSession, operation: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Change ``operation``'s answers until ModifySnapshotTier has answered (what the re-read sees)."""
    acted = _acted(session)
    after_ec2_call(session, operation, lambda parsed: None if acted else change(parsed))


def _tiering(status: str, progress: int | None = None, **fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(parsed: dict[str, Any]) -> None:
        for found in parsed.get("SnapshotTierStatuses", []):
            found["LastTieringOperationStatus"] = status
            if progress is not None:
                found["LastTieringProgress"] = progress
            found.update(fields)

    return change


def _standard_tier(parsed: dict[str, Any]) -> None:
    for found in parsed.get("Snapshots", []):
        found["StorageTier"] = "standard"


# --- the action -----------------------------------------------------------------------------


def test_archive_moves_the_snapshot_to_the_archive_tier_verifies_and_reprices_the_row(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({"team": "data"})
        row = scanned(session, SNAPSHOT)[snap]
        assert (row.details["storage_tier"], row.details["volume_size_gib"], row.monthly_cost) == ("standard", 8, 0.40)
        (planned,) = plan([row], "modify")

        (done,), seen = act(session, audit, [row], "modify")

        tier, status = _tier(snap), _tier_status(snap)
    assert statuses(seen, snap) == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]
    assert (done.status, done.action, done.deleted) == (Status.DONE, "modify", False)
    assert done.message == "archived: in the archive tier now (a restore takes 24-72 h)"
    # AWS has it archived, the same snapshot (in place: nothing deleted or copied).
    assert (tier, status["LastTieringOperationStatus"]) == ("archive", "archival-completed")
    # The row as re-read: archive tier, priced at the archive rate (8 GiB x $0.0125 = $0.10),
    # cheaper by exactly what the dialog said it saves (8 x $0.05 = $0.40, less $0.10: $0.30).
    fresh = done.result
    assert fresh is not None and fresh.id == snap
    assert (fresh.details["storage_tier"], fresh.state, fresh.monthly_cost) == ("archive", "completed", 0.10)
    assert fresh.cost_basis is not None and fresh.cost_basis.startswith("archive tier us-east-1: 8 GiB")
    assert planned.saving == 0.30
    assert row.monthly_cost is not None and fresh.monthly_cost is not None
    assert round(row.monthly_cost - fresh.monthly_cost, 2) == planned.saving
    # DryRun first, then the call, each audited before with what is asked, and after.
    lines = audit.tail(10)
    assert [(line["phase"], line["operation"], line["id"]) for line in lines] == [
        ("before", "ModifySnapshotTier", snap), ("dry-run", "ModifySnapshotTier", snap),
        ("before", "ModifySnapshotTier", snap), ("after", "ModifySnapshotTier", snap),
    ]  # fmt: skip
    asked = [line["params"] for line in lines if line["phase"] == "before"]
    assert asked == [
        {"SnapshotId": snap, "StorageTier": "archive", "DryRun": True},
        {"SnapshotId": snap, "StorageTier": "archive"},
    ]
    assert done.request_id and done.request_id == lines[-1]["request_id"]


def test_an_archive_aws_lists_in_progress_is_done_and_says_it_is_in_progress(audit: AuditLog) -> None:
    """Archiving a large snapshot takes hours: AWS accepting it and listing it under way is done,
    said so, and the row stays in the standard tier (and its price) until a rescan sees it archived."""
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = scanned(session, SNAPSHOT)[snap]
        in_progress = _tiering("archival-in-progress", 40, StorageTier="standard")
        _after_archive(session, "DescribeSnapshotTierStatus", in_progress)
        _after_archive(session, "DescribeSnapshots", _standard_tier)

        (done,), _ = act(session, audit, [row], "modify")

    assert (done.status, done.message) == (
        Status.DONE,
        "archiving: AWS is moving it to the archive tier (archival-in-progress, 40%); "
        "a large snapshot takes hours: rescan to see it archived",
    )
    assert done.result is not None
    assert (done.result.details["storage_tier"], done.result.monthly_cost) == ("standard", 0.40)


def test_an_archive_completed_while_the_snapshot_still_reads_standard_is_not_done(audit: AuditLog) -> None:
    """Completed needs both reads to agree: a tier status alone could be a lagging or stale answer."""
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = scanned(session, SNAPSHOT)[snap]
        _after_archive(session, "DescribeSnapshots", _standard_tier)

        (done,), _ = act(session, audit, [row], "modify", verify_timeout=0.2)

    assert (done.status, done.code) == (Status.FAILED, "VerifyTimeout")
    assert done.message == (
        "asked AWS to modify it, but it was not archived or being archived within 0.2 s "
        "(state: archival-completed, the snapshot reads standard tier); rescan to check"
    )
    assert done.result is None


def test_a_tiering_status_other_than_archiving_or_archived_is_not_done(audit: AuditLog) -> None:
    """Only "archival-in-progress" or "archival-completed" (with the archive tier read) is done:
    any other status after the call (a restore, an unknown word) keeps the poll going."""
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = scanned(session, SNAPSHOT)[snap]
        _after_archive(session, "DescribeSnapshotTierStatus", _tiering("temporary-restore-in-progress"))

        (done,), _ = act(session, audit, [row], "modify", verify_timeout=0.2)

    assert (done.status, done.code) == (Status.FAILED, "VerifyTimeout")
    assert "(state: temporary-restore-in-progress)" in done.message


def test_an_archive_that_fails_after_aws_accepted_it_is_failed_with_awss_reason(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = scanned(session, SNAPSHOT)[snap]
        _after_archive(
            session,
            "DescribeSnapshotTierStatus",
            _tiering("archival-failed", LastTieringOperationStatusDetail="Internal error"),
        )

        (done,), _ = act(session, audit, [row], "modify")

    assert (done.status, done.code, done.message) == (
        Status.FAILED,
        "ArchivalFailed",
        "AWS accepted the archiving, then it failed: Internal error",
    )
    after = [line for line in audit.tail(10) if line["phase"] == "after"]
    assert done.request_id and done.request_id == after[-1]["request_id"]


def test_an_earlier_failed_archive_still_listed_after_the_call_is_not_taken_for_this_one(audit: AuditLog) -> None:
    """The tier status names the last archive: until it lists one started since the call (a new
    LastTieringStartTime), an earlier failure is old news, neither this archive's failure nor its done."""
    earlier = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = scanned(session, SNAPSHOT)[snap]
        acted = _acted(session)
        stale_reads = [2]  # after the call, AWS still answers with the earlier attempt twice

        def earlier_attempt(parsed: dict[str, Any]) -> None:
            if acted:
                if stale_reads[0] == 0:
                    return
                stale_reads[0] -= 1
            _tiering("archival-failed", LastTieringStartTime=earlier)(parsed)

        after_ec2_call(session, "DescribeSnapshotTierStatus", earlier_attempt)

        (done,), _ = act(session, audit, [row], "modify")

        tier = _tier(snap)
    assert (done.status, done.message) == (Status.DONE, "archived: in the archive tier now (a restore takes 24-72 h)")
    assert tier == "archive" and stale_reads == [0]


# --- refusals: nothing is called and the snapshot stays in the standard tier ----------------------


def _refused(session: AwsSession, audit: AuditLog, snap: str, row: Resource, message: str, **expect: Any) -> None:
    (done,), seen = act(session, audit, [row], "modify")
    assert (done.status, done.message) == (Status.REFUSED, message)
    assert done.deleted is expect.get("deleted", False)
    assert statuses(seen, row.id) == [Status.REQUESTED, Status.IN_PROGRESS, Status.REFUSED]
    assert audit.tail(100) == []  # not even the DryRun
    if not done.deleted:
        assert _tier(snap) == "standard"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"OwnerId": "210987654321"},
         "the snapshot belongs to account 210987654321; tracker-tui acts only on the account's own"),
        ({"State": "pending", "Progress": "40%"},
         "it is still being created (40%); only a completed snapshot can be archived"),
        ({"State": "error"}, "state is error; only a completed snapshot can be archived"),
        ({"State": "recoverable"}, "state is recoverable; only a completed snapshot can be archived"),
        ({"StorageTier": "archive"}, "it is in the archive tier already (StorageTier archive)"),
        ({"RestoreExpiryTime": datetime(2026, 12, 24, 9, 0, tzinfo=UTC)},
         "it is restored from the archive tier until 2026-12-24T09:00:00Z (RestoreExpiryTime) and AWS archives it "
         "again then; to end the restore sooner: aws ec2 restore-snapshot-tier --temporary-restore-days 1"),
    ],
    ids=["another-account", "pending", "error", "recoverable", "archived", "temporarily-restored"],
)  # fmt: skip
def test_a_snapshot_re_read_as_one_aws_does_not_archive_is_refused(
    audit: AuditLog, changes: dict[str, Any], message: str
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = scanned(session, SNAPSHOT)[snap]
        after_ec2_call(session, "DescribeSnapshots", lambda parsed: parsed["Snapshots"][0].update(changes))
        _refused(session, audit, snap, row, message)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (_tiering("archival-in-progress", 40), "it is being archived already (archival-in-progress, 40%)"),
        (_tiering("temporary-restore-in-progress", 10),
         "a restore from the archive tier is under way (temporary-restore-in-progress, 10%); AWS cannot cancel it: "
         "try again once it has completed"),
        (_tiering("permanent-restore-in-progress"),
         "a restore from the archive tier is under way (permanent-restore-in-progress); AWS cannot cancel it: "
         "try again once it has completed"),
        (_tiering("archival-completed", StorageTier="archive"),
         "it is in the archive tier already (StorageTier archive)"),
    ],
    ids=["archiving", "temporary-restore", "permanent-restore", "archived"],
)  # fmt: skip
def test_a_snapshot_whose_tier_status_says_an_archive_or_restore_is_under_way_or_done_is_refused(
    audit: AuditLog, status: Callable[[dict[str, Any]], None], message: str
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = scanned(session, SNAPSHOT)[snap]
        after_ec2_call(session, "DescribeSnapshotTierStatus", status)
        _refused(session, audit, snap, row, message)


def test_an_earlier_failed_archive_does_not_refuse_a_new_one(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = scanned(session, SNAPSHOT)[snap]
        _until_archived(session, "DescribeSnapshotTierStatus", _tiering("archival-failed"))

        (done,), _ = act(session, audit, [row], "modify")

    assert done.status is Status.DONE, done.message


def test_a_snapshot_deleted_since_the_scan_is_refused_as_gone(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = scanned(session, SNAPSHOT)[snap]
        ec2_client().delete_snapshot(SnapshotId=snap)
        _refused(session, audit, snap, row, "it no longer exists (deleted since the scan)", deleted=True)


@pytest.mark.parametrize("tag", ["do-not-delete", "Protected"])
def test_a_protected_snapshot_is_refused(audit: AuditLog, tag: str) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({tag: "yes"})
        _refused(session, audit, snap, scanned(session, SNAPSHOT)[snap], f"tag {tag} is set")


def test_a_snapshot_an_own_ami_uses_is_refused_as_aws_would(audit: AuditLog) -> None:
    """AWS archives no snapshot an enabled AMI uses (moto would: the refusal is ours)."""
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({})
        (found,) = ec2_client().describe_images(ImageIds=[image])["Images"]
        snap = found["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]
        row = scanned(session, SNAPSHOT)[snap]
        _refused(
            session,
            audit,
            snap,
            row,
            f"it backs AMI {image}; AWS archives no snapshot an enabled AMI uses: "
            "deregister or disable the image first",
        )
    # The dialog says so before anything runs.
    (planned,) = plan([row], "modify")
    assert planned.note == f"it backs AMI {image}: refused until the image is deregistered or disabled"


@pytest.mark.parametrize(
    ("share", "whom"),
    [
        ({"UserIds": ["111122223333"]}, "account 111122223333"),
        ({"GroupNames": ["all"]}, "everyone (public)"),
    ],
    ids=["an-account", "public"],
)
def test_a_shared_snapshot_is_refused_since_archiving_ends_their_access(
    audit: AuditLog, share: dict[str, list[str]], whom: str
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        ec2_client().modify_snapshot_attribute(
            SnapshotId=snap, Attribute="createVolumePermission", OperationType="add", **share
        )
        row = scanned(session, SNAPSHOT)[snap]
        _refused(
            session,
            audit,
            snap,
            row,
            f"it is shared with {whom} (createVolumePermission); archiving ends their access: stop sharing it first",
        )


@pytest.mark.parametrize(
    ("operation", "what"),
    [
        ("DescribeSnapshotTierStatus", "storage tier status"),
        ("DescribeImages", "AMIs"),
        ("DescribeSnapshotAttribute", "sharing (createVolumePermission)"),
    ],
)
def test_a_check_that_cannot_be_read_refuses_rather_than_archive_unchecked(
    audit: AuditLog, operation: str, what: str
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = scanned(session, SNAPSHOT)[snap]
        on_ec2_call(session, operation, lambda **_: error_response("UnauthorizedOperation", "not allowed"))
        _refused(
            session,
            audit,
            snap,
            row,
            f"cannot read its {what} (UnauthorizedOperation: not allowed); refusing without checking",
        )


# --- what the dialog says: the saving, the note, the confirmation -----------------------------------


def test_the_saving_of_a_100_gib_snapshot_in_us_east_1() -> None:
    saving, basis, confidence = archive_saving(_row(size=100))

    # Standard (today, an upper bound): 100 GiB x $0.05/GB-mo = $5.00.
    # Archive (the full snapshot, at most the volume's size): 100 GiB x $0.0125/GB-mo = $1.25.
    # Saving: $5.00 - $1.25 = $3.75 a month.
    assert (saving, confidence) == (3.75, "low")
    assert basis == (
        "standard 100 GiB x $0.05/GB-mo = $5.00 - archive 100 GiB x $0.0125/GB-mo = $1.25, both at the volume's "
        "size (upper bounds) = $3.75/mo; standard bills only the blocks changed since the volume's previous "
        "snapshot, archive bills the full snapshot: for the only snapshot of a volume the two hold the same "
        "blocks and this saving holds; for one of several, the blocks later snapshots share stay billed in the "
        "standard tier, so it saves less and archiving can cost more; the archive bills 90 days at least"
    )
    found = archive_estimate(_row(size=100))
    assert isinstance(found, ArchiveEstimate)
    # At least 90 days billed, as AWS bills them (3 30-day months): 100 x $0.0125 x 3 = $3.75;
    # one restore: 100 GB x $0.03 = $3.00.
    assert (found.standard_monthly, found.archive_monthly, found.minimum_charge, found.restore_fee) == (
        5.00,
        1.25,
        3.75,
        3.00,
    )


@pytest.mark.parametrize(
    ("region", "size", "saving"),
    [
        # 100 x $0.068 = $6.80; 100 x $0.017 = $1.70; $6.80 - $1.70 = $5.10.
        ("sa-east-1", 100, 5.10),
        # Each side in cents, as each row is priced: 100 x $0.055 = $5.50; 100 x $0.01375 = $1.375 -> $1.38;
        # $5.50 - $1.38 = $4.12 (what the row's cost drops by, not $4.125 -> $4.13).
        ("ap-southeast-2", 100, 4.12),
        # 8 x $0.05 = $0.40; 8 x $0.0125 = $0.10; $0.30.
        ("us-east-1", 8, 0.30),
    ],
)
def test_the_saving_is_each_tiers_regional_price_in_cents(region: str, size: int, saving: float) -> None:
    assert archive_saving(_row(size=size, region=region))[0] == saving


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (_row(storage_tier="archive"), (0.0, "in the archive tier already: archiving saves nothing more", "high")),
        (_row(restore_expiry_time="2026-12-24T09:00:00Z"),
         (0.0, "restored from the archive tier until 2026-12-24T09:00:00Z, then archived again by AWS: archiving "
          "saves nothing more", "high")),
        (_row(size=None), (None, "snapshot size unknown", "low")),
        (_row(region="xx-nowhere-1"), (None, "no catalogue prices for region xx-nowhere-1", "low")),
    ],
    ids=["archived", "temporarily-restored", "size-unknown", "region-unknown"],
)  # fmt: skip
def test_an_archived_row_saves_nothing_and_an_unpriced_one_an_unknown_amount(
    row: Resource, expected: tuple[float | None, str, str]
) -> None:
    assert archive_saving(row) == expected


def test_the_dialogs_saving_and_note_for_a_100_gib_snapshot() -> None:
    (planned,) = plan([_row(size=100)], "modify")

    assert (planned.action, planned.saving) == ("modify", 3.75)
    assert planned.saving == archive_saving(_row(size=100))[0]
    assert planned.note == (
        "archive tier: up to $1.25/mo (now up to $5.00/mo), a full copy of at most 100 GiB: that saving holds for "
        "a volume's only snapshot, one of several saves less or costs more; no volume can be made from it until "
        "it is restored: 24-72 h, $0.03/GB (up to $3.00); billed 90 days at least (up to $3.75) even if deleted "
        f"or permanently restored sooner; {UNDO}"
    )


@pytest.mark.parametrize(
    ("row", "note"),
    [
        (_row(storage_tier="archive"), "in the archive tier already (it will be refused)"),
        (_row(restore_expiry_time="2026-12-24T09:00:00Z"),
         "restored from the archive tier until 2026-12-24T09:00:00Z, then archived again by AWS (it will be refused)"),
        (_row(backs_image="ami-1", backs_images=["ami-1", "ami-2"]),
         "it backs AMIs ami-1, ami-2: refused until they are deregistered or disabled"),
        (_row(size=None),
         "archive tier cost unknown (snapshot size unknown); no volume can be made from it until it is restored: "
         f"24-72 h, $0.03/GB; billed 90 days at least even if deleted or permanently restored sooner; {UNDO}"),
    ],
    ids=["archived", "temporarily-restored", "backs-amis", "size-unknown"],
)  # fmt: skip
def test_the_note_says_what_will_be_refused_and_what_is_unknown(row: Resource, note: str) -> None:
    (planned,) = plan([row], "modify")
    assert planned.note == note


def test_one_snapshot_archives_with_y_several_need_the_account_typed() -> None:
    """Nothing is lost (the same snapshot, restorable): one row confirms like a stop; a delete never does."""
    one, two = _row("snap-1"), _row("snap-2")

    assert ACTION_SPECS[(SNAPSHOT, "modify")].single_key
    assert not needs_typed_name(plan([one], "modify"))
    assert needs_typed_name(plan([one, two], "modify"))
    assert needs_typed_name(plan([one], "delete"))


def test_the_reprice_rereads_one_snapshot_and_still_maps_the_amis_it_backs() -> None:
    """``reread_resource(list_snapshots, SnapshotIds=...)`` would pass SnapshotIds to DescribeImages
    too; the narrowed lister passes it to DescribeSnapshots only, so the row is mapped as a scan maps it."""
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({})
        (found,) = ec2_client().describe_images(ImageIds=[image])["Images"]
        backing = found["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]
        make_snapshot({})
        calls: list[tuple[str, dict[str, Any]]] = []
        session.client("ec2", REGION).meta.events.register(
            "before-parameter-build.ec2", lambda params, model, **_: calls.append((model.name, dict(params)))
        )

        ctx = CellContext(session=session, region=REGION, account_id=ACCOUNT, regions=(REGION,))
        rows = [r for batch in _this_snapshot(backing)(ctx) for r in batch]

    assert [(r.id, r.details.get("backs_image")) for r in rows] == [(backing, image)]
    snapshots = [params for name, params in calls if name == "DescribeSnapshots"]
    assert snapshots and all(params.get("SnapshotIds") == [backing] for params in snapshots)
    assert [params for name, params in calls if name == "DescribeImages" and "SnapshotIds" in params] == []


def test_the_kind_takes_m_as_its_modify_action() -> None:
    from tracker_tui.aws.kinds import REGISTRY

    assert REGISTRY[SNAPSHOT].verbs == {"delete": "delete", "modify": "modify"}
