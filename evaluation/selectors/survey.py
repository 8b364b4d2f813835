"""What a student is asked in a cycle's survey, and whether they have answered."""

from __future__ import annotations

from accounts.models import Student
from evaluation.models import Candidate, Cycle, SurveyParticipation
from mentoring.models import StaffRole
from mentoring.selectors.people import carers_of

ROLE_ORDER = [StaffRole.MENTOR, StaffRole.ADVISOR, StaffRole.COUNSELOR]


def survey_last_day(cycle: Cycle):
    return max(s.end_date for s in cycle.academic_year.semesters.all())


def survey_targets(cycle: Cycle, student: Student) -> list[Candidate]:
    """The student's mentor, class advisor and counselor on the judged year's last day, as candidates (5 queries).

    Someone who is not a candidate (they owed nothing that year) is not asked about.
    """
    carers = carers_of(student, on=survey_last_day(cycle))
    wanted = {
        (carers.mentor, StaffRole.MENTOR),
        (carers.advisor, StaffRole.ADVISOR),
        (carers.counselor, StaffRole.COUNSELOR),
    }
    pairs = {(user.pk, role) for user, role in wanted if user is not None}
    if not pairs:
        return []
    found = Candidate.objects.filter(cycle=cycle, person_id__in={pid for pid, _ in pairs}).select_related("person")
    targets = [c for c in found if (c.person_id, c.role) in pairs]
    return sorted(targets, key=lambda c: ROLE_ORDER.index(StaffRole(c.role)))


def survey_answered(cycle: Cycle, student: Student) -> bool:
    return SurveyParticipation.objects.filter(cycle=cycle, student=student).exists()
