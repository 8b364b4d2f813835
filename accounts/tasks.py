"""Celery tasks of the notification system: thin callers of accounts.notifications.services."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from accounts.notifications.services import sent_messages_retry_due


@shared_task(name="accounts.notifications_retry_due")
def notifications_retry_due(now: str | None = None) -> dict:
    """Retry failed deliveries whose backoff has passed (`now`: ISO datetime, for tests and replays)."""
    return sent_messages_retry_due(now=datetime.fromisoformat(now) if now else None).as_dict()
