"""The demo awards: 2024–2025 evaluated and awarded through the real services, once, beside the current demo cycle."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.db.models import Sum

from accounts.models import AuditEntry, User
from awards.models import Adjustment, Award, AwardSlate, AwardState, Objection, ObjectionState, WorkAllowance
from awards.selectors import honour_roll, stipend_sheet
from evaluation.demo import demo_evaluation_load
from evaluation.models import Candidate, Cycle, Phase, SurveyResponse
from mentoring.demo import demo_load
from mentoring.models import AdvisorAssignment, CounselorAssignment, Interaction, MentorAssignment, Semester, StaffRole

TODAY = date(2026, 11, 22)


def _counts() -> dict[str, int]:
    models = [
        Semester,
        MentorAssignment,
        AdvisorAssignment,
        CounselorAssignment,
        Interaction,
        Cycle,
        Candidate,
        SurveyResponse,
        Award,
        Adjustment,
        Objection,
        WorkAllowance,
        AuditEntry,
    ]
    return {model.__name__: model.objects.count() for model in models}


def _current_cycle() -> list[tuple]:
    cycle = Cycle.objects.get(academic_year__start_year=2025)
    rows = Candidate.objects.filter(cycle=cycle).order_by("pk")
    return [cycle.phase, *rows.values_list("person_id", "role", "compliance_score", "recommended")]


def test_the_demo_awards_load_once_beside_the_current_cycle_and_fill_the_honour_roll(db, client):
    demo_load()
    demo_evaluation_load(today=TODAY)
    current = _current_cycle()
    other_records = list(Interaction.objects.exclude(semester__academic_year__start_year=2024).values_list("pk"))

    first, second = StringIO(), StringIO()
    call_command("load_demo_awards", stdout=first)
    counts = _counts()
    call_command("load_demo_awards", stdout=second)

    assert "22 awards on the final list" in first.getvalue()
    assert "already present" in second.getvalue()
    assert _counts() == counts
    cycle = Cycle.objects.get(academic_year__start_year=2024)
    slate = AwardSlate.objects.get(cycle=cycle)
    assert (cycle.phase, slate.state, slate.publicity_from, slate.publicity_until) == (
        Phase.CLOSED,
        AwardState.FINALISED,
        date(2025, 10, 20),
        date(2025, 10, 24),
    )
    # The current demo cycle and the records of other years are as they were.
    assert _current_cycle() == current
    assert list(Interaction.objects.exclude(semester__academic_year__start_year=2024).values_list("pk")) == (
        other_records
    )

    winners = list(honour_roll(year=2024))
    assert {award.role for award in winners} == set(StaffRole.values)
    assert all(award.person_id for award in winners) and len(winners) == counts["Award"]
    assert list(Objection.objects.values_list("state", flat=True)) == [ObjectionState.DISMISSED]
    sheet = stipend_sheet(cycle)
    in_database = Award.objects.filter(cycle=cycle).aggregate(total=Sum("category__stipend"))["total"]
    assert sheet.overall.award_amount == Decimal(in_database).quantize(Decimal("0.01")) > 0
    assert sheet.overall.allowance_amount > 0

    # What a user clicking through the demo sees.
    client.force_login(User.objects.get(number="2023010101"))
    roll = client.get("/awards/honour-roll/?year=2024").content.decode()
    publicity = client.get("/awards/2024/publicity/").content.decode()
    client.force_login(User.objects.get(number="admin"))
    stipends = client.get("/awards/2024/stipends/").content.decode()
    top = winners[0].person.name
    assert (top in roll, top in publicity, top in stipends) == (True, True, True)
