"""The compliance engine: the only code that counts records against the policy's quota rules.

Given a semester (and optionally an as-of day, colleges and people) it returns one `Line` per person, rule,
unit and period with the count, the required minimum and a status. My work, the dashboards, exports,
reminders and evaluation scores all call `compliance_report`; nothing else counts.

Definitions (stated in the README and the UI):
- A semester is judged by the policy version in force on its first day (rules are data, R-21 college rules
  replace the school rule of the same requirement, role, scope and period for that college's units).
- A unit is a student (R-03), a flagged student (R-04, R-08), a class (R-06, R-07, R-09, R-13), a colleague
  (R-05, R-12) or the staff member themself (R-14, R-15). Units of students and classes belong to the
  student's or class's college; staff units to the staff member's college.
- Assignments count only while valid. Someone who held a student or class for part of the semester owes the
  minimum pro-rated by the teaching weeks they held it, rounded up; a record counts for its author, and the
  record service only accepts students and classes the author held on the record's day.
- Weekly rules count teaching weeks only (holiday and exam weeks carry none), and only weeks in which the
  person held at least one class. Monthly rules count the calendar months in which a teaching week starts.
- A period that has ended is met or short; the period under way is met or pending; a later one is not due.

The number of SQL queries is constant (about a dozen), whatever the size of the school; a count that no one in view
can have a line about is not asked for (one mentor's drill-down reads no class or weekly counts).
"""

from __future__ import annotations

import gc
import math
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from hashlib import sha256
from operator import attrgetter
from typing import NamedTuple, TypeVar
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Q

from accounts.models import Major, SchoolClass, Staff, Student
from mentoring.models import (
    AdvisorAssignment,
    Attendance,
    CounselorAssignment,
    Interaction,
    MentorAssignment,
    Period,
    PolicyVersion,
    QuotaRule,
    Scope,
    Semester,
    StaffRole,
    StudentFlag,
    TeachingWeek,
    WeekKind,
)

MET, SHORT, PENDING, NOT_DUE = "met", "short", "pending", "not_due"
T = TypeVar("T")


class Line(NamedTuple):
    """One unit and period of one rule for one person. A tuple: a whole-school report holds ~100,000 of them."""

    person_id: int
    rule: QuotaRule
    unit_id: int | None
    period: int | date | None  # teaching week number, first day of a month, or None for the semester
    count: int
    required: int
    status: str

    @property
    def met(self) -> bool:
        return self.status == MET

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.count)


@dataclass
class RuleStanding:
    """One person's standing on one rule: how many units/periods are met, short, pending.

    The tallies are taken in one pass over the lines, the first time one is asked for (the report builds the
    standing's lines before anyone reads them). `met_untold`: units met whose lines the report did not keep
    (`compliance_report(met_students=False)`), counted in with the met.
    """

    person_id: int
    rule: QuotaRule
    lines: list[Line] = field(default_factory=list)
    met_untold: int = 0
    _tally: tuple[int, int, int, int, int] | None = field(default=None, repr=False, compare=False)

    @property
    def tally(self) -> tuple[int, int, int, int, int]:
        """(total due, met, short, pending, records needed), in one pass over the lines, kept after the first ask (a
        plain attribute, not a cached_property, whose lock a school's 20,000 standings would each take)."""
        found = self._tally
        if found is None:
            found = self._tally = self._count()
        return found

    def _count(self) -> tuple[int, int, int, int, int]:
        total = met = self.met_untold
        short = pending = needed = 0
        for line in self.lines:
            status = line.status
            if status == NOT_DUE:
                continue
            total += 1
            if status == MET:
                met += 1
            elif status == SHORT:
                short += 1
                needed += line.required - line.count
            else:
                pending += 1
                needed += line.required - line.count
        return total, met, short, pending, needed

    @property
    def total(self) -> int:
        return self.tally[0]

    @property
    def met(self) -> int:
        return self.tally[1]

    @property
    def short(self) -> int:
        return self.tally[2]

    @property
    def pending(self) -> int:
        return self.tally[3]

    @property
    def records_needed(self) -> int:
        return self.tally[4]

    @property
    def compliant(self) -> bool:
        """Nothing due is short (pending periods are not failures yet)."""
        return self.tally[2] == 0


@dataclass
class ComplianceReport:
    semester: Semester
    on: date
    rules: list[QuotaRule]
    lines: list[Line]
    teaching_weeks: list[TeachingWeek]
    # (person, rule id) → units met whose lines were not kept (`compliance_report(met_students=False)`)
    met_untold: dict[tuple[int, int], int] = field(default_factory=dict)
    _standings: dict[int, list[RuleStanding]] | None = field(default=None, repr=False, compare=False)

    def standings(self) -> dict[int, list[RuleStanding]]:
        """Lines grouped by person (in the order of their ids) and rule, with the units met that were not kept; built
        once per report (the lines are final when it is returned)."""
        if self._standings is None:
            by_person: dict[int, dict[int, RuleStanding]] = defaultdict(dict)
            for line in self.lines:
                rules = by_person[line.person_id]
                rule = line.rule
                standing = rules.get(rule.id)  # .id, not .pk: the pk property costs a call per line
                if standing is None:
                    standing = rules[rule.id] = RuleStanding(line.person_id, rule)
                standing.lines.append(line)
            if self.met_untold:
                rule_of = {rule.id: rule for rule in self.rules}
                for (person_id, rule_id), n in self.met_untold.items():
                    rules = by_person[person_id]
                    standing = rules.get(rule_id)
                    if standing is None:
                        standing = rules[rule_id] = RuleStanding(person_id, rule_of[rule_id])
                    standing.met_untold = n
            self._standings = {pid: list(by_person[pid].values()) for pid in sorted(by_person)}
        return self._standings

    def for_person(self, person_id: int) -> list[RuleStanding]:
        return self.standings().get(person_id, [])

    def person_ids(self) -> set[int]:
        return {line.person_id for line in self.lines} | {person_id for person_id, _rule in self.met_untold}

    def is_compliant(self, person_id: int) -> bool:
        return all(line.status != SHORT for line in self.lines if line.person_id == person_id)

    @property
    def weeks_left(self) -> int:
        return sum(1 for week in self.teaching_weeks if week.monday > self.on)


# --- the version of the engine's inputs (for caches of its results) -------------------------------------------
# A person's lines depend on the records they wrote or that name them as the counterpart, on the assignments and
# flags of the classes they hold something on (and their students), and on what every line reads (quota rules, the
# calendar, the roster). So the tokens come in five: one for everything; one per semester; per semester and college,
# one for records and one for holdings (assignments and flags, valid in that semester); and one per college for
# flags in any semester (the dashboards' R-30 counts). What is cached for a college's people in a semester is valid
# while its tokens stay; a write changes only the tokens of what it can change.
INPUTS_VERSION_KEY = "mentoring:compliance-inputs"


def cache_seconds() -> int:
    """How long what is cached under the tokens is kept (`YUREN_COMPLIANCE_CACHE_SECONDS`): every write through the
    portal changes the tokens of what it changes at once; the time bounds writes made outside the portal (for which
    `manage.py dashboards_refresh` drops everything) and, with an in-process cache, other processes' writes."""
    return settings.YUREN_COMPLIANCE_CACHE_SECONDS


NO_COLLEGE = 0  # the "college" of people without one (no staff record, or a staff record without a college)


def _semester_version_key(semester_id: int) -> str:
    return f"{INPUTS_VERSION_KEY}:semester:{semester_id}"


def _college_version_key(college_id: int | None, semester_id: int | None = None) -> str:
    """Flags in any semester (no semester), or records in one semester."""
    college = f"college:{college_id or NO_COLLEGE}"
    return (
        f"{INPUTS_VERSION_KEY}:{college}" if semester_id is None else f"{_semester_version_key(semester_id)}:{college}"
    )


def _holdings_version_key(college_id: int | None, semester_id: int) -> str:
    return f"{_semester_version_key(semester_id)}:holdings:college:{college_id or NO_COLLEGE}"


def version_tokens(keys: list[str]) -> dict[str, str]:
    """The tokens under these keys (one cache read); a token used for the first time, or lost, is started."""
    found = cache.get_many(keys)
    for key in keys:
        if found.get(key) is None:
            cache.add(key, uuid4().hex, timeout=None)
            found[key] = cache.get(key)
    return found


def compliance_inputs_versions(semester: Semester | int, college_ids: Iterable[int | None]) -> dict[int, str]:
    """A token per college (NO_COLLEGE for people without one) that changes whenever what the engine reads for that
    college's people in `semester` may have changed. One cache read."""
    semester_id = getattr(semester, "pk", semester)
    colleges = sorted({college_id or NO_COLLEGE for college_id in college_ids})
    keys = [INPUTS_VERSION_KEY, _semester_version_key(semester_id)]
    for college_id in colleges:
        keys += [_holdings_version_key(college_id, semester_id), _college_version_key(college_id, semester_id)]
    found = version_tokens(keys)
    shared = f"{found[keys[0]]}.{found[keys[1]]}"
    return {
        college_id: f"{shared}.{found[keys[2 + 2 * i]]}.{found[keys[3 + 2 * i]]}"
        for i, college_id in enumerate(colleges)
    }


def holdings_version(college_ids: Iterable[int | None], semester: Semester | int | None = None) -> str:
    """A token that changes with the roster, the calendar, quota rules, and the assignments and flags of these colleges
    valid in `semester` (`holdings_changed`), but not with records: for what is cached about who is held, not what
    was done. Without a semester: the flags of these colleges in any semester, and everything. One cache read.
    With a semester the token starts with the tokens of everything and of the semester (`_rules_part`)."""
    colleges = sorted({c or NO_COLLEGE for c in college_ids})
    if semester is None:
        keys = [INPUTS_VERSION_KEY] + [_college_version_key(c) for c in colleges]
    else:
        semester_id = getattr(semester, "pk", semester)
        keys = [INPUTS_VERSION_KEY, _semester_version_key(semester_id)]
        keys += [_holdings_version_key(c, semester_id) for c in colleges]
    found = version_tokens(keys)
    return ".".join(found[key] for key in keys)


def kept(key: str, version_key: str, read: Callable[[], T]) -> T:
    """A small result that pages read on every request and that changes a few times a term (the semester list, the
    open supervision findings, the steering meetings' counts): from the cache (one call) while neither the token of
    everything nor its own (`version_key`) has changed since it was kept, else `read()` (its queries) and kept.
    Its own token is changed by its models' post_save/post_delete signals (`mentoring.signals`, `kept_changed`), so
    it does not matter who writes (a service, the admin site, a factory); an `.update()` skips them and is not seen
    until the next save or `manage.py dashboards_refresh`."""
    found = cache.get_many([INPUTS_VERSION_KEY, version_key, key])
    held = found.get(key)
    current = f"{found.get(INPUTS_VERSION_KEY)}.{found.get(version_key)}"
    if held is not None and "None" not in current.split(".") and held[0] == current:
        return held[1]
    tokens = version_tokens([INPUTS_VERSION_KEY, version_key])  # read before the rows, as every cached result
    value = read()
    cache.set(key, (f"{tokens[INPUTS_VERSION_KEY]}.{tokens[version_key]}", value), timeout=cache_seconds())
    return value


def kept_changed(version_key: str) -> None:
    """What is kept under `version_key` (`kept`) is not served again, from now and again once the transaction
    commits (`_bump`)."""
    _bump([version_key])


# The semester list (every page's semester filter, the dashboards' semester before): a save or delete of a semester
# or an academic year changes its token.
SEMESTERS_VERSION_KEY = f"{INPUTS_VERSION_KEY}:semesters"


def semesters_newest_first() -> list[Semester]:
    """Every semester with its academic year, newest first (`kept`: one cache call, or one query)."""
    return list(
        kept(
            "mentoring:semester-list",
            SEMESTERS_VERSION_KEY,
            lambda: list(Semester.objects.select_related("academic_year").order_by("-start_date")),
        )
    )


def _rules_part(holdings_token: str) -> str:
    """Of a `holdings_version(colleges, semester)` token, the part that quota rules and the calendar change (the
    tokens of everything and of the semester): what the semester's rules and teaching weeks are cached under."""
    return ".".join(holdings_token.split(".")[:2])


def _bump(keys: list[str]) -> None:
    """New tokens at once (the writer's own next read sees it) and again when the transaction commits, so a report
    another request computed from the rows as they were before the commit is never served afterwards. With Redis
    down the first change fails and the write is rolled back with it; should Redis fail between the two, the second
    is logged, not raised (`robust`): the write is committed by then, and its page must not say otherwise."""

    def bump() -> None:
        cache.set_many({key: uuid4().hex for key in keys}, timeout=None)

    bump()
    transaction.on_commit(bump, robust=True)


def compliance_inputs_changed(
    *, semester_ids: Iterable[int] | None = None, college_ids: Iterable[int | None] | None = None
) -> None:
    """Called by every service that writes what the engine reads: results cached under the old tokens are dropped.

    - semesters and colleges: a record (`records_changed`): those colleges' record tokens in those semesters;
    - semesters only: every college's tokens in those semesters (a semester's calendar: its weeks);
    - nothing: quota rules, the roster, what the admin site changes: every token.
    Assignments and flags call `holdings_changed`.
    """
    colleges = None if college_ids is None else sorted({college_id or NO_COLLEGE for college_id in college_ids})
    if semester_ids is None:
        if colleges is not None:
            raise ValueError("A change of colleges in no semester is a holdings change: call holdings_changed.")
        keys = [INPUTS_VERSION_KEY]
    elif colleges is None:
        keys = [_semester_version_key(pk) for pk in sorted(set(semester_ids))]
    else:
        keys = [_college_version_key(c, pk) for pk in sorted(set(semester_ids)) for c in colleges]
    _bump(keys)


def _colleges_of(people: set[int]) -> set[int | None]:
    colleges = dict(Staff.objects.filter(user_id__in=people).values_list("user_id", "college_id"))
    return {colleges.get(pk) for pk in people}


def records_changed(*, semester_ids: Iterable[int], people_ids: Iterable[int | None]) -> None:
    """A record of these semesters was written, changed or deleted by or about these people (its author and its
    counterpart, before and after): drop what is cached for their colleges in those semesters (one query)."""
    people = {pk for pk in people_ids if pk is not None}
    compliance_inputs_changed(semester_ids=semester_ids, college_ids=_colleges_of(people))


def holdings_changed(*, class_ids: Iterable[int], since: date | None = None, flag: bool = False) -> None:
    """An assignment on these classes or their students, or (`flag`) a flag on one of their students, was written;
    what it changed is valid from `since` on (None: any day, as for an edit of history).

    The lines it can change are those of the people who hold or held something on these classes — their students'
    mentors (R-03, R-04, R-05), their advisors (R-06 … R-09) and counselors (R-12 … R-15) — so what is cached for
    those people's colleges is dropped, in the semesters that end on or after `since` (a semester over before it
    reads nothing that changed); and for a flag, what is cached of the flagged students of those colleges and the
    classes' own (the dashboards' R-30 counts), in any semester. Six queries; call it after the write."""
    classes = sorted(set(class_ids))
    people = set(
        MentorAssignment.objects.filter(student__school_class_id__in=classes).values_list("mentor_id", flat=True)
    )
    people |= set(AdvisorAssignment.objects.filter(school_class_id__in=classes).values_list("advisor_id", flat=True))
    people |= set(
        CounselorAssignment.objects.filter(school_class_id__in=classes).values_list("counselor_id", flat=True)
    )
    own = set(SchoolClass.objects.filter(pk__in=classes).values_list("major__college_id", flat=True))
    colleges = sorted({c or NO_COLLEGE for c in _colleges_of(people) | own})
    semesters = Semester.objects.all() if since is None else Semester.objects.filter(end_date__gte=since)
    keys = [_college_version_key(c) for c in colleges] if flag else []
    keys += [_holdings_version_key(c, pk) for pk in semesters.values_list("pk", flat=True) for c in colleges]
    _bump(keys)


def _plain_rows(queryset) -> list[tuple]:
    """The rows of a query as the database returns them, in one fetch (the flags of a whole school: thousands of
    rows, which the ORM would fetch a hundred at a time). For rows of ints, strings and dates: columns that need no
    converter on PostgreSQL. SQLite (the development database) returns dates as text, so there the ORM reads the
    rows, converters and all."""
    if connections[queryset.db].vendor != "postgresql":
        return list(queryset)
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def policy_in_force(day: date) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


class _Rulebook:
    """Which rule applies to a unit of a college: the college's own rule for a key, else the school's."""

    def __init__(self, rules: Iterable[QuotaRule]):
        self.rules = list(rules)
        self.school = {r.key: r for r in self.rules if r.college_id is None}
        self.college: dict[int, dict[tuple, QuotaRule]] = defaultdict(dict)
        # Memoised per report: a school has thousands of holdings but a handful of (role, scope, college) keys.
        self._applicable: dict[tuple, list[QuotaRule]] = {}
        for rule in self.rules:
            if rule.college_id is not None:
                self.college[rule.college_id][rule.key] = rule

    def applicable(self, role: str, scope: str, college_id: int | None) -> list[QuotaRule]:
        key = (role, scope, college_id)
        found = self._applicable.get(key)
        if found is None:
            chosen = dict(self.school)
            if college_id is not None:
                chosen.update(self.college.get(college_id, {}))
            found = self._applicable[key] = [r for r in chosen.values() if r.role == role and r.scope == scope]
        return found

    def kinds(self, *scopes: str) -> set[str]:
        return {kind for r in self.rules if r.scope in scopes for kind in r.kinds}


@dataclass(slots=True)
class _Holding:
    """One holder's hold on one unit (student or class) during the semester."""

    holder_id: int
    unit_id: int
    college_id: int | None
    class_id: int | None
    windows: tuple[tuple[date, date], ...] = ()


def _holdings(rows, start: date, end: date) -> dict[tuple[int, int], _Holding]:
    """The rows of `_holdings_read` by (holder, unit), a holding's windows together; most hold the unit the whole
    semester, and share one tuple of windows (None: from the semester's first day, to its last)."""
    whole = ((start, end),)
    holdings: dict[tuple[int, int], _Holding] = {}
    found = holdings.get
    for holder_id, unit_id, window_from, window_until, class_id, college_id in rows:
        key = (holder_id, unit_id)
        if window_from is None and window_until is None:
            windows = whole
        else:
            windows = ((window_from or start, window_until or end),)
        holding = found(key)
        if holding is None:
            holdings[key] = _Holding(holder_id, unit_id, college_id, class_id, windows)
        else:
            holding.windows += windows
    return holdings


def _weeks_held(
    windows: tuple[tuple[date, date], ...], weeks: list[TeachingWeek], memo: dict | None = None
) -> set[int]:
    """Teaching weeks overlapping the windows; `memo` shares the answer among holdings with the same windows."""
    key = windows
    if memo is not None and key in memo:
        return memo[key]
    held = {
        week.number
        for week in weeks
        for first, last in windows
        if week.monday <= last and week.monday + timedelta(days=6) >= first
    }
    if memo is not None:
        memo[key] = held
    return held


def _counterpart_order(counterpart: tuple[int, int | None]) -> tuple[int, int]:
    """(colleague, college), no college first: a person's colleague lines come out in the same order every time."""
    return counterpart[0], counterpart[1] or 0


def _flag_filter(rule: QuotaRule) -> frozenset[str] | None:
    """The flags a per-flagged-student rule looks for; None for a rule about every student."""
    return frozenset(rule.flag_types) if rule.scope == Scope.PER_FLAGGED_STUDENT else None


def _status(count: int, required: int, period_start: date, period_end: date, on: date) -> str:
    if count >= required:
        return MET
    if period_end < on:
        return SHORT
    if period_start <= on:
        return PENDING
    return NOT_DUE


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a report is built.

    A whole-school report allocates some 150,000 small objects (rows, lines, holdings) with no reference cycles;
    each time enough have been allocated the collector would walk the growing heap again, which cost about a third
    of the build. Nothing is leaked: reference counting frees them as usual, and the collector resumes after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compliance_report(
    *,
    semester: Semester,
    on: date | None = None,
    college_ids: Iterable[int] | None = None,
    person_ids: Iterable[int] | None = None,
    roles: Iterable[str] | None = None,
    holdings_token: str | None = None,
    met_students: bool = True,
    home_college_ids: Iterable[int] | None = None,
    reads: WholeSchoolReads | None = None,
) -> ComplianceReport:
    """Every person's standing on every rule for `semester`, as of `on` (default: after it ended, the verdict).

    `met_students=False`: the lines of the students a mentor has met the rule for (R-03, R-04: some 34,000 of a
    whole school's 60,000 lines) are counted into their standings (`RuleStanding.met_untold`), not kept in `lines`;
    for callers that read only the tallies and what is short or pending (the dashboards), not for a drill-down.

    `holdings_token`: a caller that caches results under the version tokens passes `holdings_version(colleges,
    semester)` of the colleges in view; who holds what is then kept in the cache under it, so a report after a
    record (which changes no holding) reads only the counts, and the rules and weeks under its semester part, so a
    report after an assignment reads only the counts and holdings. Without it everything is read.

    `home_college_ids`: a caller whose `person_ids` are the staff of these colleges (a college's dashboard) says so,
    and who holds what is read college-wide first (`_holdings_read_home`): the same report, fewer rows scanned.

    `reads`: what a whole school's report of this semester reads, started before on a thread of its own
    (`whole_school_reads_start`), for a report of the whole school (no colleges, people or token) with its roles.
    """
    if reads is not None:
        chosen = None if roles is None else frozenset(roles)
        if (college_ids, person_ids, holdings_token) != (None, None, None) or reads.key != (semester.pk, chosen):
            raise ValueError("the reads were started for another report")
    people = None if person_ids is None else list(person_ids)
    # One person's report (the drill-down, My work) makes a few hundred objects: pausing the collector saves nothing
    # there, and resuming it would start a collection at once (about 0.4 ms of a 12 ms drill-down).
    paused = collector_paused() if people is None or len(people) > 1 else nullcontext()
    with paused:
        return _compliance_report(
            semester=semester,
            on=on,
            college_ids=college_ids,
            person_ids=people,
            roles=roles,
            holdings_token=holdings_token,
            met_students=met_students,
            home=set(home_college_ids) if home_college_ids and people is not None else None,
            reads=reads,
        )


# One thread reads the whole school's next semester while the request computes the one before: both semesters of a
# school dashboard computed from nothing read about 75 ms each from PostgreSQL, and the database and the interpreter
# then work at the same time (the interpreter lock is let go while the driver waits for the database). Two threads:
# two such pages at once in one process do not wait for each other's reads. One pool per process, made on first use:
# a forked worker does not inherit a pool whose threads stayed behind in its parent.
_readers: dict[int, ThreadPoolExecutor] = {}


def _reader() -> ThreadPoolExecutor:
    pid = os.getpid()
    pool = _readers.get(pid)
    if pool is None:
        pool = _readers[pid] = ThreadPoolExecutor(max_workers=2, thread_name_prefix="engine-reads")
    return pool


@dataclass(frozen=True)
class WholeSchoolReads:
    """A whole school's reads for a report (`_reads`), under way on the reader thread: `result()` waits for them."""

    key: tuple[int, frozenset[str] | None]
    future: Future

    def result(self) -> tuple:
        return self.future.result()


def whole_school_reads_start(*, semester: Semester, roles: Iterable[str] | None = None) -> WholeSchoolReads | None:
    """Start reading what `compliance_report(semester=…, roles=…)` of the whole school reads, on the reader thread
    and its own connection, and return at once; None where it cannot be done so, and the report reads as usual.

    Only on PostgreSQL and outside a transaction: another connection sees what is committed, so the reads would
    miss what the caller's transaction has written (a test's, say) and, on SQLite, wait for its lock. The reads
    are the ones the report would make itself (a whole school's report reads everything and caches none of it);
    the bench counts their queries with the request's."""
    connection = connections[Interaction.objects.db]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    chosen = None if roles is None else frozenset(roles)
    wanted_roles = set(chosen) if chosen is not None else set(StaffRole.values)
    return WholeSchoolReads((semester.pk, chosen), _reader().submit(_reads_apart, semester, wanted_roles))


def _reads_apart(semester: Semester, wanted_roles: set[str]) -> tuple:
    """`_reads` of a whole school on the reader thread; its connection is closed after, as a request's is."""
    try:
        return _reads(semester, None, None, wanted_roles, None, None)
    finally:
        connections.close_all()


class _Cond(NamedTuple):
    """A condition of a holdings query: `column` (a name of `_HoldingsSQL.columns`) in `values`, or not in them."""

    column: str
    values: Iterable[int]
    negate: bool = False


def _in(column: str, values: Iterable[int]) -> _Cond:
    return _Cond(column, values)


def _not_in(column: str, values: Iterable[int]) -> _Cond:
    return _Cond(column, values, negate=True)


class _HoldingsSQL:
    """The holdings queries of one semester, written as SQL. Rows, by kind (`mentor`, `advisor`, `counselor`): the
    holder, the unit (the student; the class), the first and the last day of the holding within the semester (None
    for the semester's own: most holdings, whose 80,000 dates a whole school would otherwise parse), and, `full`,
    the class and its college. As SQL, not querysets: a college's dashboard asks six to nine of them, and building
    and compiling the querysets cost more than running them (a college's holdings: 17–19 ms as querysets, 10–14
    as SQL, best of 40 here). The names come from the models; the values go as parameters, a list of ids as an IN
    list (`mentoring.lookups`)."""

    def __init__(self, start: date, end: date):
        self.start, self.end = start, end
        student, klass, major = Student._meta, SchoolClass._meta, Major._meta
        self.joins_student = (
            f" JOIN {student.db_table} s ON s.{student.pk.column} = a.{_column(MentorAssignment, 'student')}"
        )
        self.joins_class = (
            f" JOIN {klass.db_table} c ON c.{klass.pk.column} = {{class_column}}"
            f" JOIN {major.db_table} m ON m.{major.pk.column} = c.{_column(SchoolClass, 'major')}"
        )
        self.college = f"m.{_column(Major, 'college')}"
        self.student_class = f"s.{_column(Student, 'school_class')}"
        self.kinds = {
            "mentor": (MentorAssignment, "mentor", "student"),
            "advisor": (AdvisorAssignment, "advisor", "school_class"),
            "counselor": (CounselorAssignment, "counselor", "school_class"),
        }

    def _columns(self, kind: str) -> dict[str, str]:
        model, holder, unit = self.kinds[kind]
        unit_column = f"a.{_column(model, unit)}"
        return {
            "holder": f"a.{_column(model, holder)}",
            "unit": unit_column,
            "class": self.student_class if kind == "mentor" else unit_column,  # a student's class; the class held
            "college": self.college,
        }

    def rows(self, kind: str, *conditions: _Cond, full: bool = True, colleagues: bool = False) -> list[tuple]:
        """The holdings of `kind` valid on a day of the semester that meet every condition; `colleagues`: only
        (holder, class, college), once each (who else mentors on which class, for R-05 and R-12)."""
        model = self.kinds[kind][0]
        columns = self._columns(kind)
        valid_from, valid_until = (f"a.{_column(model, name)}" for name in ("valid_from", "valid_until"))
        params: list = []
        if colleagues:
            select = f"DISTINCT {columns['holder']}, {columns['class']}, {columns['college']}"
        else:
            select = (
                f"{columns['holder']}, {columns['unit']}, CASE WHEN {valid_from} > %s THEN {valid_from} END, "
                f"CASE WHEN {valid_until} < %s THEN {valid_until} END"
            )
            params += [self.start, self.end]
            if full:
                select += f", {columns['class']}, {columns['college']}"
        where = [f"{valid_from} <= %s", f"({valid_until} IS NULL OR {valid_until} >= %s)"]
        params += [self.end, self.start]
        used = {column for column in ("class", "college") if full or colleagues}
        for condition in conditions:
            values = sorted(condition.values)
            if not values:
                if condition.negate:
                    continue
                return []  # in an empty list: nothing
            operator = "NOT IN" if condition.negate else "IN"
            where.append(f"{columns[condition.column]} {operator} ({', '.join(['%s'] * len(values))})")
            params += values
            used.add(condition.column)
        joins = ""
        if kind == "mentor" and used & {"class", "college"}:
            joins += self.joins_student
        if "college" in used:
            joins += self.joins_class.format(class_column=columns["class"])
        sql = f"SELECT {select} FROM {model._meta.db_table} a{joins} WHERE {' AND '.join(where)}"  # noqa: S608
        connection = connections[model.objects.db]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if connection.vendor == "sqlite" and not colleagues:  # SQLite returns the days as text
            rows = [(r[0], r[1], _day(r[2]), _day(r[3]), *r[4:]) for r in rows]
        return rows


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _holdings_read(
    start: date, end: date, colleges: set[int] | None, people: set[int] | None, home: set[int] | None = None
) -> tuple[list[tuple], list[tuple], list[tuple], set[tuple[int, int, int | None]]]:
    """Who holds what during the semester, as rows (3 queries; for chosen people up to 6: their own, then their
    colleagues' on the classes those name). Rows: mentors (mentor, student, first day, last day, class, college),
    advisors and counselors (holder, class, first day, last day, class, college), the days within the semester and
    None for its own; and colleague mentors (mentor, class, college).
    `home`: the colleges whose classes the people hold most of theirs in (`_holdings_read_home`)."""
    sql = _HoldingsSQL(start, end)
    scope = (_in("college", colleges),) if colleges is not None else ()
    colleague_mentors: set[tuple[int, int, int | None]] = set()
    if people is None:  # a whole school's 40,000 mentor rows, as the database returns them
        return (*(sql.rows(kind, *scope) for kind in ("mentor", "advisor", "counselor")), colleague_mentors)
    if home:
        return _holdings_read_home(sql, people, home, scope)
    # The people's own holdings first (three index lookups), then their colleagues' on the classes those name
    # (for ), asked for only when there are such classes: a mentor who counsels no class has no
    # colleague mentors or advisors to read.
    own_mentor, own_advisor, own_counselor = (
        sql.rows(kind, *scope, _in("holder", people)) for kind in ("mentor", "advisor", "counselor")
    )
    counseled = {row[1] for row in own_counselor}
    others = {row[4] for row in own_mentor if row[4] is not None} | {row[1] for row in own_advisor}
    mentor_rows, advisor_rows, counselor_rows = own_mentor, own_advisor, own_counselor
    if counseled:
        colleagues = (*scope, _in("class", counseled), _not_in("holder", people))
        colleague_mentors = set(sql.rows("mentor", *colleagues, colleagues=True))
        advisor_rows = own_advisor + sql.rows("advisor", *colleagues)
    if others:
        counselor_rows = own_counselor + sql.rows("counselor", *scope, _in("class", others), _not_in("holder", people))
    return mentor_rows, advisor_rows, counselor_rows, colleague_mentors


def _holdings_read_home(sql: _HoldingsSQL, people: set[int], home: set[int], scope: tuple[_Cond, ...] = ()) -> tuple:
    """`_holdings_read` of chosen people who are the staff of the colleges `home` (a college's dashboard): the same
    rows, read in another order. Asked per person, PostgreSQL joins a mentor's 1,600 assignments to their students
    by hashing all 40,000 students, and a counselor's classes' colleague mentors by hashing all 40,000 assignments
    (9–15 ms each here); asked per college it goes down from the college's classes through the indexes. So: every
    holding on the home colleges' classes, whoever holds it (3 queries), and the people's own holdings anywhere,
    without their classes (3 more, index lookups); an own holding not among the first is elsewhere, and only then
    read again with its class (a query per kind that has one). Colleagues on home classes are in the first rows;
    on classes elsewhere they are read as `_holdings_read` reads them (a query per kind that has such classes)."""
    kinds = ("mentor", "advisor", "counselor")
    home_rows = [sql.rows(kind, *scope, _in("college", home)) for kind in kinds]
    own_rows = [sql.rows(kind, *scope, _in("holder", people), full=False) for kind in kinds]
    own = []
    for kind, at_home, mine in zip(kinds, home_rows, own_rows, strict=True):
        rows = [row for row in at_home if row[0] in people]
        known = {row[:4] for row in rows}
        elsewhere = {row[1] for row in mine if row not in known}
        if elsewhere:  # a unit elsewhere has all its holdings elsewhere: these are the people's own rows there
            rows += sql.rows(kind, *scope, _in("holder", people), _in("unit", elsewhere))
        own.append(rows)
    own_mentor, own_advisor, own_counselor = own
    home_mentor, home_advisor, home_counselor = home_rows
    counseled = {row[1]: row[5] in home for row in own_counselor}  # class → on a home class
    others = {row[4]: row[5] in home for row in own_mentor if row[4] is not None}
    others.update({row[1]: row[5] in home for row in own_advisor})
    colleague_mentors: set[tuple[int, int, int | None]] = set()
    mentor_rows, advisor_rows, counselor_rows = own_mentor, own_advisor, own_counselor
    if counseled:
        colleague_mentors = {
            (row[0], row[4], row[5]) for row in home_mentor if row[4] in counseled and row[0] not in people
        }
        advisor_rows = own_advisor + [row for row in home_advisor if row[1] in counseled and row[0] not in people]
        away = [c for c, at_home in counseled.items() if not at_home]
        if away:
            colleagues = (*scope, _in("class", away), _not_in("holder", people))
            colleague_mentors |= set(sql.rows("mentor", *colleagues, colleagues=True))
            advisor_rows += sql.rows("advisor", *colleagues)
    if others:
        counselor_rows = own_counselor + [row for row in home_counselor if row[1] in others and row[0] not in people]
        away = [c for c, at_home in others.items() if not at_home]
        if away:
            counselor_rows += sql.rows("counselor", *scope, _in("class", away), _not_in("holder", people))
    return mentor_rows, advisor_rows, counselor_rows, colleague_mentors


# The five counts of `_counts_read`: (part, table, the unit column, the column of the fourth value or None). Each is
# grouped in the order of its covering index (semester, kind, author, unit[, day]) and counts rows, not ids, so
# PostgreSQL aggregates an index-only scan as it reads it, with no hash table and no visit to the table.
_COUNT_PARTS = (
    ("student", Attendance, "student", None),
    ("class", Interaction, "school_class", None),
    ("day", Interaction, "school_class", "day"),
    ("week", Interaction, "week", None),
    ("pair", Interaction, "counterpart", None),
)


_NO_DAY = "CAST(NULL AS date)"  # typed: PostgreSQL gives an untyped NULL of the first branches the type text


def _column(model, name: str) -> str:
    return model._meta.get_field(name).column


def _counts_read(semester_id: int, kinds: dict[str, set[str]], authors: list[int] | None) -> list[tuple]:
    """The semester's counts the lines read, in one query (a UNION ALL of up to five GROUP BYs; none when no part
    has kinds): rows of (part, kind, author, unit, day, count) — per student (R-03, R-04, R-08), per class in the
    semester (R-07, R-09, R-13) and per class and day (the monthly R-06, folded into months by the caller), per
    teaching week (R-14, R-15), and per pair of colleagues (R-05, R-12; no kind, the unit is the counterpart).
    `authors`: the people in view, whose own records are counted, and a colleague's only where it names one of them
    as the counterpart; None for a whole school (every row of the semester). Written as SQL, not as five querysets:
    building and compiling those cost more than running them, and each was a round trip of its own."""
    selects, params = [], []
    for part, model, unit, extra in _COUNT_PARTS:
        wanted = sorted(kinds.get(part) or ())
        if not wanted:
            continue
        if authors is not None and not authors:
            continue
        table = model._meta.db_table
        author, unit_col = _column(model, "author"), _column(model, unit)
        kind_col = _column(model, "kind")
        where = [f"{_column(model, 'semester')} = %s", f"{kind_col} IN ({', '.join(['%s'] * len(wanted))})"]
        part_params: list = [semester_id, *wanted]
        listed = ", ".join(["%s"] * len(authors)) if authors is not None else ""
        if part == "pair":
            where.append(f"{unit_col} IS NOT NULL")
            if authors is not None:
                where.append(f"({author} IN ({listed}) OR {unit_col} IN ({listed}))")
                part_params += [*authors, *authors]
            columns, group = f"NULL, {author}, {unit_col}, {_NO_DAY}", f"{author}, {unit_col}"
        else:
            if authors is not None:
                where.append(f"{author} IN ({listed})")
                part_params += authors
            fourth = _column(model, extra) if extra else _NO_DAY
            columns = f"{kind_col}, {author}, {unit_col}, {fourth}"
            group = f"{kind_col}, {author}, {unit_col}" + (f", {fourth}" if extra else "")
        # The names come from the models, the values go as parameters.
        conditions = " AND ".join(where)
        select = f"SELECT '{part}', {columns}, COUNT(*) FROM {table} WHERE {conditions} GROUP BY {group}"  # noqa: S608
        selects.append(select)
        params += part_params
    if not selects:
        return []
    with connections[Interaction.objects.db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        return cursor.fetchall()


def _rules_and_weeks(semester: Semester) -> tuple[list[QuotaRule], list[TeachingWeek]]:
    """The quota rules of the policy in force on the semester's first day, and its teaching weeks (3 queries)."""
    version = policy_in_force(semester.start_date)
    rules = list(QuotaRule.objects.filter(policy=version).select_related("college")) if version else []
    weeks = [
        w for w in TeachingWeek.objects.filter(semester=semester).order_by("number") if w.kind == WeekKind.TEACHING
    ]
    return rules, weeks


def _holdings_of(semester: Semester, rows: tuple) -> tuple:
    """The mentors', advisors' and counselors' holdings by (holder, unit), the colleague mentors and the flag rows,
    from the rows of `_holdings_read` and `_flag_rows`."""
    start, end = semester.start_date, semester.end_date
    mentor_rows, advisor_rows, counselor_rows, colleague_mentors, flag_rows = rows
    return (
        _holdings(mentor_rows, start, end),
        _holdings(advisor_rows, start, end),
        _holdings(counselor_rows, start, end),
        colleague_mentors,
        flag_rows,
    )


def _flag_types(rules: Iterable[QuotaRule]) -> set[str]:
    return {f for r in rules if r.scope == Scope.PER_FLAGGED_STUDENT for f in r.flag_types}


def _flag_rows(start: date, flag_types: set[str], holdings: tuple, narrow: bool) -> list[tuple]:
    """The flags the per-flagged-student rules (R-04, R-08) look for that are still valid on the semester's first day
    or later, as (student, flag, first day, the student's class): whether one counts is decided by the day of the
    report (`valid_from <= on`), so these rows stay true whatever that day is, and are cached with the holdings
    (a flag is a holding: its service calls `holdings_changed`). One query. `narrow` (a few chosen people): only the
    flags of the students in their mentor rows and of the classes in their advisor rows (theirs, and their
    colleagues' on the classes they counsel), none when there are neither; a college's people hold too many for a
    list of them to cost less than reading the school's flags."""
    if not flag_types:
        return []
    flags = StudentFlag.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start), flag__in=flag_types)
    if narrow:
        mentor_rows, advisor_rows = holdings[0], holdings[1]
        students = sorted({row[1] for row in mentor_rows})
        classes = sorted({row[1] for row in advisor_rows})
        flags = flags.filter(Q(student_id__any_of=students) | Q(student__school_class_id__any_of=classes))
    return _plain_rows(flags.values_list("student_id", "flag", "valid_from", "student__school_class_id"))


def _inputs_of(
    semester: Semester,
    colleges: set[int] | None,
    people: set[int] | None,
    token: str | None,
    home: set[int] | None = None,
) -> tuple:
    """The rules, the teaching weeks, who holds what and the flags (`_rules_and_weeks`, `_holdings_of`); from the
    cache under `token` (a `holdings_version` of the colleges in view) where the caller gave one. The rules and weeks
    are kept apart, under the token's `_rules_part` (what quota rules and the calendar change), so the report after
    an assignment reads only the holdings again. The rows read are what is cached, not the holdings made of them: a
    college's 1,600 rows of plain values pickle in 1.3 ms and load in 0.4, its holdings took 3.0 and 2.4 (and are
    made from the rows in 1.1)."""
    start, end = semester.start_date, semester.end_date

    def read(rules: list[QuotaRule]) -> tuple:
        holdings = _holdings_read(start, end, colleges, people, home)
        return (*holdings, _flag_rows(start, _flag_types(rules), holdings, people is not None and not home))

    if token is None:
        rules_weeks = _rules_and_weeks(semester)
        return (*rules_weeks, *_holdings_of(semester, read(rules_weeks[0])))
    scope = f"{sorted(colleges) if colleges is not None else '*'}:{sorted(people) if people is not None else '*'}"
    rules_key = f"mentoring:engine-rules-weeks:{semester.pk}:{_rules_part(token)}"
    # The rows' shape is in the key's name: rows cached by an earlier release (without the flags) are not read.
    digest = sha256(f"{token}:{scope}".encode()).hexdigest()
    rows_key = f"mentoring:engine-holdings-flags:{semester.pk}:{digest}"
    found = cache.get_many([rules_key, rows_key])
    rules_weeks, rows = found.get(rules_key), found.get(rows_key)
    missing = {}
    if rules_weeks is None:
        rules_weeks = missing[rules_key] = _rules_and_weeks(semester)
    if rows is None:
        rows = missing[rows_key] = read(rules_weeks[0])
    if missing:
        cache.set_many(missing, cache_seconds())
    return (*rules_weeks, *_holdings_of(semester, rows))


def _reads(
    semester: Semester,
    colleges: set[int] | None,
    people: set[int] | None,
    wanted_roles: set[str],
    token: str | None,
    home: set[int] | None,
) -> tuple[tuple, _Rulebook, tuple[bool, bool, bool], list[tuple]]:
    """All a report reads from the database and the cache: its inputs (`_inputs_of`); the rulebook of the roles in
    view; which kinds of lines someone in view can have (for mentors, for classes, for counselors); and the counts
    those lines read (`_counts_read`).
    A count nobody in view can have a line about is not asked for (one mentor's drill-down skips the class, month,
    week and staff counts)."""
    inputs = _inputs_of(semester, colleges, people, token, home)
    rules, _weeks, mentors, advisors, counselors, _colleague_mentors, _flag_rows = inputs
    rulebook = _Rulebook(r for r in rules if r.role in wanted_roles)
    if not rulebook.rules:
        return inputs, rulebook, (False, False, False), []

    def held_by_included(holdings: dict[tuple[int, int], _Holding], role: str) -> bool:
        return role in wanted_roles and (people is None or any(h.holder_id in people for h in holdings.values()))

    for_mentors = bool(mentors) and held_by_included(mentors, StaffRole.MENTOR)
    for_counselors = bool(counselors) and held_by_included(counselors, StaffRole.COUNSELOR)
    for_classes = for_counselors or (bool(advisors) and held_by_included(advisors, StaffRole.ADVISOR))
    # Narrow the counts to the people in view; a whole-school report reads the semester's rows as they are.
    # The people in view write their own counts; a colleague's records count only where they name one of them.
    narrowed = None
    if people is not None:
        narrowed = sorted(people)
    elif colleges is not None:
        narrowed = sorted({h.holder_id for h in (*mentors.values(), *advisors.values(), *counselors.values())})
    class_rules = [r for r in rulebook.rules if r.scope == Scope.PER_CLASS]
    student_kinds = rulebook.kinds(Scope.PER_STUDENT, Scope.PER_FLAGGED_STUDENT)
    wanted = {
        "student": student_kinds if for_mentors or for_classes else set(),
        "class": {k for r in class_rules if r.period == Period.SEMESTER for k in r.kinds} if for_classes else set(),
        "day": {k for r in class_rules if r.period == Period.MONTH for k in r.kinds} if for_classes else set(),
        "week": rulebook.kinds(Scope.PER_STAFF) if for_counselors else set(),
        "pair": rulebook.kinds(Scope.PER_COUNTERPART) if for_mentors or for_counselors else set(),
    }
    return inputs, rulebook, (for_mentors, for_classes, for_counselors), _counts_read(semester.pk, wanted, narrowed)


def _compliance_report(
    *,
    semester: Semester,
    on: date | None,
    college_ids: Iterable[int] | None,
    person_ids: Iterable[int] | None,
    roles: Iterable[str] | None,
    holdings_token: str | None,
    met_students: bool,
    home: set[int] | None = None,
    reads: WholeSchoolReads | None = None,
) -> ComplianceReport:
    start, end = semester.start_date, semester.end_date
    on = on or end + timedelta(days=1)
    colleges = set(college_ids) if college_ids is not None else None
    people = set(person_ids) if person_ids is not None else None
    wanted_roles = set(roles) if roles is not None else set(StaffRole.values)

    # --- the rules, the weeks, who holds what, the flags (3 + 4 to 7 queries, none with a token and a warm cache) and
    # the counts (one query): read here, or started on a thread of their own before (`whole_school_reads_start`)
    if reads is not None:
        inputs, rulebook, counted, counts = reads.result()
    else:
        inputs, rulebook, counted, counts = _reads(semester, colleges, people, wanted_roles, holdings_token, home)
    _rules, weeks, mentors, advisors, counselors, colleague_mentors, flag_rows = inputs
    for_mentors, for_classes, _for_counselors = counted
    total_weeks = len(weeks) or 1
    report = ComplianceReport(semester=semester, on=on, rules=rulebook.rules, lines=[], teaching_weeks=weeks)
    if not rulebook.rules:
        return report

    def included(person_id: int, role: str) -> bool:
        return role in wanted_roles and (people is None or person_id in people)

    # --- flagged students (read with the holdings, `_flag_rows`) --------------------------------------------------
    flag_types = _flag_types(rulebook.rules)
    flags: dict[int, set[str]] = defaultdict(set)
    class_students: dict[int, list[int]] = defaultdict(list)
    if flag_types and (for_mentors or for_classes):
        flag_class: dict[int, int] = {}
        for student_id, flag, valid_from, class_id in flag_rows:
            if flag in flag_types and valid_from <= on:
                flags[student_id].add(flag)
                flag_class[student_id] = class_id
        advised_classes = {h.unit_id for h in advisors.values()}
        for student_id in sorted(flag_class):
            if flag_class[student_id] in advised_classes:
                class_students[flag_class[student_id]].append(student_id)

    # --- counts (`_counts_read`, in `_reads`) ------------------------------------------------------------------
    # Per kind, then (author, student): the mentors' loop below looks a count up by its holding's own key.
    per_student: dict[str, dict[tuple[int, int], int]] = defaultdict(dict)
    per_class: dict[tuple[str, int, int], int] = {}
    per_class_month: dict[tuple[int, int, str, date], int] = defaultdict(int)
    per_week: dict[tuple[str, int, int], int] = {}
    per_pair: dict[tuple[int, int], int] = defaultdict(int)
    for part, kind, author, unit, day, n in counts:
        if part == "student":
            per_student[kind][(author, unit)] = n
        elif part == "class":
            per_class[(kind, author, unit)] = n
        elif part == "day":  # a monthly rule's count: its days folded into their months
            day = day if isinstance(day, date) else date.fromisoformat(day)  # SQLite returns the day as text
            per_class_month[(author, unit, kind, day.replace(day=1))] += n
        elif part == "week":
            per_week[(kind, author, unit)] = n
        else:  # An exchange between two colleagues counts for both, whoever wrote it down.
            per_pair[(author, unit)] += n
            per_pair[(unit, author)] += n

    counselor_ids = {h.holder_id for h in counselors.values() if included(h.holder_id, StaffRole.COUNSELOR)}
    staff_college = (
        dict(Staff.objects.filter(user_id__any_of=counselor_ids).values_list("user_id", "college_id"))
        if counselor_ids
        else {}
    )

    lines: list[Line] = []
    held_memo: dict[tuple, set[int]] = {}

    def prorated(minimum: int, held: set[int]) -> int:
        return max(1, math.ceil(minimum * len(held) / total_weeks))

    # --- units of students (R-03, R-04 for mentors; R-08 for advisors) -----------------------------------------
    # The hot loop of a whole-school report (one line per mentor and student). What depends only on the college and
    # the windows held (the rules that apply, their counts by kind and flags, the pro-rated minimum) is worked out
    # once per such pair as a plan, so a holding costs a count lookup under its own key and a line per rule (or, for
    # a student met when the caller keeps no such lines, a count in `untold`, per rule then per mentor).
    unmet = _status(0, 1, start, end, on)
    no_counts: dict[tuple[int, int], int] = {}
    plans: dict[tuple, list[tuple]] = {}
    untold: dict[int, dict[int, int]] = defaultdict(dict)  # rule → mentor → students met, not kept as lines
    add_line = lines.append
    new_line = tuple.__new__  # Line(...) without the Python frame of a named tuple's __new__: 40,000 lines
    for key, holding in mentors.items() if StaffRole.MENTOR in wanted_roles else ():
        holder_id, unit_id = key
        if people is not None and holder_id not in people:
            continue
        plan_key = (holding.college_id, holding.windows)
        plan = plans.get(plan_key)
        if plan is None:
            held = _weeks_held(holding.windows, weeks, held_memo)
            applicable = rulebook.applicable(StaffRole.MENTOR, Scope.PER_STUDENT, holding.college_id)
            applicable = applicable + rulebook.applicable(
                StaffRole.MENTOR, Scope.PER_FLAGGED_STUDENT, holding.college_id
            )
            plan = plans[plan_key] = (
                [
                    (
                        rule,
                        per_student.get(rule.kinds[0], no_counts) if len(rule.kinds) == 1 else None,
                        [per_student.get(k, no_counts) for k in rule.kinds],
                        _flag_filter(rule),
                        prorated(rule.minimum, held),
                        untold[rule.id],
                    )
                    for rule in applicable
                ]
                if held
                else []
            )
        for rule, counts, counts_by_kind, flag_types, required, untold_of_rule in plan:
            if flag_types is not None:
                student_flags = flags.get(unit_id)
                if student_flags is None or student_flags.isdisjoint(flag_types):
                    continue
            count = counts.get(key, 0) if counts is not None else sum(c.get(key, 0) for c in counts_by_kind)
            if count < required:
                status = unmet
            elif met_students:
                status = MET
            else:
                untold_of_rule[holder_id] = untold_of_rule.get(holder_id, 0) + 1
                continue
            add_line(new_line(Line, (holder_id, rule, unit_id, None, count, required, status)))
    report.met_untold.update(
        {(holder_id, rule_id): n for rule_id, by_mentor in untold.items() for holder_id, n in by_mentor.items()}
    )

    # --- units of classes (R-06, R-07, R-09 advisors; R-13 counselors) and advisors' flagged students (R-08) ----
    # A month's line is due in the months in which a held teaching week starts; the months, their last days and the
    # months of each set of weeks held are worked out once, not per class.
    month_of = {w.number: date(w.monday.year, w.monday.month, 1) for w in weeks}
    months = sorted(set(month_of.values()))
    month_ends = {m: (m + timedelta(days=32)).replace(day=1) - timedelta(days=1) for m in months}
    months_memo: dict[tuple, list[date]] = {}  # by the windows held, as `held_memo`
    for role, holdings in ((StaffRole.ADVISOR, advisors), (StaffRole.COUNSELOR, counselors)):
        for holding in holdings.values():
            holder_id, unit_id = holding.holder_id, holding.unit_id
            if not included(holder_id, role):
                continue
            held = _weeks_held(holding.windows, weeks, held_memo)
            if not held:
                continue
            for rule in rulebook.applicable(role, Scope.PER_CLASS, holding.college_id):
                if rule.period == Period.MONTH:
                    windows = holding.windows
                    held_months = months_memo.get(windows)
                    if held_months is None:
                        in_held = {month_of[number] for number in held}
                        held_months = months_memo[windows] = [m for m in months if m in in_held]
                    for month in held_months:
                        count = sum(per_class_month.get((holder_id, unit_id, k, month), 0) for k in rule.kinds)
                        status = _status(count, rule.minimum, month, month_ends[month], on)
                        add_line(new_line(Line, (holder_id, rule, unit_id, month, count, rule.minimum, status)))
                else:
                    count = sum(per_class.get((k, holder_id, unit_id), 0) for k in rule.kinds)
                    required = prorated(rule.minimum, held)
                    status = _status(count, required, start, end, on)
                    add_line(new_line(Line, (holder_id, rule, unit_id, None, count, required, status)))
            for rule in rulebook.applicable(role, Scope.PER_FLAGGED_STUDENT, holding.college_id):
                for student_id in class_students.get(holding.unit_id, []):
                    if not flags[student_id] & set(rule.flag_types):
                        continue
                    count = sum(per_student[k].get((holding.holder_id, student_id), 0) for k in rule.kinds)
                    required = prorated(rule.minimum, held)
                    status = _status(count, required, start, end, on)
                    add_line(new_line(Line, (holding.holder_id, rule, student_id, None, count, required, status)))

    # --- the staff member themself, per teaching week (R-14, R-15) --------------------------------------------
    week_spans = [(w.number, w.monday, w.monday + timedelta(days=6)) for w in weeks]
    counselor_weeks: dict[int, set[int]] = defaultdict(set)
    for holding in counselors.values():
        counselor_weeks[holding.holder_id] |= _weeks_held(holding.windows, weeks, held_memo)
    for counselor_id, held in counselor_weeks.items():
        if not included(counselor_id, StaffRole.COUNSELOR):
            continue
        for rule in rulebook.applicable(StaffRole.COUNSELOR, Scope.PER_STAFF, staff_college.get(counselor_id)):
            for number, monday, sunday in week_spans:
                if number not in held:
                    continue
                count = sum(per_week.get((k, counselor_id, number), 0) for k in rule.kinds)
                status = _status(count, rule.minimum, monday, sunday, on)
                add_line(new_line(Line, (counselor_id, rule, None, number, count, rule.minimum, status)))

    # --- colleagues (R-05 mentor ↔ counselor; R-12 counselor ↔ mentor and class advisor) ----------------------
    counselors_of_class: dict[int, set[int]] = defaultdict(set)
    for h in counselors.values():
        counselors_of_class[h.unit_id].add(h.holder_id)
    advisors_of_class: dict[int, set[int]] = defaultdict(set)
    for h in advisors.values():
        advisors_of_class[h.unit_id].add(h.holder_id)
    # A mentor holds many students of the same class: pair by (mentor, class, college) once, not per student.
    mentor_classes = set(map(attrgetter("holder_id", "class_id", "college_id"), mentors.values()))
    mentor_classes |= colleague_mentors
    mentors_of_class: dict[int, set[int]] = defaultdict(set)
    for mentor_id, class_id, _college_id in mentor_classes:
        mentors_of_class[class_id].add(mentor_id)
    pairs: dict[tuple[int, str, str], set[tuple[int, int | None]]] = defaultdict(set)
    for mentor_id, class_id, college_id in mentor_classes:
        for counselor_id in counselors_of_class.get(class_id, ()):
            pairs[(mentor_id, StaffRole.MENTOR, StaffRole.COUNSELOR)].add((counselor_id, college_id))
    for h in counselors.values():
        for mentor_id in mentors_of_class.get(h.unit_id, ()):
            pairs[(h.holder_id, StaffRole.COUNSELOR, StaffRole.MENTOR)].add((mentor_id, h.college_id))
        for advisor_id in advisors_of_class.get(h.unit_id, ()):
            pairs[(h.holder_id, StaffRole.COUNSELOR, StaffRole.ADVISOR)].add((advisor_id, h.college_id))
    pair_rules: dict[tuple[str, str, int | None], list[QuotaRule]] = {}  # a handful of (roles, college) keys
    for (person_id, role, counterpart_role), counterparts in pairs.items():
        if not included(person_id, role):
            continue
        seen: set[tuple[int, int]] = set()
        for counterpart_id, college_id in sorted(counterparts, key=_counterpart_order):
            key = (role, counterpart_role, college_id)
            applicable = pair_rules.get(key)
            if applicable is None:
                applicable = pair_rules[key] = [
                    r
                    for r in rulebook.applicable(role, Scope.PER_COUNTERPART, college_id)
                    if r.counterpart_role == counterpart_role
                ]
            for rule in applicable:
                if (rule.id, counterpart_id) in seen:
                    continue
                seen.add((rule.id, counterpart_id))
                count = per_pair.get((person_id, counterpart_id), 0)
                status = _status(count, rule.minimum, start, end, on)
                add_line(new_line(Line, (person_id, rule, counterpart_id, None, count, rule.minimum, status)))

    report.lines = lines
    return report
