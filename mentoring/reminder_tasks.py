"""Celery tasks of the quota reminders: thin, idempotent by the sent-message key (accounts.notifications).

`today` (an ISO date) lets tests and replays run a past or future Monday; beat passes nothing.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from accounts.notifications.services import sent_messages_deliver
from mentoring.reminders import counselor_weekly_queue, pace_queue


def _day(today: str | None) -> date:
    return date.fromisoformat(today) if today else timezone.localdate()


@shared_task(name="mentoring.counselor_weekly_reminders")
def counselor_weekly_reminders(today: str | None = None) -> dict:
    return sent_messages_deliver(ids=counselor_weekly_queue(today=_day(today))).as_dict()


@shared_task(name="mentoring.pace_reminders")
def pace_reminders(today: str | None = None) -> dict:
    return sent_messages_deliver(ids=pace_queue(today=_day(today))).as_dict()
