"""Celery tasks of the mentoring app: thin, idempotent (a job row is claimed once), calling services."""

from __future__ import annotations

from celery import shared_task

from mentoring.services.oversight import export_job_run


@shared_task(acks_late=True)
def export_build(job_id: int) -> None:
    """Build a dashboard export; a redelivered task finds the job already claimed and does nothing."""
    export_job_run(job_id=job_id)
