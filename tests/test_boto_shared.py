"""What every botocore session of the process shares (``aws.boto_shared``, issue 26), and the
client classes ``aws.session`` shares across sessions: each shortcut gives exactly botocore's
own answer, for the same inputs, and a new answer when an input changes.
"""

from __future__ import annotations

import functools
import inspect
import os
import urllib.request
from typing import Any

import boto3
import botocore.configprovider
import botocore.endpoint
import botocore.endpoint_provider
import botocore.hooks
import botocore.loaders
import botocore.model
import botocore.regions
import botocore.session
import botocore.utils
import pytest

from tracker_tui.aws import boto_shared
from tracker_tui.aws.session import AwsSession, SessionOptions, class_handlers, new_boto_session

SERVICES = ("ec2", "s3", "logs", "rds", "iam", "dynamodb", "elbv2", "lambda")
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")


def _session(**kwargs: Any) -> boto3.Session:
    return new_boto_session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1", **kwargs
    )


def _client_handlers(client: Any) -> list[Any]:
    """Every handler of a client's trie: what botocore registered, checked at registration."""
    found: list[Any] = []

    def walk(node: dict[str, Any]) -> None:
        values = node.get("values")
        if values is not None:
            found.extend([*values.first, *values.middle, *values.last])
        for child in node["children"].values():
            walk(child)

    walk(client.meta.events._emitter._handlers._root)  # noqa: SLF001
    return found


# --- event names ----------------------------------------------------------------------------------


def _botocore_alias(event: str, aliases: dict[str, str] | None = None) -> str:
    fresh = botocore.hooks.EventAliaser(botocore.hooks.HierarchicalEmitter(), aliases)
    return boto_shared._botocore_alias_event_name(fresh, event)  # noqa: SLF001


def test_every_event_name_aliases_as_botocore_aliases_it() -> None:
    client = _session().client("apigateway", region_name="us-east-1")
    names = [
        "before-call.apigateway.GetRestApis",  # renamed by botocore's aliases
        "creating-client-class.apigateway",
        "before-parameter-build.ec2.DescribeVolumes",
        "needs-retry.elasticloadbalancingv2.DescribeLoadBalancers",
        "before-send.s3.ListBuckets",
        "provide-client-params.cloudwatch-logs.DescribeLogGroups",
    ]
    for name in names:
        assert client.meta.events._alias_event_name(name) == _botocore_alias(name), name  # noqa: SLF001
    assert client.meta.events._alias_event_name("before-call.apigateway.X") == "before-call.api-gateway.X"  # noqa: SLF001


def test_sessions_share_one_alias_cache_but_an_aliaser_with_its_own_aliases_keeps_its_own() -> None:
    first, second = (_session()._session.get_component("event_emitter") for _ in range(2))  # noqa: SLF001
    first._alias_event_name("before-call.ec2.DescribeVolumes")  # noqa: SLF001
    second._alias_event_name("before-call.ec2.DescribeVolumes")  # noqa: SLF001
    assert first._alias_name_cache is second._alias_name_cache is boto_shared._ALIASED  # noqa: SLF001

    own = botocore.hooks.EventAliaser(botocore.hooks.HierarchicalEmitter(), {"volumes": "disks"})
    assert own._alias_event_name("before-call.ec2.volumes") == "before-call.ec2.disks"  # noqa: SLF001
    assert own._alias_name_cache is not boto_shared._ALIASED  # noqa: SLF001
    assert boto_shared._ALIASED.get("before-call.ec2.volumes") in (None, "before-call.ec2.volumes")  # noqa: SLF001


# --- handler signatures ------------------------------------------------------------------------


class _Handlers:
    def method(self, a: int, **kwargs: Any) -> None: ...

    def method_no_kwargs(self, a: int) -> None: ...

    @classmethod
    def klass(cls, **extra: Any) -> None: ...

    @staticmethod
    def static(**more: Any) -> None: ...


def _plain(a: int, b: int = 1) -> None: ...
def _kwargs(**kwargs: Any) -> None: ...
def _everything(a: int, *args: Any, b: int, c: int = 2, **named: Any) -> None: ...
def _kwonly(*, a: int, **rest: Any) -> None: ...
def _varargs_only(*args: Any) -> None: ...
def _locals_after(a: int, **kw: Any) -> None:
    x = y = a  # locals follow the parameters in co_varnames
    del x, y


def _with_signature(**kwargs: Any) -> None: ...


_with_signature.__signature__ = inspect.Signature()  # type: ignore[attr-defined]

CALLABLES: list[Any] = [
    _plain, _kwargs, _everything, _kwonly, _varargs_only, _locals_after, _with_signature,
    _Handlers().method, _Handlers().method_no_kwargs, _Handlers.klass, _Handlers.static,
    functools.partial(_everything, 1), functools.partial(_plain, 1), lambda **kw: None, lambda a: None,
    print, _Handlers,
]  # fmt: skip


@pytest.mark.parametrize("func", CALLABLES, ids=lambda f: getattr(f, "__qualname__", type(f).__name__))
def test_accepts_kwargs_answers_what_getfullargspec_answers(func: Any) -> None:
    try:
        expected = inspect.getfullargspec(func)[2]
    except TypeError:
        with pytest.raises(TypeError):
            boto_shared.accepts_kwargs(func)
        return
    assert boto_shared.accepts_kwargs(func) == expected


def test_accepts_kwargs_agrees_with_botocore_on_every_handler_of_real_clients() -> None:
    boto = _session()
    handlers = [h for service in SERVICES for h in _client_handlers(boto.client(service, region_name="us-east-1"))]
    assert len(handlers) > 500
    for handler in handlers:
        assert boto_shared.accepts_kwargs(handler) == inspect.getfullargspec(handler)[2], handler
    assert botocore.hooks.accepts_kwargs is boto_shared.accepts_kwargs


def test_a_handler_without_kwargs_is_still_refused() -> None:
    with pytest.raises(ValueError, match="must accept keyword arguments"):
        _session().events.register("before-send", _plain)


# --- endpoint rule sets ----------------------------------------------------------------------------


def test_clients_of_one_service_share_its_endpoint_provider_and_resolve_as_their_own_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one, other = _session(), _session()
    clients = [boto.client("s3", region_name=region) for boto in (one, other) for region in REGIONS]
    assert len({id(c._ruleset_resolver._provider) for c in clients}) == 1  # noqa: SLF001
    ec2 = one.client("ec2", region_name="us-east-1")._ruleset_resolver._provider  # noqa: SLF001
    assert ec2 is not clients[0]._ruleset_resolver._provider  # noqa: SLF001
    # botocore's own provider, one per client, gives the same endpoints.
    monkeypatch.setattr(botocore.regions, "EndpointProvider", boto_shared._BotocoreEndpointProvider)  # noqa: SLF001
    reference = _session()
    for client in clients:
        own = reference.client("s3", region_name=client.meta.region_name)
        assert own._ruleset_resolver._provider is not client._ruleset_resolver._provider  # noqa: SLF001
        assert client.meta.endpoint_url == own.meta.endpoint_url
        params = {"Region": client.meta.region_name, "Bucket": "a-bucket", "UseFIPS": False, "UseDualStack": False}
        assert (
            client._ruleset_resolver._provider.resolve_endpoint(**params).url  # noqa: SLF001
            == own._ruleset_resolver._provider.resolve_endpoint(**params).url  # noqa: SLF001
        )


def test_a_rule_set_with_the_same_content_in_another_object_gets_its_own_provider() -> None:
    loader = botocore.loaders.create_loader()
    rules = loader.load_service_model("logs", "endpoint-rule-set-1")
    partitions = loader.load_data("partitions")
    first = boto_shared.shared_endpoint_provider(rules, partitions)
    assert boto_shared.shared_endpoint_provider(rules, partitions) is first
    again = botocore.loaders.create_loader()
    other = boto_shared.shared_endpoint_provider(again.load_service_model("logs", "endpoint-rule-set-1"), partitions)
    assert other is not first
    assert other.resolve_endpoint(Region="eu-west-1").url == first.resolve_endpoint(Region="eu-west-1").url


def test_the_providers_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boto_shared, "_providers", boto_shared._PerFile(3))  # noqa: SLF001
    loader = botocore.loaders.create_loader()
    partitions = loader.load_data("partitions")
    sets = [loader.load_service_model(s, "endpoint-rule-set-1") for s in ("logs", "sqs", "sns", "kms")]
    made = [boto_shared.shared_endpoint_provider(rules, partitions) for rules in sets]
    assert len(boto_shared._providers) == 3  # noqa: SLF001
    assert boto_shared.shared_endpoint_provider(sets[0], partitions) is not made[0]  # the oldest was dropped
    assert boto_shared.shared_endpoint_provider(sets[3], partitions) is made[3]


# --- service models ------------------------------------------------------------------------------


def test_clients_of_one_service_share_one_service_model_across_sessions() -> None:
    one, other = _session(), _session()
    models = {id(boto.client("ec2", region_name=r).meta.service_model) for boto in (one, other) for r in REGIONS}
    assert len(models) == 1
    assert one.client("s3").meta.service_model is not one.client("ec2").meta.service_model


def test_a_shared_service_model_is_the_one_botocore_would_make() -> None:
    client = _session().client("ec2", region_name="us-east-1")
    shared = client.meta.service_model
    own = botocore.model.ServiceModel(
        botocore.loaders.create_loader().load_service_model("ec2", "service-2"), service_name="ec2"
    )
    assert shared.service_name == own.service_name == "ec2"
    assert shared.api_version == own.api_version
    assert shared.operation_names == own.operation_names
    for name in ("DescribeInstances", "DescribeVolumes", "StopInstances"):
        mine, theirs = shared.operation_model(name), own.operation_model(name)
        assert mine.input_shape.members.keys() == theirs.input_shape.members.keys()
        assert mine.output_shape.members.keys() == theirs.output_shape.members.keys()


def test_a_model_file_in_another_object_gets_its_own_model() -> None:
    loader = botocore.loaders.create_loader()
    creator = type("Creator", (), {"_loader": loader})()
    first = boto_shared._shared_service_model(creator, "logs")  # noqa: SLF001
    assert boto_shared._shared_service_model(creator, "logs") is first  # noqa: SLF001
    creator._loader = botocore.loaders.create_loader()  # noqa: SLF001
    assert boto_shared._shared_service_model(creator, "logs") is not first  # noqa: SLF001


# --- timestamps ----------------------------------------------------------------------------------

TIMESTAMPS = [
    "2026-12-07T05:06:07Z", "2026-12-07T05:06:07.123Z", "2026-12-07T05:06:07.1Z", "2024-02-29T23:59:59.999999Z",
    "2026-12-07T05:06:07+00:00", "2026-12-07T05:06:07.12345+00:00", "1970-01-01T00:00:00Z",
    # not the fast form: botocore's own parser
    "2026-12-07T05:06:07.1234567Z", "2026-12-07T05:06:07+05:30", "2026-12-07T05:06:07", "2026-12-07",
    "Mon, 07 Dec 2026 05:06:07 GMT", "1765083967", "1765083967.5", 1765083967, 1765083967.25,
    "2026-12-07 05:06:07Z", "2026-12-07T05:06:07+0000",
]  # fmt: skip


@pytest.mark.parametrize("value", TIMESTAMPS, ids=str)
def test_timestamps_parse_exactly_as_botocore_parses_them(value: Any) -> None:
    mine, theirs = boto_shared.parse_timestamp(value), boto_shared._botocore_parse_timestamp(value)  # noqa: SLF001
    assert mine == theirs
    assert (mine.tzinfo, mine.isoformat()) == (theirs.tzinfo, theirs.isoformat())


def test_a_bad_timestamp_fails_as_botocore_fails() -> None:
    for value in ("2026-13-07T05:06:07Z", "not a time"):
        with pytest.raises(ValueError):
            boto_shared._botocore_parse_timestamp(value)  # noqa: SLF001
        with pytest.raises(ValueError):
            boto_shared.parse_timestamp(value)


def test_clients_parse_answers_with_the_fast_parser() -> None:
    client = _session().client("ec2", region_name="us-east-1")
    parser = client._endpoint._response_parser_factory.create_parser("ec2")  # noqa: SLF001
    assert parser._timestamp_parser is boto_shared.parse_timestamp  # noqa: SLF001


# --- proxies -------------------------------------------------------------------------------------


def test_proxies_are_botocores_for_the_same_url_and_variables_and_follow_a_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "https://ec2.eu-west-1.amazonaws.com"
    for name in [n for n in os.environ if n.lower().endswith("_proxy")]:
        monkeypatch.delenv(name)
    assert boto_shared.environ_proxies(url) == botocore.utils.get_environ_proxies(url) == {}
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert boto_shared.environ_proxies(url) == botocore.utils.get_environ_proxies(url)
    assert boto_shared.environ_proxies(url)["https"] == "http://proxy.example:3128"
    monkeypatch.setenv("no_proxy", ".amazonaws.com")
    assert boto_shared.environ_proxies(url) == botocore.utils.get_environ_proxies(url) == {}
    assert boto_shared.environ_proxies("https://example.org") == urllib.request.getproxies()
    monkeypatch.setenv("REQUEST_METHOD", "GET")  # urllib ignores HTTP_PROXY under CGI
    monkeypatch.setenv("HTTP_PROXY", "http://cgi.example:1")
    assert boto_shared.environ_proxies("http://example.org") == botocore.utils.get_environ_proxies("http://example.org")


def test_clients_ask_for_proxies_once_per_url_and_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    assert botocore.endpoint.get_environ_proxies is boto_shared.environ_proxies
    asked: list[str] = []
    real = boto_shared._botocore_environ_proxies  # noqa: SLF001

    def counting(url: str) -> dict[str, str]:
        asked.append(url)
        return real(url)

    monkeypatch.setattr(boto_shared, "_botocore_environ_proxies", counting)
    monkeypatch.setattr(boto_shared, "_proxies", {})
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    for _ in range(3):
        _session().client("sqs", region_name="eu-west-1")
    assert asked == ["https://sqs.eu-west-1.amazonaws.com"]
    monkeypatch.setenv("HTTPS_PROXY", "http://other.example:3128")  # another variable: asked again
    client = _session().client("sqs", region_name="eu-west-1")
    assert len(asked) == 2
    assert client._endpoint.http_session._proxy_config._proxies["https"] == "http://other.example:3128"  # noqa: SLF001


def test_proxies_handed_out_are_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    got = boto_shared.environ_proxies("https://logs.us-east-1.amazonaws.com")
    got["https"] = "changed"
    assert boto_shared.environ_proxies("https://logs.us-east-1.amazonaws.com")["https"] == "http://proxy.example:3128"


def test_a_client_gets_the_proxy_of_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    client = _session().client("sqs", region_name="eu-west-1")
    proxies = client._endpoint.http_session._proxy_config._proxies  # noqa: SLF001
    assert proxies == {**urllib.request.getproxies(), "https": "http://proxy.example:3128"}


# --- settled config -------------------------------------------------------------------------------


def test_a_settled_session_reads_every_setting_as_a_plain_one_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "7")
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    plain_core = botocore.session.Session()
    plain = boto3.Session(botocore_session=plain_core, region_name="eu-west-1")
    settled = new_boto_session(region_name="eu-west-1")
    store = settled._session.get_component("config_store")  # noqa: SLF001
    assert type(store).__name__ == "_SettledConfig"
    names = list(plain_core.get_component("config_store")._mapping)  # noqa: SLF001
    assert len(names) > 30
    for _ in range(2):  # the first read and the kept one
        for name in names:
            assert settled._session.get_config_variable(name) == plain._session.get_config_variable(name), name  # noqa: SLF001
    assert settled._session.get_config_variable("max_attempts") == 7  # noqa: SLF001


def test_a_session_variable_set_later_is_read_again() -> None:
    core = _session()._session  # noqa: SLF001
    assert core.get_config_variable("region") == "us-east-1"
    core.set_config_variable("region", "eu-west-1")
    assert core.get_config_variable("region") == "eu-west-1"
    copied = __import__("copy").copy(core.get_component("config_store"))
    core.set_config_variable("region", "ap-south-1")
    assert copied.get_config_variable("region") == "ap-south-1"


def test_each_client_reads_its_own_service_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9/sqs")
    boto = _session()
    sqs, sns = boto.client("sqs", region_name="us-east-1"), boto.client("sns", region_name="us-east-1")
    assert sqs.meta.endpoint_url == "http://127.0.0.1:9/sqs"
    assert sns.meta.endpoint_url == "https://sns.us-east-1.amazonaws.com"
    assert boto.client("sqs", region_name="eu-west-1").meta.endpoint_url == "http://127.0.0.1:9/sqs"


def test_a_dict_setting_is_never_kept() -> None:
    core = _session()._session  # noqa: SLF001
    store = core.get_component("config_store")
    store.set_config_provider("s3", botocore.configprovider.ConstantProvider({"addressing_style": "path"}))
    first = store.get_config_variable("s3")
    assert first == {"addressing_style": "path"}
    assert "s3" not in store._read  # noqa: SLF001


def test_a_session_not_in_legacy_defaults_mode_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULTS_MODE", "standard")
    core = _session()._session  # noqa: SLF001
    assert type(core.get_component("config_store")) is botocore.configprovider.ConfigValueStore
    assert boto_shared.settle_config(core) is False


# --- client classes across sessions ----------------------------------------------------------------


def test_clients_of_one_service_share_a_class_across_sessions() -> None:
    sessions = [_session() for _ in range(3)]
    for service in SERVICES:
        classes = {type(boto.client(service, region_name=r)) for boto in sessions for r in REGIONS[:2]}
        assert len(classes) == 1, service
    assert hasattr(sessions[0].client("s3", region_name="us-east-1"), "upload_file")  # boto3's own hook ran


def test_a_session_with_its_own_class_hook_gets_its_own_class() -> None:
    usual, hooked = _session(), _session()
    marker = object()

    def add_method(class_attributes: dict[str, Any], **_: Any) -> None:
        class_attributes["marked"] = lambda self: marker

    hooked.events.register("creating-client-class.logs", add_method)
    emitter = hooked._session.get_component("event_emitter")  # noqa: SLF001
    assert class_handlers(emitter, hooked.client("logs").meta.service_model) is None
    mine = hooked.client("logs", region_name="us-east-1")
    theirs = usual.client("logs", region_name="us-east-1")
    assert mine.marked() is marker
    assert not hasattr(theirs, "marked")
    assert type(mine) is not type(theirs)
    assert type(hooked.client("logs", region_name="eu-west-1")) is type(mine)  # still one per session


def test_aws_session_clients_come_from_settled_shared_sessions() -> None:
    session = AwsSession(SessionOptions(endpoint_url="http://127.0.0.1:9"), boto_session=_session())
    client = session.client("logs", "eu-west-1")
    assert client.meta.endpoint_url == "http://127.0.0.1:9"
    assert type(session.boto._session.get_component("config_store")).__name__ == "_SettledConfig"  # noqa: SLF001


# --- a botocore without the pieces ----------------------------------------------------------------


def test_a_shortcut_whose_botocore_piece_is_gone_is_left_out_and_the_rest_still_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """boto3 is not pinned: a release that renames what a shortcut stands in for loses that
    shortcut, never the import (nor the scan)."""
    monkeypatch.delattr(botocore.endpoint, "get_environ_proxies")
    monkeypatch.setattr(boto_shared, "_BotocoreEndpointProvider", None)
    monkeypatch.setattr(boto_shared, "INSTALLED", {})
    monkeypatch.setattr(botocore.configprovider.ConfigValueStore, "__init__", lambda self, mapping=None: None)
    boto_shared._install()  # noqa: SLF001
    assert boto_shared.INSTALLED["proxies"] is False
    assert boto_shared.INSTALLED["rules"] is False
    assert boto_shared.INSTALLED["settings"] is False
    assert boto_shared.INSTALLED["aliases"] and boto_shared.INSTALLED["timestamps"] and boto_shared.INSTALLED["models"]
    assert not hasattr(botocore.endpoint, "get_environ_proxies")  # nothing put in its place
    monkeypatch.undo()
    core = botocore.session.Session()
    monkeypatch.setattr(boto_shared, "INSTALLED", {"settings": False})
    assert boto_shared.settle_config(core) is False
    assert type(core.get_component("config_store")) is botocore.configprovider.ConfigValueStore
