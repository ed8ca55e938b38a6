"""Optional live EC2 prices from the AWS Price List API, for types the catalogue lacks.

Off by default: the caller builds a ``LivePrices`` only when the user asked for it (a setting
or flag) and passes it to ``estimate``/``price_resources``.  Answers are cached in a JSON file
in the user cache dir with a time to live.  Any failure (no permission, throttling, no
network, an answer we cannot parse) gives ``None``, so the estimate falls back to the
catalogue's "unknown"; a corrupt cache file is moved aside and reported, never fatal.

The Price List API lives in us-east-1 (and a few others); the client comes from the
caller's session object (anything with ``.client(service, region)``), so credentials,
endpoint and retries are the app's own.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import platformdirs

log = logging.getLogger(__name__)

CACHE_SCHEMA = "tracker-tui/price-cache/v1"
PRICING_REGION = "us-east-1"
DEFAULT_TTL_SECONDS = 7 * 24 * 3600


class ClientSource(Protocol):
    def client(self, service: str, region: str | None = None) -> Any: ...


def default_cache_path() -> Path:
    """``<user cache dir>/tracker-tui/prices.json`` (platformdirs)."""
    return Path(platformdirs.user_cache_dir("tracker-tui")) / "prices.json"


def ec2_filters(instance_type: str, region: str) -> list[dict[str, str]]:
    """The GetProducts filters for one Linux, shared-tenancy, on-demand instance type."""
    wanted = {
        "instanceType": instance_type,
        "regionCode": region,
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "preInstalledSw": "NA",
        "capacitystatus": "Used",
    }
    return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in wanted.items()]


def parse_on_demand_usd(price_list: list[Any]) -> float | None:
    """The on-demand USD/hour in a GetProducts ``PriceList`` (None when there is none).

    Each entry is a JSON document (a string, as the API sends it) with
    ``terms.OnDemand.<offer>.priceDimensions.<rate>.pricePerUnit.USD``.  When several
    products match, the lowest positive hourly price wins.
    """
    prices: list[float] = []
    for item in price_list:
        doc = json.loads(item) if isinstance(item, (str, bytes)) else item
        for term in (doc.get("terms", {}).get("OnDemand") or {}).values():
            for dim in (term.get("priceDimensions") or {}).values():
                if str(dim.get("unit", "")).lower() not in ("hrs", "hours", "hour"):
                    continue
                usd = float(dim.get("pricePerUnit", {}).get("USD", "0"))
                if usd > 0:
                    prices.append(usd)
    return min(prices) if prices else None


class LivePrices:
    """EC2 Linux on-demand prices from the Price List API, cached on disk.

    Args:
        session: anything with ``.client(service, region)`` (``aws.session.AwsSession``).
        cache_path: the cache file (default ``default_cache_path()``).
        ttl_seconds: how long a cached answer (a price, or "no such product") is trusted.
        clock: seconds since the epoch (tests pass a fake).

    ``problems`` collects one line per failure (API error, corrupt cache moved aside, cache
    not writable) for the caller to report.  Thread-safe.
    """

    def __init__(
        self,
        session: ClientSource,
        cache_path: Path | str | None = None,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.session = session
        self.cache_path = Path(cache_path) if cache_path is not None else default_cache_path()
        self.ttl_seconds = float(ttl_seconds)
        self.clock = clock
        self.problems: list[str] = []
        self.calls = 0
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] | None = None
        #: Keys whose lookup failed in this run: not retried until a new LivePrices.
        self._failed: set[str] = set()

    # --- public ------------------------------------------------------------------------

    def ec2_hourly(self, instance_type: str, region: str) -> float | None:
        """USD/hour, or None (not sold there, or any error: the catalogue's answer stands)."""
        key = f"AmazonEC2/{instance_type}/{region}/Linux"
        with self._lock:
            try:
                entries = self._load()
                cached = entries.get(key)
                now = self.clock()
                if cached is not None and self._fresh(cached, now):
                    price = cached.get("usd_per_hour")
                    return None if price is None else float(price)
                if key in self._failed:
                    return None
                price = self._fetch(instance_type, region)
            except Exception as exc:  # noqa: BLE001 - any failure falls back to the catalogue
                self._failed.add(key)
                self._problem(f"live price for {instance_type} in {region} unavailable: {_describe(exc)}")
                return None
            entries[key] = {"usd_per_hour": price, "fetched_at": now, "ttl_seconds": self.ttl_seconds}
            self._save(entries)
            return price

    # --- internals ---------------------------------------------------------------------

    def _fresh(self, entry: dict[str, Any], now: float) -> bool:
        try:
            fetched = float(entry["fetched_at"])
            ttl = float(entry.get("ttl_seconds", self.ttl_seconds))
        except (KeyError, TypeError, ValueError):
            return False
        return 0 <= now - fetched < min(ttl, self.ttl_seconds)

    def _fetch(self, instance_type: str, region: str) -> float | None:
        client = self.session.client("pricing", PRICING_REGION)
        self.calls += 1
        reply = client.get_products(
            ServiceCode="AmazonEC2", Filters=ec2_filters(instance_type, region), FormatVersion="aws_v1", MaxResults=10
        )
        return parse_on_demand_usd(reply.get("PriceList", []))

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
            if not isinstance(data, dict) or data.get("schema") != CACHE_SCHEMA:
                raise ValueError("not a tracker-tui price cache")
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

    def _save(self, entries: dict[str, dict[str, Any]]) -> None:
        data = {"schema": CACHE_SCHEMA, "entries": entries}
        tmp = self.cache_path.with_name(f".{self.cache_path.name}.{os.getpid()}.tmp")
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
        log.warning("%s", message)
        self.problems.append(message)


def _describe(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        err = response.get("Error", {})
        if err.get("Code"):
            return f"{err.get('Code')}: {err.get('Message', '')}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


__all__ = [
    "CACHE_SCHEMA",
    "DEFAULT_TTL_SECONDS",
    "LivePrices",
    "default_cache_path",
    "ec2_filters",
    "parse_on_demand_usd",
]
