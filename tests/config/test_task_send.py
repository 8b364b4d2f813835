"""Sending a task with Redis down: it fails in about a second (config/settings.py's retry policies), and says so."""

from __future__ import annotations

import time

import pytest
from celery import Celery

from accounts.tasks import task_send
from tests.conftest import closed_port


@pytest.fixture
def app_on_a_dead_redis():
    """An app configured as the portal's (every CELERY_* setting), its broker and result store on a closed port:
    the portal's own app keeps its connections, so the other tests' worker is not touched."""
    app = Celery("dead-redis", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    url = f"redis://127.0.0.1:{closed_port()}/0"
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    yield app
    app.close()


def test_a_send_to_a_redis_that_is_down_fails_in_seconds_and_is_logged(app_on_a_dead_redis, caplog):
    # Celery's defaults retry the result store 20 times a second apart: the request would hang about 19 s.
    @app_on_a_dead_redis.task(name="tests.noop")
    def noop():
        return None

    started = time.perf_counter()
    sent = task_send(noop)
    elapsed = time.perf_counter() - started

    assert sent is False
    assert elapsed < 5, elapsed
    assert "task tests.noop not sent" in caplog.text


def test_with_eager_celery_the_tasks_own_error_propagates():
    app = Celery("eager", set_as_current=False)
    app.conf.update(task_always_eager=True, task_eager_propagates=True)

    @app.task(name="tests.fails")
    def fails():
        raise ValueError("the task's own error")

    with pytest.raises(ValueError, match="own error"):
        task_send(fails)
    app.close()
