"""Off-hours: when a schedule keeps a resource running, in plain data (no boto3, no Textual).

A schedule (``OffHours``) runs its rows from ``start`` to ``stop`` (local time, minutes after
midnight; ``stop`` may be 24:00) on each of its ``days``, in an IANA time zone.  Everything
else is derived from it, so the tag on a row, the EventBridge Scheduler crons and the hours a
month the row bills cannot disagree:

* ``text`` is the tag value ``tracker-tui:schedule=office-hours MON-FRI 08:00-19:00 Europe/Paris``
  (only characters every AWS service accepts in a tag), and ``parse`` reads it back, so a row
  prices itself from its own tags while it streams in, and an inventory opened later too;
* ``crons`` are the stop and start expressions: a day's window that ends at 24:00 and the next
  day's that starts at 00:00 are one run (``weekends-off`` stops on Saturday at 00:00 and
  starts on Monday at 00:00, never at each midnight between);
* ``hours_between`` counts the hours it runs as the zone's clocks run (a day the clocks go
  forward inside the window runs an hour less), and ``monthly_hours`` is a year's over 12.

AWS Instance Scheduler marks the rows it schedules with the tag ``Schedule``; such a row is
scheduled too (its periods are not ours to read, so it is not repriced).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

#: The tag tracker-tui puts on every row it schedules; its value is the schedule's ``text``.
SCHEDULE_TAG = "tracker-tui:schedule"
#: The tag AWS Instance Scheduler reads: a row carrying it is scheduled by that tool.
INSTANCE_SCHEDULER_TAG = "Schedule"
#: The schedule group and the execution role tracker-tui creates (one group per region, one role per account).
GROUP = "tracker-tui"
ROLE = "tracker-tui-scheduler"
#: The role's one inline policy (start/stop of the scheduled kinds, on rows carrying ``SCHEDULE_TAG``).
ROLE_POLICY = "tracker-tui-scheduler"
#: EventBridge Scheduler's limit on a schedule's name.
MAX_NAME = 64

#: EventBridge Scheduler's price: the first 14 million invocations a month are free, then
#: $1.00 per million (us-east-1; the public price page, 2026).
FREE_INVOCATIONS = 14_000_000
PRICE_PER_MILLION = 1.00

HOURS_PER_MONTH = 730.0
DAY_NAMES = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
MINUTES_PER_DAY = 24 * 60

#: The non-production markers of ``no-off-hours`` unless the config says otherwise.
DEFAULT_TAG_KEYS = ("env", "environment", "stage")
DEFAULT_TAG_VALUES = ("dev", "development", "test", "qa", "staging")


class ScheduleError(ValueError):
    """A schedule that cannot be: a bad time, no days, an unknown zone."""


def known_zone(name: str) -> bool:
    """True when ``name`` is an IANA time zone this machine knows (``Europe/Paris``)."""
    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def local_zone() -> str:
    """The machine's IANA zone: ``$TZ`` when it names one, else ``/etc/localtime``'s target,
    else ``/etc/timezone``; ``UTC`` when none can be told."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    for name in candidates:
        if name and known_zone(name):
            return "UTC" if name in ("Etc/UTC", "Etc/Universal", "UCT", "Universal", "Zulu") else name
    return "UTC"


def zone_names() -> list[str]:
    """Every IANA zone this machine knows, sorted (the dialog's suggestions)."""
    return sorted(available_timezones())


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_clock(text: str, *, end: bool = False) -> int:
    """``08:00`` -> 480 (``24:00`` only as an end).  Raises ScheduleError."""
    found = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text or "")
    if not found:
        raise ScheduleError(f"time {text!r} is not HH:MM")
    hours, minutes = int(found[1]), int(found[2])
    value = hours * 60 + minutes
    if minutes > 59 or value > MINUTES_PER_DAY or (value == MINUTES_PER_DAY and not end):
        raise ScheduleError(f"time {text!r} is not a time of day" + (" (24:00 ends a day only)" if end else ""))
    return value


def days_text(days: Iterable[int]) -> str:
    """``(0, 1, 2, 3, 4)`` -> ``MON-FRI``; ``(0, 2)`` -> ``MON,WED`` (EventBridge's day names)."""
    ordered = sorted(set(days))
    parts: list[str] = []
    run: list[int] = []
    for day in ordered + [99]:
        if run and day == run[-1] + 1:
            run.append(day)
            continue
        if run:
            parts.append(DAY_NAMES[run[0]] if len(run) == 1 else f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}")
        run = [day]
    return ",".join(parts)


def parse_days(text: str) -> tuple[int, ...]:
    """``MON-FRI``, ``mon,wed,fri``, ``SAT-SUN`` or ``daily`` -> weekday numbers (Monday 0)."""
    cleaned = (text or "").strip().upper()
    if cleaned in ("DAILY", "EVERY DAY", "*", "MON-SUN"):
        return tuple(range(7))
    days: set[int] = set()
    for part in filter(None, (p.strip() for p in cleaned.split(","))):
        first, _, last = part.partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise ScheduleError(f"days {text!r}: use MON-FRI, or names like MON,WED,FRI")
        a = DAY_NAMES.index(first)
        b = DAY_NAMES.index(last) if last else a
        if b < a:
            raise ScheduleError(f"days {text!r}: a range runs from Monday towards Sunday")
        days.update(range(a, b + 1))
    if not days:
        raise ScheduleError("a schedule needs at least one day")
    return tuple(sorted(days))


_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,30}")


@dataclass(frozen=True)
class OffHours:
    """A schedule: its rows run from ``start`` to ``stop`` on each of ``days``, in ``zone``.

    ``start`` and ``stop`` are minutes after local midnight (``stop`` up to 1440: the end of the
    day); ``days`` are weekday numbers, Monday 0.  ``name`` says which preset (or ``custom``).
    """

    name: str
    days: tuple[int, ...]
    start: int
    stop: int
    zone: str

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ScheduleError(f"schedule name {self.name!r}: lowercase letters, digits and '-' only")
        if not self.days or any(d not in range(7) for d in self.days) or tuple(sorted(set(self.days))) != self.days:
            raise ScheduleError("a schedule needs its days as sorted weekday numbers")
        if not 0 <= self.start < self.stop <= MINUTES_PER_DAY:
            raise ScheduleError(f"start {_clock(self.start)} must come before stop {_clock(self.stop)} on the same day")
        if self.always_on:
            raise ScheduleError("running every day all day is no off-hours")
        if not known_zone(self.zone):
            raise ScheduleError(f"time zone {self.zone!r} is not an IANA zone (e.g. Europe/Paris, America/New_York)")

    @property
    def always_on(self) -> bool:
        return len(self.days) == 7 and self.start == 0 and self.stop == MINUTES_PER_DAY

    @property
    def text(self) -> str:
        """The tag value: ``office-hours MON-FRI 08:00-19:00 Europe/Paris``."""
        return f"{self.name} {days_text(self.days)} {_clock(self.start)}-{_clock(self.stop)} {self.zone}"

    @property
    def label(self) -> str:
        """How a person reads it: ``office hours MON-FRI 08:00-19:00 Europe/Paris``."""
        return self.text.replace("-", " ", self.name.count("-")) if self.name != "custom" else self.text

    @property
    def slug(self) -> str:
        """A short stable name for its EventBridge schedules: ``office-hours-1a2b3c4d``."""
        digest = hashlib.sha256(self.text.encode()).hexdigest()[:8]
        return f"{self.name}-{digest}"

    def with_zone(self, zone: str) -> OffHours:
        return OffHours(self.name, self.days, self.start, self.stop, zone)

    # --- when it starts and stops --------------------------------------------------------

    def _runs(self) -> list[tuple[int, int]]:
        """The weekly runs as (start day, end day) offsets in minutes from Monday 00:00, with a
        day ending at 24:00 and the next starting at 00:00 joined into one run."""
        if self.start == 0 and self.stop == MINUTES_PER_DAY:
            days = set(self.days)
            # Runs of consecutive days, around the week's end (SAT-SUN-MON is one run).
            firsts = [d for d in self.days if (d - 1) % 7 not in days]
            runs = []
            for first in firsts:
                length = 1
                while (first + length) % 7 in days:
                    length += 1
                runs.append((first * MINUTES_PER_DAY, (first + length) * MINUTES_PER_DAY))
            return runs
        return [(d * MINUTES_PER_DAY + self.start, d * MINUTES_PER_DAY + self.stop) for d in self.days]

    def events(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(starts, stops): each a list of (weekday, minute of the day) on which it fires."""
        starts, stops = [], []
        for begin, end in self._runs():
            starts.append(((begin // MINUTES_PER_DAY) % 7, begin % MINUTES_PER_DAY))
            stops.append(((end // MINUTES_PER_DAY) % 7, end % MINUTES_PER_DAY))
        return starts, stops

    def crons(self) -> tuple[str, str]:
        """(stop, start) EventBridge Scheduler cron expressions, read in ``zone``."""
        starts, stops = self.events()
        return _cron(stops), _cron(starts)

    def hours_between(self, begin: datetime, end: datetime) -> float:
        """Hours it runs from ``begin`` to ``end`` (aware datetimes), as the zone's clocks run."""
        zone = ZoneInfo(self.zone)
        first = begin.astimezone(zone).date() - timedelta(days=7)
        last = end.astimezone(zone).date() + timedelta(days=1)
        total = 0.0
        monday = first - timedelta(days=first.weekday())
        while monday <= last:
            for run_start, run_end in self._runs():
                a = _at(monday, run_start, zone)
                b = _at(monday, run_end, zone)
                lo, hi = max(a, begin), min(b, end)
                if hi > lo:
                    total += (hi - lo).total_seconds() / 3600.0
            monday += timedelta(days=7)
        return total

    def monthly_hours(self, year: int | None = None) -> float:
        """The hours it runs in an average month of ``year`` (default this year): the year's
        hours over 12, as the zone's clocks run (so a DST change inside a window counts)."""
        year = year or datetime.now(UTC).year
        zone = ZoneInfo(self.zone)
        begin = datetime(year, 1, 1, tzinfo=zone)
        end = datetime(year + 1, 1, 1, tzinfo=zone)
        return round(self.hours_between(begin, end) / 12.0, 2)

    def next_events(self, now: datetime | None = None) -> tuple[datetime, datetime]:
        """(next stop, next start) after ``now``, in the schedule's zone."""
        now = now or datetime.now(UTC)
        zone = ZoneInfo(self.zone)
        starts, stops = self.events()
        return _next(stops, now, zone), _next(starts, now, zone)

    def invocations_per_month(self) -> float:
        """How many times a month its stop and start fire (each target is one invocation)."""
        starts, stops = self.events()
        return round((len(starts) + len(stops)) * 365.25 / 7 / 12, 1)


def _at(monday: date, offset: int, zone: ZoneInfo) -> datetime:
    """``monday`` plus ``offset`` minutes of wall-clock time in ``zone``, in UTC (a wall time the
    clocks skip, 02:30 on a spring-forward day, is read with the offset before the change:
    the instant the clocks show 03:30)."""
    day = monday + timedelta(days=offset // MINUTES_PER_DAY)
    minutes = offset % MINUTES_PER_DAY
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=zone).astimezone(UTC)


def _next(events: Sequence[tuple[int, int]], now: datetime, zone: ZoneInfo) -> datetime:
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    best: datetime | None = None
    for week in (0, 7, 14):
        for day, minute in events:
            when = _at(monday + timedelta(days=week), day * MINUTES_PER_DAY + minute, zone)
            if when > now and (best is None or when < best):
                best = when
    assert best is not None
    return best.astimezone(zone)


def _cron(events: Sequence[tuple[int, int]]) -> str:
    """``cron(0 19 ? * MON-FRI *)``: every event shares one time of day in our schedules."""
    times = {minute for _, minute in events}
    if len(times) != 1:
        raise ScheduleError("the stop (or start) times differ between days")
    (minute,) = times
    return f"cron({minute % 60} {minute // 60} ? * {cron_days(d for d, _ in events)} *)"


def cron_days(days: Iterable[int]) -> str:
    """Days as a cron's day-of-week field: ``*`` for all seven, else names with ranges that
    never cross Sunday (cron numbers Sunday 1, so ``SAT-SUN`` would run backwards)."""
    chosen = set(days)
    if len(chosen) == 7:
        return "*"
    text = days_text(chosen - {6})
    return ",".join(filter(None, [text, "SUN" if 6 in chosen else ""]))


_CRON = re.compile(r"cron\((\d{1,2}) (\d{1,2}) \? \* ([A-Z,\-]+|\*) \*\)")


def cron_events(expression: str) -> list[tuple[int, int]] | None:
    """The (weekday, minute) events of a cron of the form tracker-tui writes
    (``cron(0 19 ? * MON-FRI *)``); None for any other expression."""
    found = _CRON.fullmatch(expression or "")
    if not found:
        return None
    try:
        days = parse_days(found[3])
    except ScheduleError:
        return None
    minute = int(found[2]) * 60 + int(found[1])
    return [(d, minute) for d in days]


def next_fire(expression: str, zone: str, now: datetime | None = None) -> datetime | None:
    """When a cron of tracker-tui's form fires next in ``zone``; None when it cannot be told."""
    events = cron_events(expression)
    if events is None or not known_zone(zone):
        return None
    return _next(events, now or datetime.now(UTC), ZoneInfo(zone))


_TEXT = re.compile(r"([a-z0-9][a-z0-9-]{0,30}) ([A-Z,\-]+) (\d{2}:\d{2})-(\d{2}:\d{2}) (\S+)")


def parse(text: str) -> OffHours:
    """The schedule a tag value names (``OffHours.text``).  Raises ScheduleError."""
    found = _TEXT.fullmatch((text or "").strip())
    if not found:
        raise ScheduleError(f"{text!r} is not a schedule (e.g. 'office-hours MON-FRI 08:00-19:00 Europe/Paris')")
    return OffHours(found[1], parse_days(found[2]), parse_clock(found[3]), parse_clock(found[4], end=True), found[5])


def schedule_of(tags: Mapping[str, str]) -> OffHours | None:
    """The tracker-tui schedule a row's tags name; None when untagged or unreadable."""
    value = tags.get(SCHEDULE_TAG)
    if not value:
        return None
    try:
        return parse(value)
    except ScheduleError:
        return None


def scheduled_by(tags: Mapping[str, str]) -> str:
    """What schedules a row, by its tags: tracker-tui's text, ``AWS Instance Scheduler: <name>``,
    or "" when nothing does."""
    ours = tags.get(SCHEDULE_TAG)
    if ours:
        return ours
    theirs = tags.get(INSTANCE_SCHEDULER_TAG)
    return f"AWS Instance Scheduler: {theirs}" if theirs else ""


# --- presets ---------------------------------------------------------------------------------------

#: (name, days, start, stop, what the dialog says).
PRESETS: tuple[tuple[str, tuple[int, ...], int, int, str], ...] = (
    ("office-hours", (0, 1, 2, 3, 4), 8 * 60, 19 * 60, "Mon-Fri 08:00-19:00, off at night and all weekend"),
    ("nights-off", tuple(range(7)), 8 * 60, 19 * 60, "every day 08:00-19:00, off at night"),
    ("weekends-off", (0, 1, 2, 3, 4), 0, MINUTES_PER_DAY, "Mon 00:00 to Sat 00:00, off all weekend"),
)


def preset(name: str, zone: str) -> OffHours:
    """A preset in ``zone``.  Raises ScheduleError for an unknown name or zone."""
    for pname, days, start, stop, _ in PRESETS:
        if pname == name:
            return OffHours(pname, days, start, stop, zone)
    raise ScheduleError(f"no preset {name!r} (known: {', '.join(p[0] for p in PRESETS)})")


def custom(days: str, start: str, stop: str, zone: str) -> OffHours:
    """A schedule from what a person typed: ``MON-FRI``, ``07:30``, ``18:00``, ``Europe/Paris``."""
    return OffHours("custom", parse_days(days), parse_clock(start), parse_clock(stop, end=True), zone.strip())


@dataclass(frozen=True)
class Policy:
    """Which rows ``no-off-hours`` looks at and what it compares them with: rows tagged with one
    of ``keys`` (case-insensitive) whose value is one of ``values`` (case-insensitive), against
    office hours in ``zone`` (``offhours_tags``, ``offhours_values``, ``offhours_timezone``)."""

    keys: tuple[str, ...] = DEFAULT_TAG_KEYS
    values: tuple[str, ...] = DEFAULT_TAG_VALUES
    #: "" : the machine's zone (``local_zone``), read when a finding is judged.
    zone: str = ""

    def marker(self, tags: Mapping[str, str]) -> tuple[str, str] | None:
        """The (key, value) tag that marks a row non-production; None when none does."""
        keys = {k.lower() for k in self.keys}
        values = {v.lower() for v in self.values}
        for key, value in tags.items():
            if key.lower() in keys and value.strip().lower() in values:
                return key, value
        return None

    @property
    def default(self) -> OffHours:
        """The schedule a finding compares with: office hours in the policy's zone."""
        return preset("office-hours", self.zone or local_zone())


def schedule_names(schedule: OffHours, short: str, ident: str | None = None) -> tuple[str, str, str]:
    """(pair, stop name, start name) of the two EventBridge schedules that run ``schedule`` for a
    kind (``short``: ``ec2``) in one region: one pair for all its rows when its API takes a list
    (``office-hours-0ca81787-ec2``), else one per row (``...-rds-<id>``, the id hashed when the
    name would pass ``MAX_NAME``)."""
    pair = f"{schedule.slug}-{short}"
    if ident is not None:
        safe = re.sub(r"[^0-9A-Za-z_.-]", "_", ident)
        pair = f"{pair}-{safe}"
        if len(pair) + len("-start") > MAX_NAME:
            pair = f"{schedule.slug}-{short}-{hashlib.sha256(ident.encode()).hexdigest()[:12]}"
    return pair, f"{pair}-stop", f"{pair}-start"


def pair_of(name: str) -> tuple[str, str] | None:
    """(pair, ``stop``/``start``) of a schedule name ``schedule_names`` made; None otherwise."""
    for verb in ("stop", "start"):
        if name.endswith(f"-{verb}"):
            return name[: -len(verb) - 1], verb
    return None


#: Who assumes the execution role.
SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"


def trust_policy(account: str) -> dict[str, Any]:
    """The execution role's trust: EventBridge Scheduler, acting for ``account`` only."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": SCHEDULER_PRINCIPAL},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            }
        ],
    }


def role_policy(actions: Iterable[str]) -> dict[str, Any]:
    """The role's inline policy: ``actions`` (the scheduled kinds' stops and starts), only on
    resources carrying tracker-tui's schedule tag."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": sorted(set(actions)),
                "Resource": "*",
                "Condition": {"StringLike": {f"aws:ResourceTag/{SCHEDULE_TAG}": "*"}},
            }
        ],
    }


def invocations_cost(invocations: float) -> str:
    """What EventBridge Scheduler bills for ``invocations`` a month, in words."""
    return (
        f"about {invocations:g} invocations/month; EventBridge Scheduler's first "
        f"{FREE_INVOCATIONS // 1_000_000} million a month are free, then ${PRICE_PER_MILLION:.2f} per million"
    )
