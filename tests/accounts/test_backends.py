"""The login backend: number and password, permissions from the rules only (accounts.backends)."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _request():
    return RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.0.0.9")


def test_a_user_logs_in_with_number_and_password():
    user = UserFactory()
    assert authenticate(_request(), username=user.number, password=PASSWORD) == user
    assert authenticate(_request(), username=user.number, password="not-the-password") is None


def test_an_inactive_user_cannot_log_in():
    user = UserFactory(is_active=False)
    assert authenticate(_request(), username=user.number, password=PASSWORD) is None


def test_permission_tables_grant_nothing(django_assert_num_queries):
    """Nothing in the portal writes Django's model permissions; if a row were there all the same, it would not
    open a page the rules keep closed, and asking costs no query."""
    user = UserFactory()
    permission = Permission.objects.get(codename="view_interaction", content_type__app_label="mentoring")
    group = Group.objects.create(name="by hand")
    group.permissions.add(permission)
    user.groups.add(group)
    user.user_permissions.add(permission)
    with django_assert_num_queries(0):
        assert not user.has_perm("mentoring.view_interaction")
        assert user.get_all_permissions() == set()


def test_a_superuser_keeps_every_permission():
    assert UserFactory(is_superuser=True).has_perm("mentoring.view_dashboards")
