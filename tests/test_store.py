"""Inventory files: JSON v1 round trip and shape, CSV, the text table, bad files, atomic writes; and
the audit log's file (where it lives, appending, reading its tail past corrupt lines)."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tracker_tui.costs import report_footer
from tracker_tui.findings import with_findings
from tracker_tui.model import Identity, Resource, ScanErrorEntry
from tracker_tui.store import (
    CSV_FIELDS,
    SCHEMA,
    AuditLog,
    Inventory,
    InventoryError,
    atomic_write_text,
    dumps_csv,
    dumps_json,
    dumps_table,
    read_inventory,
)

ACCOUNT = "123456789012"
IDENTITY = Identity(account_id=ACCOUNT, arn=f"arn:aws:iam::{ACCOUNT}:user/ops", alias="acme-staging")

RESOURCE_KEYS = {
    "findings",
    "kind",
    "id",
    "account_id",
    "arn",
    "name",
    "region",
    "state",
    "created",
    "tags",
    "monthly_cost",
    "cost_basis",
    "details",
}


def _resources() -> list[Resource]:
    return [
        Resource(
            kind="ec2:instance",
            id="i-0abc",
            region="us-east-1",
            account_id=ACCOUNT,
            arn=f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0abc",
            name="web-1",
            state="running",
            created="2026-01-02T03:04:05Z",
            tags={"env": "prod", "team": "platform"},
            details={"instance_type": "t3.micro", "volume_ids": ["vol-1", "vol-2"], "ebs_optimized": False},
            monthly_cost=7.59,
            cost_basis="t3.micro on-demand, 730 h",
        ),
        Resource(
            kind="logs:log-group",
            id="/aws/lambda/fn",
            region="eu-west-1",
            account_id=ACCOUNT,
            arn=None,
            name="/aws/lambda/fn",
            state="active",
            created=None,
            tags={},
            details={"stored_bytes": 3145728},
            monthly_cost=None,
            cost_basis=None,
        ),
        Resource(kind="iam:user", id="alice", region="global", account_id=ACCOUNT, name="alice", tags={"a=b": "c;d"}),
    ]


def _inventory(**overrides: Any) -> Inventory:
    values = dict(
        identity=IDENTITY,
        regions=["us-east-1", "eu-west-1"],
        resources=_resources(),
        errors=[ScanErrorEntry("ap-east-1", "rds:db-instance", "AccessDenied", "not authorized")],
        scanned_at="2026-11-29T01:02:03Z",
        accounts=[IDENTITY],
    )
    values.update(overrides)
    return Inventory(**values)  # type: ignore[arg-type]


# --- JSON ---------------------------------------------------------------------------------


def test_json_round_trip_gives_back_the_same_inventory(tmp_path: Path) -> None:
    original = _inventory()
    path = tmp_path / "inv.json"
    path.write_text(json.dumps(original.to_dict()), encoding="utf-8")

    loaded = read_inventory(path)

    assert loaded.resources == original.resources
    assert loaded.identity == original.identity
    assert loaded.regions == original.regions
    assert loaded.errors == original.errors
    assert loaded.scanned_at == "2026-11-29T01:02:03Z"


def test_dumps_json_round_trips_too(tmp_path: Path) -> None:
    path = tmp_path / "inv.json"
    path.write_text(dumps_json(_inventory()), encoding="utf-8")
    assert read_inventory(path).resources == _resources()


def test_json_has_exactly_the_product_shape() -> None:
    data = json.loads(dumps_json(_inventory()))

    assert list(data) == ["schema", "account", "scanned_at", "regions", "resources", "errors"]
    assert data["schema"] == "tracker-tui/inventory/v1" == SCHEMA
    assert data["account"] == {
        "id": ACCOUNT,
        "alias": "acme-staging",
        "identity_arn": f"arn:aws:iam::{ACCOUNT}:user/ops",
    }
    assert data["scanned_at"] == "2026-11-29T01:02:03Z"
    assert data["regions"] == ["us-east-1", "eu-west-1"]
    for item in data["resources"]:
        assert set(item) == RESOURCE_KEYS
    first = data["resources"][0]
    assert first["monthly_cost"] == 7.59
    assert first["tags"] == {"env": "prod", "team": "platform"}
    assert first["details"]["volume_ids"] == ["vol-1", "vol-2"]
    assert data["resources"][1]["monthly_cost"] is None
    assert data["errors"] == [
        {"region": "ap-east-1", "kind": "rds:db-instance", "code": "AccessDenied", "message": "not authorized"}
    ]


def test_several_accounts_add_an_accounts_list() -> None:
    other = Identity(account_id="210987654321", alias="acme-prod")
    resources = _resources() + [Resource(kind="iam:role", id="ci", region="global", account_id=other.account_id)]
    data = _inventory(resources=resources, accounts=[IDENTITY, other]).to_dict()

    assert data["accounts"] == [{"id": ACCOUNT, "alias": "acme-staging"}, {"id": "210987654321", "alias": "acme-prod"}]
    assert {r["account_id"] for r in data["resources"]} == {ACCOUNT, "210987654321"}


# --- CSV and table ------------------------------------------------------------------------


def test_csv_has_a_header_and_one_row_per_resource_with_tags_as_k_eq_v() -> None:
    text = dumps_csv(_resources())
    rows = list(csv.reader(io.StringIO(text)))

    assert tuple(rows[0]) == CSV_FIELDS
    assert set(CSV_FIELDS) == RESOURCE_KEYS
    records = list(csv.DictReader(io.StringIO(text)))
    assert len(records) == 3
    web = records[0]
    assert web["id"] == "i-0abc"
    assert web["tags"] == "env=prod;team=platform"
    assert web["monthly_cost"] == "7.59"
    assert json.loads(web["details"])["instance_type"] == "t3.micro"
    assert records[1]["tags"] == ""
    assert records[1]["monthly_cost"] == ""
    assert records[1]["arn"] == ""


def test_table_lists_every_resource_and_a_summary() -> None:
    inventory = _inventory()
    text = dumps_table(inventory, report_footer(with_findings(inventory.resources)))  # as `scan --format table` does
    lines = text.splitlines()

    assert lines[0].split() == ["KIND", "REGION", "STATE", "ID", "NAME", "COST/MO"]
    assert any("i-0abc" in line and "$7.59" in line for line in lines)
    assert any("/aws/lambda/fn" in line for line in lines)
    assert "3 resources in 2 regions, account 123456789012 (acme-staging)" in text
    assert "estimated monthly total: $7.59 (2 unknown: usage-dependent or not in the catalogue, see cost_basis)" in text
    # t3.micro -> t4g.micro (Graviton): $7.59 - $6.13; the log group is unpriced, so what its
    # retention would save is unknown (said so, never $0.00).
    # Graviton needs an arm64 image, so nothing of it is fixable in place.
    assert (
        "savings: $1.46/mo (each resource counted once; $0.00 of it fixable in place, nothing lost); "
        "graviton-migration x1 $1.46; no-retention x1 unknown"
    ) in text
    assert "error: ap-east-1 rds:db-instance: AccessDenied: not authorized" in text


# --- bad files ----------------------------------------------------------------------------


def test_read_inventory_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="no such file") as info:
        read_inventory(tmp_path / "nope.json")
    assert "nope.json" in str(info.value)


def test_read_inventory_not_json(tmp_path: Path) -> None:
    path = tmp_path / "garbage.json"
    path.write_text("{this is not json", encoding="utf-8")
    with pytest.raises(InventoryError, match=r"not valid JSON \(line 1"):
        read_inventory(path)


def test_read_inventory_other_schema(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"schema": "someone-else/v3", "items": []}), encoding="utf-8")
    with pytest.raises(InventoryError) as info:
        read_inventory(path)
    message = str(info.value)
    assert "not a tracker-tui inventory" in message
    assert "someone-else/v3" in message


def test_read_inventory_top_level_list(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InventoryError, match="not a tracker-tui inventory"):
        read_inventory(path)


def test_read_inventory_resource_without_kind(tmp_path: Path) -> None:
    data = _inventory().to_dict()
    del data["resources"][1]["kind"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(InventoryError) as info:
        read_inventory(path)

    message = str(info.value)
    assert str(path) in message
    assert "resource #1" in message
    assert "kind" in message


# --- atomic writes ------------------------------------------------------------------------


def test_atomic_write_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "inv.json"
    atomic_write_text(path, "one\n")
    atomic_write_text(path, "two\n")
    assert path.read_text(encoding="utf-8") == "two\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["inv.json"]


def test_atomic_write_keeps_the_old_file_when_the_write_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "inv.json"
    path.write_text("old contents\n", encoding="utf-8")

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)

    with pytest.raises(OSError, match="No space left"):
        atomic_write_text(path, "new contents that never land\n")

    assert path.read_text(encoding="utf-8") == "old contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inv.json"]  # the temp file is gone


# --- the audit log -----------------------------------------------------------------------


def test_audit_log_defaults_to_the_data_dir_and_appends(tmp_path: Path) -> None:
    from tracker_tui import config

    log = AuditLog()
    assert log.path == config.data_dir() / "audit.jsonl"
    log.record(phase="before", id="a")
    AuditLog().record(phase="after", id="a", result="ok")
    assert [(e["phase"], e.get("result")) for e in log.tail()] == [("before", None), ("after", "ok")]


def test_audit_tail_skips_corrupt_lines_and_returns_the_last_n(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "deep" / "audit.jsonl")
    for i in range(30):
        log.record(n=i)
    with open(log.path, "a", encoding="utf-8") as handle:
        handle.write('{"n": "torn\n')
    log.record(n=30)

    last = log.tail(5)

    assert [e["n"] for e in last] == [26, 27, 28, 29, 30]
    assert len(log.skipped) == 1 and "torn" in log.skipped[0]
    assert [e["n"] for e in log.tail(100)][:2] == [0, 1]
    assert AuditLog(tmp_path / "missing.jsonl").tail() == []


def test_a_findings_target_is_written_only_when_named_and_read_back() -> None:
    from tracker_tui.model import Finding

    named = Finding("rightsize-instance", 62.05, "fits", "medium", "modify", "c6i.large")
    assert named.to_dict()["target"] == "c6i.large"
    assert Finding.from_dict(named.to_dict()) == named
    plain = Finding("unattached-volume", 8.0, "attached to nothing", "high", "delete")
    assert "target" not in plain.to_dict()
    assert Finding.from_dict(plain.to_dict()) == plain
