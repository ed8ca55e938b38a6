"""The safety-rail cases of tracker_tui/aws/actions/rds.py (see base.py for the shape):
stopping, starting and deleting a DB instance (a final snapshot kept, as by default).

moto stops a DB instance at once (``stopped`` straight after the call), so the start case
makes its instance and stops it before the scan.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.support.rails.base import GONE, Case, StateRefusal, Tags, calls, tag_list, where


def _rds() -> Any:
    return boto3.client("rds", region_name=where())


def _make(ident: str, tags: Tags) -> str:
    _rds().create_db_instance(
        DBInstanceIdentifier=ident,
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        StorageType="gp2",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
        Tags=tag_list(tags),
    )
    return ident


def make_db(tags: Tags) -> str:
    return _make("rails-db", tags)


def make_stopped_db(tags: Tags) -> str:
    ident = _make("rails-start-db", tags)
    _rds().stop_db_instance(DBInstanceIdentifier=ident)
    return ident


def db_state(ident: str) -> str:
    try:
        found = _rds().describe_db_instances(DBInstanceIdentifier=ident)
    except ClientError:
        return GONE
    return str(found["DBInstances"][0]["DBInstanceStatus"])


CASES: dict[str, Case] = {
    "db-stop": Case("rds:db-instance", "stop", make_db, db_state, "available", "stopped", calls("StopDBInstance")),
    "db-start": Case(
        "rds:db-instance", "start", make_stopped_db, db_state, "stopped", "available", calls("StartDBInstance")
    ),
    "db-delete": Case("rds:db-instance", "delete", make_db, db_state, "available", GONE, calls("DeleteDBInstance")),
}
SERVICES: dict[str, str] = {"db-stop": "rds", "db-start": "rds", "db-delete": "rds"}
DONE_MESSAGES: dict[str, str] = {
    "db-stop": "stopped",
    "db-start": "started",
    # The box "keep a final snapshot" is on by default: the delete names the one it kept.
    "db-delete": "deleted; final snapshot tracker-tui-final-rails-db-",
}
VERIFIED_BY: dict[str, tuple[str, str]] = {name: ("rds", "DescribeDBInstances") for name in CASES}
VERIFY_TIMEOUTS: dict[str, str] = {
    "db-stop": "it was not stopped within 0.3 s (state: available)",
    "db-start": "it was not available within 0.3 s (state: stopped)",
    "db-delete": "it was not deleted within 0.3 s (state: available)",
}
STATE_REFUSALS: list[StateRefusal] = [
    ("db-stop", "DBInstances.0.DBInstanceStatus", "stopping", "already stopping", False),
    ("db-stop", "DBInstances.0.DBInstanceStatus", "backing-up",
     "state is backing-up; only an available DB instance can be stopped", False),
    ("db-start", "DBInstances.0.DBInstanceStatus", "available", "already available", False),
    ("db-start", "DBInstances.0.DBInstanceStatus", "starting", "already starting", False),
    ("db-start", "DBInstances.0.DBInstanceStatus", "stopping", "it is stopping; wait until it has stopped", False),
    ("db-start", "DBInstances.0.DBInstanceStatus", "backing-up",
     "state is backing-up; only a stopped DB instance can be started", False),
    ("db-start", "DBInstances.0.DBClusterIdentifier", "orders-cluster",
     "it belongs to the Aurora cluster orders-cluster; act on the cluster instead (not supported here)", False),
    ("db-delete", "DBInstances.0.DBInstanceStatus", "deleting", "already being deleted", False),
    ("db-delete", "DBInstances.0.DeletionProtection", True,
     "deletion protection is on (DeletionProtection); tracker-tui never switches it off", False),
    ("db-delete", "DBInstances.0.DBClusterIdentifier", "orders-cluster",
     "it belongs to the Aurora cluster orders-cluster; act on the cluster instead (not supported here)", False),
]  # fmt: skip
