"""Excel exports of the dashboards: opened back with openpyxl and checked cell by cell against the engine."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from accounts.models import User
from mentoring.exports import safe, write_dashboard
from mentoring.models import ExportJob, ExportState
from mentoring.selectors.compliance import compliance_report
from tests.mentoring.test_dashboards import TODAY, log_fall_work


@pytest.fixture
def worked(world, calendar):
    log_fall_work(world)
    return calendar[0]


def workbook_of(content: bytes):
    return load_workbook(io.BytesIO(content), read_only=False)


def rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_college_export_per_person_sheet_matches_the_engine_cell_by_cell(world, worked, as_user):
    response = as_user(world.college_admin).get(f"/dashboard/college/MAT/export.xlsx?semester={worked.pk}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="yuren-MAT-')
    book = workbook_of(b"".join(response.streaming_content))

    sheet = book["人员明细"]
    header, *people = rows(sheet)
    assert header[:7] == ["工号", "姓名", "学院", "角色", "基础履职", "未达标项数", "尚缺记录数"]
    assert sheet.freeze_panes == "A2"
    report = compliance_report(
        semester=worked, on=TODAY, person_ids=[world.mentor.pk, world.advisor.pk, world.counselor.pk]
    )
    assert len(people) == 3
    for row in people:
        person = User.objects.get(number=row[0])
        standings = report.for_person(person.pk)
        assert row[1] == person.name and row[2] == "材料学院"
        assert row[4] == ("合格" if all(s.short == 0 for s in standings) else "不合格")
        assert row[5] == sum(s.short for s in standings)
        assert row[6] == sum(s.records_needed for s in standings)
        for standing in standings:
            rule = standing.rule
            column = header.index(f"{rule.requirement} {rule.title_zh}（达标/应查）")
            assert row[column] == f"{standing.met}/{standing.total}"


def test_export_rule_sheet_has_the_pages_numbers(world, worked, as_user):
    content = b"".join(
        as_user(world.college_admin).get(f"/dashboard/college/MAT/export.xlsx?semester={worked.pk}").streaming_content
    )
    book = workbook_of(content)
    header, *lines = rows(book["各规则达标率"])
    assert header[:6] == ["要求编号", "角色", "规则", "人数", "达标人数", "达标比例(%)"]
    r03 = next(line for line in lines if line[0] == "R-03")
    assert r03[1:2] + r03[3:6] == ["本科生导师", 1, 0, 0.0]
    [student_row] = rows(book["学生谈话不足"])[1:]
    assert student_row[2] == world.students[1].user.number and student_row[5:8] == [1, 4, "未达标"]
    filters = dict(rows(book["筛选条件"])[1:])
    assert filters["范围"] == "材料学院" and filters["角色"] == "全部角色"


def test_export_keeps_the_role_filter(world, worked, as_user):
    content = b"".join(
        as_user(world.college_admin)
        .get(f"/dashboard/college/MAT/export.xlsx?semester={worked.pk}&role=mentor")
        .streaming_content
    )
    book = workbook_of(content)
    assert {line[0] for line in rows(book["各规则达标率"])[1:]} == {"R-03", "R-04", "R-05"} & {
        line[0] for line in rows(book["各规则达标率"])[1:]
    }
    assert [row[0] for row in rows(book["人员明细"])[1:]] == [world.mentor.number]


def test_formula_like_text_is_written_as_text():
    assert safe('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert [safe(v) for v in ("+1", "-2", "@a", "ok", 5)] == ["'+1", "'-2", "'@a", "ok", 5]


def test_a_formula_in_a_name_is_escaped_in_the_file(world, worked):
    User.objects.filter(pk=world.mentor.pk).update(name="=cmd|' /C calc'!A0")
    out = io.BytesIO()
    write_dashboard(out, semester=worked, college=world.college, role="", on=TODAY)
    names = [row[1] for row in rows(load_workbook(io.BytesIO(out.getvalue()))["人员明细"])[1:]]
    assert "'=cmd|' /C calc'!A0" in names


def test_another_colleges_admin_cannot_export_this_college(world, worked, as_user):
    assert as_user(world.other_admin).get(f"/dashboard/college/MAT/export.xlsx?semester={worked.pk}").status_code == 404


def test_the_other_colleges_export_holds_none_of_this_colleges_people(world, worked, as_user):
    content = b"".join(
        as_user(world.other_admin).get(f"/dashboard/college/ECO/export.xlsx?semester={worked.pk}").streaming_content
    )
    book = workbook_of(content)
    numbers = {str(cell) for sheet in book for row in rows(sheet) for cell in row if cell is not None}
    assert not {world.mentor.number, world.counselor.number, world.students[1].user.number} & numbers


@pytest.mark.parametrize("persona", ["mentor", "counselor", "student", "outsider"])
def test_exports_wrong_role_is_refused(world, worked, as_user, persona):
    client = as_user(getattr(world, persona))
    assert client.get(f"/dashboard/college/MAT/export.xlsx?semester={worked.pk}").status_code == 404
    assert client.post("/dashboard/exports/", {"semester": worked.pk}).status_code == 403
    assert client.post("/dashboard/exports/", {"semester": worked.pk, "college": "MAT"}).status_code == 404


def test_school_export_runs_as_a_job_and_its_file_has_the_college_ranking(
    world,
    worked,
    as_user,
    django_capture_on_commit_callbacks,
):
    client = as_user(world.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/dashboard/exports/", {"semester": worked.pk})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dashboard/exports/{job.pk}/"
    assert (job.state, job.progress) == (ExportState.DONE, 100)
    page = client.get(f"/dashboard/exports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert f"/dashboard/exports/{job.pk}/download/" in page and "every 1s" not in page
    content = b"".join(client.get(f"/dashboard/exports/{job.pk}/download/").streaming_content)
    ranking = rows(workbook_of(content)["学院排名"])
    assert ranking[0][:3] == ["排名", "学院代码", "学院"]
    assert [row[1] for row in ranking[1:]] == ["MAT", "ECO"]
    assert ranking[1][3:5] == [3, 0]


def test_a_queued_job_page_polls_every_second(world, worked, as_user):
    job = ExportJob.objects.create(requested_by=world.school_admin, scope="school", semester=worked)
    html = as_user(world.school_admin).get(f"/dashboard/exports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in html and "download/" not in html


def test_someone_elses_export_job_is_404(world, worked, as_user):
    job = ExportJob.objects.create(requested_by=world.school_admin, scope="school", semester=worked)
    client = as_user(world.school_student_affairs)
    assert client.get(f"/dashboard/exports/{job.pk}/").status_code == 404
    assert client.get(f"/dashboard/exports/{job.pk}/download/").status_code == 404


def test_a_job_already_taken_is_not_run_twice(world, worked):
    from mentoring.services.oversight import export_job_run

    job = ExportJob.objects.create(requested_by=world.school_admin, scope="school", semester=worked, state="done")
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.file.name) == (ExportState.DONE, "")


def test_export_dates_are_text_for_the_day_of_the_report(world, worked):
    out = io.BytesIO()
    write_dashboard(out, semester=worked, college=None, role="", on=date(2026, 1, 19))
    filters = dict(rows(load_workbook(io.BytesIO(out.getvalue()))["筛选条件"])[1:])
    assert filters["统计日期"] == "2026-01-19" and filters["范围"] == "全校"


def test_the_school_export_written_college_by_college_has_every_number_of_the_dashboard(world, worked, calendar):
    """Read one college at a time, the export still holds the whole dashboard: every person, counselor week and lagging
    student or class, and the school's shares and ranking, as `school_dashboard` has them (its order: by college)."""
    from mentoring.selectors.dashboards import name_rows, school_dashboard
    from mentoring.services.assignments import mentor_assign
    from tests.factories import StaffFactory

    eco_mentor = StaffFactory(college=world.other_college).user
    mentor_assign(actor=None, student=world.other_student, mentor=eco_mentor, valid_from=date(2025, 9, 8))
    out = io.BytesIO()
    totals = write_dashboard(out, semester=worked, college=None, role="", on=TODAY)
    book = load_workbook(io.BytesIO(out.getvalue()))
    dashboard = school_dashboard(semester=worked, on=TODAY)
    name_rows(people=dashboard.people, grid=dashboard.grid, units=dashboard.students_short + dashboard.classes_short)

    people = rows(book["人员明细"])[1:]
    assert sorted((row[0], row[4], row[5], row[6]) for row in people) == sorted(
        (p.number, "合格" if p.compliant else "不合格", p.short, p.records_needed) for p in dashboard.people
    )
    order = [c.name for c in sorted((world.college, world.other_college), key=lambda c: c.code)] + [""]
    by_college = [row[2] for row in people]
    assert by_college == sorted(by_college, key=order.index)  # college by college, in code order
    assert set(by_college) == {world.college.name, world.other_college.name}

    def units(sheet):
        return sorted(tuple(row[:7]) for row in rows(book[sheet])[1:])

    assert units("学生谈话不足") == sorted(
        (u.person_number, u.person_name, u.unit_code, u.unit_name, u.requirement, u.count, u.required)
        for u in dashboard.students_short
    )
    assert units("班会不足") == sorted(
        (u.person_number, u.person_name, u.unit_code, u.unit_name, u.requirement, u.count, u.required)
        for u in dashboard.classes_short
    )
    header, *weekly = rows(book["辅导员每周"])
    assert header == ["工号", "辅导员"] + [f"第{week}周" for week in dashboard.weeks]
    assert sorted(row[0] for row in weekly) == sorted(g.number for g in dashboard.grid)  # one header, then rows
    assert [row[0] for row in rows(book["人员明细"])].count("工号") == 1
    shares = {row[0] + row[1]: row[3:5] for row in rows(book["各规则达标率"])[1:]}
    assert shares == {
        r.requirement + {"mentor": "本科生导师", "advisor": "班主任", "counselor": "辅导员"}[r.role]: [
            r.people,
            r.compliant,
        ]
        for r in dashboard.rules
    }
    ranking = [row[1:5] for row in rows(book["学院排名"])[1:]]
    assert ranking == [[c.college.code, c.college.name, c.people, c.compliant] for c in dashboard.colleges]
    assert (totals.people, totals.fully_compliant) == (len(dashboard.people), dashboard.fully_compliant)


def test_the_school_export_lists_people_without_a_college(world, worked):
    from accounts.models import Staff

    Staff.objects.filter(user=world.mentor).update(college=None)
    out = io.BytesIO()
    write_dashboard(out, semester=worked, college=None, role="", on=TODAY)
    people = rows(load_workbook(io.BytesIO(out.getvalue()))["人员明细"])[1:]
    assert [row[2] for row in people if row[0] == world.mentor.number] == [None]  # no college: an empty cell, last
    assert people[-1][0] == world.mentor.number


def test_with_the_task_queue_down_the_export_job_fails_at_once_and_its_page_says_so(
    world, worked, as_user, queue_down, django_capture_on_commit_callbacks
):
    client = as_user(world.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/dashboard/exports/", {"semester": worked.pk})
    job = ExportJob.objects.get()
    assert queue_down == ["mentoring.tasks.export_build"]
    assert response.status_code == 302 and response["Location"] == f"/dashboard/exports/{job.pk}/"
    assert job.state == ExportState.FAILED and job.finished is not None  # not queued for a worker that never hears
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The export failed. Try again" in page and "every 1s" not in page and "download/" not in page
