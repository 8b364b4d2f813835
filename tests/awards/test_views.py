"""The award pages and API: who may open them, what they show, refusals as messages, query counts, the Excel file."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from awards.models import Award, AwardSlate, AwardState, Objection, SelectionRun
from awards.services.proposal import selection_run
from awards.services.publicity import allowance_set, awards_finalise, awards_publish, objection_file
from mentoring.models import StaffRole
from tests.awards.conftest import MONDAY, add_people
from tests.awards.test_services import NEXT_MONDAY

PERSONAS = [
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
YEAR = 2025
SCHOOL_OFFICES = {"school_admin", "school_student_affairs"}


def url(name: str, *args) -> str:
    return reverse(f"awards:{name}", args=args)


@pytest.fixture
def proposed(world, closed_cycle):
    add_people(closed_cycle, "mentor", [95, 90, 85], college=world.college)
    add_people(closed_cycle, "counselor", [80], college=world.other_college)
    selection_run(actor=world.school_admin, cycle=closed_cycle)
    return closed_cycle


@pytest.fixture
def final(world, proposed):
    awards_publish(actor=world.school_admin, cycle=proposed, today=MONDAY)
    awards_finalise(actor=world.school_admin, cycle=proposed, today=NEXT_MONDAY)
    return proposed


# --- Who may open what --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_committee_and_stipend_pages_are_for_the_school_offices(world, proposed, as_user, persona):
    client = as_user(getattr(world, persona))
    expected = 200 if persona in SCHOOL_OFFICES else 403

    assert client.get(url("committee", YEAR)).status_code == expected
    assert client.get(url("stipends", YEAR)).status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "name, data",
    [
        ("run", {}),
        ("publish", {"days": "5"}),
        ("finalise", {}),
        ("adjust", {"action": "remove", "award": "0", "reason": "x"}),
        ("allowance", {"role": "mentor", "amount": "100"}),
    ],
)
def test_only_the_school_admin_acts_for_the_committee(world, proposed, as_user, persona, name, data):
    response = as_user(getattr(world, persona)).post(url(name, YEAR), data)

    if persona == "school_admin":
        assert response.status_code in (302, 404)
    else:
        assert response.status_code == 403
        assert AwardSlate.objects.get().state == AwardState.PROPOSED


@pytest.mark.parametrize("persona", PERSONAS)
def test_publicity_and_the_honour_roll_are_for_everyone_logged_in(world, final, as_user, persona):
    client = as_user(getattr(world, persona))

    assert client.get(url("publicity", YEAR)).status_code == 200
    honour = client.get(url("honour_roll"))
    assert honour.status_code == 200
    winner = Award.objects.get(person__number="PM000").person
    assert winner.name in honour.content.decode()
    assert client.get(url("index")).status_code == 200


def test_pages_need_a_login(client, world, final):
    for path in (url("index"), url("honour_roll"), url("publicity", YEAR), url("committee", YEAR)):
        assert client.get(path).status_code == 302


def test_a_draft_is_not_public_and_a_missing_year_is_404(world, proposed, as_user):
    assert as_user(world.student).get(url("publicity", YEAR)).status_code == 404
    assert as_user(world.school_admin).get(url("committee", 1999)).status_code == 404
    assert as_user(world.school_admin).get(url("stipends_export", YEAR)).status_code == 404  # not final yet


def test_the_home_page_links_the_honour_roll_for_everyone(world, as_user):
    for persona in PERSONAS:
        page = as_user(getattr(world, persona)).get(reverse("home")).content.decode()
        assert url("honour_roll") in page


# --- What the pages show and do -----------------------------------------------------------------------------------


def test_the_committee_page_shows_each_award_with_why(world, proposed, as_user):
    page = as_user(world.school_admin).get(url("committee", YEAR), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Rank 1 of 3 eligible, recommended Mentor candidates" in page
    assert page.count('class="award-row"') == 4
    assert 'id="run-button"' in page and 'id="publish-button"' in page


def test_school_student_affairs_reads_the_committee_page_without_the_buttons(world, proposed, as_user):
    page = as_user(world.school_student_affairs).get(url("committee", YEAR)).content.decode()

    assert page.count('class="award-row"') == 4
    assert 'id="run-button"' not in page and 'id="publish-button"' not in page


def test_running_the_selection_from_the_page_goes_through_the_task(
    world, proposed, as_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(world.school_admin).post(url("run", YEAR))

    run = SelectionRun.objects.get()
    assert response.url == url("run_status", YEAR, run.pk)
    assert (run.state, run.progress, run.awards) == ("done", 100, 4)
    status = as_user(world.school_admin).get(response.url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    status = status.content.decode()
    assert "4 awards proposed." in status


def test_a_refusal_comes_back_as_a_message_and_writes_nothing(world, proposed, as_user):
    award = Award.objects.get(person__number="PM000")

    response = as_user(world.school_admin).post(
        url("adjust", YEAR),
        {"action": "move", "award": award.pk, "category": "mentor_excellent", "reason": ""},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "Give a reason" in response.content.decode()
    assert Award.objects.get(pk=award.pk).category.code == "mentor_top"


def test_anyone_logged_in_objects_from_the_publicity_page(world, proposed, as_user):
    awards_publish(actor=world.school_admin, cycle=proposed)
    award = Award.objects.get(person__number="PM001")

    response = as_user(world.student).post(
        url("object", YEAR), {"award": award.pk, "reason": "有异议"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert list(Objection.objects.values_list("filed_by__number", "reason")) == [(world.student.number, "有异议")]
    assert "My objections" in response.content.decode()


def test_the_stipend_export_holds_exact_decimal_amounts_equal_to_the_database(world, proposed, as_user):
    # A name a spreadsheet would run as a formula is written as text.
    person = Award.objects.get(person__number="PM002").person
    person.name = "=HYPERLINK(1)"
    person.save(update_fields=["name"])
    allowance_set(
        actor=world.school_admin, academic_year=proposed.academic_year, role=StaffRole.MENTOR, amount="1234.56"
    )
    awards_publish(actor=world.school_admin, cycle=proposed, today=MONDAY)
    awards_finalise(actor=world.school_admin, cycle=proposed, today=NEXT_MONDAY)

    response = as_user(world.school_admin).get(url("stipends_export", YEAR))

    assert response.status_code == 200
    book = zipfile.ZipFile(io.BytesIO(response.content))
    awards_xml = book.read("xl/worksheets/sheet1.xml").decode()
    amounts = [Decimal(v) for v in re.findall(r'<c r="F\d+"[^>]*><v>([^<]+)</v>', awards_xml)]
    assert sum(amounts) == Award.objects.aggregate(total=Sum("category__stipend"))["total"] == Decimal("40000.00")
    assert "<t>'=HYPERLINK(1)</t>" in awards_xml and "<f>" not in awards_xml
    totals_xml = book.read("xl/worksheets/sheet3.xml").decode()
    overall = re.findall(r'<c r="F(\d+)"[^>]*><v>([^<]+)</v>', totals_xml)[-1][1]
    assert Decimal(overall) == Decimal("40000.00") + 3 * Decimal("1234.56")


# --- Query counts at two sizes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, name, queries", [("school_admin", "committee", 12), ("school_admin", "stipends", 11)]
)
@pytest.mark.parametrize("extra", [0, 20])
def test_office_pages_run_a_fixed_number_of_queries(
    world, closed_cycle, as_user, django_assert_num_queries, persona, name, queries, extra
):
    add_people(closed_cycle, "mentor", range(100, 100 - 3 - extra, -1), college=world.college)
    selection_run(actor=world.school_admin, cycle=closed_cycle)
    client = as_user(getattr(world, persona))

    with django_assert_num_queries(queries):
        assert client.get(url(name, YEAR)).status_code == 200


@pytest.mark.parametrize("name, queries", [("publicity", 10), ("honour_roll", 8), ("index", 7)])
@pytest.mark.parametrize("extra", [0, 20])
def test_public_pages_run_a_fixed_number_of_queries(
    world, closed_cycle, as_user, django_assert_num_queries, name, queries, extra
):
    add_people(closed_cycle, "mentor", range(100, 100 - 3 - extra, -1), college=world.college)
    selection_run(actor=world.school_admin, cycle=closed_cycle)
    awards_publish(actor=world.school_admin, cycle=closed_cycle, today=MONDAY)
    if name != "publicity":
        awards_finalise(actor=world.school_admin, cycle=closed_cycle, today=NEXT_MONDAY)
    client = as_user(world.student)
    path = url(name, YEAR) if name == "publicity" else url(name)

    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200


# --- API ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_proposal_api_is_for_the_school_offices(world, proposed, as_user, persona):
    response = as_user(getattr(world, persona)).get("/api/v1/awards/proposal/", {"year": YEAR})

    if persona in SCHOOL_OFFICES:
        assert response.status_code == 200
        first = response.json()["results"][0]
        assert (first["person_number"], first["rank"], first["stipend"]) == ("PC000", 1, "10000.00")
        assert first["why"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_awards_api_shows_drafts_only_to_the_school_offices(world, proposed, as_user, persona):
    response = as_user(getattr(world, persona)).get("/api/v1/awards/", {"year": YEAR})

    assert response.status_code == 200
    assert response.json()["count"] == (4 if persona in SCHOOL_OFFICES else 0)


def test_the_honour_roll_api_lists_final_years(world, final, as_user):
    response = as_user(world.student).get("/api/v1/awards/honour-roll/", {"year": YEAR, "role": "mentor"})

    assert [r["person_number"] for r in response.json()["results"]] == ["PM000", "PM001", "PM002"]
    assert response.json()["results"][0]["stipend"] == "10000.00"


def test_objections_are_filed_through_the_api_and_each_reads_their_own(world, proposed, as_user):
    awards_publish(actor=world.school_admin, cycle=proposed)
    award = Award.objects.get(person__number="PM000")

    filed = as_user(world.mentor).post("/api/v1/awards/objections/", {"award": award.pk, "reason": "异议"})
    empty = as_user(world.mentor).post("/api/v1/awards/objections/", {"award": award.pk, "reason": ""})
    objection_file(actor=world.student, award=award, reason="另一条")

    assert filed.status_code == 201 and filed.json()["state"] == "open"
    assert empty.status_code == 400 and "reason" in empty.json()
    mine = as_user(world.mentor).get("/api/v1/awards/objections/").json()
    assert [o["reason"] for o in mine["results"]] == ["异议"]
    everything = as_user(world.school_student_affairs).get("/api/v1/awards/objections/").json()
    assert [o["reason"] for o in everything["results"]] == ["异议", "另一条"]


def test_objecting_through_the_api_to_a_draft_is_404(world, proposed, as_user):
    award = Award.objects.first()
    response = as_user(world.student).post("/api/v1/awards/objections/", {"award": award.pk, "reason": "x"})
    assert response.status_code == 404
    assert not Objection.objects.exists()


def test_with_the_task_queue_down_the_selection_run_fails_at_once_with_the_reason(
    world, proposed, as_user, queue_down, django_capture_on_commit_callbacks
):
    client = as_user(world.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("run", YEAR), HTTP_ACCEPT_LANGUAGE="en")

    run = SelectionRun.objects.get()
    assert queue_down == ["awards.tasks.selection_task"]
    assert response.url == url("run_status", YEAR, run.pk)
    assert run.state == "failed" and run.finished is not None
    status = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The selection did not run: the background task service is unavailable" in status
    assert Award.objects.filter(source="selection").count() == 4  # the earlier proposal stays as it was
