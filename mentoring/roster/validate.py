"""Checking each sheet against the database, in dependency order, into a plan of writes or a list of bad cells.

Sheets go colleges → majors → classes → students → staff → assignments, each row against the database as the
earlier sheets would leave it, so a class may name a major added by the same workbook.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils.translation import gettext_noop

from mentoring.roster.checker import (
    BROKEN,
    CLASS_OUT_OF_SCOPE,
    COLLEGE_OUT_OF_SCOPE,
    Checker,
    cell_date,
)
from mentoring.roster.parse import ParsedWorkbook, SheetRows
from mentoring.roster.plan import AssignmentPlan, RosterPlan
from mentoring.roster.snapshot import Snapshot

_COHORT = re.compile(r"^(\d{4})\s*级?$")

HOLDER_NOT_FOUND = {
    "mentors": gettext_noop("Mentor %(number)s not found: add them to the staff sheet or check the number."),
    "advisors": gettext_noop("Class advisor %(number)s not found: add them to the staff sheet or check the number."),
    "counselors": gettext_noop("Counselor %(number)s not found: add them to the staff sheet or check the number."),
}


class _Validator(Checker):
    def colleges(self, sheet: SheetRows) -> None:
        count, seen = self.count(sheet), {}
        for row, values in sheet.rows:
            mark = len(self.plan.errors)
            code = self.cell(sheet, row, values, "code", limit=16, code=True)
            name = self.cell(sheet, row, values, "name", limit=64)
            existing = None
            if code is not None and self.unique(sheet, row, "code", code, seen):
                self.college_codes.add(code)
                existing = self.db.colleges.get(code)
                if existing is None and self.scope is not None:
                    self.error(
                        sheet,
                        row,
                        "code",
                        gettext_noop(
                            "College %(code)s does not exist; only the academic affairs office may add colleges."
                        ),
                        code=code,
                    )
                elif existing is not None and not self.in_scope(code):
                    self.error(sheet, row, "code", COLLEGE_OUT_OF_SCOPE, code=code)
            if len(self.plan.errors) > mark:
                continue
            if existing is None:
                self.plan.colleges_new.append((code, name))
                count.created += 1
            elif existing[1] != name:
                self.plan.colleges_changed.append((existing[0], name))
                count.updated += 1
            else:
                count.unchanged += 1

    def majors(self, sheet: SheetRows) -> None:
        count, seen = self.count(sheet), {}
        for row, values in sheet.rows:
            mark = len(self.plan.errors)
            code = self.cell(sheet, row, values, "code", limit=16, code=True)
            name = self.cell(sheet, row, values, "name", limit=64)
            college = self.cell(sheet, row, values, "college", limit=16, code=True)
            if code is not None and not self.unique(sheet, row, "code", code, seen):
                continue
            if college is not None:
                self.check_college(sheet, row, "college", college)
            existing = self.db.majors.get(code) if code else None
            if existing is not None and not self.in_scope(self.db_major_college[existing[0]]):
                self.error(
                    sheet,
                    row,
                    "code",
                    gettext_noop("Major %(code)s belongs to college %(college)s, which you do not administer."),
                    code=code,
                    college=self.db_major_college[existing[0]],
                )
            if len(self.plan.errors) > mark:
                if code is not None and existing is None:
                    self.major_college[code] = BROKEN
                continue
            self.major_college[code] = college
            college_id = self.db.colleges.get(college, (None,))[0]
            if existing is None:
                self.plan.majors_new.append((code, name, college))
                count.created += 1
            elif (existing[1], existing[2]) != (name, college_id):
                self.plan.majors_changed.append((existing[0], name, college))
                count.updated += 1
            else:
                count.unchanged += 1

    def classes(self, sheet: SheetRows) -> None:
        count, seen = self.count(sheet), {}
        for row, values in sheet.rows:
            mark = len(self.plan.errors)
            code = self.cell(sheet, row, values, "code", limit=32, code=True)
            name = self.cell(sheet, row, values, "name", limit=64)
            major = self.cell(sheet, row, values, "major", limit=16, code=True)
            cohort_text = self.cell(sheet, row, values, "cohort", limit=8)
            if code is not None and not self.unique(sheet, row, "code", code, seen):
                continue
            cohort = None
            if cohort_text is not None:
                match = _COHORT.match(cohort_text)
                cohort = int(match.group(1)) if match else None
                if cohort is None or not 1950 <= cohort <= 2200:
                    self.error(sheet, row, "cohort", gettext_noop("Write the year of entry, e.g. 2024."))
            usable = True
            if major is not None:
                if major not in self.major_college:
                    self.error(
                        sheet,
                        row,
                        "major",
                        gettext_noop("Unknown major code %(code)s: add it to the majors sheet or check the spelling."),
                        code=major,
                    )
                elif self.major_college[major] is BROKEN:
                    usable = False
                elif not self.in_scope(self.major_college[major]):
                    self.error(
                        sheet,
                        row,
                        "major",
                        gettext_noop("Major %(code)s belongs to college %(college)s, which you do not administer."),
                        code=major,
                        college=self.major_college[major],
                    )
            existing = self.db.classes.get(code) if code else None
            if existing is not None and not self.in_scope(self.db_class_college[existing[0]]):
                self.error(
                    sheet, row, "code", CLASS_OUT_OF_SCOPE, code=code, college=self.db_class_college[existing[0]]
                )
            if len(self.plan.errors) > mark or not usable:
                if code is not None and existing is None:
                    self.class_major[code] = BROKEN
                continue
            self.class_major[code] = major
            major_id = self.db.majors.get(major, (None,))[0]
            if existing is None:
                self.plan.classes_new.append((code, name, major, cohort))
                count.created += 1
            elif (existing[1], existing[2], existing[3]) != (name, major_id, cohort):
                self.plan.classes_changed.append((existing[0], name, major, cohort))
                count.updated += 1
            else:
                count.unchanged += 1

    def students(self, sheet: SheetRows) -> None:
        count = self.count(sheet)
        for row, values in sheet.rows:
            mark = len(self.plan.errors)
            number = self.cell(sheet, row, values, "number", limit=32, code=True)
            name = self.cell(sheet, row, values, "name", limit=64)
            class_code = self.cell(sheet, row, values, "class", limit=32, code=True)
            email, phone = self.contact(sheet, row, values)
            if number is not None and not self.unique(sheet, row, "number", number, self.student_rows):
                continue
            usable = class_code is None or self.check_class(sheet, row, "class", class_code)
            user = self.db.users.get(number) if number else None
            if user is not None and user.class_id is None:
                message = (
                    gettext_noop("Number %(number)s belongs to a staff member, not a student.")
                    if user.is_staff_member
                    else gettext_noop("Number %(number)s belongs to an account that is not a student.")
                )
                self.error(sheet, row, "number", message, number=number)
            elif user is not None and not self.in_scope(self.db_class_college[user.class_id]):
                self.error(
                    sheet,
                    row,
                    "number",
                    gettext_noop("Student %(number)s is in college %(college)s, which you do not administer."),
                    number=number,
                    college=self.db_class_college[user.class_id],
                )
            if len(self.plan.errors) > mark or not usable:
                if number is not None and number not in self.student_class:
                    self.student_class[number] = BROKEN
                continue
            self.student_class[number] = class_code
            if user is None:
                self.plan.users_new.append((number, name, email, phone))
                self.plan.students_new.append((number, class_code))
                count.created += 1
                continue
            changed = self.user_change(user, name, email, phone)
            if self.db.classes.get(class_code, (None,))[0] != user.class_id:
                self.plan.students_moved.append((user.id, class_code))
                changed = True
            if changed:
                count.updated += 1
            else:
                count.unchanged += 1

    def staff(self, sheet: SheetRows) -> None:
        count, seen = self.count(sheet), {}
        college_code = {pk: code for code, (pk, _name) in self.db.colleges.items()}
        for row, values in sheet.rows:
            mark = len(self.plan.errors)
            number = self.cell(sheet, row, values, "number", limit=32, code=True)
            name = self.cell(sheet, row, values, "name", limit=64)
            college = self.cell(sheet, row, values, "college", limit=16, required=False, code=True)
            title = self.cell(sheet, row, values, "title", limit=64, required=False)
            email, phone = self.contact(sheet, row, values)
            if number is not None and not self.unique(sheet, row, "number", number, seen):
                continue
            if number is not None:
                self.staff_numbers.add(number)
            if number in self.student_rows:
                self.error(
                    sheet,
                    row,
                    "number",
                    gettext_noop("Number %(number)s is also on the students sheet (row %(row)s)."),
                    number=number,
                    row=self.student_rows[number],
                )
            if college:
                self.check_college(sheet, row, "college", college)
            user = self.db.users.get(number) if number else None
            old_college = college_code.get(user.staff_college_id) if user and user.is_staff_member else None
            if user is not None and user.class_id is not None:
                self.error(sheet, row, "number", gettext_noop("Number %(number)s belongs to a student."), number=number)
            elif user is not None and user.is_staff_member and not self.in_scope(old_college):
                self.error(
                    sheet,
                    row,
                    "number",
                    gettext_noop("Staff member %(number)s is not in a college you administer."),
                    number=number,
                )
            elif user is not None and not user.is_staff_member and self.scope is not None:
                self.error(
                    sheet,
                    row,
                    "number",
                    gettext_noop(
                        "Number %(number)s belongs to an account you may not change; ask the academic affairs office."
                    ),
                    number=number,
                )
            elif college == "" and old_college is None and self.scope is not None:
                self.error(sheet, row, "college", gettext_noop("Fill in the code of a college you administer."))
            if len(self.plan.errors) > mark:
                continue
            if user is None:
                self.plan.users_new.append((number, name, email, phone))
                self.plan.staff_new.append((number, college or None, title))
                count.created += 1
                continue
            changed = self.user_change(user, name, email, phone)
            if not user.is_staff_member:
                self.plan.staff_new.append((number, college or None, title))
                count.created += 1
                continue
            new_college, new_title = college or old_college, title or user.staff_title
            if (new_college, new_title) != (old_college, user.staff_title):
                self.plan.staff_changed.append((user.id, new_college, new_title))
                changed = True
            if changed:
                count.updated += 1
            else:
                count.unchanged += 1

    def assignments(self, sheet: SheetRows) -> None:
        kind = sheet.spec.key
        plan = self.plan.assignments.setdefault(kind, AssignmentPlan())
        histories = self.db.histories.get(kind, {})
        unit_key = "student" if kind == "mentors" else "unit"
        count, seen = self.count(sheet), {}
        for row, values in sheet.rows:
            mark = len(self.plan.errors)
            unit = self.cell(sheet, row, values, unit_key, limit=32, code=True)
            holder = self.cell(sheet, row, values, "holder", limit=32, code=True)
            start = cell_date(values.get("start"))
            if unit is not None and not self.unique(sheet, row, unit_key, unit, seen):
                continue
            usable = unit is None or self.check_unit(sheet, row, kind, unit_key, unit)
            if holder is not None and holder not in self.staff_numbers:
                if holder in self.student_class:
                    self.error(
                        sheet,
                        row,
                        "holder",
                        gettext_noop("%(number)s is a student, not a staff member."),
                        number=holder,
                    )
                else:
                    self.error(sheet, row, "holder", HOLDER_NOT_FOUND[kind], number=holder)
            if start is None:
                self.error(sheet, row, "start", gettext_noop("Not a date: write it as 2025-09-08."))
            elif not any(first <= start <= last for first, last in self.db.semesters):
                self.error(
                    sheet,
                    row,
                    "start",
                    gettext_noop(
                        "%(day)s is outside every semester of the calendar: pick a day within a semester, or ask "
                        "the academic affairs office to add the semester."
                    ),
                    day=start.isoformat(),
                )
            if len(self.plan.errors) > mark or not usable:
                continue
            if kind == "mentors":
                user = self.db.users.get(unit)
                unit_id = user.id if user is not None and user.class_id is not None else None
            else:
                unit_id = self.db.classes[unit][0] if unit in self.db.classes else None
            history = histories.get(unit_id) if unit_id is not None else None
            holder_user = self.db.users.get(holder)
            if history is not None and holder_user is not None and history.open_holder_id == holder_user.id:
                count.unchanged += 1
                continue
            if history is not None and start <= history.last_from:
                self.error(
                    sheet,
                    row,
                    "start",
                    gettext_noop(
                        "%(unit)s already has an assignment starting on %(day)s; the new start date must be later."
                    ),
                    unit=unit,
                    day=history.last_from.isoformat(),
                )
                continue
            if history is not None and history.open_id is not None:
                plan.closes.append((history.open_id, start - timedelta(days=1)))
                count.updated += 1
            else:
                count.created += 1
            plan.opens.append((unit, holder, start))

    def check_unit(self, sheet: SheetRows, row: int, kind: str, key: str, unit: str) -> bool:
        if kind != "mentors":
            return self.check_class(sheet, row, key, unit)
        if unit not in self.student_class:
            self.error(
                sheet,
                row,
                key,
                gettext_noop("Student %(number)s not found: add them to the students sheet or check the number."),
                number=unit,
            )
            return False
        class_code = self.student_class[unit]
        college = None if class_code is BROKEN else self.class_college(class_code)
        if college is BROKEN:
            return False
        if not self.in_scope(college):
            self.error(
                sheet,
                row,
                key,
                gettext_noop("Student %(number)s is in college %(college)s, which you do not administer."),
                number=unit,
                college=college,
            )
            return False
        return True


def plan_build(*, parsed: ParsedWorkbook, snapshot: Snapshot, scope_ids: set[int] | None) -> RosterPlan:
    """Check every row; `scope_ids` are the colleges the actor administers (None: all, school admin or system)."""
    validator = _Validator(parsed, snapshot, scope_ids)
    if parsed.errors:
        return validator.plan  # structural problems first: rows of a malformed workbook would only add noise
    checks = {
        "colleges": validator.colleges,
        "majors": validator.majors,
        "classes": validator.classes,
        "students": validator.students,
        "staff": validator.staff,
        "mentors": validator.assignments,
        "advisors": validator.assignments,
        "counselors": validator.assignments,
    }
    for key, check in checks.items():
        if key in parsed.sheets:
            check(parsed.sheets[key])
    return validator.plan
