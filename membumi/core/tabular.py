"""Reading CSV and XLSX files row by row, and the report every import gives back.

Shared by the imports of employees (``organizations/importing.py``) and problems
(``problems/importing.py``). A file is
streamed: CSV through a buffered text wrapper (delimiter sniffed from the header line, UTF-8
with or without BOM), XLSX through openpyxl's read-only mode, so memory stays flat however
long the file is. Importers validate each row, collect ``RowError``\\s (row, column, message)
in an ``ImportReport`` and write valid rows in chunks.
"""

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, empty, missing required columns)."""


@dataclass
class RowError:
    row: int
    column: str
    message: str
    level: str = "error"  # "error": the row was skipped; "warning": saved without that field

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "level": self.level,
        }


@dataclass
class ImportReport:
    """What an import did: counts per outcome and the row errors (at most ``max_errors`` kept;
    ``error_count`` counts them all)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    max_errors: int = 1000
    fatal: str = ""

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < self.max_errors:
            self.errors.append(error)

    def reject(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.add_error(error)
        self.rejected += 1

    @property
    def changed(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        if self.fatal:
            return self.fatal
        text = _(
            "%(rows)d rows read: %(created)d created, %(updated)d updated, "
            "%(unchanged)d unchanged, %(rejected)d rejected."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }
        if self.rows and not self.changed and not self.rejected:
            text += " " + _("Nothing changed: the data was already up to date.")
        return text

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [e.as_dict() for e in self.errors],
            "error_count": self.error_count,
            "fatal": self.fatal,
            "summary": self.summary(),
        }


def canonical_header(raw: str, aliases: Mapping[str, str] | None = None) -> str:
    """``" Nama Lengkap "`` → ``nama_lengkap`` → its alias, if any."""
    key = (raw or "").strip().lower().replace(" ", "_")
    return (aliases or {}).get(key, key)


class _CountingReader(io.RawIOBase):
    """Wraps a binary file and counts the bytes read, for progress."""

    def __init__(self, raw):
        self.raw = raw
        self.count = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


def _iter_csv(binary):
    counter = _CountingReader(binary)
    text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 16), encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is not UTF-8 text. Save the CSV as UTF-8.")) from exc
    if not first.strip():
        raise ImportFileError(_("The file is empty."))
    delimiter = max([";", ",", "\t"], key=first.count)
    header = next(csv.reader([first], delimiter=delimiter))

    def rows() -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(text, delimiter=delimiter)
        try:
            yield from enumerate(reader, start=2)
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("The file is not UTF-8 text. Save the CSV as UTF-8.")) from exc

    return header, rows(), lambda: counter.count


def xlsx_cell_text(value, column: str = "") -> str:
    """A typed spreadsheet cell as the text a CSV would hold: ``12.0`` → ``"12"``,
    a date cell → ``"2026-01-31"``. ``column`` is the cell's canonical column name, for
    importers that treat a column specially (see ``open_table``)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _iter_xlsx(binary, cell: Callable[[object, str], str], aliases):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(
            _("The XLSX file cannot be read: %(error)s") % {"error": exc}
        ) from exc
    sheet = workbook.worksheets[0]
    total = max(sheet.max_row or 1, 1)
    iterator = sheet.iter_rows(values_only=True)
    header_row = next(iterator, None)
    if not header_row:
        raise ImportFileError(_("The file is empty."))
    header = ["" if v is None else str(v) for v in header_row]
    columns = [canonical_header(h, aliases) for h in header]
    state = {"row": 1}

    def rows() -> Iterator[tuple[int, list[str]]]:
        for index, values in enumerate(iterator, start=2):
            state["row"] = index
            if values is None or all(v is None for v in values):
                continue
            yield (
                index,
                [cell(v, columns[i] if i < len(columns) else "") for i, v in enumerate(values)],
            )
        workbook.close()

    return header, rows(), lambda: int(1_000_000 * state["row"] / total)


def open_table(
    binary,
    filename: str,
    size: int = 0,
    *,
    aliases: Mapping[str, str] | None = None,
    required: Iterable[str] = (),
    cell: Callable[[object, str], str] = xlsx_cell_text,
):
    """Return ``(columns, rows, progress, total)`` for a CSV or XLSX stream of ``size`` bytes.

    ``columns`` are the canonical header names (``aliases`` applied); ``rows`` yields
    ``(row number, [cell text, …])`` with the file's row numbers (the header is row 1).
    ``progress()`` and ``total`` are in the same unit (bytes for CSV, a per-million row
    fraction for XLSX), so callers can show a percentage without knowing the format.
    ``cell(value, column)`` turns a typed XLSX value into text. Raises ``ImportFileError`` when ``required``
    columns are missing.
    """
    name = filename.lower()
    if name.endswith(".xlsx"):
        header, rows, progress = _iter_xlsx(binary, cell, aliases)
        total = 1_000_000
    elif name.endswith((".csv", ".txt")):
        header, rows, progress = _iter_csv(binary)
        total = size
    else:
        raise ImportFileError(_("Unsupported file type: use .csv or .xlsx."))
    columns = [canonical_header(h, aliases) for h in header]
    missing = [c for c in required if c not in columns]
    if missing:
        raise ImportFileError(
            _("Required columns are missing: %(columns)s. Found: %(found)s.")
            % {"columns": ", ".join(missing), "found": ", ".join(h for h in header if h)}
        )
    return columns, rows, progress, total


def records(columns: list[str], rows, known: Iterable[str]) -> Iterator[tuple[int, dict]]:
    """``(row number, {column: text})`` for the ``known`` columns; blank rows are skipped."""
    wanted = [(i, c) for i, c in enumerate(columns) if c in set(known)]
    for number, values in rows:
        record = {c: (values[i] if i < len(values) else "") for i, c in wanted}
        if any(v.strip() for v in record.values()):
            yield number, record
