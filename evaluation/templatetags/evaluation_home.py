"""The home page's card of what the evaluation under way asks of the visitor (`evaluation.selectors.todo`).

A template tag, so that the home page (mentoring's) shows it without mentoring importing evaluation."""

from __future__ import annotations

from django import template

from evaluation.selectors.todo import evaluation_todo as _evaluation_todo

register = template.Library()


@register.simple_tag
def evaluation_todo(user, roles) -> dict:
    """`{% evaluation_todo user roles as todo %}`: `todo.cycle` and `todo.items` (empty when nothing is asked)."""
    cycle, items = _evaluation_todo(user, roles)
    return {"cycle": cycle, "items": items}
