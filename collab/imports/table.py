"""What an import reads and answers: columns, the parsed table (JSON-safe between dry run and commit),
row errors and the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _


class ImportFileError(Exception):
    """The file as a whole cannot be imported (wrong format, too big, missing columns…)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = str(message)


@dataclass(frozen=True)
class Column:
    """One column of an import.

    key: the name the import code uses. headers: every header text accepted for it (compared ignoring case,
    spaces, underscores, hyphens and a trailing "*"). required: the column must be present and each row must
    have a value in it. max_length: longer cells are an error for that cell.
    """

    key: str
    headers: tuple[str, ...]
    required: bool = True
    max_length: int = 200

    @property
    def label(self) -> str:
        return self.headers[0]

    def header_for(self, language: str | None) -> str:
        """The header an export writes for a reader: headers[0] is English, headers[1] Chinese."""
        chinese = (language or "").startswith("zh") and len(self.headers) > 1
        return self.headers[1] if chinese else self.headers[0]


@dataclass(frozen=True)
class RowError:
    row: int  # as the user sees it in the file; 0 for errors about the whole file
    column: str  # the header as written in the file ("" when the error is about the whole row)
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class CleanRow:
    number: int
    data: dict[str, Any]


@dataclass
class Table:
    """Parsed rows of an upload: `rows` holds (row number, {column key: text})."""

    columns: tuple[str, ...]
    headers: dict[str, str]  # column key -> the header as written in the file
    rows: list[tuple[int, dict[str, str]]]
    filename: str = ""
    ignored_headers: list[str] = field(default_factory=list)

    def to_data(self) -> dict[str, Any]:
        return {
            "columns": list(self.columns),
            "headers": dict(self.headers),
            "rows": [[number, [values.get(key, "") for key in self.columns]] for number, values in self.rows],
            "filename": self.filename,
            "ignored_headers": list(self.ignored_headers),
        }

    @classmethod
    def from_data(cls, data: Any) -> Table:
        """Rebuild a table kept with `to_data()`; anything malformed raises ImportFileError."""
        try:
            columns = tuple(str(key) for key in data["columns"])
            rows = []
            for number, cells in data["rows"]:
                if not isinstance(number, int) or len(cells) != len(columns):
                    raise ValueError("bad row")
                rows.append((number, {key: str(cell) for key, cell in zip(columns, cells, strict=True)}))
            return cls(
                columns=columns,
                headers={str(k): str(v) for k, v in dict(data["headers"]).items()},
                rows=rows,
                filename=str(data.get("filename", "")),
                ignored_headers=[str(h) for h in data.get("ignored_headers", [])],
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ImportFileError(_("The uploaded data has expired; upload the file again.")) from error


@dataclass
class ImportResult:
    total: int
    rows: list[CleanRow]
    errors: list[RowError]
    committed: bool = False
    written: int = 0
    preview_size: int = 50

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def preview(self) -> list[CleanRow]:
        return self.rows[: self.preview_size]

    @property
    def error_rows(self) -> list[int]:
        return sorted({error.row for error in self.errors})
