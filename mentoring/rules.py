"""Permission predicates of the mentoring app (django-rules), built on the scopes in selectors.people."""

from __future__ import annotations

import rules

from accounts.models import Student
from accounts.rules import administers_college, is_college_admin, is_school_admin
from mentoring.selectors.people import roles_of, student_scope


@rules.predicate
def is_mentor(user) -> bool:
    return roles_of(user).is_mentor


@rules.predicate
def is_advisor(user) -> bool:
    return roles_of(user).is_advisor


@rules.predicate
def is_counselor(user) -> bool:
    return roles_of(user).is_counselor


@rules.predicate
def is_student(user) -> bool:
    return roles_of(user).is_student


@rules.predicate
def is_worker(user) -> bool:
    return roles_of(user).is_worker


@rules.predicate
def can_see_student(user, student) -> bool:
    return Student.objects.filter(student_scope(user), pk=student.pk).exists()


@rules.predicate
def oversees_colleges(user) -> bool:
    """Admin or student-affairs lead of a college, or of the school: the roles the college scopes serve."""
    roles = roles_of(user)
    return roles.is_college_admin or roles.sees_all_colleges or bool(roles.student_affairs_college_ids)


@rules.predicate
def sees_people_lists(user) -> bool:
    return roles_of(user).is_worker or oversees_colleges(user)


# The list permissions admit exactly the roles whose scope in selectors.people can be non-empty.
rules.add_perm("mentoring.view_student", can_see_student)
rules.add_perm("mentoring.list_students", sees_people_lists)
rules.add_perm("mentoring.list_classes", is_advisor | is_counselor | oversees_colleges)
rules.add_perm("mentoring.list_staff", oversees_colleges)
rules.add_perm("mentoring.list_colleges", oversees_colleges)
rules.add_perm("mentoring.manage_college", administers_college)

rules.add_perm("mentoring.manage_college_rules", is_college_admin | is_school_admin)


# --- Dashboards and supervision (R-20, R-22, R-28 … R-30) -------------------------------------------------------


@rules.predicate
def sees_school_dashboard(user) -> bool:
    """The school offices: academic affairs (school admin) and school student affairs."""
    return roles_of(user).sees_all_colleges


@rules.predicate
def sees_college_dashboard(user, college) -> bool:
    """A college's dashboard: its admins and student-affairs leads, and the school offices."""
    if college is None:
        return False
    roles = roles_of(user)
    return roles.sees_all_colleges or college.pk in (roles.admin_college_ids | roles.student_affairs_college_ids)


@rules.predicate
def sees_any_dashboard(user) -> bool:
    roles = roles_of(user)
    return roles.sees_all_colleges or bool(roles.admin_college_ids | roles.student_affairs_college_ids)


@rules.predicate
def fixes_college_findings(user, finding) -> bool:
    """The college's admin states the fix of a finding against their college (R-28)."""
    return finding is not None and finding.college_id in roles_of(user).admin_college_ids


rules.add_perm("mentoring.view_dashboards", sees_any_dashboard)
rules.add_perm("mentoring.view_school_dashboard", sees_school_dashboard)
rules.add_perm("mentoring.view_college_dashboard", sees_college_dashboard)
rules.add_perm("mentoring.manage_supervision", sees_school_dashboard)
rules.add_perm("mentoring.fix_finding", fixes_college_findings)
