"""Where a scan's resources come from, as the TUI sees it.

The app only needs two things: ``connect()`` (who, which regions; may be slow, runs in a
worker thread) and ``scan(sink, cancel)``.  ``LiveSource`` does both against AWS (or the
demo's moto server); tests inject a source that replays a fixed inventory through the
same event stream.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

from tracker_tui.aws.kinds import KindSpec
from tracker_tui.aws.regions import resolve_regions
from tracker_tui.aws.scan import ScanEngine, ScanOptions, Sink
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Identity, ScanFinished


@dataclass(frozen=True)
class Connection:
    """The result of connecting: who we are, where we scan, under which profile."""

    identity: Identity
    regions: tuple[str, ...]
    profile: str = ""
    label: str = ""  # e.g. "demo (moto)"
    kinds: tuple[str, ...] = ()


class ScanSource(Protocol):
    def connect(self) -> Connection: ...

    def scan(self, sink: Sink, cancel: threading.Event) -> ScanFinished: ...

    def close(self) -> None: ...


@dataclass
class LiveSource:
    """Scans a real (or demo) account through one shared ``AwsSession``.

    Args:
        open_session: builds the session (the demo starts its server here, so it runs in a
            worker thread and the UI shows at once).
        kinds: kinds to scan.
        requested_regions: the user's ``--region`` list (empty: every enabled region).
    """

    open_session: Callable[[], AwsSession]
    kinds: Sequence[KindSpec]
    requested_regions: Sequence[str] = ()
    options: ScanOptions = field(default_factory=ScanOptions)
    label: str = ""
    on_close: Callable[[], None] | None = None
    #: Price EC2 types missing from the catalogue with the Price List API (cached).
    live_prices: bool = False
    _live: object | None = None
    _session: AwsSession | None = None
    _connection: Connection | None = None

    @property
    def session(self) -> AwsSession | None:
        return self._session

    def connect(self) -> Connection:
        if self._connection is None:
            session = self._session or self.open_session()
            self._session = session
            identity = session.identity()
            regions = resolve_regions(session, self.requested_regions)
            self._connection = Connection(
                identity, tuple(regions), session.profile or "", self.label, tuple(k.id for k in self.kinds)
            )
        return self._connection

    def scan(self, sink: Sink, cancel: threading.Event) -> ScanFinished:
        connection = self.connect()
        assert self._session is not None
        engine = ScanEngine(self._session, connection.identity, connection.regions, self.kinds, self.options)
        if self.live_prices:
            from tracker_tui.pricing.estimate import price_resources
            from tracker_tui.pricing.live import LivePrices

            self._live = self._live or LivePrices(self._session)
            engine.pricer = functools.partial(price_resources, live=self._live)
        return engine.run(sink, cancel)

    def close(self) -> None:
        if self.on_close is not None:
            self.on_close()
            self.on_close = None
