"""The outcome of checking a workbook: counts per sheet, every bad cell, and the writes to make."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from mentoring.roster.parse import CellError
from mentoring.roster.snapshot import Snapshot


@dataclass
class SheetCount:
    key: str
    title: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


@dataclass
class AssignmentPlan:
    closes: list[tuple[int, date]] = field(default_factory=list)  # (open row id, last day)
    opens: list[tuple[str, str, date]] = field(default_factory=list)  # (student number or class code, holder, start)


@dataclass
class RosterPlan:
    snapshot: Snapshot
    counts: list[SheetCount] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    colleges_new: list[tuple[str, str]] = field(default_factory=list)
    colleges_changed: list[tuple[int, str]] = field(default_factory=list)
    majors_new: list[tuple[str, str, str]] = field(default_factory=list)
    majors_changed: list[tuple[int, str, str]] = field(default_factory=list)
    classes_new: list[tuple[str, str, str, int]] = field(default_factory=list)
    classes_changed: list[tuple[int, str, str, int]] = field(default_factory=list)
    users_new: list[tuple[str, str, str, str]] = field(default_factory=list)
    users_changed: list[tuple[int, str, str, str]] = field(default_factory=list)
    students_new: list[tuple[str, str]] = field(default_factory=list)
    students_moved: list[tuple[int, str]] = field(default_factory=list)
    staff_new: list[tuple[str, str | None, str]] = field(default_factory=list)
    staff_changed: list[tuple[int, str | None, str]] = field(default_factory=list)
    assignments: dict[str, AssignmentPlan] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def summary(self) -> dict:
        return {"sheets": [count.as_json() for count in self.counts], "error_count": len(self.errors)}
