"""What a kind's console page is made of (``KindSpec.console``): the helpers the kind
modules build their deep links with.  ``tracker_tui.aws.console`` picks the host (the row's
region and partition) and calls the kind's page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from tracker_tui.model import Resource

#: (row, the console's base URL for the row's region, e.g. ``https://eu-west-1.console.aws.amazon.com``) -> URL.
Page = Callable[[Resource, str], str]


def q(text: str) -> str:
    """A URL component, every reserved character escaped."""
    return quote(text, safe="")


def ec2_page(fragment: str) -> Page:
    """An EC2 console page, ``fragment`` with ``{id}``."""
    return lambda r, base: f"{base}/ec2/home?region={r.region}#{fragment.format(id=q(r.id))}"


def vpc_page(fragment: str) -> Page:
    """A VPC console page, ``fragment`` with ``{id}``."""
    return lambda r, base: f"{base}/vpcconsole/home?region={r.region}#{fragment.format(id=q(r.id))}"


def console_page(path: str) -> Page:
    """Any console page: ``path`` with ``{region}``, ``{id}`` and ``{name}`` (the name, else the id)."""
    return lambda r, base: f"{base}/{path.format(region=r.region, id=q(r.id), name=q(r.name or r.id))}"
