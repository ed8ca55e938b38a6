"""A schedule's hours a month, as the scan prices and judges rows with them (issue 26, part 2):
worked out once per schedule and year (``kinds.offhours.monthly_hours``), the same figure as
``OffHours.monthly_hours()``, and the next year's when the year turns."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracker_tui.aws.kinds import offhours as kind_offhours
from tracker_tui.offhours import preset


@pytest.mark.parametrize(
    ("name", "zone"),
    [
        ("office-hours", "Europe/Paris"),
        ("office-hours", "America/New_York"),
        ("weekends-off", "UTC"),
        ("nights-off", "Australia/Sydney"),
    ],
)
def test_the_hours_are_the_schedules_own(name: str, zone: str) -> None:
    schedule = preset(name, zone)
    assert kind_offhours.monthly_hours(schedule) == schedule.monthly_hours()


def test_the_year_is_walked_once_per_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    schedule = preset("office-hours", "Asia/Tokyo")
    walks: list[int | None] = []
    real = type(schedule).monthly_hours

    def counted(self: object, year: int | None = None) -> float:
        walks.append(year)
        return real(self, year)  # type: ignore[arg-type]

    monkeypatch.setattr(type(schedule), "monthly_hours", counted)
    kind_offhours._monthly_hours.cache_clear()
    first = [kind_offhours.monthly_hours(schedule) for _ in range(50)]
    assert walks == [datetime.now(UTC).year]
    assert first == [real(schedule)] * 50


def test_a_new_year_gets_its_own_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    schedule = preset("office-hours", "Europe/Paris")

    class NextYear(datetime):
        @classmethod
        def now(cls, tz: object = None) -> NextYear:
            return cls(2027, 1, 1, tzinfo=UTC)

    kind_offhours.monthly_hours(schedule)  # this year's, cached
    monkeypatch.setattr(kind_offhours, "datetime", NextYear)
    assert kind_offhours.monthly_hours(schedule) == schedule.monthly_hours(2027)
