"""Excel out: a sheet from headers and rows, and the download response.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any


def export_xlsx(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_title: str = "Export"
) -> bytes:
    """A workbook with one sheet: a bold header row, then the rows. Text stays text (never a formula)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", str(sheet_title))[:31] or "Export")
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)

    def as_cell(value: Any):
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # a text starting with "=" must stay text
            return cell
        if isinstance(value, Decimal):
            return float(value)
        return value

    for row in rows:
        sheet.append([as_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str):
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
