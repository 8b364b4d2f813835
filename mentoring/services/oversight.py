"""Supervision findings (R-28), steering group meetings (R-20) and dashboard export jobs.

A finding: the school office records it (open) → the college's admin, or the school office, states the fix
(fixed) → the school office checks and closes it (closed), or sends it back (open). Every move is audited.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import College, User
from accounts.services import audit_record
from accounts.tasks import task_send
from mentoring.models import (
    ExportJob,
    ExportState,
    FindingState,
    Semester,
    StaffRole,
    SteeringMeeting,
    SupervisionFinding,
)
from mentoring.rules import fixes_college_findings, sees_college_dashboard, sees_school_dashboard

log = logging.getLogger(__name__)


def _require_school_office(actor: User) -> None:
    if not sees_school_dashboard(actor):
        raise PermissionDenied(_("Only the school's academic or student affairs office may do this."))


def _locked(finding: SupervisionFinding) -> SupervisionFinding:
    return SupervisionFinding.objects.select_for_update().select_related("college").get(pk=finding.pk)


@transaction.atomic
def finding_record(
    *,
    actor: User,
    college: College,
    problem: str,
    owner: str,
    deadline: date,
    found_on: date | None = None,
) -> SupervisionFinding:
    """The school office records a problem found when inspecting a college (R-28)."""
    _require_school_office(actor)
    found_on = found_on or timezone.localdate()
    errors = {}
    if not problem.strip():
        errors["problem"] = _("Describe the problem that was found.")
    if not owner.strip():
        errors["owner"] = _("Name the person or office responsible for the fix.")
    if deadline < found_on:
        errors["deadline"] = _("The deadline must not be before the day the problem was found.")
    if errors:
        raise ValidationError(errors)
    finding = SupervisionFinding.objects.create(
        college=college,
        problem=problem.strip(),
        owner=owner.strip(),
        found_on=found_on,
        deadline=deadline,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="finding.record",
        target=finding,
        data={"college": college.code, "deadline": deadline.isoformat(), "owner": finding.owner},
    )
    return finding


@transaction.atomic
def finding_fix(*, actor: User, finding: SupervisionFinding, fix: str, today: date | None = None) -> SupervisionFinding:
    """The college's admin (or the school office) states how the problem was fixed: open → fixed."""
    finding = _locked(finding)
    if not (fixes_college_findings(actor, finding) or sees_school_dashboard(actor)):
        raise PermissionDenied(_("Only the college's admin or the school office may record the fix."))
    if finding.state != FindingState.OPEN:
        raise ValidationError(
            {
                "fix": _("Only an open finding can be marked fixed; this one is %(state)s.")
                % {"state": finding.get_state_display()}
            }
        )
    if not fix.strip():
        raise ValidationError({"fix": _("Describe what was done to fix the problem.")})
    finding.fix = fix.strip()
    finding.state = FindingState.FIXED
    finding.fixed_on = today or timezone.localdate()
    finding.save(update_fields=["fix", "state", "fixed_on"])
    audit_record(actor=actor, action="finding.fix", target=finding, data={"fix": finding.fix})
    return finding


@transaction.atomic
def finding_close(*, actor: User, finding: SupervisionFinding, today: date | None = None) -> SupervisionFinding:
    """The school office has checked the fix: fixed → closed."""
    _require_school_office(actor)
    finding = _locked(finding)
    if finding.state != FindingState.FIXED:
        raise ValidationError({"state": _("Only a fixed finding can be closed; record the fix first.")})
    finding.state = FindingState.CLOSED
    finding.closed_on = today or timezone.localdate()
    finding.save(update_fields=["state", "closed_on"])
    audit_record(actor=actor, action="finding.close", target=finding)
    return finding


@transaction.atomic
def finding_reopen(*, actor: User, finding: SupervisionFinding, reason: str) -> SupervisionFinding:
    """The school office finds the fix insufficient: fixed → open, with the reason on the audit trail."""
    _require_school_office(actor)
    finding = _locked(finding)
    if finding.state != FindingState.FIXED:
        raise ValidationError({"state": _("Only a fixed finding can be sent back.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the fix is not enough.")})
    finding.state = FindingState.OPEN
    finding.fixed_on = None
    finding.save(update_fields=["state", "fixed_on"])
    audit_record(actor=actor, action="finding.reopen", target=finding, data={"reason": reason.strip()})
    return finding


@transaction.atomic
def meeting_record(
    *, actor: User, semester: Semester, date: date, minutes: str, attendees: str = ""
) -> SteeringMeeting:
    """A meeting of the steering group (R-20); its date must fall in the semester's span (or the break before)."""
    _require_school_office(actor)
    errors = {}
    if not minutes.strip():
        errors["minutes"] = _("Record the minutes of the meeting.")
    if date > timezone.localdate():
        errors["date"] = _("A meeting cannot be recorded before it has taken place.")
    elif date > semester.end_date:
        errors["date"] = _("The date is after the semester's last day (%(end)s); choose the right semester.") % {
            "end": semester.end_date.isoformat()
        }
    if errors:
        raise ValidationError(errors)
    meeting = SteeringMeeting.objects.create(
        semester=semester, date=date, minutes=minutes.strip(), attendees=attendees.strip(), recorded_by=actor
    )
    audit_record(actor=actor, action="meeting.record", target=meeting, data={"date": date.isoformat()})
    return meeting


@transaction.atomic
def export_job_create(*, actor: User, semester: Semester, college: College | None = None, role: str = "") -> ExportJob:
    """Queue an export of a dashboard; the task starts after the transaction commits."""
    if college is None:
        _require_school_office(actor)
    elif not sees_college_dashboard(actor, college):
        raise PermissionDenied(_("You may export only the dashboards of your own college."))
    if role and role not in StaffRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    job = ExportJob.objects.create(
        requested_by=actor, scope="college" if college else "school", college=college, semester=semester, role=role
    )
    transaction.on_commit(lambda: _export_send(job.pk))
    return job


def _export_send(job_id: int) -> None:
    """The export's task sent; if the task queue cannot take it the job fails at once (its page says so), rather
    than waiting as queued for a worker that will never hear of it."""
    from mentoring.tasks import export_build

    if not task_send(export_build, job_id):
        ExportJob.objects.filter(pk=job_id, state=ExportState.QUEUED).update(
            state=ExportState.FAILED, error="task queue unavailable", finished=timezone.now()
        )


def export_job_run(*, job_id: int) -> None:
    """Build a queued export (called by the task); progress goes to the row as the sheets are written."""
    from mentoring.exports import write_dashboard

    claimed = ExportJob.objects.filter(pk=job_id, state=ExportState.QUEUED).update(state=ExportState.RUNNING)
    if not claimed:
        log.info("export job %s is gone or already taken", job_id)
        return
    job = ExportJob.objects.select_related("college", "semester__academic_year", "requested_by").get(pk=job_id)

    def progress(percent: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(progress=min(99, percent))

    try:
        with tempfile.TemporaryFile() as out:
            write_dashboard(
                out,
                semester=job.semester,
                college=job.college,
                role=job.role,
                on=timezone.localdate(),
                progress=progress,
            )
            out.seek(0)
            job.file.save(f"yuren-{job.scope}-{job.semester.code}-{job.pk}.xlsx", File(out), save=False)
    except Exception as error:
        log.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(state=ExportState.FAILED, error=str(error)[:500])
        raise
    ExportJob.objects.filter(pk=job_id).update(
        state=ExportState.DONE, progress=100, file=job.file.name, finished=timezone.now()
    )
