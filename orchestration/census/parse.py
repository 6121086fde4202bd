"""Census inputs other than fixed-width files, and what all parsers share.

The country trade table (Census ``country.xlsx``, or its CSV republication) is small and read
cell by cell, so that every value is typed exactly (DECIMAL, never a binary float) and every bad
cell is named. Fixed-width files: :mod:`orchestration.census.fixed_width`.

Every parsed row carries ``source_file`` (path relative to the input folder) and
``source_record`` (1-based record number in that file; for the CSV and the xlsx, the line or
sheet row number with the header as 1), so any warehouse figure can be traced to the records
behind it.

Errors: a record that does not fit its layout raises :class:`CensusLayoutError`, which names the
file, the record number, the field and the offending value. Parsing writes only to a TEMP table
of the connection: nothing in the warehouse changes until :func:`orchestration.census.load`
swaps a whole year in.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import pyarrow as pa

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
#: Numeric columns of the country trade table (millions of USD): imports then exports.
COUNTRY_TRADE_VALUE_COLUMNS = tuple(f"i{m}" for m in MONTHS) + ("iyr",) + tuple(f"e{m}" for m in MONTHS) + ("eyr",)


class CensusLayoutError(ValueError):
    """A source record does not match its Census layout.

    Attributes name the file, the 1-based record number (0 for a fault of the whole file: empty,
    unreadable), the field and the raw value.
    """

    def __init__(self, source_file: str, record: int, field: str, value: str, reason: str) -> None:
        self.source_file = source_file
        self.record = record
        self.field = field
        self.value = value
        self.reason = reason
        where = f"record {record}, field {field}" if record else f"field {field}"  # record 0: the whole file
        super().__init__(f"{source_file}, {where}: {reason} (value {value!r})")


def not_utf8_error(path: Path, source_file: str) -> CensusLayoutError:
    """The error for a text file that is not UTF-8: names the record (line) of the first byte that
    is not, its 1-based byte position in the record and the byte (a Latin-1 or Windows-1252 letter,
    typically, from a spreadsheet saved in a legacy encoding)."""
    with path.open("rb") as handle:
        for record, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as error:
                return CensusLayoutError(
                    source_file,
                    record,
                    f"byte {error.start + 1}",
                    f"0x{line[error.start]:02x}",
                    "not UTF-8 text (a Latin-1 or Windows-1252 character?): save the file as UTF-8",
                )
    return CensusLayoutError(source_file, 0, "file", "", "not UTF-8 text: save the file as UTF-8")


def sql_literal(text: str) -> str:
    """``text`` as a single-quoted SQL string literal (quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


#: Columns of the country trade table, as Census names them (``country.xlsx`` and its CSV).
COUNTRY_TRADE_HEADER = ("year", "CTY_CODE", "CTYNAME") + tuple(c.upper() for c in COUNTRY_TRADE_VALUE_COLUMNS)
#: Values are millions of USD with at most 6 decimals, i.e. whole dollars.
MILLIONS_SCALE = Decimal("0.000001")
COUNTRY_TRADE_VALUE_TYPE = pa.decimal128(18, 6)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class _Cells:
    """Reads the cells of one country table row; errors name file, record, column and value."""

    def __init__(self, source_file: str, positions: dict[str, int], spreadsheet: bool) -> None:
        self.source_file = source_file
        self.positions = positions
        self.spreadsheet = spreadsheet

    def error(self, record: int, name: str, value: object, reason: str) -> CensusLayoutError:
        where = f"{name} (column {_column_letter(self.positions[name])})" if self.spreadsheet else name
        return CensusLayoutError(
            self.source_file, record, where, repr(value) if self.spreadsheet else str(value), reason
        )

    def get(self, row: Sequence[object], name: str) -> object:
        index = self.positions[name]
        return row[index] if index < len(row) else None

    def code(self, row: Sequence[object], record: int, name: str, digits: int, allow_blank: bool) -> str | None:
        """A code cell as text with leading zeros (a number cell 7 is code '0007')."""
        value = self.get(row, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if allow_blank:
                return None
            raise self.error(record, name, value, "empty cell")
        if isinstance(value, bool):
            raise self.error(record, name, value, f"not a {digits}-digit code")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).zfill(digits) if isinstance(value, int) else str(value).strip()
        if len(text) != digits or not text.isdigit():
            raise self.error(record, name, value, f"not a {digits}-digit code")
        return text

    def millions(self, row: Sequence[object], record: int, name: str) -> Decimal:
        """A value cell as an exact decimal of millions of USD, rounded to 6 decimals (whole
        dollars): the float 391463.20907599997 becomes Decimal('391463.209076')."""
        value = self.get(row, name)
        if isinstance(value, bool) or value is None:
            raise self.error(record, name, value, "empty cell" if value is None else "not a number")
        if isinstance(value, str) and self.spreadsheet:
            raise self.error(record, name, value, "text in a number column (the Census table stores numbers)")
        try:
            number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        except InvalidOperation:
            raise self.error(record, name, value, "not a number") from None
        if not number.is_finite():
            raise self.error(record, name, value, "not a number")
        number = number.quantize(MILLIONS_SCALE)
        if abs(number) >= Decimal(10) ** 12:
            raise self.error(record, name, value, "too large for millions of USD")
        if number < 0:
            raise self.error(record, name, value, "negative: trade values are never below 0")
        return number


def _country_rows(rows: Iterator[Sequence[object]], source_file: str, spreadsheet: bool) -> tuple[dict[str, list], int]:
    """Columns of the typed country table from an iterator of rows (header first)."""
    header = next(rows, None)
    if header is None:
        raise CensusLayoutError(source_file, 0, "file", "", "file has no header row")
    names = [str(cell).strip() if cell is not None else "" for cell in header]
    positions = {name.lower(): i for i, name in enumerate(names) if name}
    missing = [c for c in COUNTRY_TRADE_HEADER if c.lower() not in positions]
    if missing:
        raise CensusLayoutError(
            source_file,
            1,
            "header",
            ",".join(names),
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(expected {', '.join(COUNTRY_TRADE_HEADER[:4])}, ..., {COUNTRY_TRADE_HEADER[-1]})",
        )
    cells = _Cells(source_file, {c: positions[c.lower()] for c in COUNTRY_TRADE_HEADER}, spreadsheet)
    columns: dict[str, list] = {name: [] for name in ("year", "cty_code", "cty_name", *COUNTRY_TRADE_VALUE_COLUMNS)}
    columns["source_record"] = []
    skipped = 0
    for record, row in enumerate(rows, start=2):
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row):
            skipped += 1
            continue
        year = cells.code(row, record, "year", 4, allow_blank=True)
        code = cells.code(row, record, "CTY_CODE", 4, allow_blank=False)
        values = [cells.millions(row, record, column.upper()) for column in COUNTRY_TRADE_VALUE_COLUMNS]
        if year is None:
            if any(values):
                raise cells.error(record, "year", cells.get(row, "year"), "empty cell in a row that holds values")
            skipped += 1  # the CSV republication has one all-zero row without a year
            continue
        columns["year"].append(int(year))
        columns["cty_code"].append(code)
        name = cells.get(row, "CTYNAME")
        columns["cty_name"].append(str(name).strip() if name is not None else None)
        for column, value in zip(COUNTRY_TRADE_VALUE_COLUMNS, values, strict=True):
            columns[column].append(value)
        columns["source_record"].append(record)
    return columns, skipped


def _xlsx_rows(path: Path, source_file: str) -> Iterator[Sequence[object]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    handle = path.open("rb")  # a file object: openpyxl would refuse a landing area's temporary name
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, zipfile.BadZipFile) as error:
        handle.close()
        raise CensusLayoutError(source_file, 0, "file", "", f"not a readable xlsx workbook ({error})") from None
    try:
        if len(workbook.sheetnames) != 1:
            raise CensusLayoutError(
                source_file,
                0,
                "sheet",
                ", ".join(workbook.sheetnames),
                f"workbook has {len(workbook.sheetnames)} sheets; the Census country table has one sheet "
                "('country'): remove the others or save that sheet alone",
            )
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()
        handle.close()


def _csv_rows(path: Path, source_file: str) -> Iterator[Sequence[object]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            yield from csv.reader(handle)
    except UnicodeDecodeError:
        raise not_utf8_error(path, source_file) from None


def read_country_trade(path: Path, source_file: str) -> pa.Table:
    """Read the Census "U.S. trade in goods by country" table, ``country.xlsx`` or a CSV.

    Source: census.gov/foreign-trade/balance/country.xlsx (one sheet ``country``); columns
    ``year, CTY_CODE, CTYNAME, IJAN..IDEC, IYR, EJAN..EDEC, EYR``, millions of USD (imports
    general, customs value; exports total, f.a.s.). The xlsx stores ``year`` and ``CTY_CODE`` as
    text and values as binary floats; text or number cells are both accepted for the codes
    (leading zeros kept: a number 7 is ``'0007'``), and every value is turned into an exact
    decimal rounded to 6 decimals (whole dollars): 391463.20907599997 becomes 391463.209076.
    Column names are matched without regard to case; other columns are ignored. The file is read
    as a workbook when it is one (a zip archive), else as CSV text (UTF-8).

    Returns an Arrow table: ``year`` int32, ``cty_code``, ``cty_name``, the 26 value columns
    lower-case as decimal128(18, 6) millions of USD, ``source_file``, ``source_record`` (row
    number, header = 1). Fully blank rows are skipped,
    and so is a row without a year whose values are all 0 (the CSV republication has one); a row
    without a year that holds values is an error.

    Raises ``FileNotFoundError`` when missing and :class:`CensusLayoutError` naming file, record,
    column and value for: an unreadable workbook, more than one sheet, a missing or renamed
    column, a code that is not 4 digits, an empty cell, text in a number column, a value that is
    not a number or is negative.
    """
    if not path.is_file():
        raise FileNotFoundError(f"{source_file}: file not found at {path}")
    spreadsheet = zipfile.is_zipfile(path)  # an xlsx workbook is a zip archive; else CSV text
    rows = _xlsx_rows(path, source_file) if spreadsheet else _csv_rows(path, source_file)
    columns, _ = _country_rows(iter(rows), source_file, spreadsheet)
    if not columns["source_record"]:
        raise CensusLayoutError(source_file, 0, "file", "", "the country table has no data rows")
    arrays = {
        "year": pa.array(columns["year"], pa.int32()),
        "cty_code": pa.array(columns["cty_code"], pa.string()),
        "cty_name": pa.array(columns["cty_name"], pa.string()),
        **{c: pa.array(columns[c], COUNTRY_TRADE_VALUE_TYPE) for c in COUNTRY_TRADE_VALUE_COLUMNS},
        "source_file": pa.array([source_file] * len(columns["source_record"]), pa.string()),
        "source_record": pa.array(columns["source_record"], pa.int32()),
    }
    return pa.table(arrays)


def parse_country_trade(con: duckdb.DuckDBPyConnection, path: Path, source_file: str, target: str) -> int:
    """Read the country trade table (:func:`read_country_trade`) into the TEMP table ``target``
    (values DECIMAL(18,6) millions of USD) and return its row count."""
    table = read_country_trade(path, source_file)
    con.register("_atp_country_arrow", table)
    try:
        con.execute(f"create or replace temp table {target} as select * from _atp_country_arrow order by source_record")
    finally:
        con.unregister("_atp_country_arrow")
    return table.num_rows


def months_with_data(rows: Iterable[dict]) -> dict[int, int]:
    """Per year of a country table: the last month (1-12) with a non-zero export or import value
    in any row; the newest year of a vintage is partial (later months are 0). Rows are dicts
    with ``year`` and the lower-case value columns."""
    last: dict[int, int] = {}
    for row in rows:
        year = row["year"]
        if year is None:
            continue
        month = max(
            (i for i, m in enumerate(MONTHS, start=1) if row[f"e{m}"] != 0 or row[f"i{m}"] != 0),
            default=0,
        )
        last[year] = max(last.get(year, 0), month)
    return last
