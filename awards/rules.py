"""Permission predicates of the awards (django-rules). What a state allows is checked by the services."""

from __future__ import annotations

import rules

from accounts.rules import is_school_admin
from mentoring.selectors.people import roles_of


@rules.predicate
def sees_all_colleges(user) -> bool:
    """The school offices (academic affairs, student affairs) read the proposal and the stipend sheet."""
    return roles_of(user).sees_all_colleges


# The committee acts through the school admin; school student affairs reads along.
rules.add_perm("awards.manage", is_school_admin)
rules.add_perm("awards.view_proposal", sees_all_colleges)
rules.add_perm("awards.view_stipends", sees_all_colleges)
# Publicity, objections and the honour roll are for everyone logged in (login_required does that part).
