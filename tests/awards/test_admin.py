"""The awards in the admin site: read-only list rows, caps, stipends and allowances changed through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import AuditEntry
from awards.models import Adjustment, Award, AwardCategory, AwardSlate, WorkAllowance
from awards.services.proposal import selection_run
from awards.services.publicity import awards_finalise, awards_publish
from mentoring.models import AcademicYear, StaffRole
from tests.awards.conftest import MONDAY, SETUP_REASON, add_people

MODELS = ["awardslate", "awardcategory", "award", "adjustment", "objection", "workallowance", "selectionrun"]
NEXT_MONDAY = date(2026, 11, 23)
# Session, user, grants, the years filter, two counts, one page of awards with their joins, and the session's renewal
# by the first request after the login (in a savepoint). No permission tables (accounts.backends).
QUERIES = 10


def admin_url(model: str, suffix: str = "") -> str:
    return f"/admin/awards/{model}/{suffix}"


@pytest.fixture
def proposed(world, closed_cycle):
    add_people(closed_cycle, "mentor", [95, 90, 85], college=world.college)
    selection_run(actor=world.school_admin, cycle=closed_cycle)
    return closed_cycle


def _category(cycle, code: str) -> AwardCategory:
    return AwardCategory.objects.get(cycle=cycle, code=code)


def test_the_school_admin_sees_every_awards_list_page(world, proposed, as_user):
    client = as_user(world.school_admin)

    statuses = [client.get(admin_url(model)).status_code for model in MODELS]
    award = Award.objects.filter(cycle=proposed).first()
    category = _category(proposed, "mentor_excellent")
    pages = [
        client.get(admin_url("award", f"{award.pk}/change/")),
        client.get(admin_url("awardcategory", f"{category.pk}/change/")),
        client.get(admin_url("workallowance", "add/")),
    ]

    assert statuses == [200] * len(MODELS)
    assert [page.status_code for page in pages] == [200, 200, 200]
    assert 'name="reason"' in pages[1].content.decode() and 'name="role_rank"' not in pages[0].content.decode()


@pytest.mark.parametrize("persona", ["college_admin", "school_student_affairs", "mentor", "student", "outsider"])
def test_other_roles_are_sent_to_the_admin_login(world, proposed, as_user, persona):
    response = as_user(getattr(world, persona)).get(admin_url("award"))

    assert (response.status_code, response.url) == (302, "/admin/login/?next=/admin/awards/award/")


@pytest.mark.parametrize("model", ["award", "adjustment", "awardslate"])
def test_the_list_itself_is_read_only(world, proposed, as_user, model):
    client = as_user(world.school_admin)
    row = {"award": Award, "adjustment": Adjustment}.get(model)
    pk = row.objects.first().pk if row else proposed.award_slate.pk

    add, delete = client.get(admin_url(model, "add/")), client.post(admin_url(model, f"{pk}/delete/"), {"post": "yes"})
    change = client.post(admin_url(model, f"{pk}/change/"), {"reason": "x", "state": "finalised"})

    assert (add.status_code, delete.status_code, change.status_code) == (403, 403, 403)
    assert Award.objects.filter(cycle=proposed).count() == 3
    assert AwardSlate.objects.get(cycle=proposed).state == "proposed"


def test_a_cap_changed_in_the_admin_goes_through_the_service_with_its_reason(world, proposed, as_user):
    target = _category(proposed, "mentor_excellent")

    response = as_user(world.school_admin).post(
        admin_url("awardcategory", f"{target.pk}/change/"), {"cap": "5", "stipend": "2500.00", "reason": "名额增加"}
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.cap, target.stipend) == (5, Decimal("2500.00"))
    changes = Adjustment.objects.filter(category_to=target).exclude(reason=SETUP_REASON)
    assert sorted(changes.values_list("action", "before", "after", "reason")) == [
        ("cap", "3", "5", "名额增加"),
        ("stipend", "2000.00", "2500.00", "名额增加"),
    ]
    assert AuditEntry.objects.filter(action="awards.category_update", data__reason="名额增加").count() == 1


@pytest.mark.parametrize(
    ("code", "data", "message"),
    [
        ("mentor_excellent", {"cap": "5", "stipend": "2000.00", "reason": ""}, "This field is required."),
        (
            "mentor_excellent",
            {"cap": "", "stipend": "2000", "reason": "名额"},
            "Enter the cap as a whole number, 0 or more.",
        ),
        (
            "mentor_top",
            {"cap": "2", "stipend": "10000", "reason": "压缩名额"},
            "remove some before lowering the cap to 2.",
        ),
    ],
)
def test_a_refused_category_change_shows_on_the_form_and_writes_nothing(world, proposed, as_user, code, data, message):
    target = _category(proposed, code)
    before = (target.cap, target.stipend, Adjustment.objects.count(), AuditEntry.objects.count())

    response = as_user(world.school_admin).post(
        admin_url("awardcategory", f"{target.pk}/change/"), data, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    target.refresh_from_db()
    assert (target.cap, target.stipend, Adjustment.objects.count(), AuditEntry.objects.count()) == before


def test_categories_of_a_published_list_are_no_longer_changeable(world, proposed, as_user):
    awards_publish(actor=world.school_admin, cycle=proposed, today=MONDAY)
    target = _category(proposed, "mentor_excellent")

    response = as_user(world.school_admin).post(
        admin_url("awardcategory", f"{target.pk}/change/"), {"cap": "9", "stipend": "2000.00", "reason": "晚了"}
    )

    assert response.status_code == 403
    target.refresh_from_db()
    assert target.cap == 3


def test_a_work_allowance_is_set_through_the_service_and_fixed_once_the_year_is_final(world, proposed, as_user):
    client = as_user(world.school_admin)
    year = AcademicYear.objects.get(start_year=2025)

    created = client.post(
        admin_url("workallowance", "add/"), {"academic_year": year.pk, "role": StaffRole.MENTOR, "amount": "1200"}
    )
    allowance = WorkAllowance.objects.get()
    changed = client.post(admin_url("workallowance", f"{allowance.pk}/change/"), {"amount": "1500.50"})
    awards_publish(actor=world.school_admin, cycle=proposed, today=MONDAY)
    awards_finalise(actor=world.school_admin, cycle=proposed, today=NEXT_MONDAY)
    refused = client.post(admin_url("workallowance", f"{allowance.pk}/change/"), {"amount": "9999"})

    assert (created.status_code, changed.status_code, refused.status_code) == (302, 302, 403)
    allowance.refresh_from_db()
    assert (allowance.amount, allowance.set_by) == (Decimal("1500.50"), world.school_admin)
    assert AuditEntry.objects.filter(action="awards.allowance_set").count() == 2


def test_a_work_allowance_for_a_final_year_is_refused_on_the_add_form(world, proposed, as_user):
    awards_publish(actor=world.school_admin, cycle=proposed, today=MONDAY)
    awards_finalise(actor=world.school_admin, cycle=proposed, today=NEXT_MONDAY)
    year = AcademicYear.objects.get(start_year=2025)

    response = as_user(world.school_admin).post(
        admin_url("workallowance", "add/"),
        {"academic_year": year.pk, "role": StaffRole.MENTOR, "amount": "1200"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "The award list of 2025–2026 is final; its allowances no longer change." in response.content.decode()
    assert not WorkAllowance.objects.exists()


@pytest.mark.parametrize("people", [1, 3])
def test_the_award_list_page_costs_the_same_queries_at_any_size(
    world, closed_cycle, as_user, django_assert_num_queries, people
):
    add_people(closed_cycle, "mentor", [95, 90, 85][:people], college=world.college)
    selection_run(actor=world.school_admin, cycle=closed_cycle)
    client = as_user(world.school_admin)

    with django_assert_num_queries(QUERIES):
        response = client.get(admin_url("award"))
    assert response.status_code == 200
