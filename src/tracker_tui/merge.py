"""``tracker-tui open a.json b.json ...``: several saved inventories as one table.

The files usually come from hosts that each scanned a share of an Organization (``scan
--org-role R --shard I/N``), so their accounts do not overlap; when they do (a shard scanned
twice, an old full scan beside new shards), each account is taken whole from the newest scan
that has it: its rows and its errors, never a mix of two scans of one account, which would
show a resource deleted in between as still there.  Which files lost an account is said
once, in one notice.  Plain Python, no Textual: the CLI builds the app from the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tracker_tui.findings import savings_of
from tracker_tui.model import Identity, Resource, ScanErrorEntry, parse_iso
from tracker_tui.store import Inventory

#: Files named in the label before "+N more" (the status line is one line).
LABEL_FILES = 5
#: Accounts named in the notice before "+N more".
NOTICE_ACCOUNTS = 4
#: An unreadable ``scanned_at`` counts as older than any readable one.
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass
class Merged:
    """The merged inventory, what the screen calls it, and what to tell the user once."""

    inventory: Inventory
    label: str
    notices: list[str] = field(default_factory=list)


def accounts_of(inventory: Inventory) -> list[Identity]:
    """The accounts a saved scan covers, in its order: its ``accounts`` list (a file of one
    account has none: then its identity), and any other account its rows or errors name."""
    listed = list(inventory.accounts) or [inventory.identity]
    known = {a.account_id for a in listed}
    for account_id in [r.account_id for r in inventory.resources] + [e.account_id for e in inventory.errors]:
        if account_id and account_id not in known:
            known.add(account_id)
            listed.append(Identity(account_id))
    return listed


def merge_inventories(named: Sequence[tuple[str, Inventory]]) -> Merged:
    """One inventory of ``named`` (file name, inventory) pairs, at least one.

    Each account comes from the newest scan (``scanned_at``) that has it, the later file on a
    tie; the others' rows and errors of it are dropped.  The result has the first file's
    identity, every account (in file order) and region, the errors of the scans kept, the
    savings worked out again over the rows kept, and the oldest kept ``scanned_at``: that is
    how stale the view is (as ``history.combined_view``).  Rows are unique by
    ``Resource.key``.  One file comes back as it is.
    """
    if len(named) == 1:
        name, inventory = named[0]
        return Merged(inventory, f"{name}, scanned {inventory.scanned_at}")
    covers = [accounts_of(inventory) for _, inventory in named]
    winner: dict[str, int] = {}  # account id -> index of the file its rows come from
    for index, accounts in enumerate(covers):
        when = _when(named[index][1])
        for account in accounts:
            best = winner.get(account.account_id)
            if best is None or when >= _when(named[best][1]):
                winner[account.account_id] = index

    identities: dict[str, Identity] = {}
    for index, accounts in enumerate(covers):
        for account in accounts:
            if winner[account.account_id] == index or account.account_id not in identities:
                identities[account.account_id] = account  # the winning file's alias stands

    # A file that won no account is left out whole (its rows of no account too).
    kept = sorted(set(winner.values()))
    resources: list[Resource] = []
    seen: set[tuple[str, str, str, str]] = set()
    errors: list[ScanErrorEntry] = []
    regions: dict[str, None] = {}
    for index in kept:
        inventory = named[index][1]
        own = _single_account(inventory)
        for row in inventory.resources:
            if winner.get(row.account_id or own, index) == index and row.key not in seen:
                seen.add(row.key)
                resources.append(row)
        errors += [e for e in inventory.errors if winner.get(e.account_id or own, index) == index]
        regions.update(dict.fromkeys(inventory.regions))

    scanned_at = min((named[i][1] for i in kept), key=_when).scanned_at
    merged = Inventory(
        identity=named[0][1].identity,
        regions=list(regions),
        resources=resources,
        errors=errors,
        scanned_at=scanned_at,
        accounts=list(identities.values()),
        savings=savings_of(resources).to_dict(),
    )
    return Merged(merged, _label([name for name, _ in named]), _notices(named, covers, winner))


def _when(inventory: Inventory) -> datetime:
    return parse_iso(inventory.scanned_at) or _NEVER


def _single_account(inventory: Inventory) -> str:
    """The account a row or error with no ``account_id`` belongs to (older files of one
    account); "" when the file holds several (such a row is then kept with its file)."""
    accounts = accounts_of(inventory)
    return accounts[0].account_id if len(accounts) == 1 else ""


def _label(names: Sequence[str]) -> str:
    """``3 inventories: a.json, b.json, c.json`` (the status line of ``open``)."""
    shown = ", ".join(names[:LABEL_FILES])
    more = f", +{len(names) - LABEL_FILES} more" if len(names) > LABEL_FILES else ""
    return f"{len(names)} inventories: {shown}{more}"


def _notices(
    named: Sequence[tuple[str, Inventory]], covers: Sequence[Sequence[Identity]], winner: dict[str, int]
) -> list[str]:
    """One notice for every account in more than one file (none when the files do not
    overlap): which scan was kept, which files' rows of it were dropped."""
    overlaps: list[str] = []
    for account_id, index in winner.items():
        losers = [named[i][0] for i, accounts in enumerate(covers) if i != index and _has(accounts, account_id)]
        if losers:
            name, inventory = named[index]
            overlaps.append(f"{account_id} from {name} (scanned {inventory.scanned_at}), not {', '.join(losers)}")
    if not overlaps:
        return []
    more = f"; +{len(overlaps) - NOTICE_ACCOUNTS} more" if len(overlaps) > NOTICE_ACCOUNTS else ""
    if len(overlaps) == 1:
        head = "An account is in more than one file: the newer scan wins, the older file's rows of it are dropped"
    else:
        head = (
            f"{len(overlaps)} accounts are in more than one file: the newer scan wins for each, the older "
            "files' rows of it are dropped"
        )
    return [f"{head}: {'; '.join(overlaps[:NOTICE_ACCOUNTS])}{more}."]


def _has(accounts: Sequence[Identity], account_id: str) -> bool:
    return any(a.account_id == account_id for a in accounts)
