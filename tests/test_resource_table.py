"""The virtual resource table, driven through a tiny app as a user would."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Awaitable, Callable

from textual.app import App, ComposeResult
from textual.pilot import Pilot

from tracker_tui.filtering import parse_filter
from tracker_tui.model import KIND_IDS, Resource
from tracker_tui.ui.widgets.resource_table import ResourceTable, format_age

NOW = datetime(2026, 11, 29, 12, 0, 0, tzinfo=timezone.utc)
ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"


def res(
    name: str,
    *,
    kind: str = "ec2:instance",
    region: str = "us-east-1",
    state: str = "running",
    cost: float | None = 10.0,
    account: str = ACCOUNT,
    created: str | None = "2026-11-24T12:00:00Z",
    tags: dict[str, str] | None = None,
) -> Resource:
    return Resource(
        kind=kind,
        id=f"id-{name}",
        region=region,
        account_id=account,
        name=name,
        state=state,
        created=created,
        tags=tags if tags is not None else {"env": "prod", "team": "platform"},
        monthly_cost=cost,
    )


BATCH_1 = [res("charlie", cost=30.0), res("alpha", cost=None, state="stopped")]
BATCH_2 = [res("bravo", kind="ec2:volume", region="eu-west-1", cost=5.0)]
BATCH_3 = [
    res("delta", kind="s3:bucket", region="eu-west-1", cost=100.0, state=""),
    res("echo", kind="iam:role", region="global", cost=None, state=""),
]


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
        assert table.cursor_resource is not None and table.cursor_resource.name == "charlie"

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


def test_unknown_cost_sorts_last_both_ways() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        load(table)
        table.sort_by("cost")
        assert names(table)[:3] == ["bravo", "charlie", "delta"]
        assert set(names(table)[3:]) == {"alpha", "echo"}
        table.sort_by("cost")
        assert names(table)[:3] == ["delta", "charlie", "bravo"]
        assert set(names(table)[3:]) == {"alpha", "echo"}

    run(check)


def test_rows_arriving_while_sorted_land_in_sorted_place() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        table.sort_by("name", reverse=True)
        load(table)
        assert names(table) == ["echo", "delta", "charlie", "bravo", "alpha"]
        table.add_resources([res("coco"), res("zulu")])
        assert names(table) == ["zulu", "echo", "delta", "coco", "charlie", "bravo", "alpha"]

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


def test_format_age_units() -> None:
    assert format_age("2026-11-29T11:59:15Z", NOW) == "45s"
    assert format_age("2026-11-29T11:48:00Z", NOW) == "12m"
    assert format_age("2026-11-29T09:00:00Z", NOW) == "3h"
    assert format_age("2026-11-24T12:00:00Z", NOW) == "5d"
    assert format_age("2024-11-01T00:00:00Z", NOW) == "2y"
    assert format_age(None, NOW) == ""
    assert format_age("not a date", NOW) == ""


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
        assert table.cursor_resource.name == "charlie"  # sorting keeps the cursor's row
        await pilot.press("home", "down", "down", "down")  # alpha, bravo, charlie, delta
        assert table.cursor_resource.name == "delta"
        table.set_filter(parse_filter("region:eu"))
        assert names(table) == ["bravo", "delta"]
        assert table.cursor_resource.name == "delta"
        assert table.cursor_row == 1
        table.set_filter(parse_filter(""))
        assert table.cursor_resource.name == "delta"
        # Filtered away: the cursor clamps to what is left.
        table.set_filter(parse_filter("kind:ec2:instance"))
        assert names(table) == ["alpha", "charlie"]
        assert table.cursor_resource.name == "charlie"

    run(check)


def test_filter_applies_to_rows_streaming_in_later() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        table.sort_by("name")
        table.set_filter(parse_filter("!region:global"))
        load(table)
        assert names(table) == ["alpha", "bravo", "charlie", "delta"]
        table.set_filter(parse_filter("!region:global cost>6"))  # a refinement
        assert names(table) == ["charlie", "delta"]
        table.set_filter(parse_filter("cost>6"))  # wider again
        assert names(table) == ["charlie", "delta"]
        table.set_filter(parse_filter("e"))
        assert names(table) == ["alpha", "bravo", "charlie", "delta", "echo"]

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
        assert table.cursor_resource.name == "echo"
        await pilot.press("home", "down")
        assert table.cursor_resource.name == "alpha"
        await pilot.press("enter")
        await pilot.pause()
        moved = [m.resource.name for m in app.messages if isinstance(m, ResourceTable.CursorMoved)]
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
        cursor_name = table.cursor_resource.name
        assert any(cursor_name in line for line in screen_lines(table)[1:])
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
        assert table.cursor_resource.name == "delta"
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


def test_removed_rows_lose_their_marks() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        load(table)
        table.mark_all_visible()
        table.remove_keys([BATCH_2[0].key])
        assert table.marked_count == 4
        assert "bravo" not in [r.name for r in table.marked]

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
        assert alpha.split()[-3] == "?"  # cost, then age and tags

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


def test_cursor_stays_visible_without_colour(monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")

    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        assert app.no_color
        load(table)
        await pilot.pause()
        cursor_style = list(table.render_line(1))[0].style
        other_style = list(table.render_line(2))[0].style
        assert cursor_style.reverse and not other_style.reverse

    run(check)


# --- sort caches, lazy orders and incremental filtering -------------------------------------


def _estate(count: int, seed: int = 5) -> list[Resource]:
    import random

    rng = random.Random(seed)
    out = []
    for i in range(count):
        out.append(
            res(
                rng.choice(["alpha", "Bravo", "bravo", "charlie", f"n-{i % 7}"]),
                kind=rng.choice(["ec2:instance", "ec2:volume", "EC2:Volume", "s3:bucket"]),
                region=rng.choice(["us-east-1", "eu-west-1", "global"]),
                state=rng.choice(["running", "stopped", ""]),
                cost=rng.choice([None, 0.0, 5.0, 10.0, 30.0]),
                created=rng.choice([None, "2026-11-24T12:00:00Z", "2025-01-01T00:00:00Z", "2026-11-29T11:00:00Z"]),
                tags=rng.choice([{}, {"env": "prod"}, {"env": "dev", "team": "x"}]),
            )
        )
        out[-1] = Resource(**{**out[-1].to_dict(), "id": f"id-{i}"})
    return out


def _expected_order(resources: list[Resource], column: str, reverse: bool) -> list[str]:
    """Ties in arrival order, unknowns last, both directions (a from-scratch reference)."""
    from tracker_tui.ui.widgets.resource_table import format_tags

    def key(r: Resource) -> object:
        if column == "cost":
            return r.monthly_cost
        if column == "age":
            return None if not r.created else -datetime.fromisoformat(r.created).timestamp()
        if column == "tags":
            return format_tags(r).lower()
        return (r.account_id if column == "account" else getattr(r, column)).lower()

    known = [r for r in resources if key(r) is not None]
    unknown = [r for r in resources if key(r) is None]
    known.sort(key=key, reverse=reverse)  # stable: ties keep arrival order both ways
    return [r.id for r in known + unknown]


def test_every_sort_either_way_and_repeated_matches_a_from_scratch_sort() -> None:
    from tracker_tui.ui.widgets.resource_table import COLUMNS

    estate = _estate(300)

    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        for start in range(0, len(estate), 70):
            table.add_resources(estate[start : start + 70])
        for _ in range(2):  # the second round is served from the cached orders
            for column in COLUMNS:
                for reverse in (False, True, False, True):
                    table.sort_by(column, reverse)
                    got = [r.id for r in table.visible_resources]
                    assert got == _expected_order(estate, column, reverse), (column, reverse)

    run(check)


def test_reverse_keeps_unknown_cost_and_age_last_after_streaming() -> None:
    estate = _estate(120, seed=8)

    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        table.sort_by("cost", reverse=True)
        for start in range(0, 120, 25):
            table.add_resources(estate[start : start + 25])
            assert [r.id for r in table.visible_resources] == _expected_order(estate[: start + 25], "cost", True)
        table.sort_by("cost")  # from the cached descending order
        assert [r.id for r in table.visible_resources] == _expected_order(estate, "cost", False)
        assert table.visible_resources[-1].monthly_cost is None
        table.sort_by("age", reverse=True)
        table.sort_by("age")
        table.sort_by("age")
        ids = [r.id for r in table.visible_resources]
        assert ids == _expected_order(estate, "age", True)
        assert table.visible_resources[-1].created is None

    run(check)


def test_sorting_a_filtered_view_then_widening_the_filter() -> None:
    estate = _estate(250, seed=11)

    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        table.add_resources(estate)
        flt = parse_filter("region:eu !state:running")
        passing = {r.id for r in estate if flt.matches(r)}
        table.set_filter(flt)
        for column, reverse in (("name", False), ("cost", True), ("kind", False), ("age", False)):
            table.sort_by(column, reverse)
            want = [i for i in _expected_order(estate, column, reverse) if i in passing]
            assert [r.id for r in table.visible_resources] == want, column
        # Rows streaming in while only the view was sorted, then a wider filter.
        more = _estate(40, seed=12)
        more = [Resource(**{**r.to_dict(), "id": f"more-{i}"}) for i, r in enumerate(more)]
        table.add_resources(more)
        everything = estate + more
        passing = {r.id for r in everything if flt.matches(r)}
        want = [i for i in _expected_order(everything, "age", False) if i in passing]
        assert [r.id for r in table.visible_resources] == want
        table.set_filter(parse_filter("region:eu"))
        wider = {r.id for r in everything if r.region.startswith("eu")}
        assert [r.id for r in table.visible_resources] == [
            i for i in _expected_order(everything, "age", False) if i in wider
        ]
        table.set_filter(parse_filter(""))
        assert [r.id for r in table.visible_resources] == _expected_order(everything, "age", False)

    run(check)


def test_typing_a_filter_narrows_incrementally_with_the_same_result_as_a_rescan() -> None:
    from tracker_tui.filtering import FilterError

    estate = _estate(300, seed=21)

    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        table.add_resources(estate)
        table.sort_by("name")
        expected_order = _expected_order(estate, "name", False)
        for query in ("tag:env=prod cost>10", "region:eu- !state:running", "kind:ec2 cost>5", "prod"):
            for end in list(range(1, len(query) + 1)) + list(range(len(query), 0, -1)):
                try:
                    flt = parse_filter(query[:end])
                except FilterError:
                    continue
                table.set_filter(flt)
                keep = {r.id for r in estate if flt.matches(r)}
                assert [r.id for r in table.visible_resources] == [i for i in expected_order if i in keep], query[:end]
            table.set_filter(parse_filter(""))

    run(check)


def test_cached_orders_are_dropped_when_rows_change() -> None:
    estate = _estate(200, seed=31)

    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        table.add_resources(estate)
        table.sort_by("name")
        table.sort_by("kind")  # name's order is cached now
        gone = {estate[3].key, estate[50].key}
        table.remove_keys(gone)
        left = [r for r in estate if r.key not in gone]
        table.sort_by("name")
        assert [r.id for r in table.visible_resources] == _expected_order(left, "name", False)
        changed = Resource(**{**left[0].to_dict(), "name": "zzz", "monthly_cost": None})
        table.replace_resource(changed)
        left[0] = changed
        table.sort_by("kind", reverse=True)
        table.sort_by("name", reverse=True)
        assert [r.id for r in table.visible_resources] == _expected_order(left, "name", True)
        table.sort_by("cost")
        assert [r.id for r in table.visible_resources] == _expected_order(left, "cost", False)

    run(check)


def test_age_sorts_by_instant_whatever_the_iso_spelling() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        table.add_resources(
            [
                res("offset", created="2026-11-29T10:00:00+02:00"),  # 08:00Z
                res("zulu", created="2026-11-29T09:00:00Z"),
                res("naive", created="2026-11-29T08:30:00"),  # read as UTC
                res("garbled", created="yesterday"),  # unknown: last, like no date
                res("none", created=None),
            ]
        )
        table.sort_by("age")
        assert names(table) == ["zulu", "naive", "offset", "garbled", "none"]
        table.sort_by("age")
        assert names(table) == ["offset", "naive", "zulu", "garbled", "none"]

    run(check)


# --- sort orders computed ahead while idle --------------------------------------------------


def test_chunked_sort_and_merge_equal_a_stable_sort() -> None:
    import random

    from tracker_tui.ui.widgets.resource_table import _merge_steps, _sorted_steps

    rng = random.Random(3)
    for trial in range(300):
        n = rng.randrange(0, 120)
        spread = rng.choice([1, 2, 3, 10, 1000])  # 1: every key equal; small: long tie runs
        keys = [rng.randrange(spread) for _ in range(n)]
        key = keys.__getitem__
        chunk = rng.randrange(1, 20)
        rows = list(range(n))
        out: list[int] = []
        steps = sum(1 for _ in _sorted_steps(rows, key, chunk, out))
        assert out == sorted(rows, key=key), (trial, chunk)
        assert steps >= n // chunk
        # Merging two runs directly, ``left`` first among equal keys.
        cut = rng.randrange(0, n + 1)
        left, right = sorted(rows[:cut], key=key), sorted(rows[cut:], key=key)
        merged: list[int] = []
        for _ in _merge_steps(left, right, key, chunk, merged):
            pass
        assert merged == sorted(rows, key=key), (trial, "merge")


def test_orders_computed_ahead_match_a_from_scratch_sort_whatever_happens_around_them(
    monkeypatch,
) -> None:
    """Random interleavings of add / replace / remove / filter / sort with the idle-time
    job run completely, partly or not at all: every sort equals a from-scratch sort."""
    import random

    from tracker_tui.ui.widgets import resource_table as rt

    monkeypatch.setattr(rt, "_PRECOMPUTE_CHUNK", 7)
    monkeypatch.setattr(rt, "_PRECOMPUTE_MIN_ROWS", 10**9)  # no timers: steps driven here
    rng = random.Random(17)
    pool = _estate(400, seed=41)
    filters = ["", "prod", "region:eu !state:running", "tag:env", "cost>5", "a"]

    def run_job(table: ResourceTable, steps: int | None) -> None:
        table._precompute_job = job = table._precompute_steps()
        for count, _ in enumerate(job):
            if steps is not None and count >= steps:
                return
        table._precompute_job = None

    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        live: list[Resource] = []
        fresh = iter(pool)
        history: list[str] = []
        for _ in range(120):
            action = rng.random()
            history.append(f"{action:.2f} {table.sort_column} {table.sort_reverse}")
            if action < 0.25:
                batch = [r for r in (next(fresh, None) for _ in range(rng.randrange(1, 30))) if r]
                table.add_resources(batch)
                live.extend(batch)
            elif action < 0.35 and live:
                i = rng.randrange(len(live))
                changed = Resource(
                    **{**live[i].to_dict(), "name": rng.choice(["zz", "alpha", "", "Mid"]),
                       "monthly_cost": rng.choice([None, 1.0, 50.0]), "tags": rng.choice([{}, {"a": "b"}])}
                )
                table.replace_resource(changed)
                live[i] = changed
            elif action < 0.42 and live:
                gone = {r.key for r in rng.sample(live, min(len(live), rng.randrange(1, 5)))}
                table.remove_keys(gone)
                live = [r for r in live if r.key not in gone]
            elif action < 0.55:
                table.set_filter(parse_filter(rng.choice(filters)))
            elif action < 0.75:
                run_job(table, rng.choice([None, None, 0, 1, 5, 40, 200]))
            else:
                column = rng.choice(["name", "id", "tags", "cost", "age", "kind", None])
                table.sort_by(column, rng.random() < 0.3)
            flt = table.filter
            column, reverse = table.sort_column, table.sort_reverse
            want = [r.id for r in live] if column is None else _expected_order(live, column, reverse)
            keep = {r.id for r in live if flt.matches(r)}
            assert [r.id for r in table.visible_resources] == [i for i in want if i in keep], (column, reverse, flt)
            if table._order is not None:
                assert [table._resources[i].id for i in table._order] == want, ("order", history[-6:])
            # What the job left in the cache is what a from-scratch sort gives.
            for (cached_column, cached_reverse), order in table._order_cache.items():
                got = [table._resources[i].id for i in order]
                assert got == _expected_order(table.resources, cached_column, cached_reverse), (
                    cached_column, cached_reverse, history[-6:]
                )

    run(check)


def test_idle_table_sorts_ahead_on_its_own_timer(monkeypatch) -> None:
    from tracker_tui.ui.widgets import resource_table as rt

    monkeypatch.setattr(rt, "_PRECOMPUTE_MIN_ROWS", 50)
    monkeypatch.setattr(rt, "_PRECOMPUTE_DELAY", 0.05)
    monkeypatch.setattr(rt, "_PRECOMPUTE_CHUNK", 16)
    estate = _estate(200, seed=51)

    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        table.add_resources(estate[:150])
        table.add_resources(estate[150:])
        for _ in range(100):
            await pilot.pause(0.02)
            if table._precompute_job is None and ("age", False) in table._order_cache:
                break
        assert {("name", False), ("id", False), ("tags", False), ("cost", False), ("age", False)} <= set(
            table._order_cache
        )
        for column in ("name", "id", "tags", "cost", "age"):
            table.sort_by(column)
            assert [r.id for r in table.visible_resources] == _expected_order(estate, column, False)
        # New rows drop the cached orders; the next idle spell computes them again.
        more = [Resource(**{**r.to_dict(), "id": f"more-{i}"}) for i, r in enumerate(_estate(30, seed=52))]
        table.add_resources(more)
        assert ("name", False) not in table._order_cache
        table.sort_by("name")
        assert [r.id for r in table.visible_resources] == _expected_order(estate + more, "name", False)

    run(check)


def test_a_row_renamed_to_tie_with_another_sorts_in_arrival_order_both_ways() -> None:
    async def check(app: TableApp, table: ResourceTable, pilot: Pilot) -> None:
        table.add_resources([res("x", cost=5.0), res("m", cost=1.0), res("n", cost=None)])
        for column, reverse in (("name", False), ("name", True), ("cost", False), ("cost", True)):
            table.sort_by(column, reverse)
            first = table.resources[0]
            table.replace_resource(Resource(**{**first.to_dict(), "name": "m", "monthly_cost": 1.0}))
            assert names(table) == (["m", "m", "n"] if not reverse or column == "cost" else ["n", "m", "m"])
            assert [r.id for r in table.visible_resources] == _expected_order(table.resources, column, reverse)
            table.replace_resource(first)  # back to "x", 5.0
            assert [r.id for r in table.visible_resources] == _expected_order(table.resources, column, reverse)

    run(check)
