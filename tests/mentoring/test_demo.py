"""The demo university that `make run` loads: its shape, idempotence and the printed logins."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from accounts.models import College, Role, RoleGrant, SchoolClass, Staff, Student, User
from mentoring.demo import DEMO_PASSWORD, demo_load, demo_logins
from mentoring.demo_oversight import demo_oversight_load
from mentoring.demo_records import PROFILES, demo_records_load, demo_semesters
from mentoring.models import (
    AdvisorAssignment,
    CounselorAssignment,
    Interaction,
    Kind,
    MentorAssignment,
    Semester,
    SupervisionFinding,
    TeachingWeek,
)
from mentoring.selectors.compliance import compliance_report
from mentoring.selectors.dashboards import overdue_findings, semester_meetings
from mentoring.selectors.people import roles_of

# The role named by each printed login, as `roles_of(...).names` spells it.
LOGIN_ROLES = {
    "school admin · 教务处": "school_admin",
    "school student affairs · 学生工作部": "school_student_affairs",
    "college admin · 学院管理员": "college_admin",
    "college student-affairs lead · 学院学工负责人": "college_student_affairs",
    "mentor · 本科生导师": "mentor",
    "class advisor · 班主任": "class_advisor",
    "counselor · 辅导员": "counselor",
    "student · 学生": "student",
}


@pytest.fixture
def demo(db):
    assert demo_load() is True


def _counts() -> dict[str, int]:
    models = [
        College,
        SchoolClass,
        User,
        Staff,
        Student,
        RoleGrant,
        Semester,
        TeachingWeek,
        MentorAssignment,
        AdvisorAssignment,
        CounselorAssignment,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_load_demo_twice_creates_no_duplicates(db):
    first_out, second_out = StringIO(), StringIO()
    call_command("load_demo", stdout=first_out)
    first = _counts()
    call_command("load_demo", stdout=second_out)
    assert _counts() == first
    assert "Demo university already present; unchanged." in second_out.getvalue()
    # Both runs print one login per role, read back from the database.
    printed = [[login.number in out.getvalue() for login in demo_logins()] for out in (first_out, second_out)]
    assert printed == [[True] * len(LOGIN_ROLES)] * 2


def test_demo_load_second_time_reports_nothing_created(demo):
    assert demo_load() is False


def test_demo_has_three_colleges(demo):
    assert list(College.objects.values_list("code", flat=True)) == ["CIE", "ECO", "MAT"]


def test_demo_has_between_550_and_700_students(demo):
    assert 550 <= Student.objects.count() <= 700


def test_demo_every_student_has_a_mentor_advisor_and_counselor(demo):
    students = Student.objects.count()
    with_mentor = MentorAssignment.objects.filter(valid_until__isnull=True).values("student").distinct().count()
    classes = SchoolClass.objects.count()
    advised = AdvisorAssignment.objects.filter(valid_until__isnull=True).count()
    counseled = CounselorAssignment.objects.filter(valid_until__isnull=True).count()
    assert (with_mentor, advised, counseled) == (students, classes, classes)


def test_demo_mentors_have_five_to_ten_students(demo):
    sizes = MentorAssignment.objects.values("mentor").annotate(n=Count("student")).values_list("n", flat=True)
    out_of_range = sorted(n for n in sizes if not 5 <= n <= 10)
    assert out_of_range == []


def test_demo_mentors_stay_in_their_college(demo):
    crossing = MentorAssignment.objects.exclude(
        mentor__staff__college=F("student__school_class__major__college")
    ).count()
    assert crossing == 0


def test_demo_has_two_counselors_per_college(demo):
    per_college = dict(
        CounselorAssignment.objects.values("school_class__major__college__code")
        .annotate(n=Count("counselor", distinct=True))
        .values_list("school_class__major__college__code", "n")
    )
    assert per_college == {"CIE": 2, "ECO": 2, "MAT": 2}


def test_demo_has_an_admin_per_college(demo):
    admins = sorted(RoleGrant.objects.filter(role=Role.COLLEGE_ADMIN).values_list("college__code", "user__number"))
    assert admins == [("CIE", "cieadmin"), ("ECO", "ecoadmin"), ("MAT", "matadmin")]


def test_demo_has_a_calendar_with_teaching_weeks(demo):
    assert list(Semester.objects.values_list("academic_year__start_year", "term")) == [
        (2025, 1),
        (2025, 2),
        (2026, 1),
        (2026, 2),
    ]


def test_demo_logins_one_per_role(demo):
    logins = demo_logins()
    assert sorted(login.role for login in logins) == sorted(LOGIN_ROLES)


def test_demo_logins_really_hold_their_role(demo):
    held = {}
    for login in demo_logins():
        user = User.objects.get(number=login.number)
        held[login.role] = LOGIN_ROLES[login.role] in roles_of(user).names
    assert held == dict.fromkeys(LOGIN_ROLES, True)


def test_demo_logins_log_in_with_the_demo_password(demo, client):
    results = {}
    for login in demo_logins():
        response = client.post("/accounts/login/", {"username": login.number, "password": DEMO_PASSWORD})
        results[login.number] = (response.status_code, response.url) == (302, "/")
        client.logout()
    assert results == {login.number: True for login in demo_logins()}


def test_demo_records_cover_the_semester_so_far_and_the_two_before_whole(demo):
    """The trend and the 2025–2026 evaluation have records to read: both semesters before the current one are kept
    whole, the current one up to today; in each finished semester some people keep R-03 and some do not, and each
    does a little better than the one before it (`PROFILES`)."""
    today = date(2026, 11, 22)
    written = demo_records_load(today=today)

    fall_2025, spring_2026, fall_2026, _spring_2027 = Semester.objects.order_by("start_date")
    counts = Interaction.objects.values("semester").annotate(n=Count("id"))
    per_semester = {row["semester"]: row["n"] for row in counts}
    assert written == sum(per_semester.values())
    assert set(per_semester) == {fall_2025.pk, spring_2026.pk, fall_2026.pk}
    assert Interaction.objects.filter(day__gt=today).count() == 0
    assert Interaction.objects.filter(semester=spring_2026).latest("day").day > spring_2026.end_date - timedelta(30)
    kept = {}
    for semester in (fall_2025, spring_2026):
        report = compliance_report(semester=semester)
        r03 = [s for standings in report.standings().values() for s in standings if s.rule.requirement == "R-03"]
        kept[semester.pk] = sum(s.compliant for s in r03) / len(r03)
    assert 0 < kept[fall_2025.pk] < kept[spring_2026.pk] < 1
    # The crisis case only now, with its parent contact and the advisor's care.
    crisis = Interaction.objects.filter(kind=Kind.CRISIS_CASE).values_list("semester", flat=True)
    assert list(crisis) == [fall_2026.pk]
    assert Interaction.objects.filter(kind__in=[Kind.PARENT_CONTACT, Kind.CARE], semester=fall_2026).count() == 2
    assert demo_records_load(today=today) == 0


def test_demo_oversight_has_a_finding_in_each_state_one_overdue_and_a_meeting_in_each_past_semester(demo):
    today = date(2026, 11, 22)
    assert demo_oversight_load(today=today) == 6

    states = sorted(SupervisionFinding.objects.values_list("college__code", "state"))
    assert states == [("CIE", "open"), ("ECO", "fixed"), ("ECO", "open"), ("MAT", "closed")]
    assert [f.college.code for f in overdue_findings(None, today)] == ["CIE"]
    meetings = {m.semester.code: (m.meetings, m.gap) for m in semester_meetings(today)}
    assert meetings == {"2025-2026-1": (1, False), "2025-2026-2": (1, False), "2026-2027-1": (0, False)}
    assert demo_oversight_load(today=today) == 0


def test_demo_records_in_a_break_keep_the_semester_just_ended_whole(demo):
    """Between semesters (here the winter break of 2026–2027) the demo still has its records: the semester that
    just ended, whole, as the current one (with the crisis case), and the two before it; none before the first."""
    fall_2025, spring_2026, fall_2026, _spring_2027 = Semester.objects.order_by("start_date")

    chosen = demo_semesters(fall_2026.end_date + timedelta(days=20))

    assert chosen == [
        (fall_2025, PROFILES[2], False),
        (spring_2026, PROFILES[1], False),
        (fall_2026, PROFILES[0], True),
    ]
    assert demo_semesters(fall_2025.start_date - timedelta(days=1)) == []
    assert [s for s, _profile, current in demo_semesters(fall_2025.start_date) if current] == [fall_2025]
