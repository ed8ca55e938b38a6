"""Shared test helpers: a session on moto, a one-call scan, botocore hooks, the CLI in-process,
and driving the app (waiting, the filter, the command palette, what the screen shows)."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator, Sequence
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.content import Content
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.scan import Collector, ScanEngine, ScanOptions
from tracker_tui.aws.session import AwsSession, SessionOptions, new_boto_session
from tracker_tui.cli import main
from tracker_tui.model import Identity, Resource


def moto_session(**options: object) -> AwsSession:
    """An AwsSession with dummy credentials, for use inside ``mock_aws()``."""
    boto = new_boto_session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    return AwsSession(SessionOptions(home_region="us-east-1"), boto_session=boto, **options)  # type: ignore[arg-type]


def scan(
    kinds: Sequence[str],
    regions: Sequence[str] = ("us-east-1",),
    *,
    session: AwsSession | None = None,
    page_size: int | None = None,
) -> tuple[list[Resource], Collector]:
    """Scan ``kinds`` in ``regions`` and return (resources, collector)."""
    session = session or moto_session()
    identity = Identity(account_id="123456789012", arn="arn:aws:iam::123456789012:user/test")
    engine = ScanEngine(session, identity, list(regions), resolve_kinds(list(kinds)), ScanOptions(page_size=page_size))
    collector = Collector()
    engine.run(collector)
    return collector.resources, collector


def record_calls(session: AwsSession) -> list[tuple[str, dict[str, Any]]]:
    """Every API call the session's clients make, as ("service.Operation", params).

    Register before the scan: clients copy the session's event hooks when they are created.
    """
    calls: list[tuple[str, dict[str, Any]]] = []

    def hook(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((f"{model.service_model.service_name}.{model.name}", dict(params)))

    session.boto.events.register("before-parameter-build", hook)
    return calls


def named(calls: list[tuple[str, dict[str, Any]]], operation: str) -> list[dict[str, Any]]:
    return [params for name, params in calls if name == operation]


ROLE = "OrganizationAccountAccessRole"
MANAGEMENT = "123456789012"  # moto's default account: the dummy credentials land there


def assumed_session(account_id: str) -> boto3.Session:
    """A boto3 Session inside ``account_id`` (through the role, as an operator would)."""
    sts = boto3.client("sts", region_name="us-east-1")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE}", RoleSessionName="seed")["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )


def shown_text(widget: Widget) -> str:
    """The plain text a Static or a Label shows (what ``render()`` gives them is a ``Content``)."""
    shown = widget.render()
    assert isinstance(shown, Content), type(shown)
    return shown.plain


def error_response(code: str, message: str, status: int = 400) -> tuple[Any, dict[str, Any]]:
    """What a ``before-call`` handler returns to answer a call with an AWS error, without sending it."""
    return SimpleNamespace(status_code=status, headers={}), {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"RequestId": f"req-{code}", "HTTPStatusCode": status},
    }


class RawBody:
    """The raw body of a botocore ``AWSResponse`` built by hand (``AWSResponse(url, status, headers, RawBody())``)."""

    def __init__(self, body: bytes = b"") -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def run_cli(*argv: str) -> tuple[int, str, str]:
    """``tracker-tui ARGV...`` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def hook_every_session(monkeypatch: pytest.MonkeyPatch, event: str, handler: Callable[..., Any]) -> None:
    """Register ``handler`` for a botocore ``event`` on every ``AwsSession`` the code under test
    opens (the CLI builds its own sessions).  A ``before-call`` handler that returns
    ``(http_response, parsed)`` answers the call: nothing is sent."""
    original = AwsSession.__init__

    def init(self: AwsSession, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.boto.events.register(event, handler)

    monkeypatch.setattr(AwsSession, "__init__", init)


async def wait_until(pilot: Pilot[Any], until: Callable[[], object], timeout: float = 30.0, what: str = "") -> None:
    """Let the app run until ``until()`` holds, or fail saying what did not happen.

    Scans, actions and idle checks run in threads and report to the app's one timer, so a
    test waits for what the app shows (``app.scanning``, ``app.actions_running``, rows in the
    table), never for a private attribute.  Polls every 20 ms of the app's own loop.
    """
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        if until():
            return
        if time.monotonic() > deadline:
            app = pilot.app
            status = app.scan.progress if hasattr(app, "scan") else ""
            raise AssertionError(f"not within {timeout:g}s: {what or 'the condition'} ({status})")
        await pilot.pause(0.02)


def scan_done(app: Any) -> Callable[[], bool]:
    """The scan ended (connected, every row in the table)."""
    return lambda: not app.scanning and app.scan.connection is not None


def actions_done(app: Any) -> Callable[[], bool]:
    """Every action run ended and its updates are applied."""
    return lambda: not app.actions_running


def screen_text(app: App[Any]) -> str:
    """Every line of the active screen as the terminal would show it."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def count_layouts(screen: Any) -> list[int]:
    """A list that grows by one each time ``screen`` is laid out (every widget measured and
    repainted): for tests that a change needs no layout, or still gets one."""
    original = screen._refresh_layout
    laid_out: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> None:
        laid_out.append(1)
        original(*args, **kwargs)

    screen._refresh_layout = counting
    return laid_out


async def filter_rows(pilot: Pilot[Any], text: str) -> None:
    """Type ``text`` into the main view's filter (``/``) and go back to the table."""
    await pilot.press("slash")
    pilot.app.query_one("#filter", Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def palette_titles(app: App[Any], pilot: Pilot[Any], query: str) -> list[str]:
    """Open the command palette, type ``query``: the titles of the commands it offers, best first."""
    await pilot.press("ctrl+p")
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*query)
    options = app.screen.query_one(CommandList)
    for _ in range(50):  # the palette searches asynchronously
        await pilot.pause(0.02)
    return [str(options.get_option_at_index(i).prompt).split("\n")[0] for i in range(options.option_count)]


async def type_command(pilot: Pilot[Any], text: str) -> None:
    """Open the command bar (``:``) and type ``text`` into it, key by key."""
    await pilot.press("colon")
    await pilot.pause()
    for char in text:
        await pilot.press(char)
    await pilot.pause()
