"""The demo university that `make run` loads: three colleges, ~600 students, every role.

Deterministic (seeded) and idempotent: loading twice changes nothing. Everyone's password is DEMO_PASSWORD.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import College, Major, Role, SchoolClass, Staff, Student, User
from accounts.services import role_grant
from mentoring.models import AdvisorAssignment, CounselorAssignment, MentorAssignment, Semester
from mentoring.selectors.compliance import compliance_inputs_changed
from mentoring.services.calendar import semester_create

DEMO_PASSWORD = "yuren-demo-2026"  # noqa: S105 (printed by make run on purpose)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀兰霞平刚桂英华玉萍红娥玲飞鹏辉宇浩然子轩梓涵欣怡思雨一诺嘉文晨阳"

COLLEGES = [
    ("MAT", "材料科学与工程学院", [("MSE", "材料科学与工程"), ("MET", "冶金工程")]),
    ("CIE", "计算机与通信工程学院", [("CS", "计算机科学与技术"), ("CE", "通信工程")]),
    ("ECO", "经济管理学院", [("ACC", "会计学"), ("FIN", "金融学")]),
]
COHORTS = (2023, 2024, 2025)
STUDENTS_PER_CLASS = 33

# (start_year, term, first day, last day, holiday weeks, exam weeks)
CALENDAR = [
    (2025, 1, date(2025, 9, 8), date(2026, 1, 18), (4,), (18, 19)),
    (2025, 2, date(2026, 3, 2), date(2026, 7, 12), (10,), (18, 19)),
    (2026, 1, date(2026, 9, 7), date(2027, 1, 17), (4,), (18, 19)),
    (2026, 2, date(2027, 3, 1), date(2027, 7, 11), (10,), (18, 19)),
]
ASSIGNED_FROM = date(2025, 9, 8)


@dataclass
class DemoLogin:
    role: str
    number: str
    name: str


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def demo_logins() -> list[DemoLogin]:
    """One login per role, read back from the database (so it is true after a second load too)."""
    picks = [
        ("school admin · 教务处", User.objects.filter(number="admin")),
        ("school student affairs · 学生工作部", User.objects.filter(number="xgb01")),
        ("college admin · 学院管理员", User.objects.filter(grants__role=Role.COLLEGE_ADMIN)),
        (
            "college student-affairs lead · 学院学工负责人",
            User.objects.filter(grants__role=Role.COLLEGE_STUDENT_AFFAIRS),
        ),
        (
            "mentor · 本科生导师",
            User.objects.filter(mentor_assignments__isnull=False, mentor_assignments__valid_until__isnull=True),
        ),
        (
            "class advisor · 班主任",
            User.objects.filter(advisor_assignments__isnull=False, advisor_assignments__valid_until__isnull=True),
        ),
        (
            "counselor · 辅导员",
            User.objects.filter(counselor_assignments__isnull=False, counselor_assignments__valid_until__isnull=True),
        ),
        ("student · 学生", User.objects.filter(student__isnull=False)),
    ]
    logins = []
    for role, queryset in picks:
        user = queryset.order_by("number").first()
        if user is not None:
            logins.append(DemoLogin(role=role, number=user.number, name=user.name))
    return logins


def demo_loaded() -> bool:
    return College.objects.filter(code=COLLEGES[0][0]).exists()


@transaction.atomic
def demo_load() -> bool:
    """Create the demo university unless it is there already. Returns True when it created it."""
    if demo_loaded():
        return False
    rng = random.Random(20221226)
    password = make_password(DEMO_PASSWORD)

    for start_year, term, first, last, holidays, exams in CALENDAR:
        if not Semester.objects.filter(academic_year__start_year=start_year, term=term).exists():
            semester_create(
                actor=None,
                start_year=start_year,
                term=term,
                start_date=first,
                end_date=last,
                holiday_weeks=holidays,
                exam_weeks=exams,
            )

    def person(number: str, name: str | None = None, *, college: College | None = None, title: str = "") -> User:
        user = User.objects.create(number=number, name=name or _name(rng), password=password)
        Staff.objects.create(user=user, college=college, title=title)
        return user

    admin = person("admin", "教务处管理员", title="教务处")
    role_grant(actor=None, user=admin, role=Role.SCHOOL_ADMIN)
    affairs = person("xgb01", "学工部老师", title="学生工作部")
    role_grant(actor=None, user=affairs, role=Role.SCHOOL_STUDENT_AFFAIRS)

    staff_no = 1000
    for c_index, (c_code, c_name, majors) in enumerate(COLLEGES, start=1):
        college = College.objects.create(code=c_code, name=c_name)
        college_admin = person(f"{c_code.lower()}admin", f"{c_name[:2]}教学办", college=college, title="教学办公室")
        role_grant(actor=None, user=college_admin, role=Role.COLLEGE_ADMIN, college=college)
        lead = person(f"{c_code.lower()}xg", f"{c_name[:2]}学工负责人", college=college, title="学工办主任")
        role_grant(actor=None, user=lead, role=Role.COLLEGE_STUDENT_AFFAIRS, college=college)
        counselors = []
        for _ in range(2):
            staff_no += 1
            counselors.append(person(f"T{staff_no}", college=college, title="辅导员"))

        classes: list[SchoolClass] = []
        for m_code, m_name in majors:
            major = Major.objects.create(college=college, code=m_code, name=m_name)
            for cohort in COHORTS:
                n_classes = 2 if (c_index, cohort) == (2, 2025) else 1
                for k in range(1, n_classes + 1):
                    code = f"{m_code}{cohort % 100}{k:02d}"
                    classes.append(
                        SchoolClass.objects.create(
                            major=major, code=code, name=f"{m_name}{cohort % 100}-{k}班", cohort=cohort
                        )
                    )

        for i, school_class in enumerate(classes):
            staff_no += 1
            advisor = person(f"T{staff_no}", college=college, title="讲师")
            AdvisorAssignment.objects.create(advisor=advisor, school_class=school_class, valid_from=ASSIGNED_FROM)
            CounselorAssignment.objects.create(
                counselor=counselors[i % 2], school_class=school_class, valid_from=ASSIGNED_FROM
            )

        students: list[Student] = []
        for seq, school_class in enumerate(classes, start=1):
            for k in range(1, STUDENTS_PER_CLASS + 1):
                number = f"{school_class.cohort}{c_index:02d}{seq:02d}{k:02d}"
                user = User.objects.create(number=number, name=_name(rng), password=password)
                students.append(Student.objects.create(user=user, school_class=school_class))

        # Mentors take 5 to 10 students each, mostly from one cohort.
        rng.shuffle(students)
        students.sort(key=lambda s: s.school_class.cohort)
        position = 0
        while position < len(students):
            staff_no += 1
            mentor = person(f"T{staff_no}", college=college, title=rng.choice(["教授", "副教授", "讲师"]))
            size = rng.randint(5, 10)
            remaining = len(students) - position
            if remaining - size < 5:
                # Never leave a last mentor with fewer than 5: take the rest, or leave exactly 5 for the next.
                size = remaining if remaining <= 10 else remaining - 5
            MentorAssignment.objects.bulk_create(
                MentorAssignment(mentor=mentor, student=student, valid_from=ASSIGNED_FROM)
                for student in students[position : position + size]
            )
            position += size
    compliance_inputs_changed()  # written in bulk, past the services: nothing cached before stays
    return True
