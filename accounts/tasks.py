"""Celery tasks of the notification system: thin callers of accounts.notifications.services."""

from __future__ import annotations

from datetime import date, datetime

from celery import shared_task
from django.utils import timezone

from accounts.notifications.services import sent_messages_retry_due


def task_day(today: str | None) -> date:
    """The day a periodic task runs for: `today` (an ISO date, from tests and replays) or the local date (beat passes
    nothing). Shared by every app's daily tasks."""
    return date.fromisoformat(today) if today else timezone.localdate()


@shared_task(name="accounts.notifications_retry_due")
def notifications_retry_due(now: str | None = None) -> dict:
    """Retry failed deliveries whose backoff has passed (`now`: ISO datetime, for tests and replays)."""
    return sent_messages_retry_due(now=datetime.fromisoformat(now) if now else None).as_dict()
