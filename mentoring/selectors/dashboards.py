"""The compliance dashboards of a college and of the school (R-22, R-28 … R-30), built only from the engine.

Every number here comes from `compliance_report`; this module arranges its lines (shares per rule, who lags,
the counselors' weekly grid, students short of talks, classes short of meetings, the previous semester, colleges
side by side). Definitions the pages and exports state:
- A person belongs to the college of their staff record. The college dashboard shows that college's people
  with their whole standing; the school dashboard groups people the same way, so the numbers agree.
- A person is compliant on a rule when none of its periods or units that have ended is short (a period under
  way is not a failure yet); fully compliant when that holds for every rule of the role(s) in view.
- Colleges are ranked by their share of people fully compliant (R-29); ties by the college code.

Caching: the engine's part of a dashboard (shares, people, grid, lagging lists) is cached in pieces, one per
college (and one for people without a college), for a semester, day, role and language, under that college's
version tokens for the semester (`compliance_inputs_versions`); the semester before's trend numbers likewise. The
school's dashboard is its colleges' pieces put together. A record changes the record tokens of its author's and
counterpart's colleges in its semester only (`records_changed`); an assignment or a flag the holdings tokens of
the colleges of everyone holding something on the class, in the semesters from its first day on
(`holdings_changed`); a semester's calendar that semester's tokens; a quota rule or roster write every token
(`compliance_inputs_changed`). So a new record shows at once, and the cold request after it computes one college
in one semester, from cached holdings: not the semester before, nor the other colleges. A page caches only small
summaries of its pieces (counts and the first rows of each list); the people page and the export the whole pieces
(`DashboardParts`, one college at a time). Names are read fresh on every request; the open findings and the
steering meetings' counts are kept under tokens of their own that their models' signals change (`kept`), so a
finding or a meeting shows at once; R-30 is cached under the flags tokens (flags and the roster change them).
When both semesters of the whole school must be computed (after a write of everything), the semester's reads run
on a thread of their own while the semester before is computed (`whole_school_reads_start`; PostgreSQL, outside a
transaction). Even so that takes the school page half a second at 40,000 students, so the page (and a college's,
when both its semesters are to be computed) may instead show its numbers as last computed, marked as such, while a
worker computes the new ones (`Earlier`; the views' choice: not with eager Celery, where the worker would be the
request itself).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cached_property
from hashlib import sha256
from itertools import islice

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import College, SchoolClass, Staff, Student, User
from mentoring.models import (
    AdvisorAssignment,
    CounselorAssignment,
    FindingState,
    FlagType,
    Kind,
    MentorAssignment,
    Scope,
    Semester,
    StaffRole,
    SteeringMeeting,
    StudentFlag,
    SupervisionFinding,
)
from mentoring.selectors.calendar import semester_current
from mentoring.selectors.compliance import (
    INPUTS_VERSION_KEY,
    MET,
    NO_COLLEGE,
    NOT_DUE,
    PENDING,
    SHORT,
    ComplianceReport,
    Line,
    WholeSchoolReads,
    cache_seconds,
    collector_paused,
    compliance_inputs_versions,
    compliance_report,
    holdings_version,
    kept,
    semesters_newest_first,
    version_tokens,
    whole_school_reads_start,
)

MEETING_KINDS = {Kind.CLASS_MEETING, Kind.THEME_CLASS_MEETING}
ROLES = tuple(StaffRole.values)
NAME_CHUNK = 900  # SQLite's oldest variable limit is 999
PAGE_ROWS = 30  # rows of each list a dashboard page shows; the people page and the export have all of them
# The shape of what is cached of a college (`_Piece`, `_Summary`, `_Trend`), in the cache keys: pieces cached by an
# earlier release (the weekly counts without the weeks under way, say) are not read after a change of shape.
PIECES_SHAPE = 2


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def rule_title(rule) -> str:
    return rule.title_zh if (translation.get_language() or "").startswith("zh") else rule.title_en


@dataclass
class RuleShare:
    """People with a standing on one rule and how many of them are compliant, now and the semester before."""

    key: tuple
    requirement: str
    role: str
    title: str
    title_zh: str = ""
    people: int = 0
    compliant: int = 0
    previous_people: int = 0
    previous_compliant: int = 0

    @property
    def slug(self) -> str:
        return _slug(self.requirement, self.role, self.key[4])

    @property
    def role_label(self) -> str:
        return str(StaffRole(self.role).label)

    @property
    def share(self) -> float | None:
        return share(self.compliant, self.people)

    @property
    def previous_share(self) -> float | None:
        return share(self.previous_compliant, self.previous_people)

    @property
    def not_compliant(self) -> int:
        return self.people - self.compliant


@dataclass
class RoleShare:
    role: str
    people: int = 0
    compliant: int = 0
    previous_people: int = 0
    previous_compliant: int = 0

    @property
    def label(self) -> str:
        return str(StaffRole(self.role).label)

    @property
    def share(self) -> float | None:
        return share(self.compliant, self.people)

    @property
    def previous_share(self) -> float | None:
        return share(self.previous_compliant, self.previous_people)


@dataclass
class Lack:
    slug: str
    title: str
    short: int
    records_needed: int


@dataclass
class PersonRow:
    """One person's standing: the per-person sheet of the export (R-22) and the laggards list."""

    person_id: int
    college_id: int | None
    roles: set[str]
    rules: dict[str, tuple[int, int, int, int]]  # slug → (met, due, short, records needed)
    role_compliant: dict[str, bool]
    compliant: bool
    short: int
    records_needed: int
    lacks: list[Lack] = field(default_factory=list)
    number: str = ""
    name: str = ""


MARKS = {MET: "✓", SHORT: "✗", PENDING: "…"}


@dataclass
class WeekCell:
    week: int
    status: str | None  # None: the counselor held no class that week
    counts: str = ""

    @property
    def css(self) -> str:
        return self.status or "none"

    @property
    def mark(self) -> str:
        return MARKS.get(self.status, "·")


@dataclass
class GridRow:
    person_id: int
    cells: list[WeekCell]
    number: str = ""
    name: str = ""


@dataclass
class UnitLine:
    """A student short of talks, or a class short of meetings: who owes it, the count, the minimum."""

    person_id: int
    unit_id: int
    unit_is_student: bool
    requirement: str
    count: int
    required: int
    status: str
    person_name: str = ""
    person_number: str = ""
    unit_name: str = ""
    unit_code: str = ""


@dataclass
class CollegeRow:
    college: College
    people: int = 0
    compliant: int = 0
    by_role: dict[str, tuple[int, int]] = field(default_factory=dict)
    overdue_findings: int = 0
    rank: int = 0

    @property
    def share(self) -> float | None:
        return share(self.compliant, self.people)

    def role_share(self, role: str) -> float | None:
        people, compliant = self.by_role.get(role, (0, 0))
        return share(compliant, people)

    @property
    def mentor_share(self) -> float | None:
        return self.role_share(StaffRole.MENTOR)

    @property
    def advisor_share(self) -> float | None:
        return self.role_share(StaffRole.ADVISOR)

    @property
    def counselor_share(self) -> float | None:
        return self.role_share(StaffRole.COUNSELOR)


@dataclass
class Indicator:
    """A goal indicator of R-30: a value this year and last, or "no data yet" with what would feed it."""

    title: str
    this_year: float | None = None
    last_year: float | None = None
    detail: str = ""
    source: str = ""

    @property
    def has_data(self) -> bool:
        return self.this_year is not None


@dataclass
class MeetingSemester:
    semester: Semester
    meetings: int
    ended: bool

    @property
    def gap(self) -> bool:
        return self.meetings == 0 and self.ended


@dataclass
class Dashboard:
    semester: Semester
    previous: Semester | None
    on: date
    role: str  # "" for every role
    college: College | None  # None: the whole school
    rules: list[RuleShare]
    roles: list[RoleShare]
    people: list[PersonRow]
    weeks: list[int]
    grid: list[GridRow]
    students_short: list[UnitLine]
    classes_short: list[UnitLine]
    colleges: list[CollegeRow]
    indicators: list[Indicator]
    meetings: list[MeetingSemester]
    overdue: list[SupervisionFinding]

    @cached_property
    def laggards(self) -> list[PersonRow]:
        return sorted((p for p in self.people if p.short or p.records_needed), key=_lag_key)

    @property
    def fully_compliant(self) -> int:
        return sum(1 for p in self.people if p.compliant)

    @property
    def share(self) -> float | None:
        return share(self.fully_compliant, len(self.people))


@dataclass
class DashboardPage:
    """What a dashboard page shows: the same numbers as `Dashboard`, but of each list only its length and its first
    PAGE_ROWS rows (the people page and the export read the whole `Dashboard`)."""

    semester: Semester
    previous: Semester | None
    on: date
    role: str
    college: College | None
    rules: list[RuleShare]
    roles: list[RoleShare]
    people_count: int
    fully_compliant: int
    laggards: list[PersonRow]
    laggard_count: int
    weeks: list[int]
    grid: list[GridRow]
    grid_count: int
    # per teaching week: (counselors meeting the weekly quotas, counselors due, of them with the week under way)
    weekly: list[tuple[int, int, int]]
    students_short: list[UnitLine]
    students_short_count: int
    classes_short: list[UnitLine]
    classes_short_count: int
    colleges: list[CollegeRow]
    indicators: list[Indicator]
    meetings: list[MeetingSemester]
    overdue: list[SupervisionFinding]
    # The numbers as last computed, shown after a change of everything or on a new day while a worker computes them
    # anew (`Earlier`).
    recomputing: Earlier | None = None

    @property
    def share(self) -> float | None:
        return share(self.fully_compliant, self.people_count)


@dataclass(frozen=True)
class Earlier:
    """A dashboard page's numbers as last computed, shown after a change of everything (a quota rule, the roster)
    or, for the school, on a new day while a worker computes them anew (`school_dashboard_page(earlier_ok=True)`,
    `college_dashboard_page`): when they were computed, and a name of the change (the cache keys the new numbers will
    be kept under), so one recompute is sent per change."""

    computed_at: datetime
    change: str


def _lag_key(person: PersonRow) -> tuple:
    return (-person.short, -person.records_needed, person.person_id)


# --- arranging the engine's lines -------------------------------------------------------------------------------


def _slug(requirement: str, role: str, counterpart_role: str) -> str:
    return f"{requirement}:{role}" + (f":{counterpart_role}" if counterpart_role else "")


def _rule_slug(rule) -> str:
    """A rule's name across colleges (a college rule replaces the school rule of the same slug)."""
    return _slug(rule.requirement, rule.role, rule.counterpart_role)


def _rule_entries(rules: list) -> dict[str, RuleShare]:
    """Every rule's share in the semester, zero people included (the semester before may have some), by slug: the
    school's rules first, then a college-only rule with no school rule of its key."""
    shares: dict[str, RuleShare] = {}
    order = sorted(rules, key=lambda r: (ROLES.index(r.role), r.requirement, r.college_id or 0))
    for rule in order:
        slug = _rule_slug(rule)
        if slug not in shares and rule.college_id is None:
            shares[slug] = RuleShare(rule.key, rule.requirement, rule.role, rule_title(rule), rule.title_zh)
    for rule in order:
        shares.setdefault(
            _rule_slug(rule), RuleShare(rule.key, rule.requirement, rule.role, rule_title(rule), rule.title_zh)
        )
    return shares


def _rule_kinds(rule) -> tuple[str, str, bool, bool | None]:
    """What arranging a standing needs of its rule: its slug, its title, whether it is weekly (the grid), and
    whether its short units are students (True: R-03), classes (False: the class meetings) or neither (None)."""
    if rule.role == StaffRole.MENTOR and rule.scope == Scope.PER_STUDENT:
        units = True
    elif rule.scope == Scope.PER_CLASS and MEETING_KINDS & set(rule.kinds):
        units = False
    else:
        units = None
    return _rule_slug(rule), rule_title(rule), rule.scope == Scope.PER_STAFF, units


def _grid(weeks: list[int], weekly: dict[int, list]) -> list[GridRow]:
    """The counselors' weeks: per person (by id) and teaching week, the status of the weekly rules' lines."""
    rows = []
    for person_id in sorted(weekly):
        cells: dict[int, list[Line]] = defaultdict(list)
        for standing in weekly[person_id]:
            for line in standing.lines:
                cells[line.period].append(line)
        row = []
        for week in weeks:
            lines = sorted(cells.get(week, []), key=lambda x: x.rule.requirement)
            if not lines:
                row.append(WeekCell(week, None))
                continue
            statuses = {line.status for line in lines}
            status = next(s for s in (NOT_DUE, SHORT, PENDING, MET) if s in statuses)
            counts = " · ".join(f"{line.rule.requirement} {line.count}/{line.required}" for line in lines)
            row.append(WeekCell(week, status, counts))
        rows.append(GridRow(person_id, row))
    return rows


def _unit_key(u: UnitLine) -> tuple:
    return (u.status != SHORT, u.count - u.required, u.person_id, u.unit_id, u.requirement)


def _names(user_ids: Iterable[int], class_ids: Iterable[int] = ()) -> tuple[dict, dict]:
    """Numbers and names of users, codes and names of classes, by id: one query for both (a UNION ALL) per ≤900 ids,
    none for no ids."""
    wanted = [("u", pk) for pk in sorted(set(user_ids))] + [("c", pk) for pk in sorted(set(class_ids))]
    users: dict[int, tuple[str, str]] = {}
    classes: dict[int, tuple[str, str]] = {}
    into = {"u": users, "c": classes}
    tables = {"u": (User._meta.db_table, "number"), "c": (SchoolClass._meta.db_table, "code")}
    for i in range(0, len(wanted), NAME_CHUNK):
        chunk = wanted[i : i + NAME_CHUNK]
        selects, params = [], []
        for of, (table, label) in tables.items():
            ids = [pk for kind, pk in chunk if kind == of]
            if ids:
                listed = ", ".join(["%s"] * len(ids))
                selects.append(f"SELECT '{of}', id, {label}, name FROM {table} WHERE id IN ({listed})")  # noqa: S608
                params += ids
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            for of, pk, label, name in cursor.fetchall():
                into[of][pk] = (label, name)
    return users, classes


def name_rows(
    *, people: Iterable[PersonRow] = (), grid: Iterable[GridRow] = (), units: Iterable[UnitLine] = ()
) -> None:
    """Fill in numbers and names of the rows about to be shown: one query for a page (one per ≤900 ids)."""
    people, grid, units = list(people), list(grid), list(units)
    user_ids = {p.person_id for p in people} | {g.person_id for g in grid} | {u.person_id for u in units}
    user_ids |= {u.unit_id for u in units if u.unit_is_student}
    class_ids = {u.unit_id for u in units if not u.unit_is_student}
    users, classes = _names(user_ids, class_ids)
    for row in (*people, *grid):
        row.number, row.name = users.get(row.person_id, ("", "?"))
    for unit in units:
        unit.person_number, unit.person_name = users.get(unit.person_id, ("", "?"))
        source = users if unit.unit_is_student else classes
        unit.unit_code, unit.unit_name = source.get(unit.unit_id, ("", "?"))


@dataclass
class LineRow:
    """One line of a person's drill-down, with what it is about in words."""

    line: Line
    unit: str
    period: str


def line_rows(standings: Iterable) -> dict[int, list[LineRow]]:
    """Each standing's lines with the student, colleague or class they are about by number and name, and the period
    as a week or a month (one query for the page, whatever the number of lines). Keyed by the standing's id()."""
    standings = list(standings)
    users, classes = set(), set()
    for standing in standings:
        ids = {line.unit_id for line in standing.lines if line.unit_id is not None}
        (classes if standing.rule.scope == Scope.PER_CLASS else users).update(ids)
    user_names, class_names = _names(users, classes)
    rows: dict[int, list[LineRow]] = {}
    for standing in standings:
        names = class_names if standing.rule.scope == Scope.PER_CLASS else user_names
        rows[id(standing)] = [
            LineRow(
                line,
                " ".join(names.get(line.unit_id, ("", str(line.unit_id)))).strip() if line.unit_id is not None else "—",
                _period(line.period),
            )
            for line in standing.lines
        ]
    return rows


def _period(period) -> str:
    if period is None:
        return "—"
    if isinstance(period, date):
        return period.strftime("%Y-%m")
    return str(_("Week %(n)s") % {"n": period})


# --- R-28 -----------------------------------------------------------------------------------------


def _year_span(start_year: int) -> tuple[date, date]:
    return date(start_year, 8, 1), date(start_year + 1, 7, 31)


def _difficulty_counts(semester: Semester, college_ids: set[int] | None) -> dict[str, int]:
    students = Student.objects.all()
    flags = StudentFlag.objects.filter(flag=FlagType.ACADEMIC_DIFFICULTY)
    if college_ids is not None:
        students = students.filter(school_class__major__college_id__in=college_ids)
        flags = flags.filter(student__school_class__major__college_id__in=college_ids)
    year = semester.academic_year.start_year

    def during(start_year: int) -> Q:
        first, last = _year_span(start_year)
        return Q(valid_from__lte=last) & (Q(valid_until__isnull=True) | Q(valid_until__gte=first))

    counts = flags.aggregate(
        this=Count("student", distinct=True, filter=during(year)),
        last=Count("student", distinct=True, filter=during(year - 1)),
    )
    return {"this": counts["this"], "last": counts["last"], "total": students.count()}


def _indicators(semester: Semester, college_ids: set[int] | None, *, versions: list[int] | None) -> list[Indicator]:
    """R-30 "一降二升三满意": only the share of students in academic difficulty has data in the portal.

    With `versions` (the colleges in view) the counts are cached under those colleges' flags tokens: the roster
    changes every token, and a flag those of the student's class's college and of everyone holding something there;
    a record or an assignment changes none of them.
    """
    if versions is None:
        counts = _difficulty_counts(semester, college_ids)
    else:
        token = holdings_version([*versions, NO_COLLEGE])
        key = (
            f"mentoring:dashboard-r30:{semester.pk}:"
            + sha256(f"{sorted(college_ids or [])}:{token}".encode()).hexdigest()
        )
        counts = cache.get(key)
        if counts is None:
            counts = _difficulty_counts(semester, college_ids)
            cache.set(key, counts, cache_seconds())
    total = counts["total"]
    return [
        Indicator(
            title=_("Students in academic difficulty (fewer)"),
            this_year=share(counts["this"], total),
            last_year=share(counts["last"], total),
            detail=_("%(this)s this academic year, %(last)s last, of %(total)s students today")
            % {"this": counts["this"], "last": counts["last"], "total": total},
            source=_("Academic difficulty flags set on students"),
        ),
        Indicator(
            title=_("Further-study rate and quality (higher)"),
            source=_("Graduates' destinations (深造) — not recorded in the portal yet"),
        ),
        Indicator(
            title=_("Satisfaction of students, parents and society (rising)"),
            source=_("The satisfaction surveys of the annual evaluation — no survey results yet"),
        ),
    ]


# What every dashboard shows beside the engine's numbers, kept (`kept`) under tokens of their own that the models'
# signals change (`mentoring.signals`): the steering meetings' counts per semester, and the open findings with
# their colleges (a college's save changes it too: the findings show its name).
MEETINGS_VERSION_KEY = f"{INPUTS_VERSION_KEY}:steering-meetings"
FINDINGS_VERSION_KEY = f"{INPUTS_VERSION_KEY}:open-findings"


def _meeting_counts() -> dict[int, int]:
    return dict(SteeringMeeting.objects.values_list("semester_id").annotate(n=Count("pk")).order_by())


def semester_meetings(on: date, *, up_to: Semester | None = None, limit: int = 10) -> list[MeetingSemester]:
    """Semesters that have started (up to `up_to`), newest first, with their steering meetings (R-20)."""
    last = up_to.start_date if up_to is not None else on
    counts = kept("mentoring:steering-meeting-counts", MEETINGS_VERSION_KEY, _meeting_counts)
    semesters = [s for s in semesters_newest_first() if s.start_date <= last][:limit]
    return [MeetingSemester(s, counts.get(s.pk, 0), s.end_date < on) for s in semesters]


def _open_findings() -> list[SupervisionFinding]:
    return list(
        SupervisionFinding.objects.filter(state=FindingState.OPEN).select_related("college").order_by("deadline", "pk")
    )


def overdue_findings(college_ids: set[int] | None, on: date) -> list[SupervisionFinding]:
    """The open findings past their deadline on `on` (R-28), of these colleges (None: all), by deadline."""
    return [
        finding
        for finding in kept("mentoring:open-findings", FINDINGS_VERSION_KEY, _open_findings)
        if finding.deadline < on and (college_ids is None or finding.college_id in college_ids)
    ]


def semester_before(semester: Semester) -> Semester | None:
    """The semester that started last before this one (the trend's), from the kept semester list."""
    return next((s for s in semesters_newest_first() if s.start_date < semester.start_date), None)


# --- the two dashboards ---------------------------------------------------------------------------------------


@dataclass
class _Piece:
    """The part of a dashboard that comes from one college's people's lines in a semester: what the cache keeps.

    `rules` holds every rule's share (zero people included) and `roles` the (people, compliant) of each role. The
    school's dashboard is its colleges' pieces put together (`_merged`), so a record written by one college's
    people leaves every other college's piece in the cache.
    """

    rules: list[RuleShare]
    roles: dict[str, tuple[int, int]]
    people: list[PersonRow]
    weeks: list[int]
    grid: list[GridRow]
    students_short: list[UnitLine]
    classes_short: list[UnitLine]


@dataclass
class _Summary:
    """What a page shows of a piece: its counts, and the first PAGE_ROWS rows of each list in the page's order.

    Built beside the piece from the same lines and cached beside it; a few dozen objects where the piece has
    thousands, so a school page unpickles and merges 26 of them in a few milliseconds. The first rows of the merged
    lists are the first rows of the pieces' first rows merged (every list is sorted by the same key in each piece).
    """

    rules: list[RuleShare]
    roles: dict[str, tuple[int, int]]
    colleges: dict[int | None, dict[str, tuple[int, int]]]  # college → role ("" for all) → (people, compliant)
    laggards: list[PersonRow]
    laggard_count: int
    weeks: list[int]
    grid: list[GridRow]
    grid_count: int
    weekly: list[tuple[int, int, int]]
    students_short: list[UnitLine]
    students_short_count: int
    classes_short: list[UnitLine]
    classes_short_count: int


@dataclass
class _Trend:
    """The semester before, boiled down to what the trend needs: (people, compliant) per rule slug and per role."""

    rules: dict[str, tuple[int, int]]
    roles: dict[str, tuple[int, int]]


def _college_of(college_ids: list[int] | None) -> dict[int, int | None]:
    """Staff member → college, of these colleges' staff or of everyone's (one query)."""
    staff = Staff.objects.all() if college_ids is None else Staff.objects.filter(college_id__in=college_ids)
    return dict(staff.values_list("user_id", "college_id"))


def _people_without_college(semester: Semester) -> list[int]:
    """Who holds something in the semester without a staff record of a college (four queries)."""
    start, end = semester.start_date, semester.end_date
    holders = set(MentorAssignment.objects.overlapping(start, end).values_list("mentor_id", flat=True).distinct())
    holders |= set(AdvisorAssignment.objects.overlapping(start, end).values_list("advisor_id", flat=True).distinct())
    holders |= set(
        CounselorAssignment.objects.overlapping(start, end).values_list("counselor_id", flat=True).distinct()
    )
    with_college = set(Staff.objects.filter(college__isnull=False).values_list("user_id", flat=True))
    return sorted(holders - with_college)


def _piece(report: ComplianceReport, by_person: dict, college_of: dict) -> _Piece:
    """One college's piece, in one pass over its people's standings: each person's row (what they lack), the rule
    shares and role counts, the students and classes short, and the counselors' standings for the weekly grid."""
    shares = _rule_entries(report.rules)
    kinds: dict[int, tuple[str, str, bool, bool | None]] = {}  # rule id → `_rule_kinds`, once per rule
    people, students, classes = [], [], []
    weekly: dict[int, list] = {}
    roles_counted: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    lagging = (SHORT, PENDING)
    for person_id, standings in by_person.items():
        lacks, rules, roles = [], {}, {}
        short = needed = 0
        for standing in standings:
            rule = standing.rule
            known = kinds.get(rule.id)
            if known is None:
                known = kinds[rule.id] = _rule_kinds(rule)
            slug, title, is_weekly, units = known
            _total, met, n_short, n_pending, n_needed = tally = standing.tally
            compliant = n_short == 0
            entry = shares.get(slug)
            if entry is not None:
                entry.people += 1
                entry.compliant += compliant
            roles[rule.role] = roles.get(rule.role, True) and compliant
            rules[slug] = (met, tally[0], n_short, n_needed)
            short += n_short
            needed += n_needed
            if n_short or n_needed:
                lacks.append(Lack(slug, title, n_short, n_needed))
            if is_weekly:
                weekly.setdefault(person_id, []).append(standing)
            elif units is not None and (n_short or n_pending):
                requirement = rule.requirement
                (students if units else classes).extend(
                    UnitLine(line.person_id, line.unit_id, units, requirement, line.count, line.required, line.status)
                    for line in standing.lines
                    if line.status in lagging and line.unit_id is not None
                )
        for role, ok in roles.items():
            counted = roles_counted[role]
            counted[0] += 1
            counted[1] += ok
        people.append(
            PersonRow(
                person_id=person_id,
                college_id=college_of.get(person_id),
                roles=set(roles),
                role_compliant=roles,
                rules=rules,
                compliant=short == 0,
                short=short,
                records_needed=needed,
                lacks=sorted(lacks, key=lambda lack: (-lack.short, -lack.records_needed, lack.slug)),
            )
        )
    weeks = [w.number for w in report.teaching_weeks]
    return _Piece(
        rules=list(shares.values()),
        roles={role: (n, ok) for role, (n, ok) in roles_counted.items()},
        people=people,
        weeks=weeks,
        grid=_grid(weeks, weekly),
        students_short=sorted(students, key=_unit_key),
        classes_short=sorted(classes, key=_unit_key),
    )


def _college_counts(people: Iterable[PersonRow]) -> dict[int | None, dict[str, tuple[int, int]]]:
    """Per college: (people, fully compliant) of all roles (key "") and of each role."""
    counts: dict[int | None, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for person in people:
        entry = counts[person.college_id]
        entry[""][0] += 1
        entry[""][1] += person.compliant
        for role, ok in person.role_compliant.items():
            entry[role][0] += 1
            entry[role][1] += ok
    return {college_id: {role: (n, ok) for role, (n, ok) in roles.items()} for college_id, roles in counts.items()}


def _weekly(weeks: list[int], grid: Iterable[GridRow]) -> list[tuple[int, int, int]]:
    """Per teaching week: (counselors meeting the weekly quotas, counselors due that week, of them those whose week
    is under way and not yet met): a week under way has no share yet (the chart leaves a gap, not a fall to 0 %)."""
    met, due, under_way = [0] * len(weeks), [0] * len(weeks), [0] * len(weeks)
    for row in grid:
        for index, cell in enumerate(row.cells):
            if cell.status is not None and cell.status != NOT_DUE:
                due[index] += 1
                met[index] += cell.status == MET
                under_way[index] += cell.status == PENDING
    return list(zip(met, due, under_way, strict=True))


def _summarise(piece: _Piece) -> _Summary:
    lagging = sorted((p for p in piece.people if p.short or p.records_needed), key=_lag_key)
    return _Summary(
        rules=piece.rules,
        roles=piece.roles,
        colleges=_college_counts(piece.people),
        # The page shows what they lack, not their rule-by-rule counts: the rows are slim copies.
        laggards=[replace(p, roles=set(), rules={}, role_compliant={}) for p in lagging[:PAGE_ROWS]],
        laggard_count=len(lagging),
        weeks=piece.weeks,
        grid=piece.grid[:PAGE_ROWS],
        grid_count=len(piece.grid),
        weekly=_weekly(piece.weeks, piece.grid),
        students_short=piece.students_short[:PAGE_ROWS],
        students_short_count=len(piece.students_short),
        classes_short=piece.classes_short[:PAGE_ROWS],
        classes_short_count=len(piece.classes_short),
    )


def _trends(report: ComplianceReport, college_of: dict, college_ids: Iterable[int]) -> dict[int, _Trend]:
    """Each college's trend numbers — (people, compliant) per rule slug, and per role (people holding it, of them
    compliant on all its rules) — from the report's lines and untold units, without making standings: a person's
    standing on a rule is compliant when none of its lines is short (`RuleStanding.compliant`)."""
    verdicts: dict[tuple[int, int], bool] = {}  # (person, rule id) → compliant
    for line in report.lines:
        key = (line.person_id, line.rule.id)
        if line.status == SHORT:
            verdicts[key] = False
        elif key not in verdicts:
            verdicts[key] = True
    for key in report.met_untold:
        verdicts.setdefault(key, True)
    of_rule = {rule.id: (_rule_slug(rule), rule.role) for rule in report.rules}
    wanted = set(college_ids)
    rules: dict[int, dict[str, list[int]]] = {c: defaultdict(lambda: [0, 0]) for c in wanted}
    held: dict[tuple[int, str], bool] = {}  # (person, role) → compliant on all its rules
    colleges: dict[int, int] = {}  # person → college, of the people in the colleges wanted
    for (person_id, rule_id), compliant in verdicts.items():
        college_id = college_of.get(person_id) or NO_COLLEGE
        if college_id not in wanted:
            continue
        slug, role = of_rule[rule_id]
        entry = rules[college_id][slug]
        entry[0] += 1
        entry[1] += compliant
        held[(person_id, role)] = held.get((person_id, role), True) and compliant
        colleges[person_id] = college_id
    roles: dict[int, dict[str, list[int]]] = {c: defaultdict(lambda: [0, 0]) for c in wanted}
    for (person_id, role), compliant in held.items():
        entry = roles[colleges[person_id]][role]
        entry[0] += 1
        entry[1] += compliant
    return {
        c: _Trend({k: (n, ok) for k, (n, ok) in rules[c].items()}, {k: (n, ok) for k, (n, ok) in roles[c].items()})
        for c in wanted
    }


def _made(kind: str, report: ComplianceReport, by_person: dict, college_of: dict) -> dict[str, object]:
    """What is cached of one college's lines: a summary (for a page: the whole piece is built to summarise
    it, but not kept, as pickling a school's pieces would cost the page more than its engine run); or a piece and
    its summary (for the people page and the export, whose page then finds its summary). A trend is made apart
    (`_trends`)."""
    piece = _piece(report, by_person, college_of)
    if kind == "summary":
        return {"summary": _summarise(piece)}
    return {"piece": piece, "summary": _summarise(piece)}


@dataclass
class _Lookup:
    """The cache read of a semester's pieces (`_pieces`): what was found and, when something is missing, whose lines
    one engine run computes — `person_ids` and `home` for some colleges' people, None for the whole school."""

    kind: str
    merge: Callable
    semester: Semester
    on: date
    role: str
    college_ids: list[int]
    college_of: Callable
    key: Callable[[str, int], str]
    keys: dict[int, str]
    whole_key: str | None
    whole: object
    found: dict
    missing: list[int]

    @property
    def result_key(self) -> str:
        """Where the page's result is cached: the merged school's key, or a college's own piece's."""
        return self.whole_key if self.whole_key is not None else self.keys[self.college_ids[0]]

    @property
    def result(self):
        """The page's result if the cache had all of it (read before `_pieces` builds the rest), else None."""
        if self.whole is not None:
            return self.whole
        if self.whole_key is None and not self.missing:
            return self.found[self.result_key]
        return None

    @property
    def whole_school_run(self) -> bool:
        """Whether what is missing is computed by one engine run over the whole school (a change of everything)."""
        missing, college_ids = self.missing, self.college_ids
        if self.whole is not None or not missing or missing == [NO_COLLEGE]:
            return False
        return NO_COLLEGE in missing or 2 * len(missing) > len(college_ids) > 1


def _lookup(
    kind: str,
    merge,
    *,
    semester: Semester,
    on: date,
    role: str,
    college_ids: list[int],
    college_of,
    language: str = "",
) -> _Lookup:
    """The colleges' pieces of `kind` (NO_COLLEGE: people without one) for the semester, as far as the cache has
    them (the merged school in one read, else each college's piece); `_pieces` computes the rest."""
    # A semester's verdicts stop changing once it has ended: the day after its end stands for every later day, so a
    # closed semester's pieces (the trend's, mostly) are found again on the next day instead of being recomputed.
    on = min(on, semester.end_date + timedelta(days=1))
    versions = compliance_inputs_versions(semester, college_ids)

    def key(of: str, college_id: int) -> str:
        return (
            f"mentoring:dashboard-{of}-{PIECES_SHAPE}:{versions[college_id]}:{semester.pk}:{on.isoformat()}:{role}:"
            f"{college_id}:{language}"
        )

    keys = {college_id: key(kind, college_id) for college_id in college_ids}
    whole_key = None
    if len(keys) > 1:
        whole_key = f"mentoring:dashboard-{kind}-merged:" + sha256("\n".join(keys.values()).encode()).hexdigest()
    with collector_paused():  # unpickling a whole school's pieces makes some 20,000 objects, none of them cyclic
        whole = cache.get(whole_key) if whole_key else None
        found = {} if whole is not None else cache.get_many(list(keys.values()))
    missing = [college_id for college_id, key_ in keys.items() if key_ not in found] if whole is None else []
    return _Lookup(
        kind, merge, semester, on, role, college_ids, college_of, key, keys, whole_key, whole, found, missing
    )


def _pieces(lookup: _Lookup, reads: WholeSchoolReads | None = None):
    """The pieces of a `_lookup`, merged: those it found, and the missing ones built from one engine run, whose
    lines are split by college.

    Each piece is cached under its college's version token. The run is of the missing colleges' people when they
    are one college's dashboard or at most half of the school's (a record or an assignment was written there), else
    of the whole school (people without a college can only be found so); either way a constant number of queries.
    `college_of` is called only then. A whole-school run takes the `reads` started for it, if any (`_engine_part`).
    Who holds what is kept in the cache under the holdings tokens of the colleges computed (`compliance_report`),
    so the cold request after a record reads only the counts. A piece and its summary are built and cached
    together for the people page and the export, so their dashboard page finds its summary; a page keeps only the
    summary. The merged school is cached too, under all its pieces' keys, so a warm school page, people page or
    export is one cache read, not 26.
    """
    if lookup.whole is not None:
        return lookup.whole
    semester, on, key, keys, found, missing = (
        lookup.semester,
        lookup.on,
        lookup.key,
        lookup.keys,
        lookup.found,
        lookup.missing,
    )
    with collector_paused():
        if missing:
            person_ids = None
            home = None  # the colleges whose staff are the people computed (`compliance_report`)
            if missing == [NO_COLLEGE]:  # only the people without a college: found as the holders of no college
                staff = {}
                person_ids = _people_without_college(semester)
            elif not lookup.whole_school_run:
                staff = lookup.college_of(missing)
                person_ids = list(staff)
                home = missing
            else:
                staff = lookup.college_of(None)
            report = compliance_report(
                semester=semester,
                on=on,
                person_ids=person_ids,
                roles=[lookup.role] if lookup.role else None,
                # A whole-school run follows a change of everything (or of more than half the school): its holdings
                # would be read again next time anyway, and pickling 40,000 of them costs more than reading them.
                holdings_token=holdings_version(missing, semester) if person_ids is not None else None,
                met_students=False,  # the pieces read the tallies and what is short or pending, not each student met
                home_college_ids=home,
                reads=reads if person_ids is None else None,
            )
            built = {}
            if lookup.kind == "trend":  # the numbers alone, from the lines (no standings made)
                for college_id, trend in _trends(report, staff, missing).items():
                    built[key("trend", college_id)] = trend
            else:
                by_college: dict[int, dict] = {college_id: {} for college_id in missing}
                for person_id, standings in report.standings().items():
                    into = by_college.get(staff.get(person_id) or NO_COLLEGE)
                    if into is not None:
                        into[person_id] = standings
                for college_id, by_person in by_college.items():
                    for of, value in _made(lookup.kind, report, by_person, staff).items():
                        built[key(of, college_id)] = value
                del by_college
            del report
            cache.set_many(built, cache_seconds())
            found.update(built)
            del built
        whole = lookup.merge([found[keys[college_id]] for college_id in lookup.college_ids])
        if lookup.whole_key:
            cache.set(lookup.whole_key, whole, cache_seconds())
        # Freed before the collector resumes: its first pass then walks what is returned, not a whole school's lines.
        del found
        lookup.found = {}
    return whole


def _merged_shares(parts: list) -> tuple[list[RuleShare], dict[str, tuple[int, int]]]:
    """The rule shares and role counts of pieces or summaries side by side (summed)."""
    rules: dict[str, RuleShare] = {}
    roles: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for part in parts:
        for entry in part.rules:
            total = rules.get(entry.slug)
            if total is None:
                rules[entry.slug] = replace(entry)
            else:
                total.people += entry.people
                total.compliant += entry.compliant
        for role, (people, compliant) in part.roles.items():
            roles[role][0] += people
            roles[role][1] += compliant
    return list(rules.values()), {role: (people, compliant) for role, (people, compliant) in roles.items()}


def _merged(pieces: list[_Piece]) -> _Piece:
    """The school's piece: its colleges' pieces side by side (shares summed, lists joined in order)."""
    if len(pieces) == 1:
        return pieces[0]
    rules, roles = _merged_shares(pieces)
    return _Piece(
        rules=rules,
        roles=roles,
        people=[person for piece in pieces for person in piece.people],
        weeks=pieces[0].weeks,
        grid=sorted((row for piece in pieces for row in piece.grid), key=lambda row: row.person_id),
        students_short=list(heapq.merge(*(piece.students_short for piece in pieces), key=_unit_key)),
        classes_short=list(heapq.merge(*(piece.classes_short for piece in pieces), key=_unit_key)),
    )


def _first(lists: Iterable[list], key) -> list:
    return list(islice(heapq.merge(*lists, key=key), PAGE_ROWS))


def _merged_summary(parts: list[_Summary]) -> _Summary:
    """The school's summary: counts summed, the first rows of the colleges' first rows."""
    if len(parts) == 1:
        return parts[0]
    rules, roles = _merged_shares(parts)
    colleges: dict[int | None, dict[str, tuple[int, int]]] = {}
    for part in parts:
        for college_id, counts in part.colleges.items():
            into = colleges.setdefault(college_id, {})
            for role, (people, compliant) in counts.items():
                before = into.get(role, (0, 0))
                into[role] = (before[0] + people, before[1] + compliant)
    weekly = [(0, 0, 0)] * len(parts[0].weeks)
    for part in parts:
        weekly = [
            (met + m, due + d, going + g) for (met, due, going), (m, d, g) in zip(weekly, part.weekly, strict=True)
        ]
    return _Summary(
        rules=rules,
        roles=roles,
        colleges=colleges,
        laggards=_first((part.laggards for part in parts), _lag_key),
        laggard_count=sum(part.laggard_count for part in parts),
        weeks=parts[0].weeks,
        grid=_first((part.grid for part in parts), lambda row: row.person_id),
        grid_count=sum(part.grid_count for part in parts),
        weekly=weekly,
        students_short=_first((part.students_short for part in parts), _unit_key),
        students_short_count=sum(part.students_short_count for part in parts),
        classes_short=_first((part.classes_short for part in parts), _unit_key),
        classes_short_count=sum(part.classes_short_count for part in parts),
    )


def _merged_trend(trends: list[_Trend]) -> _Trend:
    rules: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    roles: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for trend in trends:
        for into, numbers in ((rules, trend.rules), (roles, trend.roles)):
            for key, (people, compliant) in numbers.items():
                into[key][0] += people
                into[key][1] += compliant
    return _Trend({k: (n, ok) for k, (n, ok) in rules.items()}, {k: (n, ok) for k, (n, ok) in roles.items()})


# The token of where the pages' last computed numbers are named (`_shown_key`): not one of the engine's inputs'
# tokens, which a change of everything changes; tests start a new one each, as ids come back after a rollback.
SHOWN_VERSION_KEY = "mentoring:dashboard-shown"


def _shown_key(kind: str, view: _Lookup, language: str) -> str:
    """Where a page's last computed numbers of a kind, semester, role, language and colleges (the school's, or one
    college's) are named (`_earlier`): under a token that a change of everything does not change, and of any day (on
    a new day an open semester's numbers are computed anew: the day before's are shown meanwhile). One cache read."""
    token = version_tokens([SHOWN_VERSION_KEY])[SHOWN_VERSION_KEY]
    colleges = sha256(",".join(map(str, view.college_ids)).encode()).hexdigest()[:16]
    return f"{SHOWN_VERSION_KEY}-{kind}-{PIECES_SHAPE}:{token}:{view.semester.pk}:{view.role}:{language}:{colleges}"


def _earlier(
    shown_key: str, view: _Lookup, before: _Lookup | None
) -> tuple[_Piece | _Summary, _Trend | None, Earlier] | None:
    """A page's numbers as last computed (`_shown_key`), still in the cache under their old keys, with what the
    cache has as of now for either semester; None when they are not all there. Two cache reads."""
    shown = cache.get(shown_key)
    if shown is None:
        return None
    computed_at, view_key, before_key = shown
    if (before_key is None) != (before is None):
        return None
    now_view, now_before = view.result, before.result if before is not None else None
    wanted = [view_key] if now_view is None else []
    if before is not None and now_before is None:
        wanted.append(before_key)
    with collector_paused():
        got = cache.get_many(wanted)
    if len(got) != len(wanted):
        return None
    # What the cache has as of now (one of the two semesters) is taken over what was shown before.
    merged = now_view if now_view is not None else got[view_key]
    trend = None
    if before is not None:
        trend = now_before if now_before is not None else got[before_key]
    change = sha256(f"{view.result_key}\n{before.result_key if before is not None else ''}".encode()).hexdigest()
    return merged, trend, Earlier(computed_at, change)


def _engine_part(
    *,
    semester: Semester,
    previous: Semester | None,
    on: date,
    role: str,
    colleges: list[College],
    school: bool,
    kind: str,
    earlier_ok: bool = False,
) -> tuple[_Piece | _Summary, _Trend | None, Earlier | None]:
    """The engine's part of a dashboard (see the module doc): the semester's pieces (or their summaries) and the
    semester before's trend pieces, each under its college's token. The semester before goes first, so its lines are
    freed before the semester's own report is built (a whole school's two reports are never in memory at once).

    With `earlier_ok`, where the page would cost more than a request should (the whole school, after a change of
    everything or on a new day; both semesters of a college, after a change of everything), its numbers as last
    computed are returned instead if the cache still has them, with when they were (`Earlier`); the caller has them
    computed anew elsewhere. Otherwise the third value is None and the numbers are those of now."""
    college_ids = [c.pk for c in colleges] + ([NO_COLLEGE] if school else [])
    staff: dict[int, int | None] | None = None

    def college_of(wanted: list[int] | None) -> dict[int, int | None]:
        """Staff member → college: of the `wanted` colleges (None: everyone in view); one query, kept for the
        semester before's pieces and the semester's."""
        nonlocal staff
        if staff is not None:
            chosen = None if wanted is None else set(wanted)
            return staff if chosen is None else {pk: c for pk, c in staff.items() if c in chosen}
        found = _college_of(wanted if school else [colleges[0].pk])
        if wanted is None or not school:
            staff = found
        return found

    common = {"on": on, "role": role, "college_ids": college_ids, "college_of": college_of}
    language = translation.get_language() or ""
    merge = _merged if kind == "piece" else _merged_summary
    before = _lookup("trend", _merged_trend, semester=previous, **common) if previous is not None else None
    view = _lookup(kind, merge, semester=semester, language=language, **common)
    # Dear enough to leave to a worker: for the school, a whole-school run of either semester (after a change of
    # everything, or of the semester under way on a new day); for a college, both semesters (after a change of
    # everything: a record, an assignment or a new day changes one).
    if school:
        dear = view.whole_school_run or (before is not None and before.whole_school_run)
    else:
        dear = before is not None and view.result is None and before.result is None
    if earlier_ok and dear:
        earlier = _earlier(_shown_key(kind, view, language), view, before)
        if earlier is not None:
            return earlier
    computed = view.result is None or (before is not None and before.result is None)
    # Both semesters of the whole school to compute (after a change of everything): the semester's reads start on
    # a thread of their own and run while the semester before is computed.
    reads = None
    if before is not None and before.whole_school_run and view.whole_school_run:
        reads = whole_school_reads_start(semester=semester, roles=[role] if role else None)
    # The collector stays paused from one semester to the next: resumed between them, its first pass would walk the
    # semester's holdings, read meanwhile and not yet freed, some 40,000 objects (about 20 ms here).
    with collector_paused():
        trend = _pieces(before) if before is not None else None
        merged = _pieces(view, reads)
        del reads
    if computed:  # what was just computed (and cached) is what an `_earlier` shows next
        shown = (timezone.now(), view.result_key, before.result_key if before is not None else None)
        cache.set(_shown_key(kind, view, language), shown, cache_seconds())
    return merged, trend, None


def _with_trend(view: _Piece | _Summary, trend: _Trend | None) -> tuple[list[RuleShare], list[RoleShare]]:
    """The semester's shares with the semester before's joined in: new objects, the cached ones stay as they are."""
    before_rules = trend.rules if trend is not None else {}
    before_roles = trend.roles if trend is not None else {}
    rules = []
    for entry in view.rules:
        previous_people, previous_compliant = before_rules.get(entry.slug, (0, 0))
        if entry.people or previous_people:
            rules.append(replace(entry, previous_people=previous_people, previous_compliant=previous_compliant))
    roles = []
    for role in ROLES:
        people, compliant = view.roles.get(role, (0, 0))
        previous_people, previous_compliant = before_roles.get(role, (0, 0))
        if people or previous_people:
            roles.append(RoleShare(role, people, compliant, previous_people, previous_compliant))
    return rules, roles


def _common(
    *, semester: Semester, on: date, role: str, college: College | None, kind: str, earlier_ok: bool = False
) -> dict:
    """What both the dashboard and its page read: the colleges in view, the semester before, the engine's part (a
    piece or a summary) with the trend joined in, and the overdue findings."""
    colleges = list(College.objects.order_by("code")) if college is None else [college]
    previous = semester_before(semester)
    view, trend, earlier = _engine_part(
        semester=semester,
        previous=previous,
        on=on,
        role=role,
        colleges=colleges,
        school=college is None,
        kind=kind,
        earlier_ok=earlier_ok,
    )
    rules, roles = _with_trend(view, trend)
    college_ids = None if college is None else {college.pk}
    return {
        "colleges": colleges,
        "previous": previous,
        "view": view,
        "rules": rules,
        "roles": roles,
        "college_ids": college_ids,
        "overdue": overdue_findings(college_ids, on),
        "earlier": earlier,
    }


def _build(*, semester: Semester, on: date, role: str, college: College | None) -> Dashboard:
    common = _common(semester=semester, on=on, role=role, college=college, kind="piece")
    view, overdue, college_ids = common["view"], common["overdue"], common["college_ids"]
    return Dashboard(
        semester=semester,
        previous=common["previous"],
        on=on,
        role=role,
        college=college,
        rules=common["rules"],
        roles=common["roles"],
        people=view.people,
        weeks=view.weeks,
        grid=view.grid,
        students_short=view.students_short,
        classes_short=view.classes_short,
        colleges=_colleges(common["colleges"], _college_counts(view.people), overdue) if college is None else [],
        indicators=_indicators(semester, college_ids, versions=None),
        meetings=semester_meetings(on, up_to=semester, limit=6),
        overdue=overdue,
    )


def _build_page(
    *, semester: Semester, on: date, role: str, college: College | None, earlier_ok: bool = False
) -> DashboardPage:
    common = _common(semester=semester, on=on, role=role, college=college, kind="summary", earlier_ok=earlier_ok)
    view, overdue, college_ids, colleges = common["view"], common["overdue"], common["college_ids"], common["colleges"]
    rules, roles, previous = common["rules"], common["roles"], common["previous"]
    everyone = [counts[""] for counts in view.colleges.values()]
    return DashboardPage(
        semester=semester,
        previous=previous,
        on=on,
        role=role,
        college=college,
        rules=rules,
        roles=roles,
        people_count=sum(n for n, _ok in everyone),
        fully_compliant=sum(ok for _n, ok in everyone),
        laggards=view.laggards,
        laggard_count=view.laggard_count,
        weeks=view.weeks,
        grid=view.grid,
        grid_count=view.grid_count,
        weekly=view.weekly,
        students_short=view.students_short,
        students_short_count=view.students_short_count,
        classes_short=view.classes_short,
        classes_short_count=view.classes_short_count,
        colleges=_colleges(colleges, view.colleges, overdue) if college is None else [],
        indicators=_indicators(semester, college_ids, versions=[c.pk for c in colleges]),
        meetings=semester_meetings(on, up_to=semester, limit=6),
        overdue=overdue,
        recomputing=common["earlier"],
    )


def _colleges(
    colleges: list[College], counts: dict[int | None, dict[str, tuple[int, int]]], overdue: list[SupervisionFinding]
) -> list[CollegeRow]:
    rows = {c.pk: CollegeRow(c) for c in colleges}
    for college_id, row in rows.items():
        by_role = dict(counts.get(college_id, {}))
        row.people, row.compliant = by_role.pop("", (0, 0))
        row.by_role = by_role
    for finding in overdue:
        rows[finding.college_id].overdue_findings += 1
    ranked = sorted(rows.values(), key=lambda r: (r.share is None, -(r.share or 0), r.college.code))
    for rank, row in enumerate(ranked, start=1):
        row.rank = rank
    return ranked


@dataclass
class DashboardPart:
    """One college's share of a dashboard (NO_COLLEGE: the people without one): its piece of the semester and its
    trend numbers of the semester before."""

    college_id: int
    piece: _Piece
    trend: _Trend | None


@dataclass
class _Shares:
    rules: list[RuleShare]
    roles: dict[str, tuple[int, int]]


@dataclass
class DashboardTotals:
    """The dashboard's numbers summed over its parts as they go by: shares, roles, the trend, colleges."""

    rules: list[RuleShare] = field(default_factory=list)
    roles: list[RoleShare] = field(default_factory=list)
    people: int = 0
    fully_compliant: int = 0
    colleges: list[CollegeRow] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        return share(self.fully_compliant, self.people)


class DashboardParts:
    """A dashboard one college at a time, for writing it out (the Excel export) without holding the whole school:
    each part comes from the cache or from one engine run of that college's people (a constant number of queries
    a college), and is dropped by the caller before the next; `totals()` after the last part has the numbers of the
    page (`college_dashboard_page`, `school_dashboard_page`)."""

    def __init__(self, *, semester: Semester, on: date, role: str, college: College | None):
        self.semester, self.on, self.role, self.college = semester, on, role, college
        self.colleges = list(College.objects.order_by("code")) if college is None else [college]
        self.previous = semester_before(semester)
        self._college_ids = [c.pk for c in self.colleges] + ([NO_COLLEGE] if college is None else [])
        self._sums = _Shares(rules=[], roles={})  # the running sums of the parts so far, not the parts
        self._trends: list[_Trend] = []
        self._counts: dict[int | None, dict[str, tuple[int, int]]] = {}

    def __iter__(self) -> Iterator[DashboardPart]:
        language = translation.get_language() or ""
        for college_id in self._college_ids:
            common = {"on": self.on, "role": self.role, "college_ids": [college_id], "college_of": _college_of}
            trend = None
            if self.previous is not None:
                trend = _pieces(_lookup("trend", _merged_trend, semester=self.previous, **common))
                self._trends.append(trend)
            piece = _pieces(_lookup("piece", _merged, semester=self.semester, language=language, **common))
            rules, roles = _merged_shares([self._sums, piece])
            self._sums = _Shares(rules=rules, roles=roles)
            for college, counts in _college_counts(piece.people).items():
                into = self._counts.setdefault(college, {})
                for role, (n, ok) in counts.items():
                    before = into.get(role, (0, 0))
                    into[role] = (before[0] + n, before[1] + ok)
            yield DashboardPart(college_id, piece, trend)

    def totals(self) -> DashboardTotals:
        trend = _merged_trend(self._trends) if self._trends else None
        rules, roles = _with_trend(self._sums, trend)
        college_ids = None if self.college is None else {self.college.pk}
        overdue = overdue_findings(college_ids, self.on)
        everyone = [counts.get("", (0, 0)) for counts in self._counts.values()]
        return DashboardTotals(
            rules=rules,
            roles=roles,
            people=sum(n for n, _ok in everyone),
            fully_compliant=sum(ok for _n, ok in everyone),
            colleges=_colleges(self.colleges, self._counts, overdue) if self.college is None else [],
        )


def college_dashboard(*, semester: Semester, college: College, on: date, role: str = "") -> Dashboard:
    """The dashboard of one college: its people (by staff record) and their standing. The caller checks access."""
    return _build(semester=semester, on=on, role=role, college=college)


def school_dashboard(*, semester: Semester, on: date, role: str = "") -> Dashboard:
    """The whole school: the same numbers, and colleges side by side, ranked (R-29)."""
    return _build(semester=semester, on=on, role=role, college=None)


def college_dashboard_page(
    *, semester: Semester, college: College, on: date, role: str = "", earlier_ok: bool = False
) -> DashboardPage:
    """What the college dashboard page shows (the lists' first rows); the numbers of `college_dashboard`. With
    `earlier_ok`, after a change of everything, the numbers as last computed (as `school_dashboard_page`)."""
    return _build_page(semester=semester, on=on, role=role, college=college, earlier_ok=earlier_ok)


def school_dashboard_page(*, semester: Semester, on: date, role: str = "", earlier_ok: bool = False) -> DashboardPage:
    """What the school dashboard page shows (the lists' first rows); the numbers of `school_dashboard`.

    With `earlier_ok`, after a change of everything or on a new day (when the whole school would be computed in this
    call), the numbers as last computed, if the cache still has them, with `recomputing` set: the caller then has a
    worker compute the page anew (`mentoring.tasks.dashboard_recompute_send`)."""
    return _build_page(semester=semester, on=on, role=role, college=None, earlier_ok=earlier_ok)


def dashboards_warm(*, on: date) -> Semester | None:
    """Compute and cache what the dashboards show first — the school page and with it every college's, every role
    together, for the semester under way on `on` and the trend of the one before — in each of the portal's languages,
    so the first visit of the day finds them: an open semester's numbers are kept under the day (`_pieces`), so the
    day's first page would compute the whole school. Run nightly by beat (`mentoring.dashboards_warm`) and by
    `manage.py dashboards_refresh --warm`. Returns the semester warmed (None without a calendar)."""
    semester = semester_current(on)
    if semester is None:
        return None
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            school_dashboard_page(semester=semester, on=on)
    return semester


def person_standing(*, semester: Semester, person: User, on: date, college_id: int | None) -> ComplianceReport:
    """One person's lines, for the drill-down behind every number. Their holdings come from the cache under the
    holdings token of their college (`college_id`, of their staff record): an assignment or flag on a class they
    hold something on changes it (`holdings_changed`); their counts are read fresh."""
    return compliance_report(
        semester=semester, on=on, person_ids=[person.pk], holdings_token=holdings_version([college_id], semester)
    )
