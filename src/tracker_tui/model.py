"""Plain data types shared by every layer.

Nothing here imports boto3 or Textual: a script, the headless ``scan`` command and
the TUI all speak in these types.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GLOBAL_REGION = "global"

def iso_utc(value: datetime | None) -> str | None:
    """Format a datetime as ``2026-01-02T03:04:05Z`` (UTC, seconds precision)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


#: How every screen and report writes a cost that cannot be known (never a silent $0 or a blank).
UNKNOWN_COST = "unknown"


def format_cost(value: float | None) -> str:
    """A monthly cost as people read it: ``$1,234.56``, or ``unknown``."""
    return UNKNOWN_COST if value is None else f"${value:,.2f}"


def plural(count: int, word: str) -> str:
    """``1 row``, ``2 rows``, ``1,204 rows``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def format_cost_sum(values: Iterable[float | None]) -> str:
    """A sum of costs some of which may be unknown: ``$12.00``, or ``$12.00 + 2 unknown``."""
    known, unknown = 0.0, 0
    for value in values:
        if value is None:
            unknown += 1
        else:
            known += value
    return format_cost(known) + (f" + {unknown} {UNKNOWN_COST}" if unknown else "")


def parse_iso(value: str | None) -> datetime | None:
    """An ISO-8601 timestamp (``Z`` or an offset; none means UTC) as an aware datetime, or
    None when empty or unreadable."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


#: How sure a finding is: ``high`` from the scan's own data, lower where it rests on a guess
#: or on missing data ("no data" is never "idle").
CONFIDENCES = ("high", "medium", "low")


@dataclass(frozen=True, slots=True)
class Finding:
    """A saving found on one resource, with the evidence a person can check.

    ``monthly_saving`` is USD per month, or None when it cannot be known (the evidence says
    why).  ``action`` is the verb that realises it (``delete``, ``modify``...), if any.
    """

    id: str
    monthly_saving: float | None
    evidence: str
    confidence: str = "high"
    action: str | None = None
    #: What the action changes the row to, when the finding names it (the instance type a
    #: rightsizing or a current-generation twin moves to); None: nothing to name.
    target: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "monthly_saving": self.monthly_saving,
            "evidence": self.evidence,
            "confidence": self.confidence,
            "action": self.action,
        }
        if self.target is not None:
            data["target"] = self.target
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        saving = data.get("monthly_saving")
        confidence = str(data.get("confidence") or "high")
        if confidence not in CONFIDENCES:
            raise ValueError(f"finding confidence {confidence!r} is not one of {', '.join(CONFIDENCES)}")
        return cls(
            id=str(data["id"]),
            monthly_saving=None if saving is None else float(saving),
            evidence=str(data.get("evidence") or ""),
            confidence=confidence,
            action=data.get("action") or None,
            target=str(data["target"]) if data.get("target") else None,
        )


@dataclass(frozen=True, slots=True)
class Resource:
    """One thing in an AWS account, as the scan found it.

    ``created`` is an ISO-8601 UTC string (``iso_utc``) so rows sort and serialise
    without conversion.  ``monthly_cost`` is USD per month, or ``None`` when it is
    usage-dependent or unknown; ``cost_basis`` says how the figure was reached.
    """

    kind: str
    id: str
    region: str
    account_id: str = ""
    arn: str | None = None
    name: str = ""
    state: str = ""
    created: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)
    monthly_cost: float | None = None
    cost_basis: str | None = None
    #: The savings found on it (``tracker_tui.findings``); empty until they are worked out.
    findings: tuple[Finding, ...] = ()

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Identity of the resource across scans: (account, region, kind, id)."""
        return (self.account_id, self.region, self.kind, self.id)

    def to_dict(self) -> dict[str, Any]:
        """The inventory-v1 JSON object for this resource."""
        return {
            "kind": self.kind,
            "id": self.id,
            "account_id": self.account_id,
            "arn": self.arn,
            "name": self.name,
            "region": self.region,
            "state": self.state,
            "created": self.created,
            "tags": dict(self.tags),
            "monthly_cost": self.monthly_cost,
            "cost_basis": self.cost_basis,
            "details": dict(self.details),
            "findings": [finding.to_dict() for finding in self.findings],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Resource:
        """Build a resource from an inventory-v1 JSON object (raises KeyError/TypeError on bad input)."""
        cost = data.get("monthly_cost")
        return cls(
            kind=str(data["kind"]),
            id=str(data["id"]),
            region=str(data["region"]),
            account_id=str(data.get("account_id") or ""),
            arn=data.get("arn"),
            name=str(data.get("name") or ""),
            state=str(data.get("state") or ""),
            created=data.get("created"),
            tags={str(k): str(v) for k, v in dict(data.get("tags") or {}).items()},
            details=dict(data.get("details") or {}),
            monthly_cost=None if cost is None else float(cost),
            cost_basis=data.get("cost_basis"),
            findings=tuple(Finding.from_dict(f) for f in data.get("findings") or ()),
        )


class CellStatus(enum.StrEnum):
    """How one (region, kind) cell of a scan ended."""

    DONE = "done"
    EMPTY = "empty"
    DENIED = "denied"
    THROTTLED = "throttled"
    FAILED = "failed"
    #: The endpoint did not answer (connect or read timeout) on every attempt allowed.
    TIMED_OUT = "timeout"
    CANCELLED = "cancelled"
    #: The kind's service does not exist in the region (botocore's endpoint data): not scanned.
    NOT_OFFERED = "not offered"
    #: Every row is listed, but some of their details could not be read (one bucket's tags
    #: timed out): reported like an error, and its rows count as all there.
    PARTIAL = "partial"
    #: Not scanned, or not to the end: the region's endpoints had stopped answering
    #: (``aws.session.RegionBreaker``), so its calls fail at once instead of timing out.
    UNREACHABLE = "unreachable"

    @property
    def is_error(self) -> bool:
        return self in (
            CellStatus.DENIED,
            CellStatus.THROTTLED,
            CellStatus.FAILED,
            CellStatus.TIMED_OUT,
            CellStatus.PARTIAL,
            CellStatus.UNREACHABLE,
        )

    @property
    def listed_all(self) -> bool:
        """Every resource of the cell is in the results (done, empty, or partial details)."""
        return self in (CellStatus.DONE, CellStatus.EMPTY, CellStatus.PARTIAL)


@dataclass(frozen=True, slots=True)
class ScanCell:
    """One unit of scan work: one kind in one region (or ``global``) of one account."""

    region: str
    kind: str
    account_id: str = ""


@dataclass(frozen=True, slots=True)
class CellResult:
    """The outcome of one cell."""

    cell: ScanCell
    status: CellStatus
    count: int = 0
    code: str | None = None
    message: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class ScanErrorEntry:
    """One entry of the inventory's ``errors`` list."""

    region: str
    kind: str
    code: str
    message: str
    account_id: str = ""

    def to_dict(self) -> dict[str, str]:
        out = {"region": self.region, "kind": self.kind, "code": self.code, "message": self.message}
        if self.account_id:
            out["account_id"] = self.account_id
        return out


@dataclass(frozen=True, slots=True)
class Identity:
    """Who ran the scan: account id, alias (may be empty) and the caller ARN."""

    account_id: str
    arn: str = ""
    alias: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"id": self.account_id, "alias": self.alias, "identity_arn": self.arn}


# --- scan events -------------------------------------------------------------------------
# The engine reports through one callback that receives these.  They are plain and small so
# the UI can wrap them in Textual messages and the headless command can just collect them.


@dataclass(frozen=True, slots=True)
class ScanStarted:
    identity: Identity
    regions: tuple[str, ...]
    cells: tuple[ScanCell, ...]


@dataclass(frozen=True, slots=True)
class ResourcesFound:
    """A batch of resources from one page of one cell."""

    cell: ScanCell
    resources: tuple[Resource, ...]


@dataclass(frozen=True, slots=True)
class CellFinished:
    result: CellResult


@dataclass(frozen=True, slots=True)
class ScanFinished:
    cancelled: bool
    seconds: float
    results: tuple[CellResult, ...]


ScanEvent = ScanStarted | ResourcesFound | CellFinished | ScanFinished
