"""Demo awards: the 2024–2025 academic year evaluated and awarded, so that the honour roll, the stipend sheet and
the publicity page have a past year to show next to the current demo cycle (2025–2026, in its survey phase).

Everything goes through the real services, on the days it would have happened: that year's calendar, holders and
records (`awards.demo_records`); the evaluation (`cycle_open` in September 2025, then every phase to closed) with
survey answers, self reports, colleagues' votes and each college's recommendations; the awards: the caps of the
"several" awards, the year's work allowances, the selection, publicity from Monday 2025-10-20 with one objection
(dismissed), and the final list of 2025-10-27.
Deterministic (seeded) and idempotent: nothing happens when 2024–2025 already has a cycle. Run after `load_demo`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

from django.db import transaction

from accounts.models import College, Role, Student, User
from awards.demo_records import COMPLIANT_MENTORS, PAST_YEAR, Holdings, past_year_load
from awards.models import Award
from awards.services.categories import award_categories_prepare, category_update
from awards.services.proposal import selection_run
from awards.services.publicity import (
    allowance_set,
    awards_finalise,
    awards_publish,
    objection_file,
    objection_resolve,
)
from evaluation.models import Candidate, Cycle, Phase
from evaluation.selectors.scores import recommend_quota, score_rows
from evaluation.selectors.survey import survey_targets
from evaluation.services.cycles import CycleSettings, cycle_advance, cycle_open
from evaluation.services.peer import peer_votes_cast
from evaluation.services.review import candidate_recommend, self_report_save
from evaluation.services.survey import survey_submit
from mentoring.models import AcademicYear, StaffRole

OPENED_ON = date(2025, 9, 15)
PUBLICITY_FROM = date(2025, 10, 20)  # a Monday: five working days, to Friday 2025-10-24
OBJECTION_ON = date(2025, 10, 22)
FINALISED_ON = date(2025, 10, 27)
CAPS = {"mentor_excellent": 8, "counselor_college_special": 1, "counselor_excellent_worker": 2}
ALLOWANCES = {StaffRole.MENTOR: "2000.00", StaffRole.ADVISOR: "3000.00", StaffRole.COUNSELOR: "3000.00"}


def _survey(cycle: Cycle, held: Holdings, rng: random.Random) -> None:
    """Three in four students of the mentors who met their duties answer (about their advisor and counselor too)."""
    students = []
    for mentors in held.mentors.values():
        for mentor in mentors[:COMPLIANT_MENTORS]:
            students += held.students_of[mentor.pk]
    for index, student in enumerate(students):
        if index % 4 == 3:
            continue
        targets = survey_targets(cycle, student)
        if not targets:
            continue
        answers = {t.pk: [rng.choice((3, 4, 4, 5, 5, 5)) for _ in cycle.questions] for t in targets}
        comment = rng.choice(("老师很耐心，答疑及时。", "希望多组织一些小组讨论。", "", "", ""))
        survey_submit(
            actor=student.user, cycle=cycle, answers=answers, comments={targets[0].pk: comment} if comment else {}
        )


def _self_reports(cycle: Cycle) -> None:
    for candidate in Candidate.objects.filter(cycle=cycle, compliance_passed=True).select_related("person"):
        self_report_save(
            actor=candidate.person,
            candidate=candidate,
            text="按要求完成本学年各项育人工作；指导学生参加学科竞赛与创新项目，关注学业困难学生并跟踪帮扶。",
        )


def _votes(cycle: Cycle, rng: random.Random) -> None:
    """Those who met their duties vote for up to three colleagues of their college and role who did too."""
    groups: dict[tuple[int | None, str], list[Candidate]] = defaultdict(list)
    for candidate in (
        Candidate.objects.filter(cycle=cycle, compliance_passed=True).select_related("person").order_by("pk")
    ):
        groups[(candidate.college_id, candidate.role)].append(candidate)
    for (_college, role), group in sorted(groups.items(), key=lambda item: (item[0][0] or 0, item[0][1])):
        for voter in group:
            others = [c.pk for c in group if c.pk != voter.pk]
            if others:
                chosen = rng.sample(others, min(cycle.votes_per_person, len(others)))
                peer_votes_cast(actor=voter.person, cycle=cycle, role=role, candidate_ids=sorted(chosen))


def _recommendations(cycle: Cycle) -> None:
    """Each college admin recommends those who met their duties, best final score first, within the quota."""
    for college in College.objects.order_by("code"):
        admin = User.objects.filter(grants__role=Role.COLLEGE_ADMIN, grants__college=college).order_by("number").first()
        if admin is None:
            continue
        for role in StaffRole.values:
            group = Candidate.objects.filter(cycle=cycle, college=college, role=role).select_related("person")
            quota = recommend_quota(group.count(), cycle.recommend_percent)
            rows = [r for r in score_rows(cycle, group) if r.candidate.compliance_passed and r.final is not None]
            rows.sort(key=lambda r: (-r.final, r.candidate.person.number))
            for row in rows[:quota]:
                candidate_recommend(actor=admin, candidate=row.candidate, recommended=True)


def _awards(cycle: Cycle, admin: User, year: AcademicYear) -> None:
    award_categories_prepare(actor=admin, cycle=cycle)
    # The allowances are fixed once the list is final, so they are set first.
    for role, amount in ALLOWANCES.items():
        allowance_set(actor=admin, academic_year=year, role=role, amount=amount)
    for category in cycle.award_categories.filter(code__in=CAPS).order_by("code"):
        category_update(
            actor=admin,
            category=category,
            cap=CAPS[category.code],
            stipend=category.stipend,
            reason="按学校本年度奖励预算确定名额",
        )
    cycle = cycle_advance(actor=admin, cycle=cycle, expected_phase=Phase.SCHOOL)
    selection_run(actor=admin, cycle=cycle)
    awards_publish(actor=admin, cycle=cycle, today=PUBLICITY_FROM)
    award = Award.objects.filter(cycle=cycle, role=StaffRole.MENTOR).order_by("category__rank", "role_rank").first()
    student = Student.objects.exclude(school_class__major__college_id=award.college_id).order_by("user__number").first()
    if student is not None:
        objection = objection_file(
            actor=student.user,
            award=award,
            reason="想了解该老师的具体育人事迹，是否有工作记录支撑？",
            today=OBJECTION_ON,
        )
        objection_resolve(
            actor=admin,
            objection=objection,
            upheld=False,
            resolution="经核查，该老师两学期履职记录完整、学生满意度较高，异议不成立。",
        )
    awards_finalise(actor=admin, cycle=cycle, today=FINALISED_ON)


@transaction.atomic
def demo_awards_load() -> Cycle | None:
    """Evaluate and award 2024–2025; None when it has a cycle already or the demo university is missing."""
    admin = User.objects.filter(number="admin").first()
    if admin is None or not College.objects.exists():
        return None
    if Cycle.objects.filter(academic_year__start_year=PAST_YEAR).exists():
        return None
    semesters, held = past_year_load()
    year = semesters[0].academic_year

    rng = random.Random(2024)  # noqa: S311 (demo data)
    settings = CycleSettings(
        survey_until=date(2025, 9, 30),
        peer_until=date(2025, 10, 9),
        college_until=date(2025, 10, 14),
        school_until=date(2025, 10, 17),
        recommend_percent=30,
    )
    cycle = cycle_open(actor=admin, academic_year=year, settings=settings, today=OPENED_ON)
    cycle = cycle_advance(actor=admin, cycle=cycle, expected_phase=Phase.PREPARATION)
    _survey(cycle, held, rng)
    _self_reports(cycle)
    cycle = cycle_advance(actor=admin, cycle=cycle, expected_phase=Phase.SURVEY)
    _votes(cycle, rng)
    cycle = cycle_advance(actor=admin, cycle=cycle, expected_phase=Phase.PEER)
    _recommendations(cycle)
    cycle = cycle_advance(actor=admin, cycle=cycle, expected_phase=Phase.COLLEGE)
    _awards(cycle, admin, year)
    return Cycle.objects.get(pk=cycle.pk)
