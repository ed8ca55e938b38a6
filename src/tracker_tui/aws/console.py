"""The AWS console page of a resource (``o``): the kind's page (``KindSpec.console``, in its
own module) on the console host of the row's region and partition.

Hosts: ``console.aws.amazon.com``, ``console.amazonaws.cn``, ``console.amazonaws-us-gov.com``,
with the region in front (``eu-west-1.console.aws.amazon.com``) except for the kinds that
are account-wide (IAM, Route 53: the partition's global console).  Pure: no boto3.
"""

from __future__ import annotations

import re

from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.aws.regions import partition_of
from tracker_tui.model import GLOBAL_REGION, Resource

#: The console's domain in each partition.
DOMAINS = {
    "aws": "console.aws.amazon.com",
    "aws-cn": "console.amazonaws.cn",
    "aws-us-gov": "console.amazonaws-us-gov.com",
}

#: What an AWS region's name looks like (``us-east-1``, ``us-gov-west-1``, ``cn-north-1``).
#: The region goes into the link's host name, so a row's region that is anything else (a
#: saved inventory is a file anyone can write) gets no link rather than a host of its choosing.
REGION_NAME = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")


def console_url(resource: Resource) -> str | None:
    """The console page of ``resource`` (None for a kind without one, or a region that is no region)."""
    spec = REGISTRY.get(resource.kind)
    if spec is None or spec.console is None:
        return None
    if resource.region not in ("", GLOBAL_REGION) and not REGION_NAME.fullmatch(resource.region):
        return None
    if resource.region and resource.region != GLOBAL_REGION:
        domain = DOMAINS.get(partition_of(resource.region), DOMAINS["aws"])
        return spec.console(resource, f"https://{resource.region}.{domain}")
    # Account-wide rows (IAM users and roles, hosted zones): the global console.
    return spec.console(resource, f"https://{DOMAINS['aws']}")
