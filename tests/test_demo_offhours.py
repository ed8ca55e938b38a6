"""Issue 25's "done when", on the demo account itself: ``z`` on every ``no-off-hours`` row of two
regions (as ``finding:no-off-hours``, ``ctrl+a``, ``z``, office hours, the alias typed would run
it) creates the role, the group and two schedules per region with the right crons and zone, the
rows come back at their schedule's hours, the savings drop by exactly their saving, the Auto
Scaling members are refused with their reason; then the schedules are listed as rows
(``:schedules``) and removed, tags and all.  Through the runner, its rails and its audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import helpers
from tracker_tui.aws.actions import ActionOptions, ActionRunner, Status, needs_typed_name, plan
from tracker_tui.aws.kinds import price_resources
from tracker_tui.demo import DemoAccount, start_demo
from tracker_tui.findings import savings_of, with_findings
from tracker_tui.model import Resource
from tracker_tui.offhours import GROUP, ROLE, SCHEDULE_TAG, preset
from tracker_tui.store import AuditLog

REGIONS = ["us-west-2", "ap-southeast-2"]
ZONE = "Europe/Paris"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoAccount]:
    account = start_demo(latency_ms=0)
    try:
        report = account.seeded(timeout=120)
        assert report is not None and report.error == "", report
        yield account
    finally:
        account.stop()


def _rows(demo: DemoAccount, kinds: list[str]) -> list[Resource]:
    found, collector = helpers.scan(kinds, REGIONS, session=demo.session)
    assert [r for r in collector.results if r.status.is_error] == []
    return with_findings(price_resources(found))


def test_z_schedules_the_demos_dev_machines_then_schedules_lists_and_removes_them(
    demo: DemoAccount, tmp_path: Path
) -> None:
    rows = _rows(demo, ["ec2:instance"])
    wanted = [r for r in rows if any(f.id == "no-off-hours" for f in r.findings)]
    members = {r.id for r in wanted if r.details.get("autoscaling_group")}
    assert len(wanted) >= 10 and members, "the demo has dev machines running 24/7, and Auto Scaling members"
    office = preset("office-hours", ZONE)
    options = ActionOptions(schedule=office, verify_timeout=30, poll_interval=0.01)
    planned = plan(wanted, "schedule", options)
    assert needs_typed_name(planned)  # confirmed like a bulk stop
    before = savings_of(rows).monthly
    runner = ActionRunner(demo.session, "123456789012", options, audit=AuditLog(tmp_path / "audit.jsonl"))
    finals = {u.resource.id: u for u in runner.run(planned, lambda _: None)}

    protected = {r.id for r in wanted if "do-not-delete" in r.tags} - members
    assert protected, "the demo's protected dev api servers"
    for ident in members:
        assert finals[ident].status is Status.REFUSED and "Auto Scaling" in finals[ident].message
    for ident in protected:
        assert finals[ident].status is Status.REFUSED and "do-not-delete" in finals[ident].message
    done = {ident: u for ident, u in finals.items() if ident not in members | protected}
    assert all(u.status is Status.DONE for u in done.values()), [
        (u.resource.name, u.status, u.message) for u in done.values() if u.status is not Status.DONE
    ]
    saving = {p.resource.id: p.saving for p in planned}
    for ident, update in done.items():
        old = next(r for r in wanted if r.id == ident)
        assert update.result is not None and update.result.monthly_cost is not None
        assert old.monthly_cost is not None
        assert round(old.monthly_cost - update.result.monthly_cost, 2) == saving[ident]
        assert "no-off-hours" not in {f.id for f in update.result.findings}
        assert update.result.tags[SCHEDULE_TAG] == office.text

    iam = demo.session.client("iam", "us-east-1")
    trust = iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
    assert "scheduler.amazonaws.com" in json.dumps(trust)
    stop_cron, start_cron = office.crons()
    for region in REGIONS:
        scheduler = demo.session.client("scheduler", region)
        scheduler.get_schedule_group(Name=GROUP)
        listed = [s["Name"] for s in scheduler.list_schedules(GroupName=GROUP)["Schedules"]]
        names = [n for n in listed if n.startswith(office.slug)]  # the demo's staging worker has its own
        assert len(names) == 2, (region, listed)  # one pair per region: EC2's call takes every id
        for name in names:
            got = scheduler.get_schedule(GroupName=GROUP, Name=name)
            assert got["ScheduleExpressionTimezone"] == ZONE
            assert got["ScheduleExpression"] == (stop_cron if name.endswith("-stop") else start_cron)
            ids = set(json.loads(got["Target"]["Input"])["InstanceIds"])
            assert ids == {i for i, u in done.items() if u.resource.region == region}

    # The bill: the rows at their hours, the savings down by exactly what the plan showed.
    after_rows = _rows(demo, ["ec2:instance"])
    assert round(before - savings_of(after_rows).monthly, 2) == round(sum(saving[i] or 0.0 for i in done), 2)

    # :schedules lists them, one row per pair, and ctrl+d removes them with their targets' tags.
    listed = [r for r in _rows(demo, ["scheduler:schedule"]) if r.kind == "scheduler:schedule"]
    pairs = [r for r in listed if r.id.startswith(office.slug)]
    assert len(pairs) == len(REGIONS) and len(listed) == len(REGIONS) + 1  # and the seeded one
    assert all(r.details.get("zone") == ZONE or ZONE in json.dumps(r.details) for r in pairs)
    removal = plan(pairs, "delete", options)
    assert all(p.action == "delete" for p in removal)
    gone = runner.run(removal, lambda _: None)
    assert all(u.status is Status.DONE for u in gone), [u.message for u in gone]
    for region in REGIONS:
        left = demo.session.client("scheduler", region).list_schedules(GroupName=GROUP)["Schedules"]
        assert [s for s in left if s["Name"].startswith(office.slug)] == []
    untagged = [r for r in _rows(demo, ["ec2:instance"]) if r.id in done]
    assert untagged and all(SCHEDULE_TAG not in r.tags for r in untagged)
