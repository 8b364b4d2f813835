"""The reminder tasks on a real Celery worker with Redis (REDIS_URL; skipped without it, a failure in CI).

The worker runs in a thread of the test process (pool "solo", acks late), on a transactional database, so the
task sees the data the test committed and the test sees what the task wrote.
"""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import Notification, SentMessage
from mentoring.reminder_tasks import counselor_weekly_reminders
from mentoring.reminders import counselor_weekly_queue
from mentoring.services.assignments import counselor_assign
from tests.conftest import ASSIGNED_FROM
from tests.factories import StaffFactory
from tests.notifications.backends import REFUSED
from tests.notifications.conftest import MONDAY_AFTER_WEEK_5, WEEK_5_MONDAY, counselor_week, with_email

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
MONDAY = MONDAY_AFTER_WEEK_5.isoformat()
TIMEOUT = 30


def run(task, **kwargs) -> dict:
    return task.delay(**kwargs).get(timeout=TIMEOUT)


def test_the_weekly_reminder_on_the_worker_reaches_exactly_the_lagging_counselors_once(
    celery_worker_redis, world, calendar, on_track_counselor
):
    with_email(world.counselor, "counselor@example.edu.cn")
    with_email(on_track_counselor, "ontrack@example.edu.cn")

    first = run(counselor_weekly_reminders, today=MONDAY)
    second = run(counselor_weekly_reminders, today=MONDAY)

    assert (first, second) == ({"sent": 2, "failed": 0, "skipped": 0}, {"sent": 0, "failed": 0, "skipped": 0})
    assert [m.to for m in mail.outbox] == [["counselor@example.edu.cn"]]
    assert list(Notification.objects.values_list("recipient__number", flat=True)) == ["T300"]


def test_two_beats_sending_the_same_run_at_once_send_once(celery_worker_redis, world, calendar):
    with_email(world.counselor, "counselor@example.edu.cn")

    results = [counselor_weekly_reminders.delay(today=MONDAY) for _ in range(2)]
    totals = [r.get(timeout=TIMEOUT)["sent"] for r in results]

    # Two worker threads: each row (in-app, email) is claimed by one run, whichever gets to it first; on a loaded
    # machine the runs interleave and may claim one each. Once per row is the rule, not which run sends it.
    assert sum(totals) == 2
    assert (len(mail.outbox), Notification.objects.count()) == (1, 1)


def test_a_task_that_died_after_the_insert_is_delivered_once_when_redelivered(celery_worker_redis, world, calendar):
    with_email(world.counselor, "counselor@example.edu.cn")
    counselor_weekly_queue(today=MONDAY_AFTER_WEEK_5)  # the first run inserted its rows, then its worker died
    assert set(SentMessage.objects.values_list("status", flat=True)) == {"pending"}

    redelivered = run(counselor_weekly_reminders, today=MONDAY)
    again = run(counselor_weekly_reminders, today=MONDAY)

    assert (redelivered["sent"], again["sent"]) == (2, 0)
    assert (len(mail.outbox), Notification.objects.count()) == (1, 1)
    assert set(SentMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_an_smtp_refusal_for_one_counselor_does_not_stop_the_others_on_the_worker(
    celery_worker_redis, world, calendar, settings
):
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingOneAddressBackend"
    second = StaffFactory(user__number="T302", user__name="辅导员庚", college=world.college).user
    counselor_assign(actor=None, school_class=world.other_class, counselor=second, valid_from=ASSIGNED_FROM)
    counselor_week(second, world.other_class, WEEK_5_MONDAY, visits=1, sitins=0, today=MONDAY_AFTER_WEEK_5)
    with_email(world.counselor, REFUSED)
    with_email(second, "second@example.edu.cn")

    result = run(counselor_weekly_reminders, today=MONDAY)

    assert result == {"sent": 3, "failed": 1, "skipped": 0}
    assert [m.to for m in mail.outbox] == [["second@example.edu.cn"]]
    failed = SentMessage.objects.get(status="failed")
    assert (failed.recipient, failed.channel) == (world.counselor, "email")
    assert Notification.objects.filter(recipient=world.counselor).count() == 1
