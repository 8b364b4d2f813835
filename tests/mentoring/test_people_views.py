"""The people pages: who may open them, what each persona sees, and their query counts.

World (tests/conftest.py): college MAT with class A (students 0–2) and class B (student 3), college ECO with one
class and `other_student`. The mentor has students 0 and 1, the advisor class A, the counselor classes A and B.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from mentoring.services.assignments import mentor_assign
from mentoring.views import people
from tests.conftest import ASSIGNED_FROM
from tests.factories import StaffFactory, StudentFactory

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


def _numbers(world, *indexes: int, other: bool = False) -> list[str]:
    numbers = [world.students[i].user.number for i in indexes]
    if other:
        numbers.append(world.other_student.user.number)
    return sorted(numbers)


def visible_students(world, persona: str) -> list[str]:
    """The students each persona may see, by the rules of DESIGN "Nobody sees what they have no relation to"."""
    return {
        "mentor": _numbers(world, 0, 1),
        "advisor": _numbers(world, 0, 1, 2),
        "counselor": _numbers(world, 0, 1, 2, 3),
        "student": _numbers(world, 0),
        "college_admin": _numbers(world, 0, 1, 2, 3),
        "other_admin": _numbers(world, other=True),
        "school_admin": _numbers(world, 0, 1, 2, 3, other=True),
        "student_affairs": _numbers(world, 0, 1, 2, 3),
        "school_student_affairs": _numbers(world, 0, 1, 2, 3, other=True),
        "outsider": [],
    }[persona]


VISIBLE_CLASSES = {
    "mentor": [],
    "advisor": ["MSE2401"],
    "counselor": ["MSE2401", "MSE2402"],
    "student": [],
    "college_admin": ["MSE2401", "MSE2402"],
    "other_admin": ["ACC2401"],
    "school_admin": ["ACC2401", "MSE2401", "MSE2402"],
    "student_affairs": ["MSE2401", "MSE2402"],
    "school_student_affairs": ["ACC2401", "MSE2401", "MSE2402"],
    "outsider": [],
}

MAT_STAFF = ["A100", "T100", "T200", "T300", "T999", "X100"]
ALL_STAFF = ["A100", "A200", "S100", "T100", "T200", "T300", "T999", "X100", "X900"]
VISIBLE_STAFF = {
    "college_admin": MAT_STAFF,
    "other_admin": ["A200"],
    "school_admin": ALL_STAFF,
    "student_affairs": MAT_STAFF,
    "school_student_affairs": ALL_STAFF,
}

STUDENT_LIST_REFUSED = ["student", "outsider"]
CLASS_LIST_REFUSED = ["mentor", "student", "outsider"]
STAFF_LIST_REFUSED = ["mentor", "advisor", "counselor", "student", "outsider"]


def _allowed(refused: list[str]) -> list[str]:
    return [p for p in PERSONAS if p not in refused]


# --- anonymous visitors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/students/", "/students/{student}/", "/classes/", "/classes/MSE2401/", "/staff/"],
    ids=["home", "student_list", "student_detail", "class_list", "class_detail", "staff_list"],
)
def test_page_anonymous_is_sent_to_login(client, world, path):
    path = path.format(student=world.students[0].user.number)
    response = client.get(path)
    assert (response.status_code, response.url) == (302, f"/accounts/login/?next={quote(path)}")


# --- lists: refusals and scoping ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", STUDENT_LIST_REFUSED)
def test_student_list_wrong_role_is_refused(world, as_user, persona):
    assert as_user(getattr(world, persona)).get("/students/").status_code == 403


@pytest.mark.parametrize("persona", _allowed(STUDENT_LIST_REFUSED))
def test_student_list_shows_exactly_the_visible_students(world, as_user, persona):
    response = as_user(getattr(world, persona)).get("/students/")
    assert response.status_code == 200
    assert [s.user.number for s in response.context["page"]] == visible_students(world, persona)


def test_student_list_search_stays_inside_the_scope(world, as_user):
    client = as_user(world.mentor)
    mine = client.get("/students/", {"q": world.students[1].user.name})
    others = client.get("/students/", {"q": world.other_student.user.number})
    assert [s.user.number for s in mine.context["page"]] == [world.students[1].user.number]
    assert list(others.context["page"]) == []


def test_student_list_class_filter_stays_inside_the_scope(world, as_user):
    client = as_user(world.college_admin)
    mine = client.get("/students/", {"class": "MSE2402"})
    others = client.get("/students/", {"class": "ACC2401"})
    assert [s.user.number for s in mine.context["page"]] == [world.students[3].user.number]
    assert list(others.context["page"]) == []


def test_student_list_pages_and_search_keep_the_class_filter(world, as_user, monkeypatch):
    monkeypatch.setattr(people, "PAGE_SIZE", 2)
    response = as_user(world.college_admin).get("/students/", {"class": "MSE2401"})
    html = response.content.decode()
    assert re.findall(r'href="(\?[^"]*)"', html) == ["?q=&amp;class=MSE2401&amp;page=2"]
    assert re.findall(r'<input type="hidden" name="class" value="([^"]*)">', html) == ["MSE2401"]
    second = as_user(world.college_admin).get("/students/", {"class": "MSE2401", "page": 2})
    assert [s.user.number for s in second.context["page"]] == [_numbers(world, 0, 1, 2)[2]]


@pytest.mark.parametrize("persona", CLASS_LIST_REFUSED)
def test_class_list_wrong_role_is_refused(world, as_user, persona):
    assert as_user(getattr(world, persona)).get("/classes/").status_code == 403


@pytest.mark.parametrize("persona", _allowed(CLASS_LIST_REFUSED))
def test_class_list_shows_exactly_the_visible_classes(world, as_user, persona):
    response = as_user(getattr(world, persona)).get("/classes/")
    assert response.status_code == 200
    assert [c.code for c in response.context["page"]] == VISIBLE_CLASSES[persona]


def test_class_list_counts_students_per_class(world, as_user):
    response = as_user(world.school_admin).get("/classes/")
    assert [(c.code, c.student_count) for c in response.context["page"]] == [
        ("ACC2401", 1),
        ("MSE2401", 3),
        ("MSE2402", 1),
    ]


@pytest.mark.parametrize("persona", STAFF_LIST_REFUSED)
def test_staff_list_wrong_role_is_refused(world, as_user, persona):
    assert as_user(getattr(world, persona)).get("/staff/").status_code == 403


@pytest.mark.parametrize("persona", _allowed(STAFF_LIST_REFUSED))
def test_staff_list_shows_exactly_the_visible_staff(world, as_user, persona):
    response = as_user(getattr(world, persona)).get("/staff/")
    assert response.status_code == 200
    assert [s.user.number for s in response.context["page"]] == VISIBLE_STAFF[persona]


# --- objects: 404 for what one may not know exists ------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_student_detail_is_found_only_when_visible(world, as_user, persona):
    client = as_user(getattr(world, persona))
    everyone = _numbers(world, 0, 1, 2, 3, other=True)
    statuses = {number: client.get(f"/students/{number}/").status_code for number in everyone}
    visible = visible_students(world, persona)
    assert statuses == {number: 200 if number in visible else 404 for number in everyone}


def test_student_detail_of_a_missing_student_is_404(world, as_user):
    assert as_user(world.school_admin).get("/students/0000000000/").status_code == 404


def test_student_detail_of_another_mentors_student_is_404(world, as_user):
    other_mentor = StaffFactory(user__number="T101", college=world.college).user
    mentor_assign(actor=None, student=world.students[2], mentor=other_mentor, valid_from=ASSIGNED_FROM)
    assert as_user(world.mentor).get(f"/students/{world.students[2].user.number}/").status_code == 404


def test_student_detail_shows_the_students_carers(world, as_user):
    response = as_user(world.advisor).get(f"/students/{world.students[0].user.number}/")
    carers = response.context["carers"]
    assert (carers.mentor, carers.advisor, carers.counselor) == (world.mentor, world.advisor, world.counselor)


@pytest.mark.parametrize("persona", PERSONAS)
def test_class_detail_is_found_only_when_visible(world, as_user, persona):
    client = as_user(getattr(world, persona))
    codes = ["ACC2401", "MSE2401", "MSE2402"]
    statuses = {code: client.get(f"/classes/{code}/").status_code for code in codes}
    assert statuses == {code: 200 if code in VISIBLE_CLASSES[persona] else 404 for code in codes}


def test_class_detail_lists_the_class_students(world, as_user):
    response = as_user(world.advisor).get("/classes/MSE2401/")
    assert [s.user.number for s in response.context["students"]] == _numbers(world, 0, 1, 2)


# --- home: what each persona sees -----------------------------------------------------------------------------


def test_home_mentor_sees_their_students(world, as_user):
    response = as_user(world.mentor).get("/")
    html = response.content.decode()
    assert [s.user.number for s in response.context["mentor_students"]] == _numbers(world, 0, 1)
    assert (world.students[0].user.name in html, world.students[2].user.name in html) == (True, False)


@pytest.mark.parametrize("who", ["mentor", "advisor", "counselor"])
def test_home_offers_staff_recording_work_and_their_standing_first(world, as_user, who):
    """From the home page a mentor, advisor or counselor is one tap from the record form and from My work; a
    student is offered neither."""
    html = as_user(getattr(world, who)).get("/").content.decode()
    actions = re.search(r'<p class="actions" id="home-actions">(.*?)</p>', html, re.S)
    assert actions is not None
    assert 'href="/work/record/"' in actions.group(1) and 'href="/work/"' in actions.group(1)
    assert 'id="home-actions"' not in as_user(world.students[0].user).get("/").content.decode()


def test_home_advisor_sees_their_class(world, as_user):
    response = as_user(world.advisor).get("/")
    assert [(c.code, c.student_count) for c in response.context["advised_classes"]] == [("MSE2401", 3)]
    assert "mentor_students" not in response.context


def test_home_counselor_sees_their_classes(world, as_user):
    response = as_user(world.counselor).get("/")
    assert [(c.code, c.student_count) for c in response.context["counseled_classes"]] == [
        ("MSE2401", 3),
        ("MSE2402", 1),
    ]


def test_home_student_sees_their_mentor_advisor_and_counselor(world, as_user):
    response = as_user(world.student).get("/")
    carers = response.context["carers"]
    html = response.content.decode()
    assert (carers.mentor, carers.advisor, carers.counselor) == (world.mentor, world.advisor, world.counselor)
    assert [name in html for name in (world.mentor.name, world.advisor.name, world.counselor.name)] == [True] * 3


def test_home_student_without_mentor_sees_only_advisor_and_counselor(world, as_user):
    response = as_user(world.students[3].user).get("/")
    carers = response.context["carers"]
    assert (carers.mentor, carers.advisor, carers.counselor) == (None, None, world.counselor)


def _colleges(response) -> list[tuple[str, int, int]]:
    return [(c.code, c.class_count, c.student_count) for c in response.context["colleges"]]


def test_home_college_admin_sees_only_their_college(world, as_user):
    assert _colleges(as_user(world.college_admin).get("/")) == [("MAT", 2, 4)]


def test_home_other_college_admin_sees_only_eco(world, as_user):
    assert _colleges(as_user(world.other_admin).get("/")) == [("ECO", 1, 1)]


def test_home_school_admin_sees_every_college(world, as_user):
    assert _colleges(as_user(world.school_admin).get("/")) == [("ECO", 1, 1), ("MAT", 2, 4)]


def test_home_student_affairs_lead_sees_their_college(world, as_user):
    assert _colleges(as_user(world.student_affairs).get("/")) == [("MAT", 2, 4)]


def test_home_outsider_holds_no_role(world, as_user):
    response = as_user(world.outsider).get("/")
    context_keys = {"mentor_students", "advised_classes", "counseled_classes", "carers", "colleges"}
    assert (response.status_code, response.context["roles"].names) == (200, [])
    assert context_keys & set(response.context.keys()) == set()


@pytest.mark.parametrize("persona", PERSONAS)
def test_home_every_link_opens_for_that_persona(world, as_user, persona):
    """A page never links to a page its viewer is refused (nav and home sections follow the same rules)."""
    client = as_user(getattr(world, persona))
    html = client.get("/").content.decode()
    links = sorted({href for href in re.findall(r'href="(/[^"]*)"', html) if not href.startswith("/static/")})
    assert {href: client.get(href).status_code for href in links} == dict.fromkeys(links, 200)


# --- query counts at two data sizes ---------------------------------------------------------------------------


def _grow(world, extra: int) -> None:
    """Add `extra` students to class A (all the mentor's) and `extra` staff to college MAT."""
    for _ in range(extra):
        student = StudentFactory(school_class=world.class_a)
        mentor_assign(actor=None, student=student, mentor=world.mentor, valid_from=ASSIGNED_FROM)
        StaffFactory(college=world.college)


# Per request: session, user, roles and grants (one query); the view's own reads; renewing the session for the idle
# timeout (savepoint, update, release: the first request after the login renews it; accounts.middleware). No
# permission tables: the nav's permissions are the rules' (accounts.backends). The home page also reads the current
# evaluation cycle for its to-do card, once: it is kept in the cache after (`cycle_current_kept`).
PAGE_QUERIES = [
    ("mentor", "/", 8),
    ("advisor", "/", 8),
    ("counselor", "/", 8),
    ("student", "/", 12),
    ("college_admin", "/", 8),
    ("school_admin", "/", 8),
    ("mentor", "/students/", 8),
    ("college_admin", "/students/", 8),
    ("school_admin", "/students/", 8),
    ("mentor", "/students/{student}/", 10),
    ("college_admin", "/students/{student}/", 10),
    ("counselor", "/classes/", 8),
    ("college_admin", "/classes/", 8),
    ("advisor", "/classes/MSE2401/", 8),
    ("college_admin", "/classes/MSE2401/", 8),
    ("college_admin", "/staff/", 8),
    ("school_admin", "/staff/", 8),
]


@pytest.mark.parametrize("extra", [0, 10], ids=["small", "large"])
@pytest.mark.parametrize(("persona", "path", "queries"), PAGE_QUERIES)
def test_page_query_count_does_not_grow_with_data(
    world, as_user, django_assert_num_queries, extra, persona, path, queries
):
    _grow(world, extra)
    client = as_user(getattr(world, persona))
    path = path.format(student=world.students[0].user.number)
    with django_assert_num_queries(queries):
        response = client.get(path)
    assert response.status_code == 200
