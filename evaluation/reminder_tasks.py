"""Celery tasks of the evaluation's deadline reminders: thin, idempotent by the sent-message key.

A survey reminder can reach every student of the school (~40,000, twice that in messages with email): the run
delivers the first batch itself and hands the rest to delivery tasks of DELIVER_BATCH messages each, so that no
task comes near the time limit (CELERY_TASK_TIME_LIMIT) however large the school. A message is claimed by one
conditional update before it is sent, so a batch delivered twice (redelivery, a second run) sends nothing twice.

`today` (an ISO date) lets tests and replays run another day; beat passes nothing.
"""

from __future__ import annotations

from celery import shared_task

from accounts.notifications.services import sent_messages_deliver
from accounts.tasks import task_day
from evaluation.reminders import deadline_queue, phase_opened_queue

DELIVER_BATCH = 1000


def deliver_in_batches(ids: list[int]) -> dict:
    """Deliver the first batch now and enqueue the others; the report counts this task's batch."""
    report = sent_messages_deliver(ids=ids[:DELIVER_BATCH]).as_dict()
    rest = ids[DELIVER_BATCH:]
    for start in range(0, len(rest), DELIVER_BATCH):
        deadline_deliver.delay(ids=rest[start : start + DELIVER_BATCH])
    return {**report, "handed_on": len(rest)}


@shared_task(name="evaluation.deadline_deliver")
def deadline_deliver(ids: list[int]) -> dict:
    return sent_messages_deliver(ids=ids).as_dict()


@shared_task(name="evaluation.deadline_reminders")
def deadline_reminders(today: str | None = None) -> dict:
    return deliver_in_batches(deadline_queue(today=task_day(today)))


@shared_task(name="evaluation.phase_opened")
def phase_opened(cycle_id: int, phase: str, today: str | None = None) -> dict:
    """Tell the people of a phase that has just opened (queued on commit of the phase move)."""
    return deliver_in_batches(phase_opened_queue(cycle_id=cycle_id, phase=phase, today=task_day(today)))
