"""The CloudWatch idle checks (``idle-instance``, ``idle-nat-gateway``, ``idle-database``).

Each kind declares its ``MetricRule`` (``aws/kinds/metric.py``); this module reads the
metrics for the rows asked about and judges them.  AWS bills GetMetricData by the metric
($0.01 per 1,000), so nothing here runs unless the user asks (``scan --check-idle``, the
TUI's ``i``), and ``IdlePlan`` says what a run will cost before it is made.

One GetMetricData call carries up to 500 queries; the queries of one region go in as few
calls as that allows (following ``NextToken`` when CloudWatch pages the datapoints), and the
regions run at once.  A region that fails (AccessDenied, an endpoint that never answers) is
reported and its rows are left as they were; the other regions complete.

Honesty: a row whose metrics have no datapoints gets the note "no data" in its details,
never an idle finding.  A window with data on fewer than half its days makes the finding
low-confidence.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.aws.kinds.base import code_of, message_of
from tracker_tui.aws.kinds.knobs import Thresholds
from tracker_tui.aws.kinds.metric import DAY, IDLE_DAYS, USD_PER_1000_METRICS, MetricRule
from tracker_tui.model import Finding, Resource, ScanErrorEntry, plural

#: What CloudWatch accepts in one GetMetricData call.
MAX_QUERIES_PER_CALL = 500

#: The details key that says how the last check of a row went (idle, busy, no data).
IDLE_CHECK = "idle_check"

#: The ``kind`` of an inventory ``errors`` entry for a region whose checks failed.
ERRORS_KIND = "cloudwatch:idle-checks"

#: Regions checked at once.
DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True)
class Target:
    """One row and the rule that checks it."""

    resource: Resource
    rule: MetricRule


Place = tuple[str, str]


@dataclass(frozen=True)
class IdlePlan:
    """What a run will check and cost, worked out before anything is asked of AWS."""

    targets: tuple[Target, ...]
    #: Rows asked about that no rule checks (stopped, deleted, a kind without metrics).
    skipped: int = 0

    @functools.cached_property
    def by_place(self) -> dict[Place, list[Target]]:
        places: dict[Place, list[Target]] = defaultdict(list)
        for target in self.targets:
            places[(target.resource.account_id, target.resource.region)].append(target)
        return dict(places)

    @property
    def metrics(self) -> int:
        """Metrics requested (what AWS bills)."""
        return sum(len(t.rule.queries) for t in self.targets)

    @property
    def requests(self) -> int:
        """GetMetricData calls, at least (more if CloudWatch pages the datapoints)."""
        return sum(
            math.ceil(sum(len(t.rule.queries) for t in targets) / MAX_QUERIES_PER_CALL)
            for targets in self.by_place.values()
        )

    @property
    def estimated_cost(self) -> float:
        """USD: the metrics requested at $0.01 per 1,000."""
        return self.metrics * USD_PER_1000_METRICS / 1000

    def describe(self) -> str:
        """One sentence: what is checked, how many requests, what it costs."""
        if not self.targets:
            return "no row here can be checked (running instances, available NAT gateways and databases)"
        kinds = Counter(t.resource.kind for t in self.targets)
        what = ", ".join(f"{n:,} {_title(kind, n)}" for kind, n in sorted(kinds.items()))
        places = self.by_place
        regions = len({region for _, region in places})
        return (
            f"{plural(len(self.targets), 'row')} ({what}) in {plural(regions, 'region')}: "
            f"{self.metrics:,} metrics in {plural(self.requests, 'GetMetricData request')}, "
            f"about {cost_text(self.estimated_cost)} (AWS bills ${USD_PER_1000_METRICS:.2f} per 1,000 metrics)"
        )


def _title(kind: str, n: int) -> str:
    """``EC2 instances`` (``EC2 instance`` for one)."""
    spec = REGISTRY.get(kind)
    title = spec.title if spec is not None else kind
    return title[:-1] if n == 1 and title.endswith("s") else title


def cost_text(usd: float) -> str:
    """A tiny cost, readable: ``$0.0004``; ``$0.02``."""
    if usd == 0:
        return "$0.00"
    return f"${usd:.4f}" if usd < 0.01 else f"${usd:,.2f}"


def plan_checks(rows: Iterable[Resource]) -> IdlePlan:
    """The rows some metric rule checks (each with its rule); the rest are counted as skipped."""
    targets = []
    skipped = 0
    for r in rows:
        spec = REGISTRY.get(r.kind)
        rule = next((m for m in (spec.metric_rules if spec else ()) if m.applies(r)), None)
        if rule is None:
            skipped += 1
        else:
            targets.append(Target(r, rule))
    return IdlePlan(tuple(targets), skipped)


@dataclass(frozen=True)
class RegionFailure:
    """A region whose checks did not complete: its rows are left as they were."""

    account_id: str
    region: str
    code: str
    message: str

    def entry(self) -> ScanErrorEntry:
        """The inventory ``errors`` entry for it."""
        return ScanErrorEntry(self.region, ERRORS_KIND, self.code, self.message, self.account_id)


@dataclass
class IdleReport:
    """How a run went: the rows it judged (with their findings and notes) and its counts."""

    #: Every row judged (idle, busy or no data), as it is now.
    resources: list[Resource] = field(default_factory=list)
    idle: int = 0
    busy: int = 0
    no_data: int = 0
    #: GetMetricData calls made and metrics requested (what AWS bills).
    requests: int = 0
    metrics: int = 0
    failures: list[RegionFailure] = field(default_factory=list)
    cancelled: bool = False
    #: The idle findings made, by id.
    found: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """One line for the status bar and stderr."""
        checked = self.idle + self.busy + self.no_data
        text = (
            f"idle checks: {checked} checked, {self.idle} idle, {self.busy} busy, {self.no_data} no data "
            f"({self.requests} GetMetricData requests, {self.metrics:,} metrics, "
            f"about {cost_text(self.metrics * USD_PER_1000_METRICS / 1000)})"
        )
        if self.found:
            text += "; found " + ", ".join(f"{fid} x{n}" for fid, n in sorted(self.found.items()))
        if self.failures:
            first = self.failures[0]
            text += f"; {plural(len(self.failures), 'region')} failed, first {first.region}: {first.code}"
        if self.cancelled:
            text += "; cancelled"
        return text


#: (regions done, regions in all) as the run goes.
Progress = Callable[[int, int], None]


def window(now: datetime, days: int) -> tuple[datetime, datetime]:
    """The ``days`` whole UTC days before today: daily periods that line up with CloudWatch's."""
    end = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return end - timedelta(days=days), end


def run_checks(
    plan: IdlePlan,
    session_for: Callable[[str], Any],
    *,
    now: datetime | None = None,
    thresholds: Thresholds | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> IdleReport:
    """Read the plan's metrics, region by region at once, and judge every row.

    Args:
        plan: from ``plan_checks``.
        session_for: account id -> its ``AwsSession`` (``client(service, region)``).
        now: the time the window ends before (default now).
        thresholds: when a row is idle (the user's config; default the declared defaults).
        progress: called as each region finishes.
        cancel: set to stop between requests (the regions not finished are left as they were).
    """
    limits = thresholds or Thresholds()
    moment = now or datetime.now(UTC)
    start, end = window(moment, int(limits[IDLE_DAYS]))
    stamp = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    places = plan.by_place
    report = IdleReport()
    lock = threading.Lock()
    done = 0

    def one(place: Place) -> None:
        nonlocal done
        account, region = place
        try:
            client = session_for(account).client("cloudwatch", region)
            values, requests, metrics = _read(client, places[place], start, end, cancel)
        except _Cancelled:
            with lock:
                report.cancelled = True
            return
        except Exception as exc:  # noqa: BLE001 - one region's failure is reported; the rest go on
            failure = RegionFailure(account, region, code_of(exc), message_of(exc))
            with lock:
                report.failures.append(failure)
                done += 1
                if progress:
                    progress(done, len(places))
            return
        judged = [_judge(t, values[i], limits, stamp) for i, t in enumerate(places[place])]
        with lock:
            report.requests += requests
            report.metrics += metrics
            for resource, outcome in judged:
                report.resources.append(resource)
                setattr(report, outcome, getattr(report, outcome) + 1)
                if outcome == "idle":
                    report.found[resource.findings[-1].id] += 1
            done += 1
            if progress:
                progress(done, len(places))

    if places:
        with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(places))), thread_name_prefix="idle") as pool:
            list(pool.map(one, sorted(places)))
    report.failures.sort(key=lambda f: (f.account_id, f.region))
    return report


class _Cancelled(Exception):
    pass


def _read(
    client: Any, targets: Sequence[Target], start: datetime, end: datetime, cancel: threading.Event | None
) -> tuple[list[dict[str, list[float]]], int, int]:
    """Every target's daily values by query key; the calls made and the metrics requested."""
    queries: list[dict[str, Any]] = []
    owner: dict[str, tuple[int, str]] = {}
    for index, target in enumerate(targets):
        value = target.rule.dimension(target.resource)
        for q in target.rule.queries:
            qid = f"q{len(queries)}"
            owner[qid] = (index, q.key)
            queries.append(
                {
                    "Id": qid,
                    "MetricStat": {
                        "Metric": {
                            "Namespace": q.namespace,
                            "MetricName": q.metric,
                            "Dimensions": [{"Name": q.dimension, "Value": value}],
                        },
                        "Period": DAY,
                        "Stat": q.stat,
                    },
                    "ReturnData": True,
                }
            )
    values: list[dict[str, list[float]]] = [defaultdict(list) for _ in targets]
    requests = 0
    for first in range(0, len(queries), MAX_QUERIES_PER_CALL):
        batch = queries[first : first + MAX_QUERIES_PER_CALL]
        token: str | None = None
        while True:
            if cancel is not None and cancel.is_set():
                raise _Cancelled
            kwargs: dict[str, Any] = {
                "MetricDataQueries": batch,
                "StartTime": start,
                "EndTime": end,
                "ScanBy": "TimestampAscending",
            }
            if token:
                kwargs["NextToken"] = token
            reply = client.get_metric_data(**kwargs)
            requests += 1
            for result in reply.get("MetricDataResults", []):
                index, key = owner.get(str(result.get("Id")), (-1, ""))
                if index >= 0:
                    values[index][key].extend(float(v) for v in result.get("Values") or ())
            token = reply.get("NextToken") or None
            if token is None:
                break
    return values, requests, len(queries)


def _judge(target: Target, values: dict[str, list[float]], limits: Thresholds, stamp: str) -> tuple[Resource, str]:
    """The row with its finding (idle) or note (busy, no data), and which of the three it was."""
    days = int(limits[IDLE_DAYS])
    r, rule = target.resource, target.rule
    others = tuple(f for f in r.findings if f.id != rule.id)
    missing = [q for q in rule.queries if not values.get(q.key)]
    if missing:
        names = ", ".join(dict.fromkeys(f"{q.metric} ({q.stat})" for q in missing))
        note = (
            f"no data: CloudWatch has no {names} datapoints for the {days} days before {stamp[:10]}; "
            f"not called idle (checked {stamp})"
        )
        return _with(r, others, note), "no_data"
    verdict = rule.judge(values, limits)
    if not verdict.idle:
        return _with(r, others, f"busy: {verdict.evidence} (checked {stamp})"), "busy"
    saving = rule.saving(r)
    fewest = min(len(values[q.key]) for q in rule.queries)
    confidence = rule.confidence if fewest * 2 >= days else "low"
    evidence = f"{verdict.evidence}; {rule.saving_basis(r, saving)}"
    if confidence == "low" and rule.confidence != "low":
        evidence += f"; low confidence: data on only {fewest} of {days} days"
    finding = Finding(rule.id, saving, evidence, confidence, rule.action)
    return _with(r, (*others, finding), f"idle: {verdict.evidence} (checked {stamp})"), "idle"


def _with(r: Resource, findings: tuple[Finding, ...], note: str) -> Resource:
    return dataclasses.replace(r, findings=findings, details={**r.details, IDLE_CHECK: note})
