"""`manage.py import_roster FILE.xlsx [--as NUMBER] [--dry-run]`: the browser's roster import, from a shell."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from accounts.models import User
from mentoring.roster.plan import RosterPlan
from mentoring.services.roster import RosterInvalid, roster_apply, roster_validate


def format_counts(plan: RosterPlan) -> list[str]:
    lines = [f"{'sheet':<20} {'created':>8} {'updated':>8} {'unchanged':>10}"]
    lines += [f"{c.title:<20} {c.created:>8} {c.updated:>8} {c.unchanged:>10}" for c in plan.counts]
    return lines


class Command(BaseCommand):
    help = "Import the roster from an .xlsx workbook (the format of the template on the import page)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as",
            dest="as_number",
            metavar="NUMBER",
            help="act as this user, with their permissions and college scope (default: the system, no limits)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check the workbook and print the counts only")

    def handle(self, *args, file: Path, as_number: str | None, dry_run: bool, **options):
        actor = None
        if as_number:
            actor = User.objects.filter(number=as_number).first()
            if actor is None:
                raise CommandError(f"No user with number {as_number}")
        try:
            with file.open("rb") as handle:
                # One byte over the limit is enough for the importer to refuse the file by its size.
                content = handle.read(settings.YUREN_IMPORT_MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            if dry_run:
                plan = roster_validate(actor=actor, content=content)
                if not plan.is_valid:
                    raise RosterInvalid(plan)
            else:
                plan = roster_apply(actor=actor, content=content, source=file.name)
        except RosterInvalid as exc:
            for error in exc.plan.errors:
                place = f"{error.sheet}!{error.letter}{error.row or ''}" if error.row else error.sheet
                column = f" ({error.column})" if error.column else ""
                self.stderr.write(f"{place}{column}: {gettext(error.message) % error.params}")
            raise CommandError(exc.messages[0]) from exc
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        for line in format_counts(plan):
            self.stdout.write(line)
        self.stdout.write("Dry run: nothing was written." if dry_run else "Imported.")
