"""The cost panels' figures are the sums of the rows, kept right as rows arrive, change and go."""

from __future__ import annotations

import asyncio
import dataclasses
import random
from typing import Any

from textual.widgets import Input

from tests.support.helpers import scan_done, wait_until
from tracker_tui.aws.kinds import REGISTRY, price_resources
from tracker_tui.costs import CostSummary
from tracker_tui.findings import savings_total, with_findings
from tracker_tui.model import Identity, Resource, format_cost
from tracker_tui.replay import ReplaySource
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.widgets.cost_panel import CostPanel

KINDS = ["ec2:instance", "ec2:volume", "ec2:elastic-ip", "logs:log-group", "lambda:function"]
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


def _estate(n: int, seed: int = 7) -> list[Resource]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        region = REGIONS[rng.randrange(len(REGIONS))]
        state = "running"
        details: dict[str, Any] = {}
        if kind == "ec2:instance":
            state = rng.choice(["running", "stopped"])
            details = {
                "instance_type": rng.choice(["t3.micro", "m5.large", "x9.weird"]),
                "volume_ids": [f"vol-{i + 1}"],
            }
        elif kind == "ec2:volume":
            state = rng.choice(["in-use", "available"])
            details = {"size_gib": rng.randrange(1, 500), "volume_type": rng.choice(["gp2", "gp3", "st1"])}
        elif kind == "ec2:elastic-ip":
            associated = rng.random() < 0.5
            state, details = ("associated" if associated else "idle"), {"associated": associated}
        elif kind == "logs:log-group":
            retention = rng.choice([None, 30])
            state = f"retain-{retention}d" if retention else "no-retention"
            details = {"stored_bytes": rng.randrange(0, 50 * 2**30), "retention_days": retention}
        rid = f"vol-{i}" if kind == "ec2:volume" else f"r-{i}"
        out.append(Resource(kind=kind, id=rid, region=region, account_id="123456789012", state=state, details=details))
    return with_findings(price_resources(out))


def _expected(resources: list[Resource]) -> tuple[float, dict[str, float], dict[str, float], int]:
    total, unpriced = 0.0, 0
    by_kind: dict[str, float] = {}
    by_region: dict[str, float] = {}
    for r in resources:
        if r.monthly_cost is None:
            unpriced += 1
            continue
        total += r.monthly_cost
        by_kind[r.kind] = by_kind.get(r.kind, 0.0) + r.monthly_cost
        by_region[r.region] = by_region.get(r.region, 0.0) + r.monthly_cost
    return total, by_kind, by_region, unpriced


def _assert_matches(summary: CostSummary, resources: list[Resource]) -> None:
    total, by_kind, by_region, unpriced = _expected(resources)
    assert round(summary.total, 6) == round(total, 6)
    assert {k: round(v, 6) for k, v in summary.by_kind.items()} == {k: round(v, 6) for k, v in by_kind.items()}
    assert {k: round(v, 6) for k, v in summary.by_region.items()} == {k: round(v, 6) for k, v in by_region.items()}
    assert summary.unpriced == unpriced
    assert summary.priced + summary.unpriced == len(resources)


def test_sums_equal_the_rows_through_adds_replacements_and_removals() -> None:
    estate = _estate(400)
    assert any(r.monthly_cost is None for r in estate)  # unknown types and Lambda stay unpriced
    summary = CostSummary()
    summary.add(estate[:150])
    summary.add(estate[150:])
    _assert_matches(summary, estate)

    # A stopped row re-read: its replacement counts once, the old figure is gone.
    changed = [dataclasses.replace(r, monthly_cost=(r.monthly_cost or 0) + 1.0) for r in estate[:50]]
    summary.add(changed)
    current = changed + estate[50:]
    _assert_matches(summary, current)

    gone = {r.key for r in current[::3]}
    summary.remove(gone)
    _assert_matches(summary, [r for r in current if r.key not in gone])


def test_top_spenders_are_the_dearest_rows() -> None:
    estate = _estate(200)
    summary = CostSummary()
    summary.add(estate)
    expected = sorted((r.monthly_cost for r in estate if r.monthly_cost), reverse=True)[:10]
    assert [r.monthly_cost for r in summary.top(10)] == expected


def test_waste_lines_add_up_and_carry_the_filter_that_shows_them() -> None:
    estate = _estate(300)
    summary = CostSummary()
    summary.add(estate)
    lines = {line.label: line for line in summary.waste_lines()}
    idle = [r for r in estate if r.kind == "ec2:elastic-ip" and r.state == "idle"]
    assert lines["idle Elastic IP"].count == len(idle)
    assert lines["idle Elastic IP"].saving == round(sum(r.monthly_cost or 0 for r in idle), 2)
    loose = [r for r in estate if r.kind == "ec2:volume" and r.state == "available"]
    assert lines["unattached volume"].count == len(loose)
    assert lines["unattached volume"].saving == round(sum(r.monthly_cost or 0 for r in loose), 2)
    for line in lines.values():
        assert line.filter_text == REGISTRY.rules()[line.finding_id].filter == f"finding:{line.finding_id}"
        assert line.label == REGISTRY.rules()[line.finding_id].label
    # An unattached gp2 volume is one saving, not two; a stopped instance's volumes are its saving.
    assert summary.waste_total() == savings_total(estate) < round(sum(line.saving for line in lines.values()), 2)


def test_the_panel_shows_the_sum_of_the_table_rows() -> None:
    estate = _estate(120)
    source = ReplaySource(Identity("123456789012", "", "acme-staging"), REGIONS, KINDS, estate, page_size=25)

    async def run() -> None:
        app = TrackerApp(source, monotonic=lambda: 0.0)
        async with app.run_test(size=(160, 50)) as pilot:
            await wait_until(pilot, scan_done(app))
            rows_total = sum(r.monthly_cost or 0 for r in app.table.resources)
            text = str(app.query_one("#cost-total").render())
            assert f"Monthly run-rate {format_cost(rows_total)}" in text
            unpriced = sum(1 for r in app.table.resources if r.monthly_cost is None)
            assert f"{unpriced:,} unknown" in text
            # Selecting the first waste line filters the table to exactly those rows.
            await pilot.press("tab")
            assert app.focused is app.query_one(CostPanel).query_one("#waste-list")
            first = app.costs.waste_lines()[0]
            await pilot.press("enter")
            await pilot.pause()
            assert app.query_one("#filter", Input).value == first.filter_text
            assert app.table.row_count == first.count

    asyncio.run(run())


def test_findings_that_read_other_rows_reach_the_table_once_the_scan_is_in() -> None:
    # The rows arrive without their related findings (a replay, as the engine streams them);
    # the scan thread works those out at the end and the rows are replaced, not added.
    instance, volume = price_resources([
        Resource("ec2:instance", "i-1", "us-east-1", account_id="123456789012", state="stopped",
                 details={"instance_type": "m5.large", "volume_ids": ["vol-1"]}),
        Resource("ec2:volume", "vol-1", "us-east-1", account_id="123456789012", state="in-use",
                 details={"volume_type": "gp3", "size_gib": 50, "iops": 3000, "throughput_mibps": 125}),
    ])  # fmt: skip
    source = ReplaySource(Identity("123456789012", "", "acme-staging"), ["us-east-1"], KINDS, [instance, volume])

    async def run() -> None:
        app = TrackerApp(source, monotonic=lambda: 0.0)
        async with app.run_test(size=(160, 50)) as pilot:
            await wait_until(pilot, scan_done(app))
            rows = {r.id: r for r in app.table.resources}
            assert [(f.id, f.monthly_saving) for f in rows["i-1"].findings] == [("stopped-instance-storage", 4.0)]
            assert app.table.total_count == 2 and app.scan.resources_found == 2  # replaced, not counted again
            assert [(line.finding_id, line.saving) for line in app.costs.waste_lines()] == [
                ("stopped-instance-storage", 4.0)
            ]

    asyncio.run(run())
