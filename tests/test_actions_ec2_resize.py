"""``m`` on an EC2 instance: its type changed in place to the one its finding names
(``resize_instance`` of aws/actions/ec2.py), against moto.

A running instance is stopped, modified (ModifyInstanceAttribute InstanceType) and started
again; a stopped one is modified and stays stopped.  Every call goes DryRun first and is
audited; the verification reads the new type (and the state) back and the row comes back
repriced without its finding.  Every refusal calls nothing.  A modify that fails after the
stop starts the instance again, on its old type, before the failure is reported.

moto changes a running instance's type and takes any type an instance's image cannot boot
(AWS refuses both), so what refuses here is the handler's own checks; the rails' instance
(tests/support/rails/ec2.py) is an HVM m4.large with ENA, as AWS has one launched from a
current image.  States moto never shows (pending, an instance store root, an Auto Scaling
group's tag) are written into DescribeInstances' answers with botocore hooks after the scan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.actions import act, on_call, statuses
from tests.support.helpers import error_response
from tests.support.rails.base import ACCOUNT, AMI, scanned
from tests.support.rails.ec2 import make_previous_generation_instance
from tracker_tui.aws.actions import Status, needs_typed_name, plan
from tracker_tui.aws.actions.base import named_fix
from tracker_tui.aws.kinds import estimate
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Finding, Resource, format_cost
from tracker_tui.store import AuditLog

REGION = "us-east-1"
OLD, NEW = "m4.large", "m5.large"


def _ec2() -> Any:
    return boto3.client("ec2", region_name=REGION)


def _instance(ident: str) -> dict[str, Any]:
    return dict(_ec2().describe_instances(InstanceIds=[ident])["Reservations"][0]["Instances"][0])


def _type_and_state(ident: str) -> tuple[str, str]:
    inst = _instance(ident)
    return str(inst["InstanceType"]), str(inst["State"]["Name"])


def _finding(row: Resource, finding_id: str) -> Finding | None:
    return next((f for f in row.findings if f.id == finding_id), None)


def _scanned_row(session: AwsSession, ident: str) -> Resource:
    """The instance's row as the scan maps, prices and judges it: a previous-generation m4.large."""
    row = scanned(session, "ec2:instance")[ident]
    finding = _finding(row, "previous-generation")
    assert finding is not None and (finding.target, finding.action) == (NEW, "modify")
    return row


def _phases(audit: AuditLog) -> list[tuple[str, str]]:
    return [(line["phase"], line["operation"]) for line in audit.tail(100)]


def _ec2_calls(operation: str) -> list[tuple[str, str]]:
    return [("before", operation), ("dry-run", operation), ("before", operation), ("after", operation)]


STOP, MODIFY, START = _ec2_calls("StopInstances"), _ec2_calls("ModifyInstanceAttribute"), _ec2_calls("StartInstances")


def _rewrite_instances(session: AwsSession, change: Callable[[dict[str, Any]], None]) -> None:
    """Every DescribeInstances answer from now on goes through ``change`` (register after the scan)."""

    def rewrite(parsed: dict[str, Any], **_: Any) -> None:
        for reservation in parsed.get("Reservations", []):
            for inst in reservation.get("Instances", []):
                change(inst)

    session.client("ec2", REGION).meta.events.register("after-call.ec2.DescribeInstances", rewrite)


def _setting(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(inst: dict[str, Any]) -> None:
        if key == "State":
            inst["State"] = {"Name": value}
        elif value is None:
            inst.pop(key, None)
        else:
            inst[key] = value

    return change


def _fail_real_call(code: str, message: str, *, dry_run: bool = False) -> Callable[..., Any]:
    """A before-call hook answering the real call (or only its DryRun) with an AWS error, unsent."""

    def hook(params: dict[str, Any], **_: Any) -> Any:
        body = params.get("body")
        is_dry_run = isinstance(body, dict) and str(body.get("DryRun", "")).lower() == "true"
        return error_response(code, message) if is_dry_run == dry_run else None

    return hook


# --- the change ------------------------------------------------------------------------------------


def test_a_running_instance_is_stopped_modified_and_started_and_its_row_repriced(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        finding = _finding(row, "previous-generation")
        assert finding is not None and row.monthly_cost is not None

        (done,), seen = act(session, audit, [row], "modify")

        after = _type_and_state(ident)
    assert statuses(seen, ident) == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]
    assert (done.status, done.action, done.deleted) == (Status.DONE, "modify", False)
    assert done.message == "type changed m4.large -> m5.large; running again"
    assert after == (NEW, "running")
    # Stopped, modified, started: each DryRun first, in that order, nothing else.
    assert _phases(audit) == STOP + MODIFY + START
    lines = audit.tail(100)
    assert lines[0]["params"] == {"InstanceIds": [ident], "DryRun": True}
    assert lines[6]["params"] == {"InstanceId": ident, "InstanceType": {"Value": NEW}}
    assert {(line["kind"], line["id"], line["action"], line["account"]) for line in lines} == {
        ("ec2:instance", ident, "modify", ACCOUNT)
    }
    assert [line["result"] for line in lines if line["phase"] == "after"] == ["ok", "ok", "ok"]
    # The request id is the last call's: the start that brought it back.
    assert done.request_id and done.request_id == lines[-1]["request_id"]
    # The row as re-read: the new type, running, cheaper by what the finding said, the finding gone.
    fresh = done.result
    assert fresh is not None and fresh.monthly_cost is not None
    assert (fresh.details["instance_type"], fresh.state) == (NEW, "running")
    assert fresh.cost_basis is not None and fresh.cost_basis.startswith(f"{NEW} ")
    assert round(row.monthly_cost - fresh.monthly_cost, 2) == finding.monthly_saving
    assert _finding(fresh, "previous-generation") is None and named_fix(fresh) is None


def test_only_the_instance_itself_is_stopped_and_waited_for(audit: AuditLog) -> None:
    """Another instance running in the region is neither stopped nor waited for (a waiter
    without the instance's id would wait for every instance and time out)."""
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        other = _ec2().run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]
        row = _scanned_row(session, ident)

        (done,), _ = act(session, audit, [row], "modify", verify_timeout=2)

        after, bystander = _type_and_state(ident), _type_and_state(other["InstanceId"])
    assert done.status is Status.DONE, done.message
    assert after == (NEW, "running") and bystander == ("t3.micro", "running")


def test_a_stopped_instance_is_modified_and_stays_stopped(audit: AuditLog) -> None:
    """Scanned running (with its finding), stopped since: modified without a start."""
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        _ec2().stop_instances(InstanceIds=[ident])

        (done,), _ = act(session, audit, [row], "modify")

        after = _type_and_state(ident)
    assert (done.status, done.message) == (Status.DONE, "type changed m4.large -> m5.large; still stopped")
    assert after == (NEW, "stopped")
    assert _phases(audit) == MODIFY
    assert done.request_id == audit.tail(100)[-1]["request_id"]
    assert done.result is not None and (done.result.details["instance_type"], done.result.state) == (NEW, "stopped")


def test_stop_protection_does_not_refuse_a_stopped_instance(audit: AuditLog) -> None:
    """It is not stopped by the change, so DisableApiStop is not in the way."""
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        _ec2().stop_instances(InstanceIds=[ident])
        _ec2().modify_instance_attribute(InstanceId=ident, DisableApiStop={"Value": True})

        (done,), _ = act(session, audit, [row], "modify")

        after = _type_and_state(ident)
    assert done.status is Status.DONE, done.message
    assert after == (NEW, "stopped")


def test_the_finding_that_saves_most_names_the_type(audit: AuditLog) -> None:
    """previous-generation names m5.xlarge; a rightsizing that saves more names m5.large: m5.large it is."""
    with mock_aws():
        session = helpers.moto_session()
        ec2 = _ec2()
        ident = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="m4.xlarge")["Instances"][0][
            "InstanceId"
        ]
        ec2.modify_instance_attribute(InstanceId=ident, Attribute="virtualizationType", Value="hvm")
        ec2.modify_instance_attribute(InstanceId=ident, Attribute="enaSupport", Value="true")
        row = scanned(session, "ec2:instance")[ident]
        twin = _finding(row, "previous-generation")
        assert twin is not None and twin.target == "m5.xlarge" and twin.monthly_saving is not None
        rightsize = Finding("rightsize-instance", twin.monthly_saving + 60, "fits", "low", "modify", NEW)
        row = dataclasses.replace(row, findings=(*row.findings, rightsize))
        assert named_fix(row) == rightsize

        (planned,) = plan([row], "modify")
        (done,), _ = act(session, audit, [row], "modify")

        after = _type_and_state(ident)
    assert planned.saving == rightsize.monthly_saving
    assert planned.note.startswith("m4.xlarge -> m5.large: ")
    assert (done.status, done.message) == (Status.DONE, "type changed m4.xlarge -> m5.large; running again")
    assert after == (NEW, "running")


def test_only_findings_fixed_by_a_modify_name_the_type() -> None:
    """graviton-migration names an arm64 type, but no modify makes an x86 instance arm64."""
    row = Resource(kind="ec2:instance", id="i-1", region=REGION, state="running")
    graviton = Finding("graviton-migration", 30.0, "m6g", "low", None, "m6g.large")
    unknown = Finding("rightsize-instance", None, "fits", "low", "modify", "m5.large")
    known = Finding("previous-generation", 2.0, "twin", "medium", "modify", "m5.xlarge")
    untargeted = Finding("idle-instance", 99.0, "idle", "medium", "stop")
    assert named_fix(dataclasses.replace(row, findings=(graviton, untargeted))) is None
    assert named_fix(dataclasses.replace(row, findings=(graviton, unknown))) == unknown
    # A known saving wins over an unknown one, however small.
    assert named_fix(dataclasses.replace(row, findings=(unknown, known, graviton))) == known


# --- refusals: nothing called, nothing changed -------------------------------------------------------


def _refused(audit: AuditLog, session: AwsSession, row: Resource, ident: str, before: tuple[str, str]) -> Any:
    (final,), seen = act(session, audit, [row], "modify")
    assert statuses(seen, ident) == [Status.REQUESTED, Status.IN_PROGRESS, Status.REFUSED]
    assert final.status is Status.REFUSED, final.message
    assert final.request_id == "" and final.result is None
    assert _type_and_state(ident) == before
    assert audit.tail(100) == []  # not even a DryRun: no Stop, no Modify
    return final


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        pytest.param("State", "pending", "state is pending; only a running or stopped instance changes type",
                     id="pending"),
        pytest.param("State", "stopping", "state is stopping; only a running or stopped instance changes type",
                     id="stopping"),
        pytest.param("State", "shutting-down", "it is shutting-down", id="shutting-down"),
        pytest.param("InstanceType", NEW, "it is m5.large already", id="already-the-type"),
        pytest.param("Tags", [{"Key": "aws:autoscaling:groupName", "Value": "web-asg"}],
                     "a member of Auto Scaling group web-asg, which would replace it: change the group's instance "
                     "type (its launch template) instead", id="autoscaling-member"),
        pytest.param("RootDeviceType", "instance-store",
                     "its root device is instance store: stopping loses the instance store root", id="instance-store"),
        pytest.param("Architecture", "arm64",
                     "m5.large is x86_64, the instance arm64: it needs an image for x86_64: launch a new instance "
                     "from one", id="architecture"),
        pytest.param("VirtualizationType", "paravirtual",
                     "m5.large takes hvm virtualization, the instance is paravirtual: its image cannot boot there; "
                     "launch a new instance from an hvm image", id="virtualization"),
        # AWS leaves EnaSupport out when ENA is not enabled.
        pytest.param("EnaSupport", None,
                     "m5.large requires ENA (enhanced networking), not enabled on the instance: enable ENA first "
                     "(an image with the ENA driver, then modify-instance-attribute --ena-support while stopped)",
                     id="no-ena"),
        pytest.param("EnaSupport", False,
                     "m5.large requires ENA (enhanced networking), not enabled on the instance: enable ENA first "
                     "(an image with the ENA driver, then modify-instance-attribute --ena-support while stopped)",
                     id="ena-false"),
    ],
)  # fmt: skip
def test_an_instance_read_back_unfit_is_refused_with_nothing_called(
    audit: AuditLog, key: str, value: Any, reason: str
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        _rewrite_instances(session, _setting(key, value))

        final = _refused(audit, session, row, ident, (OLD, "running"))
    assert (final.message, final.deleted) == (reason, False)


def test_a_terminated_instance_is_refused_and_its_row_goes(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        _ec2().terminate_instances(InstanceIds=[ident])

        final = _refused(audit, session, row, ident, (OLD, "terminated"))
    assert (final.message, final.deleted) == ("it is terminated", True)


def test_an_instance_gone_from_ec2_is_refused_and_its_row_goes(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        on_call(session, "ec2", REGION, "DescribeInstances",
                lambda **_: error_response("InvalidInstanceID.NotFound", "gone"))  # fmt: skip

        (final,), _ = act(session, audit, [row], "modify")
    assert (final.status, final.message, final.deleted) == (
        Status.REFUSED,
        "it no longer exists (deleted since the scan)",
        True,
    )
    assert audit.tail(100) == []


@pytest.mark.parametrize(
    ("protection", "reason"),
    [
        pytest.param(
            {"DisableApiStop": {"Value": True}},
            "stop protection is on (DisableApiStop) and it must be stopped to change type; tracker-tui never "
            "switches it off",
            id="stop-protection",
        ),
        pytest.param(
            {"DisableApiTermination": {"Value": True}},
            "termination protection is on (DisableApiTermination): a protected instance is left as it is; "
            "tracker-tui never switches it off",
            id="termination-protection",
        ),
    ],
)
def test_a_protected_instance_is_refused_with_nothing_called(
    audit: AuditLog, protection: dict[str, Any], reason: str
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        _ec2().modify_instance_attribute(InstanceId=ident, **protection)

        final = _refused(audit, session, row, ident, (OLD, "running"))
    assert final.message == reason


@pytest.mark.parametrize("tag", ["do-not-delete", "Protected"])
def test_a_protected_tag_refuses(audit: AuditLog, tag: str) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({tag: ""})
        row = _scanned_row(session, ident)

        final = _refused(audit, session, row, ident, (OLD, "running"))
    assert final.message == f"tag {tag} is set"


def test_a_row_without_a_finding_naming_a_type_is_refused(audit: AuditLog) -> None:
    """An m5.large: current generation, its only twin arm64 (graviton-migration: no modify)."""
    with mock_aws():
        session = helpers.moto_session()
        ec2 = _ec2()
        ident = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType=NEW)["Instances"][0]["InstanceId"]
        row = scanned(session, "ec2:instance")[ident]
        graviton = _finding(row, "graviton-migration")
        assert graviton is not None and graviton.target and graviton.action is None

        final = _refused(audit, session, row, ident, (NEW, "running"))
    assert final.message == "no finding names a type to change to"


def test_a_type_the_region_does_not_offer_is_refused(audit: AuditLog) -> None:
    """DescribeInstanceTypes answers InvalidInstanceType (moto does for a type it does not know)."""
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        odd = Finding("rightsize-instance", 50.0, "fits", "low", "modify", "m99.large")
        row = dataclasses.replace(row, findings=(*row.findings, odd))

        final = _refused(audit, session, row, ident, (OLD, "running"))
    assert (final.message, final.code) == ("m99.large is not offered in us-east-1 (InvalidInstanceType)",
                                           "InvalidInstanceType")  # fmt: skip


def test_a_running_instance_with_instance_store_volumes_is_refused(audit: AuditLog) -> None:
    """Stopping erases an instance store (an m5d's NVMe disks, not only an instance store root):
    the current type is described and a type with one is refused while it runs."""
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)

        def with_store(parsed: dict[str, Any], **_: Any) -> None:
            for info in parsed.get("InstanceTypes", []):
                if info.get("InstanceType") == OLD:
                    info["InstanceStorageSupported"] = True
                    info["InstanceStorageInfo"] = {"TotalSizeInGB": 75}

        session.client("ec2", REGION).meta.events.register("after-call.ec2.DescribeInstanceTypes", with_store)

        final = _refused(audit, session, row, ident, (OLD, "running"))
    assert final.message == (
        f"{OLD} has 75 GB of instance store, erased when it stops: copy what they hold first, "
        "then change the type by hand"
    )


def _current_type_answer(session: AwsSession, change: Callable[[dict[str, Any]], None]) -> None:
    """Rewrite DescribeInstanceTypes' answers about the instance's own type (not the target's)."""

    def rewrite(parsed: dict[str, Any], **_: Any) -> None:
        if any(info.get("InstanceType") == OLD for info in parsed.get("InstanceTypes", [])):
            change(parsed)

    session.client("ec2", REGION).meta.events.register("after-call.ec2.DescribeInstanceTypes", rewrite)


def test_an_instance_store_of_unknown_size_is_still_refused(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        _current_type_answer(session, lambda parsed: parsed["InstanceTypes"][0].update(InstanceStorageSupported=True))

        final = _refused(audit, session, row, ident, (OLD, "running"))
    assert final.message == (
        f"{OLD} has instance store volumes, erased when it stops: copy what they hold first, "
        "then change the type by hand"
    )


def test_a_current_type_ec2_does_not_describe_refuses_unchecked(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        _current_type_answer(session, lambda parsed: parsed.update(InstanceTypes=[]))

        final = _refused(audit, session, row, ident, (OLD, "running"))
    assert final.message == (
        f"cannot tell whether {OLD} has instance store volumes (not described); refusing without checking"
    )


def test_a_current_type_that_cannot_be_read_refuses_unchecked(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)

        def deny_own_type(params: dict[str, Any], **_: Any) -> Any:
            body = params.get("body") or {}
            asked = [v for k, v in body.items() if k.startswith("InstanceType")] if isinstance(body, dict) else []
            return error_response("UnauthorizedOperation", "not you") if asked == [OLD] else None

        on_call(session, "ec2", REGION, "DescribeInstanceTypes", deny_own_type)

        final = _refused(audit, session, row, ident, (OLD, "running"))
    assert (final.message, final.code) == (
        f"cannot read its type {OLD} (whether it has instance store volumes) (UnauthorizedOperation: not you); "
        "refusing without checking",
        "UnauthorizedOperation",
    )


@pytest.mark.parametrize(
    ("operation", "what"),
    [
        ("DescribeInstanceTypes", "target type m5.large"),
        ("DescribeInstanceAttribute", "termination protection"),
    ],
)
def test_a_check_that_cannot_be_read_refuses_without_checking(audit: AuditLog, operation: str, what: str) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        on_call(session, "ec2", REGION, operation, lambda **_: error_response("UnauthorizedOperation", "not you"))

        final = _refused(audit, session, row, ident, (OLD, "running"))
    assert (final.message, final.code) == (
        f"cannot read its {what} (UnauthorizedOperation: not you); refusing without checking",
        "UnauthorizedOperation",
    )


# --- failures after the stop: nothing is left stopped -------------------------------------------------


def test_a_modify_aws_refuses_after_the_stop_starts_it_again_on_its_old_type(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        on_call(session, "ec2", REGION, "ModifyInstanceAttribute",
                _fail_real_call("InsufficientInstanceCapacity", "No m5.large capacity."))  # fmt: skip

        (final,), seen = act(session, audit, [row], "modify")

        after = _type_and_state(ident)
    assert statuses(seen, ident) == [Status.REQUESTED, Status.IN_PROGRESS, Status.FAILED]
    assert (final.status, final.code, final.request_id) == (
        Status.FAILED,
        "InsufficientInstanceCapacity",
        "req-InsufficientInstanceCapacity",
    )
    assert final.message == (
        "could not change its type to m5.large: No m5.large capacity.; it is running again on its old type m4.large"
    )
    assert after == (OLD, "running")
    assert _phases(audit) == STOP + MODIFY + START
    modify_after = [line for line in audit.tail(100) if line["phase"] == "after"][1]
    assert (modify_after["operation"], modify_after["result"], modify_after["code"]) == (
        "ModifyInstanceAttribute",
        "error",
        "InsufficientInstanceCapacity",
    )
    assert final.result is None and not final.deleted


def test_a_modify_whose_dry_run_is_denied_after_the_stop_starts_it_again(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        on_call(session, "ec2", REGION, "ModifyInstanceAttribute",
                _fail_real_call("UnauthorizedOperation", "not you", dry_run=True))  # fmt: skip

        (final,), _ = act(session, audit, [row], "modify")

        after = _type_and_state(ident)
    assert (final.status, final.code) == (Status.FAILED, "UnauthorizedOperation")
    assert final.message == (
        "could not change its type to m5.large: DryRun denied: UnauthorizedOperation not you; "
        "it is running again on its old type m4.large"
    )
    assert after == (OLD, "running")
    assert _phases(audit) == STOP + MODIFY[:2] + START


def test_a_restart_that_fails_too_says_it_is_stopped(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        on_call(session, "ec2", REGION, "ModifyInstanceAttribute", _fail_real_call("InternalError", "try later"))
        on_call(session, "ec2", REGION, "StartInstances", _fail_real_call("InsufficientInstanceCapacity", "none"))

        (final,), _ = act(session, audit, [row], "modify")

        after = _type_and_state(ident)
    assert (final.status, final.code) == (Status.FAILED, "InternalError")
    assert final.message == (
        "could not change its type to m5.large: try later; starting it again failed too (none): "
        "it is stopped, on its old type m4.large: start it with u"
    )
    assert after == (OLD, "stopped")


def test_a_start_that_fails_after_the_modify_says_it_is_stopped_on_the_new_type(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        on_call(session, "ec2", REGION, "StartInstances", _fail_real_call("InsufficientInstanceCapacity", "none"))

        (final,), _ = act(session, audit, [row], "modify")

        after = _type_and_state(ident)
    assert (final.status, final.code, final.request_id) == (
        Status.FAILED,
        "InsufficientInstanceCapacity",
        "req-InsufficientInstanceCapacity",
    )
    assert final.message == "changed to m5.large, but it did not start again: none; it is stopped: start it with u"
    assert after == (NEW, "stopped")


def test_a_stopped_instance_whose_modify_aws_refuses_fails_with_awss_words_and_stays_stopped(
    audit: AuditLog,
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        _ec2().stop_instances(InstanceIds=[ident])
        on_call(session, "ec2", REGION, "ModifyInstanceAttribute", _fail_real_call("InvalidParameterValue", "No."))

        (final,), _ = act(session, audit, [row], "modify")

        after = _type_and_state(ident)
    assert (final.status, final.code, final.message) == (Status.FAILED, "InvalidParameterValue", "No.")
    assert after == (OLD, "stopped")
    assert _phases(audit) == MODIFY  # no start: it was stopped


def test_a_stop_that_is_never_confirmed_changes_nothing_and_says_so(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        stopping: list[bool] = []
        session.client("ec2", REGION).meta.events.register(
            "after-call.ec2.StopInstances", lambda http_response, **_: stopping.append(True)
        )
        _rewrite_instances(session, lambda inst: inst.update(State={"Name": "stopping"}) if stopping else None)

        (final,), _ = act(session, audit, [row], "modify", verify_timeout=0.3)

        after = _instance(ident)
    assert (final.status, final.code) == (Status.FAILED, "VerifyTimeout")
    assert final.message.startswith("asked AWS to modify it, but instance stopped was not confirmed within 0.3 s")
    assert final.message.endswith(
        "; rescan to check; its type was not changed, and if it stops later it stays stopped: start it with u"
    )
    assert after["InstanceType"] == OLD
    assert _phases(audit) == STOP


def test_a_type_that_does_not_read_back_is_failed_by_the_verification(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
        _ec2().stop_instances(InstanceIds=[ident])
        # Every read after the scan says the old type: a modify that did not take.
        _rewrite_instances(session, _setting("InstanceType", OLD))

        (final,), _ = act(session, audit, [row], "modify", verify_timeout=0.3)
    assert (final.status, final.code) == (Status.FAILED, "VerifyTimeout")
    assert final.message == (
        "asked AWS to modify it, but it was not m5.large within 0.3 s (state: m4.large, stopped); rescan to check"
    )


# --- the plan: what the dialog says ------------------------------------------------------------------


def test_the_plan_says_the_types_the_downtime_the_cost_and_the_way_back() -> None:
    with mock_aws():
        session = helpers.moto_session()
        ident = make_previous_generation_instance({})
        row = _scanned_row(session, ident)
    finding = _finding(row, "previous-generation")
    assert finding is not None and row.monthly_cost is not None

    (planned,) = plan([row], "modify")

    then, _ = estimate(dataclasses.replace(row, details={**row.details, "instance_type": NEW}))
    assert then is not None and round(row.monthly_cost - then, 2) == finding.monthly_saving
    assert (planned.action, planned.saving) == ("modify", finding.monthly_saving)
    assert planned.note == (
        f"m4.large -> m5.large: stops for about a minute, then starts again; {format_cost(then)}/mo "
        f"(now {format_cost(row.monthly_cost)}); back the same way: stop, `aws ec2 modify-instance-attribute "
        f"--instance-id {ident} --instance-type m4.large`, start"
    )
    # Reversible and nothing lost: one row confirms with y, several with the account's name.
    assert not needs_typed_name([planned])
    assert needs_typed_name(plan([row, dataclasses.replace(row, id="i-other")], "modify"))


def _row(**changes: Any) -> Resource:
    twin = Finding("previous-generation", 2.92, "m4 -> m5", "medium", "modify", NEW)
    base = Resource(
        kind="ec2:instance",
        id="i-0abc",
        region=REGION,
        state="running",
        details={"instance_type": OLD, "platform": "Linux/UNIX"},
        monthly_cost=73.0,
        findings=(twin,),
    )
    return dataclasses.replace(base, **changes)


def test_the_plan_for_a_stopped_row_says_it_stays_stopped() -> None:
    (planned,) = plan([_row(state="stopped", monthly_cost=0.0)], "modify")

    then, _ = estimate(dataclasses.replace(_row(), details={"instance_type": NEW, "platform": "Linux/UNIX"}))
    assert planned.note == (
        f"m4.large -> m5.large while stopped (it stays stopped); {format_cost(then)}/mo once started; back the same "
        "way: stop, `aws ec2 modify-instance-attribute --instance-id i-0abc --instance-type m4.large`, start"
    )
    assert planned.saving == 2.92


def test_the_plan_says_an_autoscaling_member_will_be_refused() -> None:
    (planned,) = plan([_row(details={"instance_type": OLD, "autoscaling_group": "web-asg"})], "modify")

    assert planned.action == "modify"
    assert planned.note == (
        "m4.large -> m5.large: a member of Auto Scaling group web-asg (it will be refused): change the group's "
        "launch template instead"
    )


def test_the_plan_says_a_row_without_a_type_to_change_to_will_be_refused() -> None:
    graviton = Finding("graviton-migration", 16.0, "arm64", "low", None, "m6g.large")
    (planned,) = plan([_row(findings=(graviton,))], "modify")

    assert (planned.action, planned.saving) == ("modify", None)
    assert planned.note == "no finding names a type to change to (it will be refused)"
