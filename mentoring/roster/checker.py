"""The state and helpers shared by the sheet checks in `validate`: reading cells, reporting errors, scope.

A college admin may only touch rows of the colleges they administer, before and after the change. The checker
tracks the database *as the workbook would leave it*; BROKEN marks a key whose own row is bad, so rows that
refer to it are not reported a second time.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_noop

from mentoring.roster.parse import CellError, ParsedWorkbook, SheetRows
from mentoring.roster.plan import RosterPlan, SheetCount
from mentoring.roster.snapshot import Snapshot, UserRow, cell_text

_CODE = re.compile(r"^[^\s/\\?#%]+$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
BROKEN = None

UNKNOWN_CLASS = gettext_noop("Unknown class code %(code)s: add it to the classes sheet or check the spelling.")
CLASS_OUT_OF_SCOPE = gettext_noop("Class %(code)s belongs to college %(college)s, which you do not administer.")
COLLEGE_OUT_OF_SCOPE = gettext_noop("You do not administer college %(code)s.")


def cell_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE.match(cell_text(value))
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


class Checker:
    def __init__(self, parsed: ParsedWorkbook, snapshot: Snapshot, scope_ids: set[int] | None) -> None:
        db = self.db = snapshot
        self.plan = RosterPlan(snapshot=snapshot, errors=list(parsed.errors))
        college_code = {pk: code for code, (pk, _name) in db.colleges.items()}
        major_code = {pk: code for code, (pk, _name, _college) in db.majors.items()}
        self.scope = None if scope_ids is None else {college_code[pk] for pk in scope_ids if pk in college_code}
        self.db_major_college = {pk: college_code[college] for pk, _name, college in db.majors.values()}
        self.db_class_college = {pk: self.db_major_college[major] for pk, _n, major, _c in db.classes.values()}
        # The database as the workbook would leave it; BROKEN marks keys whose own row is bad.
        self.college_codes = set(db.colleges)
        self.major_college: dict[str, str | None] = {code: college_code[row[2]] for code, row in db.majors.items()}
        self.class_major: dict[str, str | None] = {code: major_code[row[2]] for code, row in db.classes.items()}
        class_code = {row[0]: code for code, row in db.classes.items()}
        self.student_class: dict[str, str | None] = {
            number: class_code[user.class_id] for number, user in db.users.items() if user.class_id is not None
        }
        self.staff_numbers = {number for number, user in db.users.items() if user.is_staff_member}
        self.student_rows: dict[str, int] = {}

    # -- helpers ----------------------------------------------------------------------------------------------

    def error(self, sheet: SheetRows, row: int, key: str, message: str, **params) -> None:
        header, letter = sheet.locate(key)
        self.plan.errors.append(CellError(sheet.title, row, header, letter, message, params))

    def cell(
        self, sheet: SheetRows, row: int, values: dict, key: str, *, limit: int, required: bool = True, code=False
    ) -> str | None:
        """The cell's text; "" for an empty optional cell; None (and an error) when it is not acceptable."""
        text = cell_text(values.get(key))
        if not text:
            if required:
                self.error(sheet, row, key, gettext_noop("This cell may not be empty."))
                return None
            return ""
        if len(text) > limit:
            self.error(sheet, row, key, gettext_noop("Too long: at most %(limit)s characters."), limit=limit)
            return None
        if code and not _CODE.match(text):
            self.error(
                sheet, row, key, gettext_noop("%(value)s may not contain spaces, slashes, ?, # or %%."), value=text
            )
            return None
        return text

    def unique(self, sheet: SheetRows, row: int, key: str, value: str, seen: dict[str, int]) -> bool:
        if value in seen:
            self.error(
                sheet,
                row,
                key,
                gettext_noop("Duplicate %(value)s: it is already on row %(first)s."),
                value=value,
                first=seen[value],
            )
            return False
        seen[value] = row
        return True

    def in_scope(self, college: str | None) -> bool:
        return self.scope is None or college in self.scope

    def count(self, sheet: SheetRows) -> SheetCount:
        count = SheetCount(key=sheet.spec.key, title=sheet.title)
        self.plan.counts.append(count)
        return count

    def check_college(self, sheet: SheetRows, row: int, key: str, code: str) -> None:
        if code not in self.college_codes:
            self.error(
                sheet,
                row,
                key,
                gettext_noop("Unknown college code %(code)s: add it to the colleges sheet or check the spelling."),
                code=code,
            )
        elif not self.in_scope(code):
            self.error(sheet, row, key, COLLEGE_OUT_OF_SCOPE, code=code)

    def class_college(self, code: str) -> str | None:
        major = self.class_major.get(code)
        return None if major is None else self.major_college.get(major)

    def check_class(self, sheet: SheetRows, row: int, key: str, code: str) -> bool:
        """False when the class is unusable: an error was reported, or (silently) its own row is bad."""
        if code not in self.class_major:
            self.error(sheet, row, key, UNKNOWN_CLASS, code=code)
            return False
        college = self.class_college(code)
        if college is BROKEN:
            return False
        if not self.in_scope(college):
            self.error(sheet, row, key, CLASS_OUT_OF_SCOPE, code=code, college=college)
            return False
        return True

    def contact(self, sheet: SheetRows, row: int, values: dict) -> tuple[str | None, str | None]:
        email = self.cell(sheet, row, values, "email", limit=254, required=False)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.error(sheet, row, "email", gettext_noop("%(value)s is not an email address."), value=email)
                email = None
        phone = self.cell(sheet, row, values, "phone", limit=32, required=False)
        return email, phone

    def user_change(self, user: UserRow, name: str, email: str, phone: str) -> bool:
        email, phone = email or user.email, phone or user.phone
        if (name, email, phone) == (user.name, user.email, user.phone):
            return False
        self.plan.users_changed.append((user.id, name, email, phone))
        return True
