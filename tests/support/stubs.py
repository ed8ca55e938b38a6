"""Listers driven with botocore's Stubber: an AwsSession whose clients answer only what a test
stubs, and nothing ever sent (a ``before-send`` hook fails the test if a call gets that far).

A test module makes one per test with its own fixture::

    @pytest.fixture
    def stubs() -> Iterator[Stubs]:
        made = Stubs()
        yield made
        made.deactivate()
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.stub import Stubber

from tracker_tui.aws.kinds.base import CellContext
from tracker_tui.aws.session import AwsSession, SessionOptions
from tracker_tui.model import Resource

ACCOUNT = "123456789012"
HOME = "us-east-1"
CREATED = datetime(2024, 3, 1, 9, 30, 0, tzinfo=UTC)
CREATED_ISO = "2024-03-01T09:30:00Z"


def _no_network(**_: Any) -> None:
    raise AssertionError("a request reached before-send: some call was not stubbed")


class Stubs:
    """An AwsSession with dummy credentials, and activated Stubbers on its cached clients."""

    def __init__(self) -> None:
        boto = boto3.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            aws_session_token="testing",
            region_name=HOME,
        )
        # Clients copy the session's hooks when created: register before any client exists.
        boto.events.register("before-send", _no_network)
        self.session = AwsSession(SessionOptions(home_region=HOME), boto_session=boto)
        self._stubbers: list[Stubber] = []

    def __call__(self, service: str, region: str = HOME) -> Stubber:
        """A Stubber on the very client the lister will get from the session's cache."""
        stubber = Stubber(self.session.client(service, region))
        stubber.activate()
        self._stubbers.append(stubber)
        return stubber

    def context(self, region: str, regions: Sequence[str], page_size: int | None = None) -> CellContext:
        # One fan-out worker: per-item calls on one client run in item order, as stubbed.
        return CellContext(
            session=self.session,
            region=region,
            account_id=ACCOUNT,
            regions=tuple(regions),
            page_size=page_size,
            fan_out_workers=1,
        )

    def assert_no_pending_responses(self) -> None:
        for stubber in self._stubbers:
            stubber.assert_no_pending_responses()

    def deactivate(self) -> None:
        for stubber in self._stubbers:
            stubber.deactivate()


def collect(batches: Iterable[Sequence[Resource]]) -> dict[str, Resource]:
    """The lister's batches flattened to {id: resource}, failing on a duplicate id."""
    found: dict[str, Resource] = {}
    for batch in batches:
        for resource in batch:
            assert resource.id not in found, f"{resource.id} listed twice"
            found[resource.id] = resource
    return found
