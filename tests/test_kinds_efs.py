"""EFS file systems (aws/kinds/efs.py) against moto: fields, paging past page 1; and their prices,
with what it cannot price and why."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import error_response, named, record_calls
from tracker_tui.aws.kinds import estimate, price_resources
from tracker_tui.filtering import parse_filter
from tracker_tui.findings import with_findings
from tracker_tui.model import Resource

ACCOUNT = "123456789012"
EFS = "efs:file-system"
GIB = 2**30


def row(kind: str, region: str = "us-east-1", state: str = "available", **details: Any) -> Resource:
    return Resource(kind=kind, id="x", region=region, account_id=ACCOUNT, state=state, details=details)


# --- EFS -----------------------------------------------------------------------------------------


def test_efs_file_systems_fields_and_paging_past_the_first_page() -> None:
    with mock_aws():
        efs = boto3.client("efs", region_name="us-east-1")
        first = efs.create_file_system(
            CreationToken="home",
            ThroughputMode="provisioned",
            ProvisionedThroughputInMibps=64,
            Encrypted=True,
            Tags=[{"Key": "Name", "Value": "shared-home"}, {"Key": "env", "Value": "prod"}],
        )["FileSystemId"]
        subnet = boto3.client("ec2", region_name="us-east-1").describe_subnets()["Subnets"][0]["SubnetId"]
        efs.create_mount_target(FileSystemId=first, SubnetId=subnet)
        others = [efs.create_file_system(CreationToken=f"fs-{i}")["FileSystemId"] for i in range(4)]
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan([EFS], session=session, page_size=2)

    found = {r.id: r for r in resources}
    assert set(found) == {first, *others}
    pages = named(calls, "efs.DescribeFileSystems")
    assert len(pages) == 3 and all(p["MaxItems"] == 2 for p in pages)
    assert [bool(p.get("Marker")) for p in pages] == [False, True, True]
    home = found[first]
    assert home.arn == f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/{first}"
    assert (home.name, home.state, home.tags) == ("shared-home", "available", {"Name": "shared-home", "env": "prod"})
    assert {
        k: home.details[k] for k in ("throughput_mode", "provisioned_throughput_mibps", "mount_targets", "encrypted")
    } == {
        "throughput_mode": "provisioned",
        "provisioned_throughput_mibps": 64.0,
        "mount_targets": 1,
        "encrypted": True,
    }
    assert home.details["size_bytes"] == 0 and home.details["performance_mode"] == "generalPurpose"
    assert found[others[0]].details["throughput_mode"] == "bursting"


def test_efs_prices_standard_and_names_what_it_cannot_price() -> None:
    fs = row(
        EFS, size_bytes=160 * GIB, size_standard_bytes=100 * GIB, size_ia_bytes=50 * GIB, size_archive_bytes=10 * GIB
    )
    cost, basis = estimate(fs)
    assert cost == 30.0  # 100 GB x $0.30
    assert basis == (
        "EFS Standard us-east-1, 100 GB x $0.30/GB-mo = $30.00; "
        "+ Infrequent Access 50 GB and Archive 10 GB: no catalogue price, not included"
    )
    provisioned = row(EFS, size_bytes=int(12.5 * GIB), throughput_mode="provisioned", provisioned_throughput_mibps=64.0)
    assert estimate(provisioned) == (
        3.75,
        "EFS Standard us-east-1, 12.5 GB x $0.30/GB-mo = $3.75; + provisioned throughput 64 MiB/s, not priced",
    )
    elastic = row(EFS, size_bytes=GIB, throughput_mode="elastic")
    assert estimate(elastic)[1].endswith("; + elastic throughput reads and writes, usage-dependent")


def test_efs_unknown_prices_say_why() -> None:
    assert estimate(row(EFS, "eu-west-1", size_bytes=GIB)) == (None, "no catalogue price for EFS in eu-west-1")
    one_zone = row(EFS, size_bytes=GIB, availability_zone="us-east-1a")
    assert estimate(one_zone) == (None, "no catalogue price for EFS One Zone storage in us-east-1")
    assert estimate(row(EFS)) == (None, "EFS: metered size unknown")


# --- efs-no-lifecycle ------------------------------------------------------------------------------


def test_each_file_system_says_where_its_lifecycle_policy_moves_files() -> None:
    with mock_aws():
        efs = boto3.client("efs", region_name="us-east-1")
        ids = {
            name: efs.create_file_system(CreationToken=name)["FileSystemId"] for name in ("tiered", "archived", "bare")
        }
        efs.put_lifecycle_configuration(
            FileSystemId=ids["tiered"],
            LifecyclePolicies=[
                {"TransitionToIA": "AFTER_30_DAYS"},
                {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
            ],
        )
        efs.put_lifecycle_configuration(
            FileSystemId=ids["archived"], LifecyclePolicies=[{"TransitionToArchive": "AFTER_90_DAYS"}]
        )
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan([EFS], session=session)

    found = {r.id: (r.details["transition_to_ia"], r.details["transition_to_archive"]) for r in resources}
    assert found == {
        ids["tiered"]: ("AFTER_30_DAYS", "none"),
        ids["archived"]: ("none", "AFTER_90_DAYS"),
        ids["bare"]: ("none", "none"),
    }
    assert sorted(p["FileSystemId"] for p in named(calls, "efs.DescribeLifecycleConfiguration")) == sorted(ids.values())


def _fs(ident: str, state: str = "available", region: str = "us-east-1", **details: Any) -> Resource:
    base: dict[str, Any] = {"size_bytes": 200 * GIB, "size_standard_bytes": 200 * GIB,
                            "transition_to_ia": "none", "transition_to_archive": "none", **details}  # fmt: skip
    return Resource(kind=EFS, id=ident, region=region, account_id=ACCOUNT, state=state, details=base)


def test_efs_no_lifecycle_is_standard_bytes_with_no_policy_moving_them() -> None:
    rows = [
        _fs("bare"),
        _fs("no-breakdown", size_standard_bytes=None),  # all of it Standard, as the estimate counts it
        _fs("tiered", transition_to_ia="AFTER_30_DAYS"),
        _fs("archived", transition_to_archive="AFTER_90_DAYS"),
        _fs("empty", size_bytes=0, size_standard_bytes=0),
        _fs("size-unknown", size_bytes=None, size_standard_bytes=None),
        _fs("denied", transition_to_ia="unknown", transition_to_archive="unknown"),
        _fs("going", state="deleting"),
        Resource(kind=EFS, id="never-read", region="us-east-1", state="available", details={"size_bytes": GIB}),
    ]
    rows = with_findings(price_resources(rows))
    found = {r.id: f for r in rows for f in r.findings if f.id == "efs-no-lifecycle"}
    shown = parse_filter("finding:efs-no-lifecycle")
    assert sorted(found) == ["bare", "no-breakdown"] == sorted(r.id for r in rows if shown.matches(r))
    bare = found["bare"]
    assert (bare.monthly_saving, bare.confidence, bare.action) == (None, "medium", None)  # unknown, never $0
    assert bare.evidence == (
        "200 GB in EFS Standard ($60.00/mo), and no lifecycle policy moves files to Infrequent Access or Archive "
        "(DescribeLifecycleConfiguration: no TransitionToIA, no TransitionToArchive): files never read again stay "
        "billed at the Standard rate; saving unknown: depends on how much of it goes unread for weeks, which nothing "
        "AWS reports measures before a policy is set (after one, the file system's StorageBytes metric by storage "
        "class shows what moved)"
    )


def test_a_denied_lifecycle_read_is_unknown_noted_and_never_a_finding() -> None:
    with mock_aws():
        ident = boto3.client("efs", region_name="us-east-1").create_file_system(CreationToken="x")["FileSystemId"]
        session = helpers.moto_session()

        def answer(model: Any, **_: Any) -> Any:
            if model.name == "DescribeLifecycleConfiguration":
                return error_response("AccessDenied", "not authorized", 403)
            return None

        session.boto.events.register("before-call", answer)
        resources, collector = helpers.scan([EFS], session=session)

    (fs,) = resources
    assert fs.id == ident
    assert (fs.details["transition_to_ia"], fs.details["transition_to_archive"]) == ("unknown", "unknown")
    assert fs.details["unreadable"] == ["lifecycle unreadable (AccessDenied)"]
    assert [r.status.value for r in collector.results] == ["partial"]
    # Were it read, it would be flagged: give it bytes and it still is not.
    sized = Resource(kind=EFS, id=ident, region="us-east-1", state="available",
                     details={**fs.details, "size_standard_bytes": 100 * GIB})  # fmt: skip
    assert with_findings(price_resources([sized]))[0].findings == ()
