"""What the mentoring app does when the accounts app says people or the organisation changed outside a service."""

from django.dispatch import receiver

from accounts.signals import org_changed_outside_services
from mentoring.selectors.compliance import compliance_inputs_changed


@receiver(org_changed_outside_services)
def _drop_cached_compliance(sender, **kwargs) -> None:
    """A student's class, a staff member's college, a class's major…: any of them moves people between the
    dashboards' pieces, so everything cached is dropped (admin-site edits are rare)."""
    compliance_inputs_changed()
