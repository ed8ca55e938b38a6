"""Findings read from CloudWatch metrics (``idle-*``, ``rightsize-*``): what a kind declares.

A kind's ``MetricRule`` names the metrics to read for one of its rows and how to judge the
values CloudWatch returns (daily datapoints, or hourly where a rule needs the shape of a
day); ``tracker_tui.aws.idle`` reads them (GetMetricData, batched per region, only when
asked: AWS bills the metrics) and turns verdicts into findings.  A row may be checked by
several rules (an instance: idle, rightsize); a metric two rules read is requested once.

Honesty: a metric without datapoints is "no data", never idle.  The judge is only asked
when every query of the rule has at least one datapoint, and may still answer "no data"
(``Verdict.no_data``) when what it needs is missing (too few hours, too young a row).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from tracker_tui.aws.kinds.knobs import Knob, Thresholds
from tracker_tui.model import Resource, format_cost, plural

#: What AWS bills for GetMetricData: USD per 1,000 metrics requested.
USD_PER_1000_METRICS = 0.01

#: Seconds in the checks' usual period: one datapoint per day.
DAY = 86_400

#: The period of the rules that need the shape of a day (rightsizing): one datapoint an hour.
HOUR = 3_600


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
    #: Seconds per datapoint (``DAY`` or ``HOUR``).
    period: int = DAY
    #: Judged without it when it has no datapoints (the CloudWatch agent's memory: not every
    #: instance runs the agent); the judge gets an empty series and says so.
    optional: bool = False
    #: AWS publishes it only while it is not zero (ELB's RequestCount, PrivateLink's
    #: BytesProcessed, DynamoDB's consumed capacity): no datapoints at all, for a row created
    #: before the window began, is read as one 0 (and the evidence says so); for a younger row
    #: or one whose age is unknown it stays "no data".
    sparse: bool = False

    def points(self, days: int) -> int:
        """The datapoints it can return over ``days`` (what a GetMetricData call's budget counts)."""
        return datapoints(self.period, days)


@dataclass(frozen=True)
class Verdict:
    """What the values say: the finding applies (``idle``) or not, and the sentence with the
    numbers that says why.

    A judge that works out the saving itself (rightsizing: the price difference to the type
    it names) gives ``saving`` and ``basis``; otherwise the rule's ``saving`` and
    ``saving_basis`` are used.  ``no_data``: the values are not enough to judge (fewer hours
    than the rule needs): reported as no data, never as idle or busy.  ``confidence`` lowers
    the rule's for this row (memory not measured).
    """

    idle: bool
    evidence: str
    saving: float | None = None
    basis: str | None = None
    no_data: bool = False
    confidence: str | None = None
    #: A usage rule's measure of the row's monthly cost and its basis (Lambda: requests and
    #: GB-seconds): the row is repriced with it.
    cost: tuple[float | None, str] | None = None
    #: What the rule's action changes the row to (the type a rightsizing names): ``Finding.target``.
    target: str | None = None


#: The values of each query, by ``MetricQuery.key`` (each has at least one, but an optional one).
Series = Mapping[str, Sequence[float]]


def _row_id(resource: Resource) -> str:
    return resource.id


#: Dimensions by name and value.
Dimensions = tuple[tuple[str, str], ...]


def _no_more(resource: Resource) -> Dimensions:
    return ()


def _created(resource: Resource) -> str | None:
    return resource.created


@dataclass(frozen=True)
class MetricRule:
    """A finding read from CloudWatch: which rows, which metrics, and the judge.

    Args:
        id: the finding id (``idle-instance``).
        label: the Savings panel's line.
        applies: the rows to check (running, available); the others cost nothing to check.
        queries: the metric statistics read for each row.
        judge: the verdict from the row, its values and the thresholds in force (its knobs).
        saving: what acting on an idle row saves a month (None: unknown, and the evidence says why).
        saving_basis: the sentence that says how ``saving`` was reached.
        action: the verb that realises it (``stop``, ``delete``).
        confidence: for a window with data on at least half its days; less data is "low".
        dimension: the dimension value naming the row (default its id).
        more_dimensions: the other dimensions AWS publishes the metric with for this row
            (CloudWatch matches a metric by its whole dimension set: OpenSearch's
            ``ClientId``, a SageMaker endpoint's ``VariantName``); default none.
        knobs: the thresholds its judge reads.
        iam_actions: what reading its metrics needs (``tracker-tui permissions``' idle checks
            statement): ``tracker_tui.aws.idle`` reads every rule's queries with GetMetricData.
    """

    id: str
    label: str
    applies: Callable[[Resource], bool]
    queries: tuple[MetricQuery, ...]
    judge: Callable[[Resource, Series, Thresholds], Verdict]
    saving: Callable[[Resource], float | None]
    saving_basis: Callable[[Resource, float | None], str]
    action: str | None
    confidence: str = "high"
    dimension: Callable[[Resource], str] = _row_id
    more_dimensions: Callable[[Resource], Dimensions] = _no_more
    iam_actions: tuple[str, ...] = ("cloudwatch:GetMetricData",)
    #: The thresholds its judge reads (declared beside it), besides the window (``IDLE_DAYS``).
    knobs: tuple[Knob, ...] = ()
    #: False for a usage rule: it never finds anything, it prices the row from what it used
    #: (``Verdict.cost``); it is no finding id.
    finds: bool = True
    #: When the row existed from, at the latest (ISO time; default ``created``): a sparse
    #: metric's silence reads as 0 only for a row that existed when the window began.
    existed_since: Callable[[Resource], str | None] = _created

    @property
    def filter(self) -> str:
        return f"finding:{self.id}"


def datapoints(period: int, days: int) -> int:
    """How many datapoints of ``period`` seconds ``days`` hold."""
    return days * DAY // period


def whole_cost(r: Resource) -> float | None:
    """A rule's saving when acting on the row saves all it costs."""
    return r.monthly_cost


def unknown_saving(r: Resource, what: str = "cost") -> str:
    """The basis of a saving that cannot be known: the row's own price is unknown, and why."""
    return f"its {what} is unknown ({r.cost_basis or 'not priced'})"


def hourly_charge_basis(r: Resource, saving: float | None) -> str:
    """Deleting the row saves its hourly charge (a NAT gateway, a load balancer)."""
    if saving is None:
        return unknown_saving(r, "hourly cost")
    return f"deleting it saves its hourly charge, {format_cost(saving)}/mo ({r.cost_basis})"


def percent(value: float) -> str:
    """A CPU figure as the evidence writes it: ``1.2%``."""
    return f"{value:,.1f}%"


def count(value: float) -> str:
    """A count or byte total as the evidence writes it: ``1,234`` (decimals only when there are some)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def days_text(values: Sequence[float]) -> str:
    return plural(len(values), "daily datapoint")
