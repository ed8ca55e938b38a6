"""Less CPU per request (issue 26, part 2): what ``aws.session`` does to make clients cheaply,
and the request counter ``benchmarks/scan_cpu.py`` reads.

* ``AwsSession.requests_sent``: every attempt its clients send, retries included, from any
  number of threads; a request the region breaker refuses is not sent, so not counted.
* ``share_event_handlers``: a session's clients copy its event emitter without copying the
  handler trie node by node; every client still calls exactly the handlers, in exactly the
  order, that botocore's own deep copy gives, and a change to one client (or to the session)
  reaches no other.
* The shared loader lists botocore's service directories once, whatever the threads asking,
  and moves the models it parses out of the garbage collector's way.
"""

from __future__ import annotations

import copy
import gc
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import botocore.exceptions
import botocore.hooks
import botocore.loaders
import botocore.retries.standard
import botocore.session
import pytest
from moto import mock_aws

from tests.support.helpers import moto_session
from tracker_tui.aws.session import (
    AwsSession,
    RegionUnreachable,
    cap_timeout_retries,
    new_boto_session,
    share_event_handlers,
    shared_loader,
)

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
SERVICES = ("ec2", "s3", "logs", "iam", "rds", "dynamodb")


@pytest.fixture
def moto() -> Iterator[None]:
    with mock_aws():
        yield


# --- requests_sent --------------------------------------------------------------------------------


@pytest.mark.usefixtures("moto")
def test_requests_sent_counts_each_call_of_every_client() -> None:
    session = moto_session()
    assert session.requests_sent == 0
    session.client("sts").get_caller_identity()
    session.client("logs", "eu-west-1").describe_log_groups()
    session.client("logs", "eu-west-1").describe_log_groups()
    assert session.requests_sent == 3
    assert moto_session().requests_sent == 0  # per session


@pytest.mark.usefixtures("moto")
def test_requests_sent_counts_every_attempt_of_a_retried_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    session = moto_session()
    logs = session.client("logs")
    failures = [2]

    def drop_connection(request: Any, **_: Any) -> None:
        if failures[0]:
            failures[0] -= 1
            raise botocore.exceptions.ConnectionClosedError(endpoint_url=request.url)

    logs.meta.events.register("before-send", drop_connection)  # after the counter: the attempt was made
    logs.describe_log_groups()
    assert failures == [0]
    assert session.requests_sent == 3  # two dropped, one answered


@pytest.mark.usefixtures("moto")
def test_a_request_the_breaker_refuses_is_not_counted() -> None:
    session = moto_session()
    logs = session.client("logs", "eu-west-1")
    logs.describe_log_groups()
    session.breaker.timed_out("rds", "eu-west-1")
    session.breaker.timed_out("ec2", "eu-west-1")  # two timeouts, never answered: open
    with pytest.raises(RegionUnreachable):
        session.client("rds", "eu-west-1").describe_db_instances()
    assert session.requests_sent == 1


@pytest.mark.usefixtures("moto")
def test_requests_sent_is_exact_under_many_threads() -> None:
    session = moto_session()
    clients = [session.client("logs", region) for region in REGIONS]

    def calls(index: int) -> None:
        for _ in range(5):
            clients[index % len(clients)].describe_log_groups()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(calls, range(16)))
    assert session.requests_sent == 16 * 5


# --- clients copy the session's emitter cheaply, with the same handlers -----------------------------

#: Every event a call emits (recorded from real calls below) and a few the client set-up does.
_EXTRA_EVENTS = ("creating-client-class.ec2", "before-endpoint-resolution.s3", "needs-retry.ec2.DescribeVolumes")


def _name(handler: Any) -> str:
    """A handler as a name that is the same for every client (bound methods differ by object)."""
    target = getattr(handler, "func", handler)  # functools.partial
    target = getattr(target, "__func__", target)  # bound method
    return f"{getattr(target, '__module__', '')}.{getattr(target, '__qualname__', type(target).__qualname__)}"


def _handlers(client: Any, event: str) -> list[str]:
    aliased = client.meta.events._alias_event_name(event)  # noqa: SLF001
    return [_name(h) for h in client.meta.events._emitter._handlers.prefix_search(aliased)]  # noqa: SLF001


def _plain_session() -> boto3.Session:
    return new_boto_session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")


def _emitted_events(client: Any, call: Any) -> list[str]:
    """The event names ``call`` makes ``client`` emit."""
    emitter = client.meta.events._emitter  # noqa: SLF001
    seen: list[str] = []
    real = emitter._emit  # noqa: SLF001

    def recording(event_name: str, kwargs: Any, stop_on_response: bool = False) -> Any:
        seen.append(event_name)
        return real(event_name, kwargs, stop_on_response)

    emitter._emit = recording  # noqa: SLF001
    try:
        call()
    finally:
        del emitter._emit  # noqa: SLF001
    return seen


def _calls(client: Any) -> Any:
    return {
        "ec2": lambda: client.describe_volumes(),
        "s3": lambda: client.list_buckets(),
        "logs": lambda: client.describe_log_groups(),
        "iam": lambda: client.list_roles(),
        "rds": lambda: client.describe_db_instances(),
        "dynamodb": lambda: client.list_tables(),
    }[client.meta.service_model.service_name]


@pytest.mark.usefixtures("moto")
def test_clients_of_a_shared_session_call_exactly_the_handlers_botocore_copies_give() -> None:
    plain, shared = _plain_session(), _plain_session()
    assert share_event_handlers(shared._session)  # noqa: SLF001
    for boto in (plain, shared):
        # Something registered on the session before its clients exist reaches all of them.
        boto.events.register("before-send", lambda **_: None, unique_id="test-session-hook")
    checked = 0
    for service in SERVICES:
        for region in REGIONS:
            pair = [boto.client(service, region_name=region) for boto in (plain, shared)]
            for client in pair:
                cap_timeout_retries(client)  # unregisters and registers, as AwsSession does
            events = set(_emitted_events(pair[0], _calls(pair[0]))) | set(_EXTRA_EVENTS)
            assert set(_emitted_events(pair[1], _calls(pair[1]))) <= events
            for event in sorted(events):
                assert _handlers(pair[1], event) == _handlers(pair[0], event), (service, region, event)
                checked += 1
    assert checked > 100


def test_a_change_to_one_client_reaches_no_other_client_nor_the_session() -> None:
    boto = _plain_session()
    assert share_event_handlers(boto._session)  # noqa: SLF001
    first, second = (boto.client("ec2", region_name=region) for region in REGIONS[:2])
    event = "before-send.ec2.DescribeVolumes"
    before = _handlers(first, event)
    assert _handlers(second, event) == before

    def mine(**_: Any) -> None:
        return None

    first.meta.events.register(event, mine)
    assert _handlers(first, event) == [_name(mine), *before]  # the most specific event's first
    assert _handlers(second, event) == before
    session_handlers = [_name(h) for h in boto.events._emitter._handlers.prefix_search(event)]  # noqa: SLF001
    assert _name(mine) not in session_handlers

    second.meta.events.unregister("needs-retry.ec2", unique_id="retry-config-ec2")
    assert "RetryHandler.needs_retry" in " ".join(_handlers(first, "needs-retry.ec2.DescribeVolumes"))
    assert "RetryHandler.needs_retry" not in " ".join(_handlers(second, "needs-retry.ec2.DescribeVolumes"))

    # A handler the session gets later reaches the clients made after it only (as botocore's copies).
    boto.events.register(event, mine)
    third = boto.client("ec2", region_name=REGIONS[2])
    assert _name(mine) in _handlers(third, event)
    assert _handlers(second, event) == before


def test_removing_a_handler_that_is_not_there_fails_as_botocore_does() -> None:
    boto = _plain_session()
    share_event_handlers(boto._session)  # noqa: SLF001
    client = boto.client("logs", region_name="us-east-1")
    trie = client.meta.events._emitter._handlers  # noqa: SLF001
    with pytest.raises(ValueError, match="key is not in trie"):
        trie.remove_item("no-such-event.logs", print)
    assert _handlers(client, "before-send.logs.DescribeLogGroups") == _handlers(
        boto.client("logs", region_name="us-east-1"), "before-send.logs.DescribeLogGroups"
    )


def test_copies_share_the_alias_cache_and_sharing_twice_changes_nothing() -> None:
    boto = _plain_session()
    core = boto._session  # noqa: SLF001
    assert share_event_handlers(core)
    assert share_event_handlers(core)  # idempotent
    aliaser = core.get_component("event_emitter")
    copied = copy.copy(aliaser)
    assert copied._alias_name_cache is aliaser._alias_name_cache  # noqa: SLF001
    assert copied._emitter is not aliaser._emitter  # noqa: SLF001
    # The aliases still apply (botocore renames some services' event names).
    assert copied._alias_event_name("before-call.apigateway.Foo") == "before-call.api-gateway.Foo"  # noqa: SLF001


def test_an_emitter_that_is_not_botocores_usual_one_is_left_alone() -> None:
    core = botocore.session.Session()
    odd = botocore.hooks.HierarchicalEmitter()
    core.register_component("event_emitter", odd)
    assert share_event_handlers(core) is False
    assert type(odd._handlers) is botocore.hooks._PrefixTrie  # noqa: SLF001


def test_every_session_made_by_aws_session_shares_its_handlers() -> None:
    session = AwsSession(boto_session=_plain_session())
    assert type(session.boto._session.get_component("event_emitter")).__name__ == "_SharedAliasCache"  # noqa: SLF001


# --- the shared loader ------------------------------------------------------------------------------


def test_the_loader_lists_the_service_directories_once_whatever_the_threads_asking(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loader = shared_loader.__wrapped__()  # a fresh one, not the process's
    listed: list[str] = []
    real = os.listdir

    def counting(path: Any = ".") -> list[str]:
        listed.append(str(path))
        return real(path)

    monkeypatch.setattr(os, "listdir", counting)
    start = threading.Barrier(8)

    def ask(_: int) -> list[str]:
        start.wait()
        return list(loader.list_available_services("paginators-1"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(ask, range(8)))
    once = len(listed)
    assert all(answer == answers[0] for answer in answers) and "ec2" in answers[0]
    fresh = botocore.loaders.create_loader()
    listed.clear()
    assert fresh.list_available_services("paginators-1") == answers[0]
    assert once == len(listed)  # eight threads listed as much as one


def test_the_loader_freezes_what_it_parsed_and_returns_it_unchanged() -> None:
    loader = shared_loader.__wrapped__()
    frozen = gc.get_freeze_count()
    model = loader.load_service_model("kms", "paginators-1")
    assert gc.get_freeze_count() > frozen
    assert model == botocore.loaders.create_loader().load_service_model("kms", "paginators-1")
