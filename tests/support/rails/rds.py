"""The safety-rail cases of tracker_tui/aws/actions/rds.py (see base.py for the shape):
stopping, starting and deleting a DB instance (a final snapshot kept, as by default), and
changing its class in place (``m``).

moto stops a DB instance at once (``stopped`` straight after the call), so the start case
makes its instance and stops it before the scan.

The modify case's db.m4.large postgres is found by the scan alone: rds-previous-generation
(db.m5.large) and rds-graviton-migration (db.m6g.large, the larger saving: its target).  moto
5.2 answers DescribeOrderableDBInstanceOptions for aurora-postgresql and neptune only (nothing
for postgres) and ignores its DBInstanceClass filter, so ``offer`` teaches the region's moto
backend which classes it offers (no session is at hand where the case makes its instance; the
backend is rebuilt when the mock ends).  moto changes the class at once.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError
from moto.rds.models import rds_backends

from tests.support.rails.base import ACCOUNT, GONE, Case, StateRefusal, Tags, calls, tag_list, where


def _rds() -> Any:
    return boto3.client("rds", region_name=where())


def _make(ident: str, tags: Tags, db_class: str = "db.t3.micro") -> str:
    _rds().create_db_instance(
        DBInstanceIdentifier=ident,
        Engine="postgres",
        DBInstanceClass=db_class,
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


#: The modify case's class, and the class ``m`` changes it to (its Graviton twin).
PREVIOUS_CLASS = "db.m4.large"
TWIN_CLASS = "db.m6g.large"


def offer(*classes: str) -> None:
    """Have moto answer DescribeOrderableDBInstanceOptions in the cases' region with one option
    per class, for whatever engine and version are asked (see the module's docstring)."""

    def options(engine: str, engine_version: str) -> list[dict[str, Any]]:
        return [
            {"Engine": engine, "EngineVersion": engine_version, "DBInstanceClass": c, "MultiAZCapable": True}
            for c in classes
        ]

    backend: Any = rds_backends[ACCOUNT][where()]
    backend.describe_orderable_db_instance_options = options


def make_previous_generation_db(tags: Tags) -> str:
    offer("db.m5.large", TWIN_CLASS, "db.m7g.large")
    return _make("rails-modify-db", tags, PREVIOUS_CLASS)


def db_on_twin(ident: str) -> str:
    """What modify changes, so the shared rails see it: the status alone once the instance is on
    its twin class (what the re-read row's state says, which the done rail compares with
    ``after``), else the status and the class it is still on."""
    try:
        (db,) = _rds().describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"]
    except ClientError:
        return GONE
    status, cls = str(db["DBInstanceStatus"]), str(db["DBInstanceClass"])
    return status if cls == TWIN_CLASS else f"{status} on {cls}"


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
    "db-modify": Case(
        "rds:db-instance",
        "modify",
        make_previous_generation_db,
        db_on_twin,
        f"available on {PREVIOUS_CLASS}",
        "available",
        calls("ModifyDBInstance"),
    ),
}
SERVICES: dict[str, str] = {"db-stop": "rds", "db-start": "rds", "db-delete": "rds", "db-modify": "rds"}
DONE_MESSAGES: dict[str, str] = {
    "db-stop": "stopped",
    "db-start": "started",
    # The box "keep a final snapshot" is on by default: the delete names the one it kept.
    "db-delete": "deleted; final snapshot tracker-tui-final-rails-db-",
    "db-modify": f"class changed {PREVIOUS_CLASS} -> {TWIN_CLASS}",
}
VERIFIED_BY: dict[str, tuple[str, str]] = {name: ("rds", "DescribeDBInstances") for name in CASES}
VERIFY_TIMEOUTS: dict[str, str] = {
    "db-stop": "it was not stopped within 0.3 s (state: available)",
    "db-start": "it was not available within 0.3 s (state: stopped)",
    "db-delete": "it was not deleted within 0.3 s (state: available)",
    # moto changes the class at once; the stale reads still say the old one.
    "db-modify": f"it was not available on {TWIN_CLASS} within 0.3 s (state: available on {PREVIOUS_CLASS})",
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
    # The scan reads these answers too: a state that takes the row's findings away (a class
    # already changed, a stopped instance) is tested in tests/test_actions_rds_modify.py instead.
    ("db-modify", "DBInstances.0.DBInstanceStatus", "modifying",
     "state is modifying; only an available DB instance can be modified", False),
    ("db-modify", "DBInstances.0.DBInstanceStatus", "backing-up",
     "state is backing-up; only an available DB instance can be modified", False),
    ("db-modify", "DBInstances.0.PendingModifiedValues", {"DBInstanceClass": "db.m5.xlarge"},
     "a modification is pending (DBInstanceClass); apply or cancel it first", False),
    ("db-modify", "DBInstances.0.DBClusterIdentifier", "orders-cluster",
     "it belongs to the Aurora cluster orders-cluster; its class is not changed here: the change fails over "
     "within the cluster, and the row's price does not know the cluster's storage configuration (Standard or "
     "I/O-Optimized)", False),
]  # fmt: skip
