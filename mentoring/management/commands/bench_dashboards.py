"""`manage.py bench_dashboards`: the dashboards at the size of a large university (DESIGN "Performance budgets").

Builds, with PostgreSQL COPY, 40,000 students, 3,000 mentors (1,000 of them also class advisors), 1,000 classes, 200
counselors in 25 colleges and five academic years of records (≈2 million attendance rows: mentors' group talks, plus
counselors' dorm visits, sit-ins and class meetings, advisors' class meetings, mentor–counselor exchanges) in the
database of DATABASE_URL; then measures the college dashboard, the school dashboard and the per-person drill-down
(SQL queries, p50/p95 server time over N requests, the equivalent hand-written SQL aggregate run after each request,
the ratio of the medians). The dashboards are timed cold after a record in the semester (one college's cached
numbers for the semester dropped before every request, as a record by one of its people does; the other colleges'
and the semester before's from the cache; against one semester's SQL of the whole page), cold after an assignment
change (what a new mentor on one class from the semester's first day drops: the colleges of everyone holding
something on it, in that semester and the ones after, holdings included; against one semester's SQL), after a
quota rule or roster change (everything dropped, both semesters; the page then shows its numbers from before while
a worker recomputes, so it is timed so, and once more with nothing cached, which is the worker's run) and warm;
and the whole-school Excel export (time, peak RSS, at two sizes; cold). Budgets: queries independent of size,
p50 ≤ 150 ms, ratio ≤ 3, export ≤ 15 s with flat memory.

Refuses SQLite, and a database holding anything but its own data unless --force. A second run reuses the data.
"""

from __future__ import annotations

import io
import math
import os
import random
import statistics
import tempfile
import time
from contextlib import contextmanager
from datetime import date, timedelta
from functools import partial
from unittest.mock import patch

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import Client
from django.utils import timezone

from accounts.models import College, Role, RoleGrant, SchoolClass, Staff, User
from accounts.services import role_grant
from mentoring.models import Semester
from mentoring.selectors.compliance import compliance_inputs_changed, holdings_changed
from mentoring.selectors.dashboards import SHOWN_VERSION_KEY
from mentoring.services.calendar import semester_create
from mentoring.tasks import dashboard_recompute_task

TAG = "BD"  # college codes BD00 … BD24 mark the bench's own data


def _first_monday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _tsv(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


class Copier:
    """COPY rows into a table in chunks; ids are given explicitly and the sequence is moved past them."""

    def __init__(self, cursor):
        self.cursor = cursor

    def copy(self, table: str, columns: list[str], rows, chunk: int = 200_000) -> int:
        total = 0
        buffer = io.StringIO()
        n = 0
        for row in rows:
            buffer.write("\t".join(_tsv(v) for v in row))
            buffer.write("\n")
            n += 1
            if n == chunk:
                total += self._flush(table, columns, buffer)
                buffer, n = io.StringIO(), 0
        if n:
            total += self._flush(table, columns, buffer)
        return total

    def _flush(self, table, columns, buffer) -> int:
        buffer.seek(0)
        self.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
        return buffer.getvalue().count("\n")

    def next_id(self, table: str) -> int:
        self.cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608 - constant table names
        return self.cursor.fetchone()[0]

    def reset_sequence(self, table: str, column: str = "id") -> None:
        self.cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), coalesce(max({column}), 1)) FROM {table}"  # noqa: S608 - constant table names
        )


class Command(BaseCommand):
    help = "Build a university-sized dataset in PostgreSQL and measure the dashboards and the Excel export."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=40_000)
        parser.add_argument("--mentors", type=int, default=3_000)
        parser.add_argument("--classes", type=int, default=1_000)
        parser.add_argument("--counselors", type=int, default=200)
        parser.add_argument("--colleges", type=int, default=25)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--requests", type=int, default=20)
        parser.add_argument("--force", action="store_true", help="run on a database that holds other data")
        parser.add_argument("--skip-export", action="store_true")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_dashboards needs PostgreSQL: set DATABASE_URL to a database of its own.")
        settings.DEBUG = False
        bench = College.objects.filter(code__startswith=TAG)
        others = (
            College.objects.exclude(code__startswith=TAG).exists()
            or Semester.objects.exclude(academic_year__start_year__in=self._years(options["years"])).exists()
        )
        if others and not options["force"]:
            raise CommandError("The database holds data that is not the bench's; use a database of its own or --force.")
        if not bench.exists():
            started = time.perf_counter()
            rows = self._build(options)
            self.stdout.write(f"built {rows:,} rows in {time.perf_counter() - started:.1f} s")
        else:
            self.stdout.write("reusing the bench data already in the database")
        # A server in use has its tables vacuumed and analysed by autovacuum; COPYed rows have no visibility map yet
        # (index-only scans would still read every row from the table), and autovacuum is off on some machines.
        # Cheap once done, so done before every run.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.stdout.write(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
        self._measure(options)

    # --- building -----------------------------------------------------------------------------------------------

    def _years(self, years: int) -> list[int]:
        today = timezone.localdate()
        current = today.year if today.month >= 8 else today.year - 1
        return list(range(current - years, current))

    def _build(self, o) -> int:
        rng = random.Random(2026)
        semesters = []
        for year in self._years(o["years"]):
            fall = _first_monday(year, 9)
            spring = _first_monday(year + 1, 3)
            for term, start in ((1, fall), (2, spring)):
                semesters.append(
                    semester_create(
                        actor=None,
                        start_year=year,
                        term=term,
                        start_date=start,
                        end_date=start + timedelta(weeks=19, days=-1),
                        holiday_weeks=(5,) if term == 1 else (),
                        exam_weeks=(18, 19),
                    )
                )
        weeks = {s.pk: [(w.number, w.monday) for w in s.weeks.filter(kind="teaching")] for s in semesters}
        first_day = semesters[0].start_date
        now = timezone.now().isoformat()
        total = 0
        with connection.cursor() as cursor:
            c = Copier(cursor)
            user_id = c.next_id("accounts_user")
            college_id = c.next_id("accounts_college")
            major_id = c.next_id("accounts_major")
            class_id = c.next_id("accounts_schoolclass")
            n_col, n_cls, n_stu, n_men, n_cou = (
                o["colleges"],
                o["classes"],
                o["students"],
                o["mentors"],
                o["counselors"],
            )
            colleges = [college_id + i for i in range(n_col)]
            total += c.copy(
                "accounts_college",
                ["id", "code", "name"],
                ((cid, f"{TAG}{i:02d}", f"基准学院{i:02d}") for i, cid in enumerate(colleges)),
            )
            majors = [major_id + i for i in range(n_col)]
            total += c.copy(
                "accounts_major",
                ["id", "college_id", "code", "name"],
                ((mid, colleges[i], f"{TAG}M{i:02d}", f"专业{i:02d}") for i, mid in enumerate(majors)),
            )
            classes = [class_id + i for i in range(n_cls)]
            class_college = {cid: colleges[i % n_col] for i, cid in enumerate(classes)}
            total += c.copy(
                "accounts_schoolclass",
                ["id", "major_id", "code", "name", "cohort"],
                (
                    (cid, majors[i % n_col], f"{TAG}K{i:04d}", f"班级{i:04d}", 2021 + i % 4)
                    for i, cid in enumerate(classes)
                ),
            )
            # users: students, mentors, counselors, one admin per college, one school admin
            students = list(range(user_id, user_id + n_stu))
            mentors = list(range(students[-1] + 1, students[-1] + 1 + n_men))
            counselors = list(range(mentors[-1] + 1, mentors[-1] + 1 + n_cou))
            admins = list(range(counselors[-1] + 1, counselors[-1] + 1 + n_col + 1))
            everyone = students + mentors + counselors + admins

            def number(uid: int) -> str:
                return f"{TAG}{uid:07d}"

            total += c.copy(
                "accounts_user",
                [
                    "id",
                    "password",
                    "is_superuser",
                    "number",
                    "name",
                    "email",
                    "phone",
                    "is_active",
                    "is_staff",
                    "date_joined",
                ],
                ((uid, "!", False, number(uid), f"用户{uid}", "", "", True, False, now) for uid in everyone),
            )
            student_class = {sid: classes[i % n_cls] for i, sid in enumerate(students)}
            total += c.copy(
                "accounts_student", ["user_id", "school_class_id"], ((sid, student_class[sid]) for sid in students)
            )
            staff_college = {}
            for i, uid in enumerate(mentors):
                staff_college[uid] = colleges[i % n_col]
            for i, uid in enumerate(counselors):
                staff_college[uid] = colleges[i % n_col]
            for i, uid in enumerate(admins[:-1]):
                staff_college[uid] = colleges[i]
            staff_college[admins[-1]] = None
            total += c.copy(
                "accounts_staff",
                ["user_id", "college_id", "title"],
                ((uid, col, "") for uid, col in staff_college.items()),
            )

            # assignments: a college's students to its mentors, a class to one advisor (a mentor) and one counselor
            by_college = {col: [] for col in colleges}
            for sid in students:
                by_college[class_college[student_class[sid]]].append(sid)
            mentors_of = {col: [m for m in mentors if staff_college[m] == col] for col in colleges}
            counselors_of = {col: [m for m in counselors if staff_college[m] == col] for col in colleges}
            mentor_students: dict[int, list[int]] = {m: [] for m in mentors}
            for col, sids in by_college.items():
                ms = mentors_of[col]
                for i, sid in enumerate(sids):
                    mentor_students[ms[i % len(ms)]].append(sid)
            classes_of_college = {col: [k for k in classes if class_college[k] == col] for col in colleges}
            advisor_of, counselor_of = {}, {}
            for col, ks in classes_of_college.items():
                for i, k in enumerate(ks):
                    advisor_of[k] = mentors_of[col][i % len(mentors_of[col])]
                    counselor_of[k] = counselors_of[col][i % len(counselors_of[col])]
            aid = c.next_id("mentoring_mentorassignment")
            total += c.copy(
                "mentoring_mentorassignment",
                ["id", "valid_from", "valid_until", "created", "mentor_id", "student_id"],
                (
                    (aid + i, first_day, None, now, m, s)
                    for i, (m, s) in enumerate((m, s) for m, ss in mentor_students.items() for s in ss)
                ),
            )
            for table, owner, mapping in (
                ("mentoring_advisorassignment", "advisor_id", advisor_of),
                ("mentoring_counselorassignment", "counselor_id", counselor_of),
            ):
                start = c.next_id(table)
                total += c.copy(
                    table,
                    ["id", "valid_from", "valid_until", "created", owner, "school_class_id"],
                    ((start + i, first_day, None, now, person, k) for i, (k, person) in enumerate(mapping.items())),
                )

            # records
            interaction_cols = [
                "id",
                "author_id",
                "role",
                "kind",
                "day",
                "semester_id",
                "week",
                "mode",
                "school_class_id",
                "counterpart_id",
                "topics",
                "place",
                "summary",
                "sensitive",
                "late",
                "student_count",
                "created",
                "updated",
            ]
            attendance_cols = ["id", "interaction_id", "student_id", "semester_id", "kind", "author_id", "day"]
            next_interaction = c.next_id("mentoring_interaction")
            next_attendance = c.next_id("mentoring_attendance")
            classes_of_counselor: dict[int, list[int]] = {}
            for k, person in counselor_of.items():
                classes_of_counselor.setdefault(person, []).append(k)
            for semester in semesters:
                interactions, attendance = [], []
                teaching = weeks[semester.pk]

                def record(
                    author, role, kind, day, week, mode, klass=None, counterpart=None, attendees=(), topics="[]"
                ):
                    nonlocal next_interaction, next_attendance
                    iid = next_interaction
                    next_interaction += 1
                    interactions.append(  # noqa: B023 - called only within this iteration
                        (
                            iid,
                            author,
                            role,
                            kind,
                            day,
                            semester.pk,  # noqa: B023 - called only within this iteration
                            week,
                            mode,
                            klass,
                            counterpart,
                            topics,
                            "",
                            "",
                            False,
                            False,
                            len(attendees),
                            now,
                            now,
                        )
                    )
                    for sid in attendees:
                        attendance.append((next_attendance, iid, sid, semester.pk, kind, author, day))  # noqa: B023 - called only within this iteration
                        next_attendance += 1

                for m, ss in mentor_students.items():
                    rounds = 5 if m % 7 else 3  # one mentor in seven lags behind
                    groups = [ss[i : i + 3] for i in range(0, len(ss), 3)]
                    for r in range(rounds):
                        week, monday = teaching[min(len(teaching) - 1, r * 3 + rng.randrange(3))]
                        for group in groups:
                            record(
                                m,
                                "mentor",
                                "mentor_talk",
                                monday + timedelta(days=rng.randrange(5)),
                                week,
                                "group" if len(group) > 1 else "one",
                                attendees=group,
                                topics='["academic"]',
                            )
                    if ss:
                        counselor = counselor_of[student_class[ss[0]]]
                        week, monday = teaching[6]
                        record(m, "mentor", "exchange", monday, week, "colleague", counterpart=counselor)
                for person, ks in classes_of_counselor.items():
                    for week, monday in teaching:
                        visits = 2 if (person + week) % 5 else 1
                        for v in range(visits):
                            record(person, "counselor", "dorm_visit", monday + timedelta(days=v), week, "none")
                        for v in range(3):
                            record(
                                person,
                                "counselor",
                                "class_sitin",
                                monday + timedelta(days=v + 1),
                                week,
                                "class",
                                klass=ks[v % len(ks)],
                            )
                    for k in ks:
                        for r in (3, 10):
                            week, monday = teaching[min(r, len(teaching) - 1)]
                            record(person, "counselor", "theme_class_meeting", monday, week, "class", klass=k)
                for k, advisor in advisor_of.items():
                    for r in (2, 9) if k % 5 else (2,):
                        week, monday = teaching[r]
                        record(advisor, "advisor", "class_meeting", monday + timedelta(days=2), week, "class", klass=k)
                    for month_week in range(0, len(teaching), 4):
                        week, monday = teaching[month_week]
                        record(advisor, "advisor", "class_checkin", monday + timedelta(days=3), week, "class", klass=k)
                total += c.copy("mentoring_interaction", interaction_cols, interactions)
                total += c.copy("mentoring_attendance", attendance_cols, attendance)
                self.stdout.write(f"  {semester}: {len(interactions):,} records, {len(attendance):,} attendance rows")
            for table in (
                "accounts_user",
                "accounts_college",
                "accounts_major",
                "accounts_schoolclass",
                "mentoring_mentorassignment",
                "mentoring_advisorassignment",
                "mentoring_counselorassignment",
                "mentoring_interaction",
                "mentoring_attendance",
            ):
                c.reset_sequence(table)
        for i, uid in enumerate(admins[:-1]):
            college = College.objects.get(pk=colleges[i])
            role_grant(actor=None, user=User.objects.get(pk=uid), role=Role.COLLEGE_ADMIN, college=college)
        role_grant(actor=None, user=User.objects.get(pk=admins[-1]), role=Role.SCHOOL_ADMIN)
        compliance_inputs_changed()  # written by COPY, past the services: nothing cached of an earlier build stays
        return total

    # --- measuring ----------------------------------------------------------------------------------------------

    def _measure(self, o) -> None:
        semester = Semester.objects.filter(end_date__lt=timezone.localdate()).order_by("-start_date").first()
        previous = Semester.objects.filter(start_date__lt=semester.start_date).order_by("-start_date").first()
        college = College.objects.filter(code__startswith=TAG).order_by("code").first()
        college_admin = RoleGrant.objects.get(role=Role.COLLEGE_ADMIN, college=college).user
        school_admin = RoleGrant.objects.filter(role=Role.SCHOOL_ADMIN).first().user
        person = Staff.objects.filter(college=college, user__mentor_assignments__isnull=False).first().user
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM mentoring_attendance")
            attendance = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM mentoring_attendance WHERE semester_id = %s", [semester.pk])
            in_semester = cursor.fetchone()[0]
        self.stdout.write(f"attendance rows: {attendance:,} in all, {in_semester:,} in {semester}")
        self.stdout.write(f"cache: {settings.CACHES['default']['BACKEND']}")

        cases = [
            (
                "college dashboard",
                college_admin,
                f"/dashboard/college/{college.code}/?semester={semester.pk}",
                self._sql_dashboard,
                {"college_id": college.pk},
                True,
            ),
            (
                "school dashboard",
                school_admin,
                f"/dashboard/school/?semester={semester.pk}",
                self._sql_dashboard,
                {"college_id": None},
                True,
            ),
            (
                "person drill-down",
                college_admin,
                f"/dashboard/person/{person.number}/?semester={semester.pk}",
                self._sql_person,
                {"person_id": person.pk},
                False,
            ),
        ]
        # The exports first: each runs in a forked child, whose peak RSS includes what the parent holds, so they
        # run before the page timings fill this process's cache with dashboards.
        exports = []
        if not o["skip_export"]:
            for label, target in (("one college", college), ("whole school", None)):
                exports.append((label, *self._export_in_child(semester, target)))
        klass = SchoolClass.objects.filter(major__college=college).order_by("code").first()

        def after_record() -> None:  # what a record by one of the college's people drops
            compliance_inputs_changed(semester_ids=[semester.pk], college_ids=[college.pk])

        def after_assignment() -> None:  # what a new mentor, advisor or counselor on one of its classes drops
            # from the semester's first day (an assignment counts from its day on: the semester before stays)
            holdings_changed(class_ids=[klass.pk], since=semester.start_date)

        def nothing_cached() -> None:  # everything dropped, and the pages' last numbers forgotten too
            compliance_inputs_changed()
            cache.delete(SHOWN_VERSION_KEY)

        # A dashboard page after a change of everything shows its numbers from before while a worker computes the
        # new ones (Celery as deployed): what it sends is counted here, not sent, and its work is timed as the
        # page with nothing cached, which is what the worker computes.
        recomputes: list[tuple] = []

        @contextmanager
        def celery(*, eager: bool):
            """Celery eager (pages computed in the request) or as deployed, with nothing sent either way."""
            conf = dashboard_recompute_task.app.conf
            was = conf.task_always_eager
            conf.task_always_eager = eager
            try:
                with patch.object(dashboard_recompute_task, "delay", lambda *args: recomputes.append(args)):
                    yield
            finally:
                conf.task_always_eager = was

        rows = []
        for label, user, path, sql, params, cached in cases:
            client = Client()
            client.force_login(user)
            with celery(eager=True):  # the warm-up computes the page in the request, whatever an earlier run left
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            # The hand-written SQL of what a request computes: after a record or an assignment the page recomputes
            # one semester, so its equivalent is that semester's SQL; from nothing, and warm, both semesters'.
            both = partial(sql, semester=semester, previous=previous, **params)
            one = partial(sql, semester=semester, previous=None, **params) if cached else both
            for _ in range(2):  # warm-up of the SQL too: both sides are measured with the data in memory
                both()
                one()
            # Cold after a record: the semester's version token changes before every request, as a record written
            # in that semester changes it; the semester before's trend still comes from the cache. Cold after an
            # assignment from the semester's first day: that semester's tokens change, its holdings included; the
            # semester before stays. Everything: nothing comes from the cache. Warm: the same page again.
            everything = [
                (
                    "after a quota rule or roster change: its numbers from before, while a worker recomputes",
                    compliance_inputs_changed,
                    both,
                ),
                ("nothing cached: computed in the request, as by that worker", nothing_cached, both),
            ]
            modes = (
                [
                    ("cold after a record in the semester", after_record, one),
                    ("cold after an assignment change", after_assignment, one),
                    *everything,
                    ("warm", None, both),
                ]
                if cached
                else [("holdings from the cache, counts and records read fresh", None, both)]
            )
            for mode, drop, hand in modes:
                with celery(eager=False):
                    n, p50, p95, hand_ms = self._time(client, path, o["requests"], drop=drop, hand=hand)
                rows.append((f"{label} ({mode})", n, p50, p95, hand_ms, p50 / hand_ms))
        sent = len(recomputes)
        self.stdout.write("")
        self.stdout.write(
            "cold after a record = one college's cached numbers for the semester dropped before each request (as a "
            "record by one of its people does), the other colleges' and the semester before's from the cache, "
            "against the hand-written SQL of the whole page's one semester; "
            "cold after an assignment = the cached numbers and holdings of the colleges of everyone holding something "
            "on one class dropped from the semester's first day on (a new mentor, advisor or counselor there, or a "
            "flag on a student), against the hand-written SQL of one semester; "
            "everything = all dropped (a quota rule or roster write); the page then shows its numbers from "
            "before, marked, and sends one recompute to a worker per change "
            f"({sent} sent in all here, counted and not run); nothing cached = that, and the page's last numbers "
            "gone too (the worker's own run, or a visit after the cache was lost); warm = served from the cache"
        )
        self.stdout.write("| page | SQL queries | p50 ms | p95 ms | hand-written SQL ms | ratio |")
        self.stdout.write("|---|---|---|---|---|---|")
        for label, n, p50, p95, sql_ms, ratio in rows:
            self.stdout.write(f"| {label} | {n} | {p50:.0f} | {p95:.0f} | {sql_ms:.0f} | {ratio:.2f} |")
        if exports:
            self.stdout.write("")
            self.stdout.write("| export (cold) | people rows | seconds | peak RSS MB (child) |")
            self.stdout.write("|---|---|---|---|")
            for label, seconds, people, rss in exports:
                self.stdout.write(f"| {label} | {people:,} | {seconds:.1f} | {rss:.0f} |")

    def _time(self, client, path: str, requests: int, *, drop, hand) -> tuple[int, float, float, float]:
        """p50/p95 in ms over `requests` requests, the SQL queries of one more like them, and the median of the
        hand-written SQL (`hand`), run once after each request: this machine's speed drifts within minutes, and
        measured side by side the two drift together, so their ratio does not take one side's slow minute."""
        queries = []  # the test client resets connection.queries per request: count with a wrapper instead

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        def changed() -> None:
            if drop is not None:
                drop()

        times, hand_times = [], []
        for _ in range(requests):
            changed()
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            hand()
            hand_times.append((time.perf_counter() - started) * 1000)
        # The queries of one more request like the timed ones: the first request after the warm-up may also fill a
        # cache (who holds what) that the ones after it find, as in use.
        changed()

        # Queries on connections opened during the request count too (a whole school's reads on a thread of
        # their own, `whole_school_reads_start`).
        def wrap(sender, connection, **kwargs):
            connection.execute_wrappers.append(count)

        connection_created.connect(wrap)
        try:
            with connection.execute_wrapper(count):
                client.get(path)
        finally:
            connection_created.disconnect(wrap)
        p50 = statistics.median(times)
        p95 = sorted(times)[max(0, math.ceil(0.95 * len(times)) - 1)]
        return len(queries), p50, p95, statistics.median(hand_times)

    def _export_in_child(self, semester, college) -> tuple[float, int, float]:
        """Run the export in a forked child, so its peak RSS is its own (VmHWM of the child after the export)."""
        read, write = os.pipe()
        connection.close()  # parent and child must not share the socket: each opens its own connection after
        pid = os.fork()
        if pid == 0:  # child
            os.close(read)
            connection.close()  # a new connection of its own
            from mentoring.exports import write_dashboard

            compliance_inputs_changed()  # cold: the child would otherwise find the parent's cached dashboards
            started = time.perf_counter()
            with tempfile.TemporaryFile() as out:
                totals = write_dashboard(out, semester=semester, college=college, role="", on=timezone.localdate())
            seconds = time.perf_counter() - started
            with open("/proc/self/status") as status:
                hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
            os.write(write, f"{seconds} {totals.people} {hwm / 1024}".encode())
            os._exit(0)
        os.close(write)
        data = os.read(read, 1024).decode().split()
        os.waitpid(pid, 0)
        return float(data[0]), int(data[1]), float(data[2])

    # --- the hand-written equivalents ---------------------------------------------------------------------------

    def _sql_dashboard(self, *, semester, previous, college_id) -> None:
        """Per mentor: students with ≥ 4 talks; per counselor and week: visits and sit-ins; per class: meetings."""
        mentor_filter = (
            "AND ma.mentor_id IN (SELECT user_id FROM accounts_staff WHERE college_id = %(college)s)"
            if college_id
            else ""
        )
        staff_filter = (
            "AND author_id IN (SELECT user_id FROM accounts_staff WHERE college_id = %(college)s)" if college_id else ""
        )
        with connection.cursor() as cursor:
            for s in (semester, previous) if previous is not None else (semester,):
                params = {"semester": s.pk, "college": college_id, "start": s.start_date, "end": s.end_date}
                cursor.execute(
                    f"""
                    WITH held AS (
                        SELECT ma.mentor_id, ma.student_id FROM mentoring_mentorassignment ma
                        WHERE ma.valid_from <= %(end)s AND (ma.valid_until IS NULL OR ma.valid_until >= %(start)s)
                        {mentor_filter}
                    ), talks AS (
                        SELECT author_id, student_id, count(*) AS n FROM mentoring_attendance
                        WHERE semester_id = %(semester)s AND kind = 'mentor_talk' {staff_filter}
                        GROUP BY author_id, student_id
                    )
                    SELECT held.mentor_id, count(*) FILTER (WHERE coalesce(talks.n, 0) >= 4), count(*)
                    FROM held LEFT JOIN talks ON talks.author_id = held.mentor_id AND talks.student_id = held.student_id
                    GROUP BY held.mentor_id
                    """,  # noqa: S608 - the filters are the command's own constants
                    params,
                )
                cursor.fetchall()
                cursor.execute(
                    f"""
                    SELECT author_id, kind, week, school_class_id, counterpart_id, count(*) FROM mentoring_interaction
                    WHERE semester_id = %(semester)s AND kind <> 'mentor_talk' {staff_filter}
                    GROUP BY author_id, kind, week, school_class_id, counterpart_id
                    """,  # noqa: S608 - the filters are the command's own constants
                    params,
                )
                cursor.fetchall()

    def _sql_person(self, *, semester, previous, person_id) -> None:
        """What the drill-down shows, by hand: the person's students and classes with their counts and names, their
        weekly and colleague counts, and the newest 100 records of the semester."""
        params = {"semester": semester.pk, "person": person_id, "start": semester.start_date, "end": semester.end_date}
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT ma.student_id, u.number, u.name, ma.valid_from, ma.valid_until, coalesce(t.n, 0)
                FROM mentoring_mentorassignment ma
                JOIN accounts_user u ON u.id = ma.student_id
                LEFT JOIN (
                    SELECT student_id, count(*) AS n FROM mentoring_attendance
                    WHERE semester_id = %(semester)s AND kind = 'mentor_talk' AND author_id = %(person)s
                    GROUP BY student_id
                ) t ON t.student_id = ma.student_id
                WHERE ma.mentor_id = %(person)s AND ma.valid_from <= %(end)s
                  AND (ma.valid_until IS NULL OR ma.valid_until >= %(start)s)
                """,
                params,
            )
            cursor.fetchall()
            cursor.execute(
                """
                SELECT held.role, c.id, c.code, c.name, held.valid_from, held.valid_until FROM (
                    SELECT 'advisor' AS role, school_class_id, valid_from, valid_until
                    FROM mentoring_advisorassignment WHERE advisor_id = %(person)s
                    UNION ALL
                    SELECT 'counselor', school_class_id, valid_from, valid_until
                    FROM mentoring_counselorassignment WHERE counselor_id = %(person)s
                ) held JOIN accounts_schoolclass c ON c.id = held.school_class_id
                WHERE held.valid_from <= %(end)s AND (held.valid_until IS NULL OR held.valid_until >= %(start)s)
                """,
                params,
            )
            cursor.fetchall()
            cursor.execute(
                """
                SELECT i.kind, i.week, i.school_class_id, i.counterpart_id, count(*) FROM mentoring_interaction i
                WHERE i.semester_id = %(semester)s AND (i.author_id = %(person)s OR i.counterpart_id = %(person)s)
                GROUP BY i.kind, i.week, i.school_class_id, i.counterpart_id
                """,
                params,
            )
            cursor.fetchall()
            cursor.execute(
                """
                SELECT i.id, i.day, i.late, i.kind, i.student_count, c.name FROM mentoring_interaction i
                LEFT JOIN accounts_schoolclass c ON c.id = i.school_class_id
                WHERE i.author_id = %(person)s AND i.semester_id = %(semester)s
                ORDER BY i.day DESC, i.id DESC LIMIT 100
                """,
                params,
            )
            cursor.fetchall()
