"""Award fixtures: the `calendar` year 2025–2026 evaluated, its cycle moved through the real services.

The awards' input is the evaluation's output: candidates with their points. `people` adds candidates with chosen
scores straight to a cycle (what the evaluation would have stored when it closed), so that a ladder of 30 can be
filled by hand without 150 colleagues per college to recommend them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from awards.services.categories import award_categories_prepare, category_update
from evaluation.models import Candidate, Phase
from evaluation.services.cycles import CycleSettings, cycle_advance, cycle_open
from mentoring.models import AcademicYear
from tests.factories import StaffFactory

OPENED_ON = date(2026, 7, 20)
MONDAY = date(2026, 11, 16)  # publicity from Monday runs to Friday 2026-11-20


@pytest.fixture(autouse=True)
def _english():
    """Refusals are asserted in the English source text."""
    with translation.override("en"):
        yield


def open_cycle(world, phase: str):
    year = AcademicYear.objects.get(start_year=2025)
    cycle = cycle_open(
        actor=world.school_admin,
        academic_year=year,
        settings=CycleSettings(
            survey_until=date(2026, 9, 30),
            peer_until=date(2026, 10, 15),
            college_until=date(2026, 10, 31),
            school_until=date(2026, 11, 15),
        ),
        today=OPENED_ON,
    )
    while cycle.phase != phase:
        cycle = cycle_advance(actor=world.school_admin, cycle=cycle, expected_phase=cycle.phase)
    return cycle


def add_people(cycle, role: str, scores, *, college, prefix: str = "P", **flags) -> list[Candidate]:
    """One candidate per score (final = compliance = satisfaction = peer unless given), eligible and recommended."""
    made = []
    for i, score in enumerate(scores):
        value = Decimal(str(score))
        user = StaffFactory(user__number=f"{prefix}{role[:1].upper()}{i:03d}", college=college).user
        values = {
            "compliance_score": value,
            "compliance_passed": True,
            "recommended": True,
            "satisfaction_score": value,
            "peer_score": value,
            "final_score": value,
        }
        values.update(flags)
        made.append(Candidate.objects.create(cycle=cycle, person=user, role=role, college=college, **values))
    return made


SETUP_REASON = "定额"  # the reason of the fixture's cap changes, left out where tests read the change log


def ready(world, cycle):
    """Prepare the cycle's awards and set every "several" cap to 3."""
    award_categories_prepare(actor=world.school_admin, cycle=cycle)
    for category in cycle.award_categories.filter(cap__isnull=True):
        category_update(
            actor=world.school_admin, category=category, cap=3, stipend=category.stipend, reason=SETUP_REASON
        )
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def closed_cycle(world, calendar):
    """A closed cycle (scores stored) with its award categories ready and every "several" cap set to 3."""
    return ready(world, open_cycle(world, Phase.CLOSED))
