"""``tracker-tui open a.json b.json ...``: inventories merged into one table.

The rules: each account comes whole from the newest scan that has it (rows and errors),
said once; rows stay unique by ``Resource.key``; savings are worked out again; the view is
as old as its oldest kept scan.  The done-when of issue 26: three ``--shard i/3`` scans of
one Organization, merged, equal one full ``--org-role`` scan.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support.helpers import MANAGEMENT, ROLE, assumed_session, run_cli, shown_text
from tracker_tui import cli
from tracker_tui.aws.accounts import Shard
from tracker_tui.config import Settings, config_path
from tracker_tui.findings import savings_of
from tracker_tui.merge import merge_inventories
from tracker_tui.model import Finding, Identity, Resource, ScanErrorEntry
from tracker_tui.store import Inventory, dumps_json, read_inventory

A, B, C = "111111111111", "222222222222", "333333333333"
JANUARY = "2026-01-01T00:00:00Z"


def _volume(account: str, volume_id: str, size: int = 100, region: str = "us-east-1") -> Resource:
    """An unattached gp2 volume: a row with a cost and two findings (counted once)."""
    cost = round(size * 0.10, 2)
    return Resource(
        kind="ec2:volume",
        id=volume_id,
        region=region,
        account_id=account,
        name=volume_id,
        state="available",
        details={"volume_type": "gp2", "size_gb": size},
        monthly_cost=cost,
        cost_basis=f"gp2 {size} GB",
        findings=(
            Finding("unattached-volume", cost, "not attached", action="delete"),
            Finding("gp2-to-gp3", round(size * 0.02, 2), "gp2", action="modify"),
        ),
    )


def _log_group(account: str, name: str, region: str = "us-east-1") -> Resource:
    return Resource(kind="logs:log-group", id=name, region=region, account_id=account, name=name, state="active")


def _inventory(
    accounts: list[str],
    rows: list[Resource],
    scanned_at: str,
    *,
    errors: list[ScanErrorEntry] | None = None,
    regions: tuple[str, ...] = ("us-east-1",),
) -> Inventory:
    identities = [Identity(a, f"arn:aws:iam::{a}:role/x", f"alias-{a[0]}") for a in accounts]
    return Inventory(
        identity=identities[0],
        regions=list(regions),
        resources=rows,
        errors=errors or [],
        scanned_at=scanned_at,
        accounts=identities,
        savings=savings_of(rows).to_dict(),
    )


def _keys(inventory: Inventory) -> list[tuple[str, str, str, str]]:
    return [r.key for r in inventory.resources]


# --- the merge rules ---------------------------------------------------------------------------


def test_disjoint_files_are_one_inventory_of_everything() -> None:
    a_err = ScanErrorEntry("eu-west-1", "rds:db-instance", "AccessDenied", "denied", A)
    a = _inventory([A], [_volume(A, "vol-a1"), _log_group(A, "/a")], "2026-11-28T10:00:00Z", errors=[a_err])
    b = _inventory(
        [B, C],
        [_volume(B, "vol-b1", 50), _log_group(C, "/c", "eu-west-1")],
        "2026-11-29T10:00:00Z",
        regions=("us-east-1", "eu-west-1"),
    )

    merged = merge_inventories([("a.json", a), ("b.json", b)])

    inventory = merged.inventory
    assert merged.label == "2 inventories: a.json, b.json"
    assert merged.notices == []  # nothing overlapped: nothing to say
    assert inventory.identity == a.identity
    assert [i.account_id for i in inventory.accounts] == [A, B, C]
    assert inventory.regions == ["us-east-1", "eu-west-1"]
    assert _keys(inventory) == _keys(a) + _keys(b)
    assert inventory.errors == [a_err]
    assert inventory.scanned_at == "2026-11-28T10:00:00Z"  # as stale as the oldest scan shown
    expected = savings_of([*a.resources, *b.resources]).to_dict()
    assert inventory.savings == expected and expected["monthly"] == pytest.approx(10.0 + 5.0)


def test_the_same_account_twice_the_newer_scan_wins_whole_and_it_is_said_once() -> None:
    old_b_err = ScanErrorEntry("us-east-1", "logs:log-group", "Throttling", "slow down", B)
    old = _inventory(
        [A, B],
        [_volume(A, "vol-a1"), _volume(B, "vol-b-deleted-since"), _volume(B, "vol-b-kept", 10)],
        "2026-11-20T08:00:00Z",
        errors=[old_b_err],
    )
    new_b_err = ScanErrorEntry("eu-west-1", "ec2:volume", "AccessDenied", "denied", B)
    # The newer scan of B: one volume deleted meanwhile, one resized, one new.
    new = _inventory(
        [B],
        [_volume(B, "vol-b-kept", 20), _volume(B, "vol-b-new", 30)],
        "2026-11-29T09:00:00Z",
        errors=[new_b_err],
    )

    for order in ([("old.json", old), ("new.json", new)], [("new.json", new), ("old.json", old)]):
        merged = merge_inventories(order)
        inventory = merged.inventory
        rows = {r.key: r for r in inventory.resources}
        assert len(rows) == len(inventory.resources)  # no key twice
        assert sorted(r.id for r in inventory.resources) == ["vol-a1", "vol-b-kept", "vol-b-new"]
        assert rows[(B, "us-east-1", "ec2:volume", "vol-b-kept")].details["size_gb"] == 20  # the newer row
        assert inventory.errors == [new_b_err]  # the old scan's errors of B went with its rows
        assert inventory.scanned_at == "2026-11-20T08:00:00Z"  # old.json still gives A
        assert inventory.savings == savings_of(inventory.resources).to_dict()
        assert sorted(i.account_id for i in inventory.accounts) == [A, B]
        assert len(merged.notices) == 1
        notice = merged.notices[0]
        assert "the newer scan wins" in notice
        assert f"{B} from new.json (scanned 2026-11-29T09:00:00Z), not old.json" in notice
        assert A not in notice


def test_a_file_wholly_superseded_leaves_nothing_behind() -> None:
    old = _inventory(
        [A],
        [_volume(A, "vol-old"), _log_group(A, "/gone")],
        "2026-11-01T00:00:00Z",
        regions=("us-east-1", "ap-south-1"),
    )
    new = _inventory([A], [_volume(A, "vol-new")], "2026-11-29T00:00:00Z")
    merged = merge_inventories([("old.json", old), ("new.json", new)])
    assert [r.id for r in merged.inventory.resources] == ["vol-new"]
    assert merged.inventory.scanned_at == "2026-11-29T00:00:00Z"  # the old scan is not in the view
    assert merged.inventory.regions == ["us-east-1"]
    assert merged.inventory.identity == old.identity  # the first file's, as documented


def test_a_tie_goes_to_the_later_file_and_one_file_is_as_it_was() -> None:
    first = _inventory([A], [_volume(A, "vol-1")], "2026-11-29T00:00:00Z")
    second = _inventory([A], [_volume(A, "vol-2")], "2026-11-29T00:00:00Z")
    assert [r.id for r in merge_inventories([("1.json", first), ("2.json", second)]).inventory.resources] == ["vol-2"]
    alone = merge_inventories([("1.json", first)])
    assert alone.inventory is first and alone.notices == []
    assert alone.label == "1.json, scanned 2026-11-29T00:00:00Z"


def test_single_account_files_without_an_accounts_list_and_many_overlaps_one_notice() -> None:
    accounts = [f"{n:012d}" for n in range(1, 8)]
    old = [
        (f"old-{a[-1]}.json", Inventory(Identity(a), ["us-east-1"], [_volume(a, f"vol-{a[-1]}")], scanned_at=JANUARY))
        for a in accounts
    ]
    # Round-trip one through JSON: a one-account file has no "accounts" key.
    assert "accounts" not in json.loads(dumps_json(old[0][1]))
    new = _inventory(accounts, [_volume(a, f"vol-new-{a[-1]}") for a in accounts], "2026-02-01T00:00:00Z")
    merged = merge_inventories([*old, ("new.json", new)])
    assert sorted(r.id for r in merged.inventory.resources) == sorted(f"vol-new-{a[-1]}" for a in accounts)
    assert len(merged.notices) == 1  # said once, however many accounts overlap
    assert merged.notices[0].startswith("7 accounts are in more than one file: the newer scan wins")
    assert merged.notices[0].endswith("; +3 more.")
    assert merged.label == "8 inventories: old-1.json, old-2.json, old-3.json, old-4.json, old-5.json, +3 more"


# --- the command and the screen ----------------------------------------------------------------


def _write(path: Path, inventory: Inventory) -> Path:
    path.write_text(dumps_json(inventory), encoding="utf-8")
    return path


def test_cli_open_names_the_file_that_cannot_be_read(tmp_path: Path) -> None:
    good = _write(tmp_path / "a.json", _inventory([A], [_volume(A, "vol-1")], "2026-11-29T00:00:00Z"))
    bad = tmp_path / "b.json"
    bad.write_text('{"schema": "something/else"}', encoding="utf-8")
    code, out, err = run_cli("open", str(good), str(bad))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"tracker-tui: error: {bad}: not a tracker-tui inventory")


def test_open_two_files_shows_the_merged_rows_and_says_the_newer_scan_won(tmp_path: Path) -> None:
    old = _inventory(
        [A, B], [_volume(A, "vol-a1"), _volume(B, "vol-b-old"), _log_group(B, "/b")], "2026-11-20T08:00:00Z"
    )
    new = _inventory([B], [_volume(B, "vol-b-new")], "2026-11-29T09:00:00Z")
    files = [str(_write(tmp_path / "old.json", old)), str(_write(tmp_path / "new.json", new))]
    app = cli.open_app(files, Settings())

    async def main_() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            assert not app.scanning
            assert app.table.total_count == 2
            assert sorted(r.id for r in app.table.resources) == ["vol-a1", "vol-b-new"]
            status = shown_text(app.query_one("#status"))
            assert "2 inventories: old.json, new.json" in status
            assert app.table.show_account  # rows of two accounts: the Account column shows
            said = [n.message for n in app._notifications if "newer scan wins" in n.message]
            assert len(said) == 1 and B in said[0]
            await pilot.press("r")  # nothing to rescan from files: the rows stay
            await pilot.pause()
            assert app.table.total_count == 2

    asyncio.run(main_())


# --- done when: the shards of an Organization, merged, are the full scan -------------------------

KINDS = ("logs:log-group", "ec2:volume", "ec2:elastic-ip")
SHARDS = 3


@pytest.fixture
def big_org() -> Iterator[Any]:
    """An Organization of 6 or more member accounts, enough that each of 3 shards has one
    (moto draws the ids at random), each account (management included) holding a log
    group, an unattached gp2 volume and an idle Elastic IP."""
    # In-process moto cannot be reached from worker processes: scan on threads (as ``org``).
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("workers = 0\n", encoding="utf-8")
    with mock_aws():
        client = boto3.client("organizations", region_name="us-east-1")
        client.create_organization(FeatureSet="ALL")
        members: list[tuple[str, str]] = []

        def spread() -> list[int]:
            ids = [MANAGEMENT, *(a for a, _ in members)]
            return [sum(Shard(i, SHARDS).picks(a) for a in ids) for i in range(1, SHARDS + 1)]

        while len(members) < 6 or min(spread()) < 1:
            assert len(members) < 30, "moto's ids never filled every shard"
            name = f"member-{len(members) + 1}"
            status = client.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
            members.append((status["AccountId"], name))
        sessions = [(MANAGEMENT, "management", boto3.Session(region_name="us-east-1"))]
        sessions += [(a, n, assumed_session(a)) for a, n in members]
        for index, (_, name, session) in enumerate(sessions):
            session.client("logs").create_log_group(logGroupName=f"/app/{name}")
            session.client("ec2").create_volume(Size=10 + index, AvailabilityZone="us-east-1a", VolumeType="gp2")
            session.client("ec2").allocate_address(Domain="vpc")
        yield SimpleNamespace(members=members, spread=spread())


def _scan_json(path: Path, *extra: str) -> str:
    """``scan --org-role`` of the test's kinds into ``path``; what it said on stderr."""
    kinds = [arg for kind in KINDS for arg in ("--kind", kind)]
    code, out, err = run_cli(
        "scan", "--org-role", ROLE, *kinds, "--region", "us-east-1", "--format", "json", "-o", str(path), *extra
    )
    assert code == 0, err
    assert out == ""
    return err


def _canonical(inventory: Inventory) -> list[str]:
    return sorted(json.dumps(r.to_dict(), sort_keys=True) for r in inventory.resources)


def test_three_shards_merged_equal_one_full_scan(big_org: Any, tmp_path: Path) -> None:
    _scan_json(tmp_path / "full.json")
    full = read_inventory(tmp_path / "full.json")
    names = []
    for index in range(1, SHARDS + 1):
        said = _scan_json(tmp_path / f"shard-{index}.json", "--shard", f"{index}/{SHARDS}")
        picked, total = big_org.spread[index - 1], len(big_org.members) + 1
        assert f"tracker-tui: shard {index}/{SHARDS}: {picked} of the Organization's {total} accounts\n" in said
        names.append(f"shard-{index}.json")

    merged = merge_inventories([(name, read_inventory(tmp_path / name)) for name in names])

    inventory = merged.inventory
    assert merged.notices == []  # the shards never overlap
    every = {MANAGEMENT, *(a for a, _ in big_org.members)}
    assert {r.account_id for r in full.resources} == every  # the full scan really saw them all
    assert len(full.resources) == 3 * len(every)
    assert _canonical(inventory) == _canonical(full)  # same rows, costs and findings
    assert len({r.key for r in inventory.resources}) == len(inventory.resources)
    assert {(a.account_id, a.alias) for a in inventory.accounts} == {(a.account_id, a.alias) for a in full.accounts}
    written = json.loads((tmp_path / "full.json").read_text(encoding="utf-8"))["savings"]
    assert inventory.savings == written and written["monthly"] > 0
    assert inventory.errors == full.errors == []
    assert set(inventory.regions) == set(full.regions)
