"""Findings read from CloudWatch metrics (``idle-*``): what a kind declares about them.

A kind's ``MetricRule`` names the metrics to read for one of its rows and how to judge the
daily values CloudWatch returns; ``tracker_tui.aws.idle`` reads them (GetMetricData, batched
per region, only when asked: AWS bills the metrics) and turns verdicts into findings.

Honesty: a metric without datapoints is "no data", never idle.  The judge is only asked
when every query of the rule has at least one datapoint.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from tracker_tui.model import Resource, plural

#: What AWS bills for GetMetricData: USD per 1,000 metrics requested.
USD_PER_1000_METRICS = 0.01

#: Seconds in the checks' period: one datapoint per day.
DAY = 86_400


@dataclass
class IdleThresholds:
    """When a row counts as idle (config.toml sets them at start-up)."""

    #: The window read, in days (daily datapoints).
    days: int = 14
    #: ``idle-instance``: the highest daily maximum CPU below this (percent) ...
    cpu_max_percent: float = 5.0
    #: ... and the mean of the daily averages below this (percent).
    cpu_average_percent: float = 2.0
    #: ``idle-nat-gateway``: bytes sent out to destinations over the window at most this.
    nat_bytes_out: float = 0.0
    #: ``idle-database``: the highest daily maximum of connections at most this.
    db_connections: float = 0.0


#: The one set of thresholds in force (``tracker_tui.cli`` applies the user's).
IDLE_THRESHOLDS = IdleThresholds()


@dataclass(frozen=True)
class MetricQuery:
    """One metric statistic for one row: the ``MetricStat`` of a GetMetricData query."""

    #: How the rule's judge names the values (``cpu_max``).
    key: str
    namespace: str
    metric: str
    #: ``Maximum``, ``Average`` or ``Sum``.
    stat: str
    #: The dimension that names the row (``InstanceId``); its value is ``MetricRule.dimension``.
    dimension: str


@dataclass(frozen=True)
class Verdict:
    """What the values say: idle or not, and the sentence with the numbers that says why."""

    idle: bool
    evidence: str


#: The daily values of each query, by ``MetricQuery.key`` (each has at least one).
Series = Mapping[str, Sequence[float]]


def _row_id(resource: Resource) -> str:
    return resource.id


@dataclass(frozen=True)
class MetricRule:
    """A finding read from CloudWatch: which rows, which metrics, and the judge.

    Args:
        id: the finding id (``idle-instance``).
        label: the Savings panel's line.
        applies: the rows to check (running, available); the others cost nothing to check.
        queries: the metric statistics read for each row.
        judge: the verdict from the daily values and the thresholds in force.
        saving: what acting on an idle row saves a month (None: unknown, and the evidence says why).
        saving_basis: the sentence that says how ``saving`` was reached.
        action: the verb that realises it (``stop``, ``delete``).
        confidence: for a window with data on at least half its days; less data is "low".
        dimension: the dimension value naming the row (default its id).
        iam_actions: what reading its metrics needs (``tracker-tui permissions``' idle checks
            statement): ``tracker_tui.aws.idle`` reads every rule's queries with GetMetricData.
    """

    id: str
    label: str
    applies: Callable[[Resource], bool]
    queries: tuple[MetricQuery, ...]
    judge: Callable[[Series, IdleThresholds], Verdict]
    saving: Callable[[Resource], float | None]
    saving_basis: Callable[[Resource, float | None], str]
    action: str | None
    confidence: str = "high"
    dimension: Callable[[Resource], str] = _row_id
    iam_actions: tuple[str, ...] = ("cloudwatch:GetMetricData",)

    @property
    def filter(self) -> str:
        return f"finding:{self.id}"


def percent(value: float) -> str:
    """A CPU figure as the evidence writes it: ``1.2%``."""
    return f"{value:,.1f}%"


def count(value: float) -> str:
    """A count or byte total as the evidence writes it: ``1,234`` (decimals only when there are some)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def days_text(values: Sequence[float]) -> str:
    return plural(len(values), "daily datapoint")
