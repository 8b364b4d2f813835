"""Fixtures for notifications and reminders: days of the fall 2025 calendar, records, Redis and a Celery worker."""

from __future__ import annotations

import json
import os
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from accounts.models import User
from mentoring.models import Kind, Mode, StaffRole
from mentoring.services.assignments import counselor_assign
from mentoring.services.records import RecordInput, interaction_log
from tests.conftest import ASSIGNED_FROM, require_service
from tests.factories import StaffFactory

REDIS_URL = os.environ.get("REDIS_URL", "")

# Fall 2025 (the `calendar` fixture): week 5 is 2025-10-06 … 10-12, week 4 (09-29 …) is a holiday week.
WEEK_5_MONDAY = date(2025, 10, 6)
MONDAY_AFTER_WEEK_5 = date(2025, 10, 13)
MID_SEMESTER = date(2025, 11, 10)  # the Monday of the week holding the semester's middle day (week 10)
THREE_WEEKS_LEFT = date(2025, 12, 22)  # the Monday of the week holding 21 days before 2026-01-18 (week 16)


def log(actor, role, kind, day, *, today, mode=Mode.NONE, **extra):
    data = RecordInput(role=role, kind=kind, day=day, mode=mode, **extra)
    return interaction_log(actor=actor, data=data, today=today)


def counselor_week(counselor, school_class, monday, *, visits: int, sitins: int, today):
    """`visits` dormitory visits (R-14) and `sitins` class sit-ins (R-15) in the week of `monday`."""
    for _ in range(visits):
        log(counselor, StaffRole.COUNSELOR, Kind.DORM_VISIT, monday, today=today)
    for _ in range(sitins):
        log(
            counselor,
            StaffRole.COUNSELOR,
            Kind.CLASS_SITIN,
            monday,
            today=today,
            mode=Mode.CLASS,
            school_class=school_class,
        )


def with_email(user: User, address: str) -> User:
    User.objects.filter(pk=user.pk).update(email=address)
    user.email = address
    return user


@pytest.fixture
def on_track_counselor(world, calendar):
    """A counselor of the other college who did all of week 5's work."""
    counselor = StaffFactory(user__number="T301", user__name="辅导员丁", college=world.other_college).user
    counselor_assign(actor=None, school_class=world.other_class, counselor=counselor, valid_from=ASSIGNED_FROM)
    counselor_week(counselor, world.other_class, WEEK_5_MONDAY, visits=2, sitins=3, today=MONDAY_AFTER_WEEK_5)
    return counselor


@pytest.fixture
def redis_url():
    require_service(bool(REDIS_URL), "Redis (REDIS_URL)")
    return REDIS_URL


@pytest.fixture
def celery_worker_redis(redis_url, transactional_db, shipped_policy):
    """A real Celery worker (in a thread of this process) on the Redis at REDIS_URL, tasks acked late."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connection, connections

    from config.celery import app

    saved = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)

    def close_connections(**_):
        connections.close_all()  # the worker thread's own connections, so the test database can be dropped

    task_postrun.connect(close_connections, weak=False)
    app.control.purge()  # tasks a failed earlier test left unacked in the queue must not run against this one
    # Two worker threads on PostgreSQL, so that two deliveries of a task really overlap; SQLite's shared
    # in-memory test database locks whole tables, so there one thread runs the tasks one after the other.
    pool = ("threads", 2) if connection.vendor == "postgresql" else ("solo", 1)
    try:
        with start_worker(app, pool=pool[0], concurrency=pool[1], perform_ping_check=False, shutdown_timeout=30):
            yield app
    finally:
        task_postrun.disconnect(close_connections)
        app.conf.update(saved)


class Robot(BaseHTTPRequestHandler):
    received: list
    answer: tuple[int, bytes] = (200, b'{"errcode":0,"errmsg":"ok"}')

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.received.append((self.path, self.headers["Content-Type"], json.loads(self.rfile.read(length))))
        status, body = self.answer
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def robot(settings):
    """A group robot on 127.0.0.1 at a random port; its requests land in `robot.received`."""
    handler = type("Robot", (Robot,), {"received": []})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.YUREN_WEBHOOK_HOSTS = ["127.0.0.1"]
    server.url = f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=abc"
    server.handler = handler
    yield server
    server.shutdown()
    server.server_close()
