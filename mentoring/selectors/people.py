"""Who someone is (their roles today) and whom they may see.

Every list and every object check goes through these scopes, so "list what I may see" and
"may I see this" never disagree (Open edX style: one rule, also usable as a queryset filter).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import College, Role, RoleGrant, SchoolClass, Staff, Student, User
from accounts.rules import college_ids_with_role, grants_of, is_school_admin
from mentoring.models import AdvisorAssignment, CounselorAssignment, MentorAssignment


@dataclass(frozen=True)
class Roles:
    is_mentor: bool = False
    is_advisor: bool = False
    is_counselor: bool = False
    is_student: bool = False
    is_school_admin: bool = False
    is_school_student_affairs: bool = False
    admin_college_ids: frozenset[int] = frozenset()
    student_affairs_college_ids: frozenset[int] = frozenset()

    @property
    def is_college_admin(self) -> bool:
        return bool(self.admin_college_ids)

    @property
    def is_worker(self) -> bool:
        """Holds at least one of the three roles of the policy (mentor, class advisor, counselor)."""
        return self.is_mentor or self.is_advisor or self.is_counselor

    @property
    def names_as_staff(self) -> set[str]:
        """The policy roles held, as StaffRole values (mentor, advisor, counselor)."""
        held = {("mentor", self.is_mentor), ("advisor", self.is_advisor), ("counselor", self.is_counselor)}
        return {name for name, flag in held if flag}

    @property
    def sees_all_colleges(self) -> bool:
        return self.is_school_admin or self.is_school_student_affairs

    @property
    def names(self) -> list[str]:
        flags = [
            ("mentor", self.is_mentor),
            ("class_advisor", self.is_advisor),
            ("counselor", self.is_counselor),
            ("student", self.is_student),
            ("college_admin", self.is_college_admin),
            ("college_student_affairs", bool(self.student_affairs_college_ids)),
            ("school_admin", self.is_school_admin),
            ("school_student_affairs", self.is_school_student_affairs),
        ]
        return [name for name, held in flags if held]


def today() -> date:
    return timezone.localdate()


def _roles_sql() -> str:
    """The one query of `roles_of`: a row per policy role held on the day ('#m', '#a', '#c'), one if the user is a
    student ('#s'), and a row per administrative grant (role, college). Written by hand, from the models' table and
    column names: built by the ORM, the four EXISTS and the grants took two queries and ~2 ms of query building on
    every page, longer than running them. "Held on the day" is `AssignmentQuerySet.valid_on` (valid_until
    inclusive, NULL: still valid); the tests of roles_of on a change of mentor, advisor and counselor hold the two
    to the same days."""
    student = Student._meta
    grant = RoleGrant._meta
    # The grants first: their column types lead the UNION (PostgreSQL types NULL … NULL as text otherwise).
    role, college, user = (grant.get_field(name).column for name in ("role", "college", "user"))
    parts = [f"SELECT {role}, {college} FROM {grant.db_table} WHERE {user} = %(user)s"]  # noqa: S608
    for tag, model, field in (
        ("#m", MentorAssignment, "mentor"),
        ("#a", AdvisorAssignment, "advisor"),
        ("#c", CounselorAssignment, "counselor"),
    ):
        holder, first, last = (model._meta.get_field(name).column for name in (field, "valid_from", "valid_until"))
        parts.append(
            f"SELECT '{tag}', NULL FROM (SELECT 1 FROM {model._meta.db_table} WHERE {holder} = %(user)s"  # noqa: S608
            f" AND {first} <= %(day)s AND ({last} IS NULL OR {last} >= %(day)s) LIMIT 1) h"
        )
    parts.append(f"SELECT '#s', NULL FROM {student.db_table} WHERE {student.pk.column} = %(user)s")  # noqa: S608
    return " UNION ALL ".join(parts)


ROLES_SQL = _roles_sql()
HELD_TAGS = frozenset({"#m", "#a", "#c", "#s"})  # no Role value starts with "#"


def roles_of(user, *, on: date | None = None) -> Roles:
    """The roles a user holds on a day (default today); one query, cached on the user for the request. The grants
    read with it are kept where `accounts.rules.grants_of` finds them, so the permission predicates ask no more."""
    if not getattr(user, "is_authenticated", False):
        return Roles()
    day = on or today()
    # getattr/setattr, not __dict__: request.user is a SimpleLazyObject, and the permission backend sees the
    # wrapped User; both must share one cache or roles are computed twice per request.
    cache = getattr(user, "_yuren_roles", None)
    if cache is None:
        cache = user._yuren_roles = {}
    if day in cache:
        return cache[day]
    with connection.cursor() as cursor:
        cursor.execute(ROLES_SQL, {"user": user.pk, "day": day})
        rows = cursor.fetchall()
    held = {tag for tag, _college in rows if tag in HELD_TAGS}
    if getattr(user, "_yuren_grants", None) is None:
        user._yuren_grants = frozenset((role, college) for role, college in rows if role not in HELD_TAGS)
    roles = Roles(
        is_mentor="#m" in held,
        is_advisor="#a" in held,
        is_counselor="#c" in held,
        is_student="#s" in held,
        is_school_admin=bool(is_school_admin(user)),
        is_school_student_affairs=(Role.SCHOOL_STUDENT_AFFAIRS, None) in grants_of(user),
        admin_college_ids=frozenset(college_ids_with_role(user, Role.COLLEGE_ADMIN)),
        student_affairs_college_ids=frozenset(college_ids_with_role(user, Role.COLLEGE_STUDENT_AFFAIRS)),
    )
    cache[day] = roles
    return roles


NOTHING = Q(pk__in=[])


def _college_ids_seen(roles: Roles) -> frozenset[int]:
    return roles.admin_college_ids | roles.student_affairs_college_ids


def student_scope(user, *, on: date | None = None) -> Q:
    """A filter on Student: the students this user may see."""
    day = on or today()
    roles = roles_of(user, on=day)
    if roles.sees_all_colleges:
        return Q()
    scope = NOTHING
    colleges = _college_ids_seen(roles)
    if colleges:
        scope |= Q(school_class__major__college_id__in=colleges)
    if roles.is_mentor:
        scope |= Q(pk__in=MentorAssignment.objects.valid_on(day).filter(mentor=user).values("student_id"))
    if roles.is_advisor:
        scope |= Q(
            school_class__in=AdvisorAssignment.objects.valid_on(day).filter(advisor=user).values("school_class_id")
        )
    if roles.is_counselor:
        scope |= Q(
            school_class__in=CounselorAssignment.objects.valid_on(day).filter(counselor=user).values("school_class_id")
        )
    if roles.is_student:
        scope |= Q(pk=user.pk)
    return scope


def class_scope(user, *, on: date | None = None) -> Q:
    """A filter on SchoolClass: classes the user administers, advises or counsels."""
    day = on or today()
    roles = roles_of(user, on=day)
    if roles.sees_all_colleges:
        return Q()
    scope = NOTHING
    colleges = _college_ids_seen(roles)
    if colleges:
        scope |= Q(major__college_id__in=colleges)
    if roles.is_advisor:
        scope |= Q(pk__in=AdvisorAssignment.objects.valid_on(day).filter(advisor=user).values("school_class_id"))
    if roles.is_counselor:
        scope |= Q(pk__in=CounselorAssignment.objects.valid_on(day).filter(counselor=user).values("school_class_id"))
    return scope


def college_scope(user) -> Q:
    roles = roles_of(user)
    if roles.sees_all_colleges:
        return Q()
    colleges = _college_ids_seen(roles)
    return Q(pk__in=colleges) if colleges else NOTHING


def students_visible_to(user, *, on: date | None = None) -> QuerySet[Student]:
    return (
        Student.objects.filter(student_scope(user, on=on))
        .select_related("user", "school_class__major__college")
        .order_by("user__number")
    )


def student_get_visible(user, *, number: str) -> Student:
    """The student with this number if the user may see them; 404 for missing and forbidden alike."""
    student = students_visible_to(user).filter(user__number=number).first()
    if student is None:
        raise Http404
    return student


def classes_visible_to(user, *, on: date | None = None) -> QuerySet[SchoolClass]:
    return (
        SchoolClass.objects.filter(class_scope(user, on=on))
        .select_related("major__college")
        .annotate(student_count=Count("students"))
        .order_by("code")
    )


def class_get_visible(user, *, code: str) -> SchoolClass:
    school_class = classes_visible_to(user).filter(code=code).first()
    if school_class is None:
        raise Http404
    return school_class


def colleges_visible_to(user) -> QuerySet[College]:
    return College.objects.filter(college_scope(user)).order_by("code")


def staff_visible_to(user) -> QuerySet[Staff]:
    """Staff of the colleges the user administers (school admins: all)."""
    roles = roles_of(user)
    if roles.sees_all_colleges:
        scope = Q()
    elif _college_ids_seen(roles):
        scope = Q(college_id__in=_college_ids_seen(roles))
    else:
        scope = NOTHING
    return Staff.objects.filter(scope).select_related("user", "college").order_by("user__number")


def students_of_mentor(mentor: User, *, on: date | None = None) -> QuerySet[Student]:
    day = on or today()
    return (
        Student.objects.filter(pk__in=MentorAssignment.objects.valid_on(day).filter(mentor=mentor).values("student_id"))
        .select_related("user", "school_class")
        .order_by("school_class__code", "user__number")
    )


def classes_of(user: User, *, role: str, on: date | None = None) -> QuerySet[SchoolClass]:
    """Classes a user advises (`role="advisor"`) or counsels (`role="counselor"`) on a day."""
    day = on or today()
    model = {"advisor": AdvisorAssignment, "counselor": CounselorAssignment}[role]
    ids = model.objects.valid_on(day).filter(**{role: user}).values("school_class_id")
    return (
        SchoolClass.objects.filter(pk__in=ids)
        .select_related("major__college")
        .annotate(student_count=Count("students"))
        .order_by("code")
    )


@dataclass(frozen=True)
class Carers:
    mentor: User | None
    advisor: User | None
    counselor: User | None


def carers_of(student: Student, *, on: date | None = None) -> Carers:
    """A student's mentor, class advisor and counselor on a day (three small queries)."""
    day = on or today()
    mentor = MentorAssignment.objects.valid_on(day).filter(student=student).select_related("mentor").first()
    advisor = (
        AdvisorAssignment.objects.valid_on(day)
        .filter(school_class_id=student.school_class_id)
        .select_related("advisor")
        .first()
    )
    counselor = (
        CounselorAssignment.objects.valid_on(day)
        .filter(school_class_id=student.school_class_id)
        .select_related("counselor")
        .first()
    )
    return Carers(
        mentor=mentor.mentor if mentor else None,
        advisor=advisor.advisor if advisor else None,
        counselor=counselor.counselor if counselor else None,
    )
