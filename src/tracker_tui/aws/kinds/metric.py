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

from tracker_tui.aws.kinds.knobs import Knob, Thresholds
from tracker_tui.model import Resource, plural

#: What AWS bills for GetMetricData: USD per 1,000 metrics requested.
USD_PER_1000_METRICS = 0.01

#: Seconds in the checks' period: one datapoint per day.
DAY = 86_400


#: The idle checks' window, in days (daily datapoints); each rule declares its own bounds.
#: CloudWatch keeps daily (1-hour rolled up) datapoints for 455 days.
IDLE_DAYS = Knob("idle_days", 14, "the idle checks read this many days of daily datapoints", 1, 455, whole=True)


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
        judge: the verdict from the daily values and the thresholds in force (its knobs).
        saving: what acting on an idle row saves a month (None: unknown, and the evidence says why).
        saving_basis: the sentence that says how ``saving`` was reached.
        action: the verb that realises it (``stop``, ``delete``).
        confidence: for a window with data on at least half its days; less data is "low".
        dimension: the dimension value naming the row (default its id).
        knobs: the thresholds its judge reads.
        iam_actions: what reading its metrics needs (``tracker-tui permissions``' idle checks
            statement): ``tracker_tui.aws.idle`` reads every rule's queries with GetMetricData.
    """

    id: str
    label: str
    applies: Callable[[Resource], bool]
    queries: tuple[MetricQuery, ...]
    judge: Callable[[Series, Thresholds], Verdict]
    saving: Callable[[Resource], float | None]
    saving_basis: Callable[[Resource, float | None], str]
    action: str | None
    confidence: str = "high"
    dimension: Callable[[Resource], str] = _row_id
    iam_actions: tuple[str, ...] = ("cloudwatch:GetMetricData",)
    #: The thresholds its judge reads (declared beside it), besides the window (``IDLE_DAYS``).
    knobs: tuple[Knob, ...] = ()

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
