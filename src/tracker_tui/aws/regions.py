"""Which regions a scan covers."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from typing import Protocol

import botocore.exceptions
import botocore.session

from tracker_tui.aws.session import EXPIRED_CODES, AwsSession, CredentialsError, describe_credentials_error


class RegionsError(ValueError):
    """The regions to scan cannot be worked out.  The message is one line for the user."""


class UnknownRegionError(RegionsError):
    """A region the user named does not exist in the account's partition."""


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


class _Offered(Protocol):
    def get_available_regions(self, service_name: str, partition_name: str) -> list[str]: ...


@functools.cache
def _own_session() -> botocore.session.Session:
    return botocore.session.get_session()


_ENDPOINT_REGIONS: dict[tuple[str, str], frozenset[str]] = {}
_ENDPOINT_REGIONS_LOCK = threading.Lock()


def _endpoint_regions(service: str, partition: str, session: _Offered | None) -> frozenset[str]:
    """The regions botocore's endpoint data lists for ``service`` in ``partition``.

    Worked out once per process, under a lock: every cell of a scan asks at its start, and
    each answer parses endpoint data and the service's model (a dozen cells doing it at once
    for the same service cost seconds of GIL the first rows waited for).
    """
    key = (service, partition)
    found = _ENDPOINT_REGIONS.get(key)
    if found is None:
        with _ENDPOINT_REGIONS_LOCK:
            found = _ENDPOINT_REGIONS.get(key)
            if found is None:
                found = frozenset((session or _own_session()).get_available_regions(service, partition))
                _ENDPOINT_REGIONS[key] = found
    return found


def service_offered(service: str, region: str, session: _Offered | None = None) -> bool:
    """Whether ``service`` exists in ``region``, by botocore's endpoint data.

    False only when the data knows the region (EC2 is listed there) and does not list the
    service in it: a region newer than this botocore, or a service the data has no regions
    for, counts as offered, since skipping a cell on a guess would hide what it holds.

    ``session`` (a boto3 or botocore session) reads the data with its loader, so the service
    models it parses are the ones its clients use; without one, a session of this module's.
    """
    partition = partition_of(region)
    if region not in _endpoint_regions("ec2", partition, session):
        return True
    regions = _endpoint_regions(service, partition, session)
    return not regions or region in regions


def enabled_regions(session: AwsSession) -> list[str]:
    """The account's enabled regions (``DescribeRegions`` without AllRegions), sorted.

    AWS already leaves out regions the account has not opted in to; the extra filters
    (opt-in status, same partition as the home region) only matter for emulators, which
    answer with every region of every partition.
    """
    try:
        reply = session.client("ec2").describe_regions()
    except botocore.exceptions.NoCredentialsError as exc:
        raise CredentialsError(describe_credentials_error(exc, session.profile)) from None
    except botocore.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in EXPIRED_CODES:
            raise CredentialsError(describe_credentials_error(exc, session.profile)) from None
        message = exc.response.get("Error", {}).get("Message", "")
        raise RegionsError(f"cannot list the enabled regions ({code}: {message}); name them with --region R") from None
    except botocore.exceptions.BotoCoreError as exc:
        raise RegionsError(f"cannot list the enabled regions ({exc}); name them with --region R") from None
    home = partition_of(session.home_region)
    return sorted(
        r["RegionName"]
        for r in reply.get("Regions", [])
        if r.get("OptInStatus") != "not-opted-in" and partition_of(r["RegionName"]) == home
    )


def known_regions(session: AwsSession) -> set[str]:
    """Every region name the partition knows: botocore's data plus DescribeRegions(AllRegions)."""
    names = set(session.boto.get_available_regions("ec2"))
    for partition in ("aws-us-gov", "aws-cn"):
        names |= set(session.boto.get_available_regions("ec2", partition_name=partition))
    try:
        reply = session.client("ec2").describe_regions(AllRegions=True)
        names |= {r["RegionName"] for r in reply.get("Regions", [])}
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError):
        pass  # botocore's list stands alone
    return names


def resolve_regions(session: AwsSession, requested: Iterable[str] | None) -> list[str]:
    """The regions to scan: the requested ones (validated), else every enabled region.

    Raises:
        UnknownRegionError: naming the first region that does not exist.
    """
    wanted = [r.strip() for r in (requested or []) if r and r.strip()]
    if not wanted:
        return enabled_regions(session)
    known = set(session.boto.get_available_regions("ec2"))
    unknown = [r for r in wanted if r not in known]
    if unknown:
        known = known_regions(session)
        unknown = [r for r in wanted if r not in known]
    if unknown:
        raise UnknownRegionError(f"unknown region '{unknown[0]}'")
    return list(dict.fromkeys(wanted))
