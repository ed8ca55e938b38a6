"""``o``: the console link of every kind, in the row's region and partition, and its dialog
(OSC 8 link, ``y`` copies) at 80x24 and 120x36."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.support.estate import make_app, sample_resources, sample_source, wait_scan
from tracker_tui.aws.console import console_url
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.model import Resource
from tracker_tui.ui.screens.console_link import ConsoleLinkScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


def test_every_kind_has_a_console_page() -> None:
    assert [kind for kind, spec in REGISTRY.items() if spec.console is None] == []
    for r in sample_resources(every_kind=True):
        url = console_url(r)
        assert url is not None and url.startswith("https://"), r.kind
        assert " " not in url


@pytest.mark.parametrize(
    ("resource", "url"),
    [
        (Resource(kind="ec2:instance", id="i-0abc", region="eu-west-1"),
         "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#InstanceDetails:instanceId=i-0abc"),
        (Resource(kind="s3:bucket", id="acme-logs", region="eu-west-1"),
         "https://s3.console.aws.amazon.com/s3/buckets/acme-logs?region=eu-west-1"),
        (Resource(kind="iam:role", id="AROA1", name="deployer", region="global"),
         "https://console.aws.amazon.com/iam/home#/roles/details/deployer"),
        (Resource(kind="logs:log-group", id="/aws/lambda/fn", region="us-east-1"),
         "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
         "#logsV2:log-groups/log-group/$252Faws$252Flambda$252Ffn"),
        (Resource(kind="ec2:volume", id="vol-1", region="cn-north-1"),
         "https://cn-north-1.console.amazonaws.cn/ec2/home?region=cn-north-1#VolumeDetails:volumeId=vol-1"),
        (Resource(kind="rds:db-instance", id="orders", region="us-gov-west-1"),
         "https://us-gov-west-1.console.amazonaws-us-gov.com/rds/home?region=us-gov-west-1"
         "#database:id=orders;is-cluster=false"),
        (Resource(kind="ec2:elastic-ip", id="3.4.5.6", region="us-east-1"),
         "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#Addresses:search=3.4.5.6"),
    ],
)  # fmt: skip
def test_links_in_the_rows_region_and_partition(resource: Resource, url: str) -> None:
    assert console_url(resource) == url


def test_an_unknown_kind_has_no_link() -> None:
    assert console_url(Resource(kind="made:up", id="x", region="us-east-1")) is None


def _open(*keys: str, filter_text: str = "") -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_scan(pilot.app, pilot)  # type: ignore[arg-type]
        if filter_text:
            await pilot.press("slash")
            pilot.app.query_one("#filter", Input).value = filter_text
            await pilot.press("enter")
        await pilot.press("o", *keys)
        await pilot.pause()

    return run_before


def test_o_shows_the_link_and_y_copies_it() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await _open()(pilot)
            screen = app.screen
            assert isinstance(screen, ConsoleLinkScreen)
            cursor = screen.resource
            assert screen.url == console_url(cursor)
            url_widget = screen.query_one("#console-url")
            rendered = url_widget.render()
            assert screen.url in str(rendered)
            await pilot.press("y")
            await pilot.pause()
            assert app.clipboard == screen.url
            assert not isinstance(app.screen, ConsoleLinkScreen)

    asyncio.run(go())


def test_the_link_is_an_osc8_hyperlink() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await _open()(pilot)
            screen = app.screen
            assert isinstance(screen, ConsoleLinkScreen)
            strips = screen._compositor.render_strips()
            links = {seg.style.link for strip in strips for seg in strip if seg.style and seg.style.link}
            assert screen.url in links  # the terminal gets OSC 8 for it

    asyncio.run(go())


@pytest.mark.parametrize("size", SIZES)
def test_console_link_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    app = make_app(sample_source(resources=sample_resources(priced=True)))
    assert snap_compare(app, terminal_size=size, run_before=_open(filter_text="kind:logs:log-group"))
