"""Checking the uploaded file and reading the workbook's rows.

The file is refused before openpyxl sees it when it is too large, not a zip with `xl/workbook.xml`, or would
unpack to too much (the sizes in the zip directory are summed first; Python's zipfile never inflates a member past
its declared size, so the sum is a real bound). openpyxl parses XML through defusedxml, loads read-only and never
evaluates formulas: a cell written `=1+1` is read as the text "=1+1".
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl.utils import get_column_letter

from mentoring.roster.spec import SHEETS, Column, SheetSpec, is_notes_sheet, normalise, sheet_spec_for

# A member this large may not be compressed more than this: XML of a real roster shrinks ~10-30×, a bomb ~1000×.
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_MEMBERS = 2000


@dataclass(frozen=True)
class CellError:
    """One bad cell (or a sheet-level problem when `row` is None). `message` is an English msgid with %(params)s."""

    sheet: str
    row: int | None
    column: str
    letter: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "letter": self.letter,
            "message": self.message,
            "params": self.params,
        }


@dataclass
class SheetRows:
    spec: SheetSpec
    title: str
    # column key → (0-based index, letter, header as written)
    columns: dict[str, tuple[int, str, str]]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def locate(self, key: str) -> tuple[str, str]:
        """(header, letter) of a column, or the expected header when the sheet lacks it."""
        if key in self.columns:
            _index, letter, header = self.columns[key]
            return header, letter
        return self.spec.column(key).header, ""


@dataclass
class ParsedWorkbook:
    sheets: dict[str, SheetRows]
    errors: list[CellError]


def size_check(size: int) -> None:
    """Refuse a file by its size alone (a view calls this before reading the upload into memory)."""
    limit = settings.YUREN_IMPORT_MAX_BYTES
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s. Split the roster into several workbooks.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )


def file_check(content: bytes) -> None:
    """Refuse what is not a reasonable .xlsx before any XML is parsed."""
    size_check(len(content))
    not_xlsx = ValidationError(
        _(
            "This is not an Excel .xlsx workbook. In Excel choose “Save as” → “Excel Workbook (*.xlsx)” "
            "(remove any password) and upload that file."
        ),
        code="not_xlsx",
    )
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise not_xlsx from exc
    if not any(member.filename == "xl/workbook.xml" for member in members):
        raise not_xlsx
    refused = ValidationError(
        _("The workbook would unpack to more than %(limit)s, or is packed suspiciously tightly; it was refused.")
        % {"limit": filesizeformat(settings.YUREN_IMPORT_MAX_UNCOMPRESSED_BYTES)},
        code="zip_bomb",
    )
    if len(members) > MAX_ZIP_MEMBERS or any(member.flag_bits & 0x1 for member in members):
        raise refused
    if sum(member.file_size for member in members) > settings.YUREN_IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise refused
    for member in members:
        if member.file_size >= RATIO_CHECKED_FROM_BYTES and (
            member.compress_size == 0 or member.file_size / member.compress_size > MAX_COMPRESSION_RATIO
        ):
            raise refused


def _header_map(spec: SheetSpec, title: str, header: tuple, errors: list[CellError]) -> dict[str, tuple[int, str, str]]:
    by_alias: dict[str, Column] = {alias: column for column in spec.columns for alias in column.aliases}
    columns: dict[str, tuple[int, str, str]] = {}
    for index, value in enumerate(header):
        if value is None or not str(value).strip():
            continue
        column = by_alias.get(normalise(value))
        if column is None:
            continue  # extra columns (remarks, …) are allowed and ignored
        letter = get_column_letter(index + 1)
        if column.key in columns:
            errors.append(
                CellError(
                    title,
                    1,
                    str(value).strip(),
                    letter,
                    gettext_noop("The column %(column)s appears twice."),
                    {"column": value},
                )
            )
            continue
        columns[column.key] = (index, letter, str(value).strip())
    for column in spec.columns:
        if column.required and column.key not in columns:
            errors.append(
                CellError(
                    title,
                    1,
                    column.header,
                    "",
                    gettext_noop("Missing required column %(column)s: row 1 must name it (in Chinese or English)."),
                    {"column": column.header},
                )
            )
    return columns


def _read_sheet(spec: SheetSpec, worksheet, errors: list[CellError]) -> SheetRows:
    # Some writers record wrong dimensions; without this, read-only mode may silently drop rows.
    worksheet.reset_dimensions()
    rows = worksheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return SheetRows(spec=spec, title=worksheet.title, columns={})
    before = len(errors)
    columns = _header_map(spec, worksheet.title, header, errors)
    sheet = SheetRows(spec=spec, title=worksheet.title, columns=columns)
    if len(errors) > before:
        return sheet
    positions = [(key, index) for key, (index, _letter, _header) in columns.items()]
    for row_number, values in enumerate(rows, start=2):
        record = {key: values[index] if index < len(values) else None for key, index in positions}
        if any(value is not None and str(value).strip() for value in record.values()):
            sheet.rows.append((row_number, record))
    return sheet


def _is_blank(worksheet) -> bool:
    worksheet.reset_dimensions()
    return not any(
        value is not None and str(value).strip() for row in worksheet.iter_rows(values_only=True) for value in row
    )


def workbook_read(content: bytes) -> ParsedWorkbook:
    """Check the file, then read every known sheet. Structural problems (unknown or duplicate sheets, missing
    columns) come back as errors; the rows of a sheet with such a problem are not read."""
    file_check(content)
    if not openpyxl.DEFUSEDXML:
        raise ImproperlyConfigured("defusedxml must be installed (and OPENPYXL_DEFUSEDXML not False) to read uploads")
    try:
        workbook = openpyxl.load_workbook(BytesIO(content), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many types (KeyError, XML and zip errors) for a broken package
        raise ValidationError(
            _("The workbook could not be read; open it in Excel, save it as .xlsx and upload it again."),
            code="unreadable",
        ) from exc
    errors: list[CellError] = []
    sheets: dict[str, SheetRows] = {}
    try:
        for worksheet in workbook.worksheets:
            if is_notes_sheet(worksheet.title):
                continue
            spec = sheet_spec_for(worksheet.title)
            if spec is None and _is_blank(worksheet):
                continue  # Excel's empty "Sheet1" and the like
            if spec is None:
                errors.append(
                    CellError(
                        worksheet.title,
                        None,
                        "",
                        "",
                        gettext_noop("Unknown sheet %(sheet)s: rename it to one of %(names)s, or delete it."),
                        {"sheet": worksheet.title, "names": "、".join(sheet.title for sheet in SHEETS)},
                    )
                )
                continue
            if spec.key in sheets:
                errors.append(
                    CellError(
                        worksheet.title,
                        None,
                        "",
                        "",
                        gettext_noop("Two sheets hold %(sheet)s; merge them into one."),
                        {"sheet": spec.title},
                    )
                )
                continue
            sheets[spec.key] = _read_sheet(spec, worksheet, errors)
    except Exception as exc:  # a damaged sheet part surfaces only while iterating
        raise ValidationError(
            _("The workbook could not be read; open it in Excel, save it as .xlsx and upload it again."),
            code="unreadable",
        ) from exc
    finally:
        workbook.close()
    if not sheets and not errors:
        errors.append(
            CellError(
                "",
                None,
                "",
                "",
                gettext_noop("The workbook has none of the roster sheets (%(names)s). Start from the template."),
                {"names": "、".join(sheet.title for sheet in SHEETS)},
            )
        )
    return ParsedWorkbook(sheets=sheets, errors=errors)
