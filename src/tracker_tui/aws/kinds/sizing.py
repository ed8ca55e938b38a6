"""Rightsizing arithmetic shared by ``rightsize-instance`` and ``rightsize-database``.

The method is Compute Optimizer's, in the open (as OptScale and cloudcostwise publish theirs):
hourly CPU over the checks' window; the p99 of the hourly maxima, given headroom, says how
many vCPUs the load needs; memory, when measured, says how much memory it needs.  The
cheapest type of the same family and architecture that has both is the target.

Within one family (m5, c6i, db.r5 ...) memory grows with the vCPUs (m: 4 GiB per vCPU, c: 2,
r: 8), so a memory need is written in vCPUs of that family; the burstable families (t2, t3,
t4g) break that rule and are not rightsized here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from tracker_tui.aws.kinds.knobs import Knob

#: The capacity left free on the target: its p99 hourly CPU peak stays under 100% minus this.
RIGHTSIZE_HEADROOM = Knob(
    "rightsize_headroom_percent",
    20.0,
    "rightsize-*: the capacity left free on the target type (its p99 CPU stays under 100% minus this)",
    0.0,
    90.0,
)

#: The share of the window's hours that must have a CPU datapoint (Compute Optimizer's rule).
MIN_HOURS_SHARE = 0.75


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (``pct`` of the values are at or below it)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def family_of(type_name: str) -> str:
    """``m5`` of ``m5.2xlarge``, ``db.r5`` of ``db.r5.large``."""
    return type_name.rpartition(".")[0]


def burstable(type_name: str) -> bool:
    """A T family (its CPU is credits, its memory does not grow with vCPUs)."""
    family = family_of(type_name).removeprefix("db.").removeprefix("cache.")
    return family.startswith("t") and family[1:2].isdigit()


@dataclass(frozen=True)
class Need:
    """What the measured load needs, in vCPUs of the row's family."""

    vcpus: int
    cpu_p99: float
    cpu_p50: float
    #: vCPUs for the CPU peak: ceil(vcpus x p99 / (100% - headroom)).
    for_cpu: int
    #: The memory peak (percent) and the vCPUs of the family that carry it with headroom.
    memory_peak: float | None
    for_memory: float
    headroom: float

    @property
    def minimum(self) -> float:
        return max(self.for_cpu, self.for_memory, 1)

    def cpu_text(self) -> str:
        return (
            f"p99 of hourly CPU maxima {self.cpu_p99:.1f}%, p50 of hourly averages {self.cpu_p50:.1f}% on "
            f"{self.vcpus} vCPUs: needs ceil({self.vcpus} x {self.cpu_p99:.1f}% / {100 - self.headroom:g}%) = "
            f"{self.for_cpu} vCPU(s)"
        )

    def memory_text(self, what: str) -> str:
        if self.memory_peak is None:
            return f"memory not measured ({what}): the target has less memory in proportion; check it first"
        return (
            f"memory peak {self.memory_peak:.1f}% ({what}) needs {self.for_memory:.2f} vCPUs' worth "
            "(memory grows with vCPUs within a family)"
        )

    def projected(self, target_vcpus: int) -> str:
        scale = self.vcpus / target_vcpus
        return f"projected CPU p50 {self.cpu_p50 * scale:.1f}%, p99 {self.cpu_p99 * scale:.1f}%"


def need_of(
    vcpus: int, hourly_max: Sequence[float], hourly_average: Sequence[float], memory: Sequence[float], headroom: float
) -> Need:
    """The load's need from its hourly CPU (maxima and averages) and memory peaks (percent)."""
    p99 = percentile(hourly_max, 99)
    p50 = percentile(hourly_average, 50) if hourly_average else p99
    usable = 100.0 - headroom
    for_cpu = max(1, math.ceil(round(vcpus * p99 / usable, 6)))
    peak = max(memory) if memory else None
    for_memory = vcpus * peak / usable if peak is not None else 0.0
    return Need(vcpus, p99, p50, for_cpu, peak, for_memory, headroom)


def enough_hours(hours: int, days: int) -> bool:
    return hours >= MIN_HOURS_SHARE * days * 24
