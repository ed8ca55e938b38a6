"""``--shard I/N`` and ``--accounts-from FILE``: an Organization split over hosts.

The split must give every account to exactly one shard, the same on every host, whatever
order (or moment) each host listed the accounts in; an accounts file must stand in for
ListAccounts (a delegated host may not be allowed it), and every bad input is one sentence.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.support.helpers import MANAGEMENT, ROLE, hook_every_session, moto_session, record_calls, run_cli
from tracker_tui.aws.accounts import (
    AccountsError,
    AccountsFileError,
    Shard,
    org_role_sessions,
    read_accounts_file,
)


def _ids(count: int, seed: int = 26) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.randrange(10**12):012d}" for _ in range(count)]


def _shard_of(account_id: str, count: int) -> int:
    picked = [i for i in range(1, count + 1) if Shard(i, count).picks(account_id)]
    assert len(picked) == 1, (account_id, picked)
    return picked[0]


# --- Shard -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "shard"), [("2/5", Shard(2, 5)), ("1/1", Shard(1, 1)), (" 3 / 4 ", Shard(3, 4))])
def test_shard_parses_i_of_n_and_prints_back(text: str, shard: Shard) -> None:
    parsed = Shard.parse(text)
    assert parsed == shard
    assert str(parsed) == text.replace(" ", "")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0/5", "shard 0/5 does not exist"),
        ("6/5", "shard 6/5 does not exist"),
        ("0/0", "shard 0/0 does not exist"),
        ("a/b", "'a/b' is not a shard"),
        ("2", "'2' is not a shard"),
        ("-1/5", "'-1/5' is not a shard"),
        ("2/5/7", "'2/5/7' is not a shard"),
        ("", "'' is not a shard"),
    ],
)
def test_a_bad_shard_is_one_sentence_saying_what_a_shard_is(text: str, says: str) -> None:
    with pytest.raises(ValueError) as caught:
        Shard.parse(text)
    message = str(caught.value)
    assert message.startswith(says)
    assert "2/5" in message and "\n" not in message  # the example a user can copy


def test_every_account_is_in_exactly_one_shard() -> None:
    ids = _ids(100)
    for count in (1, 2, 3, 4, 7):
        shards = [Shard(i, count).select([(a, "") for a in ids]) for i in range(1, count + 1)]
        union = [a for shard in shards for a, _ in shard]
        assert sorted(union) == sorted(ids)  # every account once: none skipped, none doubled


def test_four_shards_of_100_accounts_are_about_even() -> None:
    sizes = Counter(_shard_of(a, 4) for a in _ids(100))
    assert set(sizes) == {1, 2, 3, 4}
    assert all(15 <= n <= 35 for n in sizes.values()), sizes  # 25 each, give or take
    large = Counter(_shard_of(a, 4) for a in _ids(10_000, seed=7))
    assert all(2_300 <= n <= 2_700 for n in large.values()), large


def test_an_accounts_shard_follows_from_its_id_alone() -> None:
    """Two hosts that listed the Organization in another order, one of them after an account
    was added, agree on every account both saw."""
    ids = _ids(40)
    first = {a for a, _ in Shard(2, 3).select([(a, "") for a in ids])}
    later = [(a, "") for a in reversed([*ids, *_ids(5, seed=99)])]
    second = {a for a, _ in Shard(2, 3).select(later)}
    assert first == second & set(ids)
    # ... and the same on every host, run and version (CRC-32 of the id, not Python's salted
    # hash()): pinned, since hosts of one split may run different releases.
    assert Shard(3, 3).picks("123456789012") and Shard(2, 3).picks("111122223333")
    assert Shard(5, 5).picks("210987654321")


def test_select_keeps_the_order_and_counts_what_it_kept() -> None:
    shard = Shard(1, 2)
    accounts = [(a, f"name-{a}") for a in _ids(10)]
    picked = shard.select(accounts)
    assert picked == [a for a in accounts if shard.picks(a[0])]
    assert (shard.tally.picked, shard.tally.total) == (len(picked), 10)
    assert shard == Shard(1, 2)  # the tally is not part of what the shard is


# --- accounts files --------------------------------------------------------------------------


def test_a_text_file_lists_ids_with_optional_names(tmp_path: Path) -> None:
    path = tmp_path / "accounts.txt"
    path.write_text(
        "# payments first\n"
        "111111111111\n"
        "\n"
        "222222222222 data staging\n"
        "333333333333,sandbox\n"
        "   444444444444 , Team#4 (shared)   # a comment after a blank, as in a shell\n"
        "222222222222 a repeat\n",
        encoding="utf-8",
    )
    assert read_accounts_file(path) == [
        ("111111111111", ""),
        ("222222222222", "data staging"),
        ("333333333333", "sandbox"),
        ("444444444444", "Team#4 (shared)"),
    ]


def test_the_list_accounts_json_keeps_only_active_accounts(tmp_path: Path) -> None:
    path = tmp_path / "org.json"
    document = {
        "Accounts": [
            {"Id": "111111111111", "Name": "payments", "State": "ACTIVE", "Arn": "arn:aws:organizations::x"},
            {"Id": "222222222222", "Name": "closed", "State": "CLOSED"},
            {"Id": "333333333333", "Name": "old-cli", "Status": "ACTIVE"},
            {"Id": "444444444444", "Name": "suspended", "Status": "SUSPENDED"},
            {"Id": "111111111111", "Name": "payments again", "State": "ACTIVE"},
        ]
    }
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    assert read_accounts_file(path) == [("111111111111", "payments"), ("333333333333", "old-cli")]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("111111111111\n12345\n", "line 2: '12345' is not a 12-digit account id"),
        ("111111111111\n1111111111112 x\n", "line 2: '1111111111112' is not a 12-digit account id"),
        ("Id,Name\n111111111111,a\n", "line 1: 'Id' is not a 12-digit account id"),
        ("# nothing\n\n", "lists no account"),
        ('{"Accounts": [{"Id": "111111111111",}]}', "line 1: not valid JSON"),
        ('{"accounts": []}', "no 'Accounts' list"),
        ('{"Accounts": [{"Name": "x"}]}', "Accounts[0] has no 'Id'"),
        ('{"Accounts": [{"Id": "12"}]}', "Accounts[0] has the Id '12', not 12 digits"),
        ('{"Accounts": ["111111111111"]}', "Accounts[0] is not an object"),
        ('{"Accounts": [{"Id": "111111111111", "State": "SUSPENDED"}]}', "lists no ACTIVE account"),
    ],
)
def test_a_bad_accounts_file_is_one_sentence_naming_the_file(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "accounts.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AccountsFileError) as caught:
        read_accounts_file(path)
    message = str(caught.value)
    assert str(path) in message and says in message
    assert "\n" not in message


def test_an_unreadable_accounts_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(AccountsFileError, match="cannot read the accounts file .*missing.txt: no such file"):
        read_accounts_file(tmp_path / "missing.txt")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(AccountsFileError, match="binary.txt: it is not UTF-8 text"):
        read_accounts_file(binary)


# --- org_role_sessions --------------------------------------------------------------------------


def _refuse_list_accounts(session: Any) -> list[str]:
    """Make ListAccounts fail as it does on a host not allowed it; returns the calls made."""
    from types import SimpleNamespace

    calls: list[str] = []

    def refuse(**_: Any) -> Any:
        calls.append("ListAccounts")
        error = {"Error": {"Code": "AccessDeniedException", "Message": "not authorized: organizations:ListAccounts"}}
        return SimpleNamespace(status_code=400, headers={}), {**error, "ResponseMetadata": {"HTTPStatusCode": 400}}

    session.boto.events.register("before-call.organizations.ListAccounts", refuse)
    return calls


def test_given_accounts_are_scanned_without_asking_organizations(org: Any) -> None:
    base = moto_session()
    calls = record_calls(base)
    refused = _refuse_list_accounts(base)
    (a, a_name), (b, _) = org.members[:2]
    given = [(b, "from-the-file"), (MANAGEMENT, "management"), (a, a_name), (b, "a repeat")]

    targets, failures = org_role_sessions(base, ROLE, accounts=given)

    assert refused == [] and not [c for c, _ in calls if c.startswith("organizations.")]
    assert failures == []
    # The caller's own account first (with the base session, no AssumeRole), then the file's order.
    assert [(t.account_id, t.name) for t in targets] == [(MANAGEMENT, "management"), (b, "from-the-file"), (a, a_name)]
    assert targets[0].session is base
    assert targets[1].session.identity().account_id == b  # really assumed into b
    assumed = sorted(p["RoleArn"] for c, p in calls if c == "sts.AssumeRole")
    assert assumed == sorted(f"arn:aws:iam::{acct}:role/{ROLE}" for acct in (a, b))  # once each, not the caller's


def test_without_a_file_a_refused_list_accounts_is_one_accounts_error(org: Any) -> None:
    base = moto_session()
    _refuse_list_accounts(base)
    with pytest.raises(AccountsError, match="cannot list the Organization's accounts .*AccessDeniedException"):
        org_role_sessions(base, ROLE)


def test_a_shard_keeps_only_its_share_of_the_listed_accounts(org: Any) -> None:
    every = [MANAGEMENT, *org.ids]
    seen: list[str] = []
    for index in (1, 2):
        shard = Shard(index, 2)
        wanted = [a for a in every if shard.picks(a)]
        if not wanted:
            with pytest.raises(AccountsError, match=f"shard {index}/2 picks none of the Organization's 4 accounts"):
                org_role_sessions(moto_session(), ROLE, shard=shard)
            continue
        targets, failures = org_role_sessions(moto_session(), ROLE, shard=shard)
        assert failures == []
        assert sorted(t.account_id for t in targets) == sorted(wanted)
        assert (shard.tally.picked, shard.tally.total) == (len(wanted), 4)
        seen += [t.account_id for t in targets]
    assert sorted(seen) == sorted(every)


def test_a_shard_of_the_given_accounts_and_one_that_picks_none(org: Any) -> None:
    given = [(a, n) for a, n in org.members]
    count = 64  # enough shards that some pick none of three accounts
    empty = next(i for i in range(1, count + 1) if not any(Shard(i, count).picks(a) for a, _ in given))
    full = next(i for i in range(1, count + 1) if Shard(i, count).picks(given[0][0]))
    targets, _ = org_role_sessions(moto_session(), ROLE, accounts=given, shard=Shard(full, count))
    assert given[0][0] in [t.account_id for t in targets]
    assert all(Shard(full, count).picks(t.account_id) for t in targets)
    with pytest.raises(AccountsError) as caught:
        org_role_sessions(moto_session(), ROLE, accounts=given, shard=Shard(empty, count))
    assert str(caught.value) == (
        f"shard {empty}/{count} picks none of the 3 accounts given (an account's shard follows from its id "
        "alone): nothing to scan on this host"
    )


# --- the command line ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["scan", "--shard", "2/5"], "--shard needs --org-role ROLE"),
        (["scan", "--accounts-from", "x.txt"], "--accounts-from needs --org-role ROLE"),
        (["scan", "--accounts-from", "x.txt", "--shard", "1/2"], "--accounts-from and --shard need --org-role"),
        (["--shard", "1/2"], "--shard needs --org-role ROLE"),
        (["scan", "--org-role", ROLE, "--shard", "6/5"], "argument --shard: shard 6/5 does not exist"),
        (["scan", "--org-role", ROLE, "--shard", "half"], "argument --shard: 'half' is not a shard"),
        (["scan", "--org-role", ROLE, "--accounts-from", "/no/such/accounts.txt"], "/no/such/accounts.txt: no such"),
    ],
)
def test_cli_shard_and_accounts_errors_are_one_line_exit_2(argv: list[str], says: str) -> None:
    code, out, err = run_cli(*argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("tracker-tui: error: ") and says in err


def test_cli_a_bad_line_in_the_accounts_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "accounts.txt"
    path.write_text("111111111111\n22222222222x prod\n", encoding="utf-8")
    code, _, err = run_cli("scan", "--org-role", ROLE, "--accounts-from", str(path))
    assert code == 2
    assert err == (
        f"tracker-tui: error: {path} line 2: '22222222222x' is not a 12-digit account id (each line is an id, "
        "then optionally a blank or a comma and the account's name)\n"
    )


def test_cli_scans_the_files_accounts_and_says_which_shard(
    org: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed: list[str] = []
    hook_every_session(monkeypatch, "before-call.organizations.ListAccounts", lambda **_: listed.append("x"))
    every = [(MANAGEMENT, "management"), *org.members]
    count = 2
    index = max(range(1, count + 1), key=lambda i: sum(Shard(i, count).picks(a) for a, _ in every))
    wanted = [a for a, _ in every if Shard(index, count).picks(a)]
    path = tmp_path / "accounts.txt"
    path.write_text("".join(f"{a} {n}\n" for a, n in every), encoding="utf-8")

    code, out, err = run_cli(
        "scan",
        "--org-role",
        ROLE,
        "--accounts-from",
        str(path),
        "--shard",
        f"{index}/{count}",
        "--kind",
        "logs:log-group",
        "--region",
        "us-east-1",
        "--format",
        "json",
    )

    assert code == 0, err
    assert listed == []  # the file stood in for ListAccounts
    assert f"tracker-tui: shard {index}/{count}: {len(wanted)} of the 4 accounts\n" in err
    data = json.loads(out)
    assert sorted({r["account_id"] for r in data["resources"]}) == sorted(wanted)


def test_cli_an_empty_shard_is_one_line_exit_2(org: Any) -> None:
    every = [MANAGEMENT, *org.ids]
    count = 64
    empty = next(i for i in range(1, count + 1) if not any(Shard(i, count).picks(a) for a in every))
    code, out, err = run_cli(
        "scan", "--org-role", ROLE, "--shard", f"{empty}/{count}", "--kind", "logs:log-group", "--region", "us-east-1"
    )
    assert code == 2 and out == ""
    assert err.startswith(f"tracker-tui: error: shard {empty}/{count} picks none of the Organization's 4 accounts")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("workers", "accounts", "warmed"),
    [(2, 3, True), (2, 1, False), (0, 3, False)],
    ids=["workers-and-several-accounts", "one-account", "no-workers"],
)
def test_the_fork_server_starts_before_the_roles_are_assumed_when_workers_will_scan(
    org: Any, monkeypatch: pytest.MonkeyPatch, workers: int, accounts: int, warmed: bool
) -> None:
    from tracker_tui.aws import source as source_module
    from tracker_tui.aws.kinds import resolve_kinds
    from tracker_tui.aws.source import MultiSource

    base = moto_session()
    calls = record_calls(base)
    assumed_when_warmed: list[int] = []
    monkeypatch.setattr(
        source_module, "warm_up", lambda: assumed_when_warmed.append(sum(c == "sts.AssumeRole" for c, _ in calls))
    )
    given = [(MANAGEMENT, "management"), *org.members][:accounts]
    source = MultiSource.for_org_role(lambda: base, ROLE, resolve_kinds(None), accounts=given, workers=workers)
    targets, failures = source.open_targets()
    assert (len(targets), failures) == (accounts, [])
    # Before the first AssumeRole, so the fork server's imports overlap them; never for one account
    # (it is scanned in this process) nor without workers.
    assert assumed_when_warmed == ([0] if warmed else [])
