"""The safety-rail cases of tracker_tui/aws/actions/offhours.py (see base.py for the shape):
``z`` putting an EC2 instance, an RDS instance, a Redshift cluster and a SageMaker notebook
instance on office hours in Europe/Paris.

A case's state is the row's ``tracker-tui:schedule`` tag (``unscheduled`` without it): the
tag is the last call, made only once the role, its policy, the group and both schedules are
in place.  EC2's CreateTags goes first with DryRun, before anything is made.

No SERVICES entries: the last call (the tag) failing leaves the schedules in place, and the
row's failure says so before AWS's message (tests/test_actions_offhours.py checks it).  The
notebook has no STATE_REFUSALS here: its verification reads ListTags, not the state's
DescribeNotebookInstance (tests/test_actions_offhours.py refuses its states).
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.support.rails.base import Case, StateRefusal, calls, ec2_calls, where
from tests.support.rails.ec2 import make_instance
from tests.support.rails.rds import make_db
from tests.support.rails.redshift import make_cluster
from tests.support.rails.sagemaker import make_notebook
from tracker_tui.aws.kinds.base import tag_dict
from tracker_tui.offhours import SCHEDULE_TAG, preset

SCHEDULE = preset("office-hours", "Europe/Paris")
UNSCHEDULED = "unscheduled"
OPTIONS = {"schedule": SCHEDULE}

#: What every first schedule in a fresh account makes, before the row's tag.
MADE = (
    calls("CreateRole")
    + calls("PutRolePolicy")
    + calls("CreateScheduleGroup")
    + calls("CreateSchedule")
    + calls("CreateSchedule")
)


def _scheduled(tags: dict[str, str]) -> str:
    return tags.get(SCHEDULE_TAG) or UNSCHEDULED


def instance_schedule(ident: str) -> str:
    reply = boto3.client("ec2", region_name=where()).describe_instances(InstanceIds=[ident])
    return _scheduled(tag_dict(reply["Reservations"][0]["Instances"][0].get("Tags")))


def db_schedule(ident: str) -> str:
    rds = boto3.client("rds", region_name=where())
    arn = rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0]["DBInstanceArn"]
    return _scheduled(tag_dict(rds.list_tags_for_resource(ResourceName=arn)["TagList"]))


def cluster_schedule(ident: str) -> str:
    reply = boto3.client("redshift", region_name=where()).describe_clusters(ClusterIdentifier=ident)
    return _scheduled(tag_dict(reply["Clusters"][0].get("Tags")))


def notebook_schedule(ident: str) -> str:
    sm: Any = boto3.client("sagemaker", region_name=where())
    try:
        arn = sm.describe_notebook_instance(NotebookInstanceName=ident)["NotebookInstanceArn"]
    except ClientError:
        return "gone"
    return _scheduled(tag_dict(sm.list_tags(ResourceArn=arn)["Tags"]))


def _case(kind: str, make: Any, state: Any, tag_call: tuple[tuple[str, str], ...], *, ec2: bool = False) -> Case:
    made = ec2_calls("CreateTags")[:2] + MADE if ec2 else MADE
    return Case(kind, "schedule", make, state, UNSCHEDULED, SCHEDULE.text, made + tag_call, OPTIONS)


CASES: dict[str, Case] = {
    "ec2-schedule": _case("ec2:instance", make_instance, instance_schedule, calls("CreateTags"), ec2=True),
    "db-schedule": _case("rds:db-instance", make_db, db_schedule, calls("AddTagsToResource")),
    "redshift-schedule": _case("redshift:cluster", make_cluster, cluster_schedule, calls("CreateTags")),
    "notebook-schedule": _case("sagemaker:notebook-instance", make_notebook, notebook_schedule, calls("AddTags")),
}
SERVICES: dict[str, str] = {}
DONE_MESSAGES: dict[str, str] = {name: f"scheduled {SCHEDULE.label}; stops " for name in CASES}
VERIFIED_BY: dict[str, tuple[str, str]] = {
    "ec2-schedule": ("ec2", "DescribeInstances"),
    "db-schedule": ("rds", "DescribeDBInstances"),
    "redshift-schedule": ("redshift", "DescribeClusters"),
    "notebook-schedule": ("sagemaker", "ListTags"),
}
VERIFY_TIMEOUTS: dict[str, str] = {
    name: f"it was not seen on its two schedules with its tag {SCHEDULE_TAG} within 0.3 s "
    f"(state: no tag {SCHEDULE_TAG} yet)"
    for name in CASES
}
ONLY = "only one that is {} or {} is put on a schedule"
STATE_REFUSALS: list[StateRefusal] = [
    ("ec2-schedule", "Reservations.0.Instances.0.State.Name", "terminated", "it is terminated", True),
    ("ec2-schedule", "Reservations.0.Instances.0.State.Name", "shutting-down", "it is shutting-down", False),
    ("db-schedule", "DBInstances.0.DBInstanceStatus", "deleting", "it is deleting", False),
    ("db-schedule", "DBInstances.0.DBInstanceStatus", "storage-optimization",
     f"state is storage-optimization; {ONLY.format('available', 'stopped')}", False),
    ("redshift-schedule", "Clusters.0.ClusterStatus", "resizing",
     f"state is resizing; {ONLY.format('available', 'paused')}", False),
]  # fmt: skip
