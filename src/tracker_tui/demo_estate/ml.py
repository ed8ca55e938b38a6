"""The demo estate's EKS clusters, SageMaker notebooks and endpoints, OpenSearch domains, KMS
keys and secrets (per region) and Route 53 hosted zones (once, global), through the public APIs.

Where money hides: a prod cluster left on a Kubernetes version in extended support, a notebook
left InService that nobody uses, a real-time endpoint, a three-node search domain, and the
small fixed fees (keys, secrets, zones).  Seeding is on the demo's start-up path: a few calls
a region.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import boto3

from tracker_tui.aws.kinds.eks import SUPPORT_CALENDAR
from tracker_tui.demo_estate.core import SEED_CONFIG, RegionSeeder

ROLE = "arn:aws:iam::123456789012:role/{name}"
MODEL_IMAGE = "763104351884.dkr.ecr.{region}.amazonaws.com/pytorch-inference:2.1-cpu-py310"

#: Per environment: (notebook, instance type, stopped afterwards).
NOTEBOOKS: dict[str, list[tuple[str, str, bool]]] = {
    "prod": [("ds-exploration", "ml.t3.medium", False), ("ds-forecasting", "ml.t3.large", True)],
    "dev": [("intern-sandbox", "ml.t3.medium", False)],
}
#: Per environment: (secret, scheduled for deletion).
SECRETS: dict[str, list[tuple[str, bool]]] = {
    "prod": [("prod/orders/db", False), ("prod/payments/stripe-key", False), ("prod/legacy-crm/db", True)],
    "prod-eu": [("prod-eu/orders/db", False)],
    "staging": [("staging/orders/db", False), ("staging/ci/deploy-token", False)],
    "dev": [("dev/scratch/api-key", False)],
}
#: Per environment: (key alias, scheduled for deletion).
KEYS: dict[str, list[tuple[str, bool]]] = {
    "prod": [("prod-data", False), ("prod-backups", False), ("prod-old-app", True)],
    "prod-eu": [("prod-eu-data", False)],
    "staging": [("staging-data", False), ("staging-retired", True)],
    "dev": [("dev-data", False)],
}


def eks_versions(today: date) -> tuple[str, str]:
    """(a version in extended support today, the newest in standard support), from the calendar."""
    versions = list(SUPPORT_CALENDAR)
    extended = [v for v in versions if SUPPORT_CALENDAR[v][0] <= today < SUPPORT_CALENDAR[v][1]]
    standard = [v for v in versions if today < SUPPORT_CALENDAR[v][0]]
    return (extended[0] if extended else versions[0]), (standard[-1] if standard else versions[-1])


def seed_region(s: RegionSeeder, env: str) -> int:
    """Seed one environment's clusters, notebooks, endpoints, domains, keys and secrets."""
    return (
        _clusters(s, env)
        + _notebooks(s, env)
        + _endpoints(s, env)
        + _domains(s, env)
        + _keys(s, env)
        + _secrets(s, env)
    )


def _clusters(s: RegionSeeder, env: str) -> int:
    old, current = eks_versions(datetime.now(UTC).date())
    version = {"prod": old, "staging": current}.get(env)
    if version is None:
        return 0
    s.c("eks").create_cluster(
        name=f"{env}-platform",
        version=version,
        roleArn=ROLE.format(name="eks-cluster"),
        resourcesVpcConfig={"endpointPublicAccess": True, "endpointPrivateAccess": env == "prod"},
        tags={"env": env, "team": "platform"},
    )
    return 1


def _notebooks(s: RegionSeeder, env: str) -> int:
    sm = s.c("sagemaker")
    for name, itype, stopped in NOTEBOOKS.get(env, []):
        sm.create_notebook_instance(
            NotebookInstanceName=name,
            InstanceType=itype,
            RoleArn=ROLE.format(name="sagemaker-exec"),
            VolumeSizeInGB=20,
            Tags=s.tags(env=env, team="data"),
        )
        if stopped:
            sm.stop_notebook_instance(NotebookInstanceName=name)
    return len(NOTEBOOKS.get(env, []))


def _endpoints(s: RegionSeeder, env: str) -> int:
    if env != "prod":
        return 0
    sm = s.c("sagemaker")
    sm.create_model(
        ModelName="churn-predictor-v3",
        ExecutionRoleArn=ROLE.format(name="sagemaker-exec"),
        PrimaryContainer={"Image": MODEL_IMAGE.format(region=s.region)},
    )
    sm.create_endpoint_config(
        EndpointConfigName="churn-predictor-v3-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "churn-predictor-v3",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 2,
            }
        ],
    )
    sm.create_endpoint(
        EndpointName="churn-predictor",
        EndpointConfigName="churn-predictor-v3-config",
        Tags=s.tags(env=env, team="data"),
    )
    return 1


def _domains(s: RegionSeeder, env: str) -> int:
    domains: dict[str, dict[str, Any]] = {
        "prod": {
            "DomainName": "prod-logs",
            "EngineVersion": "OpenSearch_2.13",
            "ClusterConfig": {
                "InstanceType": "r6g.large.search",
                "InstanceCount": 3,
                "DedicatedMasterEnabled": True,
                "DedicatedMasterType": "m6g.large.search",
                "DedicatedMasterCount": 3,
                "ZoneAwarenessEnabled": True,
                "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3},
            },
            "EBSOptions": {"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 200},
        },
        "staging": {
            "DomainName": "staging-search",
            "EngineVersion": "OpenSearch_2.11",
            "ClusterConfig": {"InstanceType": "t3.small.search", "InstanceCount": 1},
            "EBSOptions": {"EBSEnabled": True, "VolumeType": "gp2", "VolumeSize": 20},
        },
    }
    spec = domains.get(env)
    if spec is None:
        return 0
    s.c("opensearch").create_domain(**spec, TagList=s.tags(env=env, team="platform"))
    return 1


def _keys(s: RegionSeeder, env: str) -> int:
    kms = s.c("kms")
    for alias, retire in KEYS.get(env, []):
        key = kms.create_key(Description=f"{alias} envelope key", Tags=[{"TagKey": "env", "TagValue": env}])
        key_id = key["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=key_id)
        if retire:
            kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    return len(KEYS.get(env, []))


def _secrets(s: RegionSeeder, env: str) -> int:
    client = s.c("secretsmanager")
    for name, retire in SECRETS.get(env, []):
        client.create_secret(Name=name, SecretString='{"password": "demo-only"}', Tags=s.tags(env=env))
        if retire:
            client.delete_secret(SecretId=name, RecoveryWindowInDays=7)
    return len(SECRETS.get(env, []))


def seed_account(boto: boto3.Session, endpoint: str | None) -> int:
    """The global hosted zones: two public, one private to us-east-1's default VPC."""
    route53 = boto.client("route53", region_name="us-east-1", endpoint_url=endpoint, config=SEED_CONFIG)
    ec2 = boto.client("ec2", region_name="us-east-1", endpoint_url=endpoint, config=SEED_CONFIG)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    zones: list[tuple[str, dict[str, Any], dict[str, str]]] = [
        ("acme-demo.com", {"Comment": "public website"}, {"env": "prod"}),
        ("acme-staging.dev", {"Comment": "staging"}, {"env": "staging"}),
        ("internal.acme", {"Comment": "service discovery", "PrivateZone": True}, {"env": "prod"}),
    ]
    for name, config, tags in zones:
        extra = {"VPC": {"VPCRegion": "us-east-1", "VPCId": vpc}} if config.get("PrivateZone") else {}
        zone = route53.create_hosted_zone(Name=name, CallerReference=f"demo-{name}", HostedZoneConfig=config, **extra)
        route53.change_tags_for_resource(
            ResourceType="hostedzone",
            ResourceId=zone["HostedZone"]["Id"].rsplit("/", 1)[-1],
            AddTags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )
    return len(zones)
