"""VPC endpoints (aws/kinds/ec2_vpc_endpoint.py): interface and gateway with their AZs, against moto;
paging past page 1 (Stubber: moto ignores MaxResults); and their prices by type, AZs and region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.stubs import CREATED, CREATED_ISO, Stubs, collect
from tracker_tui.aws.kinds import estimate, price_resources
from tracker_tui.aws.kinds.ec2_vpc_endpoint import KIND as VPC_ENDPOINT
from tracker_tui.aws.kinds.ec2_vpc_endpoint import list_vpc_endpoints
from tracker_tui.model import Resource

REGION = "us-east-1"


def _tags(resource_type: str, **tags: str) -> dict[str, Any]:
    return {
        "TagSpecifications": [
            {"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    }


def _by_id(kind: str, region: str = REGION, **scan: Any) -> dict[str, Resource]:
    resources, collector = helpers.scan([kind], [region], **scan)
    assert [r.status.value for r in collector.results] in (["done"], ["empty"]), collector.results
    return {r.id: r for r in price_resources(resources)}


# --- paging past page 1 (Stubber) -----------------------------------------------------------------


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    made = Stubs()
    yield made
    made.deactivate()


def test_vpc_endpoints_page_past_the_first(stubs: Stubs) -> None:
    ec2 = stubs("ec2")

    def endpoint(ident: str, kind: str, subnets: list[str], state: str = "available") -> dict[str, Any]:
        return {
            "VpcEndpointId": ident,
            "VpcEndpointType": kind,
            "VpcId": "vpc-0a",
            "ServiceName": "com.amazonaws.us-east-1.ssm",
            "State": state,
            "SubnetIds": subnets,
            "PrivateDnsEnabled": True,
            "CreationTimestamp": CREATED,
            "Tags": [{"Key": "Name", "Value": ident}],
        }

    ec2.add_response(
        "describe_vpc_endpoints",
        {"VpcEndpoints": [endpoint("vpce-01", "Interface", ["subnet-a", "subnet-b"])], "NextToken": "vpce-2"},
        {"MaxResults": 2},
    )
    ec2.add_response(
        "describe_vpc_endpoints",
        {
            "VpcEndpoints": [
                endpoint("vpce-02", "GatewayLoadBalancer", ["subnet-a"], state="pendingAcceptance"),
                endpoint("vpce-03", "Interface", ["subnet-a"], state="Deleted"),
            ]
        },
        {"MaxResults": 2, "NextToken": "vpce-2"},
    )

    found = collect(list_vpc_endpoints(stubs.context(REGION, [REGION], page_size=2)))

    stubs.assert_no_pending_responses()
    assert set(found) == {"vpce-01", "vpce-02"}  # a deleted endpoint is not listed
    assert found["vpce-02"].state == "pendingacceptance"
    assert found["vpce-02"].details["az_count"] == 1
    assert found["vpce-01"].created == CREATED_ISO


# --- against moto ---------------------------------------------------------------------------------


def test_vpc_endpoints_list_interface_and_gateway_with_their_azs() -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"][
                "SubnetId"
            ]
            for i, z in enumerate("ab")
        ]
        interface = ec2.create_vpc_endpoint(
            VpcId=vpc,
            VpcEndpointType="Interface",
            ServiceName="com.amazonaws.us-east-1.ssm",
            SubnetIds=subnets,
            PrivateDnsEnabled=True,
            **_tags("vpc-endpoint", Name="ssm", env="prod"),
        )["VpcEndpoint"]["VpcEndpointId"]
        gateway = ec2.create_vpc_endpoint(
            VpcId=vpc, VpcEndpointType="Gateway", ServiceName="com.amazonaws.us-east-1.s3"
        )["VpcEndpoint"]["VpcEndpointId"]
        gone = ec2.create_vpc_endpoint(
            VpcId=vpc, VpcEndpointType="Gateway", ServiceName="com.amazonaws.us-east-1.dynamodb"
        )["VpcEndpoint"]["VpcEndpointId"]
        ec2.delete_vpc_endpoints(VpcEndpointIds=[gone])
        rows = _by_id(VPC_ENDPOINT)

    assert set(rows) == {interface, gateway}  # moto keeps the deleted one listed as "deleted"
    row = rows[interface]
    assert (row.name, row.state, row.tags) == ("ssm", "available", {"Name": "ssm", "env": "prod"})
    d = row.details
    assert (d["endpoint_type"], d["service_name"], d["service"], d["vpc_id"]) == (
        "Interface",
        "com.amazonaws.us-east-1.ssm",
        "ssm",
        vpc,
    )
    assert (d["subnet_ids"], d["az_count"], d["private_dns_enabled"]) == (subnets, 2, True)
    assert d["dns_name"].startswith(interface)
    assert "az_count" not in rows[gateway].details
    assert (row.monthly_cost, rows[gateway].monthly_cost) == (14.6, 0.0)


# --- prices --------------------------------------------------------------------------------------------


def _row(kind: str, region: str = REGION, state: str = "available", **details: Any) -> Resource:
    return Resource(kind=kind, id="x", region=region, state=state, details=details)


@pytest.mark.parametrize(
    ("endpoint_type", "region", "state", "azs", "cost", "basis"),
    [
        ("Interface", "us-east-1", "available", 2, 14.6,
         "interface endpoint us-east-1, 2 AZs x $0.0100/h x 730 h = $14.60 + data processed, usage-dependent"),
        ("GatewayLoadBalancer", "us-west-2", "available", 1, 7.3,
         "Gateway Load Balancer endpoint us-west-2, 1 AZ x $0.0100/h x 730 h = $7.30 "
         "+ data processed, usage-dependent"),
        ("Interface", "us-east-2", "pendingacceptance", 3, 21.9,
         "interface endpoint us-east-2, 3 AZs x $0.0100/h x 730 h = $21.90 + data processed, usage-dependent"),
        ("Gateway", "eu-west-1", "available", None, 0.0,
         "gateway endpoint (s3): free, no hourly or data processing charge"),
        ("Interface", "eu-west-1", "available", 2, None,
         "no catalogue price for interface endpoint AZ-hours in eu-west-1"),
        ("Interface", "xx-moon-1", "available", 2, None, "no catalogue prices for region xx-moon-1"),
        ("Interface", "us-east-1", "failed", 2, 0.0,
         "failed: an endpoint in this state holds no network interfaces and is not billed"),
        ("Interface", "us-east-1", "available", 0, None, "interface endpoint with no subnets listed: AZ count unknown"),
        ("Resource", "us-east-1", "available", 1, None, "endpoint type Resource: no price known"),
    ],
)  # fmt: skip
def test_vpc_endpoint_price_by_type_azs_and_region(
    endpoint_type: str, region: str, state: str, azs: int | None, cost: float | None, basis: str
) -> None:
    details: dict[str, Any] = {"endpoint_type": endpoint_type, "service": "s3"}
    if azs is not None:
        details["az_count"] = azs
    assert estimate(_row(VPC_ENDPOINT, region, state, **details)) == (cost, basis)
