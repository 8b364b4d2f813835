"""Which records someone may read (DESIGN "Rules that keep records honest").

One filter (`record_scope`) serves the lists and the object views, so "list what I may see" and "may I see this"
never disagree. Sensitive records (crisis, R-17) are readable only by their author, the counselor of an attending
student's class, the college student-affairs lead of that student's college and school student affairs; every
read of one is logged as a SensitiveRead.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from mentoring.models import Attendance, CounselorAssignment, Interaction, SensitiveRead
from mentoring.selectors.people import NOTHING, roles_of


def _attended_by(student_filter: Q) -> Q:
    # EXISTS per record, not `pk IN (all attendance of the college)`: PostgreSQL then probes the attendance index for
    # the records at hand instead of hashing a whole college's attendance (a drill-down read 47–90 ms → ~10 ms).
    return Q(Exists(Attendance.objects.filter(student_filter, interaction_id=OuterRef("pk"))))


def _of_colleges(college_ids: Iterable[int]) -> Q:
    """Records about a college: a student of it attended, the class is of it, or the author is its staff."""
    ids = list(college_ids)
    return (
        _attended_by(Q(student__school_class__major__college_id__in=ids))
        | Q(school_class__major__college_id__in=ids)
        | Q(author__staff__college_id__in=ids)
    )


def record_scope(user, *, on: date | None = None, authors_college_id: int | None = None) -> Q:
    """A filter on Interaction: the records this user may read.

    `authors_college_id`: the caller reads records by staff of this college (it filters on one author). For a college
    the user oversees the college test is then only "the author is its staff", without the per-record tests of the
    attendance and the class, which made the drill-down's query take longer to plan than to run. A wrong hint can
    only hide records, never show one: the test stays on the author."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    day = on or timezone.localdate()
    roles = roles_of(user, on=day)
    plain = Q(sensitive=False)
    sensitive = Q(sensitive=True)

    scope = Q(author_id=user.pk)
    if roles.is_student:
        scope |= plain & _attended_by(Q(student_id=user.pk))
    if roles.is_school_admin:
        scope |= plain
    lead_colleges = roles.student_affairs_college_ids
    if roles.admin_college_ids or lead_colleges:
        overseen = roles.admin_college_ids | lead_colleges
        if authors_college_id is not None and authors_college_id in overseen:
            scope |= plain & Q(author__staff__college_id=authors_college_id)
        else:
            scope |= plain & _of_colleges(overseen)
    if roles.is_school_student_affairs:
        scope |= Q(pk__isnull=False)  # every record, sensitive ones included (`| Q()` would add nothing)
    else:
        if roles.is_counselor:
            counseled = CounselorAssignment.objects.valid_on(day).filter(counselor=user).values("school_class_id")
            scope |= sensitive & _attended_by(Q(student__school_class_id__in=counseled))
        if lead_colleges:
            scope |= sensitive & _attended_by(Q(student__school_class__major__college_id__in=lead_colleges))
    return scope


def records_visible_to(user, *, authors_college_id: int | None = None) -> QuerySet[Interaction]:
    """The records `user` may read (`record_scope`; `authors_college_id` as there)."""
    return (
        Interaction.objects.filter(record_scope(user, authors_college_id=authors_college_id))
        .select_related("author", "semester__academic_year", "school_class", "counterpart")
        .order_by("-day", "-id")
    )


def sensitive_reads_log(*, reader: User, records: Iterable[Interaction], via: str) -> None:
    """Log a read of every sensitive record among `records` (one query, none when there is none)."""
    rows = [SensitiveRead(reader=reader, interaction=r, via=via) for r in records if r.sensitive]
    if rows:
        SensitiveRead.objects.bulk_create(rows)


def record_get_visible(user, pk: int, *, via: str = "page") -> Interaction:
    """The record if the user may read it (a sensitive one logs the read); 404 for missing and forbidden alike."""
    record = records_visible_to(user).filter(pk=pk).first()
    if record is None:
        raise Http404
    sensitive_reads_log(reader=user, records=[record], via=via)
    return record


def records_of_author(user) -> QuerySet[Interaction]:
    return (
        Interaction.objects.filter(author=user)
        .select_related("semester__academic_year", "school_class", "counterpart")
        .order_by("-day", "-id")
    )


def last_recorded_kind(user) -> str:
    """The kind of the record `user` entered last, as the record form's choice (`role:kind`), or "" (one query): the
    form opens on it, as most people record the same thing again (a counselor's dorm visits, night after night)."""
    last = Interaction.objects.filter(author=user).order_by("-id").values_list("role", "kind").first()
    return f"{last[0]}:{last[1]}" if last else ""


def records_attended_by(user) -> QuerySet[Interaction]:
    """What a student sees of the records about them: the non-sensitive ones they attended."""
    return (
        Interaction.objects.filter(_attended_by(Q(student_id=user.pk)), sensitive=False)
        .select_related("author")
        .order_by("-day", "-id")
    )
