"""Celery tasks of the mentoring app: thin, idempotent (a job row is claimed once), calling services."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from accounts.models import College
from accounts.tasks import task_day, task_send
from mentoring.models import Semester
from mentoring.selectors.dashboards import (
    DashboardPage,
    college_dashboard_page,
    dashboards_warm,
    school_dashboard_page,
)
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

    # After the commit: a broker or cache that fails here is logged, not raised into the writer's page (the pages
    # then show their earlier numbers and send their own recompute, or compute in the request: `task_send`).
    transaction.on_commit(send, robust=True)


REWARM_DELAY_SECONDS = 2  # writes in a burst (several rules saved one after the other) are taken in by one run
REWARM_PENDING_SECONDS = 600  # a task lost with its worker does not keep others from being sent for longer


@shared_task(name="mentoring.dashboard_recompute")
def dashboard_recompute_task(semester_id: int, on: str, role: str, language: str, college_code: str = "") -> bool:
    """A dashboard page (the school's, or a college's) of these filters computed into the cache after a change of
    everything, while its visitors see the numbers from before (`dashboard_recompute_send`). False when the semester
    or the college is gone."""
    semester = Semester.objects.select_related("academic_year").filter(pk=semester_id).first()
    college = College.objects.filter(code=college_code).first() if college_code else None
    if semester is None or (college_code and college is None):
        return False
    day = date.fromisoformat(on)
    with translation.override(language or None):
        if college is None:
            school_dashboard_page(semester=semester, on=day, role=role)
        else:
            college_dashboard_page(semester=semester, college=college, on=day, role=role)
    return True


def recompute_in_worker() -> bool:
    """Whether a page whose numbers are dear to compute may show them as last computed and leave the new ones to a
    worker: with Celery as deployed, not with eager Celery (the embedded mode), whose worker is the request."""
    return not dashboard_recompute_task.app.conf.task_always_eager


RECOMPUTE_PENDING_SECONDS = 120  # a recompute lost with its worker is sent again by the next visit after this


def dashboard_recompute_send(page: DashboardPage) -> bool:
    """Have a worker compute the page shown with its earlier numbers (`page.recomputing`): one task per change and
    filters, however many visitors and polls see the earlier numbers meanwhile. True once a worker has it (sent now
    or before); False if the broker could not take it (logged): the caller then computes the page itself."""
    language = translation.get_language() or ""
    pending = f"mentoring:dashboard-recompute:{page.recomputing.change}:{language}"
    if not cache.add(pending, 1, RECOMPUTE_PENDING_SECONDS):
        return True
    college = page.college.code if page.college is not None else ""
    if not task_send(dashboard_recompute_task, page.semester.pk, page.on.isoformat(), page.role, language, college):
        cache.delete(pending)  # the broker down or refusing: no worker will compute it, so the page must not wait
        return False
    return True
