"""Celery tasks of the mentoring app: thin, idempotent (a job row is claimed once), calling services."""

from __future__ import annotations

from celery import shared_task

from accounts.tasks import task_day
from mentoring.selectors.dashboards import dashboards_warm
from mentoring.services.oversight import export_job_run


@shared_task(acks_late=True)
def export_build(job_id: int) -> None:
    """Build a dashboard export; a redelivered task finds the job already claimed and does nothing."""
    export_job_run(job_id=job_id)


@shared_task(name="mentoring.dashboards_warm")
def dashboards_warm_task(today: str | None = None) -> str:
    """Nightly, after the day changes: the default dashboards computed into the cache (`dashboards_warm`). `today` (an
    ISO date) for tests and replays; beat passes nothing."""
    semester = dashboards_warm(on=task_day(today))
    return str(semester) if semester is not None else ""
