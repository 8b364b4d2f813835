"""Carrying out a valid plan with bulk queries: a few statements per sheet, whatever the number of rows.

The caller holds the transaction. New accounts get an unusable password (they log in via SSO, or an admin sets
one): hashing tens of thousands of passwords would take minutes and protect nothing.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import models
from django.utils import timezone

from accounts.models import College, Major, SchoolClass, Staff, Student, User
from mentoring.roster.plan import RosterPlan
from mentoring.roster.snapshot import ASSIGNMENT_MODELS, chunks

BATCH = 1000


def _created(model: type[models.Model], objects: list[models.Model], key: str) -> dict[str, int]:
    """Insert and return key → new id (PostgreSQL and SQLite ≥ 3.35 return ids from bulk inserts)."""
    model.objects.bulk_create(objects, batch_size=BATCH)
    return {getattr(obj, key): obj.pk for obj in objects}


def _set_where(model: type[models.Model], field: str, pairs: Iterable[tuple[int, object]]) -> None:
    """Set `field` for many rows with one UPDATE per distinct value (a class move, a closing date)."""
    ids_by_value: dict[object, list[int]] = defaultdict(list)
    for pk, value in pairs:
        ids_by_value[value].append(pk)
    for value, ids in ids_by_value.items():
        for batch in chunks(ids):
            model.objects.filter(pk__in=batch).update(**{field: value})


def plan_apply(plan: RosterPlan) -> None:
    db = plan.snapshot
    college_ids = {code: pk for code, (pk, _name) in db.colleges.items()}
    college_ids |= _created(College, [College(code=code, name=name) for code, name in plan.colleges_new], "code")
    College.objects.bulk_update(
        [College(pk=pk, name=name) for pk, name in plan.colleges_changed], ["name"], batch_size=BATCH
    )

    major_ids = {code: row[0] for code, row in db.majors.items()}
    new_majors = [Major(code=code, name=name, college_id=college_ids[c]) for code, name, c in plan.majors_new]
    major_ids |= _created(Major, new_majors, "code")
    Major.objects.bulk_update(
        [Major(pk=pk, name=name, college_id=college_ids[c]) for pk, name, c in plan.majors_changed],
        ["name", "college"],
        batch_size=BATCH,
    )

    class_ids = {code: row[0] for code, row in db.classes.items()}
    new_classes = [
        SchoolClass(code=code, name=name, major_id=major_ids[major], cohort=cohort)
        for code, name, major, cohort in plan.classes_new
    ]
    class_ids |= _created(SchoolClass, new_classes, "code")
    SchoolClass.objects.bulk_update(
        [
            SchoolClass(pk=pk, name=name, major_id=major_ids[major], cohort=cohort)
            for pk, name, major, cohort in plan.classes_changed
        ],
        ["name", "major", "cohort"],
        batch_size=BATCH,
    )

    now = timezone.now()
    user_ids = {number: user.id for number, user in db.users.items()}
    new_users = [
        User(
            number=number,
            name=name,
            email=email,
            phone=phone,
            password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
            date_joined=now,
        )
        for number, name, email, phone in plan.users_new
    ]
    user_ids |= _created(User, new_users, "number")
    User.objects.bulk_update(
        [User(pk=pk, name=name, email=email, phone=phone) for pk, name, email, phone in plan.users_changed],
        ["name", "email", "phone"],
        batch_size=BATCH,
    )

    Student.objects.bulk_create(
        [Student(user_id=user_ids[number], school_class_id=class_ids[c]) for number, c in plan.students_new],
        batch_size=BATCH,
    )
    _set_where(Student, "school_class_id", ((pk, class_ids[c]) for pk, c in plan.students_moved))
    Staff.objects.bulk_create(
        [
            Staff(user_id=user_ids[number], college_id=college_ids.get(college), title=title)
            for number, college, title in plan.staff_new
        ],
        batch_size=BATCH,
    )
    Staff.objects.bulk_update(
        [
            Staff(user_id=pk, college_id=college_ids.get(college), title=title)
            for pk, college, title in plan.staff_changed
        ],
        ["college", "title"],
        batch_size=BATCH,
    )

    for kind, assignments in plan.assignments.items():
        model, unit_field, holder_field = ASSIGNMENT_MODELS[kind]
        unit_ids = user_ids if kind == "mentors" else class_ids
        # Close first: each student or class may have only one open row.
        _set_where(model, "valid_until", assignments.closes)
        model.objects.bulk_create(
            [
                model(**{unit_field: unit_ids[unit], holder_field: user_ids[holder], "valid_from": start})
                for unit, holder, start in assignments.opens
            ],
            batch_size=BATCH,
        )
