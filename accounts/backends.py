"""Logging in by number and password, without Django's permission tables.

Who may do what is decided by the predicates of django-rules (`accounts.rules`, `mentoring.rules`, …) from role
grants and assignments; nothing grants Django's model permissions (the admin site's forms do not offer them and
no code writes them). `ModelBackend` would still read its two tables — a user's permissions and their groups' —
on every page whose menu asks a permission that the rules deny, so this backend keeps its password check and
inactive-user refusal and answers "none" for permissions without a query. Superusers keep every permission:
Django grants them before asking any backend.
"""

from django.contrib.auth.backends import ModelBackend


class NumberPasswordBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        return set()
