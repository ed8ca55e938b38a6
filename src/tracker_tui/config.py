"""The user's settings: a TOML file in the user config dir (platformdirs).

A malformed file is moved aside (never deleted) and reported; a bad value is reported
with its key and ignored.  Nothing here is required: every setting has a default.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from tracker_tui.offhours import DEFAULT_TAG_KEYS, DEFAULT_TAG_VALUES, known_zone

APP_NAME = "tracker-tui"

#: The shortest background refresh accepted (seconds): a scan costs hundreds of API calls.
MIN_REFRESH = 10

DEFAULT_DANGER_TERMS = ("prod",)
DEFAULT_PROTECTED_TAGS = ("do-not-delete", "protected")

#: The retentions CloudWatch Logs accepts (days): PutRetentionPolicy refuses any other.
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
)
#: What ``m`` sets on a log group that keeps every event (``no-retention``), unless the config says.
DEFAULT_LOG_RETENTION_DAYS = 90
#: After how many days ``m``'s lifecycle rule has S3 delete a version once it is noncurrent
#: (``s3-noncurrent-versions``), unless the config says; and the range the config may set.
DEFAULT_NONCURRENT_DAYS = 30
NONCURRENT_DAYS_RANGE = (1, 36500)


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_path() -> Path:
    return config_dir() / "config.toml"


@dataclass(frozen=True)
class Settings:
    """Everything the config file can set."""

    danger_terms: tuple[str, ...] = DEFAULT_DANGER_TERMS
    protected_tags: tuple[str, ...] = DEFAULT_PROTECTED_TAGS
    read_only: bool = False
    regions: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    concurrency: int = 32
    #: Worker processes that scan several accounts (None: one per core; 0: in this process).
    workers: int | None = None
    theme: str | None = None
    #: Price EC2 types missing from the catalogue with the AWS Price List API.
    live_prices: bool = False
    #: How many scans of each account to keep in the cache dir.
    keep_scans: int = 10
    #: The ``old-snapshot`` finding: snapshots older than this many days.
    snapshot_max_age_days: int = 365
    #: The ``secret-unused`` finding: secrets not read for more than this many days.
    secret_unused_days: int = 90
    #: The CloudWatch idle checks: the window (days) and when a row counts as idle.
    idle_days: int = 14
    idle_cpu_max_percent: float = 5.0
    idle_cpu_average_percent: float = 2.0
    idle_nat_bytes_out: float = 0.0
    idle_db_connections: float = 0.0
    idle_volume_ops: float = 0.0
    idle_vpce_bytes: float = 0.0
    idle_lb_requests: float = 0.0
    idle_table_capacity_units: float = 0.0
    idle_redshift_cpu_max_percent: float = 5.0
    idle_cache_connections: float = 6.0
    idle_network_mb_per_day: float = 5.0
    #: Rightsizing: the capacity left free on the target type (percent).
    rightsize_headroom_percent: float = 20.0
    #: ``m`` on a log group with no retention sets this one (days; one of ``LOG_RETENTION_DAYS``).
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    #: ``m`` on a bucket keeping noncurrent versions: S3 deletes each this many days after it
    #: becomes noncurrent (whole days, ``NONCURRENT_DAYS_RANGE``).
    noncurrent_days: int = DEFAULT_NONCURRENT_DAYS
    #: ``no-off-hours``: rows tagged with one of these keys (any case) whose value is one of
    #: ``offhours_values`` (any case) are non-production; they are compared with office hours in
    #: ``offhours_timezone`` (an IANA zone; None: the machine's).
    offhours_tags: tuple[str, ...] = DEFAULT_TAG_KEYS
    offhours_values: tuple[str, ...] = DEFAULT_TAG_VALUES
    offhours_timezone: str | None = None
    #: Rescan in the background this many seconds after each scan (0: never).
    refresh: int = 0
    #: ``[keymap]``: binding id -> key(s), e.g. ``{"mark": "x"}`` (``ui.keymap`` checks the ids).
    keymap: dict[str, str] = field(default_factory=dict)
    #: Problems found while loading: one line each, shown to the user once.
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def is_dangerous(self, *names: str) -> bool:
        """True when any of ``names`` (account alias, profile) contains a danger term."""
        lowered = [n.lower() for n in names if n]
        return any(term.lower() in name for term in self.danger_terms if term for name in lowered)


def _str_list(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


#: The idle checks' thresholds: the range each may take.
_IDLE_LIMITS = {
    "idle_cpu_max_percent": (0.0, 100.0),
    "idle_cpu_average_percent": (0.0, 100.0),
    "idle_nat_bytes_out": (0.0, 1e15),
    "idle_db_connections": (0.0, 1e6),
    "idle_volume_ops": (0.0, 1e15),
    "idle_vpce_bytes": (0.0, 1e15),
    "idle_lb_requests": (0.0, 1e15),
    "idle_table_capacity_units": (0.0, 1e15),
    "idle_redshift_cpu_max_percent": (0.0, 100.0),
    "idle_cache_connections": (0.0, 1e6),
    "idle_network_mb_per_day": (0.0, 1e9),
    "rightsize_headroom_percent": (0.0, 90.0),
}


def load_settings(path: Path | None = None) -> Settings:
    """Read the config file; a missing file gives the defaults.

    A file that is not valid TOML is renamed to ``config.toml.corrupt-<UTC time>`` and
    the defaults are used, with a warning naming both paths.
    """
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        return Settings(warnings=(f"config {path}: cannot read it ({exc}); using defaults",))
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        aside = path.with_name(f"{path.name}.corrupt-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        try:
            os.replace(path, aside)
            where = f"moved aside to {aside}"
        except OSError:
            where = "left in place"
        return Settings(warnings=(f"config {path} is not valid TOML ({exc}); {where}; using defaults",))
    settings = Settings()
    warnings: list[str] = []
    list_keys = {"danger_terms", "protected_tags", "regions", "profiles", "offhours_tags", "offhours_values"}
    # Fields set by a name from the file: mypy cannot tell which field (and type) a str names.
    changes: dict[str, Any]
    for key, value in data.items():
        if key in list_keys:
            parsed = _str_list(value)
            if parsed is None:
                warnings.append(f"config {path}: '{key}' must be a list of strings; ignored")
            else:
                changes = {key: parsed}
                settings = replace(settings, **changes)
        elif key in ("read_only", "live_prices"):
            if isinstance(value, bool):
                changes = {key: value}
                settings = replace(settings, **changes)
            else:
                warnings.append(f"config {path}: '{key}' must be true or false; ignored")
        elif key == "keep_scans":
            if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 1000:
                settings = replace(settings, keep_scans=value)
            else:
                warnings.append(f"config {path}: 'keep_scans' must be a whole number from 1 to 1000; ignored")
        elif key == "snapshot_max_age_days":
            if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 36500:
                settings = replace(settings, snapshot_max_age_days=value)
            else:
                warnings.append(f"config {path}: 'snapshot_max_age_days' must be a whole number of days; ignored")
        elif key == "secret_unused_days":
            if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 3650:
                settings = replace(settings, secret_unused_days=value)
            else:
                warnings.append(
                    f"config {path}: 'secret_unused_days' must be a whole number of days from 1 to 3650; ignored"
                )
        elif key == "idle_days":
            if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 455:
                settings = replace(settings, idle_days=value)
            else:
                # CloudWatch keeps daily (1-hour rolled up) datapoints for 455 days.
                warnings.append(f"config {path}: 'idle_days' must be a whole number of days from 1 to 455; ignored")
        elif key in _IDLE_LIMITS:
            low, high = _IDLE_LIMITS[key]
            if isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high:
                changes = {key: float(value)}
                settings = replace(settings, **changes)
            else:
                warnings.append(f"config {path}: '{key}' must be a number from {low:g} to {high:g}; ignored")
        elif key == "log_retention_days":
            if isinstance(value, int) and not isinstance(value, bool) and value in LOG_RETENTION_DAYS:
                settings = replace(settings, log_retention_days=value)
            else:
                warnings.append(
                    f"config {path}: 'log_retention_days' must be a number of days CloudWatch Logs accepts "
                    f"({', '.join(map(str, LOG_RETENTION_DAYS))}), not {value!r}; "
                    f"using {DEFAULT_LOG_RETENTION_DAYS}"
                )
        elif key == "noncurrent_days":
            low, high = NONCURRENT_DAYS_RANGE
            if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
                settings = replace(settings, noncurrent_days=value)
            else:
                warnings.append(
                    f"config {path}: 'noncurrent_days' must be a whole number of days from {low} to {high}, "
                    f"not {value!r}; using {DEFAULT_NONCURRENT_DAYS}"
                )
        elif key == "refresh":
            if isinstance(value, int) and not isinstance(value, bool) and (value == 0 or value >= MIN_REFRESH):
                settings = replace(settings, refresh=value)
            else:
                warnings.append(
                    f"config {path}: 'refresh' must be 0 (off) or a whole number of seconds from {MIN_REFRESH}; ignored"
                )
        elif key == "keymap":
            if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
                settings = replace(settings, keymap={str(k): v for k, v in value.items()})
            else:
                warnings.append(
                    f"config {path}: [keymap] must map binding ids to keys, e.g. mark = \"x\"; ignored"
                )
        elif key == "concurrency":
            if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 256:
                settings = replace(settings, concurrency=value)
            else:
                warnings.append(f"config {path}: 'concurrency' must be a whole number from 1 to 256; ignored")
        elif key == "workers":
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 256:
                settings = replace(settings, workers=value)
            else:
                warnings.append(
                    f"config {path}: 'workers' must be a whole number from 0 (scan in one process) to 256; ignored"
                )
        elif key == "offhours_timezone":
            if isinstance(value, str) and known_zone(value):
                settings = replace(settings, offhours_timezone=value)
            else:
                warnings.append(
                    f"config {path}: 'offhours_timezone' must be an IANA time zone such as \"Europe/Paris\", "
                    f"not {value!r}; using the machine's"
                )
        elif key == "theme":
            if isinstance(value, str):
                settings = replace(settings, theme=value)
            else:
                warnings.append(f"config {path}: 'theme' must be a string; ignored")
        else:
            warnings.append(f"config {path}: unknown setting '{key}'; ignored")
    return replace(settings, warnings=tuple(warnings))
