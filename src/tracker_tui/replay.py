"""A scan source that replays fixed resources through the scan event stream.

It speaks the same events as the live engine (ScanStarted, ResourcesFound per page,
CellFinished, ScanFinished), so the UI's streaming path can be driven without AWS:
the snapshot tests use it for deterministic screens and the UI benchmark for 100,000 rows.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from tracker_tui.aws.kinds import Thresholds
from tracker_tui.aws.scan import Sink, status_for_code
from tracker_tui.aws.session import AwsSession
from tracker_tui.aws.source import NOT_A_REAL_ACCOUNT, NOT_CONNECTED_REGIONS, Connection, NoSession, SourceError
from tracker_tui.model import (
    GLOBAL_REGION,
    CellFinished,
    CellResult,
    CellStatus,
    Identity,
    Resource,
    ResourcesFound,
    ScanCell,
    ScanErrorEntry,
    ScanFinished,
    ScanStarted,
)


@dataclass
class ReplaySource:
    """Streams ``resources`` cell by cell, ``page_size`` at a time.

    Args:
        identity, regions, kinds: what the replayed scan covers (every region x kind is a
            cell; kinds whose resources are all in region ``global`` get one global cell).
        errors: cells that end with an error instead of resources.
        page_delay: seconds to wait between pages (0 for tests).
    """

    identity: Identity
    regions: Sequence[str]
    kinds: Sequence[str]
    resources: Sequence[Resource]
    errors: Sequence[ScanErrorEntry] = ()
    page_size: int = 1000
    page_delay: float = 0.0
    profile: str = "replay"
    label: str = ""
    scans: int = field(default=0, init=False)

    def connect(self) -> Connection:
        return Connection(self.identity, tuple(self.regions), self.profile, self.label, tuple(self.kinds))

    def _cells(self) -> list[ScanCell]:
        global_kinds = {r.kind for r in self.resources if r.region == GLOBAL_REGION}
        cells: list[ScanCell] = []
        for kind in self.kinds:
            if kind in global_kinds:
                cells.append(ScanCell(GLOBAL_REGION, kind, self.identity.account_id))
            else:
                cells.extend(ScanCell(region, kind, self.identity.account_id) for region in self.regions)
        return cells

    def scan(self, sink: Sink, cancel: threading.Event, thresholds: Thresholds | None = None) -> ScanFinished:
        """Replay the rows as they are (a fixed inventory: their findings are already judged)."""
        self.scans += 1
        started = time.monotonic()
        cells = self._cells()
        sink(ScanStarted(self.identity, tuple(self.regions), tuple(cells)))
        by_cell: dict[tuple[str, str], list[Resource]] = {}
        for resource in self.resources:
            region = GLOBAL_REGION if resource.region == GLOBAL_REGION else resource.region
            by_cell.setdefault((region, resource.kind), []).append(resource)
        failures = {(e.region, e.kind): e for e in self.errors}
        results: list[CellResult] = []
        for cell in cells:
            if cancel.is_set():
                break
            failure = failures.get((cell.region, cell.kind))
            if failure is not None:
                result = CellResult(cell, status_for_code(failure.code), 0, failure.code, failure.message)
            else:
                found = by_cell.get((cell.region, cell.kind), [])
                for start in range(0, len(found), self.page_size):
                    if self.page_delay:
                        time.sleep(self.page_delay)
                    sink(ResourcesFound(cell, tuple(found[start : start + self.page_size])))
                result = CellResult(cell, CellStatus.DONE if found else CellStatus.EMPTY, len(found))
            results.append(result)
            sink(CellFinished(result))
        finished = ScanFinished(cancel.is_set(), time.monotonic() - started, tuple(results))
        sink(finished)
        return finished

    def close(self) -> None:
        pass

    # A replay has no account behind it: nothing to act on, no profile, no regions to pick.

    def session_for(self, account_id: str) -> AwsSession:
        raise NoSession("a replayed inventory has no account to act on")

    @property
    def requested_regions(self) -> Sequence[str]:
        return tuple(self.regions)

    @property
    def profile_refusal(self) -> str:
        return NOT_A_REAL_ACCOUNT

    @property
    def region_refusal(self) -> str:
        return NOT_CONNECTED_REGIONS

    def switch_profile(self, profile: str) -> ReplaySource:
        raise SourceError(self.profile_refusal)

    def limit_regions(self, regions: Sequence[str]) -> None:
        raise SourceError(self.region_refusal)
