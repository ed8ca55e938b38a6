"""The filter bar filters the table in the same turn as the key, so one paint shows both.

A stock ``Input`` reports a new value with ``Input.Changed``, handled a few message hops
later: the screen painted the new text first and the filtered table only in a later frame
(17-33 ms on, a third of a keystroke's latency during a live scan; ``benchmarks/
multi_account.py --ui-child``).  ``FilterInput`` applies the filter while the key is handled.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.widget import Widget
from textual.widgets import Input

from tests.support.estate import make_app, wait_scan
from tests.support.helpers import screen_text, shown_text
from tracker_tui.filtering import parse_filter
from tracker_tui.ui import app as app_module
from tracker_tui.ui.app import TrackerApp


def test_setting_the_filter_text_filters_the_table_before_any_message_is_handled() -> None:
    async def main() -> None:
        app = make_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_scan(app, pilot)
            total = app.table.row_count
            filter_input = app.query_one("#filter", Input)
            filter_input.value = "kind:ec2:volume"
            # No await in between: nothing has run on the event loop since the value changed.
            shown = app.table.visible_resources
            assert 0 < len(shown) < total
            assert {r.kind for r in shown} == {"ec2:volume"}
            filter_input.value = "kind:ec2:volume cost>abc"
            assert shown_text(app.query_one("#filter-error")) != ""
            assert app.table.row_count == len(shown)  # a bad filter leaves the rows as they were

    asyncio.run(main())


def test_a_typed_key_paints_its_text_and_the_filtered_table_together() -> None:
    """The first frame that shows the typed text already shows the table it filters."""

    async def main() -> None:
        app = make_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_scan(app, pilot)
            await pilot.press("slash")
            await pilot.pause()
            filter_input = app.query_one("#filter", Input)
            frames: list[tuple[str, int]] = []
            original = app._display

            def display(screen: Any, renderable: Any) -> None:
                frames.append((filter_input.value, app.table.row_count))
                original(screen, renderable)

            app._display = display  # type: ignore[method-assign]
            before = app.table.row_count
            for key in "vol":
                await pilot.press(key)
            await pilot.pause()
            app._display = original  # type: ignore[method-assign]
            first_shown: dict[str, int] = {}  # each text: the rows the table held when it first showed
            for text, count in frames:
                first_shown.setdefault(text, count)
            every = app.table.resources
            expected = {text: sum(parse_filter(text).matches(r) for r in every) for text in ("v", "vo", "vol")}
            assert expected["vol"] < before  # the keys narrow the table
            assert first_shown == expected, frames

    asyncio.run(main())


def test_the_filter_input_still_posts_changed_as_any_input() -> None:
    seen: list[str] = []

    class Watching(TrackerApp):
        CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))

        def on_input_changed(self, event: Input.Changed) -> None:
            seen.append(event.value)

    async def main() -> None:
        app = Watching(None)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("slash", "a", "b")
            await pilot.pause()
            assert seen[-1] == "ab"

    asyncio.run(main())


def test_typing_in_the_filter_asks_for_no_layout_and_the_end_of_a_long_text_stays_in_view(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The input's width is the bar's, whatever its text: a key asks for a repaint, not a layout
    of the screen (the table may still ask for one, when its scrollbar comes or goes)."""
    # (Without FilterInput._watch_value, each of the keys below asks for one.)
    layouts: list[str] = []
    real_refresh = Widget.refresh

    def refresh(self: Widget, *regions: Any, layout: bool = False, **kwargs: Any) -> Any:
        if layout and isinstance(self, Input):
            layouts.append(self.value)
        return real_refresh(self, *regions, layout=layout, **kwargs)

    monkeypatch.setattr(Widget, "refresh", refresh)

    async def main() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_scan(app, pilot)
            await pilot.press("slash")
            await pilot.pause()
            layouts.clear()
            await pilot.press(*"vol")
            await pilot.pause()
            assert layouts == []
            filter_input = app.query_one("#filter", Input)
            assert filter_input.value == "vol" and filter_input.virtual_size.width == filter_input.content_width
            # Longer than the input: it scrolls so the cursor (the text's end) shows.
            text = " !name:a-name-far-longer-than-the-filter-bar-can-show-at-eighty-columns-xyz"
            await pilot.press(*text)
            await pilot.pause()
            # At most once, as the text outgrows the input (Textual's hidden scrollbar comes), not per key.
            assert len(layouts) <= 1 < len(text)
            assert filter_input.scroll_x > 0
            assert "columns-xyz" in screen_text(app)
            await pilot.press("ctrl+u")
            await pilot.pause()
            assert filter_input.value == "" and filter_input.scroll_x == 0

    asyncio.run(main())
