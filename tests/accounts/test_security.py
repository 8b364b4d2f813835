"""Login lockout, idle sessions, the content security policy, the admin site and the page language."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.middleware import RENEWED_AT
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
IP = "10.0.0.1"


def _attempt(client, number: str, password: str, ip: str = IP, **headers):
    return client.post(LOGIN, {"username": number, "password": password}, REMOTE_ADDR=ip, **headers)


def _fail(client, number: str, times: int, ip: str = IP) -> list[int]:
    return [_attempt(client, number, "wrong-password", ip).status_code for _ in range(times)]


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- lockout (django-axes) -------------------------------------------------------------------------------------


def test_lockout_settings_are_five_failures_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME


def test_login_right_password_logs_in(client, world):
    response = _attempt(client, world.mentor.number, PASSWORD)
    assert (response.status_code, response.url, _logged_in(client)) == (302, "/", True)


def test_login_fifth_failure_locks_the_account(client, world):
    assert _fail(client, world.mentor.number, 5) == [200, 200, 200, 200, 429]


def test_login_locked_account_refuses_the_right_password(client, world):
    _fail(client, world.mentor.number, 5)
    response = _attempt(client, world.mentor.number, PASSWORD)
    html = response.content.decode()
    assert (response.status_code, _logged_in(client)) == (429, False)
    assert ('id="id_password"' in html, "registration/locked_out.html" in {t.name for t in response.templates}) == (
        False,
        True,
    )


def test_login_failures_are_counted_for_the_username(client, world):
    _fail(client, world.mentor.number, 1)
    assert list(AccessAttempt.objects.values_list("username", "ip_address", "failures_since_start")) == [
        (world.mentor.number, IP, 1)
    ]


def test_login_four_failures_do_not_lock(client, world):
    _fail(client, world.mentor.number, 4)
    assert (_attempt(client, world.mentor.number, PASSWORD).status_code, _logged_in(client)) == (302, True)


def test_login_lock_does_not_reach_another_ip(client, world):
    _fail(client, world.mentor.number, 5)
    response = _attempt(client, world.mentor.number, PASSWORD, ip="10.0.0.2")
    assert (response.status_code, _logged_in(client)) == (302, True)


def test_login_lock_does_not_reach_another_user_on_the_same_ip(client, world):
    _fail(client, world.mentor.number, 5)
    response = _attempt(client, world.advisor.number, PASSWORD)
    assert (response.status_code, _logged_in(client)) == (302, True)


def test_login_lock_is_not_escaped_by_a_forged_forwarded_for_header(client, world):
    _fail(client, world.mentor.number, 5)
    response = _attempt(client, world.mentor.number, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert (response.status_code, _logged_in(client)) == (429, False)


def test_login_lock_lifts_after_the_cool_off(client, world):
    _fail(client, world.mentor.number, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert (_attempt(client, world.mentor.number, PASSWORD).status_code, _logged_in(client)) == (302, True)


def test_login_lock_still_holds_before_the_cool_off_ends(client, world):
    _fail(client, world.mentor.number, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert (_attempt(client, world.mentor.number, PASSWORD).status_code, _logged_in(client)) == (429, False)


def test_admin_login_is_locked_too(client, world):
    _fail(client, world.school_admin.number, 5)
    response = client.post(
        "/admin/login/", {"username": world.school_admin.number, "password": PASSWORD}, REMOTE_ADDR=IP
    )
    assert (response.status_code, _logged_in(client)) == (429, False)


# --- idle session timeout --------------------------------------------------------------------------------------


def test_session_idle_timeout_is_thirty_minutes_renewed_at_most_once_a_minute():
    assert (settings.SESSION_COOKIE_AGE, settings.SESSION_RENEW_SECONDS) == (30 * 60, 60)
    assert not settings.SESSION_SAVE_EVERY_REQUEST


def _session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _renewed_ago(client, seconds: int) -> None:
    """Pretend the session was last renewed `seconds` ago, with its expiry two minutes ahead."""
    session = client.session
    session[RENEWED_AT] = int(time.time()) - seconds
    session.save()
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=2))


def test_a_request_within_a_minute_of_the_last_renewal_writes_no_session(world, as_user, django_assert_num_queries):
    client = as_user(world.mentor)
    _renewed_ago(client, 30)
    # The home page reads (the current evaluation cycle among them, kept after); no savepoint, update, release.
    with django_assert_num_queries(5) as counted:
        assert client.get("/").status_code == 200
    assert not [q for q in counted.captured_queries if q["sql"].startswith("UPDATE")]
    assert round((_session_row(client).expire_date - timezone.now()).total_seconds() / 60) == 2


def test_a_request_a_minute_after_the_last_renewal_renews_the_session(world, as_user):
    client = as_user(world.mentor)
    _renewed_ago(client, 61)
    assert client.get("/").status_code == 200
    assert round((_session_row(client).expire_date - timezone.now()).total_seconds() / 60) == 30
    assert 0 <= time.time() - client.session[RENEWED_AT] < 5


def test_a_renewal_stamped_in_the_future_renews_the_session(world, as_user):
    """A clock set back (or a forged stamp) must not keep a session from being renewed, nor alive."""
    client = as_user(world.mentor)
    _renewed_ago(client, -3600)
    assert client.get("/").status_code == 200
    assert round((_session_row(client).expire_date - timezone.now()).total_seconds() / 60) == 30


def test_an_anonymous_request_stores_no_session(client, db):
    assert client.get(LOGIN).status_code == 200
    assert not Session.objects.exists()


def test_session_request_pushes_the_expiry_thirty_minutes_ahead(world, as_user):
    client = as_user(world.mentor)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=2))
    assert client.get("/").status_code == 200
    remaining = _session_row(client).expire_date - timezone.now()
    assert round(remaining.total_seconds() / 60) == 30


def test_session_idle_past_the_timeout_is_logged_out(world, as_user):
    client = as_user(world.mentor)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert (response.status_code, response.url) == (302, "/accounts/login/?next=/")


# --- content security policy -----------------------------------------------------------------------------------


def _csp(response) -> dict[str, list[str]]:
    directives = [part.strip().split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/students/", "/staff/", "/no-such-page/", "/api/docs/"])
def test_csp_allows_scripts_from_self_only(world, as_user, path):
    response = as_user(world.mentor).get(path)
    policy = _csp(response)
    assert (policy["script-src"], policy["object-src"], policy["frame-ancestors"]) == (
        ["'self'"],
        ["'none'"],
        ["'none'"],
    )


def test_csp_on_anonymous_login_page(client, db):
    assert _csp(client.get(LOGIN))["script-src"] == ["'self'"]


def test_csp_styles_inline_only_on_api_docs(world, as_user):
    client = as_user(world.mentor)
    assert (_csp(client.get("/"))["style-src"], _csp(client.get("/api/docs/"))["style-src"]) == (
        ["'self'"],
        ["'self'", "'unsafe-inline'"],
    )


def _templates() -> list[Path]:
    base = Path(settings.BASE_DIR)
    found = set((base / "templates").rglob("*.html"))
    for app_dir in base.iterdir():
        if app_dir.is_dir() and not app_dir.name.startswith(".") and (app_dir / "templates").is_dir():
            found |= set((app_dir / "templates").rglob("*.html"))
    return sorted(found)


INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
INLINE_HANDLER = re.compile(r"\s(?:on[a-z]+|hx-on[^\s=]*)\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)


def test_templates_are_found_by_the_scan():
    names = {p.relative_to(settings.BASE_DIR).as_posix() for p in _templates()}
    assert {"templates/base.html", "mentoring/templates/mentoring/home.html"} <= names


def test_templates_have_no_inline_scripts_or_styles():
    """The CSP blocks inline scripts, event handlers and styles: a template that uses them silently breaks."""
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(settings.BASE_DIR).as_posix()
        for attrs, body in INLINE_SCRIPT.findall(text):
            if body.strip() or "src=" not in attrs:
                offenders.append(f"{name}: inline <script>")
        offenders += [f"{name}: event handler attribute" for _ in INLINE_HANDLER.findall(text)]
        offenders += [f"{name}: style attribute" for _ in STYLE_ATTRIBUTE.findall(text)]
        offenders += [f"{name}: <style> element" for _ in STYLE_ELEMENT.findall(text)]
    assert offenders == []


# --- the admin site --------------------------------------------------------------------------------------------


def test_admin_school_admin_gets_in(world, as_user):
    assert as_user(world.school_admin).get("/admin/").status_code == 200


def test_admin_school_admin_sees_master_data(world, as_user):
    client = as_user(world.school_admin)
    statuses = [client.get(f"/admin/accounts/{model}/").status_code for model in ("user", "college", "rolegrant")]
    assert statuses == [200, 200, 200]


@pytest.mark.parametrize("persona", ["college_admin", "mentor", "student", "school_student_affairs", "outsider"])
def test_admin_wrong_role_is_sent_to_admin_login(world, as_user, persona):
    response = as_user(getattr(world, persona)).get("/admin/")
    assert (response.status_code, response.url) == (302, "/admin/login/?next=/admin/")


@pytest.mark.parametrize("persona", ["college_admin", "mentor"])
def test_admin_wrong_role_cannot_open_a_model_page(world, as_user, persona):
    response = as_user(getattr(world, persona)).get("/admin/accounts/user/")
    assert (response.status_code, response.url) == (302, "/admin/login/?next=/admin/accounts/user/")


def test_admin_login_form_admits_a_school_admin(client, world):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": world.school_admin.number, "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR=IP,
    )
    assert (response.status_code, response.url, _logged_in(client)) == (302, "/admin/", True)


@pytest.mark.parametrize("persona", ["college_admin", "mentor"])
def test_admin_login_form_refuses_other_roles(client, world, persona):
    user = getattr(world, persona)
    response = client.post("/admin/login/", {"username": user.number, "password": PASSWORD}, REMOTE_ADDR=IP)
    assert (response.status_code, _logged_in(client)) == (200, False)


# --- language --------------------------------------------------------------------------------------------------


def test_login_page_is_chinese_by_default(client, db):
    response = client.get(LOGIN)
    assert (response["Content-Language"], '<html lang="zh-hans">' in response.content.decode()) == ("zh-hans", True)


def test_login_page_is_english_after_choosing_english(client, db):
    switched = client.post("/i18n/setlang/", {"language": "en", "next": LOGIN})
    response = client.get(LOGIN)
    assert (switched.status_code, switched.url) == (302, LOGIN)
    assert (response["Content-Language"], '<html lang="en">' in response.content.decode()) == ("en", True)
