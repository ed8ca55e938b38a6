"""The table's data engine (rows, sort orders, filter, marks), driven directly: no terminal."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from tests.support.rows import ACCOUNT, BATCH_1, BATCH_2, BATCH_3, NOW, OTHER_ACCOUNT, random_rows, reference_order, res
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.filtering import FilterError, parse_filter
from tracker_tui.model import Resource
from tracker_tui.rowstore import COLUMNS, SAVINGS_MARK, RowStore, column_texts, format_age, format_tags
from tracker_tui.sortorder import merge_steps, sorted_steps
from tracker_tui.table_layout import layout_columns

KIND_IDS = REGISTRY.ids


def load(store: RowStore) -> RowStore:
    for batch in (BATCH_1, BATCH_2, BATCH_3):
        store.add(batch)
    return store


def visible(store: RowStore) -> list[Resource]:
    rows = store.rows
    return [rows[i] for i in store.view]


def names(store: RowStore) -> list[str]:
    return [r.name for r in visible(store)]


def ids(store: RowStore) -> list[str]:
    return [r.id for r in visible(store)]


# --- rows, replacing and removing ---------------------------------------------------------


def test_batches_keep_arrival_order_until_sorted() -> None:
    store = load(RowStore())
    assert len(store) == len(store.view) == 5
    assert names(store) == ["charlie", "alpha", "bravo", "delta", "echo"]
    assert store.sort_column is None and not store.sort_reverse


def test_replace_and_remove_by_key() -> None:
    store = load(RowStore())
    store.sort_by("cost", reverse=True)
    charlie = BATCH_1[0]
    stopped = Resource(**{**charlie.to_dict(), "state": "stopped", "monthly_cost": 500.0})
    store.replace(stopped)
    assert len(store) == 5
    assert visible(store)[0].state == "stopped"
    store.set_filter(parse_filter("!kind:iam"))
    assert names(store) == ["charlie", "delta", "bravo", "alpha"]
    assert store.remove([charlie.key, ("nope", "nope", "nope", "nope")]) == {charlie.key}
    assert names(store) == ["delta", "bravo", "alpha"]  # still sorted and filtered
    assert len(store) == 4
    store.add([res("zed", cost=50.0)])
    assert names(store) == ["delta", "zed", "bravo", "alpha"]
    store.set_filter(parse_filter(""))
    assert names(store) == ["delta", "zed", "bravo", "alpha", "echo"]
    store.clear()
    assert len(store.view) == 0 and len(store) == 0


def test_replace_of_an_unknown_key_adds_the_row_and_remove_of_nothing_changes_nothing() -> None:
    store = load(RowStore())
    generation = store.generation
    assert store.remove([("nope", "nope", "nope", "nope")]) == set()
    assert store.generation == generation
    store.replace(res("foxtrot"))
    assert names(store)[-1] == "foxtrot" and len(store) == 6
    assert store.generation != generation


def test_clear_drops_rows_and_marks_but_keeps_the_filter_and_sort() -> None:
    store = load(RowStore())
    store.sort_by("name", reverse=True)
    store.set_filter(parse_filter("region:eu"))
    store.mark_all_visible()
    store.clear()
    assert len(store) == 0 and store.marked_count == 0 and store.marked == []
    assert store.sort_column == "name" and store.sort_reverse
    assert str(store.filter) == "region:eu"
    load(store)
    assert names(store) == ["delta", "bravo"]


def test_view_row_finds_a_visible_resource_only() -> None:
    store = load(RowStore())
    store.sort_by("name")
    assert store.view_row(BATCH_3[0].key) == 3  # delta
    store.set_filter(parse_filter("region:eu"))
    assert store.view_row(BATCH_3[0].key) == 1
    assert store.view_row(BATCH_1[0].key) is None  # charlie: filtered out
    assert store.view_row(("nope", "nope", "nope", "nope")) is None


def test_content_widths_and_accounts_follow_the_rows() -> None:
    store = load(RowStore())
    assert store.content_widths["kind"] == len("ec2:instance")
    assert store.content_widths["cost"] == len("$100.00") + len(SAVINGS_MARK)  # room for the mark
    assert store.content_widths["tags"] == len("env=prod,team=platform") + 1
    assert store.account_count == 1
    other = res("foxtrot", account=OTHER_ACCOUNT, kind="elasticache:cluster")
    store.add([other])
    assert store.account_count == 2
    assert store.content_widths["kind"] == len("elasticache:cluster")
    store.remove([other.key])
    assert store.account_count == 1
    assert store.content_widths["kind"] == len("elasticache:cluster")  # widths never shrink


def test_cell_texts_are_cached_until_the_row_is_replaced_or_removed() -> None:
    store = load(RowStore())
    reads: list[int] = []

    def clock() -> datetime:
        reads.append(1)
        return NOW

    charlie = BATCH_1[0]
    assert store.column_texts(charlie, clock) == column_texts(charlie, NOW)
    assert store.column_texts(charlie, clock)[COLUMNS.index("age")] == "5d"
    assert len(reads) == 1
    renamed = Resource(**{**charlie.to_dict(), "name": "charles", "monthly_cost": None})
    store.replace(renamed)
    cells = store.column_texts(renamed, clock)
    assert cells[COLUMNS.index("name")] == "charles" and cells[COLUMNS.index("cost")] == "unknown"
    assert len(reads) == 2
    store.remove([renamed.key])
    store.add([charlie])
    assert store.column_texts(charlie, clock)[COLUMNS.index("name")] == "charlie"
    assert len(reads) == 3


def test_format_age_units() -> None:
    assert format_age("2026-11-29T11:59:15Z", NOW) == "45s"
    assert format_age("2026-11-29T11:48:00Z", NOW) == "12m"
    assert format_age("2026-11-29T09:00:00Z", NOW) == "3h"
    assert format_age("2026-11-24T12:00:00Z", NOW) == "5d"
    assert format_age("2024-11-01T00:00:00Z", NOW) == "2y"
    assert format_age(None, NOW) == ""
    assert format_age("not a date", NOW) == ""


def test_format_tags_leaves_out_a_name_tag_that_repeats_the_name() -> None:
    assert format_tags(res("web", tags={"Name": "web", "env": "prod"})) == "env=prod"
    assert format_tags(res("web", tags={"Name": "other", "env": "prod"})) == "Name=other,env=prod"
    assert format_tags(res("web", tags={})) == ""


def test_layout_fills_the_width_and_gives_way_tags_first_then_age_id_account() -> None:
    store = load(RowStore())
    store.add([res("foxtrot", account=OTHER_ACCOUNT)])
    optional = ("account", "id", "age", "tags")
    for width in range(60, 161):
        layout = layout_columns(store.content_widths, width, True)
        shown = [c for c in optional if c in dict(layout)]
        assert shown == list(optional[: len(shown)]), width  # the last one given room goes first
        assert 1 + sum(w + 1 for _, w in layout) == width, width  # mark, then " " + cell each
    assert [c for c, _ in layout_columns(store.content_widths, 160, True)] == list(COLUMNS)
    assert [c for c, _ in layout_columns(store.content_widths, 60, True)] == ["kind", "name", "region", "state", "cost"]
    assert "account" not in dict(layout_columns(store.content_widths, 160, False))


# --- sorting ------------------------------------------------------------------------------


def test_sort_toggles_ascending_descending_and_back_to_arrival_order() -> None:
    store = load(RowStore())
    store.sort_by("name")
    assert names(store) == ["alpha", "bravo", "charlie", "delta", "echo"]
    store.sort_by("name")
    assert names(store) == ["echo", "delta", "charlie", "bravo", "alpha"]
    store.sort_by("name", reverse=False)
    assert names(store) == ["alpha", "bravo", "charlie", "delta", "echo"]
    store.sort_by("region", reverse=True)
    store.sort_by("name")  # another column: ascending, not toggled
    assert not store.sort_reverse
    store.sort_by(None, reverse=True)  # arrival order has no direction
    assert store.sort_column is None and not store.sort_reverse
    assert names(store) == ["charlie", "alpha", "bravo", "delta", "echo"]
    with pytest.raises(ValueError):
        store.sort_by("colour")


def test_unknown_cost_sorts_last_both_ways() -> None:
    store = load(RowStore())
    store.sort_by("cost")
    assert names(store)[:3] == ["bravo", "charlie", "delta"]
    assert set(names(store)[3:]) == {"alpha", "echo"}
    store.sort_by("cost")
    assert names(store)[:3] == ["delta", "charlie", "bravo"]
    assert set(names(store)[3:]) == {"alpha", "echo"}


def test_rows_arriving_while_sorted_land_in_sorted_place() -> None:
    store = RowStore()
    store.sort_by("name", reverse=True)
    load(store)
    assert names(store) == ["echo", "delta", "charlie", "bravo", "alpha"]
    store.add([res("coco"), res("zulu")])
    assert names(store) == ["zulu", "echo", "delta", "coco", "charlie", "bravo", "alpha"]


def test_age_sorts_youngest_first() -> None:
    store = RowStore()
    store.add(
        [
            res("old", created="2024-01-01T00:00:00Z"),
            res("new", created="2026-11-29T09:00:00Z"),
            res("unknown", created=None),
            res("mid", created="2026-11-24T12:00:00Z"),
        ]
    )
    store.sort_by("age")
    assert names(store) == ["new", "mid", "old", "unknown"]


def test_age_sorts_by_instant_whatever_the_iso_spelling() -> None:
    store = RowStore()
    store.add(
        [
            res("offset", created="2026-11-29T10:00:00+02:00"),  # 08:00Z
            res("zulu", created="2026-11-29T09:00:00Z"),
            res("naive", created="2026-11-29T08:30:00"),  # read as UTC
            res("garbled", created="yesterday"),  # unknown: last, like no date
            res("none", created=None),
        ]
    )
    store.sort_by("age")
    assert names(store) == ["zulu", "naive", "offset", "garbled", "none"]
    store.sort_by("age")
    assert names(store) == ["offset", "naive", "zulu", "garbled", "none"]


def test_every_sort_either_way_and_repeated_matches_a_from_scratch_sort() -> None:
    estate = random_rows(300)
    store = RowStore()
    for start in range(0, len(estate), 70):
        store.add(estate[start : start + 70])
    for _ in range(2):  # the second round is served from the cached orders
        for column in COLUMNS:
            for reverse in (False, True, False, True):
                store.sort_by(column, reverse)
                assert ids(store) == reference_order(estate, column, reverse), (column, reverse)


def test_reverse_keeps_unknown_cost_and_age_last_after_streaming() -> None:
    estate = random_rows(120, seed=8)
    store = RowStore()
    store.sort_by("cost", reverse=True)
    for start in range(0, 120, 25):
        store.add(estate[start : start + 25])
        assert ids(store) == reference_order(estate[: start + 25], "cost", True)
    store.sort_by("cost")  # from the cached descending order
    assert ids(store) == reference_order(estate, "cost", False)
    assert visible(store)[-1].monthly_cost is None
    store.sort_by("age", reverse=True)
    store.sort_by("age")
    store.sort_by("age")
    assert ids(store) == reference_order(estate, "age", True)
    assert visible(store)[-1].created is None


def test_cached_orders_are_dropped_when_rows_change() -> None:
    estate = random_rows(200, seed=31)
    store = RowStore()
    store.add(estate)
    store.sort_by("name")
    store.sort_by("kind")  # name's order is cached now
    gone = {estate[3].key, estate[50].key}
    store.remove(gone)
    left = [r for r in estate if r.key not in gone]
    store.sort_by("name")
    assert ids(store) == reference_order(left, "name", False)
    changed = Resource(**{**left[0].to_dict(), "name": "zzz", "monthly_cost": None})
    store.replace(changed)
    left[0] = changed
    store.sort_by("kind", reverse=True)
    store.sort_by("name", reverse=True)
    assert ids(store) == reference_order(left, "name", True)
    store.sort_by("cost")
    assert ids(store) == reference_order(left, "cost", False)


def test_a_row_renamed_to_tie_with_another_sorts_in_arrival_order_both_ways() -> None:
    store = RowStore()
    store.add([res("x", cost=5.0), res("m", cost=1.0), res("n", cost=None)])
    for column, reverse in (("name", False), ("name", True), ("cost", False), ("cost", True)):
        store.sort_by(column, reverse)
        first = store.rows[0]
        store.replace(Resource(**{**first.to_dict(), "name": "m", "monthly_cost": 1.0}))
        assert names(store) == (["m", "m", "n"] if not reverse or column == "cost" else ["n", "m", "m"])
        assert ids(store) == reference_order(store.rows, column, reverse)
        store.replace(first)  # back to "x", 5.0
        assert ids(store) == reference_order(store.rows, column, reverse)


@pytest.mark.parametrize("changed_count", [3, 100])  # moved one by one / re-sorted from scratch
@pytest.mark.parametrize("reverse", [False, True])
def test_replacements_keep_arrival_order_among_ties(changed_count: int, reverse: bool) -> None:
    """Rows replaced to tie with others sort by arrival among them, not by when they changed."""
    estate = [res(f"r{i:03d}", cost=float(i % 4)) for i in range(200)]
    store = RowStore()
    store.add(estate)
    store.sort_by("cost", reverse)
    rng = random.Random(changed_count)
    picked = rng.sample(range(200), changed_count)
    replacements = [Resource(**{**estate[i].to_dict(), "monthly_cost": 2.0, "state": "stopped"}) for i in picked]
    if changed_count == 3:
        for replacement in replacements:
            store.replace(replacement)
    else:
        store.add(replacements)  # one batch of replacements, one re-sort
    current = list(store.rows)
    assert [r.id for r in current] == [r.id for r in estate]  # replaced in place
    assert ids(store) == reference_order(current, "cost", reverse)
    ties = [r.name for r in visible(store) if r.monthly_cost == 2.0]
    assert ties == sorted(ties)  # arrival order (names were given in arrival order)


def test_a_hundred_thousand_rows_load_and_filter() -> None:
    regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"]
    store = RowStore()
    store.sort_by("name")
    for start in range(0, 100_000, 2000):
        store.add(
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
    assert len(store) == len(store.view) == 100_000
    store.set_filter(parse_filter("res-0999"))
    assert names(store) == [f"res-{i:06d}" for i in range(99_900, 100_000)]
    store.set_filter(parse_filter("res-0999 !state:stopped kind:ec2:volume"))
    expected = [
        f"res-{i:06d}" for i in range(99_900, 100_000) if i % 3 and KIND_IDS[i % len(KIND_IDS)] == "ec2:volume"
    ]
    assert names(store) == expected


# --- filtering ----------------------------------------------------------------------------


def test_filter_applies_to_rows_streaming_in_later() -> None:
    store = RowStore()
    store.sort_by("name")
    store.set_filter(parse_filter("!region:global"))
    load(store)
    assert names(store) == ["alpha", "bravo", "charlie", "delta"]
    store.set_filter(parse_filter("!region:global cost>6"))  # a refinement
    assert names(store) == ["charlie", "delta"]
    store.set_filter(parse_filter("cost>6"))  # wider again
    assert names(store) == ["charlie", "delta"]
    store.set_filter(parse_filter("e"))
    assert names(store) == ["alpha", "bravo", "charlie", "delta", "echo"]


def test_sorting_a_filtered_view_then_widening_the_filter() -> None:
    estate = random_rows(250, seed=11)
    store = RowStore()
    store.add(estate)
    flt = parse_filter("region:eu !state:running")
    passing = {r.id for r in estate if flt.matches(r)}
    store.set_filter(flt)
    for column, reverse in (("name", False), ("cost", True), ("kind", False), ("age", False)):
        store.sort_by(column, reverse)
        want = [i for i in reference_order(estate, column, reverse) if i in passing]
        assert ids(store) == want, column
    # Rows streaming in while only the view was sorted, then a wider filter.
    more = random_rows(40, seed=12)
    more = [Resource(**{**r.to_dict(), "id": f"more-{i}"}) for i, r in enumerate(more)]
    store.add(more)
    everything = estate + more
    passing = {r.id for r in everything if flt.matches(r)}
    want = [i for i in reference_order(everything, "age", False) if i in passing]
    assert ids(store) == want
    store.set_filter(parse_filter("region:eu"))
    wider = {r.id for r in everything if r.region.startswith("eu")}
    assert ids(store) == [i for i in reference_order(everything, "age", False) if i in wider]
    store.set_filter(parse_filter(""))
    assert ids(store) == reference_order(everything, "age", False)


def test_typing_a_filter_narrows_incrementally_with_the_same_result_as_a_rescan() -> None:
    estate = random_rows(300, seed=21)
    store = RowStore()
    store.add(estate)
    store.sort_by("name")
    expected_order = reference_order(estate, "name", False)
    for query in ("tag:env=prod cost>10", "region:eu- !state:running", "kind:ec2 cost>5", "prod"):
        for end in list(range(1, len(query) + 1)) + list(range(len(query), 0, -1)):
            try:
                flt = parse_filter(query[:end])
            except FilterError:
                continue
            store.set_filter(flt)
            keep = {r.id for r in estate if flt.matches(r)}
            assert ids(store) == [i for i in expected_order if i in keep], query[:end]
        store.set_filter(parse_filter(""))


# --- marks --------------------------------------------------------------------------------


def test_marks_survive_filtering_sorting_and_replacement() -> None:
    store = load(RowStore())
    charlie, bravo, delta = BATCH_1[0], BATCH_2[0], BATCH_3[0]
    store.toggle_mark(charlie.key)
    store.toggle_mark(bravo.key)
    assert [r.name for r in store.marked] == ["charlie", "bravo"]
    assert store.is_marked(charlie.key) and not store.is_marked(delta.key)
    store.set_filter(parse_filter("kind:s3"))
    store.sort_by("name")
    store.set_filter(parse_filter(""))
    store.replace(Resource(**{**charlie.to_dict(), "state": "stopping"}))
    assert store.marked_count == 2
    assert [r.name for r in store.marked] == ["charlie", "bravo"]  # arrival order, whatever the sort
    assert next(r for r in store.marked if r.name == "charlie").state == "stopping"
    store.toggle_mark(delta.key)
    assert [r.name for r in store.marked] == ["charlie", "bravo", "delta"]
    store.toggle_mark(delta.key)
    assert [r.name for r in store.marked] == ["charlie", "bravo"]


def test_mark_all_visible_marks_only_what_passes_the_filter() -> None:
    store = load(RowStore())
    store.toggle_mark(BATCH_1[0].key)  # charlie, about to be filtered out of sight
    store.set_filter(parse_filter("region:eu"))
    assert not store.marks_equal_view
    store.mark_all_visible()
    assert sorted(r.name for r in store.marked) == ["bravo", "delta"]
    assert store.marks_equal_view
    store.set_filter(parse_filter(""))
    assert store.marked_count == 2
    assert not store.marks_equal_view  # the view changed
    store.mark_all_visible()
    assert store.marked_count == 5 and store.marks_equal_view
    store.clear_marks()
    assert store.marked == [] and store.marked_count == 0
    assert not store.marks_equal_view  # nothing marked is never "all marked"...
    store.set_filter(parse_filter("no-such-thing"))
    assert not store.marks_equal_view  # ... not even of an empty view


def test_removed_rows_lose_their_marks() -> None:
    store = load(RowStore())
    store.mark_all_visible()
    store.remove([BATCH_2[0].key])
    assert store.marked_count == 4
    assert "bravo" not in [r.name for r in store.marked]
    store.add(BATCH_2)  # back, but not marked again
    assert not store.is_marked(BATCH_2[0].key) and store.marked_count == 4


def test_a_rescan_marks_the_rows_found_again_and_forgets_the_rest() -> None:
    store = load(RowStore())
    store.toggle_mark(BATCH_1[0].key)  # charlie
    store.toggle_mark(BATCH_2[0].key)  # bravo
    store.clear(keep_marks=True)
    assert store.marked_count == 0 and store.kept_marks_count == 2
    store.add(BATCH_1)  # charlie is back (a fresh copy: same key), bravo not yet
    assert [r.name for r in store.marked] == ["charlie"]
    assert not store.is_marked(BATCH_1[1].key)  # alpha was never marked
    assert store.kept_marks_count == 1
    store.add(BATCH_3)
    assert store.forget_kept_marks() == 1  # bravo did not come back
    store.add(BATCH_2)
    assert not store.is_marked(BATCH_2[0].key) and store.marked_count == 1


def test_marks_are_kept_only_when_asked_and_clearing_marks_forgets_the_kept_ones() -> None:
    store = load(RowStore())
    store.mark_all_visible()
    store.clear()  # not a rescan: nothing waits
    load(store)
    assert store.marked_count == 0
    store.mark_all_visible()
    store.clear(keep_marks=True)
    store.clear_marks()  # escape during the rescan: the operator unmarked everything
    load(store)
    assert store.marked_count == 0
    store.mark_all_visible()
    store.clear(keep_marks=True)
    store.add(BATCH_1)
    store.set_filter(parse_filter("kind:ec2:volume"))
    store.mark_all_visible()  # ctrl+a: exactly what is shown, none of the waiting marks
    store.set_filter(parse_filter(""))
    load(store)
    assert store.marked_count == 0


# --- sort orders computed ahead -----------------------------------------------------------


def test_chunked_sort_and_merge_equal_a_stable_sort() -> None:
    rng = random.Random(3)
    for trial in range(300):
        n = rng.randrange(0, 120)
        spread = rng.choice([1, 2, 3, 10, 1000])  # 1: every key equal; small: long tie runs
        keys = [rng.randrange(spread) for _ in range(n)]
        key = keys.__getitem__
        chunk = rng.randrange(1, 20)
        rows = list(range(n))
        out: list[int] = []
        steps = sum(1 for _ in sorted_steps(rows, key, chunk, out))
        assert out == sorted(rows, key=key), (trial, chunk)
        assert steps >= n // chunk
        # Merging two runs directly, ``left`` first among equal keys.
        cut = rng.randrange(0, n + 1)
        left, right = sorted(rows[:cut], key=key), sorted(rows[cut:], key=key)
        merged: list[int] = []
        for _ in merge_steps(left, right, key, chunk, merged):
            pass
        assert merged == sorted(rows, key=key), (trial, "merge")


def test_precompute_steps_give_the_orders_a_full_sort_gives() -> None:
    estate = random_rows(300, seed=61)
    store = RowStore()
    store.add(estate)
    steps = sum(1 for _ in store.precompute_steps(chunk=16))
    assert steps > 300 // 16  # cut in small steps, not one go
    precomputed = {("name", False), ("id", False), ("tags", False), ("cost", False), ("age", False)}
    assert store._sorts.cached == precomputed
    for column, reverse in sorted(precomputed):
        assert [store.rows[i].id for i in store._sorts._cache[(column, reverse)]] == reference_order(
            estate, column, reverse
        )
    store.sort_by("tags")  # served from the cache: the order is taken out of it
    assert ("tags", False) not in store._sorts.cached
    assert ids(store) == reference_order(estate, "tags", False)
    # The order in force is not computed again.
    store.sort_by("name")
    assert sum(1 for _ in store.precompute_steps(chunk=16)) > 0
    assert ("name", False) not in store._sorts.cached and ("tags", False) in store._sorts.cached


def test_precompute_steps_stop_and_cache_nothing_once_rows_change() -> None:
    estate = random_rows(200, seed=71)
    store = RowStore()
    store.add(estate[:150])
    job = store.precompute_steps(chunk=8)
    for _ in range(20):
        next(job)
    store.add(estate[150:])
    assert list(job) == []  # it ends at its next step...
    assert store._sorts.cached == frozenset()  # ... having cached nothing for the old rows
    store.sort_by("name")
    assert ids(store) == reference_order(estate, "name", False)


def test_precompute_steps_keep_no_copy_of_an_order_sorted_by_meanwhile() -> None:
    store = RowStore()
    store.add(random_rows(200, seed=81))
    job = store.precompute_steps(chunk=8)
    for _ in range(5):  # into the name column's sort
        next(job)
    store.sort_by("name")  # a sort is no change to the rows: the job goes on
    assert sum(1 for _ in job) > 0
    assert ("name", False) not in store._sorts.cached  # it is the order in force already
    assert {("id", False), ("tags", False), ("cost", False), ("age", False)} <= store._sorts.cached


def test_orders_computed_ahead_match_a_from_scratch_sort_whatever_happens_around_them() -> None:
    """Random interleavings of add / replace / remove / filter / sort with the idle-time
    job run completely, partly, not at all, or resumed after the rows changed: every sort
    equals a from-scratch sort."""
    rng = random.Random(17)
    pool = random_rows(400, seed=41)
    filters = ["", "prod", "region:eu !state:running", "tag:env", "cost>5", "a"]
    store = RowStore()
    pending = store.precompute_steps(chunk=7)

    def run_job(steps: int | None, resume: bool) -> None:
        nonlocal pending
        job = pending if resume else store.precompute_steps(chunk=7)
        pending = job
        for count, _ in enumerate(job):
            if steps is not None and count >= steps:
                return

    live: list[Resource] = []
    fresh = iter(pool)
    history: list[str] = []
    for _ in range(160):
        action = rng.random()
        history.append(f"{action:.2f} {store.sort_column} {store.sort_reverse}")
        if action < 0.25:
            batch = [r for r in (next(fresh, None) for _ in range(rng.randrange(1, 30))) if r]
            store.add(batch)
            live.extend(batch)
        elif action < 0.35 and live:
            i = rng.randrange(len(live))
            changed = Resource(
                **{
                    **live[i].to_dict(),
                    "name": rng.choice(["zz", "alpha", "", "Mid"]),
                    "monthly_cost": rng.choice([None, 1.0, 50.0]),
                    "tags": rng.choice([{}, {"a": "b"}]),
                }
            )
            store.replace(changed)
            live[i] = changed
        elif action < 0.42 and live:
            gone = {r.key for r in rng.sample(live, min(len(live), rng.randrange(1, 5)))}
            store.remove(gone)
            live = [r for r in live if r.key not in gone]
        elif action < 0.55:
            store.set_filter(parse_filter(rng.choice(filters)))
        elif action < 0.75:
            run_job(rng.choice([None, None, 0, 1, 5, 40, 200]), resume=rng.random() < 0.3)
        else:
            column = rng.choice(["name", "id", "tags", "cost", "age", "kind", None])
            store.sort_by(column, rng.random() < 0.3)
        flt = store.filter
        column, reverse = store.sort_column, store.sort_reverse
        want = [r.id for r in live] if column is None else reference_order(live, column, reverse)
        keep = {r.id for r in live if flt.matches(r)}
        assert ids(store) == [i for i in want if i in keep], (column, reverse, flt)
        order = store._sorts.order
        if order is not None:
            assert [store.rows[i].id for i in order] == want, ("order", history[-6:])
        # What the job left in the cache is what a from-scratch sort gives.
        for (cached_column, cached_reverse), cached in store._sorts._cache.items():
            got = [store.rows[i].id for i in cached]
            assert got == reference_order(store.rows, cached_column, cached_reverse), (
                cached_column,
                cached_reverse,
                history[-6:],
            )
