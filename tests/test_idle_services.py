"""The CloudWatch checks of Redshift clusters, ElastiCache clusters, SageMaker endpoints and
OpenSearch domains (``idle-redshift``, ``idle-elasticache``, ``idle-sagemaker-endpoint``,
``idle-opensearch``) against moto with seeded metrics: idle (exact saving and evidence), busy,
no data, the rows not checked, and the dimension sets AWS publishes each metric with (moto,
like CloudWatch, matches a metric by its whole dimension set)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from tests.support.helpers import moto_session, scan
from tests.support.metrics import check_days
from tracker_tui.aws.idle import IDLE_CHECK, plan_checks, run_checks
from tracker_tui.aws.kinds import REGISTRY, Thresholds
from tracker_tui.aws.kinds.metric import DAY
from tracker_tui.demo_estate import RegionSeeder, seed_family_region
from tracker_tui.demo_estate import metrics as demo_metrics
from tracker_tui.demo_estate import opensearch as demo_opensearch
from tracker_tui.demo_estate import redshift as demo_redshift
from tracker_tui.demo_estate import sagemaker as demo_sagemaker
from tracker_tui.model import Finding, Resource

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
REGION = "us-east-1"
ACCOUNT = "123456789012"
IDS = {"idle-redshift", "idle-elasticache", "idle-sagemaker-endpoint", "idle-opensearch"}


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def _checked(kind: str, thresholds: Thresholds | None = None) -> dict[str, Resource]:
    """Scan ``kind`` and run the checks over its rows: every row judged, by id."""
    session = moto_session()
    rows, _ = scan([kind], session=session)
    report = run_checks(plan_checks(rows), lambda _: session, now=NOW, thresholds=thresholds)
    return {r.id: r for r in report.resources}


def _found(row: Resource) -> list[Finding]:
    """The row's findings from these checks (the kind's own rules may add others)."""
    return [f for f in row.findings if f.id in IDS]


def _put(namespace: str, metric: str, dimensions: dict[str, str], daily: list[float]) -> None:
    """One datapoint a day, at noon, with exactly ``dimensions``."""
    data = [
        {
            "MetricName": metric,
            "Dimensions": [{"Name": name, "Value": value} for name, value in dimensions.items()],
            "Timestamp": day + timedelta(hours=12),
            "Value": value,
        }
        for value, day in zip(daily, check_days(NOW), strict=False)
    ]
    boto3.client("cloudwatch", region_name=REGION).put_metric_data(Namespace=namespace, MetricData=data)


def _every_day(value: float) -> list[float]:
    return [value] * 14


# --- Redshift ------------------------------------------------------------------------------------


def _redshift_cluster(name: str, node_type: str = "dc2.large", nodes: int = 1) -> None:
    boto3.client("redshift", region_name=REGION).create_cluster(
        ClusterIdentifier=name,
        NodeType=node_type,
        NumberOfNodes=nodes,
        ClusterType="single-node" if nodes == 1 else "multi-node",
        MasterUsername="admin",
        MasterUserPassword="NotASecret1",
    )


def _redshift_metrics(name: str, connections: float, cpu: float) -> None:
    _put("AWS/Redshift", "DatabaseConnections", {"ClusterIdentifier": name}, _every_day(connections))
    _put("AWS/Redshift", "CPUUtilization", {"ClusterIdentifier": name}, _every_day(cpu))


def test_redshift_without_connections_and_quiet_cpu_is_idle_and_pausing_saves_its_nodes(aws: None) -> None:
    for name in ("mart", "warehouse", "busy-cpu", "used", "silent"):
        _redshift_cluster(name, *(("ra3.xlplus", 2) if name == "warehouse" else ()))
    _redshift_metrics("mart", 0.0, 2.4)
    _redshift_metrics("warehouse", 0.0, 1.0)
    _redshift_metrics("busy-cpu", 0.0, 5.0)  # no connection, but 5.0% is not under 5%
    _redshift_metrics("used", 3.0, 1.0)  # quiet CPU, but someone is connected

    got = _checked("redshift:cluster")

    [finding] = _found(got["mart"])
    assert (finding.id, finding.monthly_saving, finding.confidence, finding.action) == (
        "idle-redshift", 182.5, "high", "pause",
    )  # fmt: skip  # dc2.large $0.25/h x 730 h
    assert finding.evidence.startswith(
        "DatabaseConnections over 14 days (14 daily datapoints): highest daily maximum 0 (no connection); "
        "CPUUtilization highest daily maximum 2.4% (under 5.0%); pausing it saves its node charge, $182.50/mo"
    )
    assert "paused, it still bills its storage" in finding.evidence
    # RA3: the row's cost is its nodes (managed storage is usage-dependent): all of it is saved.
    [ra3] = _found(got["warehouse"])
    assert (got["warehouse"].monthly_cost, ra3.monthly_saving) == (1585.56, 1585.56)  # 2 x $1.086/h x 730 h
    assert not _found(got["busy-cpu"]) and "maximum 5.0% (not under 5.0%)" in got["busy-cpu"].details[IDLE_CHECK]
    assert not _found(got["used"]) and "highest daily maximum 3 (more than 0)" in got["used"].details[IDLE_CHECK]
    silent = "no data: CloudWatch has no DatabaseConnections (Maximum), CPUUtilization (Maximum) datapoints"
    assert got["silent"].details[IDLE_CHECK].startswith(silent)
    # The kind's "stop" key is its pause: the finding names the action that realises it.
    assert REGISTRY["redshift:cluster"].verbs["stop"] == "pause"


def test_redshift_cpu_is_the_clusters_series_and_its_bound_a_setting(aws: None) -> None:
    _redshift_cluster("per-node")
    _redshift_cluster("adhoc")
    # CPU published only per node (ClusterIdentifier, NodeID): not the cluster's series.
    _put("AWS/Redshift", "DatabaseConnections", {"ClusterIdentifier": "per-node"}, _every_day(0.0))
    _put("AWS/Redshift", "CPUUtilization", {"ClusterIdentifier": "per-node", "NodeID": "Shared"}, _every_day(1.0))
    _redshift_metrics("adhoc", 0.0, 7.5)

    got = _checked("redshift:cluster")
    assert got["per-node"].details[IDLE_CHECK].startswith("no data: CloudWatch has no CPUUtilization (Maximum)")
    assert not _found(got["adhoc"]) and "7.5% (not under 5.0%)" in got["adhoc"].details[IDLE_CHECK]

    loose = _checked("redshift:cluster", Thresholds(idle_redshift_cpu_max_percent=10.0))
    assert [f.id for f in _found(loose["adhoc"])] == ["idle-redshift"]
    assert "7.5% (under 10.0%)" in _found(loose["adhoc"])[0].evidence


def test_a_paused_redshift_cluster_is_not_checked(aws: None) -> None:
    _redshift_cluster("running")
    _redshift_cluster("paused")
    boto3.client("redshift", region_name=REGION).pause_cluster(ClusterIdentifier="paused")
    _redshift_metrics("paused", 0.0, 0.0)
    rows, _ = scan(["redshift:cluster"])

    plan = plan_checks(rows)

    assert [t.resource.id for t in plan.targets] == ["running"] and plan.skipped == 1
    [target] = plan.targets
    assert target.queries == (
        ("AWS/Redshift", "DatabaseConnections", "Maximum", (("ClusterIdentifier", "running"),), DAY),
        ("AWS/Redshift", "CPUUtilization", "Maximum", (("ClusterIdentifier", "running"),), DAY),
    )


# --- ElastiCache ---------------------------------------------------------------------------------


def _cache(name: str, engine: str = "redis", nodes: int = 1) -> None:
    boto3.client("elasticache", region_name=REGION).create_cache_cluster(
        CacheClusterId=name, Engine=engine, CacheNodeType="cache.t3.medium", NumCacheNodes=nodes
    )


def _connections(name: str, daily: list[float], **more: str) -> None:
    _put("AWS/ElastiCache", "CurrConnections", {"CacheClusterId": name, **more}, daily)


def test_a_cache_with_only_elasticaches_own_connections_is_idle(aws: None) -> None:
    for name in ("quiet", "busy", "edge", "silent"):
        _cache(name)
    _cache("pages", "memcached", 2)
    _connections("quiet", [4.0] * 13 + [6.0])  # ElastiCache's monitoring holds 4 to 6
    _connections("busy", _every_day(240.0))
    _connections("edge", [5.0] * 13 + [7.0])  # one client, one day
    _connections("pages", _every_day(0.0))

    got = _checked("elasticache:cluster")

    [finding] = _found(got["quiet"])
    assert (finding.id, finding.monthly_saving, finding.confidence, finding.action) == (
        "idle-elasticache", 49.64, "medium", None,
    )  # fmt: skip  # cache.t3.medium redis $0.068/h x 730 h
    assert finding.evidence.startswith(
        "CurrConnections over 14 days (14 daily datapoints): highest daily maximum 6 (at most 6, counting "
        "ElastiCache's own monitoring connections); deleting it saves its cost, $49.64/mo"
    )
    assert not _found(got["busy"]) and "highest daily maximum 240 (more than 6" in got["busy"].details[IDLE_CHECK]
    assert not _found(got["edge"]) and "highest daily maximum 7 (more than 6" in got["edge"].details[IDLE_CHECK]
    assert got["silent"].details[IDLE_CHECK].startswith("no data: CloudWatch has no CurrConnections (Maximum)")
    # Memcached counts internal connections by its thread count on top: not checked at all.
    assert "pages" not in got


def test_cache_connections_are_the_clusters_series_and_the_bound_a_setting(aws: None) -> None:
    _cache("per-node")
    _cache("quiet")
    _connections("per-node", _every_day(0.0), CacheNodeId="0001")  # the node's series alone
    _connections("quiet", _every_day(5.0))

    got = _checked("elasticache:cluster")
    assert got["per-node"].details[IDLE_CHECK].startswith("no data: ")
    assert [f.id for f in _found(got["quiet"])] == ["idle-elasticache"]

    strict = _checked("elasticache:cluster", Thresholds(idle_cache_connections=0.0))
    assert not _found(strict["quiet"]) and "5 (more than 0" in strict["quiet"].details[IDLE_CHECK]


def test_only_available_standalone_valkey_and_redis_clusters_are_checked() -> None:
    def cache(ident: str, state: str = "available", engine: str = "redis", **details: object) -> Resource:
        return Resource(
            kind="elasticache:cluster", id=ident, region=REGION, state=state, account_id=ACCOUNT,
            details={"engine": engine, "node_type": "cache.t3.medium", "num_nodes": 1, **details},
        )  # fmt: skip

    rows = [
        cache("redis"),
        cache("valkey", engine="valkey"),
        cache("replica", replication_group_id="sessions"),  # a group's failover, not waste
        cache("memcached", engine="memcached"),
        cache("creating", state="creating"),
    ]

    plan = plan_checks(rows)

    assert [t.resource.id for t in plan.targets] == ["redis", "valkey"] and plan.skipped == 3


# --- SageMaker endpoints -------------------------------------------------------------------------


def _endpoint(name: str, *variants: tuple[str, str | None]) -> None:
    """An endpoint with ``variants`` (name, instance type; None: serverless)."""
    sm = boto3.client("sagemaker", region_name=REGION)
    sm.create_model(
        ModelName=f"{name}-model",
        ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/sagemaker-exec",
        PrimaryContainer={"Image": "pytorch-inference:2.1-cpu-py310"},
    )
    production = []
    for variant, itype in variants:
        size = (
            {"InstanceType": itype, "InitialInstanceCount": 1}
            if itype
            else {"ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}
        )
        production.append({"VariantName": variant, "ModelName": f"{name}-model", **size})
    sm.create_endpoint_config(EndpointConfigName=f"{name}-config", ProductionVariants=production)
    sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")


def _invocations(name: str, daily: list[float], variant: str | None = "AllTraffic") -> None:
    dimensions = {"EndpointName": name, **({"VariantName": variant} if variant else {})}
    _put("AWS/SageMaker", "Invocations", dimensions, daily)


def test_an_endpoint_nothing_invokes_is_idle_and_deleting_it_saves_its_instances(aws: None) -> None:
    for name in ("quiet", "used", "silent", "endpoint-wide"):
        _endpoint(name, ("AllTraffic", "ml.m5.large"))
    _invocations("quiet", _every_day(0.0))
    _invocations("used", [0.0] * 13 + [3.0])
    # Published without the variant: not the series AWS publishes, so not the one read.
    _invocations("endpoint-wide", _every_day(0.0), variant=None)

    got = _checked("sagemaker:endpoint")

    [finding] = _found(got["quiet"])
    assert (finding.id, finding.monthly_saving, finding.confidence, finding.action) == (
        "idle-sagemaker-endpoint", 83.95, "high", "delete",
    )  # fmt: skip  # 1 x ml.m5.large $0.115/h x 730 h
    assert finding.evidence.startswith(
        "Invocations of variant AllTraffic over 14 days (14 daily datapoints): 0; deleting it saves its instances, "
        "$83.95/mo"
    )
    assert "its configuration quiet-config and model stay" in finding.evidence
    assert not _found(got["used"]) and "(14 daily datapoints): 3 (checked" in got["used"].details[IDLE_CHECK]
    for silent in ("silent", "endpoint-wide"):
        assert got[silent].details[IDLE_CHECK].startswith("no data: CloudWatch has no Invocations (Sum)"), silent


def test_endpoints_are_read_per_variant_and_only_single_instance_variants_are_checked(aws: None) -> None:
    _endpoint("single", ("blue", "ml.c5.large"))
    _endpoint("ab-test", ("a", "ml.m5.large"), ("b", "ml.m5.large"))
    _endpoint("serverless", ("AllTraffic", None))
    rows, _ = scan(["sagemaker:endpoint"])
    not_in_service = [
        Resource(kind="sagemaker:endpoint", id=f"ep-{state}", region=REGION, state=state, account_id=ACCOUNT,
                 details={"variants": [{"name": "AllTraffic", "instance_type": "ml.m5.large", "instance_count": 1}]})
        for state in ("Creating", "Updating", "Failed", "OutOfService")
    ]  # fmt: skip

    plan = plan_checks([*rows, *not_in_service])

    # Two variants: one variant's silence says nothing of the other's traffic.  Serverless
    # bills per request: idle, it costs nothing to find.  Not InService: not serving anyway.
    assert [t.resource.id for t in plan.targets] == ["single"] and plan.skipped == 6
    [target] = plan.targets
    assert target.queries == (
        ("AWS/SageMaker", "Invocations", "Sum", (("EndpointName", "single"), ("VariantName", "blue")), DAY),
    )


# --- OpenSearch domains --------------------------------------------------------------------------


def _domain(name: str) -> None:
    boto3.client("opensearch", region_name=REGION).create_domain(
        DomainName=name,
        ClusterConfig={"InstanceType": "t3.small.search", "InstanceCount": 1},
        EBSOptions={"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 10},
    )


def _rates(name: str, search: list[float] | None, indexing: list[float] | None, client: str = ACCOUNT) -> None:
    dimensions = {"DomainName": name, "ClientId": client}
    if search is not None:
        _put("AWS/ES", "SearchRate", dimensions, search)
    if indexing is not None:
        _put("AWS/ES", "IndexingRate", dimensions, indexing)


def test_a_domain_with_no_searches_and_no_indexing_is_idle(aws: None) -> None:
    for name in ("quiet", "searched", "indexed", "silent", "half-silent", "no-client"):
        _domain(name)
    _rates("quiet", _every_day(0.0), _every_day(0.0))
    _rates("searched", [0.0] * 13 + [12.0], _every_day(0.0))
    _rates("indexed", _every_day(0.0), [0.0] * 13 + [1.5])
    _rates("half-silent", _every_day(0.0), None)  # IndexingRate missing: not judged
    _put("AWS/ES", "SearchRate", {"DomainName": "no-client"}, _every_day(0.0))  # without ClientId
    _put("AWS/ES", "IndexingRate", {"DomainName": "no-client"}, _every_day(0.0))

    got = _checked("opensearch:domain")

    [finding] = _found(got["quiet"])
    assert got["quiet"].monthly_cost == 27.5  # t3.small.search $0.036/h x 730 h + gp3 10 GB x $0.122
    assert (finding.id, finding.monthly_saving, finding.confidence, finding.action) == (
        "idle-opensearch", 27.5, "medium", None,
    )  # fmt: skip
    assert finding.evidence.startswith(
        "SearchRate over 14 days (14 daily datapoints): sum 0; IndexingRate (14 daily datapoints): sum 0; "
        "deleting it saves its cost, $27.50/mo"
    )
    assert not _found(got["searched"]) and not _found(got["indexed"])
    assert "SearchRate over 14 days (14 daily datapoints): sum 12;" in got["searched"].details[IDLE_CHECK]
    assert "IndexingRate (14 daily datapoints): sum 1.50" in got["indexed"].details[IDLE_CHECK]
    assert got["half-silent"].details[IDLE_CHECK].startswith("no data: CloudWatch has no IndexingRate (Sum)")
    assert got["silent"].details[IDLE_CHECK].startswith("no data: CloudWatch has no SearchRate (Sum), IndexingRate")
    assert got["no-client"].details[IDLE_CHECK].startswith("no data: ")


def test_domains_are_read_with_their_account_as_client_id_and_only_while_serving() -> None:
    rows = [
        Resource(kind="opensearch:domain", id=f"d-{state}", region=REGION, state=state, account_id=ACCOUNT)
        for state in ("active", "processing", "upgrading", "creating", "deleting")
    ]

    plan = plan_checks(rows)

    assert [t.resource.id for t in plan.targets] == ["d-active", "d-processing", "d-upgrading"]
    assert plan.targets[0].queries == tuple(
        ("AWS/ES", metric, "Sum", (("DomainName", "d-active"), ("ClientId", ACCOUNT)), DAY)
        for metric in ("SearchRate", "IndexingRate")
    )


# --- the demo's datapoints -----------------------------------------------------------------------


def test_the_demo_seeds_one_idle_row_of_each_busy_ones_and_rows_without_data() -> None:
    regions = {"us-east-1": "prod", "us-west-2": "staging", "ap-southeast-2": "dev"}
    kinds = ["redshift:cluster", "elasticache:cluster", "sagemaker:endpoint", "opensearch:domain"]
    with mock_aws():
        boto = boto3.Session(region_name="us-east-1")
        for region, env in regions.items():
            seeder = RegionSeeder(boto, None, region, 1)
            seeder.elasticache(env)
            for family in (demo_redshift, demo_sagemaker, demo_opensearch, demo_metrics):
                seed_family_region(family, seeder, env)
        session = moto_session()
        rows, _ = scan(kinds, list(regions), session=session)
        report = run_checks(plan_checks(rows), lambda _: session)

    outcome = {r.id: r.details[IDLE_CHECK].split(":")[0] for r in report.resources}
    found = {(r.kind, r.id, f.id) for r in report.resources for f in _found(r)}
    assert found == {
        ("redshift:cluster", demo_redshift.LEGACY_MART, "idle-redshift"),
        ("elasticache:cluster", "staging-sessions", "idle-elasticache"),
        ("sagemaker:endpoint", demo_sagemaker.IDLE_ENDPOINT, "idle-sagemaker-endpoint"),
        ("opensearch:domain", demo_opensearch.IDLE_DOMAIN, "idle-opensearch"),
    }
    assert outcome == {
        "prod-legacy-mart": "idle", "prod-warehouse": "busy",  # staging's warehouse is paused: not checked
        "staging-sessions": "idle", "prod-sessions": "busy", "dev-sessions": "no data",
        "churn-predictor-v2": "idle", "churn-predictor": "busy",
        "prod-catalog-v1": "idle", "prod-logs": "busy", "staging-search": "no data",
    }  # fmt: skip
    # Every idle one is priced: the demo shows what each saves.
    assert all(f.monthly_saving for r in report.resources for f in _found(r))
