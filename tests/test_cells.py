"""How cells combine, without a terminal: the coverage merge across accounts, and a saved
inventory's errors read back into cell results."""

from __future__ import annotations

from tracker_tui.aws.scan import error_entries, merge_accounts, saved_results
from tracker_tui.model import CellResult, CellStatus, ScanCell

A, B = "111111111111", "222222222222"


def _result(
    account: str, status: CellStatus, count: int = 0, message: str | None = None, seconds: float = 0.0
) -> CellResult:
    code = {CellStatus.DENIED: "AccessDenied", CellStatus.FAILED: "InternalError"}.get(status)
    return CellResult(ScanCell("eu-west-1", "rds:db-instance", account), status, count, code, message, seconds)


def test_counts_add_up_and_one_account_done_makes_the_cell_done() -> None:
    merged = merge_accounts({
        (A, "eu-west-1", "rds:db-instance"): _result(A, CellStatus.EMPTY, seconds=1.5),
        (B, "eu-west-1", "rds:db-instance"): _result(B, CellStatus.DONE, 3, seconds=0.5),
    })
    cell = merged[("eu-west-1", "rds:db-instance")]
    assert (cell.status, cell.count, cell.message, cell.seconds) == (CellStatus.DONE, 3, None, 1.5)


def test_an_error_in_any_account_shows_with_the_account_named() -> None:
    merged = merge_accounts({
        (A, "eu-west-1", "rds:db-instance"): _result(A, CellStatus.DENIED, message="explicit deny"),
        (B, "eu-west-1", "rds:db-instance"): _result(B, CellStatus.FAILED, message="boom"),
    })
    cell = merged[("eu-west-1", "rds:db-instance")]
    assert cell.status is CellStatus.DENIED and cell.code == "AccessDenied"  # the first error stays the cell's
    assert cell.message == f"{A}: explicit deny\n{B}: boom"


def test_one_account_keeps_its_messages_as_they_are() -> None:
    merged = merge_accounts({(A, "eu-west-1", "rds:db-instance"): _result(A, CellStatus.DENIED, message="no")})
    assert merged[("eu-west-1", "rds:db-instance")].message == "no"


def test_saved_errors_read_back_as_the_cells_they_came_from() -> None:
    failed = [_result(A, CellStatus.DENIED, message="explicit deny"), _result(B, CellStatus.FAILED, message="boom")]
    results = saved_results(error_entries([*failed, _result(A, CellStatus.DONE, 4)]))
    assert set(results) == {(A, "eu-west-1", "rds:db-instance"), (B, "eu-west-1", "rds:db-instance")}
    denied = results[(A, "eu-west-1", "rds:db-instance")]
    assert (denied.cell, denied.status, denied.code, denied.message) == (
        failed[0].cell, CellStatus.DENIED, "AccessDenied", "explicit deny"
    )
    assert results[(B, "eu-west-1", "rds:db-instance")].status is CellStatus.FAILED
