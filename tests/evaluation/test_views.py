"""The evaluation pages: who may open them, what they do, and their query counts at two data sizes."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evaluation.models import Candidate, Cycle, PeerVote, Phase, SurveyResponse
from mentoring.models import StaffRole
from tests.evaluation.conftest import advance_to, answer_all, open_cycle

YEAR = 2025
ALL = [
    "mentor",
    "advisor",
    "counselor",
    "student",
    "college_admin",
    "other_admin",
    "school_admin",
    "student_affairs",
    "school_student_affairs",
    "outsider",
]


def url(name, *args):
    return reverse(f"evaluation:{name}", args=args)


@pytest.fixture
def cycle(judged):
    return open_cycle(judged)


# --- who may open what ---------------------------------------------------------------------------------------

PAGES = {
    "overview": ((), ALL),
    "open": ((), ["school_admin"]),
    "survey": ((YEAR,), ["student"]),
    "self_report": ((YEAR,), ["mentor", "advisor", "counselor"]),
    "vote": ((YEAR,), ["mentor", "advisor", "counselor"]),
    "scores": ((YEAR,), ["college_admin", "other_admin", "school_admin", "student_affairs", "school_student_affairs"]),
    "scores_export": (
        (YEAR,),
        ["college_admin", "other_admin", "school_admin", "student_affairs", "school_student_affairs"],
    ),
    "college_review": ((YEAR, "MAT"), ["college_admin", "school_admin"]),
}


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("page", PAGES)
def test_each_page_admits_its_roles_and_refuses_the_others(judged, cycle, as_user, page, persona):
    args, allowed = PAGES[page]

    response = as_user(getattr(judged, persona)).get(url(page, *args))

    if persona in allowed:
        assert response.status_code == 200
    elif page == "college_review" and persona == "other_admin":
        assert response.status_code == 404  # another college's review: as if it did not exist
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("name", ["advance", "back"])
@pytest.mark.parametrize("persona", [p for p in ALL if p != "school_admin"])
def test_phase_moves_are_refused_to_everyone_but_the_school_admin(judged, cycle, as_user, name, persona):
    response = as_user(getattr(judged, persona)).post(url(name, YEAR), {"phase": "preparation", "reason": "x"})

    assert response.status_code == 403
    assert Cycle.objects.get().phase == Phase.PREPARATION


@pytest.mark.parametrize("persona", ALL)
def test_the_overview_links_only_to_pages_its_reader_may_open(judged, cycle, as_user, persona):
    """Every link of "What I can do" opens (the score table once led the people evaluated to a 403)."""
    client = as_user(getattr(judged, persona))
    html = client.get(url("overview")).content.decode()
    part = html[html.index('id="my-part"') :].split("</section>", 1)[0]
    links = re.findall(r'href="([^"]+)"', part)
    for link in links:
        assert client.get(link).status_code == 200, (persona, link)
    assert (url("scores", YEAR) in links) == (persona in PAGES["scores"][1])


def test_a_missing_cycle_is_404(judged, cycle, as_user):
    assert as_user(judged.student).get(url("survey", 2019)).status_code == 404


def test_pages_need_a_login(judged, cycle, client):
    response = client.get(url("overview"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- what they do --------------------------------------------------------------------------------------------


def test_the_school_admin_opens_a_cycle_from_the_form(world, calendar, as_user):
    from mentoring.models import AcademicYear

    form = {
        "academic_year": AcademicYear.objects.get(start_year=2025).pk,
        "survey_until": "2026-09-30",
        "peer_until": "2026-10-15",
        "college_until": "2026-10-31",
        "school_until": "2026-11-15",
        "weight_compliance": 40,
        "weight_satisfaction": 40,
        "weight_peer": 20,
        "pass_threshold": 100,
        "peer_mode": "votes",
        "votes_per_person": 3,
        "recommend_percent": 20,
        "questions": "Q1\nQ2",
    }

    response = as_user(world.school_admin).post(url("open"), form)

    assert response.status_code == 302
    assert Cycle.objects.get().questions == ["Q1", "Q2"]


def test_weights_that_do_not_add_up_are_shown_on_the_form(world, calendar, as_user):
    from mentoring.models import AcademicYear

    form = {
        "academic_year": AcademicYear.objects.get(start_year=2025).pk,
        "survey_until": "2026-09-30",
        "peer_until": "2026-10-15",
        "college_until": "2026-10-31",
        "school_until": "2026-11-15",
        "weight_compliance": 50,
        "weight_satisfaction": 40,
        "weight_peer": 20,
        "pass_threshold": 100,
        "peer_mode": "votes",
        "votes_per_person": 3,
        "recommend_percent": 20,
    }

    response = as_user(world.school_admin).post(url("open"), form, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "add up to 100" in response.content.decode()
    assert not Cycle.objects.exists()


def test_the_school_admin_moves_the_phase_with_the_button(judged, cycle, as_user):
    response = as_user(judged.school_admin).post(url("advance", YEAR), {"phase": "preparation"})

    assert response.status_code == 302
    assert Cycle.objects.get().phase == Phase.SURVEY


def test_a_student_answers_the_survey_from_the_page(judged, cycle, as_user):
    advance_to(judged, cycle, Phase.SURVEY)
    targets = Candidate.objects.filter(cycle=cycle).order_by("pk")
    form = {f"q_{t.pk}_{n}": "5" for t in targets for n in range(4)}
    form[f"comment_{targets[0].pk}"] = "谢谢老师"

    response = as_user(judged.student).post(url("survey", YEAR), form)

    assert response.status_code == 302
    assert SurveyResponse.objects.count() == 3
    again = as_user(judged.student).get(url("survey", YEAR))
    assert 'id="survey-done"' in again.content.decode()


def test_a_survey_with_a_missing_answer_is_refused_on_the_page(judged, cycle, as_user):
    advance_to(judged, cycle, Phase.SURVEY)
    targets = Candidate.objects.filter(cycle=cycle)
    form = {f"q_{t.pk}_{n}": "5" for t in targets for n in range(3)}

    response = as_user(judged.student).post(url("survey", YEAR), form, follow=True)

    assert "from 1 to 5" in response.content.decode() or "1 到 5" in response.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_a_worker_votes_from_the_page(judged, as_user):
    from mentoring.services.assignments import mentor_assign
    from tests.conftest import ASSIGNED_FROM
    from tests.factories import StaffFactory

    colleague = StaffFactory(college=judged.college).user
    mentor_assign(actor=None, student=judged.students[2], mentor=colleague, valid_from=ASSIGNED_FROM)
    fresh = advance_to(judged, open_cycle(judged), Phase.PEER)
    target = Candidate.objects.get(cycle=fresh, person=colleague)

    response = as_user(judged.mentor).post(url("vote", YEAR), {"role": StaffRole.MENTOR, "for": [target.pk]})

    assert response.status_code == 302
    assert list(PeerVote.objects.values_list("candidate_id", "voter_id")) == [(target.pk, judged.mentor.pk)]


def test_the_college_admin_recommends_from_the_review_page(judged, cycle, as_user):
    advance_to(judged, cycle, Phase.COLLEGE)
    target = Candidate.objects.get(cycle=cycle, person=judged.mentor)

    response = as_user(judged.college_admin).post(
        url("college_review", YEAR, "MAT"), {"candidate": target.pk, "action": "recommend"}
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.recommended is True


def test_the_review_page_refuses_a_candidate_of_another_college(judged, cycle, as_user):
    advance_to(judged, cycle, Phase.COLLEGE)
    target = Candidate.objects.get(cycle=cycle, person=judged.mentor)

    response = as_user(judged.other_admin).post(
        url("college_review", YEAR, "MAT"), {"candidate": target.pk, "action": "recommend"}
    )

    assert response.status_code == 404
    target.refresh_from_db()
    assert target.recommended is False


def test_the_score_table_sorts_by_a_column(judged, cycle, as_user):
    response = as_user(judged.school_admin).get(url("scores", YEAR) + "?sort=number")

    numbers = [row.candidate.person.number for row in response.context["rows"]]
    assert numbers == ["T100", "T200", "T300"]


def test_the_export_is_a_workbook_of_the_rows_the_reader_may_see(judged, cycle, as_user):
    response = as_user(judged.other_admin).get(url("scores_export", YEAR))
    empty = load_workbook(BytesIO(response.content)).active
    response = as_user(judged.college_admin).get(url("scores_export", YEAR))
    sheet = load_workbook(BytesIO(response.content)).active

    assert empty.max_row == 1
    assert sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True)) == ["T100", "T200", "T300"]


# --- query counts at two data sizes --------------------------------------------------------------------------


def _more_mentors(judged, n):
    from mentoring.services.assignments import mentor_assign
    from tests.conftest import ASSIGNED_FROM
    from tests.factories import StaffFactory, StudentFactory

    for _ in range(n):
        mentor = StaffFactory(college=judged.college).user
        mentor_assign(
            actor=None, student=StudentFactory(school_class=judged.class_a), mentor=mentor, valid_from=ASSIGNED_FROM
        )


PAGE_QUERIES = [
    ("overview", (), "school_admin", 10),
    ("survey", (YEAR,), "student", 14),
    ("self_report", (YEAR,), "mentor", 8),
    ("vote", (YEAR,), "mentor", 10),
    ("scores", (YEAR,), "college_admin", 11),
    ("college_review", (YEAR, "MAT"), "college_admin", 12),
]


@pytest.mark.parametrize("extra", [0, 4])
@pytest.mark.parametrize(("page", "args", "persona", "queries"), PAGE_QUERIES)
def test_page_query_counts_are_constant(
    judged, as_user, django_assert_num_queries, extra, page, args, persona, queries
):
    _more_mentors(judged, extra)
    cycle = advance_to(judged, open_cycle(judged), Phase.SURVEY)
    for student in judged.mentees[: 1 + extra]:
        answer_all(student.user, cycle, 4, comment="好")
    client = as_user(getattr(judged, persona))
    with django_assert_num_queries(queries):
        client.get(url(page, *args))


def test_with_the_task_queue_down_a_phase_still_moves_and_the_lost_notices_are_logged(
    judged, cycle, as_user, queue_down, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(judged.school_admin).post(url("advance", YEAR), {"phase": "preparation"})

    assert response.status_code == 302
    assert Cycle.objects.get().phase == Phase.SURVEY
    assert queue_down == ["evaluation.phase_opened"]
    assert "task evaluation.phase_opened not sent" in caplog.text
