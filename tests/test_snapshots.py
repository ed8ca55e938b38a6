"""Snapshot tests of every screen at 80x24 (bastion over SSH) and 120x36.

The app replays the sample estate (tests/support/estate.py) with both clocks frozen and the
filter's cursor blink off, so a screen only changes when the code does.  Update baselines
with ``pytest tests/test_snapshots.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.support.estate import make_app, sample_resources, sample_source, wait_scan
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.history import Diff, diff
from tracker_tui.store import AuditLog
from tracker_tui.ui.screens.audit import AuditScreen
from tracker_tui.ui.screens.changes import ChangesScreen
from tracker_tui.ui.screens.export import ExportScreen
from tracker_tui.ui.screens.pickers import ProfilePicker, RegionPicker


def priced_app() -> object:
    """The sample estate priced from the catalogue, as a live scan shows it."""
    return make_app(sample_source(resources=sample_resources(priced=True)))


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


def after_scan(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """A run_before that waits for the replayed scan, then presses ``keys``."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_scan(pilot.app, pilot)  # type: ignore[arg-type]
        if keys:
            await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_main_view_after_scan(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(priced_app(), terminal_size=size, run_before=after_scan())


@pytest.mark.parametrize("size", SIZES)
def test_filtered_view(snap_compare: Any, size: tuple[int, int]) -> None:
    keys = ("slash", *"kind:ec2", "enter")
    assert snap_compare(priced_app(), terminal_size=size, run_before=after_scan(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_three_rows_marked(snap_compare: Any, size: tuple[int, int]) -> None:
    keys = ("space", "down", "down", "space", "down", "space")
    assert snap_compare(priced_app(), terminal_size=size, run_before=after_scan(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_details_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(priced_app(), terminal_size=size, run_before=after_scan("enter"))


@pytest.mark.parametrize("size", SIZES)
def test_coverage_grid_on_the_denied_cell(snap_compare: Any, size: tuple[int, int]) -> None:
    # eu-west-1 (row 2), rds:db-instance (its column after "region").
    keys = ("g", "down", "down", *["right"] * (list(REGISTRY).index("rds:db-instance") + 1))
    assert snap_compare(priced_app(), terminal_size=size, run_before=after_scan(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(priced_app(), terminal_size=size, run_before=after_scan("question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_details_of_a_bracketed_name(snap_compare: Any, size: tuple[int, int]) -> None:
    """Brackets in a name and in tags show literally: as markup, ``[DEPRECATED] legacy-api``
    showed as `` legacy-api`` and ``[/x]`` crashed the screen."""
    from tracker_tui.ui.screens.details import DetailsScreen

    def screen() -> Any:
        row = next(r for r in sample_resources(priced=True) if r.kind == "ec2:instance")
        name = "[DEPRECATED] legacy-api"
        tags = {**row.tags, "Name": name, "team": "[core] platform", "[b]owner[/b]": "web [old] [/x]"}
        return DetailsScreen(dataclasses.replace(row, name=name, tags=tags))

    assert snap_compare(priced_app(), terminal_size=size, run_before=_push(screen))


def test_production_account_header(snap_compare: Any) -> None:
    app = make_app(sample_source(alias="acme-prod", resources=sample_resources(priced=True)))
    assert snap_compare(app, terminal_size=(80, 24), run_before=after_scan())


# --- the action dialogs and results -------------------------------------------------------------


def _planned(verb: str, predicate: Callable[[Any], bool]) -> list[Any]:
    from tracker_tui.aws.actions import plan

    return plan([r for r in sample_resources(priced=True) if predicate(r)], verb)  # type: ignore[arg-type]


def _push(screen_factory: Callable[[], Any]) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_scan(pilot.app, pilot)  # type: ignore[arg-type]
        await pilot.app.push_screen(screen_factory())
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_confirm_single_stop(snap_compare: Any, size: tuple[int, int]) -> None:
    from tests.support.estate import sample_identity
    from tracker_tui.ui.screens.confirm import ConfirmActionScreen

    def screen() -> Any:
        planned = _planned("stop", lambda r: r.kind == "ec2:instance" and r.name == "web-prod-1")
        return ConfirmActionScreen(planned, sample_identity())

    assert snap_compare(priced_app(), terminal_size=size, run_before=_push(screen))


@pytest.mark.parametrize("size", SIZES)
def test_confirm_single_modify_to_gp3(snap_compare: Any, size: tuple[int, int]) -> None:
    """``m`` on one gp2 volume: ``y`` confirms; the note says the gp3 it becomes, the saving is
    the gp2-to-gp3 finding's.  The prompt and the buttons must show at 80x24."""
    from tests.support.estate import sample_identity
    from tracker_tui.ui.screens.confirm import ConfirmActionScreen

    def screen() -> Any:
        gp2 = lambda r: r.kind == "ec2:volume" and r.details.get("volume_type") == "gp2"  # noqa: E731
        planned = _planned("modify", lambda r: gp2(r) and any(f.id == "gp2-to-gp3" for f in r.findings))
        assert [p.action for p in planned] == ["modify"]
        return ConfirmActionScreen(planned, sample_identity())

    assert snap_compare(priced_app(), terminal_size=size, run_before=_push(screen))


@pytest.mark.parametrize("size", SIZES)
def test_confirm_single_modify_to_on_demand(snap_compare: Any, size: tuple[int, int]) -> None:
    """``m`` on one idle provisioned DynamoDB table: ``y`` confirms; the note says billing becomes
    per request, the saving is the idle-dynamodb-table finding's.  The prompt and the buttons
    must show at 80x24."""
    from tests.support.estate import ACCOUNT_ID, sample_identity
    from tracker_tui.aws.actions import plan
    from tracker_tui.aws.kinds import price_resources
    from tracker_tui.model import Finding, Resource
    from tracker_tui.ui.screens.confirm import ConfirmActionScreen

    def screen() -> Any:
        details = {"billing_mode": "PROVISIONED", "read_capacity_units": 100, "write_capacity_units": 50}
        details |= {"gsi_count": 0, "size_bytes": 2 * 1024**3, "table_class": "STANDARD"}
        (table,) = price_resources(
            [
                Resource(
                    kind="dynamodb:table",
                    id="orders-archive",
                    account_id=ACCOUNT_ID,
                    name="orders-archive",
                    region="us-east-1",
                    state="ACTIVE",
                    details=details,
                )
            ]
        )
        idle = Finding("idle-dynamodb-table", 33.22, "no consumed capacity over 14 days", action="modify")
        planned = plan([dataclasses.replace(table, findings=(idle,))], "modify")
        assert [(p.action, p.saving) for p in planned] == [("modify", 33.22)]
        return ConfirmActionScreen(planned, sample_identity())

    assert snap_compare(priced_app(), terminal_size=size, run_before=_push(screen))


def _fix_rows() -> list[Any]:
    """Rows of the kinds ``m`` changes that the sample estate has no finding for: an RDS
    instance a rightsizing names a smaller class for, and an orphaned EBS snapshot."""
    from tests.support.estate import ACCOUNT_ID
    from tracker_tui.aws.kinds import price_resources
    from tracker_tui.model import Finding, Resource

    db, snapshot = price_resources(
        [
            Resource(kind="rds:db-instance", id="reports-prod", account_id=ACCOUNT_ID, name="reports-prod",
                     region="us-east-1", state="available",
                     details={"instance_class": "db.m5.2xlarge", "engine": "postgres", "allocated_storage_gib": 100,
                              "storage_type": "gp3", "multi_az": False}),
            Resource(kind="ec2:snapshot", id="snap-0a1b2c3d4e5f60718", account_id=ACCOUNT_ID,
                     name="batch-scratch-final", region="us-east-1", state="completed",
                     details={"volume_id": "vol-gone", "volume_size_gib": 400, "storage_tier": "standard"}),
        ]
    )  # fmt: skip
    rightsize = Finding("rightsize-database", 389.82, "p99 CPU 20%: db.m5.large fits", "low", "modify", "db.m5.large")
    orphan = Finding("orphaned-snapshot", snapshot.monthly_cost, "its source volume is gone", "medium", "delete")
    return [dataclasses.replace(db, findings=(rightsize,)), dataclasses.replace(snapshot, findings=(orphan,))]


@pytest.mark.parametrize("size", SIZES)
def test_confirm_single_instance_type_change(snap_compare: Any, size: tuple[int, int]) -> None:
    """``m`` on the previous-generation bastion: ``y`` confirms; the note says the two types, that
    it stops for about a minute, the new cost and the way back.  Buttons visible at 80x24."""
    from tests.support.estate import sample_identity
    from tracker_tui.ui.screens.confirm import ConfirmActionScreen

    def screen() -> Any:
        planned = _planned("modify", lambda r: r.kind == "ec2:instance" and r.name == "bastion")
        assert [p.action for p in planned] == ["modify"] and planned[0].saving is not None
        return ConfirmActionScreen(planned, sample_identity())

    assert snap_compare(priced_app(), terminal_size=size, run_before=_push(screen))


@pytest.mark.parametrize("size", SIZES)
def test_confirm_fix_in_place_of_many_kinds(snap_compare: Any, size: tuple[int, int]) -> None:
    """``m`` over several kinds at once, as ``ctrl+a`` on ``finding:`` rows gives it: an instance's
    type, an io2 volume to gp3, a database's class, a snapshot to the archive tier, a log group's
    retention and a bucket's lifecycle; several rows, so the alias is typed."""
    from tests.support.estate import sample_identity
    from tracker_tui.aws.actions import plan
    from tracker_tui.ui.screens.confirm import ConfirmActionScreen

    names = {"bastion", "old-db-restore", "/aws/lambda/orders-webhook", "acme-dev-scratch"}

    def screen() -> Any:
        rows = [r for r in sample_resources(priced=True) if (r.name or r.id) in names] + _fix_rows()
        planned = plan(rows, "modify")
        assert len([p for p in planned if p.action]) == 6
        return ConfirmActionScreen(planned, sample_identity())

    assert snap_compare(priced_app(), terminal_size=size, run_before=_push(screen))


@pytest.mark.parametrize("size", SIZES)
def test_confirm_single_snapshot_archive(snap_compare: Any, size: tuple[int, int]) -> None:
    """``m`` on one orphaned snapshot: the archive tier, its saving's caveat (a full copy), the
    restore time and the 90-day minimum; ``y`` confirms."""
    from tests.support.estate import sample_identity
    from tracker_tui.aws.actions import plan
    from tracker_tui.ui.screens.confirm import ConfirmActionScreen

    def screen() -> Any:
        planned = plan([r for r in _fix_rows() if r.kind == "ec2:snapshot"], "modify")
        assert [p.action for p in planned] == ["modify"]
        return ConfirmActionScreen(planned, sample_identity())

    assert snap_compare(priced_app(), terminal_size=size, run_before=_push(screen))


@pytest.mark.parametrize("size", SIZES)
def test_confirm_bucket_lifecycle(snap_compare: Any, size: tuple[int, int]) -> None:
    """``m`` on one bucket: the rules added, that AWS then deletes data, the saving unknown; the
    alias is typed even for one row."""
    from tests.support.estate import sample_identity
    from tracker_tui.ui.screens.confirm import ConfirmActionScreen

    def screen() -> Any:
        planned = _planned("modify", lambda r: r.kind == "s3:bucket" and r.name == "acme-dev-scratch")
        assert [p.action for p in planned] == ["modify"]
        return ConfirmActionScreen(planned, sample_identity())

    assert snap_compare(priced_app(), terminal_size=size, run_before=_push(screen))


@pytest.mark.parametrize("size", SIZES)
def test_confirm_log_retention(snap_compare: Any, size: tuple[int, int]) -> None:
    """``m`` on one log group with no retention: AWS then deletes the older events, so even one
    row needs the alias typed; the note says so and what the no-retention finding saves.  The
    prompt, the input and the buttons must show at 80x24."""
    from tests.support.estate import sample_identity
    from tracker_tui.ui.screens.confirm import ConfirmActionScreen

    def screen() -> Any:
        planned = _planned("modify", lambda r: r.id == "/aws/lambda/orders-webhook")
        assert [p.action for p in planned] == ["modify"]
        return ConfirmActionScreen(planned, sample_identity())

    assert snap_compare(priced_app(), terminal_size=size, run_before=_push(screen))


@pytest.mark.parametrize("size", SIZES)
def test_confirm_stop_of_many_rows(snap_compare: Any, size: tuple[int, int]) -> None:
    from tests.support.estate import sample_identity
    from tracker_tui.ui.screens.confirm import ConfirmActionScreen

    def screen() -> Any:
        planned = _planned("stop", lambda r: r.kind in ("ec2:instance", "rds:db-instance", "ec2:volume"))
        return ConfirmActionScreen(planned, sample_identity())

    assert snap_compare(priced_app(), terminal_size=size, run_before=_push(screen))


@pytest.mark.parametrize("size", SIZES)
def test_confirm_bulk_delete_mixed_selection(snap_compare: Any, size: tuple[int, int]) -> None:
    """Every row of the estate on a production account: many kinds, skipped rows, RDS
    deletes, non-empty buckets.  The prompt, the input and the buttons must show at 80x24."""
    from tests.support.estate import sample_identity
    from tracker_tui.ui.screens.confirm import ConfirmActionScreen

    def screen() -> Any:
        return ConfirmActionScreen(_planned("delete", lambda r: True), sample_identity("acme-prod"), danger=True)

    assert snap_compare(priced_app(), terminal_size=size, run_before=_push(screen))


@pytest.mark.parametrize("size", SIZES)
def test_confirm_every_row_list(snap_compare: Any, size: tuple[int, int]) -> None:
    from tests.support.estate import sample_identity
    from tracker_tui.ui.screens.confirm import ConfirmActionScreen

    def screen() -> Any:
        return ConfirmActionScreen(_planned("delete", lambda r: True), sample_identity("acme-prod"), danger=True)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _push(screen)(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()

    assert snap_compare(priced_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_action_results(snap_compare: Any, size: tuple[int, int]) -> None:
    from tracker_tui.aws.actions import ActionUpdate, Status
    from tracker_tui.ui.screens.progress import ActionProgressScreen

    planned = _planned(
        "delete", lambda r: r.kind in ("ec2:volume", "ec2:elastic-ip") and r.state in ("available", "idle")
    )
    planned += _planned("delete", lambda r: r.kind == "iam:user")[:1]

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_scan(pilot.app, pilot)  # type: ignore[arg-type]
        screen = ActionProgressScreen(planned, f"{len(planned) - 1} actions in account 123456789012")
        await pilot.app.push_screen(screen)
        acting = [p for p in planned if p.action]
        outcomes = [
            (Status.DONE, "", ""),
            (Status.REFUSED, "volume is attached to i-0a1b2c3d4e5f60007 (state in-use)", ""),
            (Status.FAILED, "You are not authorized to perform this operation.", "UnauthorizedOperation"),
        ]
        for p, (status, message, code) in zip(acting, outcomes * len(acting), strict=False):
            screen.apply(ActionUpdate(p.resource, p.action, status, message, code, deleted=status is Status.DONE))
        await pilot.pause()

    assert snap_compare(priced_app(), terminal_size=size, run_before=run_before)


# --- the bill beside the estimate -----------------------------------------------------------------


#: A fixed monthly cost per row of each kind (None: unknown), so the bill screens move with
#: the bill view's code only, not with the price catalogue.
BILL_ROW_COSTS: dict[str, float | None] = {
    "ec2:instance": 45.0, "ec2:volume": 140.0, "ec2:elastic-ip": 3.65, "ec2:nat-gateway": 33.58,
    "s3:bucket": 5.0, "rds:db-instance": 190.0, "lambda:function": None, "elb:load-balancer": 17.5,
    "logs:log-group": 0.3, "iam:user": 0.0, "iam:role": 0.0, "autoscaling:group": 0.0, "elasticache:cluster": 75.0,
}


def bill_app(**fake: Any) -> object:
    """The estate at fixed costs with a fake bill source (tests.support.estate.FakeBills): no AWS, no moto."""
    import dataclasses

    from tests.support.estate import FakeBills

    rows = [
        dataclasses.replace(r, monthly_cost=BILL_ROW_COSTS[r.kind], cost_basis="fixed for the snapshot")
        for r in sample_resources()
    ]
    return make_app(sample_source(resources=rows), bills=FakeBills(**fake))


def open_bill(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """A run_before that waits for the scan, opens the bill view (b), presses ``keys`` and
    waits for the fetch (a worker thread) to be shown."""
    from tests.support.estate import wait_bill

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_scan(pilot.app, pilot)  # type: ignore[arg-type]
        await pilot.press("b", *keys)
        await wait_bill(pilot.app, pilot)  # type: ignore[arg-type]
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_bill_notice(snap_compare: Any, size: tuple[int, int]) -> None:
    """What the view will do and cost, before any request: the prompt shows at 80x24."""
    assert snap_compare(bill_app(), terminal_size=size, run_before=open_bill())


@pytest.mark.parametrize("size", SIZES)
def test_bill_results(snap_compare: Any, size: tuple[int, int]) -> None:
    """After enter: per service billed / ours / difference, what is not covered, the totals."""
    assert snap_compare(bill_app(), terminal_size=size, run_before=open_bill("enter"))


# --- the screens opened from the main view with what they show fixed ------------------------------


def open_screen(make: Callable[[], Any]) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """A run_before that waits for the replayed scan, then opens the screen ``make`` builds."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_scan(pilot.app, pilot)  # type: ignore[arg-type]
        await pilot.app.push_screen(make())
        await pilot.pause()

    return run_before


#: A fixed place for the audit log the audit snapshot reads (its path is in the title).
AUDIT_DIR = Path(tempfile.gettempdir()) / "tracker-tui-snapshot-audit"


def _audit_log() -> AuditLog:
    """Three entries with fixed times: a stop made and verified, and a refusal."""
    entries = [
        {"time": "2026-11-29T11:58:01.120Z", "phase": "before", "action": "stop", "account": "123456789012",
         "region": "us-east-1", "kind": "ec2:instance", "id": "i-0a1b2c3d4e5f60001"},
        {"time": "2026-11-29T11:58:01.870Z", "phase": "after", "action": "stop", "account": "123456789012",
         "region": "us-east-1", "kind": "ec2:instance", "id": "i-0a1b2c3d4e5f60001", "result": "ok",
         "request_id": "5f2c1a3e-8a0b-4c59-9d1e-2b7f3c4d5e6f"},
        {"time": "2026-11-29T11:59:12.004Z", "phase": "after", "action": "delete", "account": "123456789012",
         "region": "eu-west-1", "kind": "ec2:volume", "id": "vol-0feedface0000002", "result": "failed",
         "code": "VolumeInUse"},
    ]  # fmt: skip
    AUDIT_DIR.mkdir(parents=True, exist_ok=True)
    path = AUDIT_DIR / "audit.jsonl"
    scratch = path.with_suffix(f".{os.getpid()}")
    scratch.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    os.replace(scratch, path)  # xdist workers write the same file: whole, never torn
    return AuditLog(path)


@pytest.mark.parametrize("size", SIZES)
def test_audit_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    log = _audit_log()
    assert snap_compare(priced_app(), terminal_size=size, run_before=open_screen(lambda: AuditScreen(log)))


def _changes() -> Diff:
    rows = sample_resources(priced=True)
    newer = [dataclasses.replace(r, state="stopped") if r.kind == "ec2:instance" else r for r in rows[5:]]
    return diff(rows[:50], newer)


@pytest.mark.parametrize("size", SIZES)
def test_changes_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    make = lambda: ChangesScreen(_changes(), "3 h ago, 2026-11-29T09:00:00Z")  # noqa: E731
    assert snap_compare(priced_app(), terminal_size=size, run_before=open_screen(make))


@pytest.mark.parametrize("size", SIZES)
def test_export_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    default = Path("/home/ops/tracker-123456789012-20261129-120000.json")
    assert snap_compare(priced_app(), terminal_size=size, run_before=open_screen(lambda: ExportScreen(default, 60)))


@pytest.mark.parametrize("size", SIZES)
def test_profile_picker(snap_compare: Any, size: tuple[int, int]) -> None:
    make = lambda: ProfilePicker(["default", "payments-prod", "sandbox", "staging"], "sandbox")  # noqa: E731
    assert snap_compare(priced_app(), terminal_size=size, run_before=open_screen(make))


@pytest.mark.parametrize("size", SIZES)
def test_region_picker(snap_compare: Any, size: tuple[int, int]) -> None:
    regions = ["ap-northeast-1", "ap-southeast-2", "eu-central-1", "eu-west-1", "us-east-1", "us-east-2", "us-west-2"]
    make = lambda: RegionPicker(regions, ["eu-west-1", "us-east-1"])  # noqa: E731
    assert snap_compare(priced_app(), terminal_size=size, run_before=open_screen(make))
