"""Template tags of the page frame (`base.html`): its menu, language switch and footer, on every page."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@lru_cache(maxsize=128)
def _reversed(name: str, urlconf: str, prefix: str) -> str:
    return reverse(name, urlconf=urlconf)  # reverse() prepends get_script_prefix(), which is `prefix`


@register.simple_tag
def fixed_url(name: str) -> str:
    """`{% url name %}` for a URL that takes no arguments, reversed once per URLconf and script prefix.

    Django's `reverse` builds and matches its candidate patterns on every call: about 50 µs here, and the frame has
    19 such links, about 1 ms of every page. The answer depends only on the code (the URLconf; a test that swaps it
    names another module) and on where the site is mounted (the script prefix), both part of the key, so every
    process works it out the same way.
    """
    return _reversed(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
