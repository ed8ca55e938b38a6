"""``[keymap]`` in config.toml: binding ids remapped through Textual's keymap; unknown ids,
empty keys and clashes reported and ignored; the footer, the help and the palette show the
keys as remapped."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from tests.support.estate import make_app, wait_scan
from tests.support.helpers import screen_text
from tracker_tui.config import Settings, config_path, load_settings
from tracker_tui.ui.keymap import check_keymap, normalize
from tracker_tui.ui.keys import MAIN_KEYS, commands
from tracker_tui.ui.screens.help import HelpScreen


def test_keys_are_spelt_as_textual_names_them() -> None:
    assert normalize("x") == ["x"]
    assert normalize("?, ctrl+x") == ["question_mark", "ctrl+x"]
    assert normalize(" f5 ,r") == ["f5", "r"]


def test_a_valid_keymap_is_applied_in_textuals_form() -> None:
    check = check_keymap({"mark": "x", "delete": "ctrl+x", "rescan": "f5,ctrl+r"})
    assert check.applied == {"mark": "x", "delete": "ctrl+x", "rescan": "f5,ctrl+r"}
    assert check.problems == ()


def test_unknown_ids_empty_keys_and_clashes_are_reported_and_ignored() -> None:
    check = check_keymap({"mrak": "x", "mark": "", "export": "s", "coverage": "enter", "help": "?"})
    assert check.applied == {"help": "question_mark"}  # its own key: no clash with itself
    problems = "\n".join(check.problems)
    assert "keymap: no binding 'mrak'" in problems
    assert "keymap: 'mark' needs a key" in problems
    assert "keymap: 'export = \"s\"': s is already 'stop'; ignored" in problems
    assert "keymap: 'coverage = \"enter\"': enter is the details of the row key; ignored" in problems


def test_keys_moved_away_can_be_taken() -> None:
    # stop moves to x, so s is free for export; two bindings cannot share x.
    check = check_keymap({"stop": "x", "export": "s", "mark": "x"})
    assert check.applied == {"stop": "x", "export": "s"}
    assert any("x is already 'stop'" in p for p in check.problems)


def test_config_reads_the_keymap_table() -> None:
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text('[keymap]\nmark = "x"\ndelete = "ctrl+x"\n')
    assert load_settings().keymap == {"mark": "x", "delete": "ctrl+x"}
    config_path().write_text('keymap = "x"\n')
    settings = load_settings()
    assert settings.keymap == {} and any("[keymap] must map binding ids" in w for w in settings.warnings)


def test_the_palette_names_the_remapped_key() -> None:
    [rescan] = [c for c in commands(MAIN_KEYS, {"rescan": "f5"}) if c.action == "rescan"]
    assert rescan.help.endswith("(f5)")


def _run(keymap: dict[str, str], check: Any) -> None:
    async def go() -> None:
        app = make_app(settings=dataclasses.replace(Settings(), keymap=keymap))
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_scan(app, pilot)
            await check(app, pilot)

    asyncio.run(go())


def test_a_remapped_key_works_and_the_old_one_no_longer_does() -> None:
    async def check(app: Any, pilot: Any) -> None:
        await pilot.press("space")
        await pilot.pause()
        assert app.table.marked_count == 0  # space was mark's key: moved
        await pilot.press("x")
        await pilot.pause()
        assert app.table.marked_count == 1
        assert "x Mark" in screen_text(app).splitlines()[-1]  # the footer follows the binding
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        lines = [line for line in screen_text(app).splitlines() if "mark / unmark the row" in line]
        assert lines and lines[0].strip().startswith("x ")

    _run({"mark": "x"}, check)


def test_a_bad_entry_is_told_on_start_and_the_rest_applies() -> None:
    async def check(app: Any, pilot: Any) -> None:
        messages = [str(n.message) for n in app._notifications]
        assert any("keymap: 'export = \"s\"': s is already 'stop'; ignored" in m for m in messages), messages
        await pilot.press("f5")
        await pilot.pause()
        assert app.scan.source.scans == 2  # rescan = f5 took

    _run({"export": "s", "rescan": "f5"}, check)
