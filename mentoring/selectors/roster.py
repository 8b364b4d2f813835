"""Which roster imports a user may see: their own uploads; school admins see all."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.rules import is_school_admin
from mentoring.models import RosterImport


def roster_imports_visible_to(user) -> QuerySet[RosterImport]:
    # The workbook bytes (up to 10 MB each) are only read when an import is applied.
    imports = RosterImport.objects.defer("content").select_related("uploaded_by").order_by("-created", "-pk")
    if is_school_admin(user):
        return imports
    return imports.filter(uploaded_by=user)


def roster_import_get_visible(user, *, pk: int) -> RosterImport:
    """The import if the user may see it; 404 for missing and forbidden alike."""
    roster_import = roster_imports_visible_to(user).filter(pk=pk).first()
    if roster_import is None:
        raise Http404
    return roster_import
