"""Where a scan's resources come from, as the TUI sees it.

The app scans through ``ScanSource``: ``connect()`` (who, which regions; may be slow, runs
in a worker thread), ``scan(sink, cancel)``, the session that acts on an account's rows,
and the two changes the pickers make (another profile, fewer regions), each of which a
source may refuse with a reason.  ``LiveSource`` scans one account against AWS (or the
demo's moto server), ``MultiSource`` several; ``replay.ReplaySource`` replays a fixed
inventory through the same event stream.  ``build_source`` picks one for a
``SourceRequest`` (what the command line asked for).
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from tracker_tui.aws.accounts import AccountFailure, AccountTarget, Shard
from tracker_tui.aws.kinds import KindSpec, Thresholds, price_resources
from tracker_tui.aws.regions import RegionsError, resolve_regions
from tracker_tui.aws.scan import DEFAULT_CONCURRENCY, ScanEngine, ScanOptions, Sink, status_for_code
from tracker_tui.aws.session import AwsSession, CredentialsError, SessionOptions, describe_credentials_error
from tracker_tui.aws.workers import (
    AccountJob,
    PoolReport,
    WorkerPlan,
    account_result,
    default_workers,
    job_for,
    scan_in_workers,
    warm_up,
)
from tracker_tui.model import (
    CellFinished,
    CellResult,
    CellStatus,
    Identity,
    ScanFinished,
    ScanStarted,
)
from tracker_tui.pricing.catalogue import preload_catalogue
from tracker_tui.pricing.live import LivePrices


@dataclass(frozen=True)
class Connection:
    """The result of connecting: who we are, where we scan, under which profile."""

    identity: Identity
    regions: tuple[str, ...]
    profile: str = ""
    label: str = ""  # e.g. "demo (moto)"
    kinds: tuple[str, ...] = ()
    #: Every connected account when several are scanned (``MultiSource``); empty for one.
    accounts: tuple[Identity, ...] = ()
    #: One line per account that cannot be scanned (role not assumable, identity rejected).
    failures: tuple[str, ...] = ()


class SourceError(Exception):
    """A source cannot be built, or changed, as asked.  The message is one line for the user."""


class NoSession(KeyError):
    """No AWS session acts on this account's rows (a failed lookup by account id): not
    connected yet, not an account of this scan, or no live account at all (a replay).
    ``str()`` says which, for the user."""

    def __str__(self) -> str:
        # KeyError's str() quotes its argument; this one is a sentence.
        return str(self.args[0]) if self.args else "no session"


#: Why a source that is not a real account keeps its profile (shown as is).
NOT_A_REAL_ACCOUNT = "Profiles apply to real accounts (this is the demo or a saved file)."
#: Why a source that is not connected to an account keeps its regions (shown as is).
NOT_CONNECTED_REGIONS = "Regions can be chosen once connected to an account."


class ScanSource(Protocol):
    """What the TUI scans: everything the app asks of a source, so it never looks past it.

    ``switch_profile`` and ``limit_regions`` are the pickers' changes; a source that cannot
    make one says why in ``profile_refusal`` / ``region_refusal`` ("" when it can), and
    raises ``SourceError`` with that reason if asked anyway.
    """

    def connect(self) -> Connection:
        """Who, which regions (may call AWS: runs in a worker thread).  Cached until reset."""

    def scan(self, sink: Sink, cancel: threading.Event, thresholds: Thresholds | None = None) -> ScanFinished:
        """Stream one scan's events into ``sink`` (``aws.scan`` documents the order), its rows
        judged under ``thresholds`` (default: the declared defaults)."""

    def close(self) -> None:
        """Release what the source holds (the demo's server); safe to call twice."""

    def session_for(self, account_id: str) -> AwsSession:
        """The session that acts on ``account_id``'s rows (each account acts through its own).

        Raises:
            NoSession: not connected yet, not an account of this scan, or no live account.
        """

    @property
    def requested_regions(self) -> Sequence[str]:
        """The regions asked for (empty: every enabled region); the region picker's ticks."""

    @property
    def profile_refusal(self) -> str:
        """Why ``switch_profile`` cannot work here, for the user; "" when it can."""

    @property
    def region_refusal(self) -> str:
        """Why ``limit_regions`` cannot work here, for the user; "" when it can."""

    def switch_profile(self, profile: str) -> ScanSource:
        """A new source that scans the same way under ``profile`` (the caller closes this one).

        Raises:
            SourceError: ``profile_refusal``, or the profile is unknown.
        """

    def limit_regions(self, regions: Sequence[str]) -> None:
        """Scan ``regions`` (empty: every enabled one) from the next connect on."""


def _price_book(session: AwsSession, live_prices: bool) -> LivePrices:
    """The prices a scan uses beside the catalogue: what the Price List API gave before (the
    cache, always), and with ``live_prices`` what it gives now for anything missing."""
    return LivePrices(session if live_prices else None, fetch=live_prices)


@dataclass
class LiveSource:
    """Scans a real (or demo) account through one shared ``AwsSession``.

    Args:
        open_session: builds the session (the demo starts its server here, so it runs in a
            worker thread and the UI shows at once).
        kinds: kinds to scan.
        requested_regions: the user's ``--region`` list (empty: every enabled region).
        profile_refusal: why this account's profile cannot be switched ("" when it can:
            the demo's session is its moto server, so it says so).
    """

    open_session: Callable[[], AwsSession]
    kinds: Sequence[KindSpec]
    requested_regions: Sequence[str] = ()
    options: ScanOptions = field(default_factory=ScanOptions)
    label: str = ""
    on_close: Callable[[], None] | None = None
    #: Price EC2 types missing from the catalogue with the Price List API (cached).
    live_prices: bool = False
    profile_refusal: str = ""
    #: The account's enabled regions when they are known without asking (the demo's: its
    #: server would answer DescribeRegions only once moto's EC2 is loaded); empty: ask.
    enabled_regions: Sequence[str] = ()
    _live: LivePrices | None = None
    _session: AwsSession | None = None
    _connection: Connection | None = None

    @property
    def session(self) -> AwsSession | None:
        return self._session

    def session_for(self, account_id: str) -> AwsSession:
        """The one session, for the one account this source connected to.

        Raises:
            NoSession: still connecting, or ``account_id`` is another account.
        """
        if self._session is None or self._connection is None:
            raise NoSession("still connecting")
        if account_id != self._connection.identity.account_id:
            raise NoSession(f"account {account_id} is not connected")
        return self._session

    @property
    def region_refusal(self) -> str:
        return ""

    def switch_profile(self, profile: str) -> LiveSource:
        """The same scan (kinds, regions, options, prices) under ``profile``, same endpoint."""
        if self.profile_refusal:
            raise SourceError(self.profile_refusal)
        endpoint = self._session.endpoint_url if self._session is not None else None
        try:
            session = AwsSession(SessionOptions(profile=profile, endpoint_url=endpoint))
        except CredentialsError as exc:
            raise SourceError(str(exc)) from None
        return LiveSource(
            lambda: session, self.kinds, self.requested_regions, self.options, live_prices=self.live_prices
        )

    def limit_regions(self, regions: Sequence[str]) -> None:
        self.requested_regions = tuple(regions)
        self.reset_connection()

    def connect(self) -> Connection:
        if self._connection is None:
            session = self._session or self.open_session()
            self._session = session
            # While identity and regions are asked (round trips; for the demo, its seeding),
            # make the home region's clients: their models' JSON (EC2's is 3 MB) would
            # otherwise be parsed by the first cells, holding the GIL while rows wait.
            # Those that connect itself needs come first (it waits for each it asks).
            preload_catalogue()  # the first rows are priced before they are shown
            session.preload(["sts", "iam", "ec2", *(kind.service for kind in self.kinds)])
            identity = session.identity()
            regions = resolve_regions(session, self.requested_regions or self.enabled_regions)
            self._connection = Connection(
                identity, tuple(regions), session.profile or "", self.label, tuple(k.id for k in self.kinds)
            )
        return self._connection

    def reset_connection(self) -> None:
        """Forget identity and regions so the next scan works them out again (same session)."""
        self._connection = None

    def scan(self, sink: Sink, cancel: threading.Event, thresholds: Thresholds | None = None) -> ScanFinished:
        connection = self.connect()
        assert self._session is not None
        options = replace(self.options, thresholds=thresholds or Thresholds())
        engine = ScanEngine(self._session, connection.identity, connection.regions, self.kinds, options)
        self._live = self._live or _price_book(self._session, self.live_prices)
        engine.pricer = functools.partial(price_resources, book=self._live)
        return engine.run(sink, cancel)

    @property
    def price_problems(self) -> list[str]:
        """What went wrong pricing from the Price List API (``live_prices``), one line each."""
        return list(self._live.problems) if self._live is not None else []

    def close(self) -> None:
        if self.on_close is not None:
            self.on_close()
            self.on_close = None


#: Each account's engine gets at least this many workers, however the total is split.
MIN_ACCOUNT_CONCURRENCY = 4
#: How many accounts connect and scan at once.
DEFAULT_ACCOUNT_PARALLELISM = 10

OpenTargets = Callable[[], tuple[Sequence[AccountTarget], Sequence[AccountFailure]]]


@dataclass
class MultiSource:
    """Scans several accounts at once into one stream of events.

    Each account has its own ``AwsSession`` (its own credentials and client cache; the
    service models are shared, see ``aws.accounts``) and its own ``ScanEngine``; engines
    run side by side, one thread each.  The sink sees one ``ScanStarted`` holding every
    account's cells, then every engine's ``ResourcesFound``/``CellFinished`` as they come
    (each resource carries its ``account_id``), then one ``ScanFinished`` with all results.

    An account that cannot be scanned never stops the others: it is listed in
    ``Connection.failures`` (for the header) and reported as one DENIED/FAILED cell
    ``ScanCell("global", ACCOUNT_CELL_KIND, account_id)`` (``aws.workers.account_result``: for
    progress, errors and exit codes).

    Args:
        open_targets: returns (accounts to scan, accounts already known to fail); runs in
            ``connect()``, i.e. in a worker thread, since it may call AWS (Organizations,
            AssumeRole).  ``MultiSource.for_profiles`` / ``for_org_role`` build it.
        kinds: kinds to scan.
        requested_regions: the user's ``--region`` list, for every account (empty: each
            account's own enabled regions).
        options: scan options; ``options.concurrency`` is the total across accounts.
        account_concurrency: workers per account engine; None splits
            ``options.concurrency`` among the accounts scanning at once, at least
            ``MIN_ACCOUNT_CONCURRENCY`` each.
    """

    open_targets: OpenTargets
    kinds: Sequence[KindSpec]
    requested_regions: Sequence[str] = ()
    options: ScanOptions = field(default_factory=ScanOptions)
    label: str = ""
    profile: str = ""
    on_close: Callable[[], None] | None = None
    live_prices: bool = False
    account_parallelism: int = DEFAULT_ACCOUNT_PARALLELISM
    account_concurrency: int | None = None
    #: After ``connect()``: each scannable account's own Connection, by account id, in order.
    connections: dict[str, Connection] = field(default_factory=dict)
    #: After ``connect()``: the accounts that cannot be scanned.
    failures: list[AccountFailure] = field(default_factory=list)
    #: After ``connect()``: targets left out because an earlier one is the same account.
    duplicates: list[AccountTarget] = field(default_factory=list)
    _sessions: dict[str, AwsSession] = field(default_factory=dict)
    #: Worker processes for the accounts' engines (``aws.workers``); 0: every engine in this
    #: process, on threads.  One account is always scanned in this process.
    workers: int = 0
    #: After a scan in workers: what the workers cost (memory, CPU, requests), for benchmarks.
    last_pool: PoolReport | None = None
    _worker_problems: list[str] = field(default_factory=list)
    _targets: tuple[list[AccountTarget], list[AccountFailure]] | None = None
    _connection: Connection | None = None
    _live: LivePrices | None = None

    # --- builders -------------------------------------------------------------------------

    @classmethod
    def for_profiles(cls, sessions: Sequence[AwsSession], kinds: Sequence[KindSpec], **kwargs: Any) -> MultiSource:
        """One account per profile session (``aws.accounts.profile_sessions``)."""
        from tracker_tui.aws.accounts import profile_targets

        targets = profile_targets(sessions)
        kwargs.setdefault("profile", ",".join(s.profile or "" for s in sessions))
        return cls(lambda: (targets, []), kinds, **kwargs)

    @classmethod
    def for_org_role(
        cls,
        open_base: Callable[[], AwsSession],
        role_name: str,
        kinds: Sequence[KindSpec],
        *,
        accounts: Sequence[tuple[str, str]] | None = None,
        shard: Shard | None = None,
        **kwargs: Any,
    ) -> MultiSource:
        """Every active account of the Organization through ``role_name`` (``--org-role``), or
        the ``accounts`` named (``--accounts-from``); either way only ``shard``'s share."""
        from tracker_tui.aws.accounts import org_role_sessions

        source: MultiSource | None = None

        def listed(count: int) -> None:
            # Several accounts for the workers: the fork server imports the engine while the
            # roles are assumed (a second of CPU, off the scan's critical path).
            if source is not None and source.workers > 0 and count > 1:
                warm_up()

        def open_targets() -> tuple[list[AccountTarget], list[AccountFailure]]:
            return org_role_sessions(open_base(), role_name, accounts=accounts, shard=shard, on_listed=listed)

        source = cls(open_targets, kinds, **kwargs)
        return source

    # --- ScanSource -----------------------------------------------------------------------

    @property
    def session(self) -> AwsSession | None:
        """The first account's session (what single-account code paths see)."""
        return next(iter(self._sessions.values()), None)

    def session_for(self, account_id: str) -> AwsSession:
        """The session of ``account_id``: actions on a row must go through its own account's.

        Raises:
            NoSession: the account is not one this source connected to.
        """
        try:
            return self._sessions[account_id]
        except KeyError:
            raise NoSession(f"account {account_id} is not part of this scan") from None

    @property
    def profile_refusal(self) -> str:
        return "Several accounts are open: start again with the --profile or --org-role you want."

    @property
    def region_refusal(self) -> str:
        return ""

    def switch_profile(self, profile: str) -> ScanSource:
        raise SourceError(self.profile_refusal)

    def limit_regions(self, regions: Sequence[str]) -> None:
        """The same regions for every account (validated once, on the next connect)."""
        self.requested_regions = tuple(regions)
        self.reset_connection()

    def connect(self) -> Connection:
        """Open every account (identity and regions, accounts side by side).

        Raises:
            CredentialsError: the accounts cannot be listed, or none of them can be scanned.
            UnknownRegionError: a requested region does not exist.
        """
        if self._connection is not None:
            return self._connection
        if self._targets is None:
            targets, failures = self.open_targets()
            self._targets = (list(targets), list(failures))
        targets, failures = self._targets
        failures = list(failures)
        # The screen's savings read the catalogue (the workers price the rows, but what a fix
        # would save is worked out here): loaded now, in the background, not on the first
        # repaint with rows (240 ms of the screen's loop, measured).
        preload_catalogue()
        if self.workers > 0 and len(targets) > 1:
            # The fork server imports the engine while the accounts connect (if it has not
            # started as the roles were assumed: ``for_org_role``).
            warm_up()
        shared_regions: tuple[str, ...] | None = None
        if self.requested_regions and targets:
            # Named regions are the same for every account: validate them once (a typo is a
            # usage error, not N account failures).
            shared_regions = tuple(resolve_regions(targets[0].session, self.requested_regions))

        def connect_one(target: AccountTarget) -> tuple[AccountTarget, Connection] | AccountFailure:
            name = target.name or target.session.profile or ""
            try:
                identity = target.session.identity()
            except CredentialsError as exc:
                return AccountFailure(target.account_id, name, "CredentialsError", str(exc))
            if target.account_id and identity.account_id != target.account_id:
                return AccountFailure(
                    target.account_id, name, "WrongAccount", f"the credentials belong to account {identity.account_id}"
                )
            if not identity.alias and target.name and target.account_id:
                # No IAM alias: the Organizations name stands in (header, danger terms, confirm).
                # Profile targets (no account id up front) keep the id: a profile name is
                # not the account's name, and the confirm prompt must not take it as one.
                identity = replace(identity, alias=target.name)
            try:
                regions = shared_regions or tuple(resolve_regions(target.session, ()))
            except (RegionsError, CredentialsError) as exc:
                return AccountFailure(identity.account_id, name, type(exc).__name__, str(exc))
            profile = target.session.profile or ""
            return target, Connection(identity, regions, profile, self.label, tuple(k.id for k in self.kinds))

        workers = max(1, min(self.account_parallelism, len(targets)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="connect") as pool:
            opened = list(pool.map(connect_one, targets))
        self.connections, self._sessions, self.duplicates = {}, {}, []
        for item in opened:
            if isinstance(item, AccountFailure):
                failures.append(item)
                continue
            target, connection = item
            account = connection.identity.account_id
            if account in self.connections:
                self.duplicates.append(target)
                continue
            self.connections[account] = connection
            self._sessions[account] = target.session
        self.failures = failures
        if not self.connections:
            if not failures:
                raise CredentialsError("no account to scan")
            more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
            raise CredentialsError(f"no account could be scanned: {failures[0].line()}{more}")
        first = next(iter(self.connections.values()))
        regions = sorted({r for c in self.connections.values() for r in c.regions})
        self._connection = Connection(
            identity=first.identity,
            regions=tuple(regions),
            profile=self.profile or first.profile,
            label=self.label,
            kinds=tuple(k.id for k in self.kinds),
            accounts=tuple(c.identity for c in self.connections.values()),
            failures=tuple(f.line() for f in failures),
        )
        return self._connection

    def reset_connection(self) -> None:
        """Forget identities, regions and the account list: the next scan opens them again."""
        self._connection = None
        self._targets = None

    def per_account_concurrency(self, accounts: int) -> int:
        """Workers for each account's engine when ``accounts`` are scanned."""
        if self.account_concurrency is not None:
            return max(1, self.account_concurrency)
        at_once = max(1, min(accounts, self.account_parallelism))
        return max(MIN_ACCOUNT_CONCURRENCY, self.options.concurrency // at_once)

    def scan(self, sink: Sink, cancel: threading.Event, thresholds: Thresholds | None = None) -> ScanFinished:
        connection = self.connect()
        started = time.monotonic()
        options = replace(
            self.options,
            concurrency=self.per_account_concurrency(len(self.connections)),
            thresholds=thresholds or Thresholds(),
        )
        # Prices are public and the same for every account: one cache, the first session.
        first = self.session
        assert first is not None  # connect() raises unless some account connected
        self._live = self._live or _price_book(first, self.live_prices)
        pricer = functools.partial(price_resources, book=self._live)
        engines: list[ScanEngine] = []
        for account, conn in self.connections.items():
            engine = ScanEngine(self._sessions[account], conn.identity, conn.regions, self.kinds, options)
            if pricer is not None:
                engine.pricer = pricer
            engines.append(engine)
        failed = [
            account_result(f.account_id or f.name, status_for_code(f.code), f.code, f.message) for f in self.failures
        ]
        in_workers = self.workers > 0 and len(engines) > 1
        jobs: list[AccountJob] = []
        if in_workers:
            for engine in list(engines):
                try:
                    jobs.append(job_for(engine.session, engine.identity, engine.regions))
                except Exception as exc:  # noqa: BLE001 - expired or unreadable: that account fails
                    message = describe_credentials_error(exc, engine.session.profile)
                    account = engine.identity.account_id
                    failed.append(account_result(account, CellStatus.DENIED, "CredentialsError", message))
                    engines.remove(engine)
        cells = [cell for engine in engines for cell in engine.cells()] + [r.cell for r in failed]
        # One ScanStarted with every account's cells: the UI's progress total comes from it.
        sink(ScanStarted(connection.identity, connection.regions, tuple(cells)))
        for result in failed:
            sink(CellFinished(result))
        if in_workers:
            return self._scan_in_workers(jobs, options, failed, sink, cancel, started)

        def engine_sink(event: Any) -> None:
            if not isinstance(event, (ScanStarted, ScanFinished)):
                sink(event)

        results: list[CellResult] = list(failed)
        workers = max(1, min(self.account_parallelism, len(engines)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="account") as pool:
            futures = [(engine, pool.submit(engine.run, engine_sink, cancel)) for engine in engines]
            for engine, future in futures:
                try:
                    results.extend(future.result().results)
                except Exception as exc:  # noqa: BLE001 - one account never stops the others
                    account = engine.identity.account_id
                    result = account_result(account, CellStatus.FAILED, type(exc).__name__, f"internal error: {exc}")
                    results.append(result)
                    sink(CellFinished(result))
        finished = ScanFinished(cancelled=cancel.is_set(), seconds=time.monotonic() - started, results=tuple(results))
        sink(finished)
        return finished

    def _scan_in_workers(
        self,
        jobs: Sequence[AccountJob],
        options: ScanOptions,
        failed: list[CellResult],
        sink: Sink,
        cancel: threading.Event,
        started: float,
    ) -> ScanFinished:
        """The accounts' engines in worker processes (``aws.workers``), their events into ``sink``."""
        workers = max(1, min(self.workers, len(jobs)))
        at_once = max(1, min(self.account_parallelism, len(jobs)))
        plan = WorkerPlan(
            kinds=tuple(k.id for k in self.kinds),
            options=options,
            live_prices=self.live_prices,
            accounts_at_once=-(-at_once // workers),  # the accounts at once, shared out
        )
        report = scan_in_workers(jobs, plan, workers, sink, cancel)
        self._worker_problems = report.price_problems
        self.last_pool = report
        finished = ScanFinished(
            cancelled=cancel.is_set(), seconds=time.monotonic() - started, results=(*failed, *report.results)
        )
        sink(finished)
        return finished

    @property
    def price_problems(self) -> list[str]:
        """What went wrong pricing from the Price List API (``live_prices``), one line each."""
        problems = list(self._live.problems) if self._live is not None else []
        return problems + [p for p in self._worker_problems if p not in problems]

    def close(self) -> None:
        if self.on_close is not None:
            self.on_close()
            self.on_close = None


# --- picking a source ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRequest:
    """What to scan, as asked for (the CLI builds it from its options and the config file).

    Args:
        kinds: the kinds to scan (``aws.kinds.resolve_kinds``).
        profiles: AWS profiles (several: several accounts in one table; none: the credential chain).
        org_role: every active account of the Organization, through this role (one profile at most).
        regions: scan only these (empty: every enabled region of each account).
        endpoint_url: send every API call here (an emulator), botocore's own STS calls too.
        concurrency: cells scanned at once, in total across accounts.
        live_prices: price EC2 types missing from the catalogue with the Price List API.
        demo: the embedded moto account instead of AWS.
        demo_latency: simulated latency per demo API call in ms (None: varied by region).
        accounts: with ``org_role``, scan these (account id, name) pairs instead of listing
            the Organization (``scan --accounts-from FILE``).
        shard: with ``org_role``, scan only this share of the accounts (``--shard I/N``).
        workers: worker processes for several accounts (None: one per core; 0: in-process).
    """

    kinds: Sequence[KindSpec]
    profiles: Sequence[str] = ()
    org_role: str | None = None
    regions: Sequence[str] = ()
    endpoint_url: str | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    live_prices: bool = False
    demo: bool = False
    demo_latency: float | None = None
    accounts: Sequence[tuple[str, str]] | None = None
    shard: Shard | None = None
    workers: int | None = None


def build_source(request: SourceRequest) -> LiveSource | MultiSource:
    """The source for ``request``: the demo, one profile, several, or an Organization.

    Nothing here calls AWS (the demo starts, and an Organization's accounts are listed, on
    ``connect``).

    Raises:
        SourceError: an unknown profile, or options that do not go together.
    """
    from tracker_tui.aws.accounts import profile_sessions

    if request.endpoint_url:
        # Everything goes there, including botocore's own calls (the STS AssumeRole behind
        # a role_arn profile), which only read the environment: an emulator endpoint must
        # never let credential calls leak to real AWS.
        os.environ["AWS_ENDPOINT_URL"] = request.endpoint_url
    options = ScanOptions(concurrency=max(1, request.concurrency))
    workers = default_workers() if request.workers is None else max(0, request.workers)
    kinds, regions, profiles = list(request.kinds), list(request.regions), list(request.profiles)
    profile = profiles[0] if profiles else None
    if request.demo:
        if profiles or request.org_role:
            raise SourceError("--demo cannot be combined with --profile or --org-role")
        return _demo_source(request, options)
    try:
        if request.org_role:
            if len(profiles) > 1:
                raise SourceError("--org-role takes one --profile (the Organization's management or delegated account)")

            def open_base() -> AwsSession:
                return AwsSession(SessionOptions(profile=profile, endpoint_url=request.endpoint_url))

            return MultiSource.for_org_role(
                open_base, request.org_role, kinds, requested_regions=regions, options=options,
                live_prices=request.live_prices, profile=profile or "", accounts=request.accounts,
                shard=request.shard, workers=workers,
            )  # fmt: skip
        if len(profiles) > 1:
            sessions = profile_sessions(profiles, request.endpoint_url)
            return MultiSource.for_profiles(
                sessions, kinds, requested_regions=regions, options=options, live_prices=request.live_prices,
                workers=workers,
            )  # fmt: skip
        session = AwsSession(SessionOptions(profile=profile, endpoint_url=request.endpoint_url))
    except CredentialsError as exc:
        raise SourceError(str(exc)) from None
    return LiveSource(lambda: session, kinds, regions, options, live_prices=request.live_prices)


def _demo_source(request: SourceRequest, options: ScanOptions) -> LiveSource:
    """The embedded moto account; its server starts on ``connect``, in the app's worker."""
    # Imported here: moto is an optional extra, and only the demo needs it.
    from tracker_tui import demo as demo_module
    from tracker_tui.demo import DEMO_ENABLED_REGIONS, DemoAccount, DemoError, PendingDemo, take_prestarted

    # Its server shares this machine's CPU with the scan: fewer cells at once pay off there.
    options = replace(options, concurrency=min(options.concurrency, demo_module.DEMO_MAX_CONCURRENCY))

    demos: list[DemoAccount] = []
    # The first server process starts now (if the command did not already): its start-up
    # overlaps this process loading the UI.
    pending: list[PendingDemo] = []
    try:
        pending.append(take_prestarted(request.demo_latency) or PendingDemo(request.demo_latency))
    except DemoError:
        pass  # said again, in the app, when it connects

    def open_demo() -> AwsSession:
        try:
            demo = (pending.pop() if pending else PendingDemo(request.demo_latency)).ready()
        except DemoError as exc:
            raise CredentialsError(str(exc)) from None
        demos.append(demo)
        return demo.session

    def stop_demos() -> None:
        for process in pending:
            process.stop()
        for demo in demos:
            demo.stop()

    # moto has no Price List API: the demo always prices from the catalogue.
    return LiveSource(
        open_demo, list(request.kinds), list(request.regions), options, label="demo account (moto)",
        on_close=stop_demos, profile_refusal=NOT_A_REAL_ACCOUNT, enabled_regions=DEMO_ENABLED_REGIONS,
    )  # fmt: skip
