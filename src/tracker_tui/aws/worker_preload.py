"""What the fork server does once so that every scan worker starts ready: imported only there.

A worker is a fork of the fork server (``aws.workers``), so whatever the server has loaded, a
worker has without paying for it: here, botocore's model of every service a kind reads (EC2's
alone is 3 MB of JSON), its paginators and endpoint rules, and the client class made from them
(``aws.session`` and ``aws.boto_shared`` keep one per service, with its service model and
endpoint rules), and the price catalogue.  Parsed once in the server instead of once in every
worker: about a second of CPU each, at the start of every scan.

The clients made here sign with placeholder keys and never send anything: making a client
reads files only (explicit keys, so no credential chain, no instance metadata call).
"""

from __future__ import annotations

import contextlib

from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.aws.session import new_boto_session
from tracker_tui.pricing.catalogue import CatalogueError, load_catalogue

#: The region the clients are made in: any commercial one loads the same files.
_REGION = "us-east-1"


def _load_models() -> None:
    boto = new_boto_session(aws_access_key_id="preload", aws_secret_access_key="preload", region_name=_REGION)
    services = sorted(
        {spec.service for spec in REGISTRY.values()} | {"sts", "iam", "ec2", "elb", "cloudwatch", "pricing"}
    )
    for service in services:
        with contextlib.suppress(Exception):  # an optimisation only: a worker loads what is missing
            client = boto.client(service, region_name=_REGION)
            client.can_paginate("any")  # reads the service's paginators file (cached by the loader)


_load_models()
# A catalogue that cannot be read fails in the workers as it would have (nothing is kept).
with contextlib.suppress(CatalogueError, OSError):
    load_catalogue()
