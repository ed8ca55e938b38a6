"""Issue 24's "done when", on the demo account itself: ``m`` on an io1 volume, a
previous-generation instance, a log group without retention, an orphaned snapshot (the demo's
old ones are in the archive tier already: ``m`` refuses them, saying so), a bucket without an
abort rule and an idle provisioned table does what its dialog says, and each row comes back
repriced without the finding it fixed.  One bulk run, as ``ctrl+a`` then ``m``
would make it (through the runner, its rails and its audit log)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import helpers
from tracker_tui.aws.actions import ActionOptions, ActionRunner, Status, needs_typed_name, plan
from tracker_tui.aws.kinds import price_resources
from tracker_tui.demo import DemoAccount, start_demo
from tracker_tui.findings import with_findings
from tracker_tui.model import Finding, Resource
from tracker_tui.store import AuditLog

KINDS = ["ec2:instance", "ec2:volume", "ec2:snapshot", "logs:log-group", "s3:bucket", "dynamodb:table"]
REGIONS = ["us-east-1", "eu-west-1", "us-west-2"]

#: (kind, region, name, the finding ``m`` fixes): one row of each fix the issue names.
WANTED = [
    ("ec2:volume", "us-east-1", "prod-orphan-2", "io1-to-gp3"),
    ("ec2:instance", "us-west-2", "staging-bastion", "previous-generation"),
    ("logs:log-group", "us-east-1", "/aws/lambda/prod-fn-05", "no-retention"),
    ("ec2:snapshot", "us-east-1", "prod-batch-scratch-final", "orphaned-snapshot"),
    ("s3:bucket", "eu-west-1", "acme-tmp-exports", "s3-incomplete-uploads"),
    ("dynamodb:table", "us-west-2", "staging-orders", "idle-dynamodb-table"),
]


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoAccount]:
    account = start_demo(latency_ms=0)
    try:
        report = account.seeded(timeout=120)
        assert report is not None and report.error == "", report
        yield account
    finally:
        account.stop()


def _rows(demo: DemoAccount) -> dict[tuple[str, str, str], Resource]:
    found, collector = helpers.scan(KINDS, REGIONS, session=demo.session)
    assert [r for r in collector.results if r.status.is_error] == []
    return {(r.kind, r.region, r.name or r.id): r for r in with_findings(price_resources(found))}


def test_m_fixes_each_kind_in_place_on_the_demo_and_the_rows_are_repriced(demo: DemoAccount, tmp_path: Path) -> None:
    rows = _rows(demo)
    chosen = []
    for kind, region, name, finding in WANTED:
        row = rows[(kind, region, name)]
        if finding == "idle-dynamodb-table":
            # As the idle check leaves it (the demo's CloudWatch says so; the check's own tests read that).
            idle = Finding(finding, row.monthly_cost, "no consumed capacity over 14 days", "high", "modify")
            row = dataclasses.replace(row, findings=(*row.findings, idle))
        assert finding in {f.id for f in row.findings}, (name, [f.id for f in row.findings])
        chosen.append(row)

    options = ActionOptions(poll_interval=0.05, verify_timeout=60)
    runner = ActionRunner(demo.session, "123456789012", options, audit=AuditLog(tmp_path / "audit.jsonl"))
    planned = plan(chosen, "modify", runner.options)
    assert [p.action for p in planned] == ["modify"] * len(WANTED)
    assert needs_typed_name(planned)  # several rows, and a retention drops events
    said: dict[str, Any] = {p.resource.name: (p.saving, p.note) for p in planned}
    finals = runner.run(planned, lambda update: None)

    by_name = {u.resource.name: u for u in finals}
    for _, _, name, finding in WANTED:
        update = by_name[name]
        assert update.status is Status.DONE, (name, update.message)
        fresh = update.result
        assert fresh is not None, name
        assert finding not in {f.id for f in fresh.findings}, (name, fresh.findings)

    volume = by_name["prod-orphan-2"].result
    assert volume is not None and volume.details["volume_type"] == "gp3"
    before = rows[("ec2:volume", "us-east-1", "prod-orphan-2")].monthly_cost or 0.0
    # What the dialog said it saves is what the row's cost fell by.
    assert round(before - (volume.monthly_cost or 0.0), 2) == said["prod-orphan-2"][0]

    instance = by_name["staging-bastion"].result
    assert instance is not None and (instance.details["instance_type"], instance.state) == ("t3.small", "running")
    before = rows[("ec2:instance", "us-west-2", "staging-bastion")].monthly_cost or 0.0
    assert round(before - (instance.monthly_cost or 0.0), 2) == said["staging-bastion"][0]
    assert "t2.small -> t3.small" in said["staging-bastion"][1]

    group = by_name["/aws/lambda/prod-fn-05"].result
    assert group is not None and group.details.get("retention_days") == 90

    snapshot = by_name["prod-batch-scratch-final"].result
    assert snapshot is not None and snapshot.details.get("storage_tier") == "archive"
    before = rows[("ec2:snapshot", "us-east-1", "prod-batch-scratch-final")].monthly_cost or 0.0
    assert round(before - (snapshot.monthly_cost or 0.0), 2) == said["prod-batch-scratch-final"][0]

    table = by_name["staging-orders"].result
    assert table is not None and table.details.get("billing_mode") == "PAY_PER_REQUEST"

    bucket = by_name["acme-tmp-exports"].result
    assert bucket is not None and "s3-noncurrent-versions" not in {f.id for f in bucket.findings}
