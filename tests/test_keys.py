"""One definition of each key (ui/keys.py): the bindings, the footer, the help, the palette
and README's key table all agree with it, and the binding ids stay what a keymap names."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from tests.support.estate import make_app, wait_scan
from tests.support.helpers import palette_titles
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.keys import APP_KEYS, MAIN_KEYS, OtherKeys, commands, help_rows, key_display, keys_of
from tracker_tui.ui.screens.help import KEYS as HELP_KEYS
from tracker_tui.ui.screens.help import HelpScreen
from tracker_tui.ui.screens.main import MainScreen

README = Path(__file__).resolve().parents[1] / "README.md"

#: The ids users' keymaps will name: renaming one breaks a keymap, so this list only grows.
STABLE_IDS = {
    "filter", "mark", "mark_all", "escape", "stop", "start", "delete", "rescan", "costs", "coverage", "changes",
    "pick_profile", "pick_regions", "export", "bill", "help", "quit", "modify", "check_idle", "command_bar", "console",
    "copy", "copy_marked", "schedule",
    "sort_kind", "sort_name", "sort_id", "sort_region", "sort_state", "sort_cost", "sort_age", "sort_tags",
}


def readme_key_table() -> list[list[list[str]]]:
    """README's "Keys" table: per row, per cell, the `backticked` tokens (spaces split)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Keys", 1)[1]
    lines = [line.strip() for line in section.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(line)
    header, separator, *rows = table
    assert header.replace(" ", "") == "|key|action|", header
    assert set(separator) <= set("|-: "), separator
    def words(cell: str) -> list[str]:
        return [word for token in re.findall(r"`([^`]+)`", cell) for word in token.split()]

    return [[words(cell) for cell in row.strip("|").split("|")] for row in rows]


def test_every_bound_key_is_in_the_readme_key_table() -> None:
    documented = {word for row in readme_key_table() for cell in row for word in cell}
    missing = [(k.id, k.display) for k in keys_of([*MAIN_KEYS, *APP_KEYS]) if k.display not in documented]
    assert missing == [], f"README's Keys table lacks {missing}"


def test_the_readme_key_table_names_only_keys_that_exist() -> None:
    known = {k.display for k in keys_of([*MAIN_KEYS, *APP_KEYS])}
    others = [entry for entry in [*MAIN_KEYS, *APP_KEYS] if isinstance(entry, OtherKeys)]
    known |= {key_display(key) for entry in others for key in entry.keys}
    listed = [word for row in readme_key_table() for word in row[0]]
    assert len(listed) >= 16
    assert [word for word in listed if word not in known] == []


def test_binding_ids_are_unique_and_stable() -> None:
    ids = [k.id for k in keys_of([*MAIN_KEYS, *APP_KEYS])]
    assert len(ids) == len(set(ids))
    assert set(ids) == STABLE_IDS


def test_the_main_keys_are_the_main_screens_and_only_the_global_ones_the_apps() -> None:
    main_ids = [b.id for b in MainScreen.BINDINGS if not isinstance(b, tuple)]
    app_ids = {b.id for b in TrackerApp.BINDINGS if not isinstance(b, tuple)}
    assert main_ids == [k.id for k in keys_of(MAIN_KEYS)]
    assert app_ids == {"help", "quit"}


def test_the_help_screen_is_generated_from_the_definitions() -> None:
    assert HELP_KEYS == help_rows([*MAIN_KEYS, *APP_KEYS])
    keys = [key for key, _ in HELP_KEYS]
    # The help's order: the main view's keys, then the app's, quit last.
    assert keys[0] == "/" and keys[-3:] == ["?", "ctrl+p", "q"]
    assert "K N I R S C A T" in keys


def test_every_key_the_help_lists_is_live_on_the_main_view() -> None:
    async def main() -> None:
        app = make_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_scan(app, pilot)
            assert isinstance(app.screen, MainScreen)
            live = set(app.screen.active_bindings)
            for entry in [*MAIN_KEYS, *APP_KEYS]:
                names = entry.keys if isinstance(entry, OtherKeys) else [k.key for k in keys_of([entry])]
                assert set(names) <= live, names
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            # Behind another screen the main view's keys are not bound at all.
            live = set(app.screen.active_bindings)
            assert not {"slash", "space", "s", "ctrl+d", "r", "K"} & live

    asyncio.run(main())


def test_the_palette_offers_the_main_commands_from_the_main_view_only() -> None:
    titles = {c.title for c in commands(MAIN_KEYS)}

    async def main() -> None:
        app = make_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_scan(app, pilot)
            found = await palette_titles(app, pilot, "Sort by cost")
            assert found and found[0] == "Sort by cost"
            await pilot.press("enter")
            await pilot.pause()
            assert app.table.sort_column == "cost"
            await pilot.press("question_mark")
            found = await palette_titles(app, pilot, "Rescan")
            assert not titles & set(found)  # the help screen has no table to act on
            await pilot.press("escape")
            found = await palette_titles(app, pilot, "Keys and filter help")
            assert "Keys and filter help" in found  # the app's own commands are everywhere

    asyncio.run(main())
