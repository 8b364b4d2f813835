"""The stipend sheet as an Excel workbook for finance (R-23, R-26).

openpyxl's write-only mode streams the rows; amounts are written as exact Decimal yuan (the cell holds the
number as the database has it, no float on the way) with a two-decimal format; text a spreadsheet would run as a
formula (= + - @) is prefixed with an apostrophe. Totals are the database's sums, the same as on the page.
"""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from awards.selectors import StipendSheet, allowance_recipients
from mentoring.models import StaffRole

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ROLE_ZH = {StaffRole.MENTOR: "本科生导师", StaffRole.ADVISOR: "班主任", StaffRole.COUNSELOR: "辅导员"}
YUAN = "#,##0.00"
BOLD = Font(bold=True)


def safe(value):
    """Text that a spreadsheet would run as a formula is written as text (formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _row(sheet, values: list, bold: bool = False) -> list:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=safe(value))
        if isinstance(value, Decimal):
            cell.number_format = YUAN
        if bold:
            cell.font = BOLD
        cells.append(cell)
    return cells


def _sheet(workbook: Workbook, title: str, headers: list[str], widths: list[int]):
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append(_row(sheet, headers, bold=True))
    return sheet


def stipend_workbook(out: IO[bytes], sheet: StipendSheet) -> None:
    workbook = Workbook(write_only=True)
    awards = _sheet(workbook, "奖励", ["工号", "姓名", "学院", "角色", "奖项", "金额(元)"], [12, 12, 20, 12, 26, 14])
    for award in sheet.awards:
        awards.append(
            _row(
                awards,
                [
                    award.person.number,
                    award.person.name,
                    award.college.name if award.college else "",
                    ROLE_ZH.get(award.role, award.role),
                    award.category.name_zh,
                    award.category.stipend,
                ],
            )
        )
    allowances = _sheet(workbook, "工作津贴", ["工号", "姓名", "学院", "角色", "金额(元)"], [12, 12, 20, 12, 14])
    recipients = (
        allowance_recipients(sheet.cycle)
        .filter(role__in=list(sheet.allowances))
        .select_related("person", "college")
        .order_by("college__code", "role", "person__number")
    )
    for candidate in recipients.iterator(chunk_size=2000):
        allowances.append(
            _row(
                allowances,
                [
                    candidate.person.number,
                    candidate.person.name,
                    candidate.college.name if candidate.college else "",
                    ROLE_ZH.get(candidate.role, candidate.role),
                    sheet.allowances[candidate.role],
                ],
            )
        )
    totals = _sheet(
        workbook,
        "合计",
        ["学院", "奖励人次", "奖励金额(元)", "津贴人数", "津贴金额(元)", "合计(元)"],
        [20, 10, 16, 10, 16, 16],
    )
    for entry in [*sheet.colleges, sheet.overall]:
        totals.append(
            _row(
                totals,
                [
                    entry.name if entry is not sheet.overall else "全校合计",
                    entry.awards,
                    entry.award_amount,
                    entry.allowance_people,
                    entry.allowance_amount,
                    entry.total,
                ],
                bold=entry is sheet.overall,
            )
        )
    workbook.save(out)
