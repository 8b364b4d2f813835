"""Quota reminders: who is due, from the compliance engine only, and one digest per person per run.

- Every Monday (R-14, R-15): a counselor whose last teaching week is short of dormitory visits or class sit-ins
  gets one message naming what is missing. Holiday and exam weeks carry no quota, so they send nothing.
- At two checkpoints of a semester, mid-semester (the week holding its middle day) and three weeks before the
  end (the week holding the day 21 days before its last day), a mentor whose students are behind on talks (R-03)
  and a class advisor whose classes are behind on class meetings or theme activities (R-07, R-09) get one digest
  naming the students and classes. "Behind" at mid-semester means fewer records than the minimum times the share
  of teaching weeks already over, rounded up; three weeks before the end it means fewer than the minimum.
  Someone who is both mentor and class advisor gets one digest with both parts.
- A person on track gets nothing. Each college with a group robot switched on gets one digest of the run.

Reasons are optional: a person may mute them (accounts.notifications).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import College, SchoolClass, Staff, User
from accounts.notifications.reasons import reason_register
from accounts.notifications.services import Outgoing, college_digest_queue, notifications_queue
from mentoring.models import Semester, StaffRole, TeachingWeek, WeekKind
from mentoring.selectors.calendar import monday_of
from mentoring.selectors.compliance import PENDING, SHORT, Line, compliance_report

WEEKLY = reason_register(
    "quota.weekly",
    gettext_lazy("Monday reminder of last week's dormitory visits and class sit-ins (counselors)"),
    mandatory=False,
)
PACE = reason_register(
    "quota.pace",
    gettext_lazy(
        "Mid-semester and three-weeks-before-the-end digest of students and classes behind (mentors, class advisors)"
    ),
    mandatory=False,
)

COUNSELOR_WEEKLY_REQUIREMENTS = ("R-14", "R-15")
PACE_REQUIREMENTS = {StaffRole.MENTOR: ("R-03",), StaffRole.ADVISOR: ("R-07", "R-09")}
MID, FINAL = "mid", "final"
# A checkpoint's digest still goes out during the seven days after it (a beat that was down catches up).
CHECKPOINT_WINDOW_DAYS = 7


@dataclass
class Digest:
    person_id: int
    gaps: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """Who is due in one run, and the key that makes the run's messages unique."""

    reason: str
    period_key: str
    subject: str
    intro: str
    digests: list[Digest]


def _title(rule) -> str:
    return rule.title_zh if (translation.get_language() or "").startswith("zh") else rule.title_en


def _people(ids) -> dict[int, User]:
    return {u.pk: u for u in User.objects.filter(pk__in=list(ids)).only("pk", "name", "number", "email")}


# --- counselors, every Monday ----------------------------------------------------------------------------------


def counselor_weekly_plan(*, today: date) -> Plan | None:
    """Counselors short of R-14/R-15 in the teaching week before `today`'s week; None if that week has no quota."""
    week = (
        TeachingWeek.objects.select_related("semester__academic_year")
        .filter(monday=monday_of(today) - timedelta(days=7))
        .first()
    )
    if week is None or week.kind != WeekKind.TEACHING:
        return None
    report = compliance_report(semester=week.semester, on=today, roles=[StaffRole.COUNSELOR])
    gaps: dict[int, list[Line]] = defaultdict(list)
    for line in report.lines:
        if (
            line.rule.requirement in COUNSELOR_WEEKLY_REQUIREMENTS
            and line.period == week.number
            and line.status == SHORT
        ):
            gaps[line.person_id].append(line)
    sunday = week.monday + timedelta(days=6)
    digests = [
        Digest(
            person_id,
            [
                f"{_title(line.rule)} ({line.rule.requirement}): {line.count}/{line.required}"
                for line in sorted(lines, key=lambda x: x.rule.requirement)
            ],
        )
        for person_id, lines in sorted(gaps.items())
    ]
    return Plan(
        reason=WEEKLY.code,
        period_key=f"{week.semester.code}-W{week.number:02d}",
        subject=_("Last week's dormitory visits and class sit-ins are short"),
        intro=_("In teaching week %(week)s (%(monday)s – %(sunday)s) you recorded (records / minimum):")
        % {"week": week.number, "monday": week.monday.isoformat(), "sunday": sunday.isoformat()},
        digests=digests,
    )


# --- mentors and class advisors, at two checkpoints ------------------------------------------------------------


def pace_checkpoints(semester: Semester) -> list[tuple[str, date]]:
    """The Mondays of the mid-semester week and of the week three weeks before the end."""
    middle = semester.start_date + (semester.end_date - semester.start_date) / 2
    return [(MID, monday_of(middle)), (FINAL, monday_of(semester.end_date - timedelta(days=21)))]


def _checkpoint_on(today: date) -> tuple[Semester, str, date] | None:
    semester = (
        Semester.objects.select_related("academic_year").filter(start_date__lte=today, end_date__gte=today).first()
    )
    if semester is None:
        return None
    for name, day in reversed(pace_checkpoints(semester)):
        if day <= today < day + timedelta(days=CHECKPOINT_WINDOW_DAYS):
            return semester, name, day
    return None


def pace_plan(*, today: date) -> Plan | None:
    """Mentors and class advisors behind pace at the checkpoint whose week holds `today`; None between them."""
    found = _checkpoint_on(today)
    if found is None:
        return None
    semester, checkpoint, day = found
    report = compliance_report(semester=semester, on=today, roles=list(PACE_REQUIREMENTS))
    weeks = report.teaching_weeks
    share = sum(1 for w in weeks if w.monday + timedelta(days=6) < day) / (len(weeks) or 1)

    def expected(line: Line) -> int:
        return line.required if checkpoint == FINAL else math.ceil(line.required * share)

    behind: dict[int, list[Line]] = defaultdict(list)
    for line in report.lines:
        wanted = PACE_REQUIREMENTS.get(line.rule.role, ())
        if line.rule.requirement in wanted and line.status in (PENDING, SHORT) and line.count < expected(line):
            behind[line.person_id].append(line)
    student_ids = {ln.unit_id for lines in behind.values() for ln in lines if ln.rule.role == StaffRole.MENTOR}
    class_ids = {ln.unit_id for lines in behind.values() for ln in lines if ln.rule.role == StaffRole.ADVISOR}
    names = dict(User.objects.filter(pk__in=student_ids | {0}).values_list("pk", "name"))
    class_names = dict(SchoolClass.objects.filter(pk__in=class_ids | {0}).values_list("pk", "name"))

    digests = []
    for person_id, lines in sorted(behind.items()):
        by_rule: dict[int, list[Line]] = defaultdict(list)
        for line in lines:
            by_rule[line.rule.pk].append(line)
        gaps = []
        for rule_lines in sorted(by_rule.values(), key=lambda ls: (ls[0].rule.role, ls[0].rule.requirement)):
            rule = rule_lines[0].rule
            unit_names = class_names if rule.role == StaffRole.ADVISOR else names
            units = ", ".join(
                f"{unit_names.get(ln.unit_id, '?')} {ln.count}/{ln.required}"
                for ln in sorted(rule_lines, key=lambda ln: (ln.count, unit_names.get(ln.unit_id, "")))
            )
            gaps.append(f"{_title(rule)} ({rule.requirement}): {units}")
        digests.append(Digest(person_id, gaps))
    if checkpoint == MID:
        subject = _("Mid-semester: students and classes behind on their records")
        intro = _("Half of %(semester)s is over. Behind pace so far (records / minimum for the semester):")
    else:
        subject = _("Three weeks left: students and classes still short of the minimum")
        intro = _("%(semester)s ends on %(end)s. Still short (records / minimum):")
    return Plan(
        reason=PACE.code,
        period_key=f"{semester.code}-{checkpoint}",
        subject=subject,
        intro=intro % {"semester": semester, "end": semester.end_date.isoformat()},
        digests=digests,
    )


# --- queueing a plan ----------------------------------------------------------------------------------------------


def _body(intro: str, gaps: list[str]) -> str:
    return "\n".join([intro, *(f"- {gap}" for gap in gaps)])


def plan_queue(plan: Plan) -> list[int]:
    """Queue one message per person of the plan and one digest per college with a group robot; waiting ids."""
    if not plan.digests:
        return []
    people = _people(d.person_id for d in plan.digests)
    link = reverse("my_work")
    ids = notifications_queue(
        reason=plan.reason,
        period_key=plan.period_key,
        messages=[
            Outgoing(recipient=people[d.person_id], subject=plan.subject, body=_body(plan.intro, d.gaps), link=link)
            for d in plan.digests
            if d.person_id in people
        ],
    )
    colleges = dict(Staff.objects.filter(user_id__in=list(people)).values_list("user_id", "college_id"))
    by_college: dict[int, list[Digest]] = defaultdict(list)
    for digest in plan.digests:
        if colleges.get(digest.person_id):
            by_college[colleges[digest.person_id]].append(digest)
    for college in College.objects.filter(Q(pk__in=list(by_college)), channel__enabled=True):
        lines = [
            f"- {people[d.person_id].name}: {'; '.join(d.gaps)}"
            for d in sorted(by_college[college.pk], key=lambda d: people[d.person_id].name)
        ]
        body = "\n".join([_("Reminded today (%(n)s):") % {"n": len(lines)}, *lines])
        ids += college_digest_queue(
            college=college, reason=plan.reason, period_key=plan.period_key, subject=plan.subject, body=body
        )
    return ids


def counselor_weekly_queue(*, today: date) -> list[int]:
    with translation.override(settings.LANGUAGE_CODE):
        plan = counselor_weekly_plan(today=today)
        return plan_queue(plan) if plan else []


def pace_queue(*, today: date) -> list[int]:
    with translation.override(settings.LANGUAGE_CODE):
        plan = pace_plan(today=today)
        return plan_queue(plan) if plan else []
