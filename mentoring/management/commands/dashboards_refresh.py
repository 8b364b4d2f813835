"""`manage.py dashboards_refresh [--warm]`: drop every cached compliance number at once.

The services and the admin site drop what they change themselves; this is for data changed outside the portal
(a shell, SQL, a restored backup), which the cache would otherwise keep for up to a day. `--warm` then computes
the default dashboards again at once (as the nightly task does), so the next visitor does not wait for them.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from mentoring.selectors.compliance import compliance_inputs_changed
from mentoring.selectors.dashboards import dashboards_warm


class Command(BaseCommand):
    help = "Drop every cached dashboard number and engine input (after changing data outside the portal)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--warm", action="store_true", help="then compute the school and college dashboards of today again"
        )

    def handle(self, *args, **options):
        compliance_inputs_changed()
        self.stdout.write("Cached dashboard numbers dropped; the next page computes them again.")
        if options["warm"]:
            semester = dashboards_warm(on=timezone.localdate())
            self.stdout.write(f"Dashboards of {semester} computed again." if semester else "No semester to compute.")
