"""Reading and writing inventories (JSON v1, CSV, text table) and where files live."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
import threading
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from rich.cells import cell_len

from tracker_tui.model import Finding, Identity, Resource, ScanErrorEntry, format_cost, iso_utc
from tracker_tui.untrusted import csv_cell, fit_cells, has_lone_surrogate, visible

SCHEMA = "tracker-tui/inventory/v1"
CSV_FIELDS = (
    "kind",
    "id",
    "account_id",
    "arn",
    "name",
    "region",
    "state",
    "created",
    "tags",
    "monthly_cost",
    "cost_basis",
    "details",
    "findings",
)


class InventoryError(ValueError):
    """A file is not a readable tracker-tui inventory.  The message says what is wrong."""


@dataclass
class Inventory:
    """A scan's result as the v1 JSON file holds it."""

    identity: Identity
    regions: list[str]
    resources: list[Resource]
    errors: list[ScanErrorEntry] = field(default_factory=list)
    scanned_at: str = field(default_factory=lambda: iso_utc(datetime.now(UTC)) or "")
    accounts: list[Identity] = field(default_factory=list)
    #: The savings found, counted once, and the part fixable in place
    #: (``findings.Savings.to_dict``: ``monthly``, ``in_place_monthly``): worked out by the
    #: writer, which sits above the findings; derived, so never read back (recomputed instead).
    savings: dict[str, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema": SCHEMA,
            "account": self.identity.to_dict(),
            "scanned_at": self.scanned_at,
            "regions": list(self.regions),
            "resources": [r.to_dict() for r in self.resources],
            "errors": [e.to_dict() for e in self.errors],
        }
        account_ids = {r.account_id for r in self.resources} | {a.account_id for a in self.accounts}
        if len(account_ids - {""}) > 1 or len(self.accounts) > 1:
            data["accounts"] = [{"id": a.account_id, "alias": a.alias} for a in self.accounts]
        if self.savings is not None:
            data["savings"] = dict(self.savings)
        return data

    @classmethod
    def from_dict(cls, data: Any, source: str = "inventory") -> Inventory:
        """Validate and load an inventory-v1 object.

        Raises:
            InventoryError: naming what is wrong (foreign schema, missing field, bad resource).
        """
        if not isinstance(data, dict):
            raise InventoryError(f"{source}: not a tracker-tui inventory (top level is not an object)")
        schema = data.get("schema")
        if schema != SCHEMA:
            raise InventoryError(
                f"{source}: not a tracker-tui inventory (schema is {schema!r}, expected {SCHEMA!r})"
            )
        account = data.get("account") or {}
        if not isinstance(account, dict) or not account.get("id"):
            raise InventoryError(f"{source}: the 'account' object with an 'id' is missing")
        raw_resources = data.get("resources")
        if not isinstance(raw_resources, list):
            raise InventoryError(f"{source}: 'resources' must be a list")
        resources = []
        for index, item in enumerate(raw_resources):
            try:
                resources.append(Resource.from_dict(item))
            except KeyError as exc:
                raise InventoryError(f"{source}: resource #{index} has no '{exc.args[0]}' field") from None
            except (TypeError, ValueError, AttributeError) as exc:
                raise InventoryError(f"{source}: resource #{index} is malformed ({exc!s})") from None
        errors = []
        for item in data.get("errors") or []:
            try:
                errors.append(
                    ScanErrorEntry(
                        str(item["region"]),
                        str(item["kind"]),
                        str(item.get("code", "")),
                        str(item.get("message", "")),
                        str(item.get("account_id", "")),
                    )
                )
            except (KeyError, TypeError) as exc:
                raise InventoryError(f"{source}: an entry of 'errors' is malformed ({exc!s})") from None
        accounts = [
            Identity(str(a.get("id", "")), "", str(a.get("alias", "")))
            for a in data.get("accounts") or []
            if isinstance(a, dict)
        ]
        return cls(
            identity=Identity(str(account["id"]), str(account.get("identity_arn", "")), str(account.get("alias", ""))),
            regions=[str(r) for r in data.get("regions") or []],
            resources=resources,
            errors=errors,
            scanned_at=str(data.get("scanned_at", "")),
            accounts=accounts,
        )


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so a crash leaves either the old file or the new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def dumps_json(inventory: Inventory) -> str:
    return json.dumps(inventory.to_dict(), indent=2, sort_keys=False, default=str) + "\n"


def read_inventory(path: str | Path) -> Inventory:
    """Load an inventory file.

    Raises:
        InventoryError: the file is missing, unreadable, not JSON, or not an inventory.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InventoryError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InventoryError(f"{path}: cannot read it ({exc.__class__.__name__}: {exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InventoryError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    return Inventory.from_dict(data, source=str(path))


def tags_text(tags: dict[str, str] | Any) -> str:
    """Tags as ``k=v;k=v`` (sorted by key), the CSV form."""
    return ";".join(f"{k}={v}" for k, v in sorted(dict(tags).items()))


def findings_text(findings: Iterable[Finding]) -> str:
    """Findings as ``id=saving;id=saving`` (saving in USD with cents, ``unknown`` when None), the CSV form."""
    return ";".join(
        f"{f.id}={'unknown' if f.monthly_saving is None else f'{f.monthly_saving:.2f}'}" for f in findings
    )


def dumps_csv(resources: Iterable[Resource]) -> str:
    """One record per resource, safe to open in a spreadsheet.

    Every cell goes through ``untrusted.csv_cell`` (a formula lead gets a ``'`` in front), and
    the writer quotes every cell holding a delimiter, a quote, CR or LF (``\r\n`` ends a
    record, as RFC 4180 has it, so a bare CR inside a name is quoted too): one resource is
    always one record.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_FIELDS)
    for r in resources:
        cells = [
            r.kind,
            r.id,
            r.account_id,
            r.arn or "",
            r.name,
            r.region,
            r.state,
            r.created or "",
            tags_text(r.tags),
            "" if r.monthly_cost is None else f"{r.monthly_cost:.2f}",
            r.cost_basis or "",
            json.dumps(dict(r.details), sort_keys=True, default=str),
            findings_text(r.findings),
        ]
        writer.writerow([csv_cell(cell) for cell in cells])
    return buffer.getvalue()


def dumps_table(inventory: Inventory, footer: Sequence[str] = ()) -> str:
    """A plain-text table for terminals and logs, grouped by kind, with a summary and ``footer``.

    It is read on a terminal, so every cell is shown as ``untrusted.visible`` draws it
    (no escape sequence of the data reaches the terminal) and columns are measured in
    cells (wide characters count two).
    """
    columns = ("KIND", "REGION", "STATE", "ID", "NAME", "COST/MO")
    rows = [
        tuple(visible(cell) for cell in (r.kind, r.region, r.state, r.id, r.name)) + (format_cost(r.monthly_cost),)
        for r in sorted(inventory.resources, key=lambda r: (r.kind, r.region, r.name, r.id))
    ]
    widths = [len(c) for c in columns]
    caps = (22, 16, 14, 40, 40, 12)
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = min(caps[i], max(widths[i], cell_len(cell)))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(fit_cells(c, w) for c, w in zip(cells, widths, strict=True)).rstrip()

    lines = [line(columns)]
    lines.extend(line(row) for row in rows)
    by_kind: dict[str, int] = {}
    for r in inventory.resources:
        by_kind[r.kind] = by_kind.get(r.kind, 0) + 1
    ident = inventory.identity
    account = f"{ident.account_id} ({ident.alias})" if ident.alias else ident.account_id
    lines.append("")
    lines.append(
        visible(
            f"{len(inventory.resources)} resources in {len(inventory.regions)} regions, account {account}; "
            + ", ".join(f"{k} {n}" for k, n in by_kind.items())
        )
    )
    lines.extend(visible(text) for text in footer)
    for e in inventory.errors:
        lines.append(visible(f"error: {e.region} {e.kind}: {e.code}: {e.message}"))
    return "\n".join(lines) + "\n"


def write_output(text: str, output: str | None, stdout: IO[str]) -> None:
    """Write to a file atomically, or to stdout when ``output`` is None or '-'."""
    if output and output != "-":
        atomic_write_text(Path(output), text)
    else:
        stdout.write(text)


def render(inventory: Inventory, fmt: str, footer: Sequence[str] = ()) -> str:
    """The inventory as ``fmt`` (json, csv or table); ``footer`` ends the table (totals, waste)."""
    if fmt == "json":
        return dumps_json(inventory)
    if fmt == "csv":
        return dumps_csv(inventory.resources)
    if fmt == "table":
        return dumps_table(inventory, footer)
    raise ValueError(f"unknown format {fmt!r}")


# --- audit log ---------------------------------------------------------------------------


#: The audit entry's fields a person reads, in order (``audit_line``).
AUDIT_FIELDS = ("time", "phase", "action", "account", "region", "kind", "id", "result", "code", "request_id")


def audit_line(entry: dict[str, Any]) -> str:
    """One audit entry as ``tracker-tui audit`` and the TUI's ``:audit`` print it."""
    return "  ".join(text for text in (str(entry.get(key, "") or "") for key in AUDIT_FIELDS) if text)


class AuditLog:
    """The append-only JSONL record of every mutating AWS call (README, "Actions and safety").

    One JSON object per line.  ``record`` opens the file in append mode, writes one line,
    flushes and fsyncs it and closes the file on every call, so a line is on disk before
    the caller goes on to make the call it describes, and a crash loses nothing written.
    The file is never rewritten or truncated here.

    Args:
        path: the log file; default ``audit.jsonl`` in the user data dir (platformdirs).
    """

    FILE_NAME = "audit.jsonl"

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            from tracker_tui import config

            path = config.data_dir() / self.FILE_NAME
        self.path = Path(path)
        #: Lines ``tail`` could not read (one short description each), from its last call.
        self.skipped: list[str] = []
        self._lock = threading.Lock()

    def record(self, **fields: Any) -> None:
        """Append one entry (``time`` is added, ISO-8601 UTC with milliseconds) and fsync it.

        Raises:
            OSError: the line could not be written; the caller must not make the call then.
        """
        now = datetime.now(UTC)
        entry: dict[str, Any] = {"time": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"}
        entry.update(fields)
        line = json.dumps(entry, default=str, ensure_ascii=False) + "\n"
        if has_lone_surrogate(line):
            # A lone surrogate (a JSON answer can hold one) cannot be written as UTF-8: the
            # same data, escaped, so the entry is still written before the call is made.
            line = json.dumps(entry, default=str) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # 0o600: the log names accounts and resources; nobody else needs to read it.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())

    def tail(self, n: int = 20) -> list[dict[str, Any]]:
        """The last ``n`` readable entries, oldest first (``[]`` when there is no log yet).

        A line that is not a JSON object (a torn write, a hand edit) is skipped and
        described in ``self.skipped``; it never stops the others from being read.
        """
        self.skipped = []
        if n <= 0:
            return []
        entries: list[dict[str, Any]] = []
        try:
            with contextlib.closing(_lines_backwards(self.path)) as lines:
                for raw in lines:
                    if not raw.strip():
                        continue
                    try:
                        entry = json.loads(raw.decode("utf-8"))
                    except (UnicodeDecodeError, json.JSONDecodeError):
                        entry = None
                    if not isinstance(entry, dict):
                        text = raw.decode("utf-8", "replace").strip()
                        self.skipped.append(f"{self.path}: skipped a line that is not a JSON object: {text[:80]!r}")
                        continue
                    entries.append(entry)
                    if len(entries) >= n:
                        break
        except FileNotFoundError:
            return []
        self.skipped.reverse()
        entries.reverse()
        return entries


def _lines_backwards(path: Path, chunk_size: int = 64 * 1024) -> Generator[bytes, None, None]:
    """The file's lines from last to first, reading it from the end in chunks."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        position = handle.tell()
        rest = b""
        while position > 0:
            step = min(chunk_size, position)
            position -= step
            handle.seek(position)
            rest = handle.read(step) + rest
            lines = rest.split(b"\n")
            rest = lines[0]  # possibly the tail end of an earlier line: keep it for the next chunk
            yield from reversed(lines[1:])
        yield rest
