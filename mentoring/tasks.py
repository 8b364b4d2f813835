"""Celery tasks of the mentoring app: thin, idempotent (a job row is claimed once), calling services."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

from accounts.tasks import task_day
from mentoring.selectors.dashboards import dashboards_warm
from mentoring.services.oversight import export_job_run


@shared_task(acks_late=True)
def export_build(job_id: int) -> None:
    """Build a dashboard export; a redelivered task finds the job already claimed and does nothing."""
    export_job_run(job_id=job_id)


REWARM_PENDING_KEY = "mentoring:dashboards-rewarm-pending"


@shared_task(name="mentoring.dashboards_warm")
def dashboards_warm_task(today: str | None = None) -> str:
    """Nightly, after the day changes, and after a write that dropped everything cached (`dashboards_rewarm`): the
    default dashboards computed into the cache (`dashboards_warm`). `today` (an ISO date) for tests and replays; beat
    passes nothing."""
    cache.delete(REWARM_PENDING_KEY)  # a write from now on sends another: this run may read the rows before it
    semester = dashboards_warm(on=task_day(today))
    return str(semester) if semester is not None else ""


def dashboards_rewarm() -> None:
    """After a write that drops everything cached (quota rules, policy versions, a roster import, an admin-site edit
    of what the engine reads): once it commits, a worker computes the default dashboards again, so the next visit
    finds them instead of computing the whole school (two semesters: about a second at 40,000 students). One task
    for a burst of writes: it is sent only while none is waiting. Not with eager Celery (the embedded mode), where it
    would run inside the writer's request: there the next visit computes them."""

    def send() -> None:
        if dashboards_warm_task.app.conf.task_always_eager:
            return
        if cache.add(REWARM_PENDING_KEY, 1, timeout=REWARM_PENDING_SECONDS):
            dashboards_warm_task.apply_async(countdown=REWARM_DELAY_SECONDS)

    transaction.on_commit(send)


REWARM_DELAY_SECONDS = 2  # writes in a burst (several rules saved one after the other) are taken in by one run
REWARM_PENDING_SECONDS = 600  # a task lost with its worker does not keep others from being sent for longer
