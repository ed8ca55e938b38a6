"""What every botocore session of the process can share, worked out once instead of per client.

A scan of many accounts makes one botocore session per account and, in each, one client per
(service, region): a worker process scanning 10 accounts of 3 regions makes ~600 clients in
10 sessions, each sending ~2 requests.  Measured with ``py-spy record --gil`` over the workers
of that scan (``benchmarks/multi_account.py``), making clients was a third of their CPU and
the first answers of each client much of the rest, because botocore did the same work again
for every session or every client:

* **Event names** (~8% of the workers' CPU): ``EventAliaser`` rewrites every event name it
  emits or registers through ~65 aliases, caching the result per aliaser, and every session
  started with an empty cache.  The result depends on the name and the alias table only:
  aliasers with botocore's own table share one cache for the process.
* **Service models** (~8%): each client had its own ``ServiceModel``, so each worked out
  again the operations and shapes it uses (models resolve them lazily and keep them).  One
  model per service file now serves every client.
* **Handler signatures** (~4%): every handler registered (a dozen per client, ~400 per new
  session) went through ``inspect.getfullargspec`` to learn whether it takes ``**kwargs``:
  for a plain function or method that is one flag of its code object.
* **Endpoint rule sets** (~4%): each client turned its service's endpoint rules (thousands of
  nodes for S3 and EC2) into rule objects; they are read-only, so one ``EndpointProvider``
  per rule set serves every client.
* **Timestamps** (~5%): dateutil's general parser read every date; AWS sends ISO 8601 in UTC,
  which ``datetime.fromisoformat`` reads (anything else still goes to botocore's parser).
* **Settings and proxies** (~5%): each client read ~70 settings through chains of providers
  that decode the environment on every read, and asked ``urllib`` for the proxies, which
  decodes the whole environment three times.  A session's settings are read once for its
  clients (``settle_config``), and the proxies once per URL and proxy variables.

Each shortcut returns exactly what botocore's own code returns (``tests/test_boto_shared.py``
checks each against it, and fails if it is gone).  Importing the module installs them, once;
``aws.session`` imports it, and ``new_boto_session`` settles each session's settings.
"""

from __future__ import annotations

import datetime
import inspect
import os
import re
import sys
import threading
import types
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import botocore.client
import botocore.compat
import botocore.configprovider
import botocore.endpoint
import botocore.endpoint_provider
import botocore.hooks
import botocore.model
import botocore.parsers
import botocore.regions
import botocore.utils

# --- event names: one alias cache for the process ---------------------------------------------

#: Event name -> its aliased name, for every aliaser with botocore's alias table.
_ALIASED: dict[str, str] = {}
_botocore_alias_event_name: Any = getattr(botocore.hooks.EventAliaser, "_alias_event_name", None)


def _alias_event_name(self: Any, event_name: str) -> str:
    cache = self._alias_name_cache  # noqa: SLF001
    aliased = cache.get(event_name)
    if aliased is not None:
        return aliased
    if cache is not _ALIASED and self._event_aliases == botocore.utils.EVENT_ALIASES:  # noqa: SLF001
        self._alias_name_cache = _ALIASED  # noqa: SLF001 - the same answers, already worked out
        aliased = _ALIASED.get(event_name)
        if aliased is not None:
            return aliased
    return _botocore_alias_event_name(self, event_name)


# --- handler signatures -------------------------------------------------------------------------

_botocore_accepts_kwargs: Any = getattr(botocore.compat, "accepts_kwargs", None)


def accepts_kwargs(func: Any) -> str | None:
    """The name of ``func``'s ``**kwargs`` parameter, or None: ``getfullargspec(func)[2]``."""
    target = getattr(func, "__func__", func)  # a bound method takes what its function takes
    if type(target) is not types.FunctionType or "__signature__" in vars(target):
        return _botocore_accepts_kwargs(func)
    code = target.__code__
    if not code.co_flags & inspect.CO_VARKEYWORDS:
        return None
    return code.co_varnames[code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & inspect.CO_VARARGS)]


# --- what is made from botocore's parsed files: one per file -------------------------------------

T = TypeVar("T")


class _PerFile:
    """Objects made from parsed files, one per (files, detail), for the ``size`` last used.

    botocore's loader caches what it parses, so every client of a service is handed the same
    file objects: they are told apart by identity, and kept with what was made from them, so
    an id is never reused while its entry lives.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._made: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._made)

    def get(self, files: tuple[Any, ...], detail: Hashable, make: Callable[[], T]) -> T:
        key = (*map(id, files), detail)
        with self._lock:
            kept = self._made.get(key)
            if kept is not None and all(a is b for a, b in zip(kept[0], files, strict=True)):
                self._made.move_to_end(key)
                return kept[1]
        made = make()  # outside the lock: building a provider or a model takes milliseconds
        with self._lock:
            self._made[key] = (files, made)
            while len(self._made) > self.size:
                self._made.popitem(last=False)
        return made


# --- endpoint rule sets: one provider per service ------------------------------------------------

_providers = _PerFile(128)
_BotocoreEndpointProvider: Any = getattr(botocore.endpoint_provider, "EndpointProvider", None)


def shared_endpoint_provider(ruleset_data: Any, partition_data: Any, excluded_params: Any = None) -> Any:
    """``EndpointProvider(...)``, the same one for the same rule set and partitions."""
    return _providers.get(
        (ruleset_data, partition_data),
        frozenset(excluded_params or ()),
        lambda: _BotocoreEndpointProvider(
            ruleset_data=ruleset_data, partition_data=partition_data, excluded_params=excluded_params
        ),
    )


# --- service models: one per service -------------------------------------------------------------

_service_models = _PerFile(128)
_botocore_load_service_model: Any = getattr(botocore.client.ClientCreator, "_load_service_model", None)


def _shared_service_model(creator: Any, service_name: str, api_version: str | None = None) -> Any:
    """``ClientCreator._load_service_model``: the same ``ServiceModel`` for every client of a service.

    A model resolves its operations and shapes lazily and keeps them (``instance_cache``,
    ``CachedProperty``): one per client meant every client worked out again the shapes of the
    operations it calls before it could parse its first answer (~8% of a worker's CPU).  A
    model is never changed once made, and botocore already shares one between a client's
    threads.
    """
    json_model = creator._loader.load_service_model(service_name, "service-2", api_version=api_version)  # noqa: SLF001
    return _service_models.get(
        (json_model,), service_name, lambda: botocore.model.ServiceModel(json_model, service_name=service_name)
    )


# --- timestamps --------------------------------------------------------------------------------

#: What AWS sends nearly always: ISO 8601 in UTC, with up to 6 digits of a second.
_ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|\+00:00)\Z")
_UTC = botocore.utils.tzutc()  # dateutil's, as botocore's parser gives
_botocore_parse_timestamp: Any = getattr(botocore.utils, "parse_timestamp", None)


def parse_timestamp(value: Any) -> datetime.datetime:
    """``botocore.utils.parse_timestamp``: the same datetime (in dateutil's UTC), without dateutil's
    general parser for the one form AWS uses (it was ~5% of a worker's CPU).  Every other form
    (RFC 822, epoch seconds, other offsets) goes to botocore's."""
    if type(value) is str and _ISO_UTC.match(value):
        naive = value[:-1] if value[-1] == "Z" else value[:-6]
        return datetime.datetime.fromisoformat(naive).replace(tzinfo=_UTC)
    return _botocore_parse_timestamp(value)


# --- proxies from the environment ---------------------------------------------------------------

_botocore_environ_proxies: Any = getattr(botocore.utils, "get_environ_proxies", None)
_proxies: dict[tuple[str, tuple[tuple[bytes, bytes], ...]], dict[str, str]] = {}
_PROXIES_KEPT = 4096


def _proxy_variables() -> tuple[tuple[bytes, bytes], ...]:
    """Every variable ``urllib.request.getproxies_environment`` reads (any ``*_proxy``, any case,
    and ``REQUEST_METHOD``), without decoding the whole environment twice as it does."""
    return tuple(
        (name, value)
        for name, value in os.environb.items()
        if name[-6:].lower() == b"_proxy" or name == b"REQUEST_METHOD"
    )


def environ_proxies(url: str) -> dict[str, str]:
    """``botocore.utils.get_environ_proxies(url)``: the same answer for the same URL and proxy variables.

    Each new client asked it, and it decodes every environment variable three times (~0.7 ms).
    On macOS and Windows ``urllib`` also reads the system's settings: asked every time there.
    """
    if sys.platform in ("darwin", "win32"):
        return _botocore_environ_proxies(url)  # type: ignore[no-any-return]
    key = (url, _proxy_variables())
    found = _proxies.get(key)
    if found is None:
        found = _botocore_environ_proxies(url)
        if len(_proxies) >= _PROXIES_KEPT:
            _proxies.clear()
        _proxies[key] = found
    return dict(found)  # botocore's caller may keep (and change) what it gets


# --- a session's settings, read once --------------------------------------------------------------

#: Values a caller cannot change in place: kept; anything else (a dict) is read every time.
_SETTLED_TYPES = (type(None), str, int, float, bool, tuple)


class _SettledConfig(botocore.configprovider.ConfigValueStore):
    """A session's config store that reads each setting once for all the session's clients.

    botocore copies the session's store for every client (sharing its providers) and each
    client reads ~70 settings through chains of providers: session variables, environment
    variables (decoded on every read), the profile in the config file (resolved again on
    every read).  Here a value read through a provider is kept with that provider, for the
    store and its copies, until the session's own variables change (``set_config_variable``):
    a copy that installs a provider of its own (each client's ``endpoint_url``) reads through
    it.  The environment is read as the session's clients are made; a variable set later in
    the life of the session is not seen (a session is made per scan and account).
    """

    _core: Any
    _read: dict[str, tuple[Any, Any]]
    _vars: dict[str, Any]

    def get_config_variable(self, logical_name: str) -> Any:
        if logical_name in self._overrides:
            return self._overrides[logical_name]
        provider = self._mapping.get(logical_name)
        if provider is None:
            return None
        session_vars = self._core._session_instance_vars  # noqa: SLF001
        if session_vars != self._vars:  # someone set one since: read everything again
            self._read.clear()
            self._vars.clear()
            self._vars.update(session_vars)
        read = self._read.get(logical_name)
        if read is not None and read[0] is provider:
            return read[1]
        value = provider.provide()
        if isinstance(value, _SETTLED_TYPES):
            self._read[logical_name] = (provider, value)
        return value

    def __copy__(self) -> _SettledConfig:
        new = _settled(
            botocore.configprovider.ConfigValueStore(dict(self._mapping)), self._core, self._read, self._vars
        )
        for logical_name, value in self._overrides.items():
            new.set_config_variable(logical_name, value)
        return new


def _settled(store: Any, core: Any, read: dict[str, tuple[Any, Any]], session_vars: dict[str, Any]) -> _SettledConfig:
    store.__class__ = _SettledConfig
    store._core, store._read, store._vars = core, read, session_vars  # noqa: SLF001
    return store


def settle_config(core: Any) -> bool:
    """Make ``core``'s clients read its settings once (see ``_SettledConfig``); True if done.

    Left alone (False) when the store is not botocore's plain one, or when the session's
    defaults mode is not ``legacy``: other modes change the providers per client and region.
    """
    store = core.get_component("config_store")
    if type(store) is _SettledConfig:
        return True
    if type(store) is not botocore.configprovider.ConfigValueStore or not INSTALLED.get("settings"):
        return False
    if not isinstance(getattr(core, "_session_instance_vars", None), dict):
        return False
    if str(core.get_config_variable("defaults_mode") or "legacy").lower() != "legacy":
        return False
    _settled(store, core, {}, dict(core._session_instance_vars))  # noqa: SLF001
    return True


def _fits_botocore() -> dict[str, bool]:
    """Which shortcuts this botocore has the pieces for: each is installed only over the very
    function (or attribute) it stands in for, so a release that renamed or reshaped one loses
    that speed-up, never the scan (boto3 is not pinned)."""
    aliaser = botocore.hooks.EventAliaser(botocore.hooks.HierarchicalEmitter())
    store = botocore.configprovider.ConfigValueStore()
    return {
        "aliases": _botocore_alias_event_name is not None
        and isinstance(getattr(aliaser, "_alias_name_cache", None), dict)
        and hasattr(aliaser, "_event_aliases")
        and isinstance(getattr(botocore.utils, "EVENT_ALIASES", None), dict),
        "kwargs": _botocore_accepts_kwargs is not None and hasattr(botocore.hooks, "accepts_kwargs"),
        "rules": _BotocoreEndpointProvider is not None
        and getattr(botocore.regions, "EndpointProvider", None)
        in (_BotocoreEndpointProvider, shared_endpoint_provider),
        "proxies": _botocore_environ_proxies is not None and hasattr(botocore.endpoint, "get_environ_proxies"),
        "models": _botocore_load_service_model is not None
        and list(inspect.signature(_botocore_load_service_model).parameters) == ["self", "service_name", "api_version"]
        and hasattr(botocore.model, "ServiceModel"),
        "timestamps": _botocore_parse_timestamp is not None
        and getattr(botocore.parsers, "DEFAULT_TIMESTAMP_PARSER", None) in (_botocore_parse_timestamp, parse_timestamp),
        "settings": isinstance(getattr(store, "_overrides", None), dict)
        and isinstance(getattr(store, "_mapping", None), dict),
    }


#: What ``_install`` put in place (``settle_config`` reads "settings").
INSTALLED: dict[str, bool] = {}


def _install() -> None:
    fits = _fits_botocore()
    if fits["aliases"]:
        botocore.hooks.EventAliaser._alias_event_name = _alias_event_name  # noqa: SLF001
    if fits["kwargs"]:
        botocore.hooks.accepts_kwargs = accepts_kwargs
    if fits["rules"]:
        botocore.regions.EndpointProvider = shared_endpoint_provider
    if fits["proxies"]:
        botocore.endpoint.get_environ_proxies = environ_proxies
    if fits["models"]:
        botocore.client.ClientCreator._load_service_model = _shared_service_model  # noqa: SLF001
    if fits["timestamps"]:
        botocore.parsers.DEFAULT_TIMESTAMP_PARSER = parse_timestamp
    INSTALLED.update(fits)


_install()
