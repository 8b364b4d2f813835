"""Writes that matter for people and grants; every one leaves an audit entry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import SCHOOL_ROLES, AuditEntry, College, Role, RoleGrant, User
from accounts.rules import is_school_admin


def audit_record(*, actor: User | None, action: str, target: Any, data: dict | None = None) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data or {},
    )


@transaction.atomic
def role_grant(*, actor: User | None, user: User, role: str, college: College | None = None) -> RoleGrant:
    """Grant an administrative role. `actor=None` is the system (demo data, commands)."""
    if actor is not None and not is_school_admin(actor):
        raise PermissionDenied(_("Only school admins may grant roles."))
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if (role in SCHOOL_ROLES) != (college is None):
        raise ValidationError(_("College roles need a college; school roles must not name one."))
    grant, created = RoleGrant.objects.get_or_create(
        user=user, role=role, college=college, defaults={"granted_by": actor}
    )
    if created:
        audit_record(
            actor=actor, action="role.grant", target=grant, data={"role": role, "college": college and college.code}
        )
    user.__dict__.pop("_yuren_grants", None)
    return grant
