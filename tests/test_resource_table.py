"""The virtual resource table widget, driven through a tiny app as a user would.

What it renders, the cursor, keys, clicks, widths, messages and its idle-time timer.  The
data engine behind it (sorting, filtering, marks, incremental orders) is tested directly in
``test_rowstore.py``; the tests here that sort or filter do it to see the screen follow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from tests.support.helpers import wait_until
from tests.support.rows import ACCOUNT, BATCH_1, BATCH_2, BATCH_3, NOW, OTHER_ACCOUNT, random_rows, reference_order, res
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.filtering import parse_filter
from tracker_tui.model import Resource
from tracker_tui.ui.widgets.resource_table import ResourceTable

KIND_IDS = REGISTRY.ids


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[object] = []

    def compose(self) -> ComposeResult:
        yield ResourceTable(now=lambda: NOW)

    def on_resource_table_cursor_moved(self, message: ResourceTable.CursorMoved) -> None:
        self.messages.append(message)

    def on_resource_table_selected(self, message: ResourceTable.Selected) -> None:
        self.messages.append(message)

    def on_resource_table_marks_changed(self, message: ResourceTable.MarksChanged) -> None:
        self.messages.append(message)


def run(
    test: Callable[[TableApp, ResourceTable, Pilot], Awaitable[None]],
    size: tuple[int, int] = (120, 24),
) -> None:
    async def main() -> None:
        app = TableApp()
        async with app.run_test(size=size) as pilot:
            table = app.query_one(ResourceTable)
            table.focus()
            await pilot.pause()
            await test(app, table, pilot)

    asyncio.run(main())


def names(table: ResourceTable) -> list[str]:
    return [r.name for r in table.visible_resources]


def cursor_name(table: ResourceTable) -> str:
    resource = table.cursor_resource
    assert resource is not None, "no cursor row"
    return resource.name


def screen_lines(table: ResourceTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


def load(table: ResourceTable) -> None:
    for batch in (BATCH_1, BATCH_2, BATCH_3):
        table.add_resources(batch)


# --- data and sorting ---------------------------------------------------------------------


def test_batches_stream_in_arrival_order() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        load(table)
        await pilot.pause()
        assert table.row_count == table.total_count == 5
        assert names(table) == ["charlie", "alpha", "bravo", "delta", "echo"]
        lines = screen_lines(table)
        assert "charlie" in lines[1] and "echo" in lines[5]
        assert lines[6].strip() == ""
        assert table.cursor_resource is not None and cursor_name(table) == "charlie"

    run(check)


def test_sort_toggles_ascending_descending_and_shows_the_arrow() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        load(table)
        table.sort_by("name")
        assert names(table) == ["alpha", "bravo", "charlie", "delta", "echo"]
        assert "Name ▲" in table.render_line(0).text
        table.sort_by("name")
        assert names(table) == ["echo", "delta", "charlie", "bravo", "alpha"]
        assert "Name ▼" in table.render_line(0).text
        table.sort_by("name", reverse=False)
        assert names(table) == ["alpha", "bravo", "charlie", "delta", "echo"]

    run(check)


def test_age_sorts_youngest_first_and_renders_compactly() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        table.add_resources(
            [
                res("old", created="2024-01-01T00:00:00Z"),
                res("new", created="2026-11-29T09:00:00Z"),
                res("unknown", created=None),
                res("mid", created="2026-11-24T12:00:00Z"),
            ]
        )
        table.sort_by("age")
        assert names(table) == ["new", "mid", "old", "unknown"]
        lines = screen_lines(table)
        assert " 3h " in lines[1]
        assert " 5d " in lines[2]
        assert " 2y " in lines[3]

    run(check)


def test_replace_and_remove_by_key() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        load(table)
        table.sort_by("cost", reverse=True)
        charlie = BATCH_1[0]
        stopped = Resource(**{**charlie.to_dict(), "state": "stopped", "monthly_cost": 500.0})
        table.replace_resource(stopped)
        assert table.total_count == 5
        assert table.visible_resources[0].state == "stopped"
        assert "stopped" in table.render_line(1).text and "$500.00" in table.render_line(1).text
        table.set_filter(parse_filter("!kind:iam"))
        assert names(table) == ["charlie", "delta", "bravo", "alpha"]
        table.remove_keys([charlie.key, ("nope", "nope", "nope", "nope")])
        assert names(table) == ["delta", "bravo", "alpha"]  # still sorted and filtered
        assert table.total_count == 4
        table.add_resources([res("zed", cost=50.0)])
        assert names(table) == ["delta", "zed", "bravo", "alpha"]
        table.set_filter(parse_filter(""))
        assert names(table) == ["delta", "zed", "bravo", "alpha", "echo"]
        table.clear()
        assert table.row_count == 0 and table.cursor_resource is None

    run(check)


# --- filtering ----------------------------------------------------------------------------


def test_filter_narrows_and_keeps_the_cursor_on_the_same_resource() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        load(table)
        table.sort_by("name")
        assert cursor_name(table) == "charlie"  # sorting keeps the cursor's row
        await pilot.press("home", "down", "down", "down")  # alpha, bravo, charlie, delta
        assert cursor_name(table) == "delta"
        table.set_filter(parse_filter("region:eu"))
        assert names(table) == ["bravo", "delta"]
        assert cursor_name(table) == "delta"
        assert table.cursor_row == 1
        table.set_filter(parse_filter(""))
        assert cursor_name(table) == "delta"
        # Filtered away: the cursor clamps to what is left.
        table.set_filter(parse_filter("kind:ec2:instance"))
        assert names(table) == ["alpha", "charlie"]
        assert cursor_name(table) == "charlie"

    run(check)


def test_empty_view_renders_header_only_and_cursor_is_none() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        load(table)
        table.set_filter(parse_filter("no-such-thing"))
        await pilot.pause()
        assert table.row_count == 0 and table.total_count == 5
        assert table.cursor_resource is None
        assert "Name" in table.render_line(0).text
        assert table.render_line(1).text.strip() == ""
        await pilot.press("down", "enter")  # nothing to move to or select
        assert not [m for m in app.messages if isinstance(m, ResourceTable.Selected)]

    run(check)


# --- cursor and messages ------------------------------------------------------------------


def test_cursor_keys_and_enter_post_messages() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        load(table)
        await pilot.pause()
        await pilot.press("end")
        assert cursor_name(table) == "echo"
        await pilot.press("home", "down")
        assert cursor_name(table) == "alpha"
        await pilot.press("enter")
        await pilot.pause()
        moved = [m.resource and m.resource.name for m in app.messages if isinstance(m, ResourceTable.CursorMoved)]
        assert moved == ["charlie", "echo", "charlie", "alpha"]
        selected = [m.resource.name for m in app.messages if isinstance(m, ResourceTable.Selected)]
        assert selected == ["alpha"]

    run(check)


def test_cursor_row_is_highlighted_and_scroll_follows_it() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        table.add_resources([res(f"row-{i:03d}") for i in range(100)])
        await pilot.pause()
        plain = list(table.render_line(2))[0].style
        highlighted = list(table.render_line(1))[0].style
        assert highlighted != plain
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        name_at_cursor = cursor_name(table)
        assert any(name_at_cursor in line for line in screen_lines(table)[1:])
        await pilot.press("end")
        await pilot.pause()
        assert "row-099" in "".join(screen_lines(table))
        assert "row-000" not in "".join(screen_lines(table))
        assert "Name" in table.render_line(0).text  # the header does not scroll away

    run(check, size=(100, 12))


# --- marks --------------------------------------------------------------------------------


def test_marks_survive_filtering_sorting_and_replacement() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        load(table)
        table.toggle_mark()  # charlie
        await pilot.press("down", "down")
        table.toggle_mark()  # bravo
        assert [r.name for r in table.marked] == ["charlie", "bravo"]
        assert table.render_line(1).text.startswith("●")
        table.set_filter(parse_filter("kind:s3"))
        table.sort_by("name")
        table.set_filter(parse_filter(""))
        table.replace_resource(Resource(**{**BATCH_1[0].to_dict(), "state": "stopping"}))
        assert table.marked_count == 2
        assert {r.name for r in table.marked} == {"charlie", "bravo"}
        charlie = next(r for r in table.marked if r.name == "charlie")
        assert charlie.state == "stopping"
        marked_lines = [line for line in screen_lines(table) if line.startswith("●")]
        assert len(marked_lines) == 2
        # bravo was filtered out from under the cursor, which then settled on delta.
        assert cursor_name(table) == "delta"
        table.toggle_mark()
        assert [r.name for r in table.marked] == ["charlie", "bravo", "delta"]
        table.toggle_mark()
        assert [r.name for r in table.marked] == ["charlie", "bravo"]
        await pilot.pause()
        counts = [m.count for m in app.messages if isinstance(m, ResourceTable.MarksChanged)]
        assert counts == [1, 2, 3, 2]

    run(check)


def test_mark_all_visible_marks_only_what_passes_the_filter() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        load(table)
        table.toggle_mark()  # charlie, about to be filtered out of sight
        table.set_filter(parse_filter("region:eu"))
        table.mark_all_visible()
        assert sorted(r.name for r in table.marked) == ["bravo", "delta"]
        table.set_filter(parse_filter(""))
        assert table.marked_count == 2
        table.action_mark_all()  # ctrl+a again on the same view... view changed: marks all
        assert table.marked_count == 5
        table.action_mark_all()  # ... and now it clears
        assert table.marked_count == 0
        table.mark_all_visible()
        table.clear_marks()
        assert table.marked == []

    run(check)


# --- header and layout --------------------------------------------------------------------


def test_clicking_a_header_cell_sorts_by_it() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        load(table)
        await pilot.pause()
        header = table.render_line(0).text
        x = header.index("Cost/mo")
        assert await pilot.click(ResourceTable, offset=(x, 0))
        assert table.sort_column == "cost" and not table.sort_reverse
        assert names(table)[0] == "bravo"
        assert await pilot.click(ResourceTable, offset=(x, 0))
        assert table.sort_reverse
        assert names(table)[0] == "delta"
        # A click on a row moves the cursor there instead.
        assert await pilot.click(ResourceTable, offset=(10, 3))
        assert table.cursor_resource is table.visible_resources[2]

    run(check)


def test_narrow_terminal_keeps_the_essential_columns() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        load(table)
        # Realistic widths: the longest kind and region names, a 19-character instance id.
        wide = Resource(
            kind="elasticache:cluster",
            id="i-0123456789abcdef0",
            region="ap-southeast-2",
            account_id=ACCOUNT,
            name="cache-1",
            state="available",
            monthly_cost=1234.5,
        )
        table.add_resources([wide])
        await pilot.pause()
        header = table.render_line(0).text
        for label in ("Kind", "Name", "Region", "State", "Cost/mo"):
            assert label in header
        for label in ("Tags", "Age", "ID"):
            assert label not in header.split()
        row = table.render_line(1).text
        assert "charlie" in row and "$30.00" in row and "us-east-1" in row
        assert "env=prod" not in row and "id-charlie" not in row
        assert all(len(line) <= 80 for line in screen_lines(table))

    run(check, size=(80, 24))


def test_wide_terminal_shows_every_column_and_unknown_cost_as_question_mark() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        load(table)
        await pilot.pause()
        header = table.render_line(0).text.split()
        for label in ("Kind", "Name", "ID", "Region", "State", "Cost/mo", "Age", "Tags"):
            assert label in header
        assert "Account" not in header
        charlie = table.render_line(1).text
        assert "id-charlie" in charlie and "5d" in charlie and "env=prod,team=platform" in charlie
        alpha = table.render_line(2).text
        assert alpha.split()[-3] == "unknown"  # cost, then age and tags

    run(check, size=(160, 24))


def test_account_column_appears_only_with_two_accounts() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        load(table)
        await pilot.pause()
        assert "Account" not in table.render_line(0).text
        table.add_resources([res("foxtrot", account=OTHER_ACCOUNT)])
        await pilot.pause()
        assert "Account" in table.render_line(0).text
        assert OTHER_ACCOUNT in screen_lines(table)[6]
        table.remove_keys([table.visible_resources[-1].key])
        assert "Account" not in table.render_line(0).text

    run(check, size=(160, 24))


# --- scale --------------------------------------------------------------------------------


def test_a_hundred_thousand_rows_load_and_filter() -> None:
    regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"]

    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        table.sort_by("name")
        for start in range(0, 100_000, 2000):
            table.add_resources(
                [
                    Resource(
                        kind=KIND_IDS[i % len(KIND_IDS)],
                        id=f"r-{i:06d}",
                        region=regions[i % len(regions)],
                        account_id=ACCOUNT,
                        name=f"res-{i:06d}",
                        state="running" if i % 3 else "stopped",
                        monthly_cost=None if i % 5 == 0 else float(i % 1000),
                    )
                    for i in range(start, start + 2000)
                ]
            )
        assert table.total_count == table.row_count == 100_000
        table.set_filter(parse_filter("res-0999"))
        assert names(table) == [f"res-{i:06d}" for i in range(99_900, 100_000)]
        table.set_filter(parse_filter("res-0999 !state:stopped kind:ec2:volume"))
        expected = [
            f"res-{i:06d}"
            for i in range(99_900, 100_000)
            if i % 3 and KIND_IDS[i % len(KIND_IDS)] == "ec2:volume"
        ]
        assert names(table) == expected
        await pilot.pause()
        assert expected[0] in table.render_line(1).text

    run(check)


def test_cursor_stays_visible_without_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")

    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        assert app.no_color
        load(table)
        await pilot.pause()
        cursor_style = list(table.render_line(1))[0].style
        other_style = list(table.render_line(2))[0].style
        assert cursor_style is not None and other_style is not None
        assert cursor_style.reverse and not other_style.reverse

    run(check)


# --- sort orders computed ahead while idle --------------------------------------------------


def test_idle_table_sorts_ahead_on_its_own_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker_tui import rowstore
    from tracker_tui.ui.widgets import resource_table as rt

    monkeypatch.setattr(rt, "_PRECOMPUTE_MIN_ROWS", 50)
    monkeypatch.setattr(rt, "_PRECOMPUTE_DELAY", 0.05)
    monkeypatch.setattr(rowstore, "_PRECOMPUTE_CHUNK", 16)
    estate = random_rows(200, seed=51)

    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        table.add_resources(estate[:150])
        table.add_resources(estate[150:])
        cached = table._store._sorts
        await wait_until(pilot, lambda: table._precompute_job is None and ("age", False) in cached.cached)
        assert {("name", False), ("id", False), ("tags", False), ("cost", False), ("age", False)} <= cached.cached
        for column in ("name", "id", "tags", "cost", "age"):
            table.sort_by(column)
            assert [r.id for r in table.visible_resources] == reference_order(estate, column, False)
        # New rows drop the cached orders; the next idle spell computes them again.
        more = [Resource(**{**r.to_dict(), "id": f"more-{i}"}) for i, r in enumerate(random_rows(30, seed=52))]
        table.add_resources(more)
        assert ("name", False) not in cached.cached
        table.sort_by("name")
        assert [r.id for r in table.visible_resources] == reference_order(estate + more, "name", False)

    run(check)


def test_a_small_table_computes_nothing_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker_tui.ui.widgets import resource_table as rt

    monkeypatch.setattr(rt, "_PRECOMPUTE_MIN_ROWS", 500)
    monkeypatch.setattr(rt, "_PRECOMPUTE_DELAY", 0.01)

    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        table.add_resources(random_rows(200, seed=53))
        await pilot.pause(0.1)
        assert table._precompute_timer is None and table._precompute_job is None
        assert table._store._sorts.cached == frozenset()

    run(check)


def test_removing_or_clearing_marked_rows_posts_the_new_mark_count() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        load(table)
        table.mark_all_visible()
        table.remove_keys([BATCH_2[0].key])
        table.remove_keys([("nope", "nope", "nope", "nope")])  # nothing gone: no message
        table.clear()
        table.clear()  # no marks left: no message
        await pilot.pause()
        counts = [m.count for m in app.messages if isinstance(m, ResourceTable.MarksChanged)]
        assert counts == [5, 4, 0]
        assert table.marked_count == 0 and table.row_count == 0

    run(check)
