"""One boto3 Session per credential set, with a locked, shared client cache.

boto3 Sessions are not thread-safe and cost ~200 ms plus a model cache each to build;
clients are thread-safe once made.  So every scan thread asks this object for a client
and gets the one cached for (service, region), created under a lock.
"""

from __future__ import annotations

import copy
import functools
import gc
import os
import threading
import time
import types
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.client
import botocore.exceptions
import botocore.hooks
import botocore.loaders
import botocore.retries.standard
import botocore.session
from botocore.config import Config

from tracker_tui.aws import boto_shared  # installs the process-wide shortcuts on import
from tracker_tui.model import Identity


@functools.lru_cache(maxsize=1)
def shared_loader() -> botocore.loaders.Loader:
    """One loader of botocore's data (service models, endpoints) for every session we make.

    A botocore session parses ``endpoints.json`` and each service's model the first time it
    needs them: 0.2-0.5 s of CPU per session and service.  Shared, they are parsed once per
    process, whatever the number of accounts (or tests).  The loader only caches what it read
    from botocore's own files; nothing in it is a setting.
    """
    loader = botocore.loaders.create_loader(os.environ.get("AWS_DATA_PATH"))
    # Which services have a model of a type (service-2, paginators-1, ...) is worked out by
    # listing every one of botocore's ~450 service directories (~20 ms), then cached; but the
    # cache is filled by whoever finishes first, so the 16 cells that start a scan each listed
    # them all again (18 times in one scan: ~1 s of CPU).  One thread lists, the others wait.
    listed = loader.list_available_services
    lock = threading.Lock()

    @functools.wraps(listed)
    def list_available_services(type_name: str) -> Any:
        with lock:
            return listed(type_name)

    loader.list_available_services = list_available_services
    loader.file_loader = _PermanentModels()
    return loader


class _PermanentModels(botocore.loaders.JSONFileLoader):
    """botocore's JSON file loader, moving what it loads out of the garbage collector's way.

    The shared loader keeps every file it parses (service models, endpoint rule sets,
    paginators) for the life of the process, and they are most of its objects (~250,000 for
    a 27-kind scan).  Each full collection traced them all again: four or five of them in a
    scan, ~0.5 s of CPU.  ``gc.freeze()`` after each new file moves everything alive into
    the permanent generation, as the app does with its rows after each drain (``ui.app``).
    Reference counting still frees whatever is dropped later; only the few reference cycles
    in flight at that moment wait for the end of the process.  A file is parsed once per
    process, so it happens a few dozen times in all.
    """

    def load_file(self, file_path: str) -> Any:
        data = super().load_file(file_path)
        if data is not None:
            gc.freeze()
        return data


def new_boto_session(core: botocore.session.Session | None = None, **kwargs: Any) -> boto3.Session:
    """``boto3.Session(**kwargs)`` (over ``core`` when given) whose service models come from
    ``shared_loader()``."""
    core = core or botocore.session.Session()
    core.register_component("data_loader", shared_loader())
    boto = boto3.Session(botocore_session=core, **kwargs)
    # boto3 appends its data dir to the loader's search path on every Session: keep one.
    paths = shared_loader().search_paths
    paths[:] = list(dict.fromkeys(paths))
    # With a loader given, boto3 no longer reads the config while it starts: nothing has
    # checked yet that the profile exists (ProfileNotFound, as boto3.Session would raise).
    core.get_scoped_config()
    boto_shared.settle_config(core)
    return boto


class CredentialsError(Exception):
    """Credentials are missing, expired or unusable.  The message is one line for the user."""


#: Standard retry mode retries throttling and 5xx with backoff; the timeouts keep one dead
#: region from hanging a scan (and ``cap_timeout_retries`` keeps them from being retried 5 times).
DEFAULT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 5},
    connect_timeout=5,
    read_timeout=20,
    max_pool_connections=32,
    user_agent_extra="tracker-tui",
)

#: Attempts in all for a call whose attempt timed out (connect or read): one retry.  An
#: endpoint that accepts and never answers would otherwise hold its cell, and the end of the
#: scan, for 5 x read_timeout plus backoff (~110 s); throttling and 5xx keep every attempt.
TIMEOUT_MAX_ATTEMPTS = 2

#: Longest wait before retrying a timed-out attempt.  botocore's own backoff for a
#: non-throttling error is under 0.05 s for the first retry; the clamp makes the bound below
#: hold whatever a botocore release chooses.
TIMEOUT_RETRY_MAX_BACKOFF = 1.0

#: What an endpoint that never answers raises: ReadTimeoutError when it accepts the
#: connection and stays silent, ConnectTimeoutError when the handshake never completes.
TIMEOUT_ERRORS: tuple[type[Exception], ...] = (
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectTimeoutError,
)


#: The retry modes whose handler ``cap_timeout_retries`` can wrap (legacy has another one).
CAPPED_MODES = ("standard", "adaptive")


def worst_case_call_seconds(config: Config) -> float:
    """How long one call can take to give up on an endpoint that never answers.

    Every allowed attempt waits out the connect and the read timeout, plus the clamped
    backoff between attempts.  A test holds this to 60 s for DEFAULT_CONFIG, so raising a
    timeout or the attempt cap fails the suite instead of a user's scan.

    Raises:
        ValueError: ``config`` is in a retry mode the cap does not apply to.
    """
    retries = config.retries or {}
    if retries.get("mode") not in CAPPED_MODES:
        raise ValueError(f"timeouts are capped in retry modes {CAPPED_MODES} only, not {retries.get('mode')!r}")
    total = retries.get("total_max_attempts")
    if total is None and retries.get("max_attempts") is not None:
        total = int(retries["max_attempts"]) + 1  # botocore's max_attempts counts retries
    # Unset, botocore allows 3 or more attempts: the cap is what counts.
    attempts = min(TIMEOUT_MAX_ATTEMPTS, int(total)) if total is not None else TIMEOUT_MAX_ATTEMPTS
    per_attempt = float(config.connect_timeout) + float(config.read_timeout)
    return attempts * per_attempt + (attempts - 1) * TIMEOUT_RETRY_MAX_BACKOFF


#: The worst-case give-up time of one call with DEFAULT_CONFIG (2 x (5 + 20) + 1 = 51 s).
MAX_CALL_SECONDS = worst_case_call_seconds(DEFAULT_CONFIG)


@dataclass(frozen=True)
class GaveUp:
    """How a call that timed out ended: attempts made and seconds since its first one."""

    attempts: int
    seconds: float | None


#: Where the give-up facts ride on the timeout exception to ``scan.classify_error``.
_GAVE_UP_ATTR = "tracker_gave_up"
#: Request-context key for the call's start (set on before-call, read on needs-retry).
_STARTED_KEY = "tracker_started"


#: The error codes of a call that got no answer, and of one not sent to an unreachable region:
#: the scan's cells (``scan.classify_error``) and the per-item notes (``kinds.base``) say the same.
TIMEOUT_CODE = "Timeout"
UNREACHABLE_CODE = "Unreachable"


class RegionUnreachable(botocore.exceptions.ConnectionError):
    """A call not sent: its region's endpoints have stopped answering (``RegionBreaker``)."""

    fmt = "not sent: {region} is unreachable ({reason})"


#: Timed-out attempts, in one region of one session, to endpoints that never answered, after
#: which the region counts as unreachable and its calls fail at once.
BREAKER_THRESHOLD = 2


class RegionBreaker:
    """Which regions of one session have stopped answering.

    A region whose endpoints time out ``threshold`` times (attempts to endpoints that have
    never answered: a black hole, a blocked network, a region cut off) is opened: every
    call to it after that fails at once with ``RegionUnreachable`` instead of waiting out
    its own timeouts, so one unreachable region costs one timeout, not one per cell.  An
    endpoint that has answered once (any answer, an error too) is alive: its timeouts are
    retried as usual and never open the breaker.  Thread-safe.
    """

    def __init__(self, threshold: int = BREAKER_THRESHOLD) -> None:
        self.threshold = threshold
        self._lock = threading.Lock()
        self._answered: set[tuple[str, str]] = set()
        self._timeouts: dict[str, int] = {}
        self._open: dict[str, str] = {}

    def answered(self, service: str, region: str) -> None:
        """An endpoint answered: it is alive."""
        if (service, region) not in self._answered:
            with self._lock:
                self._answered.add((service, region))

    def has_answered(self, service: str, region: str) -> bool:
        return (service, region) in self._answered

    def timed_out(self, service: str, region: str) -> None:
        """An attempt to ``service`` in ``region`` timed out (connect or read)."""
        if (service, region) in self._answered:
            return  # alive, just slow this time
        with self._lock:
            count = self._timeouts.get(region, 0) + 1
            self._timeouts[region] = count
            if count >= self.threshold and region not in self._open:
                self._open[region] = f"{count} requests to its endpoints timed out, none ever answered"

    def reset(self) -> None:
        """Give every region a fresh chance (a new scan): what answered stays known alive."""
        with self._lock:
            self._timeouts.clear()
            self._open.clear()

    def why_open(self, region: str) -> str:
        """Why ``region`` counts as unreachable ("" while it does not)."""
        return self._open.get(region, "")

    def check(self, service: str, region: str) -> None:
        """Raise ``RegionUnreachable`` when ``region`` is open (before a request is sent)."""
        reason = self._open.get(region)
        if reason:
            raise RegionUnreachable(region=region, reason=reason)


def gave_up(exc: BaseException) -> GaveUp | None:
    """The attempts and seconds of a timeout that ``cap_timeout_retries`` gave up on (None if unknown)."""
    value = getattr(exc, _GAVE_UP_ATTR, None)
    return value if isinstance(value, GaveUp) else None


# --- one client class per service ------------------------------------------------------------
#
# botocore builds a new client *class* for every client (one method per operation: ~600 for
# EC2), although every client of one service gets the same class.  A scan makes one client
# per (service, region): 27 kinds over 17 regions is ~280 clients, and the class costs ~4 of
# the ~10 ms of CPU each takes (benchmarks/scan_latency.py).  With several accounts, each has
# its own session, so per session was still ~20 classes an account (~10% of a worker's CPU).
#
# The class is built once per (service, API version, operations) and what shapes it: the
# handlers of ``creating-client-class.<service>``.  botocore's and boto3's are the same
# functions in every session (boto3's ``lazy_call`` makes a new closure over the same name),
# so they are compared by module, name and closed-over names.  A handler that cannot be
# compared so (someone's own hook) keeps the class to its session's event emitter, as before.

_CLIENT_CLASSES: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], type]] = weakref.WeakKeyDictionary()
_SHARED_CLASSES: dict[tuple[Any, ...], type] = {}
_CLIENT_CLASSES_LOCK = threading.Lock()
_build_client_class = botocore.client.ClientCreator._create_client_class  # noqa: SLF001


def _handler_name(handler: Any) -> tuple[str, str, tuple[str, ...]] | None:
    """A handler as module, name and the names it closes over; None when that is not all it is."""
    if type(handler) is not types.FunctionType:
        return None
    closed: list[str] = []
    for cell in handler.__closure__ or ():
        value = cell.cell_contents
        if type(value) is str:
            closed.append(value)
        elif not (type(value) is dict and not value):  # boto3's lazy_call closes over {} too
            return None
    return (handler.__module__, handler.__qualname__, tuple(closed))


def class_handlers(emitter: Any, service_model: Any) -> tuple[Any, ...] | None:
    """The handlers that shape ``service_model``'s client class, by name (None: not comparable)."""
    trie = getattr(getattr(emitter, "_emitter", None), "_handlers", None)
    if trie is None or not hasattr(emitter, "_alias_event_name"):
        return None
    event = emitter._alias_event_name(f"creating-client-class.{service_model.service_id.hyphenize()}")  # noqa: SLF001
    names = tuple(_handler_name(h) for h in trie.prefix_search(event))
    return None if None in names else names


def _shared_client_class(creator: Any, service_name: str, service_model: Any) -> type:
    emitter = creator._event_emitter  # noqa: SLF001
    handlers = class_handlers(emitter, service_model)
    key = (service_name, str(service_model.api_version), len(service_model.operation_names))
    with _CLIENT_CLASSES_LOCK:
        if handlers is not None:
            cls = _SHARED_CLASSES.get((*key, handlers))
            if cls is None:
                cls = _SHARED_CLASSES[(*key, handlers)] = _build_client_class(creator, service_name, service_model)
            return cls
        classes = _CLIENT_CLASSES.setdefault(emitter, {})
        cls = classes.get(key[:2])
        if cls is None:
            cls = classes[key[:2]] = _build_client_class(creator, service_name, service_model)
    return cls


botocore.client.ClientCreator._create_client_class = _shared_client_class  # noqa: SLF001


# --- client event emitters: copies that share what they have not changed -------------------------
#
# Every client starts from a copy of its session's event emitter, and botocore's copy is deep:
# the whole trie of ~200 nodes and ~135 handlers, rebuilt node by node (~0.7 ms, and ~750 new
# containers for the garbage collector to trace, per client), although a client then adds
# or removes a dozen handlers at most.  And each copy starts with an empty cache of event
# name aliases, so the first time every client emits or registers an event name, botocore
# scans its ~70 aliases again (splitting the name once per alias).  A scan makes ~300
# clients of ~2 requests each, so those two were ~40% of what a client cost to make.
#
# ``share_event_handlers`` gives a session's emitter a trie whose copies share every node
# until one of them changes it (a change copies the nodes on its key's path: the dozen
# registrations of a new client copy ~50 small dicts), and an alias cache shared with its
# copies (the aliases are copied unchanged, so a name's alias is the same for all of them).
# Who handles which event, in which order, is exactly what botocore's own copy gives.

_NodeList = botocore.hooks.NodeList


def _owned(node: dict[str, Any]) -> dict[str, Any]:
    """A node of its own: its fields, and its children's links, copied (not the children)."""
    return {**node, "children": dict(node["children"])}


class _SharedTrie(botocore.hooks._PrefixTrie):  # noqa: SLF001
    """botocore's handler trie whose copies share their nodes until one of them changes.

    No node reachable from a trie is ever changed in place: ``append_item`` and
    ``remove_item`` first give the trie its own copy of every node on the key's path (and
    of the handler lists at its end), then do what botocore's do.  So a copy is one
    reference, and the original and all its copies stay independent.  ``prefix_search``
    (every emit) is botocore's own, over the same structure.
    """

    _root: dict[str, Any]

    def __copy__(self) -> _SharedTrie:
        new = _SharedTrie.__new__(_SharedTrie)
        new._root = self._root
        return new

    def _own_path(self, key: str) -> None:
        node = self._root = _owned(self._root)
        for part in key.split("."):
            child = node["children"].get(part)
            if child is None:
                return
            child = _owned(child)
            node["children"][part] = child
            node = child
        values = node["values"]
        if values is not None:
            node["values"] = _NodeList(list(values.first), list(values.middle), list(values.last))

    def append_item(self, key: str, value: Any, section: int = botocore.hooks._MIDDLE) -> None:  # noqa: SLF001
        self._own_path(key)
        super().append_item(key, value, section)

    def remove_item(self, key: str, value: Any) -> None:
        self._own_path(key)
        super().remove_item(key, value)


class _SharedAliasCache(botocore.hooks.EventAliaser):
    """botocore's event aliaser whose copies share its cache of aliased event names."""

    def __copy__(self) -> _SharedAliasCache:
        new = _SharedAliasCache(copy.copy(self._emitter), copy.copy(self._event_aliases))
        new._alias_name_cache = self._alias_name_cache
        return new


def share_event_handlers(core: botocore.session.Session) -> bool:
    """Make the clients of ``core`` copy its event emitter cheaply (see above); True if done.

    Idempotent.  Left as it is (False) when the emitter is not botocore's usual one (an
    aliaser over a hierarchical emitter holding the trie), whatever a botocore release or a
    caller's own hooks made it.
    """
    aliaser = core.get_component("event_emitter")
    emitter: Any = getattr(aliaser, "_emitter", None)
    trie: Any = getattr(emitter, "_handlers", None)
    if type(aliaser) is _SharedAliasCache:
        return True
    if (
        type(aliaser) is not botocore.hooks.EventAliaser
        or type(emitter) is not botocore.hooks.HierarchicalEmitter
        or type(trie) is not botocore.hooks._PrefixTrie  # noqa: SLF001
        or set(vars(trie)) != {"_root"}
        or not isinstance(getattr(aliaser, "_alias_name_cache", None), dict)
    ):
        return False
    shared = _SharedTrie.__new__(_SharedTrie)
    shared._root = trie._root  # noqa: SLF001 - nodes are never changed in place from now on
    emitter._handlers = shared  # noqa: SLF001
    # The same object, so every holder of the session's emitter (boto3's resource factory,
    # the session itself) sees it; only its copies behave differently.
    aliaser.__class__ = _SharedAliasCache
    return True


def cap_timeout_retries(client: Any, breaker: RegionBreaker | None = None) -> None:
    """Give timed-out attempts ``TIMEOUT_MAX_ATTEMPTS`` in all; everything else keeps botocore's retries.

    With a ``breaker``, every timed-out attempt is reported to it, an endpoint that has never
    answered gets no second attempt (a black hole would only cost another timeout), no
    attempt is retried once its region is unreachable, and every answer marks its endpoint
    alive.

    botocore's standard (and adaptive) mode registers one retry handler per client on
    ``needs-retry.<service>`` under the unique id ``retry-config-<service>``, with no knob for
    a per-error attempt limit.  So a fresh standard handler is made for the client's own
    ``total_max_attempts`` and put in that slot behind a small wrapper that answers "no more
    retries" for a timed-out attempt at the cap, before botocore spends retry quota on it.
    Legacy mode is left alone.
    """
    retries = client.meta.config.retries or {}
    if retries.get("mode") not in CAPPED_MODES:
        return
    events = client.meta.events
    service = client.meta.service_model.service_id.hyphenize()
    unique_id = f"retry-config-{service}"
    # As botocore does: max_attempts only when configured (its default is per service).
    limit: dict[str, int] = {}
    if retries.get("total_max_attempts") is not None:
        limit["max_attempts"] = int(retries["total_max_attempts"])
    # register_retry_handler returns the handler it makes; it is the only public way to get
    # one, so the slot is emptied, refilled by it, then emptied again for the wrapper.  Its
    # second retry-quota release hook (after-call) is the live one; botocore's first one now
    # releases into a quota nothing draws from, which is a no-op.
    events.unregister(f"needs-retry.{service}", unique_id=unique_id)
    standard = botocore.retries.standard.register_retry_handler(client, **limit)
    events.unregister(f"needs-retry.{service}", unique_id=unique_id)

    region = client.meta.region_name
    service_name = client.meta.service_model.service_name

    def needs_retry(**kwargs: Any) -> float | bool | None:
        error = kwargs.get("caught_exception")
        if isinstance(error, RegionUnreachable):
            return None  # never sent, and never will be: no retry
        if not isinstance(error, TIMEOUT_ERRORS):
            if breaker is not None and kwargs.get("response") is not None:
                breaker.answered(service_name, region)
            return standard.needs_retry(**kwargs)
        attempts = int(kwargs.get("attempts") or 1)
        retry = attempts < TIMEOUT_MAX_ATTEMPTS
        if breaker is not None:
            breaker.timed_out(service_name, region)
            retry = retry and breaker.has_answered(service_name, region) and not breaker.why_open(region)
        delay: float | bool | None = None
        if retry:
            delay = standard.needs_retry(**kwargs)
        if delay is None or delay is False:
            # Giving up: note how, for the cell's one-line message.
            context = (kwargs.get("request_dict") or {}).get("context") or {}
            started = context.get(_STARTED_KEY)
            seconds = time.monotonic() - started if isinstance(started, float) else None
            setattr(error, _GAVE_UP_ATTR, GaveUp(attempts, seconds))
            return None
        return min(float(delay), TIMEOUT_RETRY_MAX_BACKOFF)

    events.register(f"needs-retry.{service}", needs_retry, unique_id=unique_id)
    events.register(f"before-call.{service}", _note_call_start, unique_id=f"tracker-call-start-{service}")
    if breaker is not None:

        def refuse_if_unreachable(**_: Any) -> None:
            breaker.check(service_name, region)  # raises before anything is sent

        events.register(f"before-send.{service}", refuse_if_unreachable, unique_id=f"tracker-breaker-{service}")


def _note_call_start(context: dict[str, Any], **_: Any) -> None:
    context[_STARTED_KEY] = time.monotonic()
    # Returning None lets the call go ahead.


@dataclass(frozen=True)
class SessionOptions:
    """How to build the session: all optional, default is boto3's credential chain."""

    profile: str | None = None
    endpoint_url: str | None = None
    #: Region used for global services (STS, IAM, ...) and DescribeRegions.
    home_region: str | None = None


class AwsSession:
    """A boto3 Session plus a thread-safe cache of clients keyed by (service, region).

    Args:
        options: profile, endpoint and home region.
        boto_session: an existing boto3 Session to wrap (tests and the demo inject one).
        config: botocore Config applied to every client.
        request_delay: (service, region) -> seconds to sleep before every request; the
            demo and the benchmarks use it to simulate network latency.
    """

    def __init__(
        self,
        options: SessionOptions | None = None,
        *,
        boto_session: boto3.Session | None = None,
        config: Config | None = None,
        request_delay: Callable[[str, str], float] | None = None,
    ) -> None:
        self.options = options or SessionOptions()
        try:
            self.boto = boto_session or new_boto_session(profile_name=self.options.profile)
        except botocore.exceptions.ProfileNotFound:
            raise CredentialsError(
                f"unknown AWS profile '{self.options.profile}' (not in ~/.aws/config or ~/.aws/credentials)"
            ) from None
        self.endpoint_url = self.options.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        cfg = config or DEFAULT_CONFIG
        if self.endpoint_url:
            # Emulators (moto, LocalStack) serve S3 on one host: virtual-host style cannot work.
            cfg = cfg.merge(Config(s3={"addressing_style": "path"}))
        self.config = cfg
        self.home_region = self.options.home_region or self.boto.region_name or "us-east-1"
        self.request_delay = request_delay
        #: Regions whose endpoints stopped answering (``RegionBreaker``), for every client.
        self.breaker = RegionBreaker()
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self.clients_created = 0
        self._requests_sent = 0
        self._requests_lock = threading.Lock()
        share_event_handlers(self.boto._session)  # noqa: SLF001 - boto3 has no public accessor

    @property
    def requests_sent(self) -> int:
        """HTTP requests this session's clients have sent: every attempt, retries included
        (not the calls the region breaker refused before sending)."""
        return self._requests_sent

    def _count_request(self, **_: Any) -> None:
        with self._requests_lock:
            self._requests_sent += 1
        # Returning None lets botocore send the request as usual.

    @property
    def profile(self) -> str | None:
        return self.options.profile or self.boto.profile_name

    def client(self, service: str, region: str | None = None) -> Any:
        """The cached client for ``service`` in ``region`` (home region when None)."""
        key = (service, region or self.home_region)
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                kwargs: dict[str, Any] = {"region_name": key[1], "config": self.config}
                if self.endpoint_url:
                    kwargs["endpoint_url"] = self.endpoint_url
                client = self.boto.client(service, **kwargs)
                cap_timeout_retries(client, self.breaker)
                if self.request_delay is not None:
                    seconds = self.request_delay(service, key[1])
                    if seconds > 0:
                        client.meta.events.register("before-send", functools.partial(_sleep_before_send, seconds))
                # After the breaker's ``before-send.<service>`` handler (botocore calls the more
                # specific event's first), so a request it refuses is not counted.
                client.meta.events.register("before-send", self._count_request)
                self._clients[key] = client
                self.clients_created += 1
        return client

    def preload(self, services: Sequence[str]) -> threading.Thread:
        """Make the home region's clients for ``services`` in a background thread (once each)."""

        def make() -> None:
            for service in dict.fromkeys(services):
                try:
                    self.client(service)
                except Exception:  # noqa: BLE001 - an optimisation only: the cell says what is wrong
                    return

        thread = threading.Thread(target=make, name="preload-clients", daemon=True)
        thread.start()
        return thread

    def identity(self) -> Identity:
        """The caller's account, ARN and (best effort) account alias.

        Raises:
            CredentialsError: with a one-line explanation when credentials are missing,
                expired or rejected.
        """
        try:
            who = self.client("sts").get_caller_identity()
        except Exception as exc:  # noqa: BLE001 - translated to one line for the user
            raise CredentialsError(describe_credentials_error(exc, self.profile)) from None
        alias = ""
        try:
            aliases = self.client("iam").list_account_aliases().get("AccountAliases", [])
            alias = aliases[0] if aliases else ""
        except botocore.exceptions.ClientError:
            alias = ""  # not allowed to read it: the account id stands in
        except botocore.exceptions.BotoCoreError:
            alias = ""
        return Identity(account_id=who["Account"], arn=who.get("Arn", ""), alias=alias)


def available_profiles() -> list[str]:
    """Profile names in the shared config and credentials files (sorted)."""
    try:
        return sorted(boto3.Session().available_profiles)
    except botocore.exceptions.BotoCoreError:
        return []


def _sleep_before_send(seconds: float, **_: Any) -> None:
    time.sleep(seconds)
    # Returning None lets botocore send the request as usual.


EXPIRED_CODES = {
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "AuthFailure",
}


def describe_credentials_error(exc: BaseException, profile: str | None) -> str:
    """Turn a credential failure into one actionable line."""
    hint_profile = f" --profile {profile}" if profile else ""
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return (
            "no AWS credentials found: pass --profile NAME, set AWS_PROFILE or AWS_ACCESS_KEY_ID, "
            "or try it without an account: tracker-tui --demo"
        )
    if isinstance(exc, botocore.exceptions.ProfileNotFound):
        return f"unknown AWS profile '{profile}'"
    sso_errors = tuple(
        getattr(botocore.exceptions, name)
        for name in ("SSOTokenLoadError", "UnauthorizedSSOTokenError", "TokenRetrievalError")
        if hasattr(botocore.exceptions, name)
    )
    if sso_errors and isinstance(exc, sso_errors):
        return f"the SSO session has expired or is missing: run `aws sso login{hint_profile}` and try again"
    if isinstance(exc, botocore.exceptions.ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        message = exc.response.get("Error", {}).get("Message", "")
        if code in EXPIRED_CODES:
            return (
                f"AWS rejected the credentials ({code}: {message}); refresh them "
                f"(for SSO: `aws sso login{hint_profile}`) and try again"
            )
        return f"cannot confirm the AWS identity ({code}: {message})"
    if isinstance(exc, TIMEOUT_ERRORS):
        # Not a credentials problem: the endpoint took the connection (or never did) and
        # stayed silent through every attempt allowed.
        endpoint = (getattr(exc, "kwargs", None) or {}).get("endpoint_url") or "the AWS endpoint"
        return f"no answer from {endpoint}: check the network, a proxy or --endpoint-url, and try again"
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return f"cannot reach AWS: {exc}"
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return f"AWS credentials are not usable: {exc}"
    return f"cannot confirm the AWS identity: {exc}"
