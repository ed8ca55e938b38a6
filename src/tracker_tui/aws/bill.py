"""The bill beside the estimate: last month's AWS bill per service, next to our run-rate.

One Cost Explorer ``GetCostAndUsage`` request (``ce`` in us-east-1, through the account's
session) asks for the last full calendar month, ``MONTHLY``, ``UnblendedCost``, grouped by
``SERVICE``; it is paged with ``NextPageToken`` when AWS pages the answer.  AWS bills each
request $0.01, so nothing here calls it unasked: ``CostExplorerBills.cached`` never makes a
request, ``fetch`` makes one only when no fresh answer is cached (or ``refresh`` is asked).
Answers are cached per account for 24 h in the user cache dir (``bills/<account>.json``); a
corrupt cache file is moved aside and reported in ``problems``, never fatal.

``compare`` sets the bill beside a run-rate: for each service, the sum of the kinds whose
``KindSpec.billed_as`` names it (several kinds share "EC2 - Other"), the rows whose cost is
unknown, and what the bill shows that no kind covers.  Free kinds (``billed_as`` "") are
left out.  No Textual here: ``tracker-tui bill`` and the TUI's bill view both use this.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

import botocore.exceptions

from tracker_tui.aws.kinds import REGISTRY, KindSpec
from tracker_tui.aws.session import EXPIRED_CODES, TIMEOUT_ERRORS, describe_credentials_error
from tracker_tui.config import cache_dir
from tracker_tui.model import format_cost, iso_utc, parse_iso
from tracker_tui.store import atomic_write_text

SCHEMA = "tracker-tui/bill/v1"
CACHE_SCHEMA = "tracker-tui/bill-cache/v1"
#: Cost Explorer has one endpoint, in us-east-1.
CE_REGION = "us-east-1"
METRIC = "UnblendedCost"
TTL_SECONDS = 24 * 3600
#: What AWS bills for each Cost Explorer API request (USD).
REQUEST_PRICE_USD = 0.01
PERMISSION = "ce:GetCostAndUsage"
#: What the view and the command say before they ask.
NOTICE = f"one Cost Explorer request, billed ${REQUEST_PRICE_USD:.2f} by AWS"
#: A bill line this small (either sign) is noise: Cost Explorer lists services at $0.00.
NOISE_USD = 0.005

#: What each column is, in the words the view and the command both use.
COLUMN_NOTES = (
    "billed: last month's bill per Cost Explorer service (UnblendedCost, net of credits and refunds).",
    "ours: what the resources scanned now cost per month (on-demand list prices, 730 h), "
    "summed over the kinds billed under that service; unpriced rows are counted, not guessed.",
    "bill - ours: last month's bill is not this month's run-rate (usage and data transfer we do not "
    "price, credits, savings plans, resources added or removed since, a part month).",
)


class ClientSource(Protocol):
    def client(self, service: str, region: str | None = None) -> Any: ...


class KindTotals(Protocol):
    """The run-rate by kind: a ``costs.CostSummary`` is one."""

    @property
    def by_kind(self) -> Mapping[str, float]: ...

    @property
    def unpriced_by_kind(self) -> Mapping[str, int]: ...


class BillError(Exception):
    """Cost Explorer cannot answer (denied, not enabled, no network): one line for the user."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


def _utcnow() -> datetime:
    return datetime.now(UTC)


# --- the period and the bill -------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A calendar month as Cost Explorer takes it: ``start`` inclusive, ``end`` exclusive."""

    start: date
    end: date

    @classmethod
    def last_full_month(cls, today: date) -> Period:
        end = today.replace(day=1)
        start = (end.replace(year=end.year - 1, month=12) if end.month == 1 else end.replace(month=end.month - 1))
        return cls(start, end)

    @property
    def label(self) -> str:
        """``Nov 2026``."""
        return self.start.strftime("%b %Y")

    def as_dict(self) -> dict[str, str]:
        return {"Start": self.start.isoformat(), "End": self.end.isoformat()}


@dataclass(frozen=True)
class Bill:
    """One month of one account's bill, by Cost Explorer SERVICE (USD).

    Args:
        cached: read from the cache (no request made this time).
        estimated: Cost Explorer says the month is not final yet.
        requests: how many requests (pages) the answer took when it was fetched.
    """

    account_id: str
    period: Period
    services: Mapping[str, float]
    fetched_at: datetime
    estimated: bool = False
    cached: bool = False
    requests: int = 1

    @property
    def total(self) -> float:
        return sum(self.services.values())

    def age_seconds(self, now: datetime) -> float:
        return max(0.0, (now - self.fetched_at).total_seconds())

    def fetched_text(self, now: datetime) -> str:
        """``fetched 3 h ago (cached: no request, no charge)`` or ``fetched just now (1 request, $0.01)``."""
        seconds = self.age_seconds(now)
        if seconds < 90:
            ago = "just now" if seconds < 10 else f"{int(seconds)} s ago"
        elif seconds < 90 * 60:
            ago = f"{int(seconds // 60)} min ago"
        else:
            ago = f"{int(seconds // 3600)} h ago"
        if self.cached:
            return f"fetched {ago} (cached: no request, no charge)"
        cost = self.requests * REQUEST_PRICE_USD
        return f"fetched {ago} ({self.requests} request{'s' if self.requests != 1 else ''}, ${cost:.2f})"


# --- the request -----------------------------------------------------------------------------------


def fetch_services(
    client: Any, period: Period, on_request: Callable[[], None] | None = None
) -> tuple[dict[str, float], bool, int]:
    """``(USD by service, estimated, requests made)`` for ``period`` from a ``ce`` client.

    ``on_request`` is called before each request (each page is one, billed $0.01).

    Raises:
        BillError: denied, not enabled, no data, throttled or no network (``describe_error``).
    """
    services: dict[str, float] = {}
    estimated = False
    requests = 0
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {
            "TimePeriod": period.as_dict(),
            "Granularity": "MONTHLY",
            "Metrics": [METRIC],
            "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
        }
        if token:
            kwargs["NextPageToken"] = token
        requests += 1
        if on_request is not None:
            on_request()
        try:
            reply = client.get_cost_and_usage(**kwargs)
        except Exception as exc:  # noqa: BLE001 - every failure is one line for the user
            raise BillError(describe_error(exc), _code(exc)) from None
        for result in reply.get("ResultsByTime", []):
            estimated = estimated or bool(result.get("Estimated"))
            for group in result.get("Groups", []):
                keys = group.get("Keys") or ["(no service)"]
                amount = (group.get("Metrics", {}).get(METRIC) or {}).get("Amount", "0")
                try:
                    value = float(amount)
                except (TypeError, ValueError):
                    continue
                services[str(keys[0])] = services.get(str(keys[0]), 0.0) + value
        token = reply.get("NextPageToken") or None
        if not token:
            return services, estimated, requests


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def describe_error(exc: BaseException) -> str:
    """One line saying why Cost Explorer did not answer, and what the bill needs."""
    need = f"the bill needs {PERMISSION} (Cost Explorer, us-east-1)"
    if isinstance(exc, botocore.exceptions.ClientError):
        code = _code(exc)
        message = str(exc.response.get("Error", {}).get("Message", "")).strip()
        if code in EXPIRED_CODES:
            return describe_credentials_error(exc, None)
        if "not enabled" in message.lower() or "opt" in code.lower():
            return (
                f"Cost Explorer is not enabled for this account ({code}: {message}): enable it in the "
                f"Billing console (data appears within 24 h); {need}"
            )
        if code in ("AccessDeniedException", "AccessDenied", "UnauthorizedOperation"):
            return f"Cost Explorer denied the request ({code}: {message}): {need}"
        if code == "DataUnavailableException":
            return (
                f"Cost Explorer has no data for the month yet ({code}): it may not be enabled, or was "
                f"enabled less than 24 h ago; {need}"
            )
        if code in ("LimitExceededException", "ThrottlingException"):
            return f"Cost Explorer is throttling requests ({code}): try again in a minute"
        return f"Cost Explorer did not answer ({code or type(exc).__name__}: {message}); {need}"
    if isinstance(exc, (*TIMEOUT_ERRORS, botocore.exceptions.EndpointConnectionError)):
        return f"cannot reach Cost Explorer: {exc}; check the network or a proxy ({need})"
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return describe_credentials_error(exc, None)
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return f"cannot reach Cost Explorer: {exc} ({need})"
    return f"Cost Explorer did not answer: {type(exc).__name__}: {exc} ({need})"


# --- the cache ---------------------------------------------------------------------------------------


@dataclass
class BillCache:
    """One JSON file per account under ``<cache dir>/bills/``.

    ``problems`` collects one line per corrupt file moved aside or cache not written.
    """

    base: Path | None = None
    problems: list[str] = field(default_factory=list)

    def path(self, account_id: str) -> Path:
        safe = "".join(ch for ch in account_id if ch.isalnum() or ch in "-_") or "unknown"
        return (self.base or cache_dir()) / "bills" / f"{safe}.json"

    def load(self, account_id: str) -> Bill | None:
        """The cached bill of ``account_id`` (any month, any age), or None."""
        path = self.path(account_id)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.problems.append(f"bill cache {path} unreadable: {exc}")
            return None
        try:
            return _bill_from_cache(json.loads(text), account_id)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            self._move_aside(path, exc)
            return None

    def save(self, bill: Bill) -> None:
        data = {
            "schema": CACHE_SCHEMA,
            "account_id": bill.account_id,
            "start": bill.period.start.isoformat(),
            "end": bill.period.end.isoformat(),
            "fetched_at": iso_utc(bill.fetched_at),
            "estimated": bill.estimated,
            "requests": bill.requests,
            "services": dict(bill.services),
        }
        path = self.path(bill.account_id)
        try:
            atomic_write_text(path, json.dumps(data, indent=1, sort_keys=True) + "\n")
        except OSError as exc:
            self.problems.append(f"bill cache {path} not written: {exc}")

    def _move_aside(self, path: Path, reason: BaseException) -> None:
        stamp = _utcnow().strftime("%Y%m%dT%H%M%SZ")
        target = path.with_name(f"{path.name}.corrupt-{stamp}")
        n = 1
        while target.exists():
            target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
            n += 1
        try:
            os.replace(path, target)
            self.problems.append(f"bill cache {path} was corrupt ({reason}); moved aside to {target.name}")
        except OSError as exc:
            self.problems.append(f"bill cache {path} is corrupt ({reason}) and could not be moved: {exc}")


def _bill_from_cache(data: Any, account_id: str) -> Bill:
    if not isinstance(data, dict) or data.get("schema") != CACHE_SCHEMA:
        raise ValueError("not a tracker-tui bill cache")
    if data.get("account_id") != account_id:
        raise ValueError(f"holds account {data.get('account_id')!r}")
    fetched = parse_iso(data.get("fetched_at"))
    if fetched is None:
        raise ValueError("bad 'fetched_at'")
    services = data["services"]
    if not isinstance(services, dict):
        raise ValueError("bad 'services'")
    return Bill(
        account_id=account_id,
        period=Period(date.fromisoformat(data["start"]), date.fromisoformat(data["end"])),
        services={str(name): float(amount) for name, amount in services.items()},
        fetched_at=fetched,
        estimated=bool(data.get("estimated", False)),
        cached=True,
        requests=int(data.get("requests", 1)),
    )


# --- where the view and the command get bills -----------------------------------------------------


class BillSource(Protocol):
    """What the TUI's bill view asks (the app injects one; tests inject a fake)."""

    @property
    def problems(self) -> list[str]:
        """Corrupt cache files moved aside, caches not written: one line each (callers clear it)."""

    def period(self) -> Period:
        """The month a fetch asks for: the last full calendar month."""

    def cached(self, account_id: str) -> Bill | None:
        """A fresh cached bill for last month, or None.  Never makes a request."""

    def unavailable(self, account_id: str) -> str:
        """Why no request can be made for ``account_id`` (no session: a saved inventory); "" when one can."""

    def fetch(self, account_id: str, *, refresh: bool = False) -> Bill:
        """The cached bill unless ``refresh`` or stale; else one request ($0.01).

        Raises:
            BillError: Cost Explorer cannot answer.
        """


class CostExplorerBills:
    """Bills from Cost Explorer through each account's own session, cached for 24 h.

    Args:
        session_for: the session of an account (``ScanSource.session_for``); it may raise,
            and what it raises goes to the caller.
        cache: where answers are kept (default: the user cache dir).
        now: the wall clock (tests freeze it); the month asked for follows it.
        ttl_seconds: how long a cached answer is used instead of a request.
    """

    def __init__(
        self,
        session_for: Callable[[str], ClientSource],
        cache: BillCache | None = None,
        *,
        now: Callable[[], datetime] = _utcnow,
        ttl_seconds: float = TTL_SECONDS,
    ) -> None:
        self.session_for = session_for
        self.cache = cache or BillCache()
        self.now = now
        self.ttl_seconds = float(ttl_seconds)
        #: Requests made by this object (each billed $0.01 by AWS).
        self.requests = 0

    @property
    def problems(self) -> list[str]:
        return self.cache.problems

    def period(self) -> Period:
        return Period.last_full_month(self.now().astimezone(UTC).date())

    def _count(self) -> None:
        self.requests += 1

    def cached(self, account_id: str) -> Bill | None:
        bill = self.cache.load(account_id)
        if bill is None or bill.period != self.period():
            return None
        age = (self.now() - bill.fetched_at).total_seconds()
        return bill if 0 <= age < self.ttl_seconds else None

    def unavailable(self, account_id: str) -> str:
        try:
            self.session_for(account_id)
        except Exception as exc:  # noqa: BLE001 - whatever it is, it is the reason, for the user
            return str(exc) or type(exc).__name__
        return ""

    def fetch(self, account_id: str, *, refresh: bool = False) -> Bill:
        if not refresh:
            cached = self.cached(account_id)
            if cached is not None:
                return cached
        period = self.period()
        client = self.session_for(account_id).client("ce", CE_REGION)
        services, estimated, requests = fetch_services(client, period, self._count)
        bill = Bill(account_id, period, services, self.now(), estimated, cached=False, requests=requests)
        self.cache.save(bill)
        return bill


# --- the comparison ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceLine:
    """A service some kind of ours is billed under: the bill, our run-rate, the gap."""

    service: str
    billed: float
    ours: float
    ours_unknown_rows: int
    kinds: tuple[str, ...]

    @property
    def difference(self) -> float:
        """Billed last month minus our run-rate now (positive: the bill is higher)."""
        return self.billed - self.ours


@dataclass(frozen=True)
class NotCovered:
    """A service on the bill that no kind of ours is billed under (CloudFront, Support, Tax)."""

    service: str
    billed: float


@dataclass(frozen=True)
class Totals:
    billed: float
    covered: float
    not_covered: float
    ours: float
    ours_unknown_rows: int

    @property
    def difference(self) -> float:
        """The covered part of the bill minus our run-rate."""
        return self.covered - self.ours


@dataclass(frozen=True)
class Comparison:
    bill: Bill
    services: tuple[ServiceLine, ...]
    not_covered: tuple[NotCovered, ...]
    totals: Totals


def kinds_by_service(registry: Mapping[str, KindSpec] = REGISTRY) -> dict[str, tuple[str, ...]]:
    """Each billed service -> the kinds billed under it, in display order (free kinds left out)."""
    out: dict[str, list[str]] = {}
    for kind, spec in registry.items():
        if spec.billed_as:
            out.setdefault(spec.billed_as, []).append(kind)
    return {service: tuple(kinds) for service, kinds in out.items()}


def compare(bill: Bill, totals: KindTotals, registry: Mapping[str, KindSpec] = REGISTRY) -> Comparison:
    """The bill beside the run-rate: per service, then what no kind covers, then the totals.

    A covered service is listed when the bill has it or the scan found rows of its kinds
    (a service billed nothing last month with resources now shows billed $0).  Services
    are in order of the bill, largest first; lines under ``NOISE_USD`` not covered are left out.
    """
    by_kind, unpriced = totals.by_kind, totals.unpriced_by_kind
    lines: list[ServiceLine] = []
    for service, kinds in kinds_by_service(registry).items():
        seen = any(kind in by_kind or unpriced.get(kind, 0) for kind in kinds)
        if service not in bill.services and not seen:
            continue
        ours = sum(by_kind.get(kind, 0.0) for kind in kinds)
        unknown = sum(unpriced.get(kind, 0) for kind in kinds)
        lines.append(ServiceLine(service, bill.services.get(service, 0.0), ours, unknown, kinds))
    lines.sort(key=lambda line: (-line.billed, -line.ours, line.service))
    covered = {line.service for line in lines}
    missing = sorted(
        (NotCovered(service, amount) for service, amount in bill.services.items()
         if service not in covered and abs(amount) >= NOISE_USD),
        key=lambda item: (-item.billed, item.service),
    )
    return Comparison(
        bill=bill,
        services=tuple(lines),
        not_covered=tuple(missing),
        totals=Totals(
            billed=bill.total,
            covered=sum(line.billed for line in lines),
            not_covered=sum(item.billed for item in missing),
            ours=sum(line.ours for line in lines),
            ours_unknown_rows=sum(line.ours_unknown_rows for line in lines),
        ),
    )


def signed(value: float) -> str:
    """``+$12.00`` / ``-$3.50`` (zero is ``$0.00``)."""
    if abs(value) < NOISE_USD:
        return "$0.00"
    return ("+" if value > 0 else "-") + format_cost(abs(value))


# --- output ---------------------------------------------------------------------------------------------


def _money(value: float) -> float:
    return round(value + 0.0, 2)


def comparison_json(
    comparison: Comparison, *, account_alias: str = "", ours_from: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The ``tracker-tui/bill/v1`` document (README, "The bill beside the estimate")."""
    bill, totals = comparison.bill, comparison.totals
    return {
        "schema": SCHEMA,
        "account": {"id": bill.account_id, "alias": account_alias},
        "period": {"start": bill.period.start.isoformat(), "end": bill.period.end.isoformat()},
        "metric": METRIC,
        "unit": "USD",
        "fetched_at": iso_utc(bill.fetched_at),
        "cached": bill.cached,
        "estimated": bill.estimated,
        "ours_from": dict(ours_from or {}),
        "services": [
            {
                "service": line.service,
                "billed": _money(line.billed),
                "ours": _money(line.ours),
                "ours_unknown_rows": line.ours_unknown_rows,
                "kinds": list(line.kinds),
                "difference": _money(line.difference),
            }
            for line in comparison.services
        ],
        "not_covered": [{"service": item.service, "billed": _money(item.billed)} for item in comparison.not_covered],
        "totals": {
            "billed": _money(totals.billed),
            "covered": _money(totals.covered),
            "not_covered": _money(totals.not_covered),
            "ours": _money(totals.ours),
            "ours_unknown_rows": totals.ours_unknown_rows,
            "difference": _money(totals.difference),
        },
    }


def comparison_lines(comparison: Comparison) -> list[str]:
    """The headless table: one line per service, what is not covered, the totals, the notes."""
    month = comparison.bill.period.label
    head = ("service", f"billed {month}", "ours /mo now", "bill - ours", "unpriced", "kinds")
    rows: list[tuple[str, ...]] = [head]
    for line in comparison.services:
        rows.append((
            line.service, format_cost(line.billed), format_cost(line.ours), signed(line.difference),
            str(line.ours_unknown_rows or ""), ", ".join(line.kinds),
        ))
    for item in comparison.not_covered:
        rows.append((item.service, format_cost(item.billed), "not covered", "", "", ""))
    t = comparison.totals
    rows.append(("covered by our kinds", format_cost(t.covered), format_cost(t.ours), signed(t.difference),
                 str(t.ours_unknown_rows or ""), ""))
    rows.append(("not covered", format_cost(t.not_covered), "", "", "", ""))
    rows.append(("billed total", format_cost(t.billed), "", "", "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    out = []
    for index, row in enumerate(rows):
        if index in (1 + len(comparison.services), 1 + len(comparison.services) + len(comparison.not_covered)):
            out.append("-" * (sum(widths[:5]) + 8))
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:5], widths[1:5], strict=True)]
        out.append("  ".join(cells + [row[5]]).rstrip())
    return out + list(COLUMN_NOTES)
