from django.core.management.base import BaseCommand

from evaluation.demo import demo_evaluation_load


class Command(BaseCommand):
    help = "Open the demo evaluation cycle (2025–2026, survey phase) after load_demo; idempotent."

    def handle(self, *args, **options):
        cycle = demo_evaluation_load()
        if cycle is None:
            self.stdout.write("Demo evaluation already present (or the demo university is missing); unchanged.")
        else:
            self.stdout.write(f"Demo evaluation opened: {cycle} in phase {cycle.phase}.")
        self.stdout.write(
            "Try it: a student answers the survey (2023010101), a mentor writes a self report (T1009), the college "
            "admin of MAT reviews (matadmin), the school admin moves the phases (admin); password as for load_demo."
        )
