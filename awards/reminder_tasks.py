"""Celery task of the awards' publicity-end reminder: thin, idempotent by the sent-message key.

`today` (an ISO date) lets tests and replays run another day; beat passes nothing.
"""

from __future__ import annotations

from celery import shared_task

from accounts.notifications.services import sent_messages_deliver
from accounts.tasks import task_day
from awards.reminders import publicity_end_queue


@shared_task(name="awards.publicity_end_reminders")
def publicity_end_reminders(today: str | None = None) -> dict:
    return sent_messages_deliver(ids=publicity_end_queue(today=task_day(today))).as_dict()
