"""Importing the roster from an .xlsx workbook: validate everything, preview, then apply in one transaction.

The browser stores the upload in a RosterImport (bytes in the database, so any web replica can apply what another
one previewed) and applies it on confirmation; `manage.py import_roster` validates and applies a file directly.
Applying re-validates against the database as it is then, so a preview that went stale cannot write bad rows.
"""

from __future__ import annotations

import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import AuditEntry, User
from accounts.rules import administered_college_ids, is_school_admin
from accounts.services import audit_record
from mentoring.models import RosterImport
from mentoring.roster.apply import plan_apply
from mentoring.roster.parse import size_check, workbook_read
from mentoring.roster.plan import RosterPlan
from mentoring.roster.snapshot import snapshot_load
from mentoring.roster.spec import template_build
from mentoring.roster.validate import plan_build
from mentoring.selectors.compliance import compliance_inputs_changed
from mentoring.tasks import dashboards_rewarm

# The preview lists at most this many bad cells (the total is always given); a broken file can have 100,000.
ERRORS_KEPT = 1000


class RosterInvalid(ValidationError):
    """The workbook has bad cells; `plan.errors` lists them. Nothing was written."""

    def __init__(self, plan: RosterPlan):
        self.plan = plan
        super().__init__(
            ngettext(
                "The workbook has %(count)d problem; nothing was written.",
                "The workbook has %(count)d problems; nothing was written.",
                len(plan.errors),
            )
            % {"count": len(plan.errors)},
            code="invalid_rows",
        )


def _check_actor(actor: User | None) -> None:
    """`actor=None` is the system (the management command)."""
    if actor is not None and not actor.has_perm("accounts.import_roster"):
        raise PermissionDenied(_("Only college admins and the academic affairs office may import the roster."))


def roster_size_check(*, size: int) -> None:
    """Refuse an upload by its size before it is read into memory."""
    size_check(size)


def roster_template_build() -> bytes:
    return template_build()


def roster_validate(*, actor: User | None, content: bytes) -> RosterPlan:
    """Check the file and every row against the database; writes nothing. File-level problems raise
    ValidationError; row problems come back in `plan.errors`."""
    _check_actor(actor)
    parsed = workbook_read(content)
    scope = None if actor is None else administered_college_ids(actor)
    return plan_build(parsed=parsed, snapshot=snapshot_load(parsed), scope_ids=scope)


def _errors_json(plan: RosterPlan) -> list[dict]:
    return [error.as_json() for error in plan.errors[:ERRORS_KEPT]]


@transaction.atomic
def roster_apply(
    *, actor: User | None, content: bytes, source: str, roster_import: RosterImport | None = None
) -> RosterPlan:
    """Validate and write the whole workbook in one transaction, or raise and write nothing at all."""
    plan = roster_validate(actor=actor, content=content)
    if not plan.is_valid:
        raise RosterInvalid(plan)
    try:
        with transaction.atomic():
            plan_apply(plan)
            compliance_inputs_changed()
            dashboards_rewarm()
    except IntegrityError as exc:
        # Someone changed the same rows between our reads and our writes; everything is rolled back.
        raise ValidationError(
            _("The roster changed while the import was being applied; nothing was written. Please try again."),
            code="conflict",
        ) from exc
    data = {"source": source, **plan.summary()}
    if roster_import is not None:
        audit_record(actor=actor, action="roster.apply", target=roster_import, data=data)
    else:
        # A command run keeps no RosterImport (its uploader may not be empty): the entry names the file instead.
        AuditEntry.objects.create(
            actor=actor, action="roster.apply", target_type="file", target_id=source[-64:], data=data
        )
    return plan


@transaction.atomic
def roster_import_upload(*, actor: User, content: bytes, original_name: str) -> RosterImport:
    """Validate an uploaded workbook and keep it for preview. A file that is no workbook at all (too large, not
    xlsx, a zip bomb) raises ValidationError and is not kept; bad rows are kept with their errors."""
    plan = roster_validate(actor=actor, content=content)
    roster_import = RosterImport.objects.create(
        uploaded_by=actor,
        content=content,
        original_name=os.path.basename(original_name.replace("\\", "/"))[:255] or "roster.xlsx",
        status=RosterImport.Status.PREVIEWED if plan.is_valid else RosterImport.Status.INVALID,
        summary=plan.summary(),
        errors=_errors_json(plan),
    )
    audit_record(
        actor=actor,
        action="roster.upload",
        target=roster_import,
        data={"name": roster_import.original_name, "status": roster_import.status},
    )
    return roster_import


def roster_import_apply(*, actor: User, roster_import: RosterImport) -> RosterImport:
    """Apply a previewed upload. If the database changed so that rows became bad, the import is marked invalid
    with its new errors (kept) and RosterInvalid is raised; the roster itself is untouched."""
    _check_actor(actor)
    failure: RosterInvalid | None = None
    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
        if locked.uploaded_by_id != actor.pk and not is_school_admin(actor):
            raise PermissionDenied(_("Only the person who uploaded this workbook may apply it."))
        if locked.status != RosterImport.Status.PREVIEWED:
            raise ValidationError(
                _("This import is “%(status)s” and cannot be applied; upload the workbook again.")
                % {"status": locked.get_status_display()},
                code="not_previewed",
            )
        try:
            plan = roster_apply(
                actor=actor, content=bytes(locked.content), source=locked.original_name, roster_import=locked
            )
        except RosterInvalid as exc:
            failure = exc
            locked.status = RosterImport.Status.INVALID
            locked.summary = exc.plan.summary()
            locked.errors = _errors_json(exc.plan)
            locked.save(update_fields=["status", "summary", "errors"])
        else:
            locked.status = RosterImport.Status.APPLIED
            locked.summary = plan.summary()
            locked.applied_at = timezone.now()
            locked.save(update_fields=["status", "summary", "applied_at"])
    if failure is not None:
        raise failure
    return locked
