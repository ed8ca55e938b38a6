"""The confirm dialog's rails, each with a test that fails when the rail is removed.

- a stop of one row confirms with ``y``; a stop of several rows, and any delete, needs the
  account's name typed, and ``y`` then does nothing;
- only the exact name confirms: empty, a prefix, another case, a longer word are refused;
- keys that are bindings elsewhere (q quits, s stops, ...) are just letters of the name;
- the production banner reaches the dialog through the app's real ``request_action``;
- at 80x24 the prompt, the input, Cancel and Confirm are on screen, whatever the selection;
- skipped rows are summarised by reason, each reason once, the full list a key away;
- the results screen keeps the result column at 80 columns and shows a row's whole result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import boto3
import pytest
from moto import mock_aws
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Input, Static

from tests.support.estate import make_app, sample_identity, sample_resources, sample_source, wait_scan
from tests.support.helpers import actions_done, moto_session, scan_done, wait_until
from tracker_tui.aws.actions import (
    ActionOptions,
    ActionUpdate,
    Choice,
    PlannedAction,
    Status,
    describe_skipped,
    plan,
    skipped_by_reason,
    spec_of,
)
from tracker_tui.aws.actions.dynamodb import BACKUP
from tracker_tui.aws.actions.ec2 import SNAPSHOT_FIRST
from tracker_tui.aws.actions.ec2_image import DELETE_SNAPSHOTS
from tracker_tui.aws.actions.rds import FINAL_SNAPSHOT
from tracker_tui.aws.actions.s3 import EMPTY_FIRST
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.source import LiveSource
from tracker_tui.config import Settings
from tracker_tui.model import Identity, Resource
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.confirm import (
    ConfirmActionScreen,
    Confirmed,
    PlannedRowsScreen,
    confirm_word,
    needs_typed_name,
    typed_word_matches,
)
from tracker_tui.ui.screens.progress import ActionProgressScreen, layout_columns

ACCOUNT = "123456789012"


def _rows(predicate: Callable[[Resource], bool]) -> list[Resource]:
    return [r for r in sample_resources(priced=True) if predicate(r)]


def _running_instances() -> list[Resource]:
    return _rows(lambda r: r.kind == "ec2:instance" and r.state == "running")


def _mixed_delete() -> list[PlannedAction]:
    """Every row of the sample estate: all kinds, skipped rows, RDS deletes, a non-empty bucket."""
    return plan(sample_resources(priced=True), "delete")


# --- the rules, without a screen --------------------------------------------------------------


def test_only_a_single_stop_goes_without_typing() -> None:
    one, two = _running_instances()[:2]
    volume = _rows(lambda r: r.kind == "ec2:volume")[0]
    role = _rows(lambda r: r.kind == "iam:role")[0]

    assert not needs_typed_name(plan([one], "stop"))
    # Skipped rows do not count: one stop among skipped rows is still a single stop.
    assert not needs_typed_name(plan([one, volume, role], "stop"))
    assert needs_typed_name(plan([one, two], "stop"))
    assert needs_typed_name(plan([one], "delete"))  # terminate
    assert needs_typed_name(plan([volume], "delete"))
    eip = _rows(lambda r: r.kind == "ec2:elastic-ip")[0]
    assert needs_typed_name(plan([eip], "delete"))  # release


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        ("acme-staging", True),
        ("  acme-staging ", True),  # surrounding spaces may be stripped
        ("", False),
        ("   ", False),
        ("acme-sta", False),  # a prefix
        ("acme", False),
        ("ACME-STAGING", False),  # another case
        ("Acme-staging", False),
        ("acme-staging2", False),  # a longer word
        ("acme-staging acme-staging", False),
        ("123456789012", False),  # the id when there is an alias
    ],
)
def test_only_the_exact_word_confirms(typed: str, ok: bool) -> None:
    assert typed_word_matches(typed, "acme-staging") is ok


def test_an_empty_word_never_confirms() -> None:
    assert not typed_word_matches("", "")
    assert confirm_word(Identity(account_id=ACCOUNT)) == ACCOUNT  # no alias: the id is typed
    assert confirm_word(Identity(account_id=ACCOUNT, alias="acme")) == "acme"


def test_skipped_rows_are_grouped_by_reason_each_written_once() -> None:
    planned = _mixed_delete()
    groups = dict(skipped_by_reason(planned))
    assert set(groups) == {"read-only kind"}
    kinds = dict(groups["read-only kind"])
    assert kinds == {
        "lambda:function": 5,
        "iam:user": 4,
        "iam:role": 4,
        "autoscaling:group": 2,
        "elasticache:cluster": 2,
    }
    text = describe_skipped(planned)
    assert text.count("read-only kind") == 1
    assert text.startswith("read-only kind: 5 lambda:function, 4 iam:role, 4 iam:user")

    stop = plan(_rows(lambda r: r.kind in ("ec2:volume", "iam:role")), "stop")
    assert describe_skipped(stop) == "no stop action: 8 ec2:volume; read-only kind: 4 iam:role"


# --- the dialog ---------------------------------------------------------------------------------


def _on_screen(widget: Widget, size: tuple[int, int]) -> bool:
    """The widget is displayed and wholly inside the terminal."""
    region = widget.region
    return widget.display and region.area > 0 and Region(0, 0, *size).contains_region(region)


def dialog_test(
    planned: list[PlannedAction],
    check: Callable[[TrackerApp, Pilot[Any], ConfirmActionScreen, list[Confirmed | None]], Awaitable[None]],
    *,
    identity: Identity | None = None,
    danger: bool = False,
    size: tuple[int, int] = (80, 24),
) -> None:
    """Push the dialog over the sample app and run ``check``; answers collects what it returned."""

    async def go() -> None:
        app = make_app(sample_source(resources=sample_resources(priced=True)))
        async with app.run_test(size=size) as pilot:
            await wait_scan(app, pilot)
            answers: list[Confirmed | None] = []
            screen = ConfirmActionScreen(planned, identity or sample_identity(), danger=danger)
            await app.push_screen(screen, answers.append)
            await pilot.pause()
            await pilot.pause()
            await check(app, pilot, screen, answers)

    asyncio.run(go())


def test_a_single_stop_confirms_with_y() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], screen: ConfirmActionScreen, answers: list[Any]) -> None:
        assert not screen.typed
        assert app.focused is screen.query_one("#confirm-cancel")
        await pilot.press("y")
        await pilot.pause()
        assert answers == [Confirmed()]

    dialog_test(plan(_running_instances()[:1], "stop"), check)


def test_y_does_nothing_on_a_stop_of_several_rows_until_the_name_is_typed() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], screen: ConfirmActionScreen, answers: list[Any]) -> None:
        assert screen.typed
        await pilot.press("y")
        await pilot.pause()
        assert answers == [] and app.screen is screen
        box = screen.query_one("#confirm-input", Input)
        assert box.value == "y"  # the key went into the box, as a letter
        box.value = ""
        await pilot.press(*"acme-staging", "enter")
        await pilot.pause()
        assert answers == [Confirmed()]

    dialog_test(plan(_running_instances()[:3], "stop"), check)


def test_the_yes_action_itself_refuses_when_the_name_is_required() -> None:
    # Whatever reaches the action (a remapped key, the palette), not only the y key.
    async def check(app: TrackerApp, pilot: Pilot[Any], screen: ConfirmActionScreen, answers: list[Any]) -> None:
        screen.action_yes()
        await pilot.pause()
        assert answers == [] and app.screen is screen
        await pilot.click("#confirm-ok")  # disabled: nothing happens either
        await pilot.pause()
        assert answers == []
        # A press that reaches the handler anyway (a disabled state lost) still checks the word.
        ok = screen.query_one("#confirm-ok", Button)
        screen.post_message(Button.Pressed(ok))
        await pilot.pause()
        assert answers == [] and app.screen is screen

    dialog_test(plan(_running_instances()[:2], "stop"), check)


def test_y_does_nothing_on_a_single_delete() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], screen: ConfirmActionScreen, answers: list[Any]) -> None:
        await pilot.press("y", "enter")
        await pilot.pause()
        assert answers == [] and app.screen is screen
        assert "nothing was done" in str(screen.query_one("#confirm-error", Static).render())

    dialog_test(plan(_rows(lambda r: r.kind == "ec2:volume")[:1], "delete"), check)


@pytest.mark.parametrize("typed", ["", "acme-sta", "ACME-STAGING", "acme-staging-x", "123456789012"])
def test_a_wrong_entry_is_refused_and_says_so(typed: str) -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], screen: ConfirmActionScreen, answers: list[Any]) -> None:
        if typed:
            await pilot.press(*typed)
        else:
            screen.set_focus(screen.query_one("#confirm-input", Input))
        await pilot.press("enter")
        await pilot.pause()
        assert answers == [] and app.screen is screen
        error = str(screen.query_one("#confirm-error", Static).render())
        assert "nothing was done" in error
        assert screen.query_one("#confirm-ok", Button).disabled
        # The right word still works afterwards.
        screen.query_one("#confirm-input", Input).value = "acme-staging"
        await pilot.press("enter")
        await pilot.pause()
        assert answers == [Confirmed({SNAPSHOT_FIRST: True})]  # the volumes' box, left alone

    dialog_test(plan(_rows(lambda r: r.kind == "ec2:volume" and r.state == "available"), "delete"), check)


def test_confirm_button_is_enabled_only_by_the_exact_word() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], screen: ConfirmActionScreen, answers: list[Any]) -> None:
        ok = screen.query_one("#confirm-ok", Button)
        assert ok.disabled
        await pilot.press(*"acme-stagin")
        await pilot.pause()
        assert ok.disabled
        await pilot.click("#confirm-ok")
        await pilot.pause()
        assert answers == []
        await pilot.press("g")
        await pilot.pause()
        assert not ok.disabled
        await pilot.click("#confirm-ok")
        await pilot.pause()
        assert answers == [Confirmed({SNAPSHOT_FIRST: True})]  # the volumes' box, left alone

    dialog_test(plan(_rows(lambda r: r.kind == "ec2:volume" and r.state == "available"), "delete"), check)


def test_letters_that_are_keys_elsewhere_are_typed_into_the_name() -> None:
    # q quits, s stops, r rescans, e exports, c/g/d/p/l open things: inside the dialog they
    # are letters of the account's name.
    word = "qa-sre-deploy-prod"

    async def check(app: TrackerApp, pilot: Pilot[Any], screen: ConfirmActionScreen, answers: list[Any]) -> None:
        await pilot.press(*word)
        await pilot.pause()
        assert app.is_running and app.screen is screen
        assert screen.query_one("#confirm-input", Input).value == word
        await pilot.press("enter")
        await pilot.pause()
        assert answers == [Confirmed({SNAPSHOT_FIRST: True})]  # the volumes' box, left alone

    identity = Identity(account_id=ACCOUNT, alias=word)
    dialog_test(plan(_rows(lambda r: r.kind == "ec2:volume" and r.state == "available"), "delete"), check,
                identity=identity)


def test_escape_cancels() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], screen: ConfirmActionScreen, answers: list[Any]) -> None:
        await pilot.press(*"acme-staging")
        await pilot.press("escape")
        await pilot.pause()
        assert answers == [None]

    dialog_test(_mixed_delete(), check)


@pytest.mark.parametrize("size", [(80, 24), (100, 20), (120, 36)])
def test_the_prompt_input_and_buttons_stay_on_screen_for_the_biggest_selection(size: tuple[int, int]) -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], screen: ConfirmActionScreen, answers: list[Any]) -> None:
        for selector in ("#confirm-danger", "#confirm-title", "#confirm-prompt", "#confirm-input",
                         "#confirm-cancel", "#confirm-ok"):
            assert _on_screen(screen.query_one(selector), size), selector
        body = screen.query_one("#confirm-body")
        assert _on_screen(body, size)
        assert body.max_scroll_y > 0  # the rows scroll inside the body instead of pushing the prompt off
        await pilot.press("pagedown", "pagedown", "pagedown", "pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        assert _on_screen(screen.query_one("#confirm-input"), size)
        # Long regions lists and an error line do not push the buttons off either.
        await pilot.press(*"nope", "enter")
        await pilot.pause()
        await pilot.pause()
        for selector in ("#confirm-error", "#confirm-input", "#confirm-cancel"):
            assert _on_screen(screen.query_one(selector), size), selector

    dialog_test(_mixed_delete(), check, identity=sample_identity("acme-prod"), danger=True, size=size)


def test_a_small_selection_is_not_stretched() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], screen: ConfirmActionScreen, answers: list[Any]) -> None:
        assert screen.query_one("#confirm-dialog").outer_size.height < 20
        assert screen.query_one("#confirm-body").max_scroll_y == 0

    dialog_test(plan(_running_instances()[:1], "stop"), check, size=(120, 36))


def test_skipped_rows_show_as_a_summary_and_every_row_is_a_key_away() -> None:
    planned = _mixed_delete()

    async def check(app: TrackerApp, pilot: Pilot[Any], screen: ConfirmActionScreen, answers: list[Any]) -> None:
        skipped = str(screen.query_one("#confirm-skipped", Static).render())
        assert "17 skipped" in skipped
        assert skipped.count("read-only kind") == 1
        assert "5 lambda:function" in skipped and "4 iam:role" in skipped
        await pilot.press(*"acme")  # half typed
        await pilot.press("ctrl+l")
        await pilot.pause()
        rows = app.screen
        assert isinstance(rows, PlannedRowsScreen)
        table = rows.query_one(DataTable)
        assert table.row_count == len(planned)
        rows_shown = [table.get_row_at(i) for i in range(table.row_count)]
        skipped_rows = [row for row in rows_shown if str(row[0]) == "skip"]
        assert len(skipped_rows) == 17 and rows_shown[:17] == skipped_rows  # the skipped ones first
        assert {str(row[-1]) for row in skipped_rows} == {"read-only kind"}
        assert {str(row[1]).split(chr(10))[1] for row in skipped_rows} >= {"iam:role · global"}
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#confirm-input", Input).value == "acme"  # nothing lost
        assert answers == []

    dialog_test(planned, check)


def test_a_summary_keeps_the_notes_of_its_rows() -> None:
    planned = _mixed_delete()

    async def check(app: TrackerApp, pilot: Pilot[Any], screen: ConfirmActionScreen, answers: list[Any]) -> None:
        notes = str(screen.query_one("#confirm-notes", Static).render())
        assert "3 rds:db-instance: final snapshot tracker-tui-final-<id>-" in notes
        assert "stay allocated" in notes  # NAT gateways' Elastic IPs
        assert screen.query("#choice-empty_buckets") and screen.query("#choice-rds_final_snapshot")

    dialog_test(planned, check)


# --- the real request_action path (moto) -----------------------------------------------------------


def _live_app(alias: str, **kw: Any) -> tuple[TrackerApp, Any]:
    iam = boto3.client("iam", region_name="us-east-1")
    if alias:
        iam.create_account_alias(AccountAlias=alias)
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ids = [
        ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0][
            "InstanceId"
        ]
        for _ in range(2)
    ]
    session = moto_session()
    source = LiveSource(lambda: session, resolve_kinds(["ec2:instance"]), ["us-east-1"])
    return TrackerApp(source, monotonic=lambda: 0.0, **kw), (ec2, ids)


def _live(alias: str, check: Callable[[TrackerApp, Pilot[Any], Any], Awaitable[None]], **kw: Any) -> None:
    with mock_aws():
        app, estate = _live_app(alias, **kw)

        async def go() -> None:
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_until(pilot, lambda: scan_done(app)() and app.table.row_count)
                await check(app, pilot, estate)

        asyncio.run(go())


def _states(ec2: Any, ids: list[str]) -> list[str]:
    reply = ec2.describe_instances(InstanceIds=ids)
    return [i["State"]["Name"] for r in reply["Reservations"] for i in r["Instances"]]


def test_the_production_banner_reaches_the_dialog_through_request_action() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: Any) -> None:
        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmActionScreen)
        assert screen.danger and screen.has_class("-danger")
        assert _on_screen(screen.query_one("#confirm-danger"), (80, 24))
        assert screen.word == "acme-prod-eu"

    _live("acme-prod-eu", check)


def test_an_account_without_a_danger_term_has_no_banner() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: Any) -> None:
        await pilot.press("ctrl+d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmActionScreen)
        assert not screen.danger
        assert not screen.query_one("#confirm-danger").display

    _live("acme-staging", check)


def test_configured_danger_terms_mark_the_dialog() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: Any) -> None:
        await pilot.press("ctrl+d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmActionScreen) and screen.danger

    _live("acme-live", check, settings=Settings(danger_terms=("LIVE",)))


def test_a_stop_of_two_rows_through_the_app_needs_the_name() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: Any) -> None:
        ec2, ids = estate
        await pilot.press("ctrl+a", "s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmActionScreen) and screen.typed
        await pilot.press("y")
        await pilot.pause(0.3)
        assert app.screen is screen
        assert _states(ec2, ids) == ["running", "running"]
        await pilot.press("escape")
        await pilot.pause()
        assert _states(ec2, ids) == ["running", "running"]

    _live("acme-staging", check)


# --- the results screen ------------------------------------------------------------------------------


def test_layout_gives_the_result_the_width_first() -> None:
    columns, name, result = layout_columns(80)
    assert [c.key for c in columns] == ["status", "name"]
    assert result >= 40 and name >= 16
    wide, _, wide_result = layout_columns(200)
    assert [c.key for c in wide] == ["status", "action", "kind", "name", "region"]
    assert wide_result > 60


def test_results_at_80_columns_show_why_a_row_was_refused() -> None:
    planned = plan(_rows(lambda r: r.kind == "ec2:instance" and r.name == "bastion"), "delete")
    reason = "termination protection is on (DisableApiTermination); tracker-tui never switches it off"

    async def go() -> None:
        app = make_app(sample_source(resources=sample_resources(priced=True)))
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_scan(app, pilot)
            screen = ActionProgressScreen(planned, "1 action")
            await app.push_screen(screen)
            screen.apply(ActionUpdate(planned[0].resource, "terminate", Status.REFUSED, reason))
            await pilot.pause()
            table = screen.query_one(DataTable)
            keys = [column.key.value for column in table.ordered_columns]
            assert "message" in keys
            message_column = table.ordered_columns[keys.index("message")]
            assert message_column.width >= 40
            assert str(table.get_row_at(0)[keys.index("message")]) == reason
            detail = str(screen.query_one("#progress-detail", Static).render())
            assert reason in detail and "refused" in detail
            assert _on_screen(screen.query_one("#progress-detail"), (80, 24))

    asyncio.run(go())


def test_an_update_that_arrives_before_the_progress_table_is_built_is_shown_once_it_is() -> None:
    """The run's first update can reach the screen before it mounts (a fast refusal): it is
    kept, and the table shows it when built, with no CellDoesNotExist."""
    planned = plan(_rows(lambda r: r.kind == "ec2:instance" and r.name == "bastion"), "delete")
    reason = "termination protection is on (DisableApiTermination); tracker-tui never switches it off"

    async def go() -> None:
        app = make_app(sample_source(resources=sample_resources(priced=True)))
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_scan(app, pilot)
            screen = ActionProgressScreen(planned, "1 action")
            screen.apply(ActionUpdate(planned[0].resource, "terminate", Status.REFUSED, reason))
            await app.push_screen(screen)
            await pilot.pause()
            table = screen.query_one(DataTable)
            keys = [column.key.value for column in table.ordered_columns]
            assert str(table.get_row_at(0)[keys.index("message")]) == reason

    asyncio.run(go())


def test_the_cancel_button_cancels() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], screen: ConfirmActionScreen, answers: list[Any]) -> None:
        await pilot.press(*"acme-staging")  # even with the right word typed
        await pilot.click("#confirm-cancel")
        await pilot.pause()
        assert answers == [None]

    dialog_test(plan(_rows(lambda r: r.kind == "ec2:volume" and r.state == "available"), "delete"), check)


def test_the_boxes_set_the_runs_options_and_leave_the_rest() -> None:
    options = ActionOptions(protected_tags=("keep-me",))
    applied = Confirmed({EMPTY_FIRST: True, FINAL_SNAPSHOT: False}).apply(options)
    answers = [applied.choice(c) for c in (EMPTY_FIRST, FINAL_SNAPSHOT, BACKUP, DELETE_SNAPSHOTS)]
    # The two answered; the two left alone keep their declared defaults.
    assert (answers, applied.protected_tags) == ([True, False, True, False], ("keep-me",))
    assert Confirmed().apply(options) == options


def test_each_box_shows_its_actions_declared_default_and_answers_by_its_declaration() -> None:
    planned = _mixed_delete()
    declared = [choice for p in planned if (spec := spec_of(p)) is not None for choice in spec.choices]
    assert {FINAL_SNAPSHOT, EMPTY_FIRST} <= set(declared)

    async def check(app: TrackerApp, pilot: Pilot[Any], screen: ConfirmActionScreen, answers: list[Any]) -> None:
        boxes = {box.name: box.value for box in screen.query(Checkbox)}
        assert boxes == {choice.key: choice.default for choice in declared}
        screen.query_one(f"#choice-{FINAL_SNAPSHOT.key}", Checkbox).value = False
        await pilot.press(*"acme-staging", "enter")
        await pilot.pause()
        (answer,) = answers
        assert answer.choices == {**{choice: choice.default for choice in declared}, FINAL_SNAPSHOT: False}

    dialog_test(planned, check)


def test_a_ticked_empty_first_box_reaches_the_run_and_the_bucket_goes() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="full-bucket")
        s3.put_object(Bucket="full-bucket", Key="a.txt", Body=b"1")
        session = moto_session()
        source = LiveSource(lambda: session, resolve_kinds(["s3:bucket"]), ["us-east-1"])
        app = TrackerApp(source, monotonic=lambda: 0.0)

        async def go() -> None:
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_until(pilot, lambda: not app.scanning and app.table.row_count)
                await pilot.press("ctrl+d")
                await pilot.pause()
                screen = app.screen
                assert isinstance(screen, ConfirmActionScreen)
                box = screen.query_one("#choice-empty_buckets", Checkbox)
                assert box.value is False  # off unless the user chooses it
                box.value = True
                await pilot.press(*ACCOUNT, "enter")
                await wait_until(pilot, actions_done(app))
                progress = app.screen
                assert isinstance(progress, ActionProgressScreen)
                (update,) = progress.latest.values()
                assert update.status is Status.DONE, update.message

        asyncio.run(go())
        assert s3.list_buckets()["Buckets"] == []


def _delete_in_the_tui(kind: str, untick: Choice) -> ActionUpdate:
    """ctrl+d on the one row of ``kind`` (made in moto by the caller), ``untick``'s box unticked
    in the dialog, the account typed: the row's final update."""
    session = moto_session()
    source = LiveSource(lambda: session, resolve_kinds([kind]), ["us-east-1"])
    app = TrackerApp(source, monotonic=lambda: 0.0)
    finals: list[ActionUpdate] = []

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: not app.scanning and app.table.row_count)
            await pilot.press("ctrl+d")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ConfirmActionScreen)
            box = screen.query_one(f"#choice-{untick.key}", Checkbox)
            assert box.value is untick.default is True
            box.value = False
            await pilot.press(*ACCOUNT, "enter")
            await wait_until(pilot, actions_done(app))
            progress = app.screen
            assert isinstance(progress, ActionProgressScreen)
            finals.extend(progress.latest.values())

    asyncio.run(go())
    (final,) = finals
    return final


def test_an_unticked_final_snapshot_box_reaches_the_run_though_the_plan_named_one() -> None:
    """The dialog's row names the snapshot the plan would keep; the box, unticked, is what is done."""
    with mock_aws():
        rds = boto3.client("rds", region_name="us-east-1")
        rds.create_db_instance(
            DBInstanceIdentifier="scratch",
            Engine="postgres",
            DBInstanceClass="db.t3.micro",
            AllocatedStorage=20,
            MasterUsername="admin",
            MasterUserPassword="not-a-secret-1",
        )
        final = _delete_in_the_tui("rds:db-instance", FINAL_SNAPSHOT)
        snapshots = rds.describe_db_snapshots()["DBSnapshots"]
    assert (final.status, final.message) == (Status.DONE, "deleted (no final snapshot)")
    assert snapshots == []


def test_an_unticked_backup_box_reaches_the_run_though_the_plan_named_one() -> None:
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(
            TableName="scratch",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        final = _delete_in_the_tui("dynamodb:table", BACKUP)
        backups = ddb.list_backups()["BackupSummaries"]
    assert (final.status, final.message) == (Status.DONE, "deleted (no backup)")
    assert backups == []
