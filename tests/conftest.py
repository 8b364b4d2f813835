"""Shared fixtures: a small two-college world with a persona for every role.

Personas (healthchecks style): mentor, advisor, counselor, student, college_admin, school_admin,
student_affairs (college lead), outsider (staff with no role), other_admin (admin of the other college).
Relations are made through the real services, as a user's actions would make them.
"""

from __future__ import annotations

import importlib
import os
import socket
from dataclasses import dataclass
from datetime import date

import pytest
from django.db import connection

from accounts.models import College, Role, SchoolClass, Student, User
from accounts.services import role_grant
from mentoring.services.assignments import advisor_assign, counselor_assign, mentor_assign
from mentoring.services.calendar import semester_create
from tests.factories import CollegeFactory, MajorFactory, SchoolClassFactory, StaffFactory, StudentFactory

IN_CI = os.environ.get("CI", "").lower() == "true"


def closed_port() -> int:
    """A local port nothing listens on (bound, read, released): a Redis that is down, for the tests of outages."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require_service(available: bool, what: str) -> None:
    """Skip a test whose service is missing, except in CI, where a skip would hide a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI (CI=true) but is not configured")
    pytest.skip(f"{what} not configured")


@pytest.fixture
def postgres(db):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")


@pytest.fixture
def shipped_policy(transactional_db):
    """Transactional tests flush every table afterwards, data migrations included: load the policy again."""
    from django.apps import apps

    importlib.import_module("mentoring.migrations.0003_load_policy_2022_50").load(apps, None)


@pytest.fixture(autouse=True)
def _fast_tests(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_dashboards():
    """Dashboards are cached under the version token of the engine's inputs, and the school's last numbers are
    named under a token of their own; a new token per test means nothing cached by another test is found (SQLite
    reuses ids after a rollback). Only those keys are touched: in CI the cache's Redis database is also Celery's."""
    from django.core.cache import cache

    from mentoring.selectors.compliance import INPUTS_VERSION_KEY
    from mentoring.selectors.dashboards import SHOWN_VERSION_KEY

    cache.delete_many([INPUTS_VERSION_KEY, SHOWN_VERSION_KEY])
    yield
    cache.delete_many([INPUTS_VERSION_KEY, SHOWN_VERSION_KEY])


@pytest.fixture(autouse=True)
def _celery_inline():
    """Tasks run inline in tests, as in the embedded mode, even when CI sets REDIS_URL: only the tests that start a
    real worker (`celery_worker_redis`, which switches this off again) send tasks through Redis."""
    from config.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture
def queue_down(monkeypatch):
    """Celery as deployed with Redis down: every send fails as kombu's does when the broker refuses the connection
    (what `accounts.tasks.task_send` turns into False; tests/config/test_task_send.py sends to a closed port)."""
    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    from config.celery import app

    sent: list[str] = []

    def refused(task, *args, **kwargs):
        sent.append(task.name)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refused)
    app.conf.task_always_eager = False  # `_celery_inline` made it eager, and restores it after the test
    return sent


@pytest.fixture
def warms_sent(monkeypatch):
    """Celery as deployed (not eager), with the dashboard warm's sending recorded instead of sent: the list of the
    options each `apply_async` got. The pending mark of a warm is cleared before and after."""
    from django.core.cache import cache

    from config.celery import app
    from mentoring import tasks

    sent: list[dict] = []
    monkeypatch.setattr(tasks.dashboards_warm_task, "apply_async", lambda **options: sent.append(options))
    app.conf.task_always_eager = False  # `_celery_inline` made it eager, and restores it after the test
    cache.delete(tasks.REWARM_PENDING_KEY)
    yield sent
    cache.delete(tasks.REWARM_PENDING_KEY)


@pytest.fixture
def calendar(db):
    """Academic year 2025–2026: fall 2025-09-08 … 2026-01-18 (week 4 holiday, 18–19 exams), spring 2026."""
    fall = semester_create(
        actor=None,
        start_year=2025,
        term=1,
        start_date=date(2025, 9, 8),
        end_date=date(2026, 1, 18),
        holiday_weeks=(4,),
        exam_weeks=(18, 19),
    )
    spring = semester_create(
        actor=None,
        start_year=2025,
        term=2,
        start_date=date(2026, 3, 2),
        end_date=date(2026, 7, 12),
        exam_weeks=(18, 19),
    )
    return fall, spring


@dataclass
class World:
    college: College
    other_college: College
    class_a: SchoolClass
    class_b: SchoolClass
    other_class: SchoolClass
    students: list[Student]
    other_student: Student
    mentor: User
    advisor: User
    counselor: User
    student: User
    college_admin: User
    other_admin: User
    school_admin: User
    student_affairs: User
    school_student_affairs: User
    outsider: User


ASSIGNED_FROM = date(2025, 9, 8)


@pytest.fixture
def world(db) -> World:
    college = CollegeFactory(code="MAT", name="材料学院")
    other_college = CollegeFactory(code="ECO", name="经管学院")
    major = MajorFactory(college=college)
    other_major = MajorFactory(college=other_college)
    class_a = SchoolClassFactory(major=major, code="MSE2401")
    class_b = SchoolClassFactory(major=major, code="MSE2402")
    other_class = SchoolClassFactory(major=other_major, code="ACC2401")
    students = [StudentFactory(school_class=class_a) for _ in range(3)] + [StudentFactory(school_class=class_b)]
    other_student = StudentFactory(school_class=other_class)

    def staff(number: str, name: str, college_=college) -> User:
        return StaffFactory(user__number=number, user__name=name, college=college_).user

    mentor = staff("T100", "导师甲")
    advisor = staff("T200", "班主任乙")
    counselor = staff("T300", "辅导员丙")
    college_admin = staff("A100", "学院管理员")
    other_admin = staff("A200", "他院管理员", other_college)
    school_admin = staff("S100", "教务处", None)
    student_affairs = staff("X100", "学工负责人")
    school_student_affairs = staff("X900", "学工部", None)
    outsider = staff("T999", "无关教师")

    role_grant(actor=None, user=college_admin, role=Role.COLLEGE_ADMIN, college=college)
    role_grant(actor=None, user=other_admin, role=Role.COLLEGE_ADMIN, college=other_college)
    role_grant(actor=None, user=school_admin, role=Role.SCHOOL_ADMIN)
    role_grant(actor=None, user=student_affairs, role=Role.COLLEGE_STUDENT_AFFAIRS, college=college)
    role_grant(actor=None, user=school_student_affairs, role=Role.SCHOOL_STUDENT_AFFAIRS)

    for s in students[:2]:
        mentor_assign(actor=None, student=s, mentor=mentor, valid_from=ASSIGNED_FROM)
    advisor_assign(actor=None, school_class=class_a, advisor=advisor, valid_from=ASSIGNED_FROM)
    counselor_assign(actor=None, school_class=class_a, counselor=counselor, valid_from=ASSIGNED_FROM)
    counselor_assign(actor=None, school_class=class_b, counselor=counselor, valid_from=ASSIGNED_FROM)

    return World(
        college=college,
        other_college=other_college,
        class_a=class_a,
        class_b=class_b,
        other_class=other_class,
        students=students,
        other_student=other_student,
        mentor=mentor,
        advisor=advisor,
        counselor=counselor,
        student=students[0].user,
        college_admin=college_admin,
        other_admin=other_admin,
        school_admin=school_admin,
        student_affairs=student_affairs,
        school_student_affairs=school_student_affairs,
        outsider=outsider,
    )


@pytest.fixture
def as_user(client):
    """Log the test client in as a persona: `as_user(world.mentor).get(url)`."""

    def login(user: User):
        client.force_login(user)
        return client

    return login
