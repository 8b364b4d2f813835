"""The quota rules page: college admins make school rules stricter for their college, never weaker (R-21)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from mentoring.models import QuotaRule

URL = "/rules/"


def r03():
    return QuotaRule.objects.get(requirement="R-03", college__isnull=True)


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(URL)
    assert (response.status_code, response.url.split("?")[0]) == (302, reverse("login"))


@pytest.mark.parametrize("persona", ["mentor", "advisor", "counselor", "student", "outsider", "student_affairs"])
def test_people_without_an_admin_role_are_refused(as_user, world, persona):
    assert as_user(getattr(world, persona)).get(URL).status_code == 403


def test_college_admin_sees_the_school_rules_and_adds_a_stricter_one(as_user, world):
    client = as_user(world.college_admin)

    page = client.get(URL)
    response = client.post(URL, {"college": world.college.pk, "base": r03().pk, "minimum": 6})

    assert page.status_code == 200
    assert "R-03" in page.content.decode()
    assert response.status_code == 302
    rule = QuotaRule.objects.get(college=world.college)
    assert (rule.requirement, rule.minimum) == ("R-03", 6)
    assert AuditEntry.objects.filter(
        action="quota_rule.save", target_id=str(rule.pk), actor=world.college_admin
    ).exists()


def test_raising_an_existing_college_rule_updates_it(as_user, world):
    client = as_user(world.college_admin)
    client.post(URL, {"college": world.college.pk, "base": r03().pk, "minimum": 5})
    client.post(URL, {"college": world.college.pk, "base": r03().pk, "minimum": 7})

    assert list(QuotaRule.objects.filter(college=world.college).values_list("minimum", flat=True)) == [7]


def test_a_weaker_college_rule_is_refused_with_the_reason_and_nothing_written(as_user, world):
    client = as_user(world.college_admin)

    response = client.post(
        URL, {"college": world.college.pk, "base": r03().pk, "minimum": 2}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert "only be stricter" in response.content.decode()
    assert not QuotaRule.objects.filter(college__isnull=False).exists()


def test_a_college_admin_cannot_choose_another_college(as_user, world):
    response = as_user(world.college_admin).post(
        URL, {"college": world.other_college.pk, "base": r03().pk, "minimum": 6}
    )

    assert response.status_code == 200
    assert not QuotaRule.objects.filter(college__isnull=False).exists()


def test_removing_a_college_rule_restores_the_school_rule_and_others_cannot(as_user, world):
    as_user(world.college_admin).post(URL, {"college": world.college.pk, "base": r03().pk, "minimum": 6})
    rule = QuotaRule.objects.get(college=world.college)

    refused = as_user(world.other_admin).post(f"/rules/{rule.pk}/remove/")
    removed = as_user(world.college_admin).post(f"/rules/{rule.pk}/remove/")

    assert refused.status_code == 404
    assert removed.status_code == 302
    assert not QuotaRule.objects.filter(college__isnull=False).exists()


def test_only_this_colleges_rules_are_listed(as_user, world):
    as_user(world.other_admin).post(URL, {"college": world.other_college.pk, "base": r03().pk, "minimum": 9})

    page = as_user(world.college_admin).get(URL).content.decode()

    assert world.other_college.name not in page


@pytest.mark.parametrize("extra_rules", [0, 3])
def test_the_page_runs_a_constant_number_of_queries(as_user, world, extra_rules, django_assert_num_queries):
    client = as_user(world.college_admin)
    bases = list(QuotaRule.objects.filter(college__isnull=True).order_by("requirement"))[:extra_rules]
    for base in bases:
        client.post(URL, {"college": world.college.pk, "base": base.pk, "minimum": base.minimum + 1})
    client.get(URL)  # renews the session in both cases: the measured request, seconds later, writes nothing

    with django_assert_num_queries(9):
        assert client.get(URL).status_code == 200
