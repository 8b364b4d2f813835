"""What the database holds for one workbook, read in a constant number of bulk queries (never one per row)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from accounts.models import College, Major, SchoolClass, User
from mentoring.models import AdvisorAssignment, CounselorAssignment, MentorAssignment, Semester
from mentoring.roster.parse import ParsedWorkbook

# Ids per `IN (...)` query: well under SQLite's and PostgreSQL's parameter limits.
CHUNK = 2000


def chunks(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def cell_text(value: object) -> str:
    """A cell as text, exactly as written apart from surrounding spaces; 2024000001.0 reads as 2024000001."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


class UserRow(NamedTuple):
    id: int
    name: str
    email: str
    phone: str
    class_id: int | None  # set when the account is a student
    is_staff_member: bool
    staff_college_id: int | None
    staff_title: str


class History(NamedTuple):
    """The assignments of one student or class: the open one (if any) and the latest start of any."""

    open_id: int | None
    open_holder_id: int | None
    last_from: date


@dataclass
class Snapshot:
    colleges: dict[str, tuple[int, str]]  # code → (id, name)
    majors: dict[str, tuple[int, str, int]]  # code → (id, name, college id)
    classes: dict[str, tuple[int, str, int, int]]  # code → (id, name, major id, cohort)
    users: dict[str, UserRow]  # number → row, for the numbers the workbook names
    semesters: list[tuple[date, date]]
    histories: dict[str, dict[int, History]]  # sheet key → student or class id → history


ASSIGNMENT_MODELS = {
    "mentors": (MentorAssignment, "student_id", "mentor_id"),
    "advisors": (AdvisorAssignment, "school_class_id", "advisor_id"),
    "counselors": (CounselorAssignment, "school_class_id", "counselor_id"),
}


def _numbers(parsed: ParsedWorkbook) -> set[str]:
    keys = {"students": ("number",), "staff": ("number",), "mentors": ("student", "holder")}
    numbers: set[str] = set()
    for sheet_key, sheet in parsed.sheets.items():
        for key in keys.get(sheet_key, ("holder",) if sheet_key in ASSIGNMENT_MODELS else ()):
            numbers.update(cell_text(values.get(key)) for _row, values in sheet.rows)
    numbers.discard("")
    return numbers


def _histories(model, unit_field: str, holder_field: str, unit_ids: set[int]) -> dict[int, History]:
    histories: dict[int, History] = {}
    for batch in chunks(sorted(unit_ids)):
        rows = model.objects.filter(**{f"{unit_field}__in": batch}).values_list(
            "id", unit_field, holder_field, "valid_from", "valid_until"
        )
        for pk, unit_id, holder_id, valid_from, valid_until in rows:
            known = histories.get(unit_id)
            last_from = max(valid_from, known.last_from) if known else valid_from
            if valid_until is None:
                histories[unit_id] = History(pk, holder_id, last_from)
            elif known:
                histories[unit_id] = known._replace(last_from=last_from)
            else:
                histories[unit_id] = History(None, None, last_from)
    return histories


def snapshot_load(parsed: ParsedWorkbook) -> Snapshot:
    users: dict[str, UserRow] = {}
    for batch in chunks(sorted(_numbers(parsed))):
        rows = User.objects.filter(number__in=batch).values_list(
            "id",
            "number",
            "name",
            "email",
            "phone",
            "student__school_class_id",
            "staff__user_id",
            "staff__college_id",
            "staff__title",
        )
        for pk, number, name, email, phone, class_id, staff_id, staff_college_id, title in rows:
            users[number] = UserRow(
                pk, name, email, phone, class_id, staff_id is not None, staff_college_id, title or ""
            )
    snapshot = Snapshot(
        colleges={code: (pk, name) for pk, code, name in College.objects.values_list("id", "code", "name")},
        majors={
            code: (pk, name, college_id)
            for pk, code, name, college_id in Major.objects.values_list("id", "code", "name", "college_id")
        },
        classes={
            code: (pk, name, major_id, cohort)
            for pk, code, name, major_id, cohort in SchoolClass.objects.values_list(
                "id", "code", "name", "major_id", "cohort"
            )
        },
        users=users,
        semesters=list(Semester.objects.values_list("start_date", "end_date")),
        histories={},
    )
    for sheet_key, (model, unit_field, holder_field) in ASSIGNMENT_MODELS.items():
        sheet = parsed.sheets.get(sheet_key)
        if sheet is None:
            continue
        if sheet_key == "mentors":
            found = (users.get(cell_text(values.get("student"))) for _row, values in sheet.rows)
            unit_ids = {user.id for user in found if user is not None and user.class_id is not None}
        else:
            found_classes = (snapshot.classes.get(cell_text(values.get("unit"))) for _row, values in sheet.rows)
            unit_ids = {school_class[0] for school_class in found_classes if school_class is not None}
        snapshot.histories[sheet_key] = _histories(model, unit_field, holder_field, unit_ids)
    return snapshot
