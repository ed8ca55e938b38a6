"""Off-hours schedules as data (``tracker_tui.offhours``), a scheduled row's price and the
``no-off-hours`` finding (issue 25, items 1 and 4): crons, DST-correct hours, the tag round
trip, and a bill that drops by exactly the saving the finding showed."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tracker_tui.aws.kinds import REGISTRY, Thresholds, estimate, rules_of
from tracker_tui.config import load_settings
from tracker_tui.findings import in_place_saving, local_findings
from tracker_tui.model import Resource
from tracker_tui.offhours import (
    SCHEDULE_TAG,
    OffHours,
    Policy,
    ScheduleError,
    cron_events,
    custom,
    next_fire,
    pair_of,
    parse,
    preset,
    schedule_names,
    scheduled_by,
)

PARIS = ZoneInfo("Europe/Paris")


def test_office_hours_crons_zone_and_hours_a_month() -> None:
    office = preset("office-hours", "Europe/Paris")
    assert office.text == "office-hours MON-FRI 08:00-19:00 Europe/Paris"
    assert office.crons() == ("cron(0 19 ? * MON-FRI *)", "cron(0 8 ? * MON-FRI *)")
    # 2026 has 261 weekdays: 261 x 11 h / 12 months.
    assert office.monthly_hours(2026) == round(261 * 11 / 12, 2) == 239.25
    assert office.invocations_per_month() == pytest.approx(43.5, abs=0.1)


def test_weekends_off_is_one_run_from_monday_to_saturday_not_a_stop_every_midnight() -> None:
    weekends = preset("weekends-off", "UTC")
    assert weekends.crons() == ("cron(0 0 ? * SAT *)", "cron(0 0 ? * MON *)")
    assert weekends.monthly_hours(2026) == round(261 * 24 / 12, 2)


def test_nights_off_runs_every_day_and_writes_a_star_for_seven_days() -> None:
    nights = preset("nights-off", "UTC")
    assert nights.crons() == ("cron(0 19 ? * * *)", "cron(0 8 ? * * *)")
    assert nights.monthly_hours(2026) == round(365 * 11 / 12, 2)


def test_a_day_range_never_crosses_sunday_in_a_cron() -> None:
    """Cron numbers Sunday 1: ``SAT-SUN`` would run backwards, so Sunday is listed alone."""
    weekend = custom("SAT-SUN", "10:00", "12:00", "UTC")
    assert weekend.crons() == ("cron(0 12 ? * SAT,SUN *)", "cron(0 10 ? * SAT,SUN *)")
    assert cron_events("cron(0 12 ? * SAT,SUN *)") == [(5, 720), (6, 720)]


def test_hours_follow_the_zones_clocks_across_a_dst_change() -> None:
    """Sundays 01:00-05:00 in Paris: 29 March 2026 springs forward (3 h), 25 October falls back (5 h)."""
    sundays = custom("SUN", "01:00", "05:00", "Europe/Paris")
    march = sundays.hours_between(datetime(2026, 3, 1, tzinfo=PARIS), datetime(2026, 4, 1, tzinfo=PARIS))
    october = sundays.hours_between(datetime(2026, 10, 1, tzinfo=PARIS), datetime(2026, 11, 1, tzinfo=PARIS))
    assert march == 4 * 4 + 3
    assert october == 3 * 4 + 5
    # The same windows in UTC have no change: 5 Sundays x 4 h.
    utc = custom("SUN", "01:00", "05:00", "UTC")
    assert utc.hours_between(datetime(2026, 3, 1, tzinfo=PARIS), datetime(2026, 4, 1, tzinfo=PARIS)) == pytest.approx(
        20.0, abs=1.0
    )


def test_the_tag_text_round_trips_and_bad_text_is_refused() -> None:
    for schedule in (preset("office-hours", "America/New_York"), custom("MON,WED", "07:30", "24:00", "Asia/Tokyo")):
        assert parse(schedule.text) == schedule
    for bad in ("", "office hours", "x MON-FRI 08:00-19:00 Mars/Olympus", "x MON-FRI 19:00-08:00 UTC"):
        with pytest.raises(ScheduleError):
            parse(bad)


@pytest.mark.parametrize(
    ("days", "start", "stop", "zone", "problem"),
    [
        ("MON-FRI", "8", "19:00", "UTC", "HH:MM"),
        ("MON-FRI", "19:00", "08:00", "UTC", "before stop"),
        ("", "08:00", "19:00", "UTC", "at least one day"),
        ("FUNDAY", "08:00", "19:00", "UTC", "days"),
        ("MON-FRI", "08:00", "19:00", "Europe/Atlantis", "IANA"),
        ("daily", "00:00", "24:00", "UTC", "no off-hours"),
        ("MON-FRI", "24:00", "24:00", "UTC", "time of day"),
    ],
)
def test_a_custom_schedule_that_cannot_be_says_why(days: str, start: str, stop: str, zone: str, problem: str) -> None:
    with pytest.raises(ScheduleError, match=problem):
        custom(days, start, stop, zone)


def test_next_stop_and_start_are_in_the_zone() -> None:
    office = preset("office-hours", "Europe/Paris")
    sunday_night = datetime(2026, 12, 6, 22, 0, tzinfo=PARIS)
    stop, start = office.next_events(sunday_night)
    assert (start.isoformat(), stop.isoformat()) == ("2026-12-07T08:00:00+01:00", "2026-12-07T19:00:00+01:00")
    assert next_fire("cron(0 8 ? * MON-FRI *)", "Europe/Paris", sunday_night) == start
    assert next_fire("rate(5 minutes)", "UTC") is None


def test_schedule_names_fit_eventbridge_and_pair_up() -> None:
    office = preset("office-hours", "UTC")
    pair, stop, start = schedule_names(office, "ec2")
    assert (stop, start) == (f"{pair}-stop", f"{pair}-start")
    assert pair_of(stop) == (pair, "stop") and pair_of(start) == (pair, "start")
    long_pair, long_stop, _ = schedule_names(office, "rds", "a" * 63)
    assert len(long_stop) <= 64 and long_pair != schedule_names(office, "rds", "b" * 63)[0]


def test_scheduled_by_reads_ours_and_aws_instance_schedulers_tag() -> None:
    assert scheduled_by({SCHEDULE_TAG: "office-hours MON-FRI 08:00-19:00 UTC"}).startswith("office-hours")
    assert scheduled_by({"Schedule": "uk-office"}) == "AWS Instance Scheduler: uk-office"
    assert scheduled_by({"env": "dev"}) == ""


def test_the_policy_marks_non_production_by_tag_in_any_case() -> None:
    policy = Policy()
    assert policy.marker({"Environment": "Staging"}) == ("Environment", "Staging")
    assert policy.marker({"env": "prod"}) is None
    assert Policy(keys=("tier",), values=("sandbox",)).marker({"tier": "SANDBOX"}) == ("tier", "SANDBOX")


# --- price and finding ---------------------------------------------------------------------


def instance(**tags: str) -> Resource:
    return Resource(
        "ec2:instance", "i-1", "us-east-1", account_id="123456789012", state="running",
        details={"instance_type": "m5.large", "platform": "Linux/UNIX", "tenancy": "default"}, tags=tags,
    )  # fmt: skip


def priced(r: Resource) -> Resource:
    cost, basis = estimate(r)
    return dataclasses.replace(r, monthly_cost=cost, cost_basis=basis)


def test_a_scheduled_row_bills_its_schedules_hours_with_a_basis_that_says_so() -> None:
    always = priced(instance(env="dev"))
    office = preset("office-hours", "Europe/Paris")
    scheduled = priced(instance(env="dev", **{SCHEDULE_TAG: office.text}))
    assert always.monthly_cost == 70.08  # m5.large us-east-1: 730 h x $0.096
    hours = office.monthly_hours()
    assert scheduled.monthly_cost == round(0.096 * hours, 2)
    assert scheduled.cost_basis is not None
    assert f"scheduled office hours MON-FRI 08:00-19:00 Europe/Paris: {hours:g} h/month x $0.0960/h" in (
        scheduled.cost_basis
    )
    # Stopped by its schedule at night, it still bills the schedule's hours (it starts again).
    night = priced(dataclasses.replace(instance(env="dev", **{SCHEDULE_TAG: office.text}), state="stopped"))
    assert night.monthly_cost == scheduled.monthly_cost


def test_an_unreadable_schedule_tag_is_priced_as_it_is_and_says_so() -> None:
    odd = priced(instance(**{SCHEDULE_TAG: "whenever"}))
    assert odd.monthly_cost == 70.08
    assert "not a schedule tracker-tui can read" in (odd.cost_basis or "")


def test_no_off_hours_saves_exactly_what_scheduling_on_office_hours_takes_off_the_bill() -> None:
    limits = Thresholds().with_offhours(Policy(zone="Europe/Paris"))
    (row,) = local_findings([priced(instance(env="dev"))], limits)
    (found,) = [f for f in row.findings if f.id == "no-off-hours"]
    after = priced(instance(env="dev", **{SCHEDULE_TAG: preset("office-hours", "Europe/Paris").text}))
    assert row.monthly_cost is not None and after.monthly_cost is not None
    assert found.monthly_saving == round(row.monthly_cost - after.monthly_cost, 2)
    assert found.monthly_saving == pytest.approx(70.08 * (1 - 239.25 / 730), abs=0.05)
    assert found.action == "schedule" and found.confidence == "medium"
    assert "tagged env=dev" in found.evidence and "storage keeps billing" in found.evidence
    assert in_place_saving(row, found.monthly_saving) == found.monthly_saving
    (again,) = local_findings([after], limits)
    assert "no-off-hours" not in {f.id for f in again.findings}


@pytest.mark.parametrize(
    "row",
    [
        instance(env="prod"),
        instance(),
        instance(env="dev", Schedule="uk-office"),
        dataclasses.replace(instance(env="dev"), state="stopped"),
    ],
    ids=["production", "untagged", "instance-scheduler", "stopped"],
)
def test_no_off_hours_leaves_production_scheduled_and_stopped_rows_alone(row: Resource) -> None:
    (judged,) = local_findings([priced(row)])
    assert "no-off-hours" not in {f.id for f in judged.findings}


def test_the_config_sets_the_tags_values_and_zone(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "config.toml"
    path.write_text('offhours_tags = ["tier"]\noffhours_values = ["sandbox"]\noffhours_timezone = "Asia/Tokyo"\n')
    settings = load_settings(path)
    limits = Thresholds.from_settings(settings)
    assert limits.offhours == Policy(("tier",), ("sandbox",), "Asia/Tokyo")
    (rule,) = [r for r in rules_of("ec2:instance", limits) if r.id == "no-off-hours"]
    sandbox = priced(instance(tier="sandbox"))
    assert rule.applies(sandbox) and not rule.applies(priced(instance(env="dev")))
    assert "Asia/Tokyo" in rule.evidence(sandbox, lambda _: None, None)
    path.write_text('offhours_timezone = "Mars/Olympus"\n')
    warned = load_settings(path)
    assert warned.offhours_timezone is None and "offhours_timezone" in warned.warnings[0]


def test_every_schedulable_kind_declares_the_finding_and_the_verb() -> None:
    kinds = {kind for kind, spec in REGISTRY.items() if spec.off_hours is not None}
    assert kinds == {"ec2:instance", "rds:db-instance", "redshift:cluster", "sagemaker:notebook-instance"}
    for kind in kinds:
        spec = REGISTRY[kind]
        assert spec.verbs.get("schedule") == "schedule"
        assert "no-off-hours" in {r.id for r in spec.rules} and "no-off-hours" in spec.in_place


def test_an_offhours_value_is_frozen_and_hashable() -> None:
    office = preset("office-hours", "UTC")
    assert {office: 1}[OffHours("office-hours", (0, 1, 2, 3, 4), 480, 1140, "UTC")] == 1
