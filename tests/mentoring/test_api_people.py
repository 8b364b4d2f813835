"""The people API under /api/v1/: the same scopes and refusals as the pages, and the API docs."""

from __future__ import annotations

import re

import pytest

from mentoring.services.assignments import advisor_assign
from tests.conftest import ASSIGNED_FROM
from tests.mentoring.test_people_views import (
    CLASS_LIST_REFUSED,
    PERSONAS,
    STAFF_LIST_REFUSED,
    STUDENT_LIST_REFUSED,
    VISIBLE_CLASSES,
    VISIBLE_STAFF,
    _allowed,
    _grow,
    _numbers,
    visible_students,
)

VISIBLE_COLLEGES = {
    "college_admin": ["MAT"],
    "other_admin": ["ECO"],
    "school_admin": ["ECO", "MAT"],
    "student_affairs": ["MAT"],
    "school_student_affairs": ["ECO", "MAT"],
}
COLLEGE_LIST_REFUSED = ["mentor", "advisor", "counselor", "student", "outsider"]


def _results(response, key: str) -> list[str]:
    assert response.status_code == 200, response.content
    return [row[key] for row in response.json()["results"]]


# --- anonymous -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/me/",
        "/api/v1/students/",
        "/api/v1/students/{student}/",
        "/api/v1/classes/",
        "/api/v1/classes/MSE2401/",
        "/api/v1/colleges/",
        "/api/v1/colleges/MAT/",
        "/api/v1/staff/",
        "/api/v1/staff/T100/",
        "/api/schema/",
    ],
)
def test_api_anonymous_is_refused(client, world, path):
    assert client.get(path.format(student=world.students[0].user.number)).status_code == 403


def test_api_docs_anonymous_is_sent_to_login(client, db):
    response = client.get("/api/docs/")
    assert (response.status_code, response.url) == (302, "/accounts/login/?next=/api/docs/")


# --- /me/ ------------------------------------------------------------------------------------------------------


ME_ROLES = {
    "mentor": ["mentor"],
    "advisor": ["class_advisor"],
    "counselor": ["counselor"],
    "student": ["student"],
    "college_admin": ["college_admin"],
    "other_admin": ["college_admin"],
    "school_admin": ["school_admin"],
    "student_affairs": ["college_student_affairs"],
    "school_student_affairs": ["school_student_affairs"],
    "outsider": [],
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_me_names_the_roles_held_today(world, as_user, persona):
    user = getattr(world, persona)
    body = as_user(user).get("/api/v1/me/").json()
    assert (body["number"], body["name"], body["roles"]) == (user.number, user.name, ME_ROLES[persona])


def test_api_me_lists_the_colleges_administered(world, as_user):
    assert as_user(world.college_admin).get("/api/v1/me/").json()["admin_colleges"] == ["MAT"]
    assert as_user(world.mentor).get("/api/v1/me/").json()["admin_colleges"] == []


def test_api_me_holds_every_role_of_a_person_with_several(world, as_user):
    advisor_assign(actor=None, school_class=world.class_b, advisor=world.mentor, valid_from=ASSIGNED_FROM)
    assert as_user(world.mentor).get("/api/v1/me/").json()["roles"] == ["mentor", "class_advisor"]


# --- students --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", STUDENT_LIST_REFUSED)
def test_api_students_wrong_role_is_refused(world, as_user, persona):
    assert as_user(getattr(world, persona)).get("/api/v1/students/").status_code == 403


@pytest.mark.parametrize("persona", _allowed(STUDENT_LIST_REFUSED))
def test_api_students_lists_exactly_the_visible_students(world, as_user, persona):
    response = as_user(getattr(world, persona)).get("/api/v1/students/")
    assert _results(response, "number") == visible_students(world, persona)


def test_api_students_class_filter_stays_inside_the_scope(world, as_user):
    client = as_user(world.mentor)
    assert _results(client.get("/api/v1/students/", {"class": "MSE2401"}), "number") == _numbers(world, 0, 1)
    assert _results(client.get("/api/v1/students/", {"class": "ACC2401"}), "number") == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_student_detail_is_found_only_when_visible(world, as_user, persona):
    client = as_user(getattr(world, persona))
    everyone = _numbers(world, 0, 1, 2, 3, other=True)
    statuses = {number: client.get(f"/api/v1/students/{number}/").status_code for number in everyone}
    visible = visible_students(world, persona)
    assert statuses == {number: 200 if number in visible else 404 for number in everyone}


def test_api_student_detail_fields(world, as_user):
    student = world.students[3]
    body = as_user(world.counselor).get(f"/api/v1/students/{student.user.number}/").json()
    assert body == {
        "number": student.user.number,
        "name": student.user.name,
        "school_class": "MSE2402",
        "college": "MAT",
    }


# --- classes ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", CLASS_LIST_REFUSED)
def test_api_classes_wrong_role_is_refused(world, as_user, persona):
    assert as_user(getattr(world, persona)).get("/api/v1/classes/").status_code == 403


@pytest.mark.parametrize("persona", _allowed(CLASS_LIST_REFUSED))
def test_api_classes_lists_exactly_the_visible_classes(world, as_user, persona):
    response = as_user(getattr(world, persona)).get("/api/v1/classes/")
    assert _results(response, "code") == VISIBLE_CLASSES[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_class_detail_is_found_only_when_visible(world, as_user, persona):
    client = as_user(getattr(world, persona))
    codes = ["ACC2401", "MSE2401", "MSE2402"]
    statuses = {code: client.get(f"/api/v1/classes/{code}/").status_code for code in codes}
    assert statuses == {code: 200 if code in VISIBLE_CLASSES[persona] else 404 for code in codes}


def test_api_class_detail_counts_students(world, as_user):
    body = as_user(world.advisor).get("/api/v1/classes/MSE2401/").json()
    assert (body["code"], body["college"], body["student_count"]) == ("MSE2401", "MAT", 3)


# --- colleges --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", COLLEGE_LIST_REFUSED)
def test_api_colleges_wrong_role_is_refused(world, as_user, persona):
    assert as_user(getattr(world, persona)).get("/api/v1/colleges/").status_code == 403


@pytest.mark.parametrize("persona", _allowed(COLLEGE_LIST_REFUSED))
def test_api_colleges_lists_exactly_the_visible_colleges(world, as_user, persona):
    response = as_user(getattr(world, persona)).get("/api/v1/colleges/")
    assert _results(response, "code") == VISIBLE_COLLEGES[persona]


def test_api_college_detail_of_another_college_is_404(world, as_user):
    client = as_user(world.college_admin)
    assert (client.get("/api/v1/colleges/MAT/").status_code, client.get("/api/v1/colleges/ECO/").status_code) == (
        200,
        404,
    )


# --- staff -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", STAFF_LIST_REFUSED)
def test_api_staff_wrong_role_is_refused(world, as_user, persona):
    assert as_user(getattr(world, persona)).get("/api/v1/staff/").status_code == 403


@pytest.mark.parametrize("persona", _allowed(STAFF_LIST_REFUSED))
def test_api_staff_lists_exactly_the_visible_staff(world, as_user, persona):
    response = as_user(getattr(world, persona)).get("/api/v1/staff/")
    assert _results(response, "number") == VISIBLE_STAFF[persona]


def test_api_staff_detail_of_another_college_is_404(world, as_user):
    client = as_user(world.other_admin)
    assert (client.get("/api/v1/staff/A200/").status_code, client.get("/api/v1/staff/T100/").status_code) == (200, 404)


# --- query counts at two data sizes ----------------------------------------------------------------------------


# Per request: session, user, roles and grants (one query); the endpoint's reads (a paginated list: count + page);
# renewing the session for the idle timeout (savepoint, update, release: the first request after the login renews
# it; accounts.middleware).
API_QUERIES = [
    ("mentor", "/api/v1/me/", 6),
    ("college_admin", "/api/v1/me/", 7),
    ("mentor", "/api/v1/students/", 8),
    ("college_admin", "/api/v1/students/", 8),
    ("school_admin", "/api/v1/students/", 8),
    ("mentor", "/api/v1/students/{student}/", 7),
    ("counselor", "/api/v1/classes/", 8),
    ("college_admin", "/api/v1/colleges/", 8),
    ("college_admin", "/api/v1/staff/", 8),
    ("school_admin", "/api/v1/staff/", 8),
]


@pytest.mark.parametrize("extra", [0, 10], ids=["small", "large"])
@pytest.mark.parametrize(("persona", "path", "queries"), API_QUERIES)
def test_api_query_count_does_not_grow_with_data(
    world, as_user, django_assert_num_queries, extra, persona, path, queries
):
    _grow(world, extra)
    client = as_user(getattr(world, persona))
    path = path.format(student=world.students[0].user.number)
    with django_assert_num_queries(queries):
        response = client.get(path)
    assert response.status_code == 200


# --- schema and docs -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["mentor", "student", "outsider"])
def test_api_schema_loads_for_any_logged_in_user(world, as_user, persona):
    response = as_user(getattr(world, persona)).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/students/" in response.content


def test_api_docs_load_swagger_from_vendored_static_files(world, as_user):
    response = as_user(world.mentor).get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'(?:src|href)="(/static/[^"]*)"', html) == [
        "/static/vendor/swagger-ui/favicon-32x32.png",
        "/static/vendor/swagger-ui/swagger-ui.css",
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui-standalone-preset.js",
    ]


def test_api_docs_have_no_inline_script(world, as_user):
    client = as_user(world.mentor)
    html = client.get("/api/docs/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.DOTALL)
    assert [body.strip() for _attrs, body in scripts] == [""] * len(scripts)
    initialiser = [re.search(r'src="([^"]*)"', attrs).group(1) for attrs, _ in scripts if "?script" in attrs]
    assert len(initialiser) == 1
    response = client.get(initialiser[0].replace("&amp;", "&"))
    assert (response.status_code, response["Content-Type"].split(";")[0]) == (200, "application/javascript")
