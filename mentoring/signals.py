"""What the mentoring app does when people, the organisation or the calendar change outside a service."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.signals import org_changed_outside_services
from mentoring.models import AcademicYear, Semester
from mentoring.selectors.compliance import compliance_inputs_changed, semesters_changed
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
    semesters_changed()
