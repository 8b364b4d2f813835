"""Redis unreachable: the backend raises redis-py's ConnectionError, and a page says so with a 503 and rolls back."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
from django.core.cache import caches
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from config.cache import RedisCache
from mentoring.models import Interaction
from mentoring.services.calendar import semester_create
from tests.conftest import closed_port
from tests.mentoring.test_record_views import form_data


def test_the_portals_redis_cache_raises_the_error_the_middleware_answers():
    """The class `ServiceUnavailableMiddleware` catches is what the cache backend raises with nothing listening."""
    cache = RedisCache(f"redis://127.0.0.1:{closed_port()}/0", {})
    with pytest.raises(RedisConnectionError):
        cache.get_many(["mentoring:compliance-inputs"])
    with pytest.raises(RedisConnectionError):
        cache.set_many({"mentoring:compliance-inputs": "x"})


def _refused(*args, **kwargs):
    raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@contextmanager
def refusing(*names: str):
    """The default cache's `names` fail as redis-py's calls do when Redis refuses the connection; restored on exit,
    before the autouse fixtures' own cache calls at teardown."""
    backend = caches["default"]
    saved = {name: getattr(backend, name) for name in names}
    for name in names:
        setattr(backend, name, _refused)
    try:
        yield
    finally:
        for name in names:
            delattr(backend, name)
        assert all(getattr(backend, name) == saved[name] for name in names)


@pytest.fixture
def open_semester(db):
    return semester_create(actor=None, start_year=2026, term=1, start_date=date(2026, 9, 7), end_date=date(2027, 1, 17))


@pytest.fixture
def redis_down():
    """Every call of the default cache fails."""
    with refusing("get", "get_many", "set", "set_many", "add", "delete", "delete_many"):
        yield


def test_a_page_answers_503_with_a_page_that_says_so(world, as_user, redis_down):
    response = as_user(world.mentor).get(reverse("home"))

    assert response.status_code == 503 and response["Retry-After"] == "60"
    page = response.content.decode()
    assert "服务暂不可用" in page and "nothing was saved" in page
    assert 'name="viewport"' in page  # readable on a phone


def test_a_record_sent_while_redis_is_down_is_not_saved_and_the_answer_says_so(world, open_semester, as_user):
    client = as_user(world.mentor)
    client.get(reverse("record_create"))  # the page read while Redis was up; it goes down before the form is sent

    with refusing("set_many"):  # the version tokens' change, inside the write
        response = client.post(reverse("record_create"), form_data(world))

    assert response.status_code == 503
    assert not Interaction.objects.exists()  # rolled back with the exception: nothing half-written


def test_the_api_answers_503_in_json(world, open_semester, as_user, redis_down):
    response = as_user(world.mentor).get("/api/v1/compliance/me/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert response.json() == {
        "detail": "A service the portal needs is unavailable for a moment; nothing was saved. Try again in a minute."
    }
    chinese = as_user(world.mentor).get("/api/v1/compliance/me/").json()["detail"]
    assert chinese.startswith("平台所依赖的一项服务暂时无法连接")


def test_redis_failing_after_the_commit_leaves_the_record_saved_and_the_failure_logged(
    world, open_semester, as_user, django_capture_on_commit_callbacks, caplog
):
    """The version tokens are changed again once the write commits; Redis failing between the two changes must not
    raise into a page whose record is saved (the 503 page would say nothing was)."""
    backend = caches["default"]
    down = False

    def set_many(*args, **kwargs):
        if down:
            _refused()
        return type(backend).set_many(backend, *args, **kwargs)

    backend.set_many = set_many
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = as_user(world.mentor).post(reverse("record_create"), form_data(world))
            down = True  # the callbacks run on leaving this block, as on the commit
    finally:
        del backend.set_many

    assert response.status_code == 302 and Interaction.objects.count() == 1
    assert callbacks  # the tokens' second change was among them
    assert "Error calling" in caplog.text and "Connection refused" in caplog.text
