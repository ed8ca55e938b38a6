"""EC2 instances (not terminated): listing, price and the stopped-instance rule."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tracker_tui.aws.kinds.base import (
    CellContext,
    InPlace,
    KindSpec,
    Related,
    Rule,
    Schedulable,
    Twins,
    known,
    named_rows,
    named_rows_cost,
    tag_dict,
    ts,
    twin_rule,
)
from tracker_tui.aws.kinds.console import ec2_page
from tracker_tui.aws.kinds.ec2_volume import KIND as VOLUME
from tracker_tui.aws.kinds.knobs import Knob, Thresholds
from tracker_tui.aws.kinds.metric import (
    HOUR,
    IDLE_DAYS,
    MetricQuery,
    MetricRule,
    Series,
    Verdict,
    count,
    days_text,
    percent,
    unknown_saving,
)
from tracker_tui.aws.kinds.offhours import no_off_hours
from tracker_tui.aws.kinds.sizing import RIGHTSIZE_HEADROOM, burstable, enough_hours, family_of, need_of
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import (
    Estimate,
    PriceBook,
    PriceQuery,
    cents,
    fetched,
    hourly_basis,
    price_source,
    rate,
    unit,
)
from tracker_tui.pricing.catalogue import Catalogue, load_catalogue

KIND = "ec2:instance"

_LIVE_STATES = ["pending", "running", "shutting-down", "stopping", "stopped"]
_BILLED_STATES = frozenset({"running", "pending"})
_STOPPED_STATES = frozenset({"stopped", "stopping"})
_ENDING_STATES = frozenset({"shutting-down", "terminated"})


def list_instances(ctx: CellContext) -> Iterator[list[Resource]]:
    ec2 = ctx.client("ec2")
    filters = [{"Name": "instance-state-name", "Values": _LIVE_STATES}]
    for page in ctx.pages(ec2, "describe_instances", Filters=filters):
        batch = []
        for reservation in page.get("Reservations", []):
            for inst in reservation.get("Instances", []):
                batch.append(_instance(ctx, inst))
        yield batch


def _instance(ctx: CellContext, inst: dict[str, Any]) -> Resource:
    tags = tag_dict(inst.get("Tags"))
    instance_id = inst["InstanceId"]
    volumes = [m["Ebs"]["VolumeId"] for m in inst.get("BlockDeviceMappings", []) if m.get("Ebs", {}).get("VolumeId")]
    details = {
        "instance_type": inst.get("InstanceType"),
        "platform": inst.get("PlatformDetails") or inst.get("Platform") or "Linux/UNIX",
        "usage_operation": inst.get("UsageOperation"),
        "availability_zone": inst.get("Placement", {}).get("AvailabilityZone"),
        "tenancy": inst.get("Placement", {}).get("Tenancy", "default"),
        "lifecycle": inst.get("InstanceLifecycle", "on-demand"),
        "vpc_id": inst.get("VpcId"),
        "subnet_id": inst.get("SubnetId"),
        "private_ip": inst.get("PrivateIpAddress"),
        "public_ip": inst.get("PublicIpAddress"),
        "image_id": inst.get("ImageId"),
        "key_name": inst.get("KeyName"),
        "volume_ids": volumes,
        "state_reason": (inst.get("StateReason") or {}).get("Message"),
        "autoscaling_group": tags.get("aws:autoscaling:groupName"),
    }
    return Resource(
        kind=KIND,
        id=instance_id,
        account_id=ctx.account_id,
        arn=ctx.arn("ec2", f"instance/{instance_id}"),
        name=tags.get("Name", ""),
        region=ctx.region,
        state=inst.get("State", {}).get("Name", ""),
        created=ts(inst.get("LaunchTime")),
        tags=tags,
        details=known(details),
    )


@dataclass(frozen=True)
class OperatingSystem:
    """What an instance pays for besides compute, as the Price List API names it."""

    #: How people say it (``Windows with SQL Server Standard``).
    label: str
    #: GetProducts ``operatingSystem`` / ``preInstalledSw`` / ``licenseModel`` values.
    price_os: str
    software: str = "NA"
    license: str = "No License required"
    #: The shipped catalogue prices it: "linux", "windows", or "" (only the Price List API).
    catalogue: str = ""


LINUX = OperatingSystem("Linux/UNIX", "Linux", catalogue="linux")
WINDOWS = OperatingSystem("Windows", "Windows", catalogue="windows")

#: DescribeInstances' ``UsageOperation`` (the billing code of the AMI) -> what is billed.
#: (AWS, "AMI billing information fields".)  ``PlatformDetails`` says the same in words.
USAGE_OPERATIONS: dict[str, OperatingSystem] = {
    "RunInstances": LINUX,
    "RunInstances:0002": WINDOWS,
    "RunInstances:0800": OperatingSystem("Windows BYOL", "Windows", license="Bring your own license"),
    "RunInstances:0010": OperatingSystem("Red Hat Enterprise Linux", "RHEL"),
    "RunInstances:1010": OperatingSystem("Red Hat Enterprise Linux with HA", "Red Hat Enterprise Linux with HA"),
    "RunInstances:000g": OperatingSystem("SUSE Linux", "SUSE"),
    "RunInstances:0g00": OperatingSystem("Ubuntu Pro", "Ubuntu Pro"),
    "RunInstances:0202": OperatingSystem("Windows with SQL Server Web", "Windows", "SQL Web"),
    "RunInstances:0006": OperatingSystem("Windows with SQL Server Standard", "Windows", "SQL Std"),
    "RunInstances:0102": OperatingSystem("Windows with SQL Server Enterprise", "Windows", "SQL Ent"),
    "RunInstances:0200": OperatingSystem("Linux with SQL Server Web", "Linux", "SQL Web"),
    "RunInstances:0004": OperatingSystem("Linux with SQL Server Standard", "Linux", "SQL Std"),
    "RunInstances:0100": OperatingSystem("Linux with SQL Server Enterprise", "Linux", "SQL Ent"),
    "RunInstances:0210": OperatingSystem("Red Hat Enterprise Linux with SQL Server Web", "RHEL", "SQL Web"),
    "RunInstances:0014": OperatingSystem("Red Hat Enterprise Linux with SQL Server Standard", "RHEL", "SQL Std"),
    "RunInstances:0110": OperatingSystem("Red Hat Enterprise Linux with SQL Server Enterprise", "RHEL", "SQL Ent"),
}
_BY_PLATFORM = {os_.label.lower(): os_ for os_ in USAGE_OPERATIONS.values()}
_BY_PLATFORM["linux"] = LINUX


def operating_system(details: Mapping[str, Any]) -> OperatingSystem | None:
    """What the instance is billed as: its UsageOperation, else its PlatformDetails (or ``Platform:
    windows``); None when neither says anything this build knows."""
    by_code = USAGE_OPERATIONS.get(str(details.get("usage_operation") or ""))
    if by_code is not None:
        return by_code
    platform = str(details.get("platform") or "Linux/UNIX").strip().lower()
    return _BY_PLATFORM.get(platform)


def price_query(instance_type: str, region: str, os_: OperatingSystem) -> PriceQuery:
    """The GetProducts filters for one on-demand, shared-tenancy instance type and OS in a region."""
    return PriceQuery(
        "AmazonEC2",
        (
            ("instanceType", instance_type),
            ("regionCode", region),
            ("operatingSystem", os_.price_os),
            ("preInstalledSw", os_.software),
            ("licenseModel", os_.license),
            ("tenancy", "Shared"),
            ("capacitystatus", "Used"),
        ),
        "Hrs",
        f"{instance_type} {os_.label} {region}",
    )


def _catalogue_hourly(itype: str, region: str, os_: OperatingSystem, cat: Catalogue) -> tuple[float | None, str]:
    """The shipped catalogue's USD/hour for ``os_`` and how it is made up (or None and why not)."""
    linux = cat.ec2_hourly(itype, region)
    if linux is None:
        where = region if cat.knows_region(region) else f"{region} (region not in the catalogue)"
        return None, f"no catalogue price for {itype} in {where}"
    if os_.catalogue == "linux":
        return linux, ""
    if os_.catalogue == "windows":
        license_ = cat.windows_license_hourly(itype)
        info = cat.instance_type(itype)
        if info is None:
            return None, f"{itype} Windows: the catalogue does not know this type's vCPUs, so not its license"
        if license_ is None:
            return None, f"{itype} Windows: Windows does not run on {info.architectures} types; not priced"
        share = cat.windows_baseline_share(itype)
        vcpus = f"{info.vcpus} vCPU" + (f" x {share:g} baseline" if share != 1.0 else "")
        how = f"Linux ${rate(linux)}/h + Windows license {vcpus} x ${unit(cat.windows_per_vcpu_hour)}/vCPU-h"
        return linux + license_, how
    if os_.license == "Bring your own license":
        return None, f"{itype} {os_.label}: bring your own license, not priced (the license is yours to count)"
    return None, (
        f"{itype} {os_.label}: the license's price is not in the shipped catalogue; "
        "`tracker-tui prices update` fetches it from the AWS Price List API"
    )


def estimate_instance(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    d = r.details
    state = (r.state or "").lower()
    if state in _STOPPED_STATES:
        return 0.0, f"{state}: no compute charge; its EBS volumes are billed on their own rows"
    if state in _ENDING_STATES:
        return 0.0, f"{state}: no further compute charge; its EBS volumes are billed on their own rows"
    itype = d.get("instance_type")
    if not itype:
        return None, "instance type unknown"
    lifecycle = str(d.get("lifecycle") or "on-demand").lower()
    if lifecycle == "spot":
        return None, f"{itype} spot instance: the price follows the spot market, not estimated"
    if lifecycle not in ("on-demand", "normal"):
        return None, f"{itype} {lifecycle} instance: no catalogue price"
    tenancy = str(d.get("tenancy") or "default").lower()
    if tenancy not in ("default", "shared"):
        return None, f"{itype} {tenancy} tenancy: no catalogue price (only shared tenancy is priced)"
    os_ = operating_system(d)
    if os_ is None:
        return None, f"{itype} {d.get('platform') or d.get('usage_operation')}: an operating system not priced here"
    found = fetched(book, price_query(itype, r.region, os_))
    if found is not None:
        hourly: float | None = found.usd
        how = ""
    else:
        hourly, how = _catalogue_hourly(itype, r.region, os_, cat)
        if hourly is None:
            return None, how
    assert hourly is not None
    what = f"{itype} {os_.label} on-demand {r.region} ({price_source(found, cat)})"
    if how:
        what += f": {how}"
    monthly, basis = hourly_basis(what, round(hourly, 6), cat.hours_per_month)
    if state not in _BILLED_STATES:
        basis += f" (state {state or 'unknown'}: priced as running)"
    if d.get("public_ip"):
        basis += "; public IPv4 ($0.005/h) not included"
    return monthly, basis


def _stopped_with_volumes(r: Resource) -> bool:
    return (r.state or "").lower() == "stopped" and bool(r.details.get("volume_ids"))


def _volumes_cost(r: Resource, volumes: Related) -> float | None:
    """What its volumes cost a month: terminating it and deleting them saves that.  The
    volumes are their own rows, so this is no extra charge."""
    return named_rows_cost(r, volumes, "volume_ids")


def _volumes(r: Resource, volumes: Related) -> list[Resource]:
    return named_rows(r, volumes, "volume_ids")


def _storage_evidence(r: Resource, volumes: Related, saving: float | None) -> str:
    ids = list(r.details.get("volume_ids") or [])
    if saving is None:
        return f"stopped; its volumes {', '.join(ids)}: cost unknown (not all scanned or priced)"
    return f"stopped (no compute charge); its {len(ids)} volume(s) {', '.join(ids)} still cost {format_cost(saving)}/mo"


STOPPED_INSTANCE_STORAGE = Rule(
    id="stopped-instance-storage",
    label="stopped instance still paying for storage",
    applies=_stopped_with_volumes,
    saving=_volumes_cost,
    related_kind=VOLUME,
    evidence=_storage_evidence,
    # Stopped may mean "needed next week": terminating is the user's call.
    confidence="medium",
    action="terminate",
    covers=_volumes,
)

#: Previous-generation families and their current twin (same sizes, cheaper or equal, faster).
CURRENT_TWIN = {
    "t1": "t3", "t2": "t3", "m1": "m5", "m3": "m5", "m4": "m5", "c1": "c5", "c3": "c5", "c4": "c5",
    "r3": "r5", "r4": "r5", "i2": "i3", "d2": "d3", "g2": "g4dn", "g3": "g4dn", "p2": "p3", "x1": "x2iedn",
}  # fmt: skip


def _twin(r: Resource) -> str | None:
    family, _, size = str(r.details.get("instance_type") or "").partition(".")
    twin = CURRENT_TWIN.get(family)
    return f"{twin}.{size}" if twin and size else None


def _twin_costs(r: Resource) -> list[tuple[str, float]]:
    """The twin type and what the row would cost on it, when the catalogue prices both."""
    twin = _twin(r)
    if twin is None:
        return []
    cost, _ = estimate_instance(
        dataclasses.replace(r, details={**r.details, "instance_type": twin}), load_catalogue(), None
    )
    return [] if cost is None else [(twin, cost)]


def _twin_evidence(r: Resource, twins: Twins) -> str:
    twin, cost = twins[0]
    return (
        f"{r.details.get('instance_type')} costs {format_cost(r.monthly_cost)}/mo; {twin} (current generation, "
        f"same size) costs {format_cost(cost)}/mo in {r.region} (catalogue); moving needs a stop/start and an AMI "
        "with ENA/NVMe drivers"
    )


def _billed(r: Resource) -> bool:
    return (r.state or "").lower() in _BILLED_STATES


PREVIOUS_GENERATION = twin_rule(
    id="previous-generation",
    label="previous-generation type",
    billed=_billed,
    twins=_twin_costs,
    describe=_twin_evidence,
    # A resize restarts the instance and the AMI must support the newer type (ENA, NVMe).
    confidence="medium",
    # ``m``: stop, ModifyInstanceAttribute InstanceType to the twin, start again (aws/actions/ec2.py).
    action="modify",
)

#: ``idle-instance``: the highest daily maximum CPU below this (percent) ...
IDLE_CPU_MAX = Knob(
    "idle_cpu_max_percent", 5.0, "idle-instance: the highest daily CPU maximum is under this (%)", 0.0, 100.0
)
#: ... and the mean of the daily averages below this (percent) ...
IDLE_CPU_AVERAGE = Knob(
    "idle_cpu_average_percent", 2.0, "idle-instance: the mean daily CPU average is under this (%)", 0.0, 100.0
)
#: ... and no day's network (in + out) above this, in MB (Trusted Advisor's bound: 5 MB).
IDLE_NETWORK_MB = Knob(
    "idle_network_mb_per_day", 5.0, "idle-instance: no day's network in + out is above this (MB)", 0.0, 1e9
)

_MB = 1_000_000


def _judge_cpu(r: Resource, values: Series, limits: Thresholds) -> Verdict:
    peak = max(values["cpu_max"])
    daily = values["cpu_average"]
    mean = sum(daily) / len(daily)
    # The busiest day of traffic: NetworkIn and NetworkOut are summed per day, then added.
    network = max(values["net_in"]) / _MB + max(values["net_out"]) / _MB
    quiet = network <= limits[IDLE_NETWORK_MB]
    idle = peak < limits[IDLE_CPU_MAX] and mean < limits[IDLE_CPU_AVERAGE] and quiet
    return Verdict(
        idle,
        f"CPUUtilization over {limits[IDLE_DAYS]:g} days ({days_text(daily)}): highest daily maximum {percent(peak)} "
        f"({'under' if peak < limits[IDLE_CPU_MAX] else 'not under'} {percent(limits[IDLE_CPU_MAX])}), "
        f"average {percent(mean)} ({'under' if mean < limits[IDLE_CPU_AVERAGE] else 'not under'} "
        f"{percent(limits[IDLE_CPU_AVERAGE])}); network at most {count(round(network, 2))} MB a day in + out "
        f"({'at most' if quiet else 'more than'} {count(limits[IDLE_NETWORK_MB])} MB)",
    )


def _compute_basis(r: Resource, saving: float | None) -> str:
    if saving is None:
        return unknown_saving(r, "compute cost")
    return f"stopping it saves its compute, {format_cost(saving)}/mo ({r.cost_basis}); its volumes stay billed"


IDLE_INSTANCE = MetricRule(
    id="idle-instance",
    label="idle instance (CPU and network)",
    applies=lambda r: (r.state or "").lower() == "running",
    queries=(
        MetricQuery("cpu_max", "AWS/EC2", "CPUUtilization", "Maximum", "InstanceId"),
        MetricQuery("cpu_average", "AWS/EC2", "CPUUtilization", "Average", "InstanceId"),
        MetricQuery("net_in", "AWS/EC2", "NetworkIn", "Sum", "InstanceId"),
        MetricQuery("net_out", "AWS/EC2", "NetworkOut", "Sum", "InstanceId"),
    ),
    judge=_judge_cpu,
    knobs=(IDLE_CPU_MAX, IDLE_CPU_AVERAGE, IDLE_NETWORK_MB),
    # The row holds compute only: its volumes are their own rows.
    saving=lambda r: r.monthly_cost,
    saving_basis=_compute_basis,
    action="stop",
    # Low CPU is not always unused (a memory- or network-bound service): a person should look.
    confidence="medium",
)

#: x86 families and their Graviton (arm64) twins, newest first: the cheapest priced one is named.
ARM_TWINS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("m4", "m5", "m5a", "m6i", "m6a", "m7i", "m7a"), ("m7g", "m6g")),
    **dict.fromkeys(("c4", "c5", "c5a", "c6i", "c6a", "c7i", "c7a"), ("c7g", "c6g")),
    **dict.fromkeys(("r4", "r5", "r5a", "r6i", "r6a", "r7i", "r7a"), ("r7g", "r6g")),
    **dict.fromkeys(("t2", "t3", "t3a"), ("t4g",)),
}


@functools.lru_cache(maxsize=4096)
def _linux_monthly(itype: str, region: str) -> float | None:
    """What ``itype`` costs a month on Linux in ``region`` (the shipped catalogue), as the
    estimator prices it."""
    row = Resource(kind=KIND, id="", region=region, state="running", details={"instance_type": itype})
    return estimate_instance(row, load_catalogue(), None)[0]


def _arm_twins(r: Resource) -> list[tuple[str, float]]:
    """The priced Graviton twins of the same size and their monthly cost, cheapest first
    (Linux rows only: Windows does not run on arm64)."""
    family, _, size = str(r.details.get("instance_type") or "").partition(".")
    if operating_system(r.details) is not LINUX or not size:
        return []
    priced = [
        (f"{twin}.{size}", cost)
        for twin in ARM_TWINS.get(family, ())
        if (cost := _linux_monthly(f"{twin}.{size}", r.region)) is not None
    ]
    return sorted(priced, key=lambda twin: (twin[1], twin[0]))


def _graviton_evidence(r: Resource, twins: Twins) -> str:
    twin, cost = twins[0]
    return (
        f"{r.details.get('instance_type')} costs {format_cost(r.monthly_cost)}/mo; {twin} (Graviton, arm64, same "
        f"size) costs {format_cost(cost)}/mo in {r.region} (catalogue); needs an arm64 image and arm64 builds of "
        "what it runs, and a stop/start"
    )


GRAVITON_MIGRATION = twin_rule(
    id="graviton-migration",
    label="x86 type with a cheaper Graviton twin",
    billed=_billed,
    twins=_arm_twins,
    describe=_graviton_evidence,
    # Whether the software runs on arm64 is unknowable from the API: a person decides.
    confidence="low",
    # No verb: an instance runs its image's architecture, and AWS refuses an arm64 type for an
    # x86 instance (its image cannot boot there), so the move is a new instance from an arm64 image.
    action=None,
)


def _sizable(r: Resource) -> bool:
    """Running, priced, not burstable, and its family has a smaller type priced in the region
    (the smallest of a family is never checked: nothing could be named)."""
    itype = str(r.details.get("instance_type") or "")
    return (
        (r.state or "").lower() == "running"
        and r.monthly_cost is not None
        and bool(itype)
        and not burstable(itype)
        and "metal" not in itype
        and _has_smaller(itype, r.region)
    )


@functools.lru_cache(maxsize=4096)
def _has_smaller(itype: str, region: str) -> bool:
    cat = load_catalogue()
    info = cat.instance_type(itype)
    if info is None:
        return False
    family = family_of(itype)
    for name in cat.ec2_instance_types(region):
        other = cat.instance_type(name)
        if family_of(name) == family and other is not None and other.vcpus < info.vcpus:
            if other.architectures == info.architectures:
                return True
    return False


def _judge_size(r: Resource, values: Series, limits: Thresholds) -> Verdict:
    """The cheapest type of the same family and architecture with the vCPUs the p99 CPU peak
    needs (with headroom) and, when the agent reports it, the memory."""
    days = int(limits[IDLE_DAYS])
    hours = values["cpu_max_hourly"]
    if not enough_hours(len(hours), days):
        return Verdict(
            False, f"{len(hours)} of {days * 24} hours of CPUUtilization; rightsizing needs 75%", no_data=True
        )
    cat = load_catalogue()
    itype = str(r.details.get("instance_type"))
    info = cat.instance_type(itype)
    if info is None or r.monthly_cost is None:
        return Verdict(False, f"{itype}: vCPUs or price unknown", no_data=True)
    need = need_of(
        info.vcpus, hours, values["cpu_average_hourly"], values.get("memory_max") or (), limits[RIGHTSIZE_HEADROOM]
    )
    family = family_of(itype)
    fits = []
    for name in cat.ec2_instance_types(r.region):
        other = cat.instance_type(name)
        if (
            family_of(name) == family
            and "metal" not in name
            and other is not None
            and other.architectures == info.architectures
            and other.vcpus >= need.minimum
        ):
            cost, _ = estimate_instance(dataclasses.replace(r, details={**r.details, "instance_type": name}), cat, None)
            if cost is not None:
                fits.append((cost, other.vcpus, name))
    measured = f"CPUUtilization hourly over {days} days ({len(hours)} of {days * 24} hours): {need.cpu_text()}"
    memory = need.memory_text("CWAgent mem_used_percent")
    network = (
        f"network busiest day {count(round(max(values['net_in']) / _MB + max(values['net_out']) / _MB, 1))} MB "
        "in + out (the target's bandwidth is not in the catalogue: not compared)"
        if values.get("net_in") and values.get("net_out")
        else "network not measured"
    )
    if not fits:
        return Verdict(False, f"{measured}; {memory}; no priced {family} type fits in {r.region}")
    cost, vcpus, target = min(fits)
    if target == itype or cost >= r.monthly_cost:
        return Verdict(False, f"{measured}; {memory}; {itype} is the cheapest {family} type that fits")
    saving = cents(r.monthly_cost - cost)
    return Verdict(
        True,
        f"{measured}; {memory}; {target} ({vcpus} vCPUs) fits: {need.projected(vcpus)}; {network}",
        saving=saving,
        basis=(
            f"{itype} {format_cost(r.monthly_cost)}/mo -> {target} {format_cost(cost)}/mo in {r.region} "
            f"(catalogue): saves {format_cost(saving)}/mo; a stop/start to resize"
        ),
        confidence="medium" if need.memory_peak is not None else "low",
        target=target,
    )


RIGHTSIZE_INSTANCE = MetricRule(
    id="rightsize-instance",
    label="oversized instance (smaller type fits)",
    applies=_sizable,
    queries=(
        MetricQuery("cpu_max_hourly", "AWS/EC2", "CPUUtilization", "Maximum", "InstanceId", HOUR),
        MetricQuery("cpu_average_hourly", "AWS/EC2", "CPUUtilization", "Average", "InstanceId", HOUR),
        MetricQuery("net_in", "AWS/EC2", "NetworkIn", "Sum", "InstanceId"),
        MetricQuery("net_out", "AWS/EC2", "NetworkOut", "Sum", "InstanceId"),
        # The CloudWatch agent's memory, read with the InstanceId dimension alone (the agent's
        # default append_dimensions add ImageId and InstanceType: aggregate by InstanceId).
        MetricQuery("memory_max", "CWAgent", "mem_used_percent", "Maximum", "InstanceId", optional=True),
    ),
    judge=_judge_size,
    knobs=(RIGHTSIZE_HEADROOM,),
    saving=lambda r: None,
    saving_basis=lambda r, saving: "",
    # ``m``: stop, ModifyInstanceAttribute InstanceType to the type named, start again.
    action="modify",
    # Lowered per row: low without memory; medium with it (the network is not compared).
    confidence="medium",
)

#: ``z``: EventBridge Scheduler's universal targets call StopInstances and StartInstances, one
#: schedule naming every instance of a region on one schedule.
SCHEDULABLE = Schedulable(
    short="ec2",
    service="ec2",
    stop="stopInstances",
    start="startInstances",
    field="InstanceIds",
    many=True,
    iam_actions=("ec2:StopInstances", "ec2:StartInstances"),
    running_state="running",
    stopped_state="stopped",
    states=frozenset({"running", "stopped", "pending", "stopping"}),
    arn_resource="instance",
)
NO_OFF_HOURS = no_off_hours(SCHEDULABLE, estimate_instance)(Thresholds())

SPEC = KindSpec(
    id=KIND,
    console=ec2_page("InstanceDetails:instanceId={id}"),
    aliases=("instance", "instances", "vm", "server"),
    label="ec2",
    title="EC2 instances",
    service="ec2",
    scope="regional",
    lister=list_instances,
    iam_actions=("ec2:DescribeInstances",),
    estimator=estimate_instance,
    rules=(STOPPED_INSTANCE_STORAGE, PREVIOUS_GENERATION, GRAVITON_MIGRATION, NO_OFF_HOURS),
    verbs={"stop": "stop", "delete": "terminate", "start": "start", "modify": "modify", "schedule": "schedule"},
    billed_as="Amazon Elastic Compute Cloud - Compute",
    not_found_codes=frozenset({"InvalidInstanceID.NotFound"}),
    metric_rules=(IDLE_INSTANCE, RIGHTSIZE_INSTANCE),
    # A stop keeps the instance and its volumes; a type change stops it for about a minute.
    # graviton-migration is not here: an x86 instance's image cannot boot on arm64.
    in_place={
        IDLE_INSTANCE.id: InPlace("stop"),
        PREVIOUS_GENERATION.id: InPlace("modify"),
        RIGHTSIZE_INSTANCE.id: InPlace("modify"),
        # An Auto Scaling group would replace what a schedule stops: z refuses its members.
        NO_OFF_HOURS.id: InPlace("schedule", takes=lambda r: not r.details.get("autoscaling_group")),
    },
    off_hours=SCHEDULABLE,
)
