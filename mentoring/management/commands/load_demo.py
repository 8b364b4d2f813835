from django.core.management.base import BaseCommand

from mentoring.demo import DEMO_PASSWORD, demo_load, demo_logins
from mentoring.demo_oversight import demo_oversight_load
from mentoring.demo_records import demo_records_load


class Command(BaseCommand):
    help = "Load the demo university (idempotent) and print one login per role."

    def add_arguments(self, parser):
        parser.add_argument("--no-logins", action="store_true", help="do not print the demo logins")
        parser.add_argument("--logins-only", action="store_true", help="only print the demo logins")

    def handle(self, *args, **options):
        if not options["logins_only"]:
            self._load()
        if not options["no_logins"]:
            self._print_logins()

    def _load(self):
        created = demo_load()
        self.stdout.write("Demo university loaded." if created else "Demo university already present; unchanged.")
        records = demo_records_load()
        self.stdout.write(
            f"Demo records written: {records}." if records else "Demo records already present; unchanged."
        )
        oversight = demo_oversight_load()
        self.stdout.write(
            f"Demo supervision findings and steering meetings written: {oversight}."
            if oversight
            else "Demo supervision findings and steering meetings already present; unchanged."
        )

    def _print_logins(self):
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for login in demo_logins():
            self.stdout.write(f"  {login.role:<48} {login.number:<14} {login.name}")
