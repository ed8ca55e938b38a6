"""The writers of untrusted text (``tracker_tui.untrusted``) and every headless output they feed:
the terminal form, CSV, markdown, the text table, JSON (exact) and the audit log (exact)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re

import pytest
from rich.cells import cell_len

from tests.support.hostile import ACCOUNT, CORPUS, KINDS, REGION, STRINGS, hostile_account
from tracker_tui.cli import main
from tracker_tui.costs import dumps_markdown
from tracker_tui.model import Finding, Identity, Resource, ScanErrorEntry
from tracker_tui.store import AuditLog, Inventory, dumps_csv, dumps_json, dumps_table, read_inventory
from tracker_tui.untrusted import csv_cell, fit_cells, markdown_code, markdown_text, unsafe_characters, visible

#: A terminal acts on these: nothing of the data may reach it as one.
TERMINAL_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def resource(text: str, index: int = 0) -> Resource:
    return Resource(
        kind="dynamodb:table",
        id=f"table-{index:02d}",
        region=REGION,
        account_id=ACCOUNT,
        name=text,
        state="ACTIVE",
        created="2026-01-02T03:04:05+00:00",
        tags={text: text, "env": "dev"},
        monthly_cost=1.5,
        cost_basis=f"basis of {text}",
        arn=f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/table-{index:02d}",
        details={"note": text},
        findings=(Finding("s3-no-lifecycle", 1.25, f"evidence {text}", "low", None),),
    )


def inventory(texts: list[str]) -> Inventory:
    return Inventory(
        identity=Identity(account_id=ACCOUNT, arn=f"arn:aws:iam::{ACCOUNT}:user/x", alias="acme"),
        regions=[REGION],
        resources=[resource(text, i) for i, text in enumerate(texts)],
        errors=[ScanErrorEntry(REGION, "rds:db-instance", "AccessDenied", texts[0])],
    )


# --- visible: what a terminal may get ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x1bb", "a␛b"),
        ("bell\x07", "bell␇"),
        ("cr\rlf\ntab\t", "cr␍lf␊tab␉"),
        ("nul\x00", "nul␀"),
        ("del\x7f", "del␡"),
        ("c1\x9b31m", "c1\\x9b31m"),
        ("nel\x85", "nel\\x85"),
        ("rlo\u202eabc\u202c", "rlo\\u202eabc\\u202c"),
        ("iso\u2066x\u2069", "iso\\u2066x\\u2069"),
        ("zw\u200bsp", "zw\\u200bsp"),
        ("ls\u2028ps\u2029", "ls\\u2028ps\\u2029"),
        ("lone\ud800", "lone\\ud800"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("soft\u00adhyphen", "soft\\xadhyphen"),
    ],
)
def test_visible_replaces_every_control_and_invisible_format_character(raw: str, shown: str) -> None:
    assert visible(raw) == shown
    assert unsafe_characters(raw)
    assert not unsafe_characters(visible(raw))


@pytest.mark.parametrize(
    "kept",
    [
        "[b]bold[/b] [DEPRECATED] web [old] \\[x]",
        "中文名前テスト",
        "family 👨\u200d👩\u200d👧 and e\u0301",  # ZWJ and combining marks are text
        "no\u00a0break space",
        "plain ascii 0123 !@#$%^&*()",
    ],
)
def test_visible_keeps_ordinary_text_exactly(kept: str) -> None:
    assert visible(kept) == kept


@pytest.mark.parametrize(("what", "text"), CORPUS, ids=[what for what, _ in CORPUS])
def test_no_corpus_string_keeps_a_control_after_visible(what: str, text: str) -> None:
    assert not TERMINAL_CONTROLS.search(visible(text))
    assert not unsafe_characters(visible(text))


def test_the_corpus_is_large_and_covers_every_family() -> None:
    assert len(CORPUS) >= 30
    assert any("[" in text for text in STRINGS) and any("\x1b" in text for text in STRINGS)
    assert any(text.startswith(("=", "+", "-", "@", "\t", "\r")) for text in STRINGS)
    assert any(cell_len(text) > len(text) for text in STRINGS)  # wide
    assert any(len(text) > 200 for text in STRINGS)


@pytest.mark.parametrize("text", ["abc", "中文名前", "e\u0301e\u0301e\u0301", "x" * 50, "😀😀😀😀😀"])
@pytest.mark.parametrize("width", [1, 3, 4, 7, 12])
def test_fit_cells_is_exactly_the_width_in_cells(text: str, width: int) -> None:
    assert cell_len(fit_cells(text, width)) == width
    assert cell_len(fit_cells(text, width, right=True)) == width


# --- links: only the ones we build ----------------------------------------------------------------


@pytest.mark.parametrize("region", ["evil.example/#", "us-east-1.evil.example", "[/x]", "us-east-1\x1b]8;;"])
def test_a_region_that_is_no_region_gets_no_console_link(region: str) -> None:
    from tracker_tui.aws.console import console_url

    row = dataclasses.replace(resource("x"), region=region)
    assert console_url(row) is None
    good = console_url(dataclasses.replace(resource("x"), region="eu-west-1"))
    assert good is not None and good.startswith("https://eu-west-1.console.aws.amazon.com/")


def test_fit_cells_pads_on_the_side_asked_and_never_cuts_what_fits() -> None:
    assert fit_cells("ab", 4) == "ab  " and fit_cells("ab", 4, right=True) == "  ab"
    assert fit_cells("中文", 6) == "中文  " and fit_cells("中文", 6, right=True) == "  中文"
    assert fit_cells("中文", 4) == "中文"  # exactly the width: kept whole
    assert fit_cells("abcd", 4) == "abcd"
    assert fit_cells("abcde", 4) == "abc…"
    assert fit_cells("abc", 0) == "" and fit_cells("中文", 0) == ""


# --- CSV: inert in a spreadsheet, one resource one record ----------------------------------------


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_a_formula_lead_gets_a_quote_in_front(lead: str) -> None:
    assert csv_cell(f"{lead}1+1") == f"'{lead}1+1"


@pytest.mark.parametrize("text", ["web-1", "1+1=2", " =not-a-lead", "'already"])
def test_other_cells_are_kept_as_they_are(text: str) -> None:
    assert csv_cell(text) == text


def test_csv_of_the_corpus_is_one_record_per_resource_and_every_cell_is_inert() -> None:
    inv = inventory(STRINGS)
    text = dumps_csv(inv.resources)
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert len(records) == len(STRINGS) + 1, "a CR or LF in a name split a record"
    header = records[0]
    for record, source in zip(records[1:], STRINGS, strict=True):
        assert len(record) == len(header)
        for cell in record:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), f"a live formula cell: {cell!r}"
        name = record[header.index("name")]
        assert name == ("'" + source if source.startswith(("=", "+", "-", "@", "\t", "\r")) else source)


def test_a_bare_carriage_return_is_quoted() -> None:
    text = dumps_csv([resource("one\rtwo")])
    assert '"one\rtwo"' in text
    assert text.count("\r\n") == 2  # header and the one record end the same way


@pytest.mark.parametrize("surrogate", ["\ud800", "\udbff", "\udc00", "\udfff"])
def test_a_lone_surrogate_does_not_stop_an_export(surrogate: str) -> None:
    text = dumps_csv([resource(f"bad{surrogate}name")])
    text.encode("utf-8")  # writable
    assert "bad\ufffdname" in text


# --- markdown: a renderer shows text ---------------------------------------------------------------


def test_markdown_text_neutralises_html_links_images_and_table_cells() -> None:
    assert markdown_text("<img src=x onerror=alert(1)>") == "\\<img src=x onerror=alert(1)\\>"
    assert markdown_text("![p](https://evil.example/p.png)") == "\\!\\[p\\](https://evil.example/p.png)"
    assert markdown_text("a|b") == "a\\|b"
    assert markdown_text("line\nfeed") == "line␊feed"
    assert markdown_text("*em* _u_ `c` #h ~s &amp;") == "\\*em\\* \\_u\\_ \\`c\\` \\#h \\~s \\&amp;"


@pytest.mark.parametrize(
    ("raw", "code"),
    [("vol-1", "`vol-1`"), ("a`b", "`` a`b ``"), ("a``b|c", "``` a``b\\|c ```")],
)
def test_markdown_code_spans_cannot_be_closed_early(raw: str, code: str) -> None:
    assert markdown_code(raw) == code


def test_the_markdown_report_keeps_every_row_in_its_cells() -> None:
    report = dumps_markdown(inventory(STRINGS))
    rows = [line for line in report.splitlines() if line.startswith("| dynamodb")]
    assert len(rows) == len(STRINGS)
    for line in rows:
        unescaped_pipes = re.findall(r"(?<!\\)\|", line)
        assert len(unescaped_pipes) == 8, line  # 7 cells
        assert "<" not in line.replace("\\<", "")
        assert not TERMINAL_CONTROLS.search(line)
    assert "\nerror: " in report and "(not checked)" in report


# --- the text table (scan --format table) ---------------------------------------------------------


def test_the_text_table_sends_no_control_and_keeps_its_columns() -> None:
    table = dumps_table(inventory(STRINGS))
    assert not TERMINAL_CONTROLS.search(table)
    lines = table.splitlines()
    header = lines[0]
    cost_at = cell_len(header[: header.index("COST/MO")])
    for line in lines[1 : 1 + len(STRINGS)]:
        # Every cell is padded to its width in cells: the cost column starts at the same cell.
        cells = 0
        for index, char in enumerate(line):
            if cells == cost_at:
                assert line[index:].startswith("$1.50"), line
                break
            cells += cell_len(char)
        else:
            raise AssertionError(f"row shorter than the header: {line!r}")


# --- JSON and the audit log: the exact data ------------------------------------------------------


def test_json_round_trips_every_string_exactly(tmp_path: object) -> None:
    from pathlib import Path

    inv = inventory(STRINGS + ["lone\ud800"])
    path = Path(str(tmp_path)) / "inv.json"
    path.write_text(dumps_json(inv), encoding="utf-8")
    back = read_inventory(path)
    assert [r.name for r in back.resources] == STRINGS + ["lone\ud800"]
    assert [dict(r.tags) for r in back.resources] == [dict(r.tags) for r in inv.resources]
    assert back.errors[0].message == STRINGS[0]


def test_the_audit_log_keeps_the_exact_data(tmp_path: object) -> None:
    from pathlib import Path

    log = AuditLog(Path(str(tmp_path)) / "audit.jsonl")
    for text in STRINGS + ["lone\ud800"]:
        log.record(action="delete", id=text, result=text)
    entries = log.tail(100)
    assert [e["id"] for e in entries] == STRINGS + ["lone\ud800"]


# --- the headless outputs of a hostile account ----------------------------------------------------


def test_scan_table_and_markdown_of_a_hostile_account_send_no_escape(capsys: pytest.CaptureFixture[str]) -> None:
    kinds = [arg for kind in KINDS if kind != "rds:db-instance" for arg in ("--kind", kind)]
    with hostile_account():
        for fmt in ("table", "markdown"):
            code = main(["scan", "--format", fmt, "--region", REGION, *kinds])
            out, err = capsys.readouterr()
            assert code == 0, err
            assert not TERMINAL_CONTROLS.search(out), f"--format {fmt} wrote a control character"
            assert not TERMINAL_CONTROLS.search(err)
            if fmt == "table":
                assert "clip␛]52;c;cm0gLXJmIH4K␇board" in out
                assert "[DEPRECATED] legacy-api" in out
        code = main(["scan", "--format", "json", "--region", REGION, *kinds])
        out, _ = capsys.readouterr()
        names = {r["name"] for r in json.loads(out)["resources"]}
        assert set(STRINGS) <= names, "JSON must hold the exact names"


def test_the_audit_command_shows_entries_visibly(capsys: pytest.CaptureFixture[str]) -> None:
    AuditLog().record(action="delete", id="x\x1b]52;c;aGk=\x07", result="[/x]\r\n")
    assert main(["audit"]) == 0
    out = capsys.readouterr().out
    assert "x␛]52;c;aGk=␇" in out and "[/x]␍␊" in out
    assert not TERMINAL_CONTROLS.search(out)
