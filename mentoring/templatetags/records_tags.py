"""Template tags of the record pages."""

from django import template

from mentoring.selectors.records import records_attended_by

register = template.Library()

ATTENDED_SHOWN = 10


@register.simple_tag
def attended_records(user) -> list:
    """The latest non-sensitive records a student attended, for their home page."""
    return list(records_attended_by(user)[:ATTENDED_SHOWN])
