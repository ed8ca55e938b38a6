"""``:`` -- the command bar: kinds by id, label, alias or unique prefix; views; unknown and
ambiguous words said inline; tab completion; and the bar's screens at 80x24 and 120x36."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.support.estate import make_app, sample_resources, sample_source, wait_scan
from tests.support.helpers import shown_text, type_command
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.jump import complete, resolve
from tracker_tui.ui.screens.audit import AuditScreen
from tracker_tui.ui.screens.command_bar import CommandBarScreen
from tracker_tui.ui.screens.coverage import CoverageScreen
from tracker_tui.ui.screens.help import HelpScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("vol", "ec2:volume"), (":vol", "ec2:volume"), ("VOL", "ec2:volume"), ("snap", "ec2:snapshot"),
        ("eks", "eks:cluster"), ("ec2:instance", "ec2:instance"), ("lambda", "lambda:function"),
        ("ec2:sn", "ec2:snapshot"), ("volume", "ec2:volume"), ("db-instance", "rds:db-instance"),
        ("bucket", "s3:bucket"), ("s3", "s3:bucket"), ("ami", "ec2:image"), ("nat", "ec2:nat-gateway"),
        ("secretsm", "secretsmanager:secret"), ("ec2", "ec2:instance"),
    ],
)  # fmt: skip
def test_a_word_names_one_kind(word: str, kind: str) -> None:
    jump = resolve(word)
    assert (jump.kind, jump.view, jump.error) == (kind, None, "")
    assert jump.filter_text == f"kind:{kind}"


def test_every_kind_is_reachable_by_its_id_and_its_label() -> None:
    for kind, spec in REGISTRY.items():
        assert resolve(kind).kind == kind
        assert resolve(spec.label).kind == kind, spec.label


@pytest.mark.parametrize("word", ["cost", "grid", "changes", "audit", "help", "quit", "gri", "aud"])
def test_a_word_names_a_view(word: str) -> None:
    jump = resolve(word)
    assert jump.kind is None and jump.view is not None and jump.view.startswith(word)


def test_unknown_and_ambiguous_words_say_so() -> None:
    assert resolve("zzz").error == "unknown: 'zzz' is no kind or view (tab completes; :help lists the keys)"
    ambiguous = resolve("ec2:v")
    assert ambiguous.kind is None and ambiguous.error == "'ec2:v' could be ec2:volume, ec2:vpc-endpoint: type more"
    assert resolve("   ").error.startswith("type a kind")


def test_tab_completes_a_unique_start_or_the_shared_part() -> None:
    assert complete("ec2:sn") == "ec2:snapshot"
    assert complete("secretsm") == "secretsmanager"  # the service, which is one kind
    assert resolve(complete("secretsm")).kind == "secretsmanager:secret"
    assert complete("ec2:v") == "ec2:v"  # volume and vpc-endpoint share nothing more
    assert complete("elasti") == "elastic"  # elastic-ip and elasticache:cluster share "elastic"
    assert complete("zzz") == "zzz"


def run(check: Callable[[TrackerApp, Pilot[Any]], Awaitable[None]]) -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_scan(app, pilot)
            await check(app, pilot)

    asyncio.run(go())


def test_colon_vol_shows_only_volumes() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await type_command(pilot, "vol")
        assert isinstance(app.screen, CommandBarScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, CommandBarScreen)
        assert app.query_one("#filter", Input).value == "kind:ec2:volume"
        shown = app.table.visible_resources
        volumes = [r for r in sample_resources() if r.kind == "ec2:volume"]
        assert len(shown) == len(volumes) > 0 and {r.kind for r in shown} == {"ec2:volume"}
        assert app.focused is app.table

    run(check)


def test_an_unknown_word_is_said_inline_and_the_bar_stays() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await type_command(pilot, "zzz")
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CommandBarScreen)
        hint = screen.query_one("#command-hint")
        assert "unknown: 'zzz'" in shown_text(hint) and hint.has_class("error")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CommandBarScreen)
        assert app.query_one("#filter", Input).value == ""  # nothing changed

    run(check)


def test_tab_completes_in_the_bar() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await type_command(pilot, "ec2:sn")
        await pilot.press("tab")
        await pilot.pause()
        assert app.screen.query_one("#command", Input).value == "ec2:snapshot"
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one("#filter", Input).value == "kind:ec2:snapshot"

    run(check)


def test_views_open_from_the_bar() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        for word, screen in (("grid", CoverageScreen), ("help", HelpScreen), ("audit", AuditScreen)):
            await type_command(pilot, word)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, screen), word
            await pilot.press("escape")
            await pilot.pause()
        app.main.cost_panel.display = False
        await type_command(pilot, "cost")
        await pilot.press("enter")
        await pilot.pause()
        assert app.main.cost_panel.display

    run(check)


def _bar(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_scan(pilot.app, pilot)  # type: ignore[arg-type]
        await pilot.press("colon", *keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_command_bar_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    """The bar at the bottom with the names the typed start matches."""
    app = make_app(sample_source(resources=sample_resources(priced=True)))
    assert snap_compare(app, terminal_size=size, run_before=_bar("e", "c", "2", ":"))


@pytest.mark.parametrize("size", SIZES)
def test_command_bar_unknown_word_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    app = make_app(sample_source(resources=sample_resources(priced=True)))
    assert snap_compare(app, terminal_size=size, run_before=_bar("z", "z", "z", "enter"))
