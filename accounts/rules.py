"""Permission predicates for the administrative grants (django-rules).

Roles that come from assignments (mentor, advisor, counselor) are predicates of `mentoring.rules`.
Grants are read once per request and cached on the user object.
"""

from __future__ import annotations

import rules

from accounts.models import Role, RoleGrant


def grants_of(user) -> frozenset[tuple[str, int | None]]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_yuren_grants", None)
    if cached is None:
        cached = frozenset(RoleGrant.objects.filter(user=user).values_list("role", "college_id"))
        user._yuren_grants = cached
    return cached


def college_ids_with_role(user, *roles: str) -> set[int]:
    return {college_id for role, college_id in grants_of(user) if role in roles and college_id is not None}


def has_school_role(user, role: str) -> bool:
    return (role, None) in grants_of(user)


@rules.predicate
def is_school_admin(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_school_role(user, Role.SCHOOL_ADMIN)


@rules.predicate
def is_college_admin(user) -> bool:
    return bool(college_ids_with_role(user, Role.COLLEGE_ADMIN))


@rules.predicate
def is_school_student_affairs(user) -> bool:
    return has_school_role(user, Role.SCHOOL_STUDENT_AFFAIRS)


@rules.predicate
def administers_college(user, college) -> bool:
    if college is None:
        return False
    return is_school_admin(user) or college.pk in college_ids_with_role(user, Role.COLLEGE_ADMIN)


def administered_college_ids(user) -> set[int] | None:
    """Colleges the user administers; None means every college (school admin)."""
    if is_school_admin(user):
        return None
    return college_ids_with_role(user, Role.COLLEGE_ADMIN)


rules.add_perm("accounts.use_admin_site", is_school_admin)
rules.add_perm("accounts.view_college", administers_college)
rules.add_perm("accounts.import_roster", is_school_admin | is_college_admin)
# The log of what the portal sent, and the college's group robot (accounts.notifications).
rules.add_perm("accounts.view_sent_messages", is_school_admin | is_college_admin)
