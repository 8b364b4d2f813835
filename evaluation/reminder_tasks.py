"""Celery task of the evaluation's deadline reminders: thin, idempotent by the sent-message key.

`today` (an ISO date) lets tests and replays run another day; beat passes nothing.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from accounts.notifications.services import sent_messages_deliver
from evaluation.reminders import deadline_queue


def _day(today: str | None) -> date:
    return date.fromisoformat(today) if today else timezone.localdate()


@shared_task(name="evaluation.deadline_reminders")
def deadline_reminders(today: str | None = None) -> dict:
    return sent_messages_deliver(ids=deadline_queue(today=_day(today))).as_dict()
