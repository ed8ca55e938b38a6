"""The embedded demo account: a moto server on a loopback port, seeded with an estate.

``tracker-tui --demo`` starts a ``ThreadedMotoServer`` on an ephemeral 127.0.0.1 port,
seeds it through the real AWS APIs (boto3 over HTTP), and hands back an ``AwsSession``
pointed at it with dummy credentials.  Scan threads then talk real HTTP to it, so the
whole stack is exercised.  A per-request delay (varied by region unless fixed) makes the
streaming visible.  Actions really change the mocked account.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

from tracker_tui.aws.session import AwsSession, SessionOptions

DEMO_ACCOUNT_ALIAS = "acme-staging"
#: The regions that hold the estate; the scan covers whatever DescribeRegions returns.
DEMO_REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2")
#: Round-trip times by region, in ms, as seen from a bastion in us-east-1.
REGION_LATENCY_MS = {
    "us-east-1": 25,
    "us-east-2": 35,
    "us-west-1": 70,
    "us-west-2": 75,
    "ca-central-1": 40,
    "eu-west-1": 80,
    "eu-west-2": 85,
    "eu-central-1": 95,
    "ap-southeast-2": 200,
    "ap-northeast-1": 160,
    "sa-east-1": 130,
}
DEFAULT_LATENCY_MS = 110


class DemoError(RuntimeError):
    """The demo account could not be started."""


@dataclass
class DemoAccount:
    """A running demo: the server process, its endpoint, and a session pointed at it."""

    endpoint_url: str
    session: AwsSession
    seconds_to_seed: float
    resources_seeded: int
    _process: subprocess.Popen[str] | None = field(repr=False, default=None)

    def stop(self) -> None:
        """Stop the server process (closing its stdin tells it to exit)."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin:
                process.stdin.close()
            process.wait(timeout=5)
        except Exception:  # noqa: BLE001 - shutting down a demo must never raise
            process.kill()
            process.wait(timeout=5)


def _quiet_werkzeug() -> None:
    # The server logs every request to stderr, which would scribble over the TUI.
    log = logging.getLogger("werkzeug")
    log.setLevel(logging.ERROR)
    log.addHandler(logging.NullHandler())
    log.propagate = False


def demo_boto_session() -> boto3.Session:
    """A boto3 Session with dummy credentials that ignores the user's AWS profile and files."""
    core = botocore.session.Session()
    core.set_config_variable("profile", None)
    core.set_config_variable("config_file", os.devnull)
    core.set_config_variable("credentials_file", os.devnull)
    return boto3.Session(
        aws_access_key_id="demo",
        aws_secret_access_key="demo",
        region_name="us-east-1",
        botocore_session=core,
    )


def latency_for(fixed_ms: float | None) -> Callable[[str, str], float]:
    """A (service, region) -> seconds function: fixed, or varied by region."""

    def delay(service: str, region: str) -> float:
        if fixed_ms is not None:
            return fixed_ms / 1000.0
        return REGION_LATENCY_MS.get(region, DEFAULT_LATENCY_MS) / 1000.0

    return delay


def start_demo(latency_ms: float | None = None, *, seed: bool = True, timeout: float = 120.0) -> DemoAccount:
    """Start the moto server in a child process, seed the estate, return a session on it.

    The server runs in its own process so its CPU work (moto is pure Python) runs on
    another core than the UI and the scan threads.  Seeding goes through the public APIs
    from this process, so the two share the work.

    Args:
        latency_ms: a fixed delay per API call; None varies it by region; 0 disables it.
        seed: set up the estate (tests may want an empty account).
        timeout: how long to wait for the server to come up.

    Raises:
        DemoError: moto is not installed or the server did not start.
    """
    try:
        import moto.server  # noqa: F401 - only checking that the demo extra is installed
    except ImportError as exc:
        raise DemoError(f"the demo needs moto's server: pip install 'tracker-tui[demo]' ({exc})") from None
    env = dict(os.environ)
    env.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    env["MOTO_AMIS_PATH"] = str(DEMO_AMIS_PATH)
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker_tui.demo", "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    ready = _read_line(process, timeout)
    if not ready.startswith("READY "):
        process.kill()
        error = (process.stderr.read() if process.stderr else "").strip().splitlines()
        raise DemoError(f"the demo server did not start: {error[-1] if error else ready or 'no output'}")
    endpoint = ready.split()[1]
    boto = demo_boto_session()
    t0 = time.monotonic()
    count = 0
    if seed:
        count = seed_estate(boto, endpoint)
        seed_bill(endpoint)
        process.stdin.write("fake-log-storage\n")  # type: ignore[union-attr]
        process.stdin.flush()  # type: ignore[union-attr]
        _read_line(process, timeout)
    seeded = time.monotonic() - t0
    delay = None if latency_ms == 0 else latency_for(latency_ms)
    # The scan reuses the seeding Session: its service models are already loaded.
    session = AwsSession(
        SessionOptions(endpoint_url=endpoint, home_region="us-east-1"),
        boto_session=boto,
        request_delay=delay,
    )
    return DemoAccount(endpoint, session, seeded, count, process)


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    return result[0].strip() if result else ""


#: One cheap read per service the demo uses: the first request of each loads its model.
_WARM_CALLS = (
    ("sts", "get_caller_identity"),
    ("iam", "list_users"),
    ("ec2", "describe_vpcs"),
    ("s3", "list_buckets"),
    ("cloudwatch", "list_metrics"),
    ("rds", "describe_db_instances"),
    ("lambda", "list_functions"),
    ("elbv2", "describe_load_balancers"),
    ("elb", "describe_load_balancers"),
    ("logs", "describe_log_groups"),
    ("autoscaling", "describe_auto_scaling_groups"),
    ("elasticache", "describe_cache_clusters"),
)


def _warm(endpoint: str) -> None:
    try:
        boto = demo_boto_session()
        for service, operation in _WARM_CALLS:
            getattr(boto.client(service, endpoint_url=endpoint, config=_SEED_CONFIG), operation)()
        from moto.ec2.models import ec2_backends

        for region in boto.get_available_regions("ec2"):
            ec2_backends["123456789012"][region]
    except Exception:  # noqa: BLE001 - warming is an optimisation only
        pass


def serve() -> None:
    """The child process: a moto server on a free loopback port until stdin closes."""
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    os.environ.setdefault("MOTO_AMIS_PATH", str(DEMO_AMIS_PATH))
    _quiet_werkzeug()
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    print(f"READY http://{host}:{port}", flush=True)
    # moto loads each service's model and builds each region's EC2 state (default VPC,
    # subnets, ...) on first touch, which would land on the seeding's and the scan's first
    # requests.  Do it now, while the parent is still starting up.
    threading.Thread(target=_warm, args=(f"http://{host}:{port}",), name="warm", daemon=True).start()
    for line in sys.stdin:
        if line.strip() == "fake-log-storage":
            _fake_log_storage()
            print("OK", flush=True)
    server.stop()


# --- the estate ------------------------------------------------------------------------------

#: The demo server's only AMIs (``MOTO_AMIS_PATH``; moto's 1,300 defaults stay unloaded).
DEMO_AMIS_PATH = Path(__file__).with_name("demo_amis.json")
DEMO_LINUX_AMI = "ami-0a7f3c9e2b4d61085"
DEMO_WINDOWS_AMI = "ami-0d4e8b1f6a2c93570"

_SEED_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, s3={"addressing_style": "path"})


class _Seeder:
    """Creates the demo estate in one region through the public APIs."""

    def __init__(self, boto: boto3.Session, endpoint: str, region: str, scale: int) -> None:
        self.boto = boto
        self.endpoint = endpoint
        self.region = region
        self.scale = scale
        self.count = 0
        self._clients: dict[str, Any] = {}

    def c(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.boto.client(
                service, region_name=self.region, endpoint_url=self.endpoint, config=_SEED_CONFIG
            )
        return self._clients[service]

    def run(self, env: str) -> int:
        ec2 = self.c("ec2")
        vpc_id = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
        subnets.sort(key=lambda s: s["AvailabilityZone"])
        instances = self.instances(env, subnets)
        self.volumes(env, subnets)
        self.elastic_ips(env, instances)
        self.nat_gateways(env, subnets)
        self.rds(env)
        self.lambdas(env)
        self.load_balancers(env, vpc_id, subnets, instances)
        self.log_groups(env)
        self.autoscaling(env, subnets)
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
            ("t4g.small", "bastion", 1),
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
        self.count += len(ids) * 2  # each instance brings its root volume
        # Waste: instances stopped but still paying for their volumes.
        ec2.stop_instances(InstanceIds=ids[-3:-1])
        # Protected: termination protection on the bastion; a do-not-delete tag on an API node.
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


def _seed_global(boto: boto3.Session, endpoint: str) -> int:
    iam = boto.client("iam", endpoint_url=endpoint, config=_SEED_CONFIG)
    iam.create_account_alias(AccountAlias=DEMO_ACCOUNT_ALIAS)
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
    return count


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


def _seed_buckets(boto: boto3.Session, endpoint: str) -> int:
    s3 = boto.client("s3", endpoint_url=endpoint, config=_SEED_CONFIG, region_name="us-east-1")
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
                    "cloudwatch", region_name=region, endpoint_url=endpoint, config=_SEED_CONFIG
                )
            publish_bucket_size(cloudwatch[region], name, size, max(3, size // (4 * 2**20)))
    s3.put_bucket_versioning(Bucket="acme-ml-datasets", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="acme-ml-datasets", Key="data/part-0.bin", Body=b"y" * 2048)
    return len(buckets)


def _fake_log_storage() -> None:
    """Give log groups believable stored sizes.

    moto counts only the bytes of events actually put, and putting gigabytes would take
    minutes, so the demo sets the stored size on moto's in-process model directly.  Only
    the demo does this; scans read it back through DescribeLogGroups like any account.
    """
    try:
        from moto.logs.models import logs_backends
    except ImportError:  # pragma: no cover
        return
    sizes = [0, 3 * 2**20, 750 * 2**20, 12 * 2**30, 95 * 2**30, 210 * 2**30]
    for region in DEMO_REGIONS:
        backend = logs_backends["123456789012"][region]
        for index, group in enumerate(sorted(backend.groups.values(), key=lambda g: g.name)):
            group.create_log_stream("main")
            group.streams["main"].stored_bytes = sizes[index % len(sizes)]


def seed_estate(boto: boto3.Session, endpoint: str) -> int:
    """Seed the whole estate, regions side by side; returns how many resources it made."""
    envs = {
        "us-east-1": ("prod", 3),
        "eu-west-1": ("prod-eu", 2),
        "us-west-2": ("staging", 2),
        "ap-southeast-2": ("dev", 1),
    }
    with ThreadPoolExecutor(max_workers=6, thread_name_prefix="demo-seed") as pool:
        global_future = pool.submit(_seed_global, boto, endpoint)
        global_count = global_future.result()  # roles must exist before lambdas use them
        futures = [pool.submit(_Seeder(boto, endpoint, r, scale).run, env) for r, (env, scale) in envs.items()]
        futures.append(pool.submit(_seed_buckets, boto, endpoint))
        total = global_count + sum(f.result() for f in futures)
    return total


#: Last month's bill of the demo account, by Cost Explorer SERVICE (USD): near the estate's
#: run-rate where our kinds cover it (usage, snapshots and data transfer on top; instances
#: stopped part of the month below), plus two services no kind covers.
DEMO_BILL = (
    ("EC2 - Other", 3876.40),
    ("Amazon Relational Database Service", 2311.67),
    ("Amazon Elastic Compute Cloud - Compute", 1984.22),
    ("Amazon ElastiCache", 1241.02),
    ("AWS Support (Business)", 1011.85),
    ("Amazon CloudFront", 412.37),
    ("Amazon Elastic Load Balancing", 214.93),
    ("Amazon Simple Storage Service", 203.18),
    ("AmazonCloudWatch", 148.61),
    ("Amazon Virtual Private Cloud", 91.25),
    ("AWS Lambda", 37.84),
)


def demo_bill_results(today: date | None = None) -> dict[str, Any]:
    """The body of moto's ``/moto-api/static/ce/cost-and-usage-results`` for ``DEMO_BILL``:
    one GetCostAndUsage answer for the last full month, grouped by SERVICE."""
    end = (today or datetime.now(UTC).date()).replace(day=1)
    start = end.replace(year=end.year - 1, month=12) if end.month == 1 else end.replace(month=end.month - 1)
    groups = [
        {"Keys": [service], "Metrics": {"UnblendedCost": {"Amount": f"{amount:.10f}", "Unit": "USD"}}}
        for service, amount in DEMO_BILL
    ]
    result = {
        "GroupDefinitions": [{"Type": "DIMENSION", "Key": "SERVICE"}],
        "ResultsByTime": [
            {
                "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
                "Total": {},
                "Groups": groups,
                "Estimated": False,
            }
        ],
        "DimensionValueAttributes": [],
    }
    return {"results": [result]}


def seed_bill(endpoint: str) -> bool:
    """Register the demo's bill with moto's Cost Explorer (one local HTTP call); False if
    moto refused it (the bill view then shows an empty bill: nothing is logged over the TUI).

    moto hands the first GetCostAndUsage request the queued answer and repeats it for the
    same request; nothing tracks usage in moto, so this is the demo's only bill.
    """
    request = urllib.request.Request(
        f"{endpoint}/moto-api/static/ce/cost-and-usage-results",
        data=json.dumps(demo_bill_results()).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:  # our own loopback server
            return 200 <= reply.status < 300
    except OSError:
        return False


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
