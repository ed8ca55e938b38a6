"""tracker-tui's off-hours schedules as rows (aws/kinds/scheduler.py) against moto: the schedules
written as ``z`` writes them (tests/support/rails/scheduler.py), read back one row per pair with
their zone, crons, targets and the group's tags; a half pair; pages of one schedule; a region with
no group; a schedule that cannot be read; and the price, $0.00 with the free tier in its basis."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.rails.scheduler import SCHEDULE, make_group, make_pair, put_schedule
from tracker_tui.aws.console import console_url
from tracker_tui.aws.kinds import REGISTRY, estimate, resolve_kinds
from tracker_tui.aws.kinds.scheduler import (
    INCOMPLETE,
    KIND,
    MIXED,
    next_events,
    schedulable_of,
    schedule_text,
    target_of,
)
from tracker_tui.model import CellStatus, Resource
from tracker_tui.offhours import GROUP, ROLE, preset, schedule_names

ACCOUNT = "123456789012"
REGION = "us-east-1"
PARIS = ZoneInfo("Europe/Paris")
EC2_PAIR, EC2_STOP, EC2_START = schedule_names(SCHEDULE, "ec2")
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"


def rows(**scan: Any) -> dict[str, Resource]:
    found, _ = helpers.scan([KIND], **scan)
    return {r.id: r for r in found}


def test_a_pair_is_one_row_with_its_zone_crons_targets_and_the_groups_tags() -> None:
    with mock_aws():
        make_pair("ec2:instance", ["i-0aaa", "i-0bbb"], {"team": "platform"})
        rds_pair = make_pair("rds:db-instance", ["orders-dev"])
        found = rows()

    assert set(found) == {EC2_PAIR, rds_pair}
    ec2 = found[EC2_PAIR]
    assert (ec2.kind, ec2.region, ec2.account_id, ec2.state) == (KIND, REGION, ACCOUNT, "ENABLED")
    assert ec2.name == "ec2 x2: office-hours MON-FRI 08:00-19:00 Europe/Paris"
    assert ec2.arn == f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/{GROUP}/{EC2_STOP}"
    assert ec2.tags == {"team": "platform"}  # the group's: schedules have none of their own
    assert ec2.created is not None
    assert {k: v for k, v in ec2.details.items() if k != "invocations_per_month"} == {
        "group": GROUP,
        "schedule": SCHEDULE.text,
        "zone": "Europe/Paris",
        "target_service": "ec2",
        "target_kind": "ec2:instance",
        "targets": ["i-0aaa", "i-0bbb"],
        "role_arn": ROLE_ARN,
        "stop_name": EC2_STOP,
        "stop_expression": "cron(0 19 ? * MON-FRI *)",
        "stop_state": "ENABLED",
        "start_name": EC2_START,
        "start_expression": "cron(0 8 ? * MON-FRI *)",
        "start_state": "ENABLED",
    }
    # One row per RDS instance (its API takes one id), its id in the pair's name.
    db = found[rds_pair]
    assert rds_pair == f"{SCHEDULE.slug}-rds-orders-dev"
    assert (db.details["target_kind"], db.details["targets"]) == ("rds:db-instance", ["orders-dev"])


def test_the_price_is_zero_with_the_invocations_and_the_free_tier_in_its_basis() -> None:
    with mock_aws():
        make_pair("ec2:instance", ["i-0aaa", "i-0bbb"])
        weekends = preset("weekends-off", "America/New_York")
        pair = make_pair("rds:db-instance", ["orders-dev"], schedule=weekends)
        found = rows()

    office = found[EC2_PAIR]
    # Five stops and five starts a week (however many instances one call names): 10 x 365.25 / 7 / 12.
    assert office.details["invocations_per_month"] == 43.5
    assert office.monthly_cost == 0.0
    assert office.cost_basis == (
        "$0.00 in the free tier: about 43.5 invocations/month; EventBridge Scheduler's first 14 million a "
        "month are free, then $1.00 per million"
    )
    # Weekends off: one stop (Saturday 00:00) and one start (Monday 00:00) a week.
    assert found[pair].details["invocations_per_month"] == 8.7
    assert found[pair].details["stop_expression"] == "cron(0 0 ? * SAT *)"


def test_a_bare_row_and_a_cron_tracker_tui_did_not_write_still_say_the_free_tier() -> None:
    cost, basis = estimate(Resource(kind=KIND, id="x", region=REGION))
    assert cost == 0.0
    assert "invocations a month are unknown" in basis and "first 14 million a month are free" in basis


def test_a_half_pair_is_a_row_that_says_what_it_does_alone() -> None:
    with mock_aws():
        make_group({})
        stops_only = make_pair("rds:db-instance", ["reports-dev"])
        boto3.client("scheduler", region_name=REGION).delete_schedule(Name=f"{stops_only}-start", GroupName=GROUP)
        starts_only, _, start_name = schedule_names(SCHEDULE, "notebook", "ds-lab")
        put_schedule("sagemaker:notebook-instance", "start", start_name, ["ds-lab"])
        found = rows()

    stop_row, start_row = found[stops_only], found[starts_only]
    assert (stop_row.state, start_row.state) == (INCOMPLETE, INCOMPLETE)
    assert stop_row.details["note"] == (
        f"only {stops_only}-stop exists: it stops its rows and nothing starts them again"
    )
    assert "start_name" not in stop_row.details and stop_row.details["targets"] == ["reports-dev"]
    assert start_row.details["note"] == f"only {start_name} exists: it starts its rows and nothing stops them"
    assert start_row.details["target_kind"] == "sagemaker:notebook-instance"
    assert start_row.details["invocations_per_month"] == 21.7  # the start's five a week alone


def test_halves_that_disagree_show_mixed_and_say_how() -> None:
    with mock_aws():
        make_group({})
        pair, stop_name, start_name = schedule_names(SCHEDULE, "ec2")
        put_schedule("ec2:instance", "stop", stop_name, ["i-0aaa", "i-0bbb"])
        put_schedule("ec2:instance", "start", start_name, ["i-0aaa"], state="DISABLED")
        row = rows()[pair]

    assert row.state == MIXED
    assert row.details["targets"] == ["i-0aaa", "i-0bbb"]
    assert row.details["note"] == "the stop schedule names i-0aaa, i-0bbb, the start schedule i-0aaa"
    # A disabled half never fires.
    stop, start = next_events(row, datetime(2026, 3, 2, 12, 0, tzinfo=PARIS))
    assert (stop, start) == (datetime(2026, 3, 2, 19, 0, tzinfo=PARIS), None)


def test_pages_of_one_schedule_still_pair_every_half(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_aws():
        make_pair("ec2:instance", ["i-0aaa"])
        db_pair = make_pair("rds:db-instance", ["orders-dev"])
        session = helpers.moto_session()
        calls = helpers.record_calls(session)
        found = rows(session=session, page_size=1)

    listed = helpers.named(calls, "scheduler.ListSchedules")
    assert len(listed) == 4  # four schedules, one a page: the halves of a pair on two pages
    assert all(params["MaxResults"] == 1 and params["GroupName"] == GROUP for params in listed)
    assert set(found) == {EC2_PAIR, db_pair}
    assert all(r.state == "ENABLED" for r in found.values())
    assert len(helpers.named(calls, "scheduler.GetSchedule")) == 4
    assert len(helpers.named(calls, "scheduler.ListTagsForResource")) == 1  # the group's, once a cell


def test_a_region_without_the_group_is_an_empty_cell_not_an_error() -> None:
    with mock_aws():
        make_pair("ec2:instance", ["i-0aaa"], region="eu-west-1")
        found, collector = helpers.scan([KIND], ["us-east-1", "eu-west-1"])

    assert {(r.region, r.id) for r in found} == {("eu-west-1", EC2_PAIR)}
    statuses = {r.cell.region: r.status for r in collector.results}
    assert statuses == {"us-east-1": CellStatus.EMPTY, "eu-west-1": CellStatus.DONE}


def test_a_group_aws_says_does_not_exist_is_an_empty_cell_too() -> None:
    """AWS answers ListSchedules for a missing group with ResourceNotFoundException (moto lists nothing)."""
    with mock_aws():
        session = helpers.moto_session()
        session.boto.events.register(
            "before-call.scheduler.ListSchedules",
            lambda **_: helpers.error_response(
                "ResourceNotFoundException", f"Schedule group {GROUP} does not exist.", 404
            ),
        )
        found, collector = helpers.scan([KIND], session=session)

    assert found == []
    assert [r.status for r in collector.results] == [CellStatus.EMPTY]


def test_a_schedule_that_cannot_be_read_leaves_its_row_listed_and_the_cell_partial() -> None:
    with mock_aws():
        make_pair("ec2:instance", ["i-0aaa"])
        session = helpers.moto_session()

        def refuse_the_start(params: dict[str, Any], **_: Any) -> Any:
            if params["url_path"].endswith(f"/{EC2_START}"):
                return helpers.error_response("AccessDeniedException", "not authorized")
            return None

        session.boto.events.register("before-call.scheduler.GetSchedule", refuse_the_start)
        found, collector = helpers.scan([KIND], session=session)

    (row,) = found
    assert row.state == "ENABLED"  # the listing's state
    assert row.details["unreadable"] == ["schedule unreadable (AccessDeniedException)"]
    assert "start_expression" not in row.details and row.details["stop_expression"] == "cron(0 19 ? * MON-FRI *)"
    assert (row.details["zone"], row.details["targets"]) == ("Europe/Paris", ["i-0aaa"])
    assert "note" not in row.details and "start_zone" not in row.details  # nothing said of what was not read
    assert [r.status for r in collector.results] == [CellStatus.PARTIAL]


def test_a_schedule_not_named_as_z_names_them_stands_alone() -> None:
    with mock_aws():
        make_group({})
        put_schedule("redshift:cluster", "stop", "pause-the-warehouse", ["warehouse"])
        row = rows()["pause-the-warehouse"]

    assert row.state == INCOMPLETE
    assert (row.details["stop_name"], row.details["target_kind"]) == ("pause-the-warehouse", "redshift:cluster")


def test_targets_map_to_the_kinds_that_declare_them() -> None:
    for kind, spec in REGISTRY.items():
        way = spec.off_hours
        if way is None:
            continue
        assert schedulable_of(way.target_arn("stop")) == (kind, way, "stop")
        assert schedulable_of(way.target_arn("start")) == (kind, way, "start")
    assert target_of("arn:aws:scheduler:::aws-sdk:ec2:stopInstances") == ("ec2", "stopInstances")
    assert schedulable_of("arn:aws:scheduler:::aws-sdk:ec2:terminateInstances") is None
    assert schedulable_of("arn:aws:lambda:us-east-1:123456789012:function:x") is None


def test_the_schedule_is_read_from_the_description_z_writes() -> None:
    assert schedule_text(f"tracker-tui off-hours: {SCHEDULE.text} (stop)") == SCHEDULE.text
    assert schedule_text(f"tracker-tui off-hours: {SCHEDULE.text} (start)") == SCHEDULE.text
    assert schedule_text("tracker-tui off-hours: office-hours MON-FRI 25:00-19:00 Europe/Paris (stop)") is None
    assert schedule_text(f"someone else's: {SCHEDULE.text}") is None
    assert schedule_text(None) is None


def test_next_stop_and_start_in_the_schedules_zone() -> None:
    row = Resource(
        kind=KIND,
        id=EC2_PAIR,
        region=REGION,
        details={
            "zone": "Europe/Paris",
            "stop_expression": "cron(0 19 ? * MON-FRI *)",
            "stop_state": "ENABLED",
            "start_expression": "cron(0 8 ? * MON-FRI *)",
            "start_state": "ENABLED",
        },
    )
    friday_evening = datetime(2026, 3, 6, 20, 0, tzinfo=PARIS)
    assert next_events(row, friday_evening) == (
        datetime(2026, 3, 9, 19, 0, tzinfo=PARIS),
        datetime(2026, 3, 9, 8, 0, tzinfo=PARIS),
    )
    half = Resource(kind=KIND, id="x", region=REGION, details={"zone": "Europe/Paris"})
    assert next_events(half, friday_evening) == (None, None)


def test_the_console_opens_the_stop_schedule_in_its_group() -> None:
    row = Resource(kind=KIND, id=EC2_PAIR, region="eu-west-1", details={"stop_name": EC2_STOP})
    assert console_url(row) == (
        f"https://eu-west-1.console.aws.amazon.com/scheduler/home?region=eu-west-1#schedules/{GROUP}/{EC2_STOP}"
    )


def test_schedules_are_a_kind_the_jump_bar_and_the_scan_know() -> None:
    (spec,) = resolve_kinds([KIND])
    assert (spec.label, spec.title, spec.scope, spec.service) == (
        "sched",
        "Off-hours schedules",
        "regional",
        "scheduler",
    )
    assert {"schedules", "schedule"} <= set(spec.aliases)
    assert spec.verbs == {"delete": "delete"} and spec.rules == ()
    assert list(REGISTRY)[-1] == KIND
    assert json.dumps(list(spec.iam_actions)) == json.dumps(
        ["scheduler:ListSchedules", "scheduler:GetSchedule", "scheduler:ListTagsForResource"]
    )
