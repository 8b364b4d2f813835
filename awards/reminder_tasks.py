"""Celery task of the awards' publicity-end reminder: thin, idempotent by the sent-message key.

`today` (an ISO date) lets tests and replays run another day; beat passes nothing.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from accounts.notifications.services import sent_messages_deliver
from awards.reminders import publicity_end_queue


def _day(today: str | None) -> date:
    return date.fromisoformat(today) if today else timezone.localdate()


@shared_task(name="awards.publicity_end_reminders")
def publicity_end_reminders(today: str | None = None) -> dict:
    return sent_messages_deliver(ids=publicity_end_queue(today=_day(today))).as_dict()
