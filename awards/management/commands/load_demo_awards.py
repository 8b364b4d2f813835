from django.core.management.base import BaseCommand

from awards.demo import PAST_YEAR, demo_awards_load
from awards.models import Award


class Command(BaseCommand):
    help = "Evaluate and award the demo's past year (2024–2025) through the real services, after load_demo; idempotent."

    def handle(self, *args, **options):
        cycle = demo_awards_load()
        if cycle is None:
            self.stdout.write("Demo awards already present (or the demo university is missing); unchanged.")
            return
        awards = Award.objects.filter(cycle=cycle).count()
        self.stdout.write(f"Demo awards loaded: {cycle} evaluated and closed, {awards} awards on the final list.")
        self.stdout.write(
            f"See them: the honour roll (/awards/honour-roll/), the publicity page (/awards/{PAST_YEAR}/publicity/), "
            f"and as the school admin (admin) the committee page and the stipend sheet (/awards/{PAST_YEAR}/stipends/)."
        )
