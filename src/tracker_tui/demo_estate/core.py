"""The demo estate's first thirteen kinds: instances, volumes, addresses, NAT gateways,
databases, functions, load balancers, log groups, Auto Scaling groups, caches (per region),
IAM users and roles (global) and buckets (account-wide), through the public APIs."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from tracker_tui.offhours import ROLE, ROLE_POLICY, role_policy, trust_policy

#: The account's alias (IAM), which the confirm dialog asks to be typed, and its id (moto's).
DEMO_ACCOUNT_ALIAS = "acme-staging"
DEMO_ACCOUNT = "123456789012"

#: The demo server's only AMIs (``MOTO_AMIS_PATH``; moto's 1,300 defaults stay unloaded).
DEMO_AMIS_PATH = Path(__file__).with_name("amis.json")
DEMO_LINUX_AMI = "ami-0a7f3c9e2b4d61085"
DEMO_WINDOWS_AMI = "ami-0d4e8b1f6a2c93570"

SEED_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, s3={"addressing_style": "path"})

#: An IAM role in moto's account, by name: what the services that run as a role (EKS, SageMaker) are given.
ROLE_ARN = f"arn:aws:iam::{DEMO_ACCOUNT}:role/{{name}}"


class RegionSeeder:
    """Creates the demo estate in one region through the public APIs.

    ``c(service)`` is the client to seed with (one per service, this region); ``count`` is
    how many resources it made.  Each family module (``FAMILIES`` in the package) adds its
    kinds through the same seeder after the core ones.
    """

    def __init__(self, boto: boto3.Session, endpoint: str | None, region: str, scale: int) -> None:
        self.boto = boto
        #: None: in-process (moto's ``mock_aws`` in the demo server's own process).
        self.endpoint = endpoint
        self.region = region
        self.scale = scale
        self.count = 0
        self._clients: dict[str, Any] = {}
        self.vpc_id = ""
        self.subnets: list[dict[str, Any]] = []
        self.instance_ids: list[str] = []
        #: The services a client was asked for (what the seeding wrote to, or read).
        self.services: set[str] = set()

    def c(self, service: str) -> Any:
        self.services.add(service)
        if service not in self._clients:
            self._clients[service] = self.boto.client(
                service, region_name=self.region, endpoint_url=self.endpoint, config=SEED_CONFIG
            )
        return self._clients[service]

    def run(self, env: str) -> int:
        """Every core kind of the region; how many resources the seeder has made."""
        self.run_ec2(env)
        return self.run_rest(env)

    def run_ec2(self, env: str) -> int:
        """What EC2 answers for: instances, volumes, addresses, NAT gateways, and the Auto
        Scaling groups (whose instances and volumes are EC2 rows too)."""
        ec2 = self.c("ec2")
        self.vpc_id = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        self.subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [self.vpc_id]}])["Subnets"]
        self.subnets.sort(key=lambda s: s["AvailabilityZone"])
        self.instance_ids = self.instances(env, self.subnets)
        self.volumes(env, self.subnets)
        self.elastic_ips(env, self.instance_ids)
        self.nat_gateways(env, self.subnets)
        self.autoscaling(env, self.subnets)
        return self.count

    def run_rest(self, env: str) -> int:
        """The other core kinds (after ``run_ec2``: the load balancers use its instances)."""
        self.rds(env)
        self.lambdas(env)
        self.load_balancers(env, self.vpc_id, self.subnets, self.instance_ids)
        self.log_groups(env)
        self.elasticache(env)
        return self.count

    @staticmethod
    def tags(**kv: str) -> list[dict[str, str]]:
        return [{"Key": k.replace("_", "-"), "Value": v} for k, v in kv.items()]

    def instances(self, env: str, subnets: list[dict[str, Any]]) -> list[str]:
        ec2 = self.c("ec2")
        fleet = [
            ("t3.micro", "web", 3 * self.scale),
            ("m5.large", "api", 2 * self.scale),
            ("c6i.xlarge", "worker", 2),
            ("r5.large", "cache-warm", 1),
            ("t2.small", "bastion", 1),  # an old bastion: a previous-generation type
        ]
        ids: list[str] = []
        for itype, role, n in fleet:
            reply = ec2.run_instances(
                ImageId=DEMO_LINUX_AMI,
                MinCount=n,
                MaxCount=n,
                InstanceType=itype,
                SubnetId=subnets[len(ids) % len(subnets)]["SubnetId"],
                TagSpecifications=[
                    {
                        "ResourceType": "instance",
                        "Tags": self.tags(
                            Name=f"{env}-{role}", env=env, team="platform" if role != "api" else "payments"
                        ),
                    }
                ],
            )
            ids.extend(i["InstanceId"] for i in reply["Instances"])
        for ident in ids:
            # As AWS launches one from Amazon Linux 2023: ENA enabled (moto leaves it out, and a
            # type change to a current generation, which requires ENA, would be refused).
            ec2.modify_instance_attribute(InstanceId=ident, Attribute="enaSupport", Value="true")
        self.count += len(ids) * 2  # each instance brings its root volume
        # Waste: instances stopped but still paying for their volumes.
        ec2.stop_instances(InstanceIds=ids[-3:-1])
        # Brackets in names, as real accounts have them: shown literally, never as markup.
        ec2.create_tags(Resources=[ids[-3]], Tags=self.tags(Name=f"[DEPRECATED] {env}-legacy-api"))
        ec2.create_tags(Resources=[ids[-2]], Tags=self.tags(Name=f"{env}-web [old]"))
        # Protected: termination protection on the production bastions (m refuses to change their
        # type; staging's and dev's take it); a do-not-delete tag on an API node.
        if env.startswith("prod"):
            ec2.modify_instance_attribute(InstanceId=ids[-1], DisableApiTermination={"Value": True})
        api_node = ids[3 * self.scale]
        ec2.create_tags(Resources=[api_node], Tags=self.tags(do_not_delete="true"))
        # A Windows Server reporting box: priced with its license (PlatformDetails "Windows").
        reply = ec2.run_instances(
            ImageId=DEMO_WINDOWS_AMI,
            MinCount=1,
            MaxCount=1,
            InstanceType="m5.large",
            SubnetId=subnets[0]["SubnetId"],
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": self.tags(Name=f"{env}-reports-win", env=env, team="finance")}
            ],
        )
        ids.append(reply["Instances"][0]["InstanceId"])
        self.count += 2
        return ids

    def volumes(self, env: str, subnets: list[dict[str, Any]]) -> None:
        ec2 = self.c("ec2")
        az = subnets[0]["AvailabilityZone"]
        specs = [
            {"Size": 100, "VolumeType": "gp2"},
            {"Size": 500, "VolumeType": "gp3", "Iops": 6000, "Throughput": 250},
            {"Size": 200, "VolumeType": "io1", "Iops": 4000},
            {"Size": 1000, "VolumeType": "st1"},
            {"Size": 50, "VolumeType": "gp3"},
        ]
        for i, spec in enumerate(specs * self.scale):
            ec2.create_volume(
                AvailabilityZone=az,
                TagSpecifications=[
                    {"ResourceType": "volume", "Tags": self.tags(Name=f"{env}-orphan-{i}", env=env)}
                ],
                **spec,
            )
            self.count += 1

    def elastic_ips(self, env: str, instances: list[str]) -> None:
        ec2 = self.c("ec2")
        for i in range(3 + self.scale):
            alloc = ec2.allocate_address(
                Domain="vpc",
                TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": self.tags(Name=f"{env}-eip-{i}")}],
            )
            if i < 2:
                ec2.associate_address(AllocationId=alloc["AllocationId"], InstanceId=instances[i])
            self.count += 1

    def nat_gateways(self, env: str, subnets: list[dict[str, Any]]) -> None:
        ec2 = self.c("ec2")
        alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ec2.create_nat_gateway(
            SubnetId=subnets[0]["SubnetId"],
            AllocationId=alloc,
            TagSpecifications=[{"ResourceType": "natgateway", "Tags": self.tags(Name=f"{env}-nat-a", env=env)}],
        )
        self.count += 2  # the gateway and its (associated) address

    def rds(self, env: str) -> None:
        rds = self.c("rds")
        dbs = [
            ("orders", "postgres", "db.t3.medium", False, 100, False),
            ("ledger", "mysql", "db.r5.large", True, 500, True),
            ("reporting", "postgres", "db.m5.large", False, 200, False),
        ]
        for name, engine, cls, multi_az, storage, protect in dbs[: 1 + self.scale]:
            rds.create_db_instance(
                DBInstanceIdentifier=f"{env}-{name}",
                Engine=engine,
                DBInstanceClass=cls,
                AllocatedStorage=storage,
                StorageType="gp3",
                MasterUsername="admin",
                MasterUserPassword="not-a-real-password-1",
                MultiAZ=multi_az,
                DeletionProtection=protect,
                Tags=self.tags(env=env, team="data"),
            )
            self.count += 1
        if self.scale > 1:
            rds.stop_db_instance(DBInstanceIdentifier=f"{env}-reporting")

    def lambdas(self, env: str) -> None:
        lam = self.c("lambda")
        role = f"arn:aws:iam::123456789012:role/{env}-lambda-exec"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr("handler.py", "def handler(event, context):\n    return {'ok': True}\n")
        code = buffer.getvalue()
        runtimes = ["python3.12", "nodejs20.x", "python3.11", "java21"]
        for i in range(4 * self.scale):
            lam.create_function(
                FunctionName=f"{env}-fn-{i:02d}",
                Runtime=runtimes[i % len(runtimes)],
                Role=role,
                Handler="handler.handler",
                Code={"ZipFile": code},
                MemorySize=[128, 256, 512, 1024][i % 4],
                Timeout=30,
                Tags={"env": env},
            )
            self.count += 1

    def load_balancers(
        self, env: str, vpc_id: str, subnets: list[dict[str, Any]], instances: list[str]
    ) -> None:
        elbv2 = self.c("elbv2")
        two = [s["SubnetId"] for s in subnets[:2]]
        alb = elbv2.create_load_balancer(
            Name=f"{env}-web-alb", Subnets=two, Type="application", Tags=self.tags(env=env)
        )["LoadBalancers"][0]
        group = elbv2.create_target_group(Name=f"{env}-web", Protocol="HTTP", Port=80, VpcId=vpc_id)[
            "TargetGroups"
        ][0]
        elbv2.create_listener(
            LoadBalancerArn=alb["LoadBalancerArn"],
            Protocol="HTTP",
            Port=80,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}],
        )
        elbv2.register_targets(
            TargetGroupArn=group["TargetGroupArn"], Targets=[{"Id": i} for i in instances[:2]]
        )
        # Waste: a network load balancer with nothing behind it.
        elbv2.create_load_balancer(Name=f"{env}-legacy-nlb", Subnets=two, Type="network", Tags=self.tags(env=env))
        self.count += 2
        if self.scale > 1:
            self.c("elb").create_load_balancer(
                LoadBalancerName=f"{env}-classic",
                Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
                AvailabilityZones=[subnets[0]["AvailabilityZone"]],
                Tags=self.tags(env=env),
            )
            self.count += 1

    def log_groups(self, env: str) -> None:
        logs = self.c("logs")
        for i in range(4 * self.scale):
            logs.create_log_group(logGroupName=f"/aws/lambda/{env}-fn-{i:02d}", tags={"env": env})
            if i % 3 == 0:
                logs.put_retention_policy(logGroupName=f"/aws/lambda/{env}-fn-{i:02d}", retentionInDays=30)
            self.count += 1
        for name in ("app", "audit", "vpc-flow"):
            logs.create_log_group(logGroupName=f"/{env}/{name}")
            self.count += 1
        logs.put_retention_policy(logGroupName=f"/{env}/audit", retentionInDays=365)

    def autoscaling(self, env: str, subnets: list[dict[str, Any]]) -> None:
        ec2 = self.c("ec2")
        ec2.create_launch_template(
            LaunchTemplateName=f"{env}-workers",
            LaunchTemplateData={"ImageId": DEMO_LINUX_AMI, "InstanceType": "t3.small"},
        )
        self.c("autoscaling").create_auto_scaling_group(
            AutoScalingGroupName=f"{env}-workers",
            LaunchTemplate={"LaunchTemplateName": f"{env}-workers", "Version": "$Latest"},
            MinSize=1,
            MaxSize=4,
            DesiredCapacity=2,
            VPCZoneIdentifier=subnets[0]["SubnetId"],
            Tags=[{"Key": "env", "Value": env, "PropagateAtLaunch": True}],
        )
        self.count += 1 + 2 * 2  # the group, its two instances and their root volumes

    def elasticache(self, env: str) -> None:
        cache = self.c("elasticache")
        cache.create_cache_cluster(
            CacheClusterId=f"{env}-sessions",
            Engine="redis",
            CacheNodeType="cache.t3.medium",
            NumCacheNodes=1,
            Tags=self.tags(env=env),
        )
        self.count += 1
        if self.scale > 1:
            cache.create_cache_cluster(
                CacheClusterId=f"{env}-memcached",
                Engine="memcached",
                CacheNodeType="cache.m5.large",
                NumCacheNodes=3,
                Tags=self.tags(env=env),
            )
            self.count += 1


def seed_alias(boto: boto3.Session, endpoint: str | None) -> None:
    """The account alias the header shows and the confirm dialog asks to be typed."""
    boto.client("iam", endpoint_url=endpoint, config=SEED_CONFIG).create_account_alias(AccountAlias=DEMO_ACCOUNT_ALIAS)


def seed_global(boto: boto3.Session, endpoint: str | None, *, alias: bool = True) -> int:
    """IAM users and roles (and the alias, unless ``seed_alias`` made it already)."""
    iam = boto.client("iam", endpoint_url=endpoint, config=SEED_CONFIG)
    if alias:
        seed_alias(boto, endpoint)
    count = 0
    trust = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
    )
    for env in ("prod", "prod-eu", "staging", "dev"):
        iam.create_role(
            RoleName=f"{env}-lambda-exec", AssumeRolePolicyDocument=trust, Tags=[{"Key": "env", "Value": env}]
        )
        count += 1
    for name in ("ci-deployer", "terraform", "readonly-auditor", "ops-breakglass", "data-pipeline", "grafana"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
        count += 1
    people = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "trent"]
    for person in people:
        iam.create_user(UserName=person, Tags=[{"Key": "team", "Value": "platform"}])
        count += 1
    for bot in ("ci-bot", "legacy-backup"):
        iam.create_user(UserName=bot, Tags=[{"Key": "kind", "Value": "machine"}])
        count += 1
    # The role z made for staging's worker (demo_estate/scheduler.py): IAM is written only here.
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust_policy(DEMO_ACCOUNT)))
    iam.put_role_policy(
        RoleName=ROLE,
        PolicyName=ROLE_POLICY,
        PolicyDocument=json.dumps(role_policy(("ec2:StartInstances", "ec2:StopInstances"))),
    )
    return count + 1


def publish_bucket_size(cloudwatch: Any, bucket: str, size_bytes: int, objects: int) -> None:
    """Put the daily storage metrics S3 publishes for a bucket (BucketSizeBytes for Standard
    storage, NumberOfObjects), six hours old, as the scan reads them back."""
    when = datetime.now(UTC) - timedelta(hours=6)
    metrics = [
        ("BucketSizeBytes", "StandardStorage", float(size_bytes), "Bytes"),
        ("NumberOfObjects", "AllStorageTypes", float(objects), "Count"),
    ]
    cloudwatch.put_metric_data(
        Namespace="AWS/S3",
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": "BucketName", "Value": bucket}, {"Name": "StorageType", "Value": storage}],
                "Timestamp": when,
                "Value": value,
                "Unit": unit,
            }
            for metric, storage, value, unit in metrics
        ],
    )


def seed_buckets(boto: boto3.Session, endpoint: str | None) -> int:
    s3 = boto.client("s3", endpoint_url=endpoint, config=SEED_CONFIG, region_name="us-east-1")
    cloudwatch: dict[str, Any] = {}
    buckets = [
        ("acme-prod-assets", "us-east-1", 850 * 2**30, {"env": "prod"}),
        ("acme-prod-backups", "eu-west-1", 4200 * 2**30, {"env": "prod", "do-not-delete": "true"}),
        ("acme-staging-assets", "us-west-2", 12 * 2**30, {"env": "staging"}),
        ("acme-logs-archive", "ap-southeast-2", 1300 * 2**30, {"env": "prod"}),
        ("acme-dev-scratch", "us-east-1", None, {"env": "dev"}),
        ("acme-terraform-state", "us-east-1", 3 * 2**20, {"env": "shared", "protected": "true"}),
        ("acme-ml-datasets", "us-west-2", 240 * 2**30, {"env": "dev"}),
        ("acme-tmp-exports", "eu-west-1", None, {}),
    ]
    for name, region, size, tags in buckets:
        kwargs: dict[str, Any] = {"Bucket": name}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**kwargs)
        if tags:
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})
        if size is not None:
            # A few real objects, and the daily storage metrics S3 would publish for the full size.
            for i in range(3):
                s3.put_object(Bucket=name, Key=f"data/part-{i}.bin", Body=b"x" * 1024)
            if region not in cloudwatch:
                cloudwatch[region] = boto.client(
                    "cloudwatch", region_name=region, endpoint_url=endpoint, config=SEED_CONFIG
                )
            publish_bucket_size(cloudwatch[region], name, size, max(3, size // (4 * 2**20)))
    s3.put_bucket_versioning(Bucket="acme-ml-datasets", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="acme-ml-datasets", Key="data/part-0.bin", Body=b"y" * 2048)
    seed_bucket_hygiene(s3)
    return len(buckets)


def _rule(rule_id: str, **actions: Any) -> dict[str, Any]:
    return {"ID": rule_id, "Status": "Enabled", "Filter": {"Prefix": ""}, **actions}


#: Each bucket's lifecycle rules.  The tidy ones (assets, backups, state) transition, expire and
#: abort; the log archive only expires; the others have none (``s3-no-lifecycle`` where they
#: hold bytes: acme-staging-assets, acme-ml-datasets).
BUCKET_LIFECYCLES: dict[str, list[dict[str, Any]]] = {
    "acme-prod-assets": [
        _rule("to-ia", Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"}]),
        _rule("abort-uploads", AbortIncompleteMultipartUpload={"DaysAfterInitiation": 7}),
    ],
    "acme-prod-backups": [
        _rule("expire-old-versions", NoncurrentVersionExpiration={"NoncurrentDays": 90}),
        _rule("abort-uploads", AbortIncompleteMultipartUpload={"DaysAfterInitiation": 7}),
    ],
    "acme-terraform-state": [
        _rule("expire-old-versions", NoncurrentVersionExpiration={"NoncurrentDays": 30}),
        _rule("abort-uploads", AbortIncompleteMultipartUpload={"DaysAfterInitiation": 1}),
    ],
    "acme-logs-archive": [_rule("expire-after-a-year", Expiration={"Days": 365})],
}


def seed_bucket_hygiene(s3: Any) -> None:
    """The buckets' lifecycle rules, versioning and leftovers: the waste the S3 hygiene findings
    find, and the tidy buckets they must not flag.

    acme-ml-datasets (versioning on, seeded above) and acme-dev-scratch (versioning suspended,
    with an old version still kept) keep noncurrent versions for good (``s3-noncurrent-versions``);
    acme-tmp-exports holds two abandoned multipart uploads and no rule aborts them
    (``s3-incomplete-uploads``: moto dates every upload 2010-11-10, well over a week ago).
    """
    for name, rules in BUCKET_LIFECYCLES.items():
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": rules})
    for name in ("acme-prod-backups", "acme-terraform-state", "acme-dev-scratch"):
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"v1", b"v2"):
        s3.put_object(Bucket="acme-dev-scratch", Key="notebooks/features.parquet", Body=body)
    s3.put_bucket_versioning(Bucket="acme-dev-scratch", VersioningConfiguration={"Status": "Suspended"})
    for key in ("exports/2026-03-orders.csv.gz", "exports/2026-03-customers.csv.gz"):
        s3.create_multipart_upload(Bucket="acme-tmp-exports", Key=key)


