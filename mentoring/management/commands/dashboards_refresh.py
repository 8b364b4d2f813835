"""`manage.py dashboards_refresh`: drop every cached compliance number at once.

The services and the admin site drop what they change themselves; this is for data changed outside the portal
(a shell, SQL, a restored backup), which the cache would otherwise keep for up to a day.
"""

from django.core.management.base import BaseCommand

from mentoring.selectors.compliance import compliance_inputs_changed


class Command(BaseCommand):
    help = "Drop every cached dashboard number and engine input (after changing data outside the portal)."

    def handle(self, *args, **options):
        compliance_inputs_changed()
        self.stdout.write("Cached dashboard numbers dropped; the next page computes them again.")
