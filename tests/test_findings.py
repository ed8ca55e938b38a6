"""Findings: each rule's positive and negative cases with exact savings, totals that count each
billed thing once, and findings in JSON, CSV, the filter and the headless report."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tracker_tui.aws.kinds import Thresholds, price_resources
from tracker_tui.costs import dumps_markdown
from tracker_tui.filtering import parse_filter
from tracker_tui.findings import complete_cells, related_findings, savings_lines, savings_total, with_findings
from tracker_tui.model import CellResult, CellStatus, Finding, Identity, Resource, ScanCell
from tracker_tui.store import Inventory, dumps_csv, dumps_json

ACCOUNT = "123456789012"


def row(kind: str, rid: str, state: str = "", region: str = "us-east-1", created: str | None = None,
        **details: Any) -> Resource:  # fmt: skip
    return Resource(kind, rid, region, account_id=ACCOUNT, state=state, created=created, details=details)


def found(
    *rows: Resource, complete: set[tuple[str, str, str]] | None = None, limits: Thresholds | None = None
) -> dict[str, dict[str, Finding]]:
    """id -> finding id -> finding, the rows priced first."""
    out = with_findings(price_resources(rows), complete, limits=limits)
    return {r.id: {f.id: f for f in r.findings} for r in out}


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- volumes ------------------------------------------------------------------------------------


def test_gp2_to_gp3_saves_the_price_difference_at_gp2s_performance() -> None:
    got = found(
        row("ec2:volume", "vol-small", "in-use", volume_type="gp2", size_gib=100),
        row("ec2:volume", "vol-big", "in-use", volume_type="gp2", size_gib=2000),
        row("ec2:volume", "vol-gp3", "in-use", volume_type="gp3", size_gib=100, iops=3000, throughput_mibps=125),
    )
    small = got["vol-small"]["gp2-to-gp3"]
    # $10.00 as gp2; gp3 $8.00 + 3 MiB/s (gp2's 128 over gp3's 125) x $0.04 = $8.12.
    assert (small.monthly_saving, small.confidence, small.action) == (1.88, "high", "modify")
    assert "gp3 with the same size, 3,000 IOPS and 128 MiB/s costs $8.12/mo" in small.evidence
    # 2,000 GiB: gp2 gave 6,000 IOPS and 250 MiB/s free; gp3 pays for the 3,000 IOPS and 125 MiB/s above its base.
    big = got["vol-big"]["gp2-to-gp3"]
    assert big.monthly_saving == 200.0 - (160.0 + 3000 * 0.005 + 125 * 0.04) == 20.0
    assert "6,000 IOPS and 250 MiB/s" in big.evidence
    assert got["vol-gp3"] == {}


def test_no_gp2_to_gp3_finding_where_gp3_costs_more() -> None:
    # 200 GiB gp2 ($20.00) gives 250 MiB/s; gp3 at 250 MiB/s costs $16.00 + 125 x $0.04 = $21.00.
    got = found(row("ec2:volume", "vol-mid", "in-use", volume_type="gp2", size_gib=200))
    assert got["vol-mid"] == {}


def test_io1_to_gp3_only_within_gp3s_iops_and_with_medium_confidence() -> None:
    got = found(
        row("ec2:volume", "vol-io1", "in-use", volume_type="io1", size_gib=100, iops=5000),
        row("ec2:volume", "vol-fast", "in-use", volume_type="io1", size_gib=100, iops=20000),
    )
    io1 = got["vol-io1"]["io1-to-gp3"]
    # io1: 100 x $0.125 + 5,000 x $0.065 = $337.50; gp3: 100 x $0.08 + 2,000 x $0.005 = $18.00.
    assert (io1.monthly_saving, io1.confidence) == (319.5, "medium")
    assert got["vol-fast"] == {}


def test_an_unattached_gp2_volume_is_one_saving_not_two() -> None:
    rows = with_findings(price_resources([row("ec2:volume", "vol-1", "available", volume_type="gp2", size_gib=100)]))
    assert {f.id: f.monthly_saving for f in rows[0].findings} == {"unattached-volume": 10.0, "gp2-to-gp3": 1.88}
    assert savings_total(rows) == 10.0
    lines = {line.finding_id: line for line in savings_lines(rows)}
    assert (lines["unattached-volume"].saving, lines["gp2-to-gp3"].saving) == (10.0, 1.88)


# --- instances -----------------------------------------------------------------------------------


def test_previous_generation_saves_the_twins_difference_only_while_running() -> None:
    got = found(
        row("ec2:instance", "i-t2", "running", instance_type="t2.micro"),
        row("ec2:instance", "i-stopped", "stopped", instance_type="t2.micro"),
        row("ec2:instance", "i-m5", "running", instance_type="m5.large"),
    )
    twin = got["i-t2"]["previous-generation"]
    # t2.micro $0.0116/h x 730 = $8.47; t3.micro $0.0104/h x 730 = $7.59.
    assert (twin.monthly_saving, twin.confidence) == (0.88, "medium")
    assert "t3.micro (current generation, same size) costs $7.59/mo" in twin.evidence
    # m5 is current: no twin of its generation; its Graviton twin is graviton-migration's.
    assert got["i-stopped"] == {} and set(got["i-m5"]) == {"graviton-migration"}


def test_a_stopped_instance_covers_its_volumes_in_the_total() -> None:
    rows = with_findings(price_resources([
        row("ec2:instance", "i-1", "stopped", instance_type="m5.large", volume_ids=["vol-a"]),
        row("ec2:volume", "vol-a", "in-use", volume_type="gp2", size_gib=100),
    ]))  # fmt: skip
    by_id = {r.id: {f.id: f.monthly_saving for f in r.findings} for r in rows}
    assert by_id == {"i-1": {"stopped-instance-storage": 10.0}, "vol-a": {"gp2-to-gp3": 1.88}}
    assert savings_total(rows) == 10.0  # the volume's conversion is part of the instance's saving


# --- databases and snapshots -------------------------------------------------------------------


def test_a_stopped_database_saves_its_storage() -> None:
    got = found(
        row("rds:db-instance", "db-stopped", "stopped", engine="postgres", instance_class="db.m5.large",
            multi_az=False, allocated_storage_gib=100, storage_type="gp2"),
        row("rds:db-instance", "db-up", "available", engine="postgres", instance_class="db.m5.large",
            multi_az=False, allocated_storage_gib=100, storage_type="gp2"),
    )  # fmt: skip
    stopped = got["db-stopped"]["stopped-database"]
    assert stopped.monthly_saving == 11.5  # 100 GiB x $0.115/GB-mo
    assert "starts a stopped instance again after 7 days" in stopped.evidence
    assert set(got["db-stopped"]) == {"stopped-database"}  # no class change saves a stopped one anything
    assert set(got["db-up"]) == {"rds-graviton-migration"}  # running: not stopped; db.m6g costs less


def test_an_orphaned_snapshot_needs_its_volumes_listed_and_no_own_image() -> None:
    volumes_listed = {(ACCOUNT, "us-east-1", "ec2:volume")}
    snap = row("ec2:snapshot", "snap-1", "completed", created=days_ago(3), volume_id="vol-gone", volume_size_gib=100)
    kept = row("ec2:snapshot", "snap-2", "completed", created=days_ago(3), volume_id="vol-here", volume_size_gib=100)
    ami = row("ec2:snapshot", "snap-3", "completed", created=days_ago(3), volume_id="vol-gone", volume_size_gib=8,
              backs_image="ami-1")  # fmt: skip
    volume = row("ec2:volume", "vol-here", "in-use", volume_type="gp3", size_gib=100, iops=3000, throughput_mibps=125)
    got = found(snap, kept, ami, volume, complete=volumes_listed)
    orphan = got["snap-1"]["orphaned-snapshot"]
    assert (orphan.monthly_saving, orphan.confidence) == (5.0, "medium")  # 100 GiB x $0.05, an upper bound
    assert "source volume vol-gone is not in the account" in orphan.evidence
    assert got["snap-2"] == {} and got["snap-3"] == {}
    # The volumes of its region were not listed (denied, failed): no claim.
    assert found(snap, complete=set())["snap-1"] == {}
    # The snapshot a volume's delete kept (tagged with the volume) is no orphan: its volume went on purpose.
    backup = dataclasses.replace(snap, id="snap-4", tags={"tracker-tui:from-volume": "vol-gone"})
    assert found(backup, volume, complete=volumes_listed)["snap-4"] == {}


def test_old_snapshots_follow_the_configured_age_and_rds_only_manual_ones() -> None:
    ebs = row("ec2:snapshot", "snap-old", "completed", created=days_ago(400), volume_size_gib=10, backs_image="ami-1")
    young = row("ec2:snapshot", "snap-new", "completed", created=days_ago(30), volume_size_gib=10, backs_image="ami-1")
    manual = row("rds:snapshot", "manual-old", "available", created=days_ago(400), snapshot_type="manual",
                 engine="postgres", allocated_storage_gib=20)  # fmt: skip
    automated = row("rds:snapshot", "auto-old", "available", created=days_ago(400), snapshot_type="automated",
                    engine="postgres", allocated_storage_gib=20)  # fmt: skip
    got = found(ebs, young, manual, automated)
    assert got["snap-old"]["old-snapshot"].monthly_saving == 0.5
    assert "400 days ago, over the 365-day limit" in got["snap-old"]["old-snapshot"].evidence
    assert got["manual-old"]["old-snapshot"].monthly_saving == 1.9  # 20 GiB x $0.095
    assert got["snap-new"] == {} and got["auto-old"] == {}
    week = found(young, manual, automated, limits=Thresholds(snapshot_max_age_days=7))
    assert "old-snapshot" in week["snap-new"] and "old-snapshot" in week["manual-old"]
    assert "30 days ago, over the 7-day limit" in week["snap-new"]["old-snapshot"].evidence
    assert week["auto-old"] == {}  # automated RDS snapshots never, whatever the limit


def test_an_unused_image_saves_its_snapshots_and_covers_them() -> None:
    rows = with_findings(price_resources([
        row("ec2:image", "ami-1", "available", snapshot_ids=["snap-a"], in_use_by=0, running_instance_ids=[]),
        row("ec2:image", "ami-2", "available", snapshot_ids=["snap-b"], in_use_by=1, running_instance_ids=["i-1"]),
        row("ec2:snapshot", "snap-a", "completed", created=days_ago(500), volume_size_gib=40, backs_image="ami-1"),
        row("ec2:snapshot", "snap-b", "completed", created=days_ago(5), volume_size_gib=40, backs_image="ami-2"),
    ]))  # fmt: skip
    by_id = {r.id: {f.id: f.monthly_saving for f in r.findings} for r in rows}
    assert by_id["ami-1"] == {"unused-image": 2.0} and by_id["ami-2"] == {}
    assert by_id["snap-a"] == {"old-snapshot": 2.0}
    assert savings_total(rows) == 2.0  # the image's saving is its snapshot's: once


def test_related_findings_wait_for_the_rows_they_read() -> None:
    instance, volume = price_resources([
        row("ec2:instance", "i-1", "stopped", instance_type="m5.large", volume_ids=["vol-a"]),
        row("ec2:volume", "vol-a", "in-use", volume_type="gp3", size_gib=50, iops=3000, throughput_mibps=125),
    ])  # fmt: skip
    kinds = ("ec2:instance", "ec2:volume")
    results = [CellResult(ScanCell("us-east-1", kind, ACCOUNT), CellStatus.DONE, 1) for kind in kinds]
    assert complete_cells(results) == {(ACCOUNT, "us-east-1", "ec2:instance"), (ACCOUNT, "us-east-1", "ec2:volume")}
    (settled,) = related_findings([instance, volume], results)
    assert settled.id == "i-1"
    assert [(f.id, f.monthly_saving) for f in settled.findings] == [("stopped-instance-storage", 4.0)]
    failed = [CellResult(ScanCell("us-east-1", "ec2:volume", ACCOUNT), CellStatus.DENIED)]
    assert related_findings([instance, volume], failed) == []


# --- where findings go -----------------------------------------------------------------------------


def _inventory(rows: list[Resource]) -> Inventory:
    return Inventory(Identity(ACCOUNT, "arn:aws:iam::123456789012:user/x", "acme"), ["us-east-1"], rows,
                     scanned_at="2026-12-02T00:00:00Z")  # fmt: skip


def test_findings_round_trip_through_json_and_read_as_id_eq_saving_in_csv() -> None:
    rows = with_findings(price_resources([
        row("ec2:volume", "vol-1", "available", volume_type="gp2", size_gib=100),
        row("logs:log-group", "/app", "no-retention", stored_bytes=0),
    ]))  # fmt: skip
    data = json.loads(dumps_json(_inventory(rows)))
    first = data["resources"][0]["findings"][0]
    assert set(first) == {"id", "monthly_saving", "evidence", "confidence", "action"}
    back = Inventory.from_dict(data)
    assert [r.findings for r in back.resources] == [r.findings for r in rows]
    records = list(csv.DictReader(io.StringIO(dumps_csv(rows))))
    assert records[0]["findings"] == "unattached-volume=10.00;gp2-to-gp3=1.88"


def test_a_bad_confidence_in_a_saved_file_is_one_clear_error() -> None:
    data = json.loads(dumps_json(_inventory(with_findings(price_resources(
        [row("ec2:volume", "vol-1", "available", volume_type="gp2", size_gib=100)]
    )))))  # fmt: skip
    data["resources"][0]["findings"][0]["confidence"] = "certain"
    with pytest.raises(ValueError, match="confidence 'certain'"):
        Inventory.from_dict(data)


def test_the_filter_selects_by_finding() -> None:
    rows = with_findings(price_resources([
        row("ec2:volume", "vol-1", "available", volume_type="gp2", size_gib=100),
        row("ec2:volume", "vol-2", "in-use", volume_type="gp2", size_gib=100),
        row("ec2:volume", "vol-3", "in-use", volume_type="gp3", size_gib=100, iops=3000, throughput_mibps=125),
    ]))  # fmt: skip

    def ids(text: str) -> list[str]:
        f = parse_filter(text)
        return [r.id for r in rows if f.matches(r)]

    assert ids("finding:unattached-volume") == ["vol-1"]
    assert ids("finding:gp2") == ["vol-1", "vol-2"]
    assert ids("finding:") == ["vol-1", "vol-2"]
    assert ids("!finding:") == ["vol-3"]


def test_the_markdown_report_lists_by_finding_then_rows_with_evidence() -> None:
    rows = with_findings(price_resources([
        row("ec2:volume", "vol-1", "available", volume_type="gp2", size_gib=100),
        row("ec2:elastic-ip", "eipalloc-1", "idle"),
    ]))  # fmt: skip
    text = dumps_markdown(_inventory(rows))
    assert "Savings found: **$13.65/mo**" in text  # $10.00 (not + $1.88) + $3.65
    assert "| `unattached-volume` | 1 | $10.00 | 0 |" in text
    assert "## `gp2-to-gp3`: gp2 volume: gp3 costs less" in text
    assert "| ec2:elastic-ip | us-east-1 | `eipalloc-1` |  | $3.65 | high | associated with no instance" in text


def test_the_snapshot_age_limit_comes_from_config_toml() -> None:
    from tracker_tui.config import config_path, load_settings

    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text("snapshot_max_age_days = 30\n")
    settings = load_settings()
    assert settings.snapshot_max_age_days == 30
    young = row("ec2:snapshot", "snap-1", "completed", created=days_ago(45), volume_size_gib=10, backs_image="a")
    assert "old-snapshot" in found(young, limits=Thresholds.from_settings(settings))["snap-1"]
    assert "old-snapshot" not in found(young)["snap-1"]  # nothing global changed: the default still holds
    config_path().write_text('snapshot_max_age_days = "old"\n')
    bad = load_settings()
    assert bad.snapshot_max_age_days == 365 and any("snapshot_max_age_days" in w for w in bad.warnings)


def test_a_savings_line_never_shows_an_unknown_saving_as_zero() -> None:
    from tracker_tui.findings import SavingsLine

    assert SavingsLine("s3-no-lifecycle", "bucket without lifecycle", 2, 0.0, unknown=2).saving_text() == "unknown"
    assert SavingsLine("old-snapshot", "old snapshot", 3, 12.5, unknown=1).saving_text() == "$12.50 + 1 unknown"
    assert SavingsLine("unattached-volume", "unattached volume", 2, 0.0).saving_text() == "$0.00"
