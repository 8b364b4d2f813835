"""A college admin imports a small roster in the browser: upload, preview the counts, apply."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import Workbook

from accounts.models import Student
from mentoring.models import MentorAssignment, RosterImport

pytestmark = pytest.mark.e2e


def _workbook(class_code: str) -> bytes:
    workbook = Workbook()
    students = workbook.active
    students.title = "学生 students"
    students.append(["学号 number", "姓名 name", "班级代码 class_code"])
    students.append(["2025100001", "浏览器新生", class_code])
    students.append(["2025100002", "浏览器新生二", class_code])
    mentors = workbook.create_sheet("导师 mentors")
    mentors.append(["学号 student_number", "导师工号 mentor_number", "开始日期 start_date"])
    mentors.append(["2025100001", "T100", date(2025, 10, 8)])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_college_admin_uploads_previews_and_applies_a_roster(desktop, log_in, live_server, world, calendar):
    log_in(desktop, world.college_admin.number)
    desktop.goto(f"{live_server.url}/roster/import/")
    desktop.set_input_files(
        "#roster-upload input[type=file]",
        files=[{"name": "新生名单.xlsx", "mimeType": "application/octet-stream", "buffer": _workbook("MSE2401")}],
    )
    desktop.click("#roster-upload button[type=submit]")

    desktop.wait_for_selector("#roster-counts")
    assert desktop.inner_text("tr[data-sheet=students] td.created") == "2"
    assert desktop.inner_text("tr[data-sheet=mentors] td.created") == "1"
    assert not Student.objects.filter(user__number="2025100001").exists()

    desktop.click("#roster-apply")

    desktop.wait_for_selector("#roster-status.ok")
    assert desktop.locator("#roster-apply").count() == 0
    assert desktop.inner_text("tr[data-sheet=students] td.created") == "2"
    assert RosterImport.objects.get().status == RosterImport.Status.APPLIED
    student = Student.objects.select_related("user").get(user__number="2025100001")
    assert (student.user.name, student.school_class) == ("浏览器新生", world.class_a)
    assert MentorAssignment.objects.get(student=student).mentor == world.mentor
