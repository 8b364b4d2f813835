"""`__any_of`: the engine's membership test for lists of ids, the same rows as `__in` on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from accounts.models import Staff, Student


@pytest.mark.parametrize("pick", [[], [0], [0, 2], [0, 1, 2, 3]], ids=["none", "one", "two", "all"])
def test_any_of_selects_the_same_rows_as_in(world, pick):
    students = sorted(Student.objects.values_list("pk", flat=True))
    wanted = [students[i] for i in pick if i < len(students)]

    def ids(queryset) -> list[int]:
        return sorted(queryset.values_list("pk", flat=True))

    assert ids(Student.objects.filter(pk__any_of=wanted)) == ids(Student.objects.filter(pk__in=wanted))
    assert ids(Student.objects.exclude(pk__any_of=wanted)) == ids(Student.objects.exclude(pk__in=wanted))
    classes = {s.school_class_id for s in Student.objects.filter(pk__in=wanted)}
    assert ids(Student.objects.filter(school_class_id__any_of=classes)) == ids(
        Student.objects.filter(school_class_id__in=classes)
    )


def test_any_of_on_a_related_field_through_a_join(world):
    mat = world.college.pk
    by_any = sorted(Staff.objects.filter(college_id__any_of=[mat]).values_list("user_id", flat=True))
    assert by_any == sorted(Staff.objects.filter(college_id=mat).values_list("user_id", flat=True))
    assert by_any  # MAT has staff
