"""A whole school's reads on a thread of their own (`whole_school_reads_start`): when a school dashboard computes both
its semesters from nothing, the semester's reads run while the semester before is computed. The same reports and
the same pages as reading in line; never inside a transaction, whose writes another connection would not see.

World as in test_dashboards.py: fall 2025 (the semester before) and spring 2026, judged on TODAY.
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from datetime import date

import pytest

from mentoring.models import StaffRole
from mentoring.selectors import compliance, dashboards
from mentoring.selectors.compliance import compliance_inputs_changed, compliance_report, whole_school_reads_start
from mentoring.selectors.dashboards import school_dashboard_page
from tests.mentoring.test_dashboards import TODAY, class_meeting, log_fall_work, talk


def spring_work(world) -> None:
    talk(world.mentor, [world.students[0]], date(2026, 3, 12))
    talk(world.mentor, [world.students[0], world.students[1]], date(2026, 4, 9))
    class_meeting(world.advisor, world.class_a, date(2026, 4, 2))


def test_inside_a_transaction_nothing_is_read_apart(world, calendar):
    """A test's transaction (and a request's, were requests atomic): the reads stay on the caller's connection."""
    fall, _spring = calendar
    assert whole_school_reads_start(semester=fall) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_whole_school_report_from_reads_made_apart_is_the_report_read_in_line(
    postgres, shipped_policy, world, calendar
):
    fall, spring = calendar
    log_fall_work(world)
    spring_work(world)
    for semester in (fall, spring):
        for roles in (None, [StaffRole.MENTOR], [StaffRole.COUNSELOR]):
            reads = whole_school_reads_start(semester=semester, roles=roles)
            assert reads is not None
            apart = compliance_report(semester=semester, on=TODAY, roles=roles, met_students=False, reads=reads)
            in_line = compliance_report(semester=semester, on=TODAY, roles=roles, met_students=False)
            assert apart.lines  # something to compare
            assert (apart.lines, apart.met_untold, apart.rules) == (in_line.lines, in_line.met_untold, in_line.rules)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reads_started_for_another_report_are_refused(postgres, shipped_policy, world, calendar):
    fall, spring = calendar
    with pytest.raises(ValueError, match="another report"):
        compliance_report(semester=spring, reads=whole_school_reads_start(semester=fall))
    with pytest.raises(ValueError, match="another report"):
        compliance_report(semester=fall, roles=[StaffRole.MENTOR], reads=whole_school_reads_start(semester=fall))
    with pytest.raises(ValueError, match="another report"):
        compliance_report(semester=fall, person_ids=[world.mentor.pk], reads=whole_school_reads_start(semester=fall))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_school_page_from_nothing_reads_its_semester_apart_and_shows_what_it_shows_read_in_line(
    postgres, shipped_policy, world, calendar, monkeypatch
):
    """Everything dropped: the semester before (fall) is read and computed by the request, the semester (spring)
    read on the reader thread meanwhile. The page is the page read in line; a warm page or one college's cold piece
    starts nothing."""
    _fall, spring = calendar
    log_fall_work(world)
    spring_work(world)
    read_on: list[tuple[int, str]] = []  # (semester, thread) of each whole-school read
    real_reads = compliance._reads

    def reads(semester, colleges, people, *args):
        if colleges is None and people is None:
            read_on.append((semester.pk, threading.current_thread().name))
        return real_reads(semester, colleges, people, *args)

    monkeypatch.setattr(compliance, "_reads", reads)
    compliance_inputs_changed()
    apart = school_dashboard_page(semester=spring, on=TODAY)
    assert [(pk, name.startswith("engine-reads")) for pk, name in read_on] == [(spring.pk, True), (_fall.pk, False)]

    read_on.clear()
    school_dashboard_page(semester=spring, on=TODAY)  # warm
    compliance.records_changed(semester_ids=[spring.pk], people_ids=[world.mentor.pk])  # one college's record
    school_dashboard_page(semester=spring, on=TODAY)
    assert read_on == []

    monkeypatch.setattr(dashboards, "whole_school_reads_start", lambda **kwargs: None)
    compliance_inputs_changed()
    in_line = school_dashboard_page(semester=spring, on=TODAY)
    assert [(pk, name.startswith("engine-reads")) for pk, name in read_on] == [(_fall.pk, False), (spring.pk, False)]
    assert apart.people_count and apart.laggards
    assert asdict(apart) == asdict(in_line)
