"""Celery tasks of the quota reminders: thin, idempotent by the sent-message key (accounts.notifications).

`today` (an ISO date) lets tests and replays run a past or future Monday; beat passes nothing.
"""

from __future__ import annotations

from celery import shared_task

from accounts.notifications.services import sent_messages_deliver
from accounts.tasks import task_day
from mentoring.reminders import counselor_weekly_queue, pace_queue


@shared_task(name="mentoring.counselor_weekly_reminders")
def counselor_weekly_reminders(today: str | None = None) -> dict:
    return sent_messages_deliver(ids=counselor_weekly_queue(today=task_day(today))).as_dict()


@shared_task(name="mentoring.pace_reminders")
def pace_reminders(today: str | None = None) -> dict:
    return sent_messages_deliver(ids=pace_queue(today=task_day(today))).as_dict()
