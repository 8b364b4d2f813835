"""The record pages: My work, the record form, one's records, sensitive reads, flags.

World (tests/conftest.py): the mentor has students 0 and 1 (class A), the advisor class A, the counselor classes A
and B. Records are made in an open semester that covers today (the calendar fixture's semesters are closed).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Interaction, Mode, SensitiveRead, StudentFlag
from mentoring.services.calendar import semester_create
from mentoring.services.flags import flag_set
from mentoring.services.records import RecordInput, interaction_log


@pytest.fixture
def open_semester(db):
    return semester_create(actor=None, start_year=2026, term=1, start_date=date(2026, 9, 7), end_date=date(2027, 1, 17))


def today() -> date:
    return timezone.localdate()


def talk(world, students=None, mode=Mode.GROUP, day=None) -> Interaction:
    students = students if students is not None else world.students[:2]
    return interaction_log(
        actor=world.mentor,
        data=RecordInput(
            role="mentor", kind="mentor_talk", day=day or today(), mode=mode, students=students, topics=["academic"]
        ),
    )


def crisis(world) -> Interaction:
    return interaction_log(
        actor=world.counselor,
        data=RecordInput(
            role="counselor",
            kind="crisis_case",
            day=today(),
            mode=Mode.ONE_TO_ONE,
            students=[world.students[0]],
            summary="危机",
        ),
    )


def form_data(world, **overrides) -> dict:
    data = {
        "kind": "mentor:mentor_talk",
        "day": today().isoformat(),
        "mode": "group",
        "students": [str(s.pk) for s in world.students[:2]],
        "topics": ["academic"],
        "place": "办公室",
        "summary": "谈学业",
    }
    data.update(overrides)
    return data


PAGES = ["my_work", "record_create", "record_list"]


@pytest.mark.parametrize("name", PAGES)
def test_record_pages_send_anonymous_to_login(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["student", "outsider", "college_admin"])
@pytest.mark.parametrize("name", PAGES)
def test_record_pages_refuse_non_workers(world, as_user, persona, name):
    assert as_user(getattr(world, persona)).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("persona", ["mentor", "advisor", "counselor"])
@pytest.mark.parametrize("name", PAGES)
def test_record_pages_open_for_workers(world, open_semester, as_user, persona, name):
    assert as_user(getattr(world, persona)).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["record_detail", "record_update", "record_delete"])
def test_another_authors_record_is_404(world, open_semester, as_user, name):
    record = talk(world)
    assert as_user(world.counselor).get(reverse(name, args=[record.pk])).status_code == 404
    assert as_user(world.counselor).post(reverse(name, args=[record.pk])).status_code == 404
    assert Interaction.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("name", ["record_detail", "record_update", "record_delete"])
def test_record_object_pages_send_anonymous_to_login(client, world, open_semester, name):
    record = talk(world)
    assert client.get(reverse(name, args=[record.pk])).status_code == 302


def test_my_work_shows_r03_card_for_mentor(world, open_semester, as_user):
    response = as_user(world.mentor).get(reverse("my_work"))
    card = next(c for c in response.context["cards"] if c.rule.requirement == "R-03")
    assert (card.standing.met, card.standing.total, card.required, card.done, card.goal) == (0, 2, 4, 0, 8)
    assert card.title == card.rule.title_zh
    content = response.content.decode()
    assert "R-03" in content
    assert '<progress value="0" max="8">' in content
    assert world.students[0].user.name in content


def test_each_card_of_my_work_opens_the_form_on_its_kind_of_record(world, open_semester, as_user):
    """A counselor back from a dorm visit taps the R-14 card's button: the form opens on 辅导员 · 深入学生宿舍."""
    client = as_user(world.counselor)
    response = client.get(reverse("my_work"))
    cards = {c.rule.requirement: c for c in response.context["cards"]}
    assert cards["R-14"].record_kind == "counselor:dorm_visit"
    assert cards["R-15"].record_kind == "counselor:class_sitin"
    content = response.content.decode()
    assert f'href="{reverse("record_create")}?kind=counselor%3Adorm_visit"' in content
    form = client.get(reverse("record_create"), {"kind": "counselor:dorm_visit"}).context["form"]
    assert form["kind"].value() == "counselor:dorm_visit"
    # A bare kind (a bookmarked link, a link typed by hand) opens on the role that records it.
    assert client.get(reverse("record_create"), {"kind": "dorm_visit"}).context["form"]["kind"].value() == (
        "counselor:dorm_visit"
    )
    # A kind the person may not record, or none: the form opens as usual.
    for kind in ("mentor:mentor_talk", "mentor_talk", "nonsense", ""):
        form = client.get(reverse("record_create"), {"kind": kind}).context["form"]
        assert form["kind"].value() is None


def test_the_record_form_opens_on_the_kind_last_recorded(world, open_semester, as_user):
    """The next night's dorm visit: the form opens on what the counselor recorded last; a card's kind still wins."""
    data = RecordInput(role="counselor", kind="dorm_visit", day=today(), mode=Mode.NONE)
    interaction_log(actor=world.counselor, data=data)
    client = as_user(world.counselor)
    assert client.get(reverse("record_create")).context["form"]["kind"].value() == "counselor:dorm_visit"
    form = client.get(reverse("record_create"), {"kind": "counselor:class_sitin"}).context["form"]
    assert form["kind"].value() == "counselor:class_sitin"
    # Someone else's last record is not theirs: the mentor's form opens as usual.
    assert as_user(world.mentor).get(reverse("record_create")).context["form"]["kind"].value() is None


def test_record_form_happy_path_moves_the_count_in_my_work(world, open_semester, as_user):
    client = as_user(world.mentor)
    card = next(c for c in client.get(reverse("my_work")).context["cards"] if c.rule.requirement == "R-03")
    assert [s.count for s in card.standing.lines] == [0, 0]

    response = client.post(reverse("record_create"), form_data(world), follow=True)

    assert response.redirect_chain[-1][0] == reverse("my_work")
    card = next(c for c in response.context["cards"] if c.rule.requirement == "R-03")
    assert sorted(line.count for line in card.standing.lines) == [1, 1]
    record = Interaction.objects.get()
    assert (record.mode, record.student_count, record.place) == ("group", 2, "办公室")


def test_record_form_offers_only_own_students_grouped_by_class(world, open_semester, as_user):
    form = as_user(world.mentor).get(reverse("record_create")).context["form"]
    groups = form.student_groups()
    assert [g["school_class"].code for g in groups] == ["MSE2401"]
    assert [r["student"].pk for r in groups[0]["students"]] == [s.pk for s in world.students[:2]]
    assert {v.split(":")[0] for v, _label in form.fields["kind"].choices} == {"mentor"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"day": (date.today() + timedelta(days=2)).isoformat()}, "day"),
        ({"mode": "one", "students": []}, "students"),
        ("not_mine", "students"),
        ("one_in_group", "students"),
        ("two_in_one", "students"),
        ({"kind": "counselor:dorm_visit"}, "kind"),
    ],
)
def test_record_form_refusals_show_the_field_error_and_write_nothing(world, open_semester, as_user, overrides, field):
    if overrides == "not_mine":
        overrides = {"mode": "one", "students": [str(world.students[2].pk)]}
    elif overrides == "one_in_group":
        overrides = {"mode": "group", "students": [str(world.students[0].pk)]}
    elif overrides == "two_in_one":
        overrides = {"mode": "one"}
    response = as_user(world.mentor).post(reverse("record_create"), form_data(world, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert f'id="errors-{field}"' in response.content.decode()
    assert Interaction.objects.count() == 0


def test_record_list_shows_my_records_newest_first_with_late_tag(world, open_semester, as_user):
    older = talk(world, day=open_semester.start_date)
    newer = talk(world)
    response = as_user(world.mentor).get(reverse("record_list"))
    assert [r.pk for r in response.context["page"]] == [newer.pk, older.pk]
    assert older.late
    assert 'class="tag warn"' in response.content.decode()
    assert list(as_user(world.counselor).get(reverse("record_list")).context["page"]) == []


def test_record_update_and_delete_through_the_pages(world, open_semester, as_user):
    record = talk(world)
    client = as_user(world.mentor)
    response = client.post(
        reverse("record_update", args=[record.pk]),
        form_data(world, mode="one", students=[str(world.students[1].pk)], summary="改"),
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.mode, record.student_count, record.summary) == ("one", 1, "改")
    assert client.get(reverse("record_delete", args=[record.pk])).status_code == 200
    assert Interaction.objects.filter(pk=record.pk).exists()
    assert client.post(reverse("record_delete", args=[record.pk])).status_code == 302
    assert not Interaction.objects.filter(pk=record.pk).exists()


def test_record_history_shown_to_admins_only(world, open_semester, as_user):
    record = talk(world)
    assert (
        "interaction.create"
        in as_user(world.college_admin).get(reverse("record_detail", args=[record.pk])).content.decode()
    )
    assert (
        "interaction.create"
        not in as_user(world.mentor).get(reverse("record_detail", args=[record.pk])).content.decode()
    )


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("counselor", True),
        ("student_affairs", True),
        ("school_student_affairs", True),
        ("mentor", False),
        ("advisor", False),
        ("college_admin", False),
        ("school_admin", False),
        ("student", False),
        ("outsider", False),
        ("other_admin", False),
    ],
)
def test_sensitive_record_visible_only_to_its_circle_and_reads_logged(world, open_semester, as_user, persona, sees):
    record = crisis(world)
    user = getattr(world, persona)
    response = as_user(user).get(reverse("record_detail", args=[record.pk]))
    assert response.status_code == (200 if sees else 404)
    assert SensitiveRead.objects.filter(reader=user, interaction=record, via="page").count() == (1 if sees else 0)


def test_plain_record_visible_to_attending_student_and_college_admin(world, open_semester, as_user):
    record = talk(world)
    for user in (world.student, world.college_admin, world.school_admin):
        assert as_user(user).get(reverse("record_detail", args=[record.pk])).status_code == 200
    for user in (world.other_admin, world.outsider, world.students[2].user):
        assert as_user(user).get(reverse("record_detail", args=[record.pk])).status_code == 404
    assert SensitiveRead.objects.count() == 0


@pytest.mark.parametrize(
    "persona",
    [
        "counselor",
        "student_affairs",
        "school_student_affairs",
        "mentor",
        "college_admin",
        "school_admin",
        "other_admin",
    ],
)
def test_naming_the_authors_college_changes_nothing_anyone_may_read(world, open_semester, persona):
    """The drill-down's hint (`authors_college_id`): the author's college gives the same records as no hint,
    sensitive ones included; a wrong one can only hide records."""
    from accounts.models import Staff
    from mentoring.selectors.records import records_visible_to

    records = [talk(world).pk, crisis(world).pk]
    viewer = getattr(world, persona)

    def seen(author, **hint) -> set[int]:
        found = records_visible_to(viewer, **hint).filter(author=author, pk__in=records)
        return set(found.values_list("pk", flat=True))

    for author in (world.mentor, world.counselor):
        everything = seen(author)
        assert seen(author, authors_college_id=Staff.objects.get(user=author).college_id) == everything
        assert seen(author, authors_college_id=world.other_college.pk) <= everything


def test_student_home_lists_attended_plain_records_not_sensitive(world, open_semester, as_user):
    talk(world)
    crisis(world)
    content = as_user(world.student).get(reverse("home")).content.decode()
    assert "my-attended-records" in content
    assert "Talk with students" in content or "导师" in content
    assert content.count("<li>") >= 1
    assert "危机" not in content


def _more_data(world, n: int) -> None:
    for _ in range(n):
        talk(world)


@pytest.mark.parametrize("extra", [0, 6])
def test_my_work_query_count_is_constant(world, open_semester, as_user, django_assert_num_queries, extra):
    _more_data(world, 1 + extra)
    client = as_user(world.mentor)
    client.get(reverse("my_work"))  # renews the session: the measured request, seconds later, writes nothing
    with django_assert_num_queries(15):  # the semester of the day from the kept semester list, not a query
        assert client.get(reverse("my_work")).status_code == 200


@pytest.mark.parametrize("extra", [0, 6])
def test_record_list_query_count_is_constant(world, open_semester, as_user, django_assert_num_queries, extra):
    _more_data(world, 1 + extra)
    client = as_user(world.mentor)
    client.get(reverse("record_list"))  # renews the session: the measured request, seconds later, writes nothing
    with django_assert_num_queries(5):
        assert client.get(reverse("record_list")).status_code == 200


@pytest.mark.parametrize("extra", [0, 6])
def test_saving_a_record_runs_a_constant_number_of_queries(
    world, open_semester, as_user, django_assert_num_queries, extra
):
    """A form sent and valid reads none of the pickers' choices (the mentor's students, the classes, the college's
    staff), only what the service checks and writes: the number does not grow with the people around."""
    _more_data(world, 1 + extra)
    client = as_user(world.mentor)
    client.get(reverse("record_list"))  # renews the session: the measured request, seconds later, writes nothing
    with django_assert_num_queries(12):  # with the pickers' choices read, 15
        response = client.post(reverse("record_create"), form_data(world))
    assert response.status_code == 302 and Interaction.objects.count() == 2 + extra


def test_flag_page_for_counselor_sets_a_flag(world, open_semester, as_user):
    student = world.students[3]
    url = reverse("flag_create", args=[student.user.number])
    response = as_user(world.counselor).post(url, {"flag": "academic_difficulty", "valid_from": today().isoformat()})
    assert response.status_code == 302
    assert StudentFlag.objects.filter(student=student, flag="academic_difficulty").count() == 1


def test_flag_page_refuses_mentor_and_hides_strangers(world, as_user):
    url = reverse("flag_create", args=[world.students[0].user.number])
    assert as_user(world.mentor).get(url).status_code == 403
    assert as_user(world.outsider).get(url).status_code == 404
    assert as_user(world.college_admin).get(url).status_code == 200


def test_flag_page_shows_overlap_error(world, as_user):
    student = world.students[0]
    flag_set(actor=world.counselor, student=student, flag="academic_difficulty", valid_from=today())
    url = reverse("flag_create", args=[student.user.number])
    response = as_user(world.counselor).post(url, {"flag": "academic_difficulty", "valid_from": today().isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors["valid_from"]
    assert StudentFlag.objects.count() == 1


def test_nav_shows_work_links_to_workers_only(world, as_user):
    assert reverse("my_work") in as_user(world.mentor).get(reverse("home")).content.decode()
    assert reverse("my_work") not in as_user(world.student).get(reverse("home")).content.decode()


def test_the_record_form_opens_on_its_kinds_usual_form_without_javascript(world, open_semester, as_user):
    """The mode the kind lists first (mentoring/kinds.py) is the one checked in the page as sent."""
    client = as_user(world.counselor)
    form = client.get(reverse("record_create"), {"kind": "counselor:dorm_visit"}).context["form"]
    assert form["mode"].value() == "group"
    form = client.get(reverse("record_create"), {"kind": "counselor:online_work"}).context["form"]
    assert form["mode"].value() == "none"
    assert as_user(world.mentor).get(reverse("record_create")).context["form"]["mode"].value() == "one"
