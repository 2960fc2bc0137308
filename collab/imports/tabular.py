"""All-or-nothing tabular imports from Excel (.xlsx) or CSV, with a dry run. Reused by every area.

An import is a subclass of `TabularImport` that names its columns (each with the header names it accepts,
English and Chinese), cleans one row at a time and writes one row at a time through the area's services.
The base class does the rest: reading the upload safely (size and row caps, garbage files refused with a
clear message), mapping headers, numbering rows as the user sees them (the header is row 1, the first data
row is row 2), collecting every error as (row, column, message), and committing inside one transaction so
that any error writes nothing.

Example::

    class KpiImport(TabularImport):
        columns = (
            Column("code", ("Code", "编码"), max_length=50),
            Column("name", ("Name", "名称")),
            Column("unit", ("Unit", "单位"), required=False),
        )

        def prepare(self, table):
            # Called once before the rows are cleaned: preload lookups here, not per row.
            self.existing = set(Kpi.objects.values_list("code", flat=True))

        def clean_row(self, values):
            # values: {column key: stripped text}; raise ValidationError({key: message}) for bad cells.
            return {"code": values["code"], "name": values["name"], "unit": values["unit"]}

        def write_row(self, row, *, actor):
            # Inside the import's transaction; a ValidationError here names row.number and undoes it all.
            kpi_create(actor=actor, **row.data)

    importer = KpiImport()
    table = importer.read(request.FILES["file"])        # ImportFileError: show error.message
    result = importer.dry_run(table)                     # result.errors, result.preview, result.total
    result = importer.commit(table, actor=request.user)  # result.committed is True only if all was written

`Table.to_data()` / `Table.from_data()` turn the parsed rows into JSON-safe data so a page can keep them
(in the session) between the dry run and the confirmation without keeping the uploaded file.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collab.imports.table import CleanRow, Column, ImportFileError, ImportResult, RowError, Table

MAX_COLUMNS = 60
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # an .xlsx that inflates beyond this is refused (zip bomb)
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format


class _RollBack(Exception):
    pass


def _normalise_header(text: str) -> str:
    return re.sub(r"[\s_\-*:：]+", "", str(text)).casefold()


def _cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ".0", dates as ISO, everything stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time | Decimal | int):
        return str(value) if not isinstance(value, datetime.date) else value.isoformat()
    return str(value).strip()


class TabularImport:
    """Base of every import; see the module docstring for an example."""

    columns: Sequence[Column] = ()
    max_bytes: int = 5 * 1024 * 1024
    max_rows: int = 5000
    preview_size: int = 50
    title = gettext_lazy("Import")

    # Keys of the services' ValidationErrors that name a column differently (e.g. {"manager": "manager_no"}).
    error_columns: Mapping[str, str] = {}

    def __init__(self) -> None:
        self._headers: dict[str, str] = {}
        self._raw_rows: list[tuple[int, dict[str, str]]] = []

    # ----- reading --------------------------------------------------------------------------------
    def read(self, upload) -> Table:
        """Parse an uploaded file (Django UploadedFile or any object with .name and .read())."""
        if upload is None:
            raise ImportFileError(_("Choose a file to upload."))
        name = str(getattr(upload, "name", "") or "")
        size = getattr(upload, "size", None)
        if size is not None and size > self.max_bytes:
            raise ImportFileError(self._too_big_message())
        data = upload.read(self.max_bytes + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if len(data) > self.max_bytes:
            raise ImportFileError(self._too_big_message())
        if not data.strip():
            raise ImportFileError(_("The file is empty."))
        suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
        if data.startswith(OLE_MAGIC) or suffix == "xls":
            raise ImportFileError(
                _("The old .xls format is not supported: save the file as .xlsx or CSV (UTF-8).")
            )
        if data.startswith(XLSX_MAGIC):
            raw_rows = self._xlsx_rows(data)
        elif suffix in ("csv", "txt", ""):
            raw_rows = self._csv_rows(data)
        else:
            raise ImportFileError(_("Upload an Excel workbook (.xlsx) or a CSV file."))
        return self._table(raw_rows, name)

    def _too_big_message(self) -> str:
        return _("The file is larger than %(size)s MB; split it into smaller files.") % {
            "size": f"{self.max_bytes / (1024 * 1024):g}"
        }

    def _xlsx_rows(self, data: bytes) -> Iterator[tuple[int, list[str]]]:
        import openpyxl

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
                    raise ImportFileError(
                        _("The workbook is too large once unpacked; split it into smaller files.")
                    )
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except ImportFileError:
            raise
        except Exception as error:  # openpyxl raises many kinds of errors for a damaged file
            raise ImportFileError(_("This file could not be read as an Excel workbook (.xlsx).")) from error
        try:
            if not workbook.worksheets:
                raise ImportFileError(_("The workbook has no sheets."))
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # some tools write wrong dimensions; read what is really there
            for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                yield number, [_cell_text(value) for value in values]
        except ImportFileError:
            raise
        except Exception as error:
            raise ImportFileError(_("This file could not be read as an Excel workbook (.xlsx).")) from error
        finally:
            workbook.close()

    def _csv_rows(self, data: bytes) -> Iterator[tuple[int, list[str]]]:
        if b"\x00" in data:
            raise ImportFileError(_("This looks like a binary file, not a CSV file."))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError(
                _("The CSV file is not UTF-8 encoded: in Excel, save it as “CSV UTF-8 (comma delimited)”.")
            ) from error
        first_line = text.split("\n", 1)[0]
        delimiter = max((",", ";", "\t"), key=first_line.count) if first_line else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for number, values in enumerate(reader, start=1):
                yield number, [_cell_text(value) for value in values[:MAX_COLUMNS]]
        except csv.Error as error:
            message = _("The CSV file is malformed near row %(row)s.") % {"row": reader.line_num}
            raise ImportFileError(message) from error

    def _table(self, raw_rows: Iterator[tuple[int, list[str]]], filename: str) -> Table:
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for number, values in raw_rows:
            if not any(values):
                continue
            if header is None:
                header = values
                continue
            rows.append((number, values))
            if len(rows) > self.max_rows:
                raise ImportFileError(
                    _("The file has more than %(max)s data rows; split it into smaller files.")
                    % {"max": f"{self.max_rows:,}"}
                )
        if header is None:
            raise ImportFileError(_("The file has no header row."))
        positions, headers, ignored = self._map_header(header)
        if not rows:
            raise ImportFileError(_("The file has a header row but no data rows."))
        keys = tuple(column.key for column in self.columns)

        def cell(values: list[str], key: str) -> str:
            index = positions.get(key)
            return values[index] if index is not None and index < len(values) else ""

        parsed = [(number, {key: cell(values, key) for key in keys}) for number, values in rows]
        return Table(columns=keys, headers=headers, rows=parsed, filename=filename, ignored_headers=ignored)

    def _map_header(self, header: list[str]) -> tuple[dict[str, int], dict[str, str], list[str]]:
        accepted = {}
        for column in self.columns:
            for name in column.headers:
                accepted[_normalise_header(name)] = column
        positions: dict[str, int] = {}
        headers: dict[str, str] = {}
        ignored: list[str] = []
        for index, text in enumerate(header):
            if not text:
                continue
            column = accepted.get(_normalise_header(text))
            if column is None:
                ignored.append(text)
                continue
            if column.key in positions:
                raise ImportFileError(
                    _("The column “%(column)s” appears more than once.") % {"column": column.label}
                )
            positions[column.key] = index
            headers[column.key] = text
        missing = [column for column in self.columns if column.required and column.key not in positions]
        if missing:
            raise ImportFileError(
                _("Missing required columns: %(columns)s.")
                % {"columns": "; ".join(" / ".join(column.headers) for column in missing)}
            )
        for column in self.columns:
            headers.setdefault(column.key, column.label)
        return positions, headers, ignored

    # ----- hooks for subclasses -------------------------------------------------------------------
    def prepare(self, table: Table) -> None:
        """Preload what clean_row needs (one query per lookup, not per row)."""

    def clean_row(self, values: dict[str, str]) -> dict[str, Any]:
        """Turn one row's texts into data; raise ValidationError({column key: message}) for bad cells."""
        return dict(values)

    def clean_rows(self, rows: list[CleanRow]) -> list[RowError]:
        """Checks across rows (duplicates, references, cycles). Return the errors found."""
        return []

    def write_order(self, rows: list[CleanRow]) -> list[CleanRow]:
        """The order rows are written in (e.g. parents before children)."""
        return rows

    def write_row(self, row: CleanRow, *, actor) -> None:
        raise NotImplementedError

    # ----- helpers for subclasses -----------------------------------------------------------------
    def row_error(self, row: int, key: str, message: str) -> RowError:
        return RowError(row=row, column=self._headers.get(key, key) if key else "", message=str(message))

    def duplicate_errors(self, rows: list[CleanRow], key: str) -> list[RowError]:
        """An error on every row whose `key` value already appeared in an earlier row of the file.

        Rows that failed cleaning count too (by their text), so a duplicate of a bad row is still named.
        """
        seen: dict[Any, int] = {}
        errors = []
        cleaned = {row.number: row.data.get(key) for row in rows}
        for number, values in self._raw_rows:
            value = cleaned[number] if number in cleaned else values.get(key, "")
            if value in (None, ""):
                continue
            if value in seen:
                message = _("Duplicate of row %(row)s.") % {"row": seen[value]}
                errors.append(self.row_error(number, key, message))
            else:
                seen[value] = number
        return errors

    # ----- running --------------------------------------------------------------------------------
    def validate(self, table: Table) -> ImportResult:
        self._headers = dict(table.headers)
        self._raw_rows = list(table.rows)
        self.prepare(table)
        errors: list[RowError] = []
        clean: list[CleanRow] = []
        lengths = {column.key: column for column in self.columns}
        for number, values in table.rows:
            cell_errors = []
            for key, column in lengths.items():
                text = values.get(key, "")
                if "\x00" in text:
                    cell_errors.append(self.row_error(number, key, _("This cell contains a NUL character.")))
                elif len(text) > column.max_length:
                    cell_errors.append(
                        self.row_error(
                            number,
                            key,
                            _("At most %(max)s characters (this has %(n)s).")
                            % {"max": column.max_length, "n": len(text)},
                        )
                    )
                elif column.required and not text:
                    cell_errors.append(self.row_error(number, key, _("This value is required.")))
            if cell_errors:
                errors.extend(cell_errors)
                continue
            try:
                clean.append(CleanRow(number=number, data=self.clean_row(dict(values))))
            except ValidationError as error:
                errors.extend(self._validation_errors(number, error))
        errors.extend(self.clean_rows(clean))
        errors.sort(key=lambda e: (e.row, e.column))
        return ImportResult(total=len(table.rows), rows=clean, errors=errors, preview_size=self.preview_size)

    def dry_run(self, table: Table) -> ImportResult:
        """Validate everything and write nothing."""
        return self.validate(table)

    def commit(self, table: Table, *, actor) -> ImportResult:
        """Validate again and write every row in one transaction; any error writes nothing."""
        result = self.validate(table)
        if result.errors:
            return result
        written = 0
        try:
            with transaction.atomic():
                for row in self.write_order(result.rows):
                    try:
                        self.write_row(row, actor=actor)
                    except ValidationError as error:
                        result.errors.extend(self._validation_errors(row.number, error))
                        raise _RollBack from error
                    except (IntegrityError, DataError) as error:
                        result.errors.append(
                            self.row_error(row.number, "", _("This row conflicts with existing data."))
                        )
                        raise _RollBack from error
                    written += 1
        except _RollBack:
            return result
        result.committed = True
        result.written = written
        return result

    def _validation_errors(self, number: int, error: ValidationError) -> list[RowError]:
        if hasattr(error, "error_dict"):
            return [
                self.row_error(number, "" if key == "__all__" else self.error_columns.get(key, key), message)
                for key, messages in error.message_dict.items()
                for message in messages
            ]
        return [self.row_error(number, "", message) for message in error.messages]
