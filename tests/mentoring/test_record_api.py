"""The records API: scoping, writes through the services, errors as field errors; compliance/me; flags."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from mentoring.models import Interaction, SensitiveRead, StudentFlag
from mentoring.services.calendar import semester_create
from mentoring.services.records import RecordInput, interaction_log

RECORDS = "/api/v1/records/"


@pytest.fixture
def open_semester(db):
    return semester_create(actor=None, start_year=2026, term=1, start_date=date(2026, 9, 7), end_date=date(2027, 1, 17))


def payload(world, **overrides) -> dict:
    data = {
        "role": "mentor",
        "kind": "mentor_talk",
        "day": timezone.localdate().isoformat(),
        "mode": "group",
        "students": [s.user.number for s in world.students[:2]],
        "topics": ["academic"],
        "summary": "谈学业",
    }
    data.update(overrides)
    return data


def crisis(world) -> Interaction:
    return interaction_log(
        actor=world.counselor,
        data=RecordInput(
            role="counselor",
            kind="crisis_case",
            day=timezone.localdate(),
            mode="one",
            students=[world.students[0]],
        ),
    )


def test_records_api_refuses_anonymous(client, world):
    assert client.get(RECORDS).status_code == 403
    assert client.post(RECORDS, payload(world), content_type="application/json").status_code == 403
    assert client.get("/api/v1/compliance/me/").status_code == 403
    assert client.get("/api/v1/flags/").status_code == 403


def test_mentor_creates_a_group_talk(world, open_semester, as_user):
    response = as_user(world.mentor).post(RECORDS, payload(world), content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["students"] == sorted(s.user.number for s in world.students[:2])
    assert (body["author"], body["mode"], body["sensitive"]) == (world.mentor.number, "group", False)
    assert Interaction.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"day": (date.today() + timedelta(days=3)).isoformat()}, "day"),
        ({"mode": "one"}, "students"),
        ({"students": ["nobody"]}, "students"),
        ({"role": "counselor", "kind": "dorm_visit", "mode": "none", "students": [], "topics": []}, "kind"),
        ({"kind": "bogus"}, "kind"),
    ],
)
def test_create_errors_are_400_with_field_errors(world, open_semester, as_user, overrides, field):
    response = as_user(world.mentor).post(RECORDS, payload(world, **overrides), content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert Interaction.objects.count() == 0


def test_create_with_a_stranger_is_400(world, open_semester, as_user):
    data = payload(world, mode="one", students=[world.students[2].user.number])
    response = as_user(world.mentor).post(RECORDS, data, content_type="application/json")
    assert response.status_code == 400
    assert "students" in response.json()


def test_list_and_retrieve_are_scoped(world, open_semester, as_user):
    record = as_user(world.mentor).post(RECORDS, payload(world), content_type="application/json").json()
    for user, count in [(world.mentor, 1), (world.student, 1), (world.college_admin, 1), (world.outsider, 0)]:
        client = as_user(user)
        assert client.get(RECORDS).json()["count"] == count
        assert client.get(f"{RECORDS}{record['id']}/").status_code == (200 if count else 404)
    assert as_user(world.other_admin).get(f"{RECORDS}{record['id']}/").status_code == 404


def test_update_and_delete_only_by_the_author(world, open_semester, as_user):
    record = as_user(world.mentor).post(RECORDS, payload(world), content_type="application/json").json()
    url = f"{RECORDS}{record['id']}/"
    changed = payload(world, mode="one", students=[world.students[0].user.number])
    assert as_user(world.college_admin).put(url, changed, content_type="application/json").status_code == 403
    assert as_user(world.outsider).put(url, changed, content_type="application/json").status_code == 404
    assert as_user(world.outsider).delete(url).status_code == 404
    response = as_user(world.mentor).put(url, changed, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["students"] == [world.students[0].user.number]
    bad = as_user(world.mentor).put(url, payload(world, mode="group", students=[]), content_type="application/json")
    assert bad.status_code == 400
    assert as_user(world.college_admin).delete(url).status_code == 403
    assert as_user(world.mentor).delete(url).status_code == 204
    assert Interaction.objects.count() == 0


def test_sensitive_record_api_reads_are_logged(world, open_semester, as_user):
    record = crisis(world)
    assert as_user(world.school_student_affairs).get(f"{RECORDS}{record.pk}/").status_code == 200
    assert as_user(world.mentor).get(f"{RECORDS}{record.pk}/").status_code == 404
    assert as_user(world.student).get(RECORDS).json()["count"] == 0
    assert as_user(world.student_affairs).get(RECORDS).json()["count"] == 1
    reads = SensitiveRead.objects.filter(interaction=record, via="api")
    assert sorted(reads.values_list("reader__number", flat=True)) == sorted(
        [world.school_student_affairs.number, world.student_affairs.number]
    )


def test_compliance_me(world, open_semester, as_user):
    as_user(world.mentor).post(RECORDS, payload(world), content_type="application/json")
    body = as_user(world.mentor).get("/api/v1/compliance/me/").json()
    r03 = next(s for s in body["standings"] if s["requirement"] == "R-03")
    assert sorted(line["count"] for line in r03["lines"]) == [1, 1]
    assert as_user(world.student).get("/api/v1/compliance/me/").status_code == 403


def test_flags_list_and_create(world, as_user):
    data = {"student": world.students[0].user.number, "flag": "psych_crisis", "valid_from": "2026-09-10"}
    assert as_user(world.mentor).post("/api/v1/flags/", data, content_type="application/json").status_code == 403
    assert as_user(world.counselor).post("/api/v1/flags/", data, content_type="application/json").status_code == 201
    again = as_user(world.counselor).post("/api/v1/flags/", data, content_type="application/json")
    assert again.status_code == 400
    assert "valid_from" in again.json()
    stranger = dict(data, student=world.other_student.user.number)
    assert as_user(world.counselor).post("/api/v1/flags/", stranger, content_type="application/json").status_code == 400
    assert as_user(world.counselor).get("/api/v1/flags/").json()["count"] == 1
    assert as_user(world.mentor).get("/api/v1/flags/").json()["count"] == 0
    assert as_user(world.student).get("/api/v1/flags/").status_code == 403
    assert StudentFlag.objects.count() == 1
