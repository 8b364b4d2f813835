"""Roster import: one workbook, validated as a whole, previewed, then applied in one transaction."""

from __future__ import annotations

import zipfile
from datetime import date
from io import BytesIO, StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook

from accounts.models import AuditEntry, College, Major, Role, SchoolClass, Staff, Student, User
from accounts.services import role_grant
from mentoring.models import AdvisorAssignment, CounselorAssignment, MentorAssignment, RosterImport
from mentoring.roster.checker import UNKNOWN_CLASS
from mentoring.roster.spec import SHEETS_BY_KEY
from mentoring.services.roster import (
    RosterInvalid,
    roster_apply,
    roster_import_apply,
    roster_import_upload,
    roster_validate,
)
from tests.conftest import ASSIGNED_FROM
from tests.factories import StaffFactory

MODELS = (College, Major, SchoolClass, User, Student, Staff, MentorAssignment, AdvisorAssignment, CounselorAssignment)
OCTOBER = date(2025, 10, 1)
DUPLICATE = "Duplicate %(value)s: it is already on row %(first)s."


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def roster(**rows_by_sheet: list[list]) -> bytes:
    """A workbook with the template's headers: `roster(students=[["2025000001", "新生", "MSE2401"]])`."""
    return xlsx(
        {
            SHEETS_BY_KEY[key].title: [[column.header for column in SHEETS_BY_KEY[key].columns], *rows]
            for key, rows in rows_by_sheet.items()
        }
    )


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def counts(plan) -> dict[str, tuple[int, int, int]]:
    return {count.key: (count.created, count.updated, count.unchanged) for count in plan.counts}


def problems(plan) -> list[tuple[str, int | None, str, str]]:
    """(sheet, row, column header, message as an English-speaking clerk reads it) for every bad cell."""
    with translation.override("en"):
        return [(e.sheet, e.row, e.column, gettext(e.message) % e.params) for e in plan.errors]


def history(student: Student) -> list[tuple[str, date, date | None]]:
    return list(
        MentorAssignment.objects.filter(student=student)
        .order_by("valid_from")
        .values_list("mentor__number", "valid_from", "valid_until")
    )


FULL = {
    "colleges": [["PHY", "物理学院"]],
    "majors": [["PHYS", "物理学", "PHY"]],
    "classes": [["PHY2501", "物理2501班", "PHYS", 2025]],
    "students": [
        ["2025000001", "新生甲", "PHY2501", "jia@example.edu.cn", "13800000000"],
        ["2025000002", "新生乙", "PHY2501"],
    ],
    "staff": [["P100", "物理导师", "PHY", "教授"], ["P200", "物理辅导员", "PHY", "辅导员"]],
    "mentors": [["2025000001", "P100", OCTOBER], ["2025000002", "P100", "2025-10-01"]],
    "advisors": [["PHY2501", "P100", OCTOBER]],
    "counselors": [["PHY2501", "P200", "2025/10/1"]],
}


# -- happy path, idempotence, updates ------------------------------------------------------------------------------


def test_import_creates_the_whole_roster(world, calendar):
    plan = roster_apply(actor=world.school_admin, content=roster(**FULL), source="full.xlsx")

    assert counts(plan) == {
        "colleges": (1, 0, 0),
        "majors": (1, 0, 0),
        "classes": (1, 0, 0),
        "students": (2, 0, 0),
        "staff": (2, 0, 0),
        "mentors": (2, 0, 0),
        "advisors": (1, 0, 0),
        "counselors": (1, 0, 0),
    }
    student = Student.objects.select_related("user", "school_class__major__college").get(user__number="2025000001")
    assert (student.user.name, student.user.email, student.user.phone) == (
        "新生甲",
        "jia@example.edu.cn",
        "13800000000",
    )
    assert (student.school_class.code, student.school_class.major.code, student.school_class.major.college.code) == (
        "PHY2501",
        "PHYS",
        "PHY",
    )
    assert Staff.objects.get(user__number="P200").college.code == "PHY"
    assert history(student) == [("P100", OCTOBER, None)]
    assert AdvisorAssignment.objects.get(school_class__code="PHY2501").advisor.number == "P100"
    assert CounselorAssignment.objects.get(school_class__code="PHY2501").counselor.number == "P200"
    entry = AuditEntry.objects.get(action="roster.apply")
    assert (entry.actor, entry.data["source"]) == (world.school_admin, "full.xlsx")


def test_an_applied_roster_sends_one_dashboard_warm_after_it_commits(
    world, calendar, warms_sent, django_capture_on_commit_callbacks
):
    """A roster import drops everything cached: once it commits a worker computes the default dashboards again."""
    from mentoring.tasks import REWARM_DELAY_SECONDS

    with django_capture_on_commit_callbacks(execute=True):
        roster_apply(actor=world.school_admin, content=roster(**FULL), source="full.xlsx")
    assert warms_sent == [{"countdown": REWARM_DELAY_SECONDS}]


def test_imported_accounts_have_an_unusable_password(world, calendar):
    roster_apply(actor=world.school_admin, content=roster(**FULL), source="full.xlsx")
    assert [user.has_usable_password() for user in User.objects.filter(number__in=["2025000001", "P100"])] == [
        False,
        False,
    ]


def test_headers_and_sheet_names_in_chinese_or_english_are_accepted(world):
    content = xlsx(
        {
            "学生": [["学号", "name", "Class Code"], ["2025000003", "英文表头", world.class_a.code]],
            "staff": [["工号", "姓名", "college_code"], ["T500", "中文表头", "MAT"]],
        }
    )
    plan = roster_apply(actor=world.college_admin, content=content, source="mixed.xlsx")
    assert counts(plan) == {"students": (1, 0, 0), "staff": (1, 0, 0)}
    assert Student.objects.get(user__number="2025000003").school_class == world.class_a


def test_reimport_of_the_same_workbook_changes_nothing(world, calendar):
    content = roster(**FULL)
    roster_apply(actor=world.school_admin, content=content, source="full.xlsx")
    before = row_counts()

    plan = roster_apply(actor=world.school_admin, content=content, source="full.xlsx")

    assert counts(plan) == {
        "colleges": (0, 0, 1),
        "majors": (0, 0, 1),
        "classes": (0, 0, 1),
        "students": (0, 0, 2),
        "staff": (0, 0, 2),
        "mentors": (0, 0, 2),
        "advisors": (0, 0, 1),
        "counselors": (0, 0, 1),
    }
    assert row_counts() == before


def test_a_changed_name_updates_the_row_in_place(world, calendar):
    roster_apply(actor=world.school_admin, content=roster(**FULL), source="v1.xlsx")
    before = row_counts()
    changed = roster(
        students=[["2025000001", "新生甲（改名）", "PHY2501"], ["2025000002", "新生乙", "PHY2501"]],
        classes=[["PHY2501", "物理一班", "PHYS", 2025]],
    )

    plan = roster_apply(actor=world.school_admin, content=changed, source="v2.xlsx")

    assert counts(plan) == {"classes": (0, 1, 0), "students": (0, 1, 1)}
    assert User.objects.get(number="2025000001").name == "新生甲（改名）"
    assert User.objects.get(number="2025000001").email == "jia@example.edu.cn"  # an empty optional cell keeps it
    assert SchoolClass.objects.get(code="PHY2501").name == "物理一班"
    assert row_counts() == before


def test_moving_a_student_to_another_class_updates_their_class(world):
    student = world.students[0]
    content = roster(students=[[student.user.number, student.user.name, world.class_b.code]])
    plan = roster_apply(actor=world.college_admin, content=content, source="move.xlsx")
    assert counts(plan) == {"students": (0, 1, 0)}
    student.refresh_from_db()
    assert student.school_class == world.class_b


def test_a_new_mentor_closes_the_old_assignment_and_keeps_history(world, calendar):
    student = world.students[0]
    content = roster(staff=[["T101", "新导师", "MAT"]], mentors=[[student.user.number, "T101", "2026-03-02"]])

    plan = roster_apply(actor=world.college_admin, content=content, source="reassign.xlsx")

    assert counts(plan) == {"staff": (1, 0, 0), "mentors": (0, 1, 0)}
    assert history(student) == [("T100", ASSIGNED_FROM, date(2026, 3, 1)), ("T101", date(2026, 3, 2), None)]


def test_the_same_mentor_again_is_unchanged(world, calendar):
    student = world.students[0]
    plan = roster_apply(
        actor=world.college_admin, content=roster(mentors=[[student.user.number, "T100", OCTOBER]]), source="x"
    )
    assert counts(plan) == {"mentors": (0, 0, 1)}
    assert history(student) == [("T100", ASSIGNED_FROM, None)]


def test_a_start_date_before_the_open_assignment_is_a_cell_error(world, calendar):
    student = world.students[0]
    plan = roster_validate(
        actor=world.college_admin, content=roster(mentors=[[student.user.number, "T300", "2025-09-08"]])
    )
    assert problems(plan) == [
        (
            "导师 mentors",
            2,
            "开始日期 start_date",
            f"{student.user.number} already has an assignment starting on 2025-09-08; the new start date must be "
            "later.",
        )
    ]


def test_a_class_advisor_change_keeps_history(world, calendar):
    plan = roster_apply(
        actor=world.college_admin, content=roster(advisors=[[world.class_a.code, "T300", "2026-03-02"]]), source="x"
    )
    assert counts(plan) == {"advisors": (0, 1, 0)}
    rows = AdvisorAssignment.objects.filter(school_class=world.class_a).order_by("valid_from")
    assert list(rows.values_list("advisor__number", "valid_from", "valid_until")) == [
        ("T200", ASSIGNED_FROM, date(2026, 3, 1)),
        ("T300", date(2026, 3, 2), None),
    ]


# -- bad rows: every bad cell is listed, nothing is written --------------------------------------------------------


def test_unknown_college_code_is_a_cell_error(world):
    plan = roster_validate(actor=world.school_admin, content=roster(majors=[["NEWM", "新专业", "NOPE"]]))
    assert problems(plan) == [
        (
            "专业 majors",
            2,
            "学院代码 college_code",
            "Unknown college code NOPE: add it to the colleges sheet or check the spelling.",
        )
    ]


def test_duplicate_student_number_in_the_file_is_a_cell_error(world):
    content = roster(students=[["2025000009", "甲", world.class_a.code], ["2025000009", "乙", world.class_b.code]])
    plan = roster_validate(actor=world.college_admin, content=content)
    assert problems(plan) == [
        ("学生 students", 3, "学号 number", "Duplicate 2025000009: it is already on row 2."),
    ]


def test_mentor_not_found_is_a_cell_error(world, calendar):
    plan = roster_validate(
        actor=world.college_admin, content=roster(mentors=[[world.students[2].user.number, "T404", OCTOBER]])
    )
    assert problems(plan) == [
        (
            "导师 mentors",
            2,
            "导师工号 mentor_number",
            "Mentor T404 not found: add them to the staff sheet or check the number.",
        )
    ]


def test_a_student_cannot_be_a_mentor(world, calendar):
    other = world.students[1].user.number
    plan = roster_validate(
        actor=world.college_admin, content=roster(mentors=[[world.students[2].user.number, other, OCTOBER]])
    )
    assert problems(plan) == [
        ("导师 mentors", 2, "导师工号 mentor_number", f"{other} is a student, not a staff member.")
    ]


def test_a_date_outside_every_semester_is_a_cell_error(world, calendar):
    summer = "2026-08-01"  # between the spring semester and the next fall
    plan = roster_validate(
        actor=world.college_admin, content=roster(mentors=[[world.students[2].user.number, "T100", summer]])
    )
    assert problems(plan) == [
        (
            "导师 mentors",
            2,
            "开始日期 start_date",
            "2026-08-01 is outside every semester of the calendar: pick a day within a semester, or ask the "
            "academic affairs office to add the semester.",
        )
    ]


def test_a_bad_date_is_a_cell_error(world, calendar):
    plan = roster_validate(
        actor=world.college_admin, content=roster(mentors=[[world.students[2].user.number, "T100", "下周一"]])
    )
    assert problems(plan) == [("导师 mentors", 2, "开始日期 start_date", "Not a date: write it as 2025-09-08.")]


def test_a_missing_required_column_is_reported_on_the_header_row(world):
    content = xlsx({"学生 students": [["学号 number", "姓名 name"], ["2025000003", "缺班级"]]})
    plan = roster_validate(actor=world.college_admin, content=content)
    assert problems(plan) == [
        (
            "学生 students",
            1,
            "班级代码 class_code",
            "Missing required column 班级代码 class_code: row 1 must name it (in Chinese or English).",
        )
    ]


def test_an_unknown_sheet_is_reported(world):
    content = xlsx({"学生名单": [["学号", "姓名", "班级代码"], ["2025000003", "新生", world.class_a.code]]})
    plan = roster_validate(actor=world.college_admin, content=content)
    assert [(sheet, row) for sheet, row, _column, _message in problems(plan)] == [("学生名单", None)]


def test_an_empty_extra_sheet_is_ignored(world):
    content = xlsx({"Sheet1": [], "学生 students": [["学号", "姓名", "班级代码"], ["2025000003", "新生", "MSE2401"]]})
    plan = roster_validate(actor=world.college_admin, content=content)
    assert (problems(plan), counts(plan)) == ([], {"students": (1, 0, 0)})


def test_every_bad_cell_of_a_row_is_listed(world):
    content = roster(students=[["2025 0001", "", "NOCLASS", "not-an-email"]])
    plan = roster_validate(actor=world.college_admin, content=content)
    assert [(row, column) for _sheet, row, column, _message in problems(plan)] == [
        (2, "学号 number"),
        (2, "姓名 name"),
        (2, "邮箱 email"),
        (2, "班级代码 class_code"),
    ]


def test_a_bad_row_in_the_last_sheet_leaves_the_database_as_it_was(world, calendar):
    content = roster(**{**FULL, "counselors": [["PHY2501", "NOBODY", OCTOBER]]})
    before = row_counts()

    with pytest.raises(RosterInvalid) as raised:
        roster_apply(actor=world.school_admin, content=content, source="bad-last.xlsx")

    assert [(e.sheet, e.row) for e in raised.value.plan.errors] == [("辅导员 counselors", 2)]
    assert row_counts() == before
    assert not AuditEntry.objects.filter(action="roster.apply").exists()


def test_formula_looking_cells_are_stored_as_text_exactly(world):
    rows = [
        ["2025000011", "=1+1", world.class_a.code, "", "+8613800000000"],
        ["2025000012", '=HYPERLINK("http://evil.example","点我")', world.class_a.code, "", "-1"],
        ["2025000013", "@SUM(A1:A2)", world.class_a.code, "", "=A1"],
    ]
    roster_apply(actor=world.college_admin, content=roster(students=rows), source="formulas.xlsx")
    stored = dict(User.objects.filter(number__startswith="20250000").values_list("number", "name"))
    phones = dict(User.objects.filter(number__startswith="20250000").values_list("number", "phone"))
    assert stored == {
        "2025000011": "=1+1",
        "2025000012": '=HYPERLINK("http://evil.example","点我")',
        "2025000013": "@SUM(A1:A2)",
    }
    assert phones == {"2025000011": "+8613800000000", "2025000012": "-1", "2025000013": "=A1"}


# -- college admins stay in their colleges -------------------------------------------------------------------------


def test_college_admin_cannot_touch_another_colleges_rows(world, calendar):
    other = world.other_student
    content = roster(
        colleges=[["ECO", "经管学院（改）"]],
        classes=[["MSE2499", "跨院班", world.other_class.major.code, 2024]],
        students=[
            [other.user.number, "改名", world.other_class.code],
            ["2025000020", "新生", world.other_class.code],
        ],
        staff=[["A200", "他院管理员", "ECO"]],
        mentors=[[other.user.number, "T100", OCTOBER]],
    )
    before = row_counts()

    plan = roster_validate(actor=world.college_admin, content=content)

    assert problems(plan) == [
        ("学院 colleges", 2, "学院代码 code", "You do not administer college ECO."),
        (
            "班级 classes",
            2,
            "专业代码 major_code",
            f"Major {world.other_class.major.code} belongs to college ECO, which you do not administer.",
        ),
        (
            "学生 students",
            2,
            "班级代码 class_code",
            "Class ACC2401 belongs to college ECO, which you do not administer.",
        ),
        (
            "学生 students",
            2,
            "学号 number",
            f"Student {other.user.number} is in college ECO, which you do not administer.",
        ),
        (
            "学生 students",
            3,
            "班级代码 class_code",
            "Class ACC2401 belongs to college ECO, which you do not administer.",
        ),
        ("教职工 staff", 2, "学院代码 college_code", "You do not administer college ECO."),
        ("教职工 staff", 2, "工号 number", "Staff member A200 is not in a college you administer."),
        (
            "导师 mentors",
            2,
            "学号 student_number",
            f"Student {other.user.number} is in college ECO, which you do not administer.",
        ),
    ]
    with pytest.raises(RosterInvalid):
        roster_apply(actor=world.college_admin, content=content, source="x")
    assert row_counts() == before


def test_college_admin_cannot_move_a_student_out_of_another_college(world):
    other = world.other_student
    content = roster(students=[[other.user.number, other.user.name, world.class_a.code]])
    plan = roster_validate(actor=world.college_admin, content=content)
    assert problems(plan) == [
        (
            "学生 students",
            2,
            "学号 number",
            f"Student {other.user.number} is in college ECO, which you do not administer.",
        )
    ]


def test_college_admin_cannot_create_colleges(world):
    plan = roster_validate(actor=world.college_admin, content=roster(colleges=[["NEW", "新学院"]]))
    assert problems(plan) == [
        (
            "学院 colleges",
            2,
            "学院代码 code",
            "College NEW does not exist; only the academic affairs office may add colleges.",
        )
    ]


def test_school_admin_may_touch_every_college(world):
    other = world.other_student
    content = roster(colleges=[["ECO", "经济管理学院"]], students=[[other.user.number, "改名", world.class_a.code]])
    plan = roster_apply(actor=world.school_admin, content=content, source="x")
    assert counts(plan) == {"colleges": (0, 1, 0), "students": (0, 1, 0)}
    assert College.objects.get(code="ECO").name == "经济管理学院"


# -- bad files -------------------------------------------------------------------------------------------------------


def _refusal(actor, content: bytes) -> str:
    with pytest.raises(ValidationError) as raised:
        roster_validate(actor=actor, content=content)
    return raised.value.code


def test_a_file_that_is_not_xlsx_is_refused(world):
    assert _refusal(world.college_admin, "学号,姓名\n2025,张三\n".encode()) == "not_xlsx"


def test_a_zip_without_a_workbook_is_refused(world):
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert _refusal(world.college_admin, out.getvalue()) == "not_xlsx"


def test_a_too_large_file_is_refused(world, settings):
    content = roster(students=[["2025000003", "新生", world.class_a.code]])
    settings.YUREN_IMPORT_MAX_BYTES = len(content) - 1
    assert _refusal(world.college_admin, content) == "too_large"


def _bomb(member_bytes: int) -> bytes:
    """A valid-looking package whose one sheet inflates from a few KB to `member_bytes` of zeros."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * member_bytes)
    return out.getvalue()


def test_a_zip_bomb_is_refused_by_its_compression_ratio(world):
    content = _bomb(20 * 1024 * 1024)
    assert len(content) < 100 * 1024
    assert _refusal(world.college_admin, content) == "zip_bomb"


def test_a_workbook_unpacking_past_the_limit_is_refused(world, settings):
    content = roster(students=[["2025000003", "新生", world.class_a.code]])
    with zipfile.ZipFile(BytesIO(content)) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    settings.YUREN_IMPORT_MAX_UNCOMPRESSED_BYTES = unpacked - 1
    assert _refusal(world.college_admin, content) == "zip_bomb"


def test_a_damaged_workbook_is_refused(world):
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook><not-closed>")
    assert _refusal(world.college_admin, out.getvalue()) == "unreadable"


# -- performance: bulk queries, not one per row --------------------------------------------------------------------


def _students(count: int, class_code: str) -> list[list]:
    return [[f"20259{i:05d}", f"学生{i}", class_code] for i in range(count)]


def _mentors(count: int) -> list[list]:
    return [[f"20259{i:05d}", "T100", OCTOBER] for i in range(count)]


@pytest.mark.parametrize("size", [3, 60])
def test_import_runs_a_constant_number_of_queries(world, calendar, django_assert_num_queries, size):
    content = roster(students=_students(size, world.class_a.code), mentors=_mentors(size))
    # 2 savepoints ×2, grants, users, colleges, majors, classes, semesters, 3 inserts, audit: never one per row
    with django_assert_num_queries(14):
        plan = roster_apply(actor=world.college_admin, content=content, source="bulk.xlsx")
    assert counts(plan) == {"students": (size, 0, 0), "mentors": (size, 0, 0)}


# -- pages -----------------------------------------------------------------------------------------------------------


def _upload(client, content: bytes, name: str = "roster.xlsx"):
    workbook = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("roster_upload"), {"workbook": workbook})


def test_upload_preview_and_apply_through_the_pages(world, calendar, as_user):
    client = as_user(world.college_admin)
    content = roster(
        students=[["2025000031", "页面新生", world.class_a.code]], mentors=[["2025000031", "T100", OCTOBER]]
    )

    response = _upload(client, content, "第一批.xlsx")

    roster_import = RosterImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("roster_preview", args=[roster_import.pk])
    assert (roster_import.status, roster_import.original_name, bytes(roster_import.content)) == (
        RosterImport.Status.PREVIEWED,
        "第一批.xlsx",
        content,
    )
    page = client.get(response.url)
    assert [(s["key"], s["created"]) for s in page.context["sheets"]] == [("students", 1), ("mentors", 1)]
    assert b'id="roster-apply"' in page.content
    assert not User.objects.filter(number="2025000031").exists()

    client.post(response.url)

    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.APPLIED
    assert roster_import.applied_at is not None
    assert Student.objects.get(user__number="2025000031").school_class == world.class_a
    after = client.get(response.url)
    assert b'id="roster-apply"' not in after.content


def test_an_invalid_upload_shows_every_bad_cell_on_the_preview(world, as_user, settings):
    client = as_user(world.college_admin)
    content = roster(students=[["2025000032", "甲", "NOPE"], ["2025000032", "乙", world.class_a.code]])

    response = _upload(client, content)
    page = client.get(response.url)

    assert RosterImport.objects.get().status == RosterImport.Status.INVALID
    with translation.override(settings.LANGUAGE_CODE):  # the page speaks the site's default language
        expected = [
            ("学生 students", 2, "C", gettext(UNKNOWN_CLASS) % {"code": "NOPE"}),
            ("学生 students", 3, "A", gettext(DUPLICATE) % {"value": "2025000032", "first": 2}),
        ]
    assert [(e["sheet"], e["row"], e["letter"], e["text"]) for e in page.context["errors"]] == expected
    assert b'id="roster-apply"' not in page.content


@pytest.mark.parametrize("content", [b"not a workbook", b""])
def test_a_refused_file_is_shown_on_the_upload_page_and_not_kept(world, as_user, content):
    response = _upload(as_user(world.college_admin), content)
    assert response.status_code == 400
    assert response.context["form"].errors["workbook"]
    assert not RosterImport.objects.exists()


def test_a_too_large_upload_is_refused_before_it_is_read(world, as_user, settings):
    settings.YUREN_IMPORT_MAX_BYTES = 100
    response = _upload(as_user(world.college_admin), b"x" * 101)
    assert response.status_code == 400
    assert "100" in response.context["form"].errors["workbook"][0]
    assert not RosterImport.objects.exists()


def test_apply_revalidates_against_the_database_as_it_is_now(world, calendar, as_user):
    content = roster(students=[["2025000033", "后来者", world.class_a.code]])
    roster_import = roster_import_upload(actor=world.college_admin, content=content, original_name="a.xlsx")
    # Meanwhile someone else gives that number to a staff member.
    roster_apply(actor=world.school_admin, content=roster(staff=[["2025000033", "同号教师", "MAT"]]), source="b")
    before = row_counts()

    with pytest.raises(RosterInvalid):
        roster_import_apply(actor=world.college_admin, roster_import=roster_import)

    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.INVALID
    assert [e["message"] for e in roster_import.errors] == [
        "Number %(number)s belongs to a staff member, not a student."
    ]
    assert row_counts() == before


def test_an_applied_import_cannot_be_applied_twice(world, as_user):
    content = roster(students=[["2025000034", "一次", world.class_a.code]])
    roster_import = roster_import_upload(actor=world.college_admin, content=content, original_name="a.xlsx")
    roster_import_apply(actor=world.college_admin, roster_import=roster_import)
    with pytest.raises(ValidationError) as raised:
        roster_import_apply(actor=world.college_admin, roster_import=roster_import)
    assert raised.value.code == "not_previewed"


def test_the_template_downloads_as_a_workbook_that_imports_cleanly(calendar, as_user):
    school_admin = StaffFactory(user__number="S900").user
    role_grant(actor=None, user=school_admin, role=Role.SCHOOL_ADMIN)

    response = as_user(school_admin).get(reverse("roster_template"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="yuren-roster-template.xlsx"'
    workbook = load_workbook(BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["说明 notes"] + [spec.title for spec in SHEETS_BY_KEY.values()]
    plan = roster_validate(actor=school_admin, content=response.content)
    assert (problems(plan), counts(plan)) == ([], dict.fromkeys(SHEETS_BY_KEY, (1, 0, 0)))


@pytest.mark.parametrize("persona", ["outsider", "mentor", "student", "counselor"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_roster_pages_refuse_people_who_do_not_import(world, as_user, persona, method):
    roster_import = roster_import_upload(
        actor=world.college_admin,
        content=roster(students=[["2025000035", "甲", world.class_a.code]]),
        original_name="a.xlsx",
    )
    client = as_user(getattr(world, persona))
    for url in (reverse("roster_upload"), reverse("roster_preview", args=[roster_import.pk])):
        assert getattr(client, method)(url).status_code == 403
    assert client.get(reverse("roster_template")).status_code == 403
    assert RosterImport.objects.get().status == RosterImport.Status.PREVIEWED


def test_roster_pages_send_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("roster_upload"))
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_a_college_admin_cannot_see_or_apply_another_admins_import(world, as_user):
    roster_import = roster_import_upload(
        actor=world.other_admin,
        content=roster(students=[["2025000036", "乙", world.other_class.code]]),
        original_name="eco.xlsx",
    )
    client = as_user(world.college_admin)
    url = reverse("roster_preview", args=[roster_import.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert b"eco.xlsx" not in client.get(reverse("roster_upload")).content
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.PREVIEWED
    assert not User.objects.filter(number="2025000036").exists()


def test_a_school_admin_sees_and_may_apply_any_import(world, as_user):
    roster_import = roster_import_upload(
        actor=world.other_admin,
        content=roster(students=[["2025000037", "丙", world.other_class.code]]),
        original_name="eco.xlsx",
    )
    client = as_user(world.school_admin)
    assert b"eco.xlsx" in client.get(reverse("roster_upload")).content
    client.post(reverse("roster_preview", args=[roster_import.pk]))
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.APPLIED


@pytest.mark.parametrize("imports", [1, 3])
def test_upload_page_runs_a_constant_number_of_queries(world, as_user, django_assert_num_queries, imports):
    for i in range(imports):
        roster_import_upload(
            actor=world.college_admin,
            content=roster(students=[[f"20250001{i:02d}", "甲", world.class_a.code]]),
            original_name=f"{i}.xlsx",
        )
    client = as_user(world.college_admin)
    with django_assert_num_queries(8):
        response = client.get(reverse("roster_upload"))
    assert len(response.context["recent"]) == imports


@pytest.mark.parametrize("errors", [1, 3])
def test_preview_page_runs_a_constant_number_of_queries(world, as_user, django_assert_num_queries, errors):
    content = roster(students=[[f"20250002{i:02d}", "甲", "NOPE"] for i in range(errors)])
    roster_import = roster_import_upload(actor=world.college_admin, content=content, original_name="bad.xlsx")
    client = as_user(world.college_admin)
    with django_assert_num_queries(8):
        response = client.get(reverse("roster_preview", args=[roster_import.pk]))
    assert len(response.context["errors"]) == errors


# -- the management command ------------------------------------------------------------------------------------------


def test_import_roster_command_applies_the_workbook(world, calendar, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(roster(**FULL))
    out = StringIO()

    call_command("import_roster", str(path), stdout=out)

    assert Student.objects.filter(user__number__in=["2025000001", "2025000002"]).count() == 2
    assert "Imported." in out.getvalue()
    assert AuditEntry.objects.get(action="roster.apply").actor is None


def test_import_roster_command_dry_run_writes_nothing(world, calendar, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(roster(**FULL))
    before = row_counts()
    out = StringIO()

    call_command("import_roster", str(path), "--dry-run", stdout=out)

    assert row_counts() == before
    assert "学生 students" in out.getvalue()
    assert "Dry run" in out.getvalue()


def test_import_roster_command_as_a_college_admin_keeps_their_scope(world, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(roster(students=[["2025000040", "他院新生", world.other_class.code]]))
    err = StringIO()

    with translation.override("en"), pytest.raises(CommandError, match="has 1 problem"):
        call_command("import_roster", str(path), "--as", world.college_admin.number, stderr=err)

    assert "学生 students!C2" in err.getvalue()
    assert not User.objects.filter(number="2025000040").exists()


def test_import_roster_command_refuses_a_file_that_is_not_xlsx(world, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_text("学号,姓名\n")
    with translation.override("en"), pytest.raises(CommandError, match="not an Excel"):
        call_command("import_roster", str(path))
