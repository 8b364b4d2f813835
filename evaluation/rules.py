"""Permission predicates of the evaluation (django-rules). What a phase allows is checked by the services."""

from __future__ import annotations

import rules

from accounts.rules import administers_college, is_school_admin
from mentoring.selectors.people import roles_of


@rules.predicate
def sees_school_scores(user) -> bool:
    """The school offices see every college's scores."""
    return roles_of(user).sees_all_colleges


@rules.predicate
def reviews_colleges(user) -> bool:
    """College admins review their college's people; school admins any college's."""
    roles = roles_of(user)
    return roles.is_school_admin or roles.is_college_admin


@rules.predicate
def sees_scores(user) -> bool:
    roles = roles_of(user)
    return roles.sees_all_colleges or bool(roles.admin_college_ids | roles.student_affairs_college_ids)


@rules.predicate
def is_student(user) -> bool:
    return roles_of(user).is_student


rules.add_perm("evaluation.manage_cycle", is_school_admin)
rules.add_perm("evaluation.review_college", administers_college)
rules.add_perm("evaluation.review_colleges", reviews_colleges)
rules.add_perm("evaluation.view_scores", sees_scores)
rules.add_perm("evaluation.answer_survey", is_student)
