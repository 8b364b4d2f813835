"""Celery tasks of the awards: thin and idempotent (a run row is claimed once), calling services."""

from __future__ import annotations

from celery import shared_task

from awards.services.proposal import selection_run_job


@shared_task(acks_late=True)
def selection_task(run_id: int) -> None:
    """Run a queued selection; a redelivered task finds the run already claimed and does nothing."""
    selection_run_job(run_id=run_id)
