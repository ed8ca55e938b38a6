"""Thresholds as declarations of the rules that read them (as aws-nuke's settings are per
resource), and the values in force, passed down explicitly.

A rule that needs a number the user may set declares a ``Knob`` beside it: its config key,
its default, the values it may take, what it means.  ``config.py`` sits below the kinds (it
cannot read these), so it checks the file's values itself and ``tests/test_knobs.py`` holds
those checks to the declarations.  ``Thresholds`` holds the values of one run: built from the
user's config (``Thresholds.from_settings``) by whoever starts the run (the app, the
command line), and passed through the scan, the settling of findings and the idle checks.
Nothing reads a module-level setting: two apps with two configs in one process judge rows
each by their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tracker_tui.offhours import DEFAULT_TAG_KEYS, DEFAULT_TAG_VALUES, Policy

#: Every knob declared, by config key.  Filled as the kind modules are imported (a
#: declaration, like the registry of kinds); never changed afterwards.
KNOBS: dict[str, Knob] = {}


@dataclass(frozen=True)
class Knob:
    """One threshold: its config key (``config.toml``), default, the values it may take
    (``minimum`` to ``maximum``, inclusive), and what it means in one line."""

    name: str
    default: float
    doc: str
    minimum: float
    maximum: float
    #: Days and counts: a whole number (the config file rejects ``14.5`` days).
    whole: bool = False

    def __post_init__(self) -> None:
        if self.problem(self.default) is not None:
            raise ValueError(f"knob {self.name!r}: its default {self.default!r} is not one of its own values")
        if KNOBS.setdefault(self.name, self) is not self:
            raise ValueError(f"knob {self.name!r} is declared twice")

    def problem(self, value: object) -> str | None:
        """Why ``value`` cannot be this knob's (None: it can)."""
        # bool is an int to Python, but ``true`` is no number of days.
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (self.whole and value % 1):
            return f"{self.name} must be a {'whole number' if self.whole else 'number'}, not {value!r}"
        if not self.minimum <= value <= self.maximum:
            return f"{self.name} must be from {self.minimum:g} to {self.maximum:g}, not {value!r}"
        return None


class Thresholds:
    """The thresholds of one run: a value for each declared knob (its default unless given).

    ``Thresholds(snapshot_max_age_days=30)``; ``thresholds[KNOB]`` reads one.  Immutable and
    hashable, so a run can cache what it derives from them.
    """

    __slots__ = ("_values", "offhours")

    def __init__(self, **values: float) -> None:
        unknown = sorted(set(values) - set(KNOBS))
        if unknown:
            raise TypeError(f"no such threshold: {', '.join(unknown)} (known: {', '.join(sorted(KNOBS))})")
        problems = [p for name, value in values.items() if (p := KNOBS[name].problem(value)) is not None]
        if problems:
            raise ValueError("; ".join(problems))
        self._values: tuple[tuple[str, float], ...] = tuple(
            sorted((name, value) for name, value in values.items() if value != KNOBS[name].default)
        )
        #: Which rows ``no-off-hours`` judges, and against which schedule (not a number: the
        #: config's ``offhours_tags``, ``offhours_values`` and ``offhours_timezone``).
        self.offhours: Policy = Policy()

    def with_offhours(self, policy: Policy) -> Thresholds:
        """These thresholds with ``policy`` as the off-hours policy (a copy: thresholds never change)."""
        copy = Thresholds(**dict(self._values))
        copy.offhours = policy
        return copy

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        """The values the user's config sets (``config.Settings`` has a field per knob)."""
        policy = Policy(
            keys=tuple(getattr(settings, "offhours_tags", DEFAULT_TAG_KEYS)),
            values=tuple(getattr(settings, "offhours_values", DEFAULT_TAG_VALUES)),
            zone=str(getattr(settings, "offhours_timezone", "") or ""),
        )
        return cls(**{name: getattr(settings, name) for name in KNOBS if hasattr(settings, name)}).with_offhours(policy)

    def __getitem__(self, knob: Knob) -> float:
        for name, value in self._values:
            if name == knob.name:
                return value
        return knob.default

    def __iter__(self) -> Iterator[tuple[Knob, float]]:
        return ((knob, self[knob]) for knob in KNOBS.values())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Thresholds) and (other._values, other.offhours) == (self._values, self.offhours)

    def __hash__(self) -> int:
        return hash((self._values, self.offhours))

    def __repr__(self) -> str:
        extra = [] if self.offhours == Policy() else [f"offhours={self.offhours!r}"]
        return f"Thresholds({', '.join(extra + [f'{n}={v!r}' for n, v in self._values])})"
