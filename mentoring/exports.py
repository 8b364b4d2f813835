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
from mentoring.selectors.dashboards import Dashboard, college_dashboard, name_rows, school_dashboard

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


def _sheet(workbook: Workbook, title: str, headers: list[str], rows: Iterable[list], widths: list[int] | None = None):
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers):
        width = widths[index] if widths else _width(header)
        sheet.column_dimensions[_column(index)].width = width
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = BOLD
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append([safe(v) for v in row])


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


def write_workbook(out: IO[bytes], dashboard: Dashboard, *, progress: Callable[[int], None] | None = None) -> None:
    """Write the dashboard to `out` as .xlsx; `progress(percent)` is called as the large sheets fill."""
    report = progress or (lambda percent: None)
    workbook = Workbook(write_only=True)
    scope = dashboard.college.name if dashboard.college else "全校"
    role = ROLE_ZH.get(dashboard.role, "全部角色")
    _sheet(
        workbook,
        "筛选条件",
        ["项目", "值"],
        [
            ["范围", scope],
            ["学期", str(dashboard.semester)],
            ["角色", role],
            ["统计日期", dashboard.on.isoformat()],
            ["上学期", str(dashboard.previous) if dashboard.previous else "—"],
            ["全部达标人数", dashboard.fully_compliant],
            ["人数", len(dashboard.people)],
            ["全部达标比例(%)", _pct(dashboard.share)],
        ],
        widths=[20, 40],
    )
    _sheet(
        workbook,
        "各规则达标率",
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
        ],
        (
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
            for r in dashboard.rules
        ),
        widths=[10, 12, 36, 8, 10, 12, 12, 14, 16],
    )
    if dashboard.colleges:
        _sheet(
            workbook,
            "学院排名",
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
            ],
            (
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
                for c in dashboard.colleges
            ),
        )
    report(10)
    _person_sheet(workbook, dashboard, report)
    _grid_sheet(workbook, dashboard)
    report(70)
    _unit_sheet(
        workbook,
        "学生谈话不足",
        ["导师工号", "导师", "学号", "学生", "要求编号", "次数", "应达", "状态"],
        dashboard.students_short,
    )
    report(85)
    _unit_sheet(
        workbook,
        "班会不足",
        ["负责人工号", "负责人", "班级代码", "班级", "要求编号", "次数", "应达", "状态"],
        dashboard.classes_short,
    )
    workbook.save(out)
    report(100)


def _person_sheet(workbook: Workbook, dashboard: Dashboard, report: Callable[[int], None]) -> None:
    """One row per person: fit for title promotion and performance pay (R-22)."""
    colleges = {c.pk: c for c in College.objects.all()}
    slugs = [r.slug for r in dashboard.rules]
    headers = ["工号", "姓名", "学院", "角色", "基础履职", "未达标项数", "尚缺记录数"]
    headers += [f"{r.requirement} {r.title_zh}（达标/应查）" for r in dashboard.rules]
    people = sorted(dashboard.people, key=lambda p: p.person_id)

    def rows() -> Iterator[list]:
        done = 0
        for batch in _batched(people):
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
            done += len(batch)
            report(10 + int(50 * done / max(1, len(people))))

    widths = [12, 12, 20, 20, 10, 12, 12] + [24] * len(slugs)
    _sheet(workbook, "人员明细", headers, rows(), widths=widths)


def _grid_sheet(workbook: Workbook, dashboard: Dashboard) -> None:
    if not dashboard.grid:
        return
    name_rows(grid=dashboard.grid)
    headers = ["工号", "辅导员"] + [f"第{week}周" for week in dashboard.weeks]
    rows = (
        [row.number, row.name] + [f"{STATUS_ZH[c.status]} {c.counts}".strip() for c in row.cells]
        for row in dashboard.grid
    )
    _sheet(workbook, "辅导员每周", headers, rows, widths=[12, 12] + [22] * len(dashboard.weeks))


def _unit_sheet(workbook: Workbook, title: str, headers: list[str], units: list) -> None:
    def rows() -> Iterator[list]:
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

    _sheet(workbook, title, headers, rows(), widths=[12, 12, 14, 16, 10, 8, 8, 10])


def write_dashboard(
    out: IO[bytes],
    *,
    semester: Semester,
    college: College | None,
    role: str,
    on: date,
    progress: Callable[[int], None] | None = None,
) -> Dashboard:
    """Build the dashboard the page shows (same filters) and write it; the caller has checked access."""
    if college is None:
        dashboard = school_dashboard(semester=semester, on=on, role=role)
    else:
        dashboard = college_dashboard(semester=semester, college=college, on=on, role=role)
    write_workbook(out, dashboard, progress=progress)
    return dashboard


def export_filename(semester: Semester, college: College | None) -> str:
    return f"yuren-{college.code if college else 'school'}-{semester.code}.xlsx"
