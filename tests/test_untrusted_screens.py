"""Every screen over an account whose names, tags and error messages are hostile (tests/support/hostile.py).

For each screen and dialog, at 80x24 and 120x36, on rows made by the real listers from a moto
account seeded with the corpus:

* nothing raises (a bracket in a name used to crash the app at start-up);
* the text shows literally, brackets kept (``probe``: the start of its visible form);
* no rendered segment holds a control character (C0, DEL, C1, bidi, ...), and the bytes a
  terminal would receive hold no OSC other than our own console link, no BEL, no C1;
* no segment carries a link we did not build or a ``@click`` action;
* the clipboard is written only when the operator presses ``y``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, Static
from textual.widgets._toast import Toast

from tests.support.estate import NOW, SAMPLE_PERIOD, FakeBills, make_app, wait_bill, wait_scan
from tests.support.hostile import ACCOUNT, KINDS, REGION, STRINGS, HostileScan, hostile_account, hostile_scan, probe
from tracker_tui.aws.actions import ActionUpdate, Status, plan
from tracker_tui.aws.bill import Bill
from tracker_tui.aws.console import console_url
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.source import LiveSource
from tracker_tui.history import diff
from tracker_tui.model import Identity, Resource, ScanErrorEntry
from tracker_tui.replay import ReplaySource
from tracker_tui.store import AuditLog, Inventory, dumps_json, read_inventory
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.audit import AuditScreen
from tracker_tui.ui.screens.bill import BillScreen
from tracker_tui.ui.screens.changes import ChangesScreen
from tracker_tui.ui.screens.confirm import ConfirmActionScreen, PlannedRowsScreen
from tracker_tui.ui.screens.console_link import ConsoleLinkScreen
from tracker_tui.ui.screens.coverage import CoverageScreen
from tracker_tui.ui.screens.details import DetailsScreen
from tracker_tui.ui.screens.export import ExportScreen
from tracker_tui.ui.screens.progress import ActionProgressScreen
from tracker_tui.untrusted import unsafe_characters, visible

#: Textual's own scrollbars carry these; nothing else may carry an action.
SCROLLBAR = {
    (event, action)
    for event in ("@mouse.down", "@mouse.up")
    for action in ("grab", "release", "scroll_up", "scroll_down", "scroll_left", "scroll_right")
}
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


@pytest.fixture(scope="module")
def hostile() -> HostileScan:
    return hostile_scan()


# --- what reached the screen ---------------------------------------------------------------------


def screen_text(app: TrackerApp, links: frozenset[str] = frozenset()) -> str:
    """The screen as the terminal would get it, checked: no control character in any segment,
    no link but ``links``, no ``@click`` action, and no OSC (but our links), BEL or C1 in the
    bytes.  Returns the screen's lines as text."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    lines: list[str] = []
    for line in update.strips:  # type: ignore[union-attr]
        text = ""
        for strip in line:
            for segment in strip:
                assert segment.control is None, segment
                assert not unsafe_characters(segment.text), f"control characters reached the screen: {segment.text!r}"
                style = segment.style
                if style is not None:
                    assert style.link is None or style.link in links, f"a link we did not make: {style.link!r}"
                    actions = [(k, v) for k, v in style.meta.items() if k.startswith("@") and (k, v) not in SCROLLBAR]
                    assert not actions, f"an action we did not make: {style.meta!r} on {segment.text!r}"
                text += segment.text
        lines.append(text)
    raw = update.render_segments(app.console)  # type: ignore[union-attr]
    assert "\x07" not in raw
    assert not re.search("[\x80-\x9f]", raw), "a C1 control reached the terminal"
    for osc in re.findall(r"\x1b\]([^\x07\x1b]*)", raw):
        assert osc.startswith("8;"), f"an OSC that is not a link: {osc!r}"
        url = osc.split(";", 2)[2] if osc.count(";") >= 2 else ""
        assert url == "" or url in links, f"a link we did not make: {url!r}"
    return "\n".join(lines)


def assert_shows(text: str, *values: str) -> None:
    for value in values:
        wanted = probe(value)
        assert wanted in text, f"{value!r} should show as {wanted!r}"


# --- the app over the hostile rows ---------------------------------------------------------------


def hostile_app(scan: HostileScan, **kw: Any) -> TrackerApp:
    source = ReplaySource(
        identity=scan.identity,
        regions=[REGION],
        kinds=list(KINDS),
        resources=scan.resources,
        errors=scan.errors,
        page_size=25,
    )
    return make_app(source, **kw)


def of_kind(scan: HostileScan, kind: str) -> list[Resource]:
    return [r for r in scan.resources if r.kind == kind]


Check = Callable[[TrackerApp, Pilot[Any], HostileScan], Awaitable[None]]


def drive(scan: HostileScan, size: tuple[int, int], check: Check, **kw: Any) -> None:
    async def go() -> None:
        app = hostile_app(scan, **kw)
        # Toasts on: every notification goes through the same checks.
        async with app.run_test(size=size, notifications=True) as pilot:
            await wait_scan(app, pilot)
            await check(app, pilot, scan)
            if check not in (copy_on_y, copy_controls_as_shown):
                assert app.clipboard == "", "the clipboard was written without y"

    asyncio.run(go())


async def open_screen(app: TrackerApp, pilot: Pilot[Any], screen: Any) -> None:
    await app.push_screen(screen)
    await pilot.pause()


async def main_table(app: TrackerApp, pilot: Pilot[Any], scan: HostileScan) -> None:
    """Page through every row: each page's names (or ids) show literally."""
    table = app.table
    assert table.total_count == len(scan.resources)
    body = app.table.size.height - 1
    for top in range(0, table.row_count, body):
        table.move_cursor(top)
        table.scroll_to(y=top, animate=False, force=True)
        await pilot.pause()
        text = screen_text(app)
        for resource in table.visible_resources[top : top + body]:
            assert_shows(text, resource.name or resource.id)
    if app.main.cost_panel.display:  # the Top 10 used to crash on a bracketed name
        assert_shows(screen_text(app), *[r.name or r.id for r in app.costs.top(3)])


async def details(app: TrackerApp, pilot: Pilot[Any], scan: HostileScan) -> None:
    """Names, tag keys and tag values (DynamoDB), ids and ARNs (Secrets Manager)."""
    for resource in of_kind(scan, "dynamodb:table") + of_kind(scan, "secretsmanager:secret"):
        await open_screen(app, pilot, DetailsScreen(resource))
        text = screen_text(app)
        assert_shows(text, resource.name or resource.id)
        app.pop_screen()
    # The details table of one row with every hostile tag at once (keys in the first column).
    table = of_kind(scan, "dynamodb:table")[0]
    many = dataclasses.replace(table, tags={text: text for text in STRINGS})
    await open_screen(app, pilot, DetailsScreen(many))
    screen_text(app)


async def console_link(app: TrackerApp, pilot: Pilot[Any], scan: HostileScan) -> None:
    for resource in of_kind(scan, "secretsmanager:secret")[:12] + of_kind(scan, "logs:log-group")[:12]:
        url = console_url(resource)
        assert url is not None and not unsafe_characters(url) and " " not in url
        await open_screen(app, pilot, ConsoleLinkScreen(resource, url))
        text = screen_text(app, links=frozenset({url}))
        assert_shows(text, resource.name or resource.id)
        app.pop_screen()


def confirm_check(verb: str, kinds: tuple[str, ...]) -> Check:
    async def check(app: TrackerApp, pilot: Pilot[Any], scan: HostileScan) -> None:
        rows = [r for r in scan.resources if r.kind in kinds]
        planned = plan(rows, verb)  # type: ignore[arg-type]
        assert any(p.action for p in planned), f"nothing to {verb} in {kinds}"
        # Twelve rows are listed one by one, with names and notes.
        few = [p for p in planned if p.action][:12]
        # A saved inventory's alias is anyone's text too: it is what must be typed.
        identity = dataclasses.replace(scan.identity, alias="acme[/ops]")
        await open_screen(app, pilot, ConfirmActionScreen(few, identity))
        text = screen_text(app)
        assert_shows(text, few[0].resource.name or few[0].resource.id)
        if len(few) > 1:  # several rows: the alias is typed, and the prompt names it literally
            assert "Type acme[/ops] and press enter" in text
        app.pop_screen()
        # More are summarised, and ctrl+l lists every row with its reason.
        await open_screen(app, pilot, ConfirmActionScreen(planned, scan.identity))
        screen_text(app)
        await open_screen(app, pilot, PlannedRowsScreen(planned))
        text = screen_text(app)
        assert_shows(text, planned[0].resource.name or planned[0].resource.id)

    return check


async def results(app: TrackerApp, pilot: Pilot[Any], scan: HostileScan) -> None:
    """The results screen with every AWS error message hostile."""
    rows = of_kind(scan, "logs:log-group")
    planned = plan(rows, "delete")
    progress = ActionProgressScreen(planned, "40 actions in account 123456789012 [/x]")
    await open_screen(app, pilot, progress)
    for p, message in zip(planned, STRINGS, strict=False):
        progress.apply(ActionUpdate(p.resource, p.action, Status.FAILED, message=message, code="[/Code]"))
    await pilot.pause()
    screen_text(app)
    # A resize rebuilds the table from the results so far.
    width, height = app.size
    await pilot.resize_terminal(width + 1, height)
    await pilot.pause()
    text = screen_text(app)
    assert_shows(text, planned[0].resource.name)
    # The line under the table: the highlighted row's whole result.
    assert "[/Code]" in text


async def coverage(app: TrackerApp, pilot: Pilot[Any], scan: HostileScan) -> None:
    await pilot.press("g")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, CoverageScreen)
    screen._describe(screen.regions.index(REGION), screen.kinds.index("rds:db-instance") + 1)
    await pilot.pause()
    text = screen_text(app)
    # AWS's message, literally, on its own line under the cell's outcome (the newline in it shown).
    assert "AccessDenied: User [/arn] is not authorized␛]52;c;aGk=␇" in text
    assert "rds:DescribeDBInstances␊[@click=app.quit]x[/]" in text


async def changes(app: TrackerApp, pilot: Pilot[Any], scan: HostileScan) -> None:
    before = scan.resources[::2]
    after = [dataclasses.replace(r, state=r.state + " [/x]") for r in scan.resources[:20]] + scan.resources[1::2]
    d = diff(before, after)
    await open_screen(app, pilot, ChangesScreen(d, "[/since]\x1b[2J"))
    text = screen_text(app)
    assert_shows(text, d.new[0].name or d.new[0].id)


async def bill(app: TrackerApp, pilot: Pilot[Any], scan: HostileScan) -> None:
    services = {text: 100.0 - i for i, text in enumerate(STRINGS[:20])}
    bills = FakeBills(bill=Bill(scan.identity.account_id, SAMPLE_PERIOD, services, NOW - timedelta(hours=1)))
    screen = BillScreen(bills, scan.identity, lambda: app.costs, now=lambda: NOW)
    await open_screen(app, pilot, screen)
    await pilot.press("enter")
    await wait_bill(app, pilot)
    text = screen_text(app)
    assert screen.state == "results"
    assert_shows(text, STRINGS[0])


async def audit(app: TrackerApp, pilot: Pilot[Any], scan: HostileScan) -> None:
    log = AuditLog(Path(os.environ["XDG_DATA_HOME"]) / "audit-test.jsonl")
    for text in STRINGS:
        log.record(phase="after", action="delete", account="123456789012", id=text, result=text, code="[/x]")
    await open_screen(app, pilot, AuditScreen(log))
    text = screen_text(app)
    assert_shows(text, STRINGS[-1])


async def command_bar(app: TrackerApp, pilot: Pilot[Any], scan: HostileScan) -> None:
    await pilot.press("colon")
    await pilot.pause()
    field = app.screen.query_one("#command", Input)
    for word in ("[/x]", "[@click=app.quit]q", "[b]vol"):
        field.value = word
        await pilot.press("enter")
        await pilot.pause()
        assert word in screen_text(app)
    await pilot.press("tab")
    await pilot.pause()
    screen_text(app)


async def palette(app: TrackerApp, pilot: Pilot[Any], scan: HostileScan) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    app.screen.query_one(Input).value = "[/x]"
    await pilot.pause(0.3)
    screen_text(app)


async def export(app: TrackerApp, pilot: Pilot[Any], scan: HostileScan) -> None:
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "[/x][b]here.json"
    folder.mkdir(parents=True, exist_ok=True)
    await open_screen(app, pilot, ExportScreen(Path("out.json"), 3))
    app.screen.query_one(Input).value = str(folder)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    screen_text(app)
    error = app.screen.query_one("#export-error", Static)
    assert str(error.render()).endswith("/[/x][b]here.json is a directory")


async def filter_error(app: TrackerApp, pilot: Pilot[Any], scan: HostileScan) -> None:
    await pilot.press("slash")
    app.query_one("#filter", Input).value = '"[/x] unbalanced'
    await pilot.pause()
    screen_text(app)
    app.query_one("#filter", Input).value = "cost>[/x]"
    await pilot.pause()
    assert "cost needs a number: cost>[/x]" in screen_text(app)
    app.query_one("#filter", Input).value = "[DEPRECATED]"
    await pilot.pause()
    text = screen_text(app)
    assert_shows(text, "[DEPRECATED] legacy-api")


async def copy_on_y(app: TrackerApp, pilot: Pilot[Any], scan: HostileScan) -> None:
    """``y`` copies the row's ARN, and the toast naming the row shows the name literally."""
    table = app.table
    for row, candidate in enumerate(table.visible_resources):
        if candidate.kind == "ec2:instance" and "[@click" in candidate.name:
            table.move_cursor(row)
            break
    resource = table.cursor_resource
    assert resource is not None and "[@click" in resource.name
    assert app.clipboard == ""
    await pilot.press("y")
    await pilot.pause()
    assert app.clipboard == (resource.arn or resource.id)  # a clean ARN is copied exactly
    for _ in range(50):  # the toast is mounted on a later turn of the loop
        await pilot.pause(0.02)
        toasts = list(app.screen.query(Toast))
        if toasts:
            break
    assert toasts, "y says what it copied"
    screen_text(app)
    content = toasts[-1].render()
    assert resource.name in content.plain
    assert not any("@click" in str(span.style) for span in content.spans)


async def copy_controls_as_shown(app: TrackerApp, pilot: Pilot[Any], scan: HostileScan) -> None:
    """An ARN holding ESC and BEL is copied as shown: pasted into a shell, the raw bytes could
    end a bracketed paste and run what follows."""
    table = app.table
    rows = table.visible_resources
    row = next(i for i, r in enumerate(rows) if r.kind == "secretsmanager:secret" and "\x1b]52" in r.id)
    table.move_cursor(row)
    resource = rows[row]
    await pilot.press("y")
    await pilot.pause()
    assert resource.arn is not None and "\x1b" in resource.arn
    assert app.clipboard == visible(resource.arn)
    assert not unsafe_characters(app.clipboard)
    messages = [n.message for n in app._notifications]
    assert any("as shown: it holds control characters" in m for m in messages), messages


SCREENS: dict[str, Check] = {
    "table": main_table,
    "details": details,
    "console-link": console_link,
    "confirm-stop": confirm_check("stop", ("ec2:instance",)),
    "confirm-start": confirm_check("start", ("ec2:instance",)),
    "confirm-delete": confirm_check("delete", ("logs:log-group", "dynamodb:table", "s3:bucket", "ec2:volume")),
    "confirm-modify": confirm_check("modify", ("ec2:volume",)),
    "results": results,
    "coverage": coverage,
    "changes": changes,
    "bill": bill,
    "audit": audit,
    "command-bar": command_bar,
    "palette": palette,
    "export": export,
    "filter-error": filter_error,
    "copy-and-toast": copy_on_y,
    "copy-controls": copy_controls_as_shown,
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", list(SCREENS))
def test_every_screen_shows_hostile_text_literally(hostile: HostileScan, name: str, size: tuple[int, int]) -> None:
    drive(hostile, size, SCREENS[name])


# --- a live scan of the hostile account, streamed, at three sizes ---------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (200, 50)], ids=["80x24", "120x36", "200x50"])
def test_a_hostile_account_opens_streams_and_closes(size: tuple[int, int]) -> None:
    """The real scan (worker threads, streaming, the cost panels) over the hostile account."""
    with hostile_account() as session:
        source = LiveSource(lambda: session, resolve_kinds(list(KINDS)), [REGION])

        async def go() -> None:
            app = TrackerApp(source, monotonic=lambda: 0.0)
            async with app.run_test(size=size, notifications=True) as pilot:
                for _ in range(400):
                    await pilot.pause(0.05)
                    screen_text(app)  # checked while rows stream in, too
                    if not app.scanning and app.scan.connection is not None:
                        break
                assert not app.scanning
                assert app.table.total_count > 200
                text = screen_text(app)
                assert "1 error" in text or size[0] < 100
                app.exit(0)

        asyncio.run(go())


# --- a saved inventory: a file anyone can write ----------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_a_hostile_saved_inventory_opens_and_shows_every_field_literally(
    hostile: HostileScan, size: tuple[int, int], tmp_path: Path
) -> None:
    """``tracker-tui open`` of a file whose alias, ARN, regions and rows are hostile: the
    header, the table, the grid and the details show them as text, and no row's region
    becomes a console link to a host of the file's choosing."""
    alias = "[/x]acme\x1b]52;c;aGk=\x07"
    region = "evil.example/#[b]"
    rows = [dataclasses.replace(r, region=region) for r in hostile.resources[:30]]
    # Unnamed, with a hostile id: at 80 columns the ID column gives way and the name shows the id.
    rows.insert(0, dataclasses.replace(rows[0], id="id\x1b]52;c;aGk=\x07[/x]", name="", tags={}))
    path = tmp_path / "[b]inventory\x1b[2J.json"
    inventory = Inventory(
        identity=Identity(account_id=ACCOUNT, arn="arn:aws:iam::123456789012:user/[/x]", alias=alias),
        regions=[region, REGION],
        resources=rows,
        errors=[ScanErrorEntry(region, "rds:db-instance", "[/Code]", "\x1b[2J[/msg]")],
    )
    path.write_text(dumps_json(inventory), encoding="utf-8")

    async def go() -> None:
        app = TrackerApp(
            None, inventory=read_inventory(path), inventory_label=str(path), now=lambda: NOW, monotonic=lambda: 0.0
        )
        async with app.run_test(size=size, notifications=True) as pilot:
            await pilot.pause()
            text = screen_text(app)
            assert "[/x]acme␛]52;c;aGk=␇" in text
            assert "id␛]52;c;aGk=␇" in text  # the unnamed row: its id, shown
            assert_shows(text, rows[1].name)
            await pilot.press("g")
            await pilot.pause()
            screen_text(app)
            app.pop_screen()
            await pilot.press("enter")
            await pilot.pause()
            assert_shows(screen_text(app), rows[0].id)
            app.pop_screen()
            await pilot.press("o")  # no link for a region that is no region: a warning instead
            await pilot.pause()
            assert not isinstance(app.screen, ConsoleLinkScreen)
            screen_text(app)
            assert app.clipboard == ""

    asyncio.run(go())
