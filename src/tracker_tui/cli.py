"""Command line: parse arguments, pick the account source, run the TUI, a headless scan or the bill.

Exit codes: 0 complete; 2 bad usage or credentials, or Cost Explorer or IAM's policy simulator
cannot answer (one line, no traceback); 3 partial scan (some cells failed; the inventory is still
written), or ``permissions --check`` found actions the caller would be denied; 4 savings found
over ``--fail-over USD`` (the output is still written; it wins over 3: what was found is over); 130
interrupted.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from tracker_tui import __version__
from tracker_tui.untrusted import visible

if TYPE_CHECKING:  # imported where used: --version and --help stay fast
    from datetime import datetime

    from tracker_tui.aws.accounts import Shard
    from tracker_tui.aws.kinds import KindSpec, Thresholds
    from tracker_tui.aws.source import Connection, LiveSource, MultiSource
    from tracker_tui.config import Settings
    from tracker_tui.model import CellResult, Identity, Resource, ScanErrorEntry
    from tracker_tui.ui.app import TrackerApp

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_PARTIAL = 3
#: ``permissions --check``: the simulator says some of what tracker-tui uses would be denied.
EXIT_DENIED = 3
EXIT_SAVINGS = 4
EXIT_INTERRUPTED = 130


class Scanned(NamedTuple):
    """A headless scan, taken whole: its rows (with every finding), how each cell ended, and
    how many cells there were."""

    rows: list[Resource]
    results: list[CellResult]
    total_cells: int


class UsageError(Exception):
    """Bad usage or credentials: printed as one line, exit 2."""


def _add_common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options every command takes.  Sub-commands use SUPPRESS defaults so an option
    given before the sub-command is not overwritten by the sub-command's default."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("account and scope")
    group.add_argument(
        "--profile", metavar="NAME", action="append", default=default(None),
        help="AWS profile (repeatable: several accounts in one table; default: the credential chain)",
    )
    group.add_argument(
        "--org-role", metavar="ROLE", default=default(None),
        help="scan every active account of the Organization by assuming this role in each",
    )
    group.add_argument(
        "--accounts-from", metavar="FILE", default=default(None),
        help="with --org-role: scan the accounts FILE lists instead of asking Organizations (one id a line, "
             "optionally a name after a blank or a comma; or the JSON of `aws organizations list-accounts`)",
    )  # fmt: skip
    group.add_argument(
        "--shard", metavar="I/N", type=_shard, default=default(None),
        help="with --org-role: scan only the I-th of N shares of the accounts (the split follows each "
             "account's id, the same on every host); merge the hosts' files with `open a.json b.json ...`",
    )  # fmt: skip
    group.add_argument(
        "--region", metavar="R", action="append", default=default(None),
        help="scan only this region (repeatable; default: every enabled region)",
    )
    group.add_argument(
        "--kind", metavar="K", action="append", default=default(None),
        help="scan only this kind, e.g. ec2:instance (repeatable)",
    )
    group.add_argument(
        "--endpoint-url", metavar="URL", default=default(None),
        help="send every API call here (also read from AWS_ENDPOINT_URL)",
    )
    group.add_argument("--read-only", action="store_true", default=default(False), help="disable every action")
    group.add_argument(
        "--concurrency", metavar="N", type=int, default=default(None),
        help="cells scanned at once (default 16)",
    )
    group.add_argument(
        "--workers", metavar="N", type=_workers, default=default(None),
        help="worker processes that scan several accounts (default: one per core; 0: all in this process; "
             "config: workers)",
    )  # fmt: skip
    group.add_argument(
        "--live-prices", action="store_true", default=default(False),
        help="price EC2 types missing from the built-in catalogue with the AWS Price List API (cached)",
    )
    group.add_argument(
        "--demo", action="store_true", default=default(False),
        help="use an embedded mocked AWS account (moto); no credentials, no network",
    )
    group.add_argument(
        "--demo-latency", metavar="MS", type=float, default=default(None),
        help="simulated latency per API call in the demo (default: varied by region; 0 for none)",
    )


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as a UsageError (one line on our stderr, exit 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tracker-tui",
        description="See, cost and clean up an AWS account: every enabled region, live, keyboard-first.",
    )
    parser.add_argument("--version", action="version", version=f"tracker-tui {__version__}")
    parser.add_argument(
        "--refresh", metavar="SECONDS", type=_seconds, default=None,
        help="rescan in the background SECONDS after each scan (at least 10; 0: off; config: refresh)",
    )  # fmt: skip
    _add_common(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    scan = commands.add_parser("scan", help="scan headless and print or write the inventory")
    scan.add_argument(
        "--format", choices=("json", "csv", "table", "markdown"), default="table",
        help="output format (default table; markdown: the savings report, by finding then row, with evidence)",
    )
    scan.add_argument(
        "--fail-over", metavar="USD", type=_usd, default=None,
        help="exit 4 when the monthly savings found exceed USD (a CI gate; the output is still written)",
    )  # fmt: skip
    scan.add_argument(
        "--check-idle", action="store_true",
        help="also read CloudWatch metrics for the idle-* findings (billed by AWS: $0.01 per 1,000 metrics; "
             "the cost is printed first)",
    )  # fmt: skip
    scan.add_argument("--output", "-o", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    _add_common(scan, suppress=True)
    bill = commands.add_parser(
        "bill", help="last month's AWS bill per service beside our run-rate (one Cost Explorer request, $0.01)"
    )
    bill.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")
    bill.add_argument(
        "--refresh", action="store_true",
        help="ask Cost Explorer again even when a bill fetched in the last 24 h is cached (billed $0.01 by AWS)",
    )
    bill.add_argument(
        "--rescan", action="store_true", help="scan the account now instead of using its last saved scan"
    )
    _add_common(bill, suppress=True)
    prices = commands.add_parser("prices", help="prices from AWS itself: `prices update` asks the Price List API")
    prices_commands = prices.add_subparsers(dest="prices_command", metavar="ACTION", required=True)
    update = prices_commands.add_parser(
        "update",
        help="ask the AWS Price List API for every price the last scan needed (cached 7 days; they win "
        "over the shipped catalogue)",
    )
    update.add_argument(
        "--rescan", action="store_true", help="scan the accounts now instead of using their last saved scans"
    )
    _add_common(update, suppress=True)
    open_ = commands.add_parser(
        "open",
        help="open saved inventory JSON in the TUI (no AWS calls); several files are merged into one table "
        "(the same account in two: the newer scan's rows)",
    )
    open_.add_argument("files", metavar="FILE.json", nargs="+")
    _add_common(open_, suppress=True)
    config = commands.add_parser("config", help="show where the config file is and what it sets")
    config.add_argument("--path", action="store_true", help="print only the config file's path")
    audit = commands.add_parser("audit", help="print the last entries of the action audit log")
    audit.add_argument("-n", "--lines", type=int, default=20, metavar="N", help="how many entries (default 20)")
    audit.add_argument("--json", action="store_true", help="print the raw JSON lines")
    _add_permissions(commands)
    _add_schedules(commands)
    return parser


def _add_permissions(commands: argparse._SubParsersAction[_Parser]) -> None:
    """``permissions``: the policy, or (``--check``) what the caller would be denied.  Only the
    options that mean something here; SUPPRESS defaults, as ``_add_common``'s, so one given
    before the sub-command stands."""
    permissions = commands.add_parser(
        "permissions",
        help="print the least-privilege IAM policy tracker-tui needs; --check: what the caller would be denied",
    )
    permissions.add_argument(
        "--check", action="store_true",
        help="ask IAM's policy simulator which kinds, checks and actions the caller would be denied, "
             "before any scan (exit 3 when some are)",
    )  # fmt: skip
    permissions.add_argument(
        "--only", metavar="STATEMENT", action="append", default=None,
        help="only these statements (repeatable, or comma-separated): connect, scan, idle, bill, prices, "
             "org, check, or an action verb (stop, start, delete, ...)",
    )  # fmt: skip
    permissions.add_argument(
        "--read-only", action="store_true", default=argparse.SUPPRESS,
        help="leave out every action verb's statement: what a read-only tracker-tui needs",
    )  # fmt: skip
    permissions.add_argument(
        "--kind", metavar="K", action="append", default=argparse.SUPPRESS,
        help="only what these kinds need (repeatable)",
    )  # fmt: skip
    permissions.add_argument(
        "--profile", metavar="NAME", action="append", default=argparse.SUPPRESS,
        help="--check: the AWS profile whose caller is checked (default: the credential chain)",
    )  # fmt: skip
    permissions.add_argument(
        "--endpoint-url", metavar="URL", default=argparse.SUPPRESS,
        help="--check: send the calls here (also read from AWS_ENDPOINT_URL)",
    )  # fmt: skip


SCHEDULES_HELP = """\
Lists tracker-tui's off-hours schedules (the pairs `z` writes into the EventBridge Scheduler group
tracker-tui of each region): one line per pair, with when it next stops and starts its rows.

--format json prints a list of objects, one per pair, with these keys (null when unknown):
  account_id, region, name (the pair, e.g. office-hours-0ca81787-ec2), schedule (the tag value,
  e.g. "office-hours MON-FRI 08:00-19:00 Europe/Paris"), zone, state (ENABLED, DISABLED, mixed, or
  incomplete: one half missing), next_stop and next_start (ISO 8601 in the zone), stop_expression,
  start_expression, target_kind (e.g. ec2:instance), targets (the ids), stop_name, start_name,
  role_arn, note (what is wrong with the pair).  Exit 3 when some regions could not be read.
"""


def _add_schedules(commands: argparse._SubParsersAction[_Parser]) -> None:
    """``schedules``: tracker-tui's off-hours schedules, headless.  The account and scope options
    that mean something here; SUPPRESS defaults, as ``_add_common``'s."""
    schedules = commands.add_parser(
        "schedules",
        help="print tracker-tui's off-hours schedules (EventBridge Scheduler): zone, next stop and start, targets",
        description=SCHEDULES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    schedules.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")
    schedules.add_argument(
        "--profile", metavar="NAME", action="append", default=argparse.SUPPRESS,
        help="AWS profile (repeatable; default: the credential chain)",
    )  # fmt: skip
    schedules.add_argument(
        "--region", metavar="R", action="append", default=argparse.SUPPRESS,
        help="only this region (repeatable; default: every enabled region)",
    )  # fmt: skip
    schedules.add_argument(
        "--endpoint-url", metavar="URL", default=argparse.SUPPRESS,
        help="send every API call here (also read from AWS_ENDPOINT_URL)",
    )  # fmt: skip
    schedules.add_argument(
        "--demo", action="store_true", default=argparse.SUPPRESS,
        help="use the embedded mocked AWS account (moto); no credentials, no network",
    )  # fmt: skip


def run_config(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    """``config --path`` prints the path; plain ``config`` the effective settings too."""
    import json
    from dataclasses import asdict

    from tracker_tui.config import config_path, load_settings

    path = config_path()
    if args.path:
        stdout.write(f"{path}\n")
        return EXIT_OK
    settings = load_settings(path)
    stdout.write(f"# {path} ({'exists' if path.exists() else 'not created yet: every setting is at its default'})\n")
    for key, value in asdict(settings).items():
        if key in ("warnings", "keymap"):
            continue
        if value is None:
            stdout.write(f"# {key} = (not set)\n")
        else:  # JSON is valid TOML for these strings, numbers, booleans and lists
            stdout.write(f"{key} = {json.dumps(list(value) if isinstance(value, tuple) else value)}\n")
    stdout.write("[keymap]" + ("\n" if settings.keymap else "  # binding id = key, e.g. mark = \"x\"\n"))
    for binding_id, keys in settings.keymap.items():
        stdout.write(f"{binding_id} = {json.dumps(keys)}\n")
    for warning in settings.warnings:
        stderr.write(f"tracker-tui: {visible(warning)}\n")
    return EXIT_OK


def run_audit(args: argparse.Namespace, stdout: IO[str]) -> int:
    """Print the newest audit entries, oldest first."""
    import json

    from tracker_tui.store import AuditLog, audit_line

    log = AuditLog()
    entries = log.tail(max(1, args.lines))
    if not entries:
        stdout.write(f"no audit entries yet ({log.path})\n")
        return EXIT_OK
    for entry in entries:
        if args.json:
            stdout.write(json.dumps(entry, sort_keys=True) + "\n")
            continue
        stdout.write(visible(audit_line(entry)) + "\n")
    stdout.write(f"({len(entries)} entries from {log.path})\n")
    return EXIT_OK


def _kinds(args: argparse.Namespace) -> list[KindSpec]:
    from tracker_tui.aws.kinds import UnknownKindError, resolve_kinds

    try:
        return resolve_kinds(args.kind)
    except UnknownKindError as exc:
        raise UsageError(str(exc)) from None


def _source(args: argparse.Namespace, kinds: list[KindSpec], settings: Settings) -> LiveSource | MultiSource:
    """The scan source for the arguments; the config file fills in what they leave out.

    Raises:
        UsageError: an unknown profile, or options that do not go together.
    """
    from tracker_tui.aws.accounts import AccountsFileError, read_accounts_file
    from tracker_tui.aws.source import MultiSource, SourceError, SourceRequest, build_source

    # Sub-commands without these options (schedules) have no such attributes.
    accounts_from, shard = getattr(args, "accounts_from", None), getattr(args, "shard", None)
    if (accounts_from or shard) and not args.org_role:
        given = " and ".join(name for name, value in (("--accounts-from", accounts_from), ("--shard", shard)) if value)
        raise UsageError(f"{given} need{'s' if ' and ' not in given else ''} --org-role ROLE (the role to assume in "
                         "each account)")  # fmt: skip
    accounts = None
    if accounts_from:
        try:
            accounts = read_accounts_file(accounts_from)
        except AccountsFileError as exc:
            raise UsageError(str(exc)) from None
    request = SourceRequest(
        kinds=tuple(kinds),
        profiles=tuple(args.profile or settings.profiles),
        org_role=args.org_role,
        regions=tuple(args.region or settings.regions),
        endpoint_url=args.endpoint_url,
        concurrency=args.concurrency or settings.concurrency,
        live_prices=bool(args.live_prices or settings.live_prices),
        demo=bool(args.demo),
        demo_latency=args.demo_latency,
        accounts=accounts,
        shard=shard,
        workers=settings.workers if getattr(args, "workers", None) is None else args.workers,
    )
    try:
        source = build_source(request)
    except SourceError as exc:
        raise UsageError(str(exc)) from None
    if shard is not None and isinstance(source, MultiSource):
        source.label = f"shard {shard}"  # the header says which share is on screen
    return source


def _settings(stderr: IO[str]) -> Settings:
    """The config file's settings; each problem with it is one line on stderr (never fatal)."""
    from tracker_tui.config import load_settings

    settings = load_settings()
    for warning in settings.warnings:
        stderr.write(f"tracker-tui: {visible(warning)}\n")
    return settings


def _thresholds(settings: Settings) -> Thresholds:
    """The finding thresholds the config sets (passed to the scan and the idle checks)."""
    from tracker_tui.aws.kinds import Thresholds

    return Thresholds.from_settings(settings)


def _connect(source: LiveSource | MultiSource) -> Connection:
    """Who and where, or one line and exit 2 (bad credentials, an unknown region)."""
    from tracker_tui.aws.regions import RegionsError
    from tracker_tui.aws.session import CredentialsError

    try:
        return source.connect()
    except (CredentialsError, RegionsError) as exc:
        raise UsageError(str(exc)) from None


def _collect(
    source: LiveSource | MultiSource, stderr: IO[str], thresholds: Thresholds, connection: Connection | None = None
) -> Scanned | None:
    """Run one scan (the app's ``ScanRun``, taken whole), with a progress line when stderr is a
    terminal; None when interrupted.  Rows come with every finding, those that read other rows
    too."""
    from tracker_tui.runs.scan import ScanRun, rows_of

    run = ScanRun(source, thresholds=thresholds)
    run.start(connection)
    deltas = []
    show_progress = hasattr(stderr, "isatty") and stderr.isatty()
    try:
        while run.scanning:
            run.join(0.2)
            deltas.append(run.take(sys.maxsize))
            if show_progress:
                failed = sum(1 for r in run.results.values() if r.status.is_error)
                stderr.write(
                    f"\rscanning: {len(run.results)}/{run.total_cells or '?'} cells, "
                    f"{run.resources_found} resources, {failed} errors "
                )
                stderr.flush()
    except KeyboardInterrupt:
        run.cancel()
        stderr.write("\ninterrupted: stopping the scan between pages...\n")
        run.join(30)
        return None
    if show_progress:
        stderr.write("\r" + " " * 70 + "\r")
    if run.error:
        raise UsageError(run.error)
    return Scanned(rows_of(deltas), list(run.results.values()), run.total_cells)


def _check_idle(
    source: LiveSource | MultiSource, resources: list[Resource], thresholds: Thresholds, stderr: IO[str]
) -> tuple[list[Resource], list[ScanErrorEntry]]:
    """``--check-idle``: the rows with the CloudWatch findings, and an ``errors`` entry per region that failed.

    What it will cost is said first; a region that fails is reported and the rest complete.
    """
    from tracker_tui.aws.idle import ERRORS_KIND, plan_checks
    from tracker_tui.model import ScanErrorEntry
    from tracker_tui.runs.idle import IdleRun

    plan = plan_checks(resources)
    stderr.write(f"tracker-tui: idle checks: {visible(plan.describe())}\n")
    if not plan.targets:
        return resources, []
    show_progress = hasattr(stderr, "isatty") and stderr.isatty()
    run = IdleRun(plan, source.session_for, thresholds, generation=0)
    run.start()
    delta = run.take()
    while not delta.finished:
        run.join(0.2)
        delta = run.take()
        if show_progress and delta.progressed:
            stderr.write(f"\rchecking: {run.done}/{run.total} regions ")
            stderr.flush()
    if show_progress:
        stderr.write("\r" + " " * 40 + "\r")
    report = delta.report
    if report is None:
        stderr.write(f"tracker-tui: {visible(f'the idle checks stopped: {delta.failure}')}\n")
        return resources, [ScanErrorEntry("", ERRORS_KIND, "Failed", delta.failure)]
    stderr.write(f"tracker-tui: {visible(report.summary())}\n")
    for failure in report.failures:
        stderr.write(
            "tracker-tui: "
            + visible(f"idle checks failed in {failure.account_id} {failure.region}: {failure.code}: {failure.message}")
            + "\n"
        )
    judged = {r.key: r for r in report.resources}
    return [judged.get(r.key, r) for r in resources], [f.entry() for f in report.failures]


def _seconds(text: str) -> int:
    from tracker_tui.config import MIN_REFRESH

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of seconds: {text!r}") from None
    if value != 0 and value < MIN_REFRESH:
        raise argparse.ArgumentTypeError(f"at least {MIN_REFRESH} seconds (a scan costs hundreds of API calls), or 0")
    return value


def _shard(text: str) -> Shard:
    from tracker_tui.aws.accounts import Shard

    try:
        return Shard.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of worker processes: {text!r}") from None
    if not 0 <= value <= 256:
        raise argparse.ArgumentTypeError(f"from 0 (scan in this process) to 256, not {value}")
    return value


def _usd(text: str) -> float:
    try:
        value = float(text.replace(",", "").lstrip("$"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an amount in USD: {text!r}") from None
    if value != value or value < 0:
        raise argparse.ArgumentTypeError(f"not an amount in USD: {text!r}")
    return value


def run_scan(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from tracker_tui.aws.kinds import sort_resources
    from tracker_tui.aws.scan import error_entries
    from tracker_tui.costs import dumps_markdown, report_footer
    from tracker_tui.findings import savings_of, savings_total
    from tracker_tui.store import Inventory, render, write_output

    if args.demo:
        from tracker_tui.demo import prestart

        prestart(args.demo_latency)
    kinds = _kinds(args)
    settings = _settings(stderr)
    thresholds = _thresholds(settings)
    source = _source(args, kinds, settings)
    try:
        connection = _connect(source)
        _say_shard(args, stderr)
        for failure in connection.failures:
            stderr.write(f"tracker-tui: account not scanned: {visible(str(failure))}\n")
        scanned = _collect(source, stderr, thresholds, connection)
        if scanned is None:
            return EXIT_INTERRUPTED
        for problem in source.price_problems:
            stderr.write(f"tracker-tui: live prices: {visible(problem)}\n")
        errors = error_entries(scanned.results)
        resources = sort_resources(scanned.rows)
        idle_errors: list[ScanErrorEntry] = []
        if args.check_idle:
            resources, idle_errors = _check_idle(source, resources, thresholds, stderr)
        inventory = Inventory(
            identity=connection.identity,
            regions=list(connection.regions),
            resources=resources,
            errors=errors + idle_errors,
            accounts=list(connection.accounts) or [connection.identity],
            savings=savings_of(resources).to_dict(),
        )
        try:
            footer = report_footer(inventory.resources) if args.format == "table" else []
            text = dumps_markdown(inventory) if args.format == "markdown" else render(inventory, args.format, footer)
            write_output(text, args.output, stdout)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        if errors:
            stderr.write(f"tracker-tui: {_partial_line(errors, scanned.total_cells)}\n")
        if args.fail_over is not None:
            saved = savings_total(resources)
            if saved > args.fail_over:
                stderr.write(f"tracker-tui: savings found: ${saved:,.2f}/mo, over --fail-over ${args.fail_over:,.2f}\n")
                return EXIT_SAVINGS
        return EXIT_PARTIAL if errors or idle_errors else EXIT_OK
    finally:
        source.close()


def _say_shard(args: argparse.Namespace, stderr: IO[str]) -> None:
    """``tracker-tui: shard 2/5: 7 of 31 accounts``: which share this host scans, so the
    hosts of one split can be checked against each other (same N, same total)."""
    shard = getattr(args, "shard", None)
    if shard is None or shard.tally.picked is None:
        return
    where = "of the Organization's" if not args.accounts_from else "of the"
    stderr.write(f"tracker-tui: shard {shard}: {shard.tally.picked} {where} {shard.tally.total} accounts\n")


def _partial_line(errors: Sequence[ScanErrorEntry], total_cells: int) -> str:
    """One line for a partial scan: cells that failed (their rows are missing) apart from cells
    that listed every row but not all their details, and the first of them."""
    from tracker_tui.aws.scan import PARTIAL_CODE

    failed = [e for e in errors if e.code != PARTIAL_CODE]
    parts = []
    if failed:
        parts.append(f"{len(failed)} of {total_cells} cells failed, so their rows are missing")
    if len(failed) < len(errors):
        parts.append(f"{len(errors) - len(failed)} listed every row but not all details")
    first = (failed or list(errors))[0]
    detail = visible(f"{first.region} {first.kind}: {first.code}: {first.message}")
    return f"partial scan: {'; '.join(parts)} (see 'errors' in the output); first: {detail}"


def run_bill(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    """Last month's bill beside our run-rate for one account (README, "The bill beside the estimate").

    The bill comes first (the cache, else one Cost Explorer request), so a denied request
    fails before any scan; then the run-rate: the account's last saved scan, else a scan now.
    """
    import json

    from tracker_tui.aws.bill import NOTICE, BillError, CostExplorerBills, compare, comparison_json, comparison_lines
    from tracker_tui.costs import CostSummary

    settings = _settings(stderr)
    if args.org_role or len(args.profile or settings.profiles) > 1:
        raise UsageError("bill compares one account at a time: give one --profile (or none) and no --org-role")
    kinds = _kinds(args)
    source = _source(args, kinds, settings)
    try:
        connection = _connect(source)
        identity = connection.identity
        account = identity.account_id
        session = source.session_for(account)
        bills = CostExplorerBills(lambda _account: session)
        cached = None if args.refresh else bills.cached(account)
        if cached is not None:
            stderr.write(
                f"tracker-tui: the {cached.period.label} bill was {cached.fetched_text(bills.now())}; "
                "--refresh asks again ($0.01)\n"
            )
        else:
            stderr.write(f"tracker-tui: asking for the {bills.period().label} bill: {NOTICE}\n")
        try:
            bill = cached or bills.fetch(account, refresh=True)
        except BillError as exc:
            raise UsageError(str(exc)) from None
        for problem in bills.problems:
            stderr.write(f"tracker-tui: {visible(problem)}\n")
        if bill.estimated:
            stderr.write(f"tracker-tui: Cost Explorer marks {bill.period.label} as estimated: not final yet\n")
        got = _saved_or_new_rows(args, source, [identity], {k.id for k in kinds}, settings, stderr)
        if got is None:
            return EXIT_INTERRUPTED
        resources, ours_from = got
        summary = CostSummary()
        summary.add(resources)
        comparison = compare(bill, summary)
        if args.format == "json":
            document = comparison_json(comparison, account_alias=identity.alias, ours_from=ours_from)
            stdout.write(json.dumps(document, indent=2) + "\n")
        else:
            name = f"{identity.alias} ({account})" if identity.alias else account
            stdout.write(
                f"Last month's bill ({bill.period.label}, Cost Explorer) beside our run-rate now, "
                f"account {visible(name)}; {bill.fetched_text(bills.now())}\n"
            )
            stdout.write("\n".join(map(visible, comparison_lines(comparison))) + "\n")
        return EXIT_OK
    finally:
        source.close()


def _saved_or_new_rows(
    args: argparse.Namespace,
    source: LiveSource | MultiSource,
    accounts: Sequence[Identity],
    kinds: set[str],
    settings: Settings,
    stderr: IO[str],
) -> tuple[list[Resource], dict[str, object]] | None:
    """The accounts' rows from their last saved scans, else (or with ``--rescan``) from a scan
    now, read-only, and where they come from; None when interrupted."""
    from datetime import UTC, datetime

    from tracker_tui.aws.scan import error_entries
    from tracker_tui.history import ScanHistory, age_text
    from tracker_tui.model import iso_utc

    history = ScanHistory(keep=settings.keep_scans)
    saved = [] if args.rescan else [history.last(a.account_id) for a in accounts]
    for problem in history.problems:
        stderr.write(f"tracker-tui: {visible(problem)}\n")
    if saved and all(s is not None for s in saved):
        rows = [r for last in saved if last is not None for r in last.resources if r.kind in kinds]
        ages = ", ".join(f"{last.identity.account_id} {age_text(last.scanned_at)}" for last in saved if last)
        stderr.write(f"tracker-tui: using the last saved scan ({ages}; {len(rows)} resources); --rescan scans now\n")
        oldest = min(last.scanned_at for last in saved if last is not None)
        failed = sum(len(last.errors) for last in saved if last is not None)
        return rows, {"source": "saved scan", "scanned_at": oldest, "errors": failed}
    missing = [a.account_id for a, s in zip(accounts, saved, strict=False) if s is None]
    why = "--rescan" if args.rescan else f"no saved scan of {', '.join(missing)}"
    stderr.write(f"tracker-tui: {why}: scanning now (read-only)\n")
    scanned = _collect(source, stderr, _thresholds(settings))
    if scanned is None:
        return None
    errors = error_entries(scanned.results)
    if errors:
        stderr.write(f"tracker-tui: {_partial_line(errors, scanned.total_cells)}\n")
    scanned_at = iso_utc(datetime.now(UTC))
    return scanned.rows, {"source": "new scan", "scanned_at": scanned_at, "errors": len(errors)}


def run_prices(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    """``prices update``: every price the last scan needed, from the AWS Price List API, cached.

    Exit 0 when every price was answered, 3 when some calls failed, 2 when none could be made
    (no permission, no network): the shipped catalogue stands and the line says why.
    """
    from tracker_tui.price_update import summary_lines, update_prices
    from tracker_tui.pricing.catalogue import load_catalogue

    if args.demo:
        raise UsageError(
            "the demo account has no Price List API (moto has none): its prices are the shipped "
            f"catalogue's, as of {load_catalogue().as_of}"
        )
    settings = _settings(stderr)
    kinds = _kinds(args)
    source = _source(args, kinds, settings)
    try:
        connection = _connect(source)
        accounts = list(connection.accounts) or [connection.identity]
        got = _saved_or_new_rows(args, source, accounts, {k.id for k in kinds}, settings, stderr)
        if got is None:
            return EXIT_INTERRUPTED
        rows, _ = got
        session = source.session_for(connection.identity.account_id)
        update = update_prices(session, rows)
        report = update.report
        if report.asked and report.failed == report.asked:
            raise UsageError(
                update.problems[0] if update.problems
                else "the AWS Price List API did not answer; the shipped catalogue's prices stand"
            )
        stdout.write("\n".join(map(visible, summary_lines(update))) + "\n")
        return EXIT_PARTIAL if report.failed else EXIT_OK
    finally:
        source.close()


def run_permissions(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    """``permissions``: the least-privilege policy document; ``--check``: what IAM's policy
    simulator says the caller would be denied, one line per kind, check or action verb.

    Exit 0 when printed or all allowed, 3 when some are denied, 2 when the simulator cannot
    be asked (denied, unreachable, a caller it cannot simulate): one line, never a traceback.
    """
    from tracker_tui.aws.actions.permissions import verb_parts
    from tracker_tui.aws.permissions import (
        MANAGED_POLICY_LIMIT,
        SimulatorError,
        check,
        compact_size,
        dumps,
        policy,
        read_parts,
    )
    from tracker_tui.aws.session import AwsSession, CredentialsError, SessionOptions

    kinds = _kinds(args)
    parts = read_parts(kinds) + ([] if args.read_only else verb_parts(kinds))
    if args.only:
        known = list(dict.fromkeys(part.statement for part in parts))
        wanted = [key.strip() for value in args.only for key in value.split(",") if key.strip()]
        unknown = [key for key in wanted if key not in known]
        if unknown:
            raise UsageError(f"unknown statement '{unknown[0]}' (known: {', '.join(known)})")
        parts = [part for part in parts if part.statement in wanted]
    if not args.check:
        document = policy(parts)
        stdout.write(dumps(document))
        size = compact_size(document)
        if size > MANAGED_POLICY_LIMIT:
            verbs = ",".join(dict.fromkeys(part.statement for part in verb_parts(kinds)))
            stderr.write(
                f"tracker-tui: the policy is {size:,} characters without whitespace and a managed policy holds "
                f"{MANAGED_POLICY_LIMIT:,}: attach it as two, `tracker-tui permissions --read-only` and "
                f"`tracker-tui permissions --only {verbs}`\n"
            )
        return EXIT_OK
    if args.demo:
        raise UsageError("the demo account has no IAM policy simulator (moto has none); nothing to check")
    settings = _settings(stderr)
    profiles = list(args.profile or settings.profiles)
    if len(profiles) > 1:
        raise UsageError("--check asks about one caller at a time: give one --profile (or none)")
    try:
        session = AwsSession(SessionOptions(profile=profiles[0] if profiles else None, endpoint_url=args.endpoint_url))
        report = check(session, parts)
    except (CredentialsError, SimulatorError) as exc:
        raise UsageError(str(exc)) from None
    for line in report.lines():
        stdout.write(visible(line) + "\n")
    stdout.write(visible(report.summary()) + "\n")
    return EXIT_DENIED if report.denied() else EXIT_OK


def run_schedules(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    """``schedules``: a scan of the one kind ``scheduler:schedule``, printed as a table or JSON."""
    import json
    from datetime import UTC, datetime

    from tracker_tui.aws.kinds import REGISTRY
    from tracker_tui.aws.kinds.scheduler import KIND
    from tracker_tui.aws.scan import error_entries

    if args.demo:
        from tracker_tui.demo import prestart

        prestart(args.demo_latency)
    settings = _settings(stderr)
    source = _source(args, [REGISTRY[KIND]], settings)
    try:
        connection = _connect(source)
        for failure in connection.failures:
            stderr.write(f"tracker-tui: account not scanned: {visible(str(failure))}\n")
        scanned = _collect(source, stderr, _thresholds(settings), connection)
        if scanned is None:
            return EXIT_INTERRUPTED
        errors = error_entries(scanned.results)
        rows = sorted(scanned.rows, key=lambda r: (r.account_id, r.region, r.id))
        now = datetime.now(UTC)
        entries = [_schedule_entry(r, now) for r in rows]
        if args.format == "json":
            stdout.write(json.dumps(entries, indent=2) + "\n")
        else:
            stdout.write(_schedules_table(entries, len(connection.regions)))
        if errors:
            stderr.write(f"tracker-tui: {_partial_line(errors, scanned.total_cells)}\n")
        return EXIT_PARTIAL if errors else EXIT_OK
    finally:
        source.close()


def _schedule_entry(r: Resource, now: datetime) -> dict[str, Any]:
    """One pair as ``schedules --format json`` prints it (the keys SCHEDULES_HELP lists)."""
    from tracker_tui.aws.kinds.scheduler import next_events

    d = r.details
    stop, start = next_events(r, now)
    return {
        "account_id": r.account_id,
        "region": r.region,
        "name": r.id,
        "schedule": d.get("schedule"),
        "zone": d.get("zone"),
        "state": r.state,
        "next_stop": stop.isoformat() if stop else None,
        "next_start": start.isoformat() if start else None,
        "stop_expression": d.get("stop_expression"),
        "start_expression": d.get("start_expression"),
        "target_kind": d.get("target_kind"),
        "targets": list(d.get("targets") or []),
        "stop_name": d.get("stop_name"),
        "start_name": d.get("start_name"),
        "role_arn": d.get("role_arn"),
        "note": d.get("note"),
    }


def _schedules_table(entries: Sequence[dict[str, Any]], regions: int) -> str:
    """The pairs as plain text columns (AWS strings as ``untrusted.visible`` draws them), then a count."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from rich.cells import cell_len

    from tracker_tui.model import plural
    from tracker_tui.offhours import known_zone
    from tracker_tui.untrusted import fit_cells

    if not entries:
        return f"no tracker-tui schedules in {plural(regions, 'region')}\n"

    def when(value: object, zone: object) -> str:
        """``Mon 2026-05-04 19:00 CEST``: the zone's own abbreviation, not the ISO offset."""
        if not value:
            return "-"
        moment = datetime.fromisoformat(str(value))
        if zone and known_zone(str(zone)):
            moment = moment.astimezone(ZoneInfo(str(zone)))
        return moment.strftime("%a %Y-%m-%d %H:%M %Z")

    def targets(entry: dict[str, Any]) -> str:
        ids = ", ".join(str(i) for i in entry["targets"] or [])
        return f"{ids} ({entry['target_kind']})" if entry["target_kind"] else ids or "-"

    accounts = len({e["account_id"] for e in entries}) > 1
    columns = ("ACCOUNT",) * accounts + ("REGION", "NAME", "ZONE", "NEXT STOP", "NEXT START", "STATE", "TARGETS")
    caps = (12,) * accounts + (16, 48, 24, 26, 26, 10, 60)
    rows = [
        tuple(
            visible(str(cell))
            for cell in (
                *((e["account_id"],) if accounts else ()),
                e["region"],
                e["name"],
                e["zone"] or "-",
                when(e["next_stop"], e["zone"]),
                when(e["next_start"], e["zone"]),
                e["state"],
                targets(e),
            )
        )
        for e in entries
    ]
    widths = [
        min(cap, max([len(column)] + [cell_len(row[i]) for row in rows]))
        for i, (column, cap) in enumerate(zip(columns, caps, strict=True))
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(fit_cells(c, w) for c, w in zip(cells, widths, strict=True)).rstrip()

    lines = [line(columns), *(line(row) for row in rows), ""]
    lines.append(f"{plural(len(entries), 'tracker-tui schedule')} in {plural(regions, 'region')}")
    lines += [visible(f"{e['name']}: {e['note']}") for e in entries if e["note"]]
    return "\n".join(lines) + "\n"


def run_tui(args: argparse.Namespace) -> int:
    """Open the TUI on a live account (real or demo) or a saved inventory.

    Credentials and regions of a real account are checked before the screen opens, so a
    bad profile is one line and exit 2, not a broken screen.
    """
    if args.demo and args.command != "open":
        # First thing: the demo's server process loads moto while this one loads the rest.
        from tracker_tui.demo import prestart

        prestart(args.demo_latency)
    from tracker_tui.aws.regions import RegionsError
    from tracker_tui.aws.session import CredentialsError
    from tracker_tui.config import load_settings
    from tracker_tui.history import ScanHistory

    settings = load_settings()
    if getattr(args, "refresh", None) is not None:
        settings = dataclasses.replace(settings, refresh=args.refresh)
    if args.command == "open":
        app = open_app(args.files, settings, read_only=bool(args.read_only))
        return app.run() or 0
    # The source before the UI: the demo's server process starts loading while this one does.
    source = _source(args, _kinds(args), settings)
    if not args.demo:  # the demo connects in the app, so its screen shows at once
        try:
            source.connect()
        except (CredentialsError, RegionsError) as exc:
            source.close()
            raise UsageError(str(exc)) from None
    try:
        TrackerApp = _tui()
    except UsageError:
        source.close()
        raise
    app = TrackerApp(
        source, settings=settings, read_only=bool(args.read_only), history=ScanHistory(keep=settings.keep_scans)
    )
    try:
        return app.run() or 0
    finally:
        source.close()


def open_app(files: Sequence[str], settings: Settings, *, read_only: bool = False) -> TrackerApp:
    """``tracker-tui open FILE...``: the app on the saved inventories, merged into one table
    (``merge.merge_inventories``) when there are several, the merge's notice shown once.

    Raises:
        UsageError: a file that cannot be read, named.
    """
    from tracker_tui.merge import merge_inventories
    from tracker_tui.store import InventoryError, read_inventory

    TrackerApp = _tui()
    try:
        inventories = [(Path(name).name, read_inventory(name)) for name in files]
    except InventoryError as exc:
        raise UsageError(str(exc)) from None
    merged = merge_inventories(inventories)  # one file comes back as it is
    # The app shows its settings' warnings as toasts when it opens: the merge's notice goes
    # with them (ui/app.py stays a thin shell, no parameter of its own for it).
    settings = dataclasses.replace(settings, warnings=(*settings.warnings, *merged.notices))
    return TrackerApp(
        None, inventory=merged.inventory, inventory_label=merged.label, settings=settings, read_only=read_only
    )


def _tui() -> type[TrackerApp]:
    """The app class; the UI is imported only now: scan, config and audit never import Textual."""
    try:
        from tracker_tui.ui.app import TrackerApp
    except ImportError as exc:  # pragma: no cover - a broken install
        raise UsageError(f"the TUI is not available: {exc}") from None
    return TrackerApp


def main(argv: Sequence[str] | None = None, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    """Entry point of the ``tracker-tui`` console script."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "scan":
            code = run_scan(args, stdout, stderr)
        elif args.command == "bill":
            code = run_bill(args, stdout, stderr)
        elif args.command == "prices":
            code = run_prices(args, stdout, stderr)
        elif args.command == "config":
            code = run_config(args, stdout, stderr)
        elif args.command == "audit":
            code = run_audit(args, stdout)
        elif args.command == "permissions":
            code = run_permissions(args, stdout, stderr)
        elif args.command == "schedules":
            code = run_schedules(args, stdout, stderr)
        else:
            code = run_tui(args)
    except UsageError as exc:
        stderr.write(f"tracker-tui: error: {visible(str(exc))}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        stderr.write("\ninterrupted\n")
        return EXIT_INTERRUPTED
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
