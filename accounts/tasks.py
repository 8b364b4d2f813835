"""Celery tasks of the notification system: thin callers of accounts.notifications.services."""

from __future__ import annotations

import logging
from datetime import date, datetime

from celery import shared_task
from django.utils import timezone

from accounts.notifications.services import sent_messages_retry_due

logger = logging.getLogger(__name__)


def task_day(today: str | None) -> date:
    """The day a periodic task runs for: `today` (an ISO date, from tests and replays) or the local date (beat passes
    nothing). Shared by every app's daily tasks."""
    return date.fromisoformat(today) if today else timezone.localdate()


def task_send(task, *args, **kwargs) -> bool:
    """Send `task` to the workers: True once the broker has it; False, logged, when the broker or the result store
    could not take it (Redis down: a second or so with the retry policies of config/settings.py). The caller then
    marks what waited for the task (a job shown as failed, not queued for ever). With eager Celery (the embedded
    mode) the task runs here and its own errors propagate, as without this helper."""
    if task.app.conf.task_always_eager:
        task.delay(*args, **kwargs)
        return True
    try:
        task.delay(*args, **kwargs)
    except Exception:  # kombu's OperationalError from the broker, RuntimeError from the result store, …
        logger.exception("task %s not sent", task.name)
        return False
    return True


@shared_task(name="accounts.notifications_retry_due")
def notifications_retry_due(now: str | None = None) -> dict:
    """Retry failed deliveries whose backoff has passed (`now`: ISO datetime, for tests and replays)."""
    return sent_messages_retry_due(now=datetime.fromisoformat(now) if now else None).as_dict()
