"""Assignment history: a change of mentor, class advisor or counselor closes the old row the day before."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEntry, Role, User
from accounts.services import role_grant
from mentoring.models import AdvisorAssignment, CounselorAssignment, MentorAssignment
from mentoring.selectors.people import Roles, carers_of, classes_of, roles_of, students_of_mentor
from mentoring.services.assignments import advisor_assign, counselor_assign, mentor_assign
from tests.conftest import ASSIGNED_FROM
from tests.factories import StaffFactory

CHANGE = date(2026, 3, 2)
DAY_BEFORE = date(2026, 3, 1)


@pytest.fixture
def new_mentor(world):
    return StaffFactory(user__number="T101", user__name="导师丁", college=world.college).user


def _mentor_history(student) -> list[tuple[str, date, date | None]]:
    return list(
        MentorAssignment.objects.filter(student=student)
        .order_by("valid_from")
        .values_list("mentor__number", "valid_from", "valid_until")
    )


def test_mentor_assign_closes_the_old_row_the_day_before(world, new_mentor):
    student = world.students[0]
    mentor_assign(actor=None, student=student, mentor=new_mentor, valid_from=CHANGE)
    assert _mentor_history(student) == [("T100", ASSIGNED_FROM, DAY_BEFORE), ("T101", CHANGE, None)]


def test_mentor_assign_writes_an_audit_entry_naming_the_replaced_row(world, new_mentor):
    student = world.students[0]
    old = MentorAssignment.objects.get(student=student)
    new = mentor_assign(actor=world.college_admin, student=student, mentor=new_mentor, valid_from=CHANGE)
    entry = AuditEntry.objects.get(action="mentorassignment.create", target_id=str(new.pk))
    assert (entry.actor, entry.data) == (
        world.college_admin,
        {"holder": "T101", "valid_from": "2026-03-02", "replaces": old.pk},
    )


def test_mentor_assign_same_mentor_again_is_a_no_op(world):
    student = world.students[0]
    before = (_mentor_history(student), AuditEntry.objects.count())
    current = mentor_assign(actor=None, student=student, mentor=world.mentor, valid_from=CHANGE)
    assert current == MentorAssignment.objects.get(student=student)
    assert (_mentor_history(student), AuditEntry.objects.count()) == before


def test_mentor_assign_first_mentor_of_a_student_opens_one_row(world, new_mentor):
    student = world.students[2]
    mentor_assign(actor=None, student=student, mentor=new_mentor, valid_from=CHANGE)
    assert _mentor_history(student) == [("T101", CHANGE, None)]


@pytest.mark.parametrize("valid_from", [ASSIGNED_FROM, date(2025, 9, 1)], ids=["on", "before"])
def test_mentor_assign_start_on_or_before_existing_row_is_refused(world, new_mentor, valid_from):
    student = world.students[0]
    before = (_mentor_history(student), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as error:
        mentor_assign(actor=None, student=student, mentor=new_mentor, valid_from=valid_from)
    assert list(error.value.message_dict) == ["valid_from"]
    assert (_mentor_history(student), AuditEntry.objects.count()) == before


def test_mentor_assign_start_before_a_later_closed_row_is_refused(world, new_mentor):
    student = world.students[0]
    mentor_assign(actor=None, student=student, mentor=new_mentor, valid_from=CHANGE)
    third = StaffFactory(user__number="T102", college=world.college).user
    before = _mentor_history(student)
    with pytest.raises(ValidationError):
        mentor_assign(actor=None, student=student, mentor=third, valid_from=date(2026, 1, 1))
    assert _mentor_history(student) == before


def test_mentor_assign_back_to_the_first_mentor_keeps_the_whole_history(world, new_mentor):
    student = world.students[0]
    mentor_assign(actor=None, student=student, mentor=new_mentor, valid_from=CHANGE)
    mentor_assign(actor=None, student=student, mentor=world.mentor, valid_from=date(2026, 9, 7))
    assert _mentor_history(student) == [
        ("T100", ASSIGNED_FROM, DAY_BEFORE),
        ("T101", CHANGE, date(2026, 9, 6)),
        ("T100", date(2026, 9, 7), None),
    ]


def test_roles_of_before_and_after_a_mentor_change(world, new_mentor):
    for student in world.students[:2]:
        mentor_assign(actor=None, student=student, mentor=new_mentor, valid_from=CHANGE)
    old = (roles_of(world.mentor, on=DAY_BEFORE).is_mentor, roles_of(world.mentor, on=CHANGE).is_mentor)
    new = (roles_of(new_mentor, on=DAY_BEFORE).is_mentor, roles_of(new_mentor, on=CHANGE).is_mentor)
    assert (old, new) == ((True, False), (False, True))


def test_roles_of_reads_every_role_and_grant_in_one_query(world, django_assert_num_queries):
    """One user holding all three policy roles (R-01, R-09, R-13), two college grants and a school one; and the
    roles and grants end on their days (an assignment's last day still counts)."""
    person = world.mentor
    advisor_assign(actor=None, school_class=world.class_b, advisor=person, valid_from=ASSIGNED_FROM)
    counselor_assign(actor=None, school_class=world.other_class, counselor=person, valid_from=ASSIGNED_FROM)
    role_grant(actor=None, user=person, role=Role.COLLEGE_ADMIN, college=world.college)
    role_grant(actor=None, user=person, role=Role.COLLEGE_STUDENT_AFFAIRS, college=world.other_college)
    role_grant(actor=None, user=person, role=Role.SCHOOL_STUDENT_AFFAIRS)
    fresh = User.objects.get(pk=person.pk)
    with django_assert_num_queries(1):
        roles = roles_of(fresh, on=CHANGE)
        assert roles_of(fresh, on=CHANGE) is roles  # cached on the user for the request
    assert roles == Roles(
        is_mentor=True,
        is_advisor=True,
        is_counselor=True,
        is_school_student_affairs=True,
        admin_college_ids=frozenset({world.college.pk}),
        student_affairs_college_ids=frozenset({world.other_college.pk}),
    )
    assert roles_of(User.objects.get(pk=world.student.pk), on=CHANGE) == Roles(is_student=True)
    assert roles_of(User.objects.get(pk=world.outsider.pk), on=CHANGE) == Roles()
    mentor_assign(actor=None, student=world.students[0], mentor=world.outsider, valid_from=CHANGE)
    held = [roles_of(User.objects.get(pk=world.mentor.pk), on=day).is_mentor for day in (DAY_BEFORE, CHANGE)]
    assert held == [True, True]  # the second student is still the mentor's
    mentor_assign(actor=None, student=world.students[1], mentor=world.outsider, valid_from=CHANGE)
    held = [roles_of(User.objects.get(pk=world.mentor.pk), on=day).is_mentor for day in (DAY_BEFORE, CHANGE)]
    assert held == [True, False]


def test_students_of_mentor_follow_the_change_date(world, new_mentor):
    mentor_assign(actor=None, student=world.students[0], mentor=new_mentor, valid_from=CHANGE)

    def numbers(mentor, day):
        return [s.user.number for s in students_of_mentor(mentor, on=day)]

    assert numbers(world.mentor, DAY_BEFORE) == sorted(s.user.number for s in world.students[:2])
    assert numbers(world.mentor, CHANGE) == [world.students[1].user.number]
    assert numbers(new_mentor, CHANGE) == [world.students[0].user.number]


def test_carers_of_a_reassigned_student_on_each_side_of_the_change(world, new_mentor):
    student = world.students[0]
    mentor_assign(actor=None, student=student, mentor=new_mentor, valid_from=CHANGE)
    assert (carers_of(student, on=DAY_BEFORE).mentor, carers_of(student, on=CHANGE).mentor) == (
        world.mentor,
        new_mentor,
    )


def test_mentor_assign_by_admin_of_another_college_is_refused(world, new_mentor):
    before = _mentor_history(world.students[0])
    with pytest.raises(PermissionDenied):
        mentor_assign(actor=world.other_admin, student=world.students[0], mentor=new_mentor, valid_from=CHANGE)
    assert _mentor_history(world.students[0]) == before


@pytest.mark.parametrize("persona", ["mentor", "advisor", "counselor", "student_affairs", "outsider"])
def test_mentor_assign_by_a_non_admin_is_refused(world, new_mentor, persona):
    with pytest.raises(PermissionDenied):
        mentor_assign(actor=getattr(world, persona), student=world.students[0], mentor=new_mentor, valid_from=CHANGE)
    assert MentorAssignment.objects.filter(mentor=new_mentor).count() == 0


@pytest.mark.parametrize("persona", ["college_admin", "school_admin"])
def test_mentor_assign_by_an_admin_of_the_college_is_allowed(world, new_mentor, persona):
    mentor_assign(actor=getattr(world, persona), student=world.students[0], mentor=new_mentor, valid_from=CHANGE)
    assert _mentor_history(world.students[0])[-1] == ("T101", CHANGE, None)


def _class_history(model, school_class, holder: str) -> list[tuple[str, date, date | None]]:
    return list(
        model.objects.filter(school_class=school_class)
        .order_by("valid_from")
        .values_list(f"{holder}__number", "valid_from", "valid_until")
    )


def test_advisor_assign_closes_the_old_row_the_day_before(world):
    advisor = StaffFactory(user__number="T201", college=world.college).user
    advisor_assign(actor=world.college_admin, school_class=world.class_a, advisor=advisor, valid_from=CHANGE)
    assert _class_history(AdvisorAssignment, world.class_a, "advisor") == [
        ("T200", ASSIGNED_FROM, DAY_BEFORE),
        ("T201", CHANGE, None),
    ]
    assert (roles_of(world.advisor, on=DAY_BEFORE).is_advisor, roles_of(world.advisor, on=CHANGE).is_advisor) == (
        True,
        False,
    )
    assert (roles_of(advisor, on=DAY_BEFORE).is_advisor, roles_of(advisor, on=CHANGE).is_advisor) == (False, True)


def test_advisor_assign_same_advisor_again_is_a_no_op(world):
    advisor_assign(actor=None, school_class=world.class_a, advisor=world.advisor, valid_from=CHANGE)
    assert _class_history(AdvisorAssignment, world.class_a, "advisor") == [("T200", ASSIGNED_FROM, None)]


def test_advisor_assign_start_on_existing_row_is_refused(world):
    advisor = StaffFactory(user__number="T201", college=world.college).user
    with pytest.raises(ValidationError):
        advisor_assign(actor=None, school_class=world.class_a, advisor=advisor, valid_from=ASSIGNED_FROM)
    assert _class_history(AdvisorAssignment, world.class_a, "advisor") == [("T200", ASSIGNED_FROM, None)]


def test_advisor_assign_by_admin_of_another_college_is_refused(world):
    advisor = StaffFactory(user__number="T201", college=world.college).user
    with pytest.raises(PermissionDenied):
        advisor_assign(actor=world.other_admin, school_class=world.class_a, advisor=advisor, valid_from=CHANGE)
    assert _class_history(AdvisorAssignment, world.class_a, "advisor") == [("T200", ASSIGNED_FROM, None)]


def test_counselor_assign_closes_the_old_row_and_keeps_other_classes(world):
    counselor = StaffFactory(user__number="T301", college=world.college).user
    counselor_assign(actor=world.college_admin, school_class=world.class_b, counselor=counselor, valid_from=CHANGE)
    assert _class_history(CounselorAssignment, world.class_b, "counselor") == [
        ("T300", ASSIGNED_FROM, DAY_BEFORE),
        ("T301", CHANGE, None),
    ]

    def codes(user, day):
        return [c.code for c in classes_of(user, role="counselor", on=day)]

    assert codes(world.counselor, DAY_BEFORE) == ["MSE2401", "MSE2402"]
    assert codes(world.counselor, CHANGE) == ["MSE2401"]
    assert codes(counselor, CHANGE) == ["MSE2402"]
    # The old counselor still counsels class A, so they keep the role.
    assert roles_of(world.counselor, on=CHANGE).is_counselor is True


def test_counselor_assign_by_admin_of_another_college_is_refused(world):
    counselor = StaffFactory(user__number="T301", college=world.college).user
    with pytest.raises(PermissionDenied):
        counselor_assign(actor=world.other_admin, school_class=world.class_b, counselor=counselor, valid_from=CHANGE)
    assert _class_history(CounselorAssignment, world.class_b, "counselor") == [("T300", ASSIGNED_FROM, None)]
