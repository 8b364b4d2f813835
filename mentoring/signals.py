"""What the mentoring app does when people, the organisation or the calendar change outside a service."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import College
from accounts.signals import org_changed_outside_services
from mentoring.models import AcademicYear, Semester, SteeringMeeting, SupervisionFinding
from mentoring.selectors.compliance import SEMESTERS_VERSION_KEY, compliance_inputs_changed, kept_changed
from mentoring.selectors.dashboards import FINDINGS_VERSION_KEY, MEETINGS_VERSION_KEY
from mentoring.tasks import dashboards_rewarm


@receiver(org_changed_outside_services)
def _drop_cached_compliance(sender, **kwargs) -> None:
    """A student's class, a staff member's college, a class's major…: any of them moves people between the
    dashboards' pieces, so everything cached is dropped (admin-site edits are rare)."""
    compliance_inputs_changed()
    dashboards_rewarm()


@receiver(post_save, sender=Semester)
@receiver(post_delete, sender=Semester)
@receiver(post_save, sender=AcademicYear)
@receiver(post_delete, sender=AcademicYear)
def _drop_cached_semesters(sender, **kwargs) -> None:
    """Whoever saves a semester or an academic year (a service, the admin site, a factory), the semester list kept
    for the filters is not served again (`semesters_newest_first`)."""
    kept_changed(SEMESTERS_VERSION_KEY)


@receiver(post_save, sender=SteeringMeeting)
@receiver(post_delete, sender=SteeringMeeting)
def _drop_kept_meeting_counts(sender, **kwargs) -> None:
    """The steering meetings' counts the dashboards show (R-20) are read again (`semester_meetings`)."""
    kept_changed(MEETINGS_VERSION_KEY)


@receiver(post_save, sender=SupervisionFinding)
@receiver(post_delete, sender=SupervisionFinding)
@receiver(post_save, sender=College)
@receiver(post_delete, sender=College)
def _drop_kept_findings(sender, **kwargs) -> None:
    """The open findings the dashboards show as overdue (R-28), with their colleges' names, are read again."""
    kept_changed(FINDINGS_VERSION_KEY)
