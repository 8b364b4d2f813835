"""The roster workbook's format: its sheets and columns, and the template a clerk fills in.

Sheet and column names are written "中文 english" in the template; a clerk may use the Chinese name, the English
name or both. Names are compared without spaces, underscores, hyphens, brackets or a trailing `*`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

_NOISE = re.compile(r"[\s_\-*()（）\[\]【】:：]+")


def normalise(text: object) -> str:
    return _NOISE.sub("", str(text)).lower()


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool
    help_zh: str
    help_en: str
    example: str | int | date

    @property
    def header(self) -> str:
        return f"{self.zh} {self.en}"

    @property
    def aliases(self) -> frozenset[str]:
        return frozenset(normalise(name) for name in (self.zh, self.en, self.zh + self.en, self.en + self.zh))


@dataclass(frozen=True)
class SheetSpec:
    key: str
    zh: str
    en: str
    help_zh: str
    help_en: str
    columns: tuple[Column, ...]

    @property
    def title(self) -> str:
        return f"{self.zh} {self.en}"

    @property
    def aliases(self) -> frozenset[str]:
        return frozenset(normalise(name) for name in (self.zh, self.en, self.zh + self.en, self.en + self.zh))

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


START = date(2025, 9, 8)

COLLEGES = SheetSpec(
    "colleges",
    "学院",
    "colleges",
    "每行一个学院。只有教务处可以新增学院。",
    "One row per college. Only the academic affairs office may add colleges.",
    (
        Column(
            "code",
            "学院代码",
            "code",
            True,
            "学院的简短代码，其他工作表用它指代学院。",
            "Short code of the college; the other sheets refer to it.",
            "MAT",
        ),
        Column("name", "学院名称", "name", True, "学院全称。", "Full name of the college.", "材料科学与工程学院"),
    ),
)
MAJORS = SheetSpec(
    "majors",
    "专业",
    "majors",
    "每行一个专业。",
    "One row per major.",
    (
        Column("code", "专业代码", "code", True, "专业的唯一代码。", "Unique code of the major.", "MSE"),
        Column("name", "专业名称", "name", True, "专业全称。", "Full name of the major.", "材料科学与工程"),
        Column("college", "学院代码", "college_code", True, "所属学院的代码。", "Code of the major's college.", "MAT"),
    ),
)
CLASSES = SheetSpec(
    "classes",
    "班级",
    "classes",
    "每行一个行政班。",
    "One row per administrative class (行政班).",
    (
        Column(
            "code",
            "班级代码",
            "code",
            True,
            "班级的唯一代码，不含空格和斜杠。",
            "Unique code of the class, without spaces or slashes.",
            "MSE2401",
        ),
        Column("name", "班级名称", "name", True, "班级名称。", "Name of the class.", "材料2401班"),
        Column("major", "专业代码", "major_code", True, "所属专业的代码。", "Code of the class's major.", "MSE"),
        Column("cohort", "年级", "cohort", True, "入学年份，如 2024。", "Year of entry, e.g. 2024.", 2024),
    ),
)
STUDENTS = SheetSpec(
    "students",
    "学生",
    "students",
    "每行一名本科生。学号即登录名；新学生通过统一身份认证登录。",
    "One row per undergraduate. The student number is the login; new students log in via SSO.",
    (
        Column("number", "学号", "number", True, "学生的学号（登录名）。", "Student number (the login).", "2024000001"),
        Column("name", "姓名", "name", True, "姓名。", "Full name.", "张三"),
        Column("class", "班级代码", "class_code", True, "所在班级的代码。", "Code of the student's class.", "MSE2401"),
        Column(
            "email",
            "邮箱",
            "email",
            False,
            "可选；留空则保留原值。",
            "Optional; an empty cell keeps the current value.",
            "",
        ),
        Column(
            "phone",
            "手机",
            "phone",
            False,
            "可选；留空则保留原值。",
            "Optional; an empty cell keeps the current value.",
            "",
        ),
    ),
)
STAFF = SheetSpec(
    "staff",
    "教职工",
    "staff",
    "每行一名教职工（导师、班主任、辅导员等）。工号即登录名。",
    "One row per staff member (mentors, class advisors, counselors…). The staff number is the login.",
    (
        Column("number", "工号", "number", True, "教职工的工号（登录名）。", "Staff number (the login).", "T0001"),
        Column("name", "姓名", "name", True, "姓名。", "Full name.", "李老师"),
        Column(
            "college",
            "学院代码",
            "college_code",
            False,
            "所属学院的代码；学院管理员必须填写。留空则保留原值。",
            "Code of their college; college admins must fill it in. An empty cell keeps the current value.",
            "MAT",
        ),
        Column(
            "title",
            "职称",
            "title",
            False,
            "可选；留空则保留原值。",
            "Optional; an empty cell keeps the current value.",
            "副教授",
        ),
        Column(
            "email",
            "邮箱",
            "email",
            False,
            "可选；留空则保留原值。",
            "Optional; an empty cell keeps the current value.",
            "",
        ),
        Column(
            "phone",
            "手机",
            "phone",
            False,
            "可选；留空则保留原值。",
            "Optional; an empty cell keeps the current value.",
            "",
        ),
    ),
)
_ASSIGNMENT_HELP_ZH = (
    "若已有另一人负责，原分配在开始日期前一天结束，历史保留；同一人则不变。"
    "开始日期须在某个学期内，且晚于已有分配的开始日期。"
)
_ASSIGNMENT_HELP_EN = (
    "If someone else holds it, their assignment ends the day before the start date and is kept as history; the "
    "same person again changes nothing. The start date must lie in a semester and after the current assignment's start."
)
MENTORS = SheetSpec(
    "mentors",
    "导师",
    "mentors",
    "每行为一名学生指定本科生导师。" + _ASSIGNMENT_HELP_ZH,
    "One row per student: their undergraduate mentor. " + _ASSIGNMENT_HELP_EN,
    (
        Column("student", "学号", "student_number", True, "学生的学号。", "The student's number.", "2024000001"),
        Column(
            "holder",
            "导师工号",
            "mentor_number",
            True,
            "导师的工号（须在教职工表或系统中）。",
            "The mentor's staff number (in the staff sheet or the portal).",
            "T0001",
        ),
        Column("start", "开始日期", "start_date", True, "如 2025-09-08。", "For example 2025-09-08.", START),
    ),
)
ADVISORS = SheetSpec(
    "advisors",
    "班主任",
    "advisors",
    "每行为一个班级指定班主任。" + _ASSIGNMENT_HELP_ZH,
    "One row per class: its class advisor. " + _ASSIGNMENT_HELP_EN,
    (
        Column("unit", "班级代码", "class_code", True, "班级代码。", "The class code.", "MSE2401"),
        Column(
            "holder",
            "班主任工号",
            "advisor_number",
            True,
            "班主任的工号。",
            "The class advisor's staff number.",
            "T0001",
        ),
        Column("start", "开始日期", "start_date", True, "如 2025-09-08。", "For example 2025-09-08.", START),
    ),
)
COUNSELORS = SheetSpec(
    "counselors",
    "辅导员",
    "counselors",
    "每行为一个班级指定辅导员。" + _ASSIGNMENT_HELP_ZH,
    "One row per class: its counselor. " + _ASSIGNMENT_HELP_EN,
    (
        Column("unit", "班级代码", "class_code", True, "班级代码。", "The class code.", "MSE2401"),
        Column(
            "holder", "辅导员工号", "counselor_number", True, "辅导员的工号。", "The counselor's staff number.", "T0001"
        ),
        Column("start", "开始日期", "start_date", True, "如 2025-09-08。", "For example 2025-09-08.", START),
    ),
)

SHEETS: tuple[SheetSpec, ...] = (COLLEGES, MAJORS, CLASSES, STUDENTS, STAFF, MENTORS, ADVISORS, COUNSELORS)
SHEETS_BY_KEY = {sheet.key: sheet for sheet in SHEETS}
NOTES_TITLE = "说明 notes"
NOTES_ALIASES = frozenset(normalise(name) for name in ("说明", "notes", "说明notes", "notes说明", "readme"))


def sheet_spec_for(title: str) -> SheetSpec | None:
    name = normalise(title)
    return next((sheet for sheet in SHEETS if name in sheet.aliases), None)


def is_notes_sheet(title: str) -> bool:
    return normalise(title) in NOTES_ALIASES


def template_build() -> bytes:
    """The template workbook: a notes sheet, then each sheet with its header row and one example row."""
    workbook = Workbook()
    bold = Font(bold=True)
    notes = workbook.active
    notes.title = NOTES_TITLE
    notes.append(["育人 · 名单导入模板 Yuren roster import template"])
    notes.append(
        [
            "每张表第 1 行是表头，第 2 行是示例：请覆盖或删除示例行。不需要的工作表可以删除。"
            "按学号、工号和代码更新已有数据，不会产生重复。",
        ]
    )
    notes.append(
        [
            "Row 1 of each sheet is the header and row 2 an example: overwrite or delete it. Delete sheets you do not "
            "need. Existing rows are updated by number or code; nothing is duplicated.",
        ]
    )
    notes.append([])
    notes.append(["工作表 sheet", "列 column", "必填 required", "说明", "Explanation"])
    for cell in notes[5]:
        cell.font = bold
    for sheet in SHEETS:
        notes.append([sheet.title, "", "", sheet.help_zh, sheet.help_en])
        for column in sheet.columns:
            required = "是 yes" if column.required else "否 no"
            notes.append(["", column.header, required, column.help_zh, column.help_en])
    for letter, width in zip("ABCDE", (16, 26, 14, 60, 80), strict=True):
        notes.column_dimensions[letter].width = width
    for sheet in SHEETS:
        worksheet = workbook.create_sheet(sheet.title)
        worksheet.append([column.header for column in sheet.columns])
        for cell in worksheet[1]:
            cell.font = bold
        worksheet.append([column.example for column in sheet.columns])
        for index, column in enumerate(sheet.columns):
            letter = worksheet.cell(row=1, column=index + 1).column_letter
            worksheet.column_dimensions[letter].width = max(16, len(column.header) * 2)
            if isinstance(column.example, date):
                worksheet.cell(row=2, column=index + 1).number_format = "yyyy-mm-dd"
            elif column.key in ("number", "student", "holder"):
                # Numbers such as 2024000001 stay text, so Excel keeps leading zeros.
                worksheet.cell(row=2, column=index + 1).number_format = "@"
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
