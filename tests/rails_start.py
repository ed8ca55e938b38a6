"""The safety-rail cases of ``u`` on EC2 instances and RDS DB instances (see tests/rails.py for
the shape): starting a stopped instance (DryRun first) and a stopped DB instance.

Every rail in tests/test_safety_rails.py runs on them.  moto stops both at once (the
instance reads ``stopped`` and the DB instance ``stopped`` straight after the call), so the
cases make their resource and stop it before the scan.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.rails import AMI, GONE, Case, StateRefusal, Tags, calls, ec2_calls, tag_list, tag_spec, where

DB = "rails-start-db"


def _ec2() -> Any:
    return boto3.client("ec2", region_name=where())


def _rds() -> Any:
    return boto3.client("rds", region_name=where())


def make_stopped_instance(tags: Tags) -> str:
    ec2 = _ec2()
    reply = ec2.run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro", **tag_spec("instance", tags)
    )
    ident = str(reply["Instances"][0]["InstanceId"])
    ec2.stop_instances(InstanceIds=[ident])
    return ident


def instance_state(ident: str) -> str:
    reply = _ec2().describe_instances(InstanceIds=[ident])
    return str(reply["Reservations"][0]["Instances"][0]["State"]["Name"])


def make_stopped_db(tags: Tags) -> str:
    rds = _rds()
    rds.create_db_instance(
        DBInstanceIdentifier=DB,
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        StorageType="gp2",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
        Tags=tag_list(tags),
    )
    rds.stop_db_instance(DBInstanceIdentifier=DB)
    return DB


def db_state(ident: str) -> str:
    try:
        found = _rds().describe_db_instances(DBInstanceIdentifier=ident)
    except ClientError:
        return GONE
    return str(found["DBInstances"][0]["DBInstanceStatus"])


CASES: dict[str, Case] = {
    "instance-start": Case(
        "ec2:instance",
        "start",
        make_stopped_instance,
        instance_state,
        "stopped",
        "running",
        ec2_calls("StartInstances"),
    ),
    "db-start": Case(
        "rds:db-instance", "start", make_stopped_db, db_state, "stopped", "available", calls("StartDBInstance")
    ),
}
SERVICES: dict[str, str] = {"instance-start": "ec2", "db-start": "rds"}
DONE_MESSAGES: dict[str, str] = {"instance-start": "started", "db-start": "started"}
VERIFIED_BY: dict[str, tuple[str, str]] = {
    "instance-start": ("ec2", "DescribeInstances"),
    "db-start": ("rds", "DescribeDBInstances"),
}
VERIFY_TIMEOUTS: dict[str, str] = {
    "instance-start": "instance running was not confirmed within 0.3 s (Max attempts exceeded)",
    "db-start": "it was not available within 0.3 s (state: stopped)",
}
STATE_REFUSALS: list[StateRefusal] = [
    ("instance-start", "Reservations.0.Instances.0.State.Name", "running", "already running", False),
    ("instance-start", "Reservations.0.Instances.0.State.Name", "pending", "already starting", False),
    ("instance-start", "Reservations.0.Instances.0.State.Name", "stopping",
     "it is stopping; wait until it has stopped", False),
    ("instance-start", "Reservations.0.Instances.0.State.Name", "shutting-down", "it is shutting-down", False),
    ("instance-start", "Reservations.0.Instances.0.State.Name", "terminated", "it is terminated", True),
    # Not a state EC2 has today: anything but stopped is refused, whatever AWS adds.
    ("instance-start", "Reservations.0.Instances.0.State.Name", "hibernating",
     "state is hibernating; only a stopped instance can be started", False),
    ("db-start", "DBInstances.0.DBInstanceStatus", "available", "already available", False),
    ("db-start", "DBInstances.0.DBInstanceStatus", "starting", "already starting", False),
    ("db-start", "DBInstances.0.DBInstanceStatus", "stopping", "it is stopping; wait until it has stopped", False),
    ("db-start", "DBInstances.0.DBInstanceStatus", "backing-up",
     "state is backing-up; only a stopped DB instance can be started", False),
    ("db-start", "DBInstances.0.DBClusterIdentifier", "orders-cluster",
     "it belongs to the Aurora cluster orders-cluster; act on the cluster instead (not supported here)", False),
]  # fmt: skip
