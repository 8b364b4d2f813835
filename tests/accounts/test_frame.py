"""The page frame's links (`accounts.templatetags.frame`): reversed once, the same as `{% url %}`."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

from accounts.templatetags.frame import _reversed


def _render(text: str) -> str:
    return Template("{% load frame %}" + text).render(Context())


@pytest.mark.parametrize("name", ["home", "my_work", "dashboard_home", "evaluation:overview", "admin:index"])
def test_a_fixed_url_is_what_reverse_gives(name):
    assert _render(f"{{% fixed_url '{name}' %}}") == reverse(name)


def test_a_fixed_url_follows_where_the_site_is_mounted():
    _reversed.cache_clear()
    assert _render("{% fixed_url 'home' %}") == "/"
    set_script_prefix("/yuren/")
    try:
        assert _render("{% fixed_url 'home' %}") == "/yuren/"
        assert _render("{% fixed_url 'my_work' %}") == reverse("my_work")  # reverse() under the same prefix
    finally:
        set_script_prefix("/")
    assert _render("{% fixed_url 'home' %}") == "/"
    assert _reversed.cache_info().hits >= 1  # asked twice for "/" home: the second from the cache


def test_every_link_of_the_frame_is_a_fixed_url():
    """No `{% url %}` left in base.html: each would cost a reverse() on every page."""
    from pathlib import Path

    from django.conf import settings

    frame = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    assert "{% url " not in frame
    assert frame.count("{% fixed_url ") == 19
