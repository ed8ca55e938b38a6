"""Prices from AWS itself: the Price List API, cached, winning over the shipped catalogue.

Every estimator describes the price it would like as a ``PriceQuery`` (GetProducts filters);
``LivePrices`` answers it from a JSON cache in the user cache dir (``as_of`` per entry, a
time to live of 7 days) and, when asked to (``fetch=True``: the ``live_prices`` setting or
``tracker-tui prices update``), from the Price List API.  Without fetching it still answers
from the cache, so what ``prices update`` fetched is used by every later scan.

Any failure gives ``None`` and the catalogue's answer stands: the first AccessDenied or
unreachable endpoint is one line in ``problems`` and stops further calls in this run (a
scan never makes hundreds of failing calls).  A corrupt cache file is moved aside and
reported, never fatal.  The Price List API lives in us-east-1; the client comes from the
caller's session object (anything with ``.client(service, region)``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import platformdirs

from tracker_tui.pricing.basis import FetchedPrice, PriceQuery

log = logging.getLogger(__name__)

CACHE_SCHEMA = "tracker-tui/price-cache/v2"
PRICING_REGION = "us-east-1"
#: What asking needs (``tracker-tui permissions``' price refresh statement).
IAM_ACTIONS = ("pricing:GetProducts",)
DEFAULT_TTL_SECONDS = 7 * 24 * 3600
#: Error codes after which asking again in this run is pointless.
#: Errors about one query (a filter the API does not take): the others are still asked.  Any
#: other failure (denied, expired, throttled after retries, a server error, no network) is the
#: same for every query, so asking stops at the first one.
_QUERY_ERROR_CODES = frozenset({"InvalidParameterException", "NotFoundException"})
#: How much of an error message a problem line keeps.
_MESSAGE_CHARS = 160


class ClientSource(Protocol):
    def client(self, service: str, region: str | None = None) -> Any: ...


def default_cache_path() -> Path:
    """``<user cache dir>/tracker-tui/prices.json`` (platformdirs)."""
    return Path(platformdirs.user_cache_dir("tracker-tui")) / "prices.json"


def parse_price(price_list: list[Any], unit: str) -> float | None:
    """The on-demand USD price per ``unit`` in a GetProducts ``PriceList`` (None when there is none).

    Each entry is a JSON document (a string, as the API sends it) with
    ``terms.OnDemand.<offer>.priceDimensions.<rate>``.  A tiered price (S3) counts from its
    first tier (``beginRange`` 0); when several products match, the lowest first-tier price wins.
    """
    prices: list[float] = []
    for item in price_list:
        doc = json.loads(item) if isinstance(item, (str, bytes)) else item
        for term in (doc.get("terms", {}).get("OnDemand") or {}).values():
            for dim in (term.get("priceDimensions") or {}).values():
                if str(dim.get("unit", "")).lower() != unit.lower():
                    continue
                if str(dim.get("beginRange", "0")) not in ("0", "0.0"):
                    continue
                usd = float(dim.get("pricePerUnit", {}).get("USD", "0"))
                if usd > 0:
                    prices.append(usd)
    return min(prices) if prices else None


def _describe(exc: BaseException) -> tuple[str, str]:
    """(code, one line) of a failure."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        err = response.get("Error", {})
        if err.get("Code"):
            return str(err["Code"]), _one_line(f"{err.get('Code')}: {err.get('Message', '')}".rstrip(": "))
    return type(exc).__name__, _one_line(f"{type(exc).__name__}: {exc}")


def _one_line(text: str) -> str:
    """An error message as one short line: markup (a proxy's HTML error page) and runs of
    whitespace go, and it is cut at ``_MESSAGE_CHARS``."""
    plain = " ".join(re.sub(r"<[^>]*>", " ", text).split())
    return plain if len(plain) <= _MESSAGE_CHARS else plain[: _MESSAGE_CHARS - 1] + "…"


@dataclass
class UpdateReport:
    """What ``LivePrices.update`` did."""

    asked: int = 0
    fetched: int = 0
    #: Asked, and the API has no such product (not sold there, or a name it does not know).
    unavailable: int = 0
    failed: int = 0


class LivePrices:
    """Prices from the Price List API, cached on disk: a ``PriceBook`` for the estimators.

    Args:
        session: anything with ``.client(service, region)`` (``aws.session.AwsSession``);
            None reads the cache only.
        cache_path: the cache file (default ``default_cache_path()``).
        ttl_seconds: how long a cached answer (a price, or "no such product") is trusted.
        fetch: ask the API for what the cache does not have (fresh).
        clock: seconds since the epoch (tests pass a fake).

    ``problems`` collects one line per failure (API error, corrupt cache moved aside, cache
    not writable) for the caller to report.  Thread-safe.
    """

    def __init__(
        self,
        session: ClientSource | None,
        cache_path: Path | str | None = None,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        *,
        fetch: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.session = session
        self.cache_path = Path(cache_path) if cache_path is not None else default_cache_path()
        self.ttl_seconds = float(ttl_seconds)
        self.fetch = fetch and session is not None
        self.clock = clock
        self.problems: list[str] = []
        self.calls = 0
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] | None = None
        #: Set by an error that makes every further call pointless (denied, bad credentials).
        self._gave_up = ""
        #: Queries whose lookup failed in this run: not retried until a new LivePrices.
        self._failed: set[str] = set()

    # --- the PriceBook --------------------------------------------------------------------

    def price(self, query: PriceQuery) -> FetchedPrice | None:
        """The fetched price for ``query`` (cached, or asked now when fetching), else None."""
        with self._lock:
            cached = self._load().get(query.key)
            if cached is not None and self._fresh(cached):
                return _answer(cached)
            if not self.fetch or self._gave_up or query.key in self._failed:
                return None
        # The call is made outside the lock: other rows' lookups go on meanwhile.
        entry = self._ask(query)
        if entry is None:
            return None
        with self._lock:
            self._load()[query.key] = entry
            self._save()
        return _answer(entry)

    # --- prices update ----------------------------------------------------------------------

    def update(self, queries: Iterable[PriceQuery], workers: int = 8) -> UpdateReport:
        """Ask the API for every query now (cached or not), and cache the answers.

        Stops asking at the first error that makes more calls pointless.
        """
        unique = {q.key: q for q in queries}
        report = UpdateReport(asked=len(unique))

        def one(query: PriceQuery) -> tuple[PriceQuery, dict[str, Any] | None]:
            return query, (None if self._gave_up else self._ask(query))

        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="prices") as pool:
            results = list(pool.map(one, unique.values()))
        with self._lock:
            entries = self._load()
            for query, entry in results:
                if entry is None:
                    report.failed += 1
                    continue
                entries[query.key] = entry
                if entry["usd"] is None:
                    report.unavailable += 1
                    continue
                report.fetched += 1
            self._save()
        return report

    # --- internals ---------------------------------------------------------------------

    def _ask(self, query: PriceQuery) -> dict[str, Any] | None:
        """One GetProducts call: the cache entry to keep, or None after a failure (reported)."""
        if self.session is None:
            return None
        try:
            client = self.session.client("pricing", PRICING_REGION)
            self.calls += 1
            filters = [{"Type": "TERM_MATCH", "Field": f, "Value": v} for f, v in query.filters]
            price_list: list[Any] = []
            kwargs: dict[str, Any] = {"ServiceCode": query.service, "Filters": filters, "FormatVersion": "aws_v1"}
            while True:
                reply = client.get_products(**kwargs)
                price_list.extend(reply.get("PriceList", []))
                token = reply.get("NextToken")
                if not token:
                    break
                kwargs["NextToken"] = token
        except Exception as exc:  # noqa: BLE001 - any failure falls back to the catalogue
            code, line = _describe(exc)
            with self._lock:
                self._failed.add(query.key)
                if code not in _QUERY_ERROR_CODES:
                    if not self._gave_up:
                        self._gave_up = line
                        self._problem(
                            f"the AWS Price List API cannot be used ({line}); the shipped catalogue's prices stand"
                        )
                else:
                    self._problem(f"price of {query.label} unavailable ({line})")
            return None
        fetched_at = datetime.fromtimestamp(self.clock(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"usd": parse_price(price_list, query.unit), "fetched": fetched_at, "label": query.label}

    def _fresh(self, entry: dict[str, Any]) -> bool:
        try:
            fetched = datetime.strptime(str(entry["fetched"]), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except (KeyError, ValueError):
            return False
        return 0 <= self.clock() - fetched.timestamp() < self.ttl_seconds

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._entries is not None:
            return self._entries
        self._entries = {}
        try:
            text = self.cache_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return self._entries
        except OSError as exc:
            self._problem(f"price cache {self.cache_path} unreadable: {exc}")
            return self._entries
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or "schema" not in data:
                raise ValueError("not a tracker-tui price cache")
            if data["schema"] != CACHE_SCHEMA:
                return self._entries  # an older version's cache: refetched, then rewritten
            entries = data.get("entries")
            if not isinstance(entries, dict) or not all(isinstance(v, dict) for v in entries.values()):
                raise ValueError("bad 'entries'")
        except ValueError as exc:
            self._move_aside(exc)
            return self._entries
        self._entries = entries
        return self._entries

    def _move_aside(self, reason: Exception) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.cache_path.with_name(f"{self.cache_path.name}.corrupt-{stamp}")
        n = 1
        while target.exists():
            target = self.cache_path.with_name(f"{self.cache_path.name}.corrupt-{stamp}-{n}")
            n += 1
        try:
            os.replace(self.cache_path, target)
            self._problem(f"price cache {self.cache_path} was corrupt ({reason}); moved aside to {target.name}")
        except OSError as exc:
            self._problem(f"price cache {self.cache_path} is corrupt ({reason}) and could not be moved: {exc}")

    def _save(self) -> None:
        data = {"schema": CACHE_SCHEMA, "entries": self._entries or {}}
        tmp = self.cache_path.with_name(f".{self.cache_path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.cache_path)
        except OSError as exc:
            self._problem(f"price cache {self.cache_path} not written: {exc}")
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass

    def _problem(self, message: str) -> None:
        log.debug("%s", message)  # the caller reports ``problems``: one line each, once
        self.problems.append(message)


def _answer(entry: dict[str, Any]) -> FetchedPrice | None:
    usd = entry.get("usd")
    return None if usd is None else FetchedPrice(float(usd), str(entry.get("fetched", "")))


class RecordingBook:
    """A ``PriceBook`` that answers nothing and remembers every query: what a scan needs."""

    def __init__(self) -> None:
        self.queries: dict[str, PriceQuery] = {}

    def price(self, query: PriceQuery) -> FetchedPrice | None:
        self.queries[query.key] = query
        return None


__all__ = [
    "CACHE_SCHEMA",
    "DEFAULT_TTL_SECONDS",
    "LivePrices",
    "RecordingBook",
    "UpdateReport",
    "default_cache_path",
    "parse_price",
]
