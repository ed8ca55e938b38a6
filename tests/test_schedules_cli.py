"""``tracker-tui schedules``: tracker-tui's off-hours schedules printed headless, in-process against
moto: JSON (the keys its help lists), a plain-text table with AWS strings made visible, the empty
answer, a region that fails (exit 3), and bad usage as one line (exit 2)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from moto import mock_aws

from tests.support.helpers import error_response, hook_every_session, run_cli
from tests.support.rails.scheduler import SCHEDULE, make_group, make_pair, put_schedule
from tracker_tui.cli import SCHEDULES_HELP
from tracker_tui.offhours import ROLE, next_fire, preset, schedule_names

ACCOUNT = "123456789012"
TWO_REGIONS = ("--region", "us-east-1", "--region", "eu-west-1")
EC2_PAIR, EC2_STOP, EC2_START = schedule_names(SCHEDULE, "ec2")
NIGHTS = preset("nights-off", "America/New_York")
KEYS = [
    "account_id", "region", "name", "schedule", "zone", "state", "next_stop", "next_start", "stop_expression",
    "start_expression", "target_kind", "targets", "stop_name", "start_name", "role_arn", "note",
]  # fmt: skip


@pytest.fixture
def estate() -> Iterator[str]:
    """Two instances on office hours in us-east-1, a database on nights off in eu-west-1; the RDS pair's name."""
    with mock_aws():
        make_pair("ec2:instance", ["i-0aaa", "i-0bbb"])
        yield make_pair("rds:db-instance", ["orders-dev"], schedule=NIGHTS, region="eu-west-1")


def one_clean_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("tracker-tui: error: ")
    return err.strip()


def test_json_is_a_list_of_pairs_with_their_next_stop_and_start(estate: str) -> None:
    before = datetime.now(UTC)
    code, out, err = run_cli("schedules", "--format", "json", *TWO_REGIONS)

    assert (code, err) == (0, "")
    entries = json.loads(out)
    assert [(e["region"], e["name"]) for e in entries] == [("eu-west-1", estate), ("us-east-1", EC2_PAIR)]
    assert all(list(e) == KEYS for e in entries)
    db, ec2 = entries
    assert {k: ec2[k] for k in KEYS if not k.startswith("next_")} == {
        "account_id": ACCOUNT,
        "region": "us-east-1",
        "name": EC2_PAIR,
        "schedule": "office-hours MON-FRI 08:00-19:00 Europe/Paris",
        "zone": "Europe/Paris",
        "state": "ENABLED",
        "stop_expression": "cron(0 19 ? * MON-FRI *)",
        "start_expression": "cron(0 8 ? * MON-FRI *)",
        "target_kind": "ec2:instance",
        "targets": ["i-0aaa", "i-0bbb"],
        "stop_name": EC2_STOP,
        "start_name": EC2_START,
        "role_arn": f"arn:aws:iam::{ACCOUNT}:role/{ROLE}",
        "note": None,
    }
    stop = datetime.fromisoformat(ec2["next_stop"])
    assert (stop.hour, stop.minute, stop.weekday() < 5) == (19, 0, True)
    assert stop.utcoffset() == stop.astimezone(ZoneInfo("Europe/Paris")).utcoffset()
    assert stop == next_fire("cron(0 19 ? * MON-FRI *)", "Europe/Paris", before)
    # Nights off in New York: every day, 08:00 to 19:00 there.
    assert (db["zone"], db["targets"], db["target_kind"]) == ("America/New_York", ["orders-dev"], "rds:db-instance")
    assert datetime.fromisoformat(db["next_start"]) == next_fire("cron(0 8 ? * * *)", "America/New_York", before)


def test_the_table_has_one_line_per_pair_and_a_count(estate: str) -> None:
    code, out, err = run_cli("schedules", *TWO_REGIONS)

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [c.strip() for c in lines[0].split("  ") if c.strip()] == [
        "REGION", "NAME", "ZONE", "NEXT STOP", "NEXT START", "STATE", "TARGETS",
    ]  # fmt: skip
    eu, us = lines[1], lines[2]
    assert eu.startswith("eu-west-1") and estate in eu and "America/New_York" in eu
    assert "orders-dev (rds:db-instance)" in eu
    assert us.startswith("us-east-1") and EC2_PAIR in us and "ENABLED" in us
    assert "i-0aaa, i-0bbb (ec2:instance)" in us
    # The next stop in the zone's own words: "Mon 2026-03-09 19:00 CET".
    stop = next_fire("cron(0 19 ? * MON-FRI *)", "Europe/Paris")
    assert stop is not None and stop.strftime("%a %Y-%m-%d %H:%M %Z") in us
    assert lines[3:] == ["", "2 tracker-tui schedules in 2 regions"]


def test_no_schedule_says_so_in_both_formats() -> None:
    with mock_aws():
        table = run_cli("schedules", *TWO_REGIONS)
        listing = run_cli("schedules", "--format", "json", "--region", "eu-west-1")

    assert table == (0, "no tracker-tui schedules in 2 regions\n", "")
    assert listing == (0, "[]\n", "")


def test_aws_strings_are_shown_not_obeyed_in_the_table() -> None:
    """A target's id comes from the schedule's input, which anyone allowed to write it wrote."""
    with mock_aws():
        make_group({})
        pair, stop_name, _ = schedule_names(SCHEDULE, "ec2")
        put_schedule("ec2:instance", "stop", stop_name, ["i-\x1b[2Jgone\x07"])
        code, out, _ = run_cli("schedules", "--region", "us-east-1")
        _, raw, _ = run_cli("schedules", "--format", "json", "--region", "us-east-1")

    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "i-␛[2Jgone␇ (ec2:instance)" in out
    assert "incomplete" in out
    assert out.splitlines()[-1] == f"{pair}: only {stop_name} exists: it stops its rows and nothing starts them again"
    assert json.loads(raw)[0]["targets"] == ["i-\x1b[2Jgone\x07"]  # JSON keeps the exact data


def test_a_region_that_fails_exits_3_and_still_prints_the_rest(estate: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied_in_eu(context: dict[str, Any], **_: Any) -> Any:
        if context.get("client_region") == "eu-west-1":
            return error_response("AccessDeniedException", "not authorized to scheduler:ListSchedules", 403)
        return None

    hook_every_session(monkeypatch, "before-call.scheduler.ListSchedules", denied_in_eu)
    code, out, err = run_cli("schedules", "--format", "json", *TWO_REGIONS)

    assert code == 3
    assert [e["name"] for e in json.loads(out)] == [EC2_PAIR]
    assert err.startswith("tracker-tui: partial scan: 1 of 2 cells failed, so their rows are missing")
    assert "eu-west-1 scheduler:schedule: AccessDeniedException" in err


def test_a_bad_format_is_one_line_and_exit_2() -> None:
    code, out, err = run_cli("schedules", "--format", "xml")

    assert (code, out) == (2, "")
    assert one_clean_line(err) == (
        "tracker-tui: error: argument --format: invalid choice: 'xml' (choose from 'table', 'json') "
        "(see tracker-tui schedules --help)"
    )


def test_options_before_the_command_stand(estate: str) -> None:
    code, out, _ = run_cli("--region", "eu-west-1", "schedules", "--format", "json")

    assert code == 0
    assert [(e["region"], e["name"]) for e in json.loads(out)] == [("eu-west-1", estate)]


def test_the_help_documents_every_json_key() -> None:
    assert [key for key in KEYS if key not in SCHEDULES_HELP] == []
