"""Excel exports of the dashboards: the same numbers and filters as the pages, plus a per-person sheet (R-22).

openpyxl's write-only mode streams rows to a file (memory does not grow with the rows written); every text cell
that a spreadsheet would read as a formula (= + - @) is prefixed with an apostrophe. Headers are Chinese, the
header row is frozen, and columns get widths that fit their content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from accounts.models import College
from mentoring.models import Semester, StaffRole
from mentoring.selectors.compliance import MET, NOT_DUE, PENDING, SHORT
from mentoring.selectors.dashboards import DashboardParts, DashboardTotals, name_rows

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
STATUS_ZH = {MET: "达标", SHORT: "未达标", PENDING: "进行中", NOT_DUE: "未到期", None: "—"}
ROLE_ZH = {StaffRole.MENTOR: "本科生导师", StaffRole.ADVISOR: "班主任", StaffRole.COUNSELOR: "辅导员"}
BOLD = Font(bold=True)
NAME_BATCH = 5000


def safe(value):
    """A text that a spreadsheet would run as a formula is written as text (formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _width(header: str) -> int:
    return max(8, min(60, sum(2 if ord(ch) > 0x2E80 else 1 for ch in header) + 4))


class _Sheet:
    """A write-only sheet: frozen bold header row, column widths, every row escaped; rows can come at any time."""

    def __init__(self, workbook: Workbook, title: str, widths: list[int] | None = None):
        self.sheet = workbook.create_sheet(title)
        self.sheet.freeze_panes = "A2"
        self.widths = widths

    def header(self, headers: list[str]) -> None:
        for index, header in enumerate(headers):
            width = self.widths[index] if self.widths and index < len(self.widths) else _width(header)
            self.sheet.column_dimensions[_column(index)].width = width
        cells = []
        for header in headers:
            cell = WriteOnlyCell(self.sheet, value=header)
            cell.font = BOLD
            cells.append(cell)
        self.sheet.append(cells)

    def rows(self, rows: Iterable[list]) -> None:
        for row in rows:
            self.sheet.append([safe(v) for v in row])


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _pct(value: float | None):
    return "" if value is None else value


def _batched(items: list, size: int = NAME_BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


UNIT_WIDTHS = [12, 12, 14, 16, 10, 8, 8, 10]


def write_dashboard(
    out: IO[bytes],
    *,
    semester: Semester,
    college: College | None,
    role: str,
    on: date,
    progress: Callable[[int], None] | None = None,
) -> DashboardTotals:
    """Write the dashboard the page shows (same filters and numbers) to `out` as .xlsx; the caller has checked access.

    The dashboard is read one college at a time (`DashboardParts`) and each college's rows are written before the
    next is read, so memory does not grow with the school: the per-person, weekly and lagging sheets list the
    people college by college (by college code, then as on the page); the sheets of totals are written last, into
    the places made for them first. `progress(percent)` is called after each college."""
    report = progress or (lambda percent: None)
    parts = DashboardParts(semester=semester, on=on, role=role, college=college)
    colleges = {c.pk: c for c in parts.colleges}
    workbook = Workbook(write_only=True)
    filters = _Sheet(workbook, "筛选条件", widths=[20, 40])
    shares = _Sheet(workbook, "各规则达标率", widths=[10, 12, 36, 8, 10, 12, 12, 14, 16])
    ranking = _Sheet(workbook, "学院排名") if college is None else None
    people = _Sheet(workbook, "人员明细")
    grid = _Sheet(workbook, "辅导员每周")
    students = _Sheet(workbook, "学生谈话不足", widths=UNIT_WIDTHS)
    classes = _Sheet(workbook, "班会不足", widths=UNIT_WIDTHS)
    students.header(["导师工号", "导师", "学号", "学生", "要求编号", "次数", "应达", "状态"])
    classes.header(["负责人工号", "负责人", "班级代码", "班级", "要求编号", "次数", "应达", "状态"])
    rules: list = []
    total = max(1, len(parts.colleges) + (college is None))
    for done, part in enumerate(parts, start=1):
        piece = part.piece
        if done == 1:  # every rule of the policy for the roles in view, and its teaching weeks: the same in every part
            rules = [(r.slug, r.requirement, r.title_zh) for r in piece.rules]
            headers = ["工号", "姓名", "学院", "角色", "基础履职", "未达标项数", "尚缺记录数"]
            headers += [f"{requirement} {title}（达标/应查）" for _slug, requirement, title in rules]
            people.widths = [12, 12, 20, 20, 10, 12, 12] + [24] * len(rules)
            people.header(headers)
            grid.widths = [12, 12] + [22] * len(piece.weeks)  # the engine's teaching weeks, as on the page
            grid.header(["工号", "辅导员"] + [f"第{week}周" for week in piece.weeks])
        people.rows(_person_rows(piece.people, colleges, [slug for slug, _r, _t in rules]))
        if piece.grid:
            name_rows(grid=piece.grid)
            grid.rows(
                [row.number, row.name] + [f"{STATUS_ZH[c.status]} {c.counts}".strip() for c in row.cells]
                for row in piece.grid
            )
        students.rows(_unit_rows(piece.students_short))
        classes.rows(_unit_rows(piece.classes_short))
        del piece, part
        report(int(95 * done / total))
    totals = parts.totals()
    filters.header(["项目", "值"])
    filters.rows(
        [
            ["范围", college.name if college else "全校"],
            ["学期", str(semester)],
            ["角色", ROLE_ZH.get(role, "全部角色")],
            ["统计日期", on.isoformat()],
            ["上学期", str(parts.previous) if parts.previous else "—"],
            ["全部达标人数", totals.fully_compliant],
            ["人数", totals.people],
            ["全部达标比例(%)", _pct(totals.share)],
        ]
    )
    shares.header(
        [
            "要求编号",
            "角色",
            "规则",
            "人数",
            "达标人数",
            "达标比例(%)",
            "上学期人数",
            "上学期达标人数",
            "上学期达标比例(%)",
        ]
    )
    shares.rows(
        [
            r.requirement,
            ROLE_ZH[r.role],
            r.title_zh,
            r.people,
            r.compliant,
            _pct(r.share),
            r.previous_people,
            r.previous_compliant,
            _pct(r.previous_share),
        ]
        for r in totals.rules
    )
    if ranking is not None:
        ranking.header(
            [
                "排名",
                "学院代码",
                "学院",
                "人数",
                "全部达标人数",
                "达标比例(%)",
                "导师达标比例(%)",
                "班主任达标比例(%)",
                "辅导员达标比例(%)",
                "逾期督导问题",
            ]
        )
        ranking.rows(
            [
                c.rank,
                c.college.code,
                c.college.name,
                c.people,
                c.compliant,
                _pct(c.share),
                _pct(c.role_share(StaffRole.MENTOR)),
                _pct(c.role_share(StaffRole.ADVISOR)),
                _pct(c.role_share(StaffRole.COUNSELOR)),
                c.overdue_findings,
            ]
            for c in totals.colleges
        )
    workbook.save(out)
    report(100)
    return totals


def _person_rows(people: list, colleges: dict, slugs: list[str]) -> Iterator[list]:
    """One row per person: fit for title promotion and performance pay (R-22)."""
    for batch in _batched(sorted(people, key=lambda p: p.person_id)):
        name_rows(people=batch)
        for person in batch:
            college = colleges.get(person.college_id)
            row = [
                person.number,
                person.name,
                college.name if college else "",
                "、".join(ROLE_ZH[r] for r in StaffRole.values if r in person.roles),
                "合格" if person.compliant else "不合格",
                person.short,
                person.records_needed,
            ]
            for slug in slugs:
                standing = person.rules.get(slug)
                row.append(f"{standing[0]}/{standing[1]}" if standing else "")
            yield row


def _unit_rows(units: list) -> Iterator[list]:
    for batch in _batched(units):
        name_rows(units=batch)
        for u in batch:
            yield [
                u.person_number,
                u.person_name,
                u.unit_code,
                u.unit_name,
                u.requirement,
                u.count,
                u.required,
                STATUS_ZH[u.status],
            ]


def export_filename(semester: Semester, college: College | None) -> str:
    return f"yuren-{college.code if college else 'school'}-{semester.code}.xlsx"
