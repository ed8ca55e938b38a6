"""How much of the saving found a fix that loses no data reaches (issue 24, item 9): the kinds
declare it (``KindSpec.in_place``), ``findings.savings_of`` counts it once per billed thing, and
the Savings panel, the markdown report, the table footer and the JSON say it."""

from __future__ import annotations

import json
from typing import Any

from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.aws.kinds.base import InPlace
from tracker_tui.costs import CostSummary, dumps_markdown, report_footer
from tracker_tui.findings import in_place_saving, savings_of, savings_total
from tracker_tui.model import Finding, Identity, Resource
from tracker_tui.store import Inventory, dumps_json

ACCOUNT = "123456789012"


def row(kind: str, rid: str, *findings: Finding, cost: float | None = 100.0, **details: Any) -> Resource:
    return Resource(
        kind, rid, "us-east-1", account_id=ACCOUNT, monthly_cost=cost, findings=tuple(findings), details=details
    )


def finding(fid: str, saving: float | None, action: str | None = None) -> Finding:
    return Finding(fid, saving, "evidence", "high", action)


def test_every_in_place_fix_is_a_finding_of_its_kind_and_an_action_it_performs() -> None:
    from tracker_tui.aws.actions import ACTION_SPECS

    declared = 0
    for spec in REGISTRY.values():
        ids = {r.id for r in spec.rules} | {r.id for r in spec.metric_rules}
        for fid, fix in spec.in_place.items():
            declared += 1
            assert fid in ids, (spec.id, fid)
            assert (spec.id, fix.action) in ACTION_SPECS, (spec.id, fid, fix.action)
            assert fix.action in spec.verbs.values(), (spec.id, fid, fix.action)
    assert declared >= 2


def test_a_log_retention_is_not_in_place_it_drops_events() -> None:
    """Reversible as a setting, but AWS deletes the older events: not "nothing lost"."""
    assert "no-retention" not in REGISTRY["logs:log-group"].in_place


def test_the_in_place_part_is_the_counted_findings_fix_never_more_than_the_finding() -> None:
    idle_table = row("dynamodb:table", "orders", finding("idle-dynamodb-table", 9.49, "modify"))
    idle_cluster = row("redshift:cluster", "wh", finding("idle-redshift", 182.5, "pause"))
    # No in-place fix for a log group without retention: counted in the total, not in place.
    logs = row("logs:log-group", "/app", finding("no-retention", 2.4, "modify"))
    found = savings_of([idle_table, idle_cluster, logs])
    assert (found.monthly, found.in_place_monthly) == (194.39, 191.99) == (round(9.49 + 182.5 + 2.4, 2), 191.99)
    assert found.to_dict() == {"monthly": 194.39, "in_place_monthly": 191.99}
    assert found.in_place_text() == "$191.99 of $194.39/mo can be fixed in place"
    assert savings_total([idle_table, idle_cluster, logs]) == found.monthly


def test_a_fix_with_its_own_saving_is_capped_by_the_finding_and_unknown_stays_out() -> None:
    kind = REGISTRY["dynamodb:table"]
    fixes = dict(kind.in_place)
    try:
        object.__setattr__(
            kind, "in_place", {"idle-dynamodb-table": InPlace("modify", lambda r: r.details.get("kept"))}
        )
        more = row("dynamodb:table", "a", finding("idle-dynamodb-table", 10.0), kept=25.0)
        less = row("dynamodb:table", "b", finding("idle-dynamodb-table", 10.0), kept=4.0)
        unknown = row("dynamodb:table", "c", finding("idle-dynamodb-table", 10.0), kept=None)
        assert in_place_saving(more, 10.0) == 10.0
        assert in_place_saving(less, 10.0) == 4.0
        assert in_place_saving(unknown, 10.0) is None
        assert savings_of([more, less, unknown]).to_dict() == {"monthly": 30.0, "in_place_monthly": 14.0}
    finally:
        object.__setattr__(kind, "in_place", fixes)


def test_a_row_with_no_findings_or_no_fix_adds_nothing() -> None:
    plain = row("dynamodb:table", "quiet")
    assert in_place_saving(plain) is None
    assert savings_of([plain]).to_dict() == {"monthly": 0.0, "in_place_monthly": 0.0}
    assert savings_of([plain]).in_place_share is None


def _inventory(resources: list[Resource]) -> Inventory:
    identity = Identity(account_id=ACCOUNT)
    return Inventory(identity=identity, regions=["us-east-1"], resources=resources, accounts=[identity])


def test_the_report_the_footer_and_the_json_say_it() -> None:
    rows = [
        row("dynamodb:table", "orders", finding("idle-dynamodb-table", 9.49, "modify")),
        row("logs:log-group", "/app", finding("no-retention", 2.4, "modify")),
    ]
    markdown = dumps_markdown(_inventory(rows))
    assert "Savings found: **$11.89/mo**" in markdown
    assert "**$9.49 of $11.89/mo can be fixed in place** without losing data" in markdown
    footer = report_footer(rows)
    assert "savings: $11.89/mo (each resource counted once; $9.49 of it fixable in place, nothing lost)" in footer[1]
    summary = CostSummary()
    summary.add(rows)
    assert summary.savings().to_dict() == {"monthly": 11.89, "in_place_monthly": 9.49}
    inventory = _inventory(rows)
    assert "savings" not in json.loads(dumps_json(inventory))  # only a writer above the findings adds it
    inventory.savings = savings_of(rows).to_dict()
    assert json.loads(dumps_json(inventory))["savings"] == {"monthly": 11.89, "in_place_monthly": 9.49}


def test_what_the_in_place_total_counts_is_what_the_dialog_says_the_fix_saves() -> None:
    """The fixes with their own saving (a snapshot kept) count what their action's plan shows."""
    from tracker_tui.aws.actions import ACTION_SPECS
    from tracker_tui.aws.kinds import price_resources
    from tracker_tui.findings import with_findings

    volume, snapshot = price_resources(
        [
            Resource("ec2:volume", "vol-1", "us-east-1", account_id=ACCOUNT, state="available",
                     details={"volume_type": "io1", "size_gib": 100, "iops": 3000}),
            Resource("ec2:snapshot", "snap-1", "us-east-1", account_id=ACCOUNT, state="completed",
                     created="2020-01-01T00:00:00Z", details={"volume_id": "vol-gone", "volume_size_gib": 100}),
        ]
    )  # fmt: skip
    volume, snapshot = with_findings([volume, snapshot])
    # io1: 100 GiB x $0.125 + 3,000 IOPS x $0.065 = $207.50; its snapshot at most 100 GiB x $0.05 = $5.00.
    delete = ACTION_SPECS[("ec2:volume", "delete")]
    assert in_place_saving(volume) == delete.saving(volume) == 202.5
    # Standard 100 GiB x $0.05 = $5.00 -> archive 100 GiB x $0.0125 = $1.25 (upper bounds).
    archive = ACTION_SPECS[("ec2:snapshot", "modify")]
    assert {f.id for f in snapshot.findings} >= {"old-snapshot"}
    assert in_place_saving(snapshot) == archive.saving(snapshot) == 3.75
    found = savings_of([volume, snapshot])
    assert found.to_dict() == {"monthly": round(207.5 + 5.0, 2), "in_place_monthly": round(202.5 + 3.75, 2)}


def test_an_aurora_member_reaches_nothing_in_place_its_actions_refuse_it() -> None:
    idle = finding("idle-database", 416.1, "stop")
    single = row("rds:db-instance", "prod-db", idle)
    member = row("rds:db-instance", "aurora-1", idle, cluster_id="aurora-cluster")
    assert in_place_saving(single) == 416.1
    assert in_place_saving(member) is None
