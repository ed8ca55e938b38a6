"""The CloudWatch checks (``idle-instance``, ``rightsize-instance``, ``idle-nat-gateway`` ...).

Each kind declares its ``MetricRule``s (``aws/kinds/metric.py``); this module reads the
metrics for the rows asked about and judges them, every rule that applies to a row (a
metric two of them read is requested once).  AWS bills GetMetricData by the metric
($0.01 per 1,000), so nothing here runs unless the user asks (``scan --check-idle``, the
TUI's ``i``), and ``IdlePlan`` says what a run will cost before it is made.

One GetMetricData call carries up to 500 queries and returns up to 100,800 datapoints; the
queries of one region go in as few calls as both limits allow (following ``NextToken`` if
CloudWatch still pages the datapoints), and the regions run at once.  A region that fails
(AccessDenied, an endpoint that never answers) is reported and its rows are left as they
were; the other regions complete.

Honesty: a row whose metrics have no datapoints gets the note "no data" in its details,
never an idle finding.  A window with data on fewer than half its days (or hours) makes the
finding low-confidence.
"""

from __future__ import annotations

import dataclasses
import functools
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
from tracker_tui.aws.kinds.metric import DAY, IDLE_DAYS, USD_PER_1000_METRICS, MetricQuery, MetricRule, datapoints
from tracker_tui.model import Finding, Resource, ScanErrorEntry, parse_iso, plural

#: What CloudWatch accepts in one GetMetricData call ...
MAX_QUERIES_PER_CALL = 500
#: ... and the datapoints one call returns at most (more come with a NextToken).
MAX_POINTS_PER_CALL = 100_800

#: The details key that says how the last check of a row went (idle, busy, no data).
IDLE_CHECK = "idle_check"

#: The ``kind`` of an inventory ``errors`` entry for a region whose checks failed.
ERRORS_KIND = "cloudwatch:idle-checks"

#: Regions checked at once.
DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True)
class Target:
    """One row and the rules that check it."""

    resource: Resource
    rules: tuple[MetricRule, ...]

    @functools.cached_property
    def queries(self) -> tuple[Ask, ...]:
        """The metrics to request for it, each once, whichever rules read them."""
        asks: dict[Ask, None] = {}
        for rule in self.rules:
            for q in rule.queries:
                asks[ask_of(rule, q, self.resource)] = None
        return tuple(asks)


#: One metric statistic of one row as requested: namespace, metric, stat, dimensions, period.
Ask = tuple[str, str, str, tuple[tuple[str, str], ...], int]


def ask_of(rule: MetricRule, q: MetricQuery, r: Resource) -> Ask:
    return (q.namespace, q.metric, q.stat, ((q.dimension, rule.dimension(r)), *rule.more_dimensions(r)), q.period)


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
        return sum(len(t.queries) for t in self.targets)

    def requests_for(self, days: int) -> int:
        """GetMetricData calls over a window of ``days`` (more only if a call is cut short)."""
        return sum(len(batches([a for t in targets for a in t.queries], days)) for targets in self.by_place.values())

    @property
    def requests(self) -> int:
        """GetMetricData calls over the default window."""
        return self.requests_for(int(IDLE_DAYS.default))

    @property
    def estimated_cost(self) -> float:
        """USD: the metrics requested at $0.01 per 1,000."""
        return self.metrics * USD_PER_1000_METRICS / 1000

    def describe(self) -> str:
        """One sentence: what is checked, how many requests, what it costs."""
        if not self.targets:
            checked = sorted({_title(spec.id, 2) for spec in REGISTRY.values() if spec.metric_rules})
            return f"no row here can be checked (the checks read running or available {', '.join(checked)})"
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
    """The rows some metric rule checks (each with its rules); the rest are counted as skipped."""
    targets = []
    skipped = 0
    for r in rows:
        spec = REGISTRY.get(r.kind)
        rules = tuple(m for m in (spec.metric_rules if spec else ()) if m.applies(r))
        if rules:
            targets.append(Target(r, rules))
        else:
            skipped += 1
    return IdlePlan(tuple(targets), skipped)


def batches(asks: Sequence[Ask], days: int) -> list[list[Ask]]:
    """``asks`` in calls of at most 500 queries and 100,800 datapoints (hourly metrics are
    336 datapoints each over 14 days: 300 of them fill a call)."""
    out: list[list[Ask]] = []
    current: list[Ask] = []
    points = 0
    for ask in asks:
        size = datapoints(ask[4], days)
        if current and (len(current) >= MAX_QUERIES_PER_CALL or points + size > MAX_POINTS_PER_CALL):
            out.append(current)
            current, points = [], 0
        current.append(ask)
        points += size
    if current:
        out.append(current)
    return out


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
    #: Rows with a finding from the checks, rows with none, rows whose metrics had no data.
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
            f"idle checks: {checked} checked, {self.idle} flagged, {self.busy} clear, {self.no_data} no data "
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
            values, requests, metrics = _read(client, places[place], start, end, cancel, int(limits[IDLE_DAYS]))
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
        judged = [_judge(t, values[i], limits, stamp, start) for i, t in enumerate(places[place])]
        with lock:
            report.requests += requests
            report.metrics += metrics
            for resource, outcome, found in judged:
                report.resources.append(resource)
                setattr(report, outcome, getattr(report, outcome) + 1)
                report.found.update(found)
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
    client: Any,
    targets: Sequence[Target],
    start: datetime,
    end: datetime,
    cancel: threading.Event | None,
    days: int,
) -> tuple[list[dict[Ask, list[float]]], int, int]:
    """Every target's values by what was asked; the calls made and the metrics requested."""
    owner: dict[Ask, list[int]] = defaultdict(list)
    for index, target in enumerate(targets):
        for ask in target.queries:
            owner[ask].append(index)
    ids = {ask: f"q{n}" for n, ask in enumerate(owner)}
    by_id = {qid: ask for ask, qid in ids.items()}
    values: list[dict[Ask, list[float]]] = [defaultdict(list) for _ in targets]
    requests = 0
    for batch in batches(list(owner), days):
        queries = [_query(ids[ask], ask) for ask in batch]
        token: str | None = None
        while True:
            if cancel is not None and cancel.is_set():
                raise _Cancelled
            kwargs: dict[str, Any] = {
                "MetricDataQueries": queries,
                "StartTime": start,
                "EndTime": end,
                "ScanBy": "TimestampAscending",
            }
            if token:
                kwargs["NextToken"] = token
            reply = client.get_metric_data(**kwargs)
            requests += 1
            for result in reply.get("MetricDataResults", []):
                asked = by_id.get(str(result.get("Id")))
                if asked is not None:
                    numbers = [float(v) for v in result.get("Values") or ()]
                    for index in owner[asked]:
                        values[index][asked].extend(numbers)
            token = reply.get("NextToken") or None
            if token is None:
                break
    return values, requests, len(owner)


def _query(qid: str, ask: Ask) -> dict[str, Any]:
    namespace, metric, stat, dimensions, period = ask
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {
                "Namespace": namespace,
                "MetricName": metric,
                "Dimensions": [{"Name": name, "Value": value} for name, value in dimensions],
            },
            "Period": period,
            "Stat": stat,
        },
        "ReturnData": True,
    }


#: How one rule's check of a row went: "idle" (its finding), "busy" or "no_data"; the note; the
#: finding; and a usage rule's cost of the row (monthly, basis).
_Outcome = tuple[str, str, Finding | None, tuple[float | None, str] | None]


def _judge(
    target: Target, values: dict[Ask, list[float]], limits: Thresholds, stamp: str, start: datetime
) -> tuple[Resource, str, list[str]]:
    """The row with its findings and note, which of idle/busy/no data it counts as (idle: some
    rule found something; no data: no rule had data), and the findings made."""
    r = target.resource
    outcomes = [(rule, _judge_rule(rule, r, values, limits, stamp, start)) for rule in target.rules]
    ids = {rule.id for rule in target.rules}
    made = [finding for _, (_, _, finding, _) in outcomes if finding is not None]
    findings = (*(f for f in r.findings if f.id not in ids), *made)
    if len(outcomes) == 1:
        note = outcomes[0][1][1]
    else:
        note = " | ".join(f"{rule.id} {text}" for rule, (_, text, _, _) in outcomes)
    kinds = {kind for _, (kind, _, _, _) in outcomes}
    row = "idle" if "idle" in kinds else "busy" if "busy" in kinds else "no_data"
    checked = _with(r, findings, note)
    for _, (_, _, _, cost) in outcomes:
        if cost is not None:
            checked = dataclasses.replace(checked, monthly_cost=cost[0], cost_basis=cost[1])
    return checked, row, [f.id for f in made]


def _judge_rule(
    rule: MetricRule, r: Resource, values: dict[Ask, list[float]], limits: Thresholds, stamp: str, start: datetime
) -> _Outcome:
    days = int(limits[IDLE_DAYS])
    series = {q.key: values.get(ask_of(rule, q, r), []) for q in rule.queries}
    zeroed = [q for q in rule.queries if q.sparse and not series[q.key] and _existed(rule, r, start)]
    for q in zeroed:
        series[q.key] = [0.0]
    missing = [q for q in rule.queries if not series[q.key] and not q.optional]
    if missing:
        names = ", ".join(dict.fromkeys(f"{q.metric} ({q.stat})" for q in missing))
        note = (
            f"no data: CloudWatch has no {names} datapoints for the {days} days before {stamp[:10]}; "
            f"not called idle (checked {stamp})"
        )
        return "no_data", note, None, None
    verdict = rule.judge(r, series, limits)
    if zeroed:
        names = ", ".join(dict.fromkeys(q.metric for q in zeroed))
        why = (
            f"no {names} datapoints in {days} days: AWS publishes it only when it is not zero, and the row "
            f"existed before the window began, so read as 0"
        )
        verdict = dataclasses.replace(
            verdict,
            evidence=f"{verdict.evidence} ({why})",
            confidence="low" if (verdict.confidence or rule.confidence) == "low" else "medium",
        )
    if verdict.no_data:
        return "no_data", f"no data: {verdict.evidence} (checked {stamp})", None, None
    if verdict.cost is not None:
        word = "priced" if verdict.cost[0] is not None else "measured, not priced"
        return "busy", f"{word}: {verdict.evidence} (checked {stamp})", None, verdict.cost
    if not verdict.idle:
        return "busy", f"busy: {verdict.evidence} (checked {stamp})", None, None
    if verdict.basis is not None:
        saving, basis = verdict.saving, verdict.basis
    else:
        saving = rule.saving(r)
        basis = rule.saving_basis(r, saving)
    measured = [q for q in rule.queries if series[q.key] and q not in zeroed]
    thinnest = min(measured, key=lambda q: len(series[q.key]) / q.points(days)) if measured else None
    confidence = verdict.confidence or rule.confidence
    evidence = f"{verdict.evidence}; {basis}"
    if thinnest is not None and len(series[thinnest.key]) * 2 < thinnest.points(days) and confidence != "low":
        confidence = "low"
        unit = "days" if thinnest.period == DAY else "hours"
        evidence += f"; low confidence: data on only {len(series[thinnest.key])} of {thinnest.points(days)} {unit}"
    finding = Finding(rule.id, saving, evidence, confidence, rule.action, verdict.target)
    word = "idle" if rule.id.startswith("idle-") else "found"
    return "idle", f"{word}: {verdict.evidence} (checked {stamp})", finding, None


def _existed(rule: MetricRule, r: Resource, start: datetime) -> bool:
    """The row existed when the window began (known, and not after ``start``)."""
    since = parse_iso(rule.existed_since(r))
    return since is not None and since <= start


def _with(r: Resource, findings: tuple[Finding, ...], note: str) -> Resource:
    return dataclasses.replace(r, findings=findings, details={**r.details, IDLE_CHECK: note})
