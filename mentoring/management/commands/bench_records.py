"""Benchmark: logging a record (DESIGN.md: p50 ≤ 30 ms; ≥ 200 such requests/s on 2 cores with no errors).

Runs on the university of `bench_dashboards` (built first if the database has none): 40,000 students, 3,200 staff
and five years of records, about 2 million attendance rows. It adds the semester under way today (the bench builds
only years gone by) and measures, in this process (Django's test client, DEBUG off):

- a counselor's dorm visit with four students of their classes through the record form (R-14), and a mentor's group
  talk with two of their students through the form (R-03) and through the API: SQL queries of one request, p50 and
  p95 server time of `--requests` requests each;

then, unless `--skip-load`, the same form posts through gunicorn (`--workers` sync workers, the deployment's
default of 3) from `--concurrency` clients at once, each logged in as a counselor or mentor of their own: requests
per second over `--load` requests, errors, and the clients' p50/p95.

Everything it wrote (the semester, its records and their audit entries, the sessions) is deleted at the end, so the
database is left as `bench_dashboards` built it.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEntry, College, User
from mentoring.management.commands import bench_dashboards
from mentoring.models import AcademicYear, CounselorAssignment, Interaction, MentorAssignment, Semester
from mentoring.selectors.compliance import compliance_inputs_changed
from mentoring.services.calendar import semester_create

TAG = bench_dashboards.TAG
FORM = "/work/record/"
API = "/api/v1/records/"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def _counted(into: list[str], execute, sql, params, many, context):
    """An execute wrapper that keeps the SQL of every query (`partial(_counted, into)`)."""
    into.append(sql)
    return execute(sql, params, many, context)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Command(BaseCommand):
    help = "Measure logging a record (form and API, in process; form posts through gunicorn) on the bench university."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=200, help="in-process requests per case")
        parser.add_argument("--load", type=int, default=2000, help="requests through gunicorn")
        parser.add_argument("--concurrency", type=int, default=8)
        parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
        parser.add_argument("--skip-load", action="store_true")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_records needs PostgreSQL: set DATABASE_URL to the bench's own database.")
        settings.DEBUG = False
        if not College.objects.filter(code__startswith=TAG).exists():
            self.stdout.write("no bench university here: building it as bench_dashboards does")
            builder = bench_dashboards.Command(stdout=self.stdout, stderr=self.stderr)
            parser = builder.create_parser("manage.py", "bench_dashboards")
            started = time.perf_counter()
            rows = builder._build(vars(parser.parse_args([])))
            self.stdout.write(f"built {rows:,} rows in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("SELECT count(*) FROM mentoring_attendance")
            self.stdout.write(f"attendance rows: {cursor.fetchone()[0]:,}")
        today = timezone.localdate()
        semester, new_year = self._semester_of(today)
        sessions: list[str] = []
        try:
            rows = self._in_process(semester, today, options["requests"])
            load = None if options["skip_load"] else self._through_gunicorn(semester, today, options, sessions)
        finally:
            self._clean_up(semester, new_year, sessions)
        self.stdout.write("")
        self.stdout.write("| case (in process) | SQL queries | p50 ms | p95 ms | errors |")
        self.stdout.write("|---|---|---|---|---|")
        for label, queries, p50, p95, errors in rows:
            self.stdout.write(f"| {label} | {queries} | {p50:.1f} | {p95:.1f} | {errors} |")
        if load is not None:
            self.stdout.write("")
            self.stdout.write(
                "| through gunicorn | requests | seconds | requests/s | errors | client p50 ms | p95 ms |"
            )
            self.stdout.write("|---|---|---|---|---|---|---|")
            label, n, seconds, errors, p50, p95 = load
            self.stdout.write(
                f"| {label} | {n:,} | {seconds:.1f} | {n / seconds:.0f} | {errors} | {p50:.1f} | {p95:.1f} |"
            )

    # --- the semester under way ---------------------------------------------------------------------------------

    def _semester_of(self, today: date) -> tuple[Semester, bool]:
        """The semester under way today, created (its year too, if new) when the bench has none: the bench's years
        end before this one. Returns it and whether its academic year was created here."""
        if Semester.objects.filter(start_date__lte=today, end_date__gte=today).exists():
            raise CommandError(
                "This database already has a semester under way today; bench_records adds its own. (A run stopped "
                "before its clean-up leaves one behind: delete it in the admin site, or build the bench anew.)"
            )
        start_year = today.year if today.month >= 8 else today.year - 1
        term = 1 if today.month >= 8 or today.month == 1 else 2
        start = (
            bench_dashboards._first_monday(start_year, 9)
            if term == 1
            else bench_dashboards._first_monday(start_year + 1, 3)
        )
        if today < start:  # in a break before the semester (August, February): it starts this week's Monday
            start = today - timedelta(days=today.weekday())
        new_year = not AcademicYear.objects.filter(start_year=start_year).exists()
        semester = semester_create(
            actor=None,
            start_year=start_year,
            term=term,
            start_date=start,
            end_date=start + timedelta(weeks=20, days=-1),
        )
        return semester, new_year

    def _clean_up(self, semester: Semester, new_year: bool, sessions: list[str]) -> None:
        records = list(Interaction.objects.filter(semester=semester).values_list("pk", flat=True))
        AuditEntry.objects.filter(
            target_type=Interaction._meta.label_lower, target_id__in=[str(pk) for pk in records]
        ).delete()
        Interaction.objects.filter(semester=semester).delete()
        AuditEntry.objects.filter(target_type=Semester._meta.label_lower, target_id=str(semester.pk)).delete()
        year = semester.academic_year
        semester.delete()
        if new_year:
            year.delete()
        Session.objects.filter(session_key__in=sessions).delete()
        compliance_inputs_changed()
        self.stdout.write(f"cleaned up: {len(records):,} records, the semester {semester}, {len(sessions)} sessions")

    # --- who records, and what --------------------------------------------------------------------------------

    def _counselors(self, n: int) -> list[tuple[User, list[str]]]:
        """Counselors of the bench with four students of their classes each (a dormitory room)."""
        chosen = []
        for user in User.objects.filter(number__startswith=TAG, counselor_assignments__isnull=False).distinct()[:n]:
            classes = CounselorAssignment.objects.filter(counselor=user).values_list("school_class_id", flat=True)
            students = list(
                User.objects.filter(student__school_class_id__in=list(classes))
                .order_by("pk")
                .values_list("pk", flat=True)[:4]
            )
            chosen.append((user, [str(pk) for pk in students]))
        return chosen

    def _mentors(self, n: int) -> list[tuple[User, list[User]]]:
        chosen = []
        for user in User.objects.filter(number__startswith=TAG, mentor_assignments__isnull=False).distinct()[:n]:
            ids = (
                MentorAssignment.objects.filter(mentor=user).order_by("student_id").values_list("student_id", flat=True)
            )
            chosen.append((user, list(User.objects.filter(pk__in=list(ids[:2])).order_by("pk"))))
        return chosen

    @staticmethod
    def _dorm_visit(today: date, students: list[str]) -> list[tuple[str, str]]:
        return [
            ("kind", "counselor:dorm_visit"),
            ("day", today.isoformat()),
            ("mode", "group"),
            *(("students", pk) for pk in students),
            ("place", "学生公寓3号楼 412"),
            ("summary", "查寝，了解作息"),
        ]

    @staticmethod
    def _talk_form(today: date, students: list[User]) -> dict:
        return {
            "kind": "mentor:mentor_talk",
            "day": today.isoformat(),
            "mode": "group",
            "students": [str(s.pk) for s in students],
            "topics": ["academic"],
            "place": "办公室",
            "summary": "谈学业",
        }

    @staticmethod
    def _talk_api(today: date, students: list[User]) -> dict:
        return {
            "role": "mentor",
            "kind": "mentor_talk",
            "day": today.isoformat(),
            "mode": "group",
            "students": [s.number for s in students],
            "topics": ["academic"],
            "summary": "谈学业",
        }

    # --- in process -------------------------------------------------------------------------------------------

    def _in_process(self, semester: Semester, today: date, requests: int) -> list[tuple]:
        ((counselor, room),) = self._counselors(1)
        ((mentor, pair),) = self._mentors(1)
        visit = urlencode(self._dorm_visit(today, room))
        cases = [
            (
                "counselor's dorm visit, 4 students, record form (R-14)",
                counselor,
                FORM,
                visit,
                "application/x-www-form-urlencoded",
                302,
            ),
            (
                "mentor's group talk, 2 students, record form (R-03)",
                mentor,
                FORM,
                urlencode(self._talk_form(today, pair), doseq=True),
                "application/x-www-form-urlencoded",
                302,
            ),
            (
                "mentor's group talk, 2 students, API (R-03)",
                mentor,
                API,
                json.dumps(self._talk_api(today, pair)),
                "application/json",
                201,
            ),
        ]
        rows = []
        for label, user, path, body, content_type, expected in cases:
            client = Client()
            client.force_login(user)
            before = Interaction.objects.filter(semester=semester).count()
            for _ in range(5):  # warm-up: the person's holdings and the form's choices read once, as in use
                client.post(path, body, content_type=content_type)
            times, errors = [], 0
            for _ in range(requests):
                started = time.perf_counter()
                response = client.post(path, body, content_type=content_type)
                times.append((time.perf_counter() - started) * 1000)
                errors += response.status_code != expected
            queries: list[str] = []
            with connection.execute_wrapper(partial(_counted, queries)):
                response = client.post(path, body, content_type=content_type)
            errors += response.status_code != expected
            written = Interaction.objects.filter(semester=semester).count() - before
            if written != requests + 6:
                errors += abs(requests + 6 - written)
            rows.append((label, len(queries), statistics.median(times), _percentile(times, 0.95), errors))
        return rows

    # --- through gunicorn ---------------------------------------------------------------------------------------

    def _session_for(self, user: User, sessions: list[str]) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        # As the test client's force_login: the first backend that can load a user back from a session.
        store[BACKEND_SESSION_KEY] = next(
            path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
        )
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
        return store.session_key

    def _through_gunicorn(self, semester: Semester, today: date, o: dict, sessions: list[str]) -> tuple:
        port = _free_port()
        # As deployed (DJANGO_ENV=production's defaults): DEBUG off, database connections kept for 60 s.
        env = {**os.environ, "DEBUG": "false", "DB_CONN_MAX_AGE": "60", "WEB_CONCURRENCY": str(o["workers"])}
        server = subprocess.Popen(  # noqa: S603 - this interpreter's gunicorn, fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(o["workers"]),
                "--log-level",
                "warning",
            ],
            env=env,
        )
        try:
            self._wait_for(port, server)
            clients = []
            for user, room in self._counselors(o["concurrency"]):
                key = self._session_for(user, sessions)
                cookie, token = self._csrf(port, key)
                clients.append((f"{settings.SESSION_COOKIE_NAME}={key}; {cookie}", token, room))
            for cookie, token, room in clients:  # each worker and session warmed up once or twice
                for _ in range(2):
                    self._post(port, cookie, token, room, today)
            before = Interaction.objects.filter(semester=semester).count()
            remaining = iter(range(o["load"]))
            lock = threading.Lock()
            latencies: list[float] = []
            errors = [0]

            def run(cookie: str, token: str, room: list[str]) -> None:
                while True:
                    with lock:
                        if next(remaining, None) is None:
                            return
                    started = time.perf_counter()
                    try:
                        status = self._post(port, cookie, token, room, today)
                    except OSError:
                        status = 0
                    elapsed = (time.perf_counter() - started) * 1000
                    with lock:
                        latencies.append(elapsed)
                        errors[0] += status != 302

            threads = [threading.Thread(target=run, args=client) for client in clients]
            started, cpu = time.perf_counter(), time.process_time()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - started
            client_cpu_ms = (time.process_time() - cpu) * 1000 / max(1, len(latencies))
            written = Interaction.objects.filter(semester=semester).count() - before
            missing = abs(o["load"] - written)  # a refused post writes nothing: counted once, not twice
            label = (
                f"counselors' dorm visits, record form, {o['workers']} gunicorn workers, {len(clients)} clients at "
                f"once on the same machine ({os.cpu_count()} cores; the clients' own CPU {client_cpu_ms:.1f} ms a "
                "request)"
            )
            return (
                label,
                len(latencies),
                seconds,
                max(errors[0], missing),
                statistics.median(latencies),
                _percentile(latencies, 0.95),
            )
        finally:
            server.terminate()
            server.wait(timeout=30)

    @staticmethod
    def _wait_for(port: int, server: subprocess.Popen) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn exited with {server.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise CommandError("gunicorn did not start within 60 s")

    @staticmethod
    def _csrf(port: int, session_key: str) -> tuple[str, str]:
        """The CSRF cookie and the form's token, from the record form as a browser gets them."""
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}"
        conn.request("GET", FORM, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = conn.getresponse()
        html = response.read().decode()
        conn.close()
        if response.status != 200:
            raise CommandError(f"the record form answered {response.status} through gunicorn")
        cookie = next(
            value.split(";", 1)[0]
            for name, value in response.getheaders()
            if name.lower() == "set-cookie" and value.startswith(settings.CSRF_COOKIE_NAME + "=")
        )
        return cookie, CSRF_FIELD.search(html).group(1)

    def _post(self, port: int, cookie: str, token: str, room: list[str], today: date) -> int:
        body = urlencode([*self._dorm_visit(today, room), ("csrfmiddlewaretoken", token)])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(
                "POST",
                FORM,
                body=body,
                headers={
                    "Cookie": cookie,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Host": "127.0.0.1",
                    "Referer": f"http://127.0.0.1:{port}{FORM}",
                },
            )
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()
