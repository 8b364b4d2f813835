"""The demo evaluation loads on top of the demo university, once."""

from __future__ import annotations

from datetime import date

from evaluation.demo import demo_evaluation_load
from evaluation.models import Candidate, Cycle, Phase, SurveyResponse
from mentoring.demo import demo_load


def test_the_demo_cycle_is_in_the_survey_phase_with_answers_and_loads_once(db):
    demo_load()

    cycle = demo_evaluation_load(today=date(2026, 11, 22))
    again = demo_evaluation_load(today=date(2026, 11, 22))

    assert (cycle.phase, again, Cycle.objects.count()) == (Phase.SURVEY, None, 1)
    assert SurveyResponse.objects.exists()
    scores = set(Candidate.objects.filter(cycle=cycle, role="mentor").values_list("compliance_passed", flat=True))
    assert scores == {True, False}
