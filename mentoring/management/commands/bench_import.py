"""`manage.py bench_import`: the roster import at the size of a large university (DESIGN "Performance budgets").

Generates a workbook of 40,000 students, ~3,000 mentors, 1,000 classes, 200 counselors and 25 colleges (openpyxl
write-only mode, into a temporary file), imports it (validate, then apply), imports it again (all unchanged) and
prints the times and the peak RSS. Budget on PostgreSQL: ≤ 60 s and ≤ 500 MB. Run it on a database of its own;
the data it imports stays there.
"""

from __future__ import annotations

import random
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from openpyxl import Workbook

from accounts.models import College
from mentoring.models import Semester
from mentoring.roster.spec import SHEETS_BY_KEY
from mentoring.services.calendar import semester_create
from mentoring.services.roster import roster_apply, roster_validate

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀兰霞平刚桂英华玉萍红娥玲飞鹏辉宇浩然子轩梓涵欣怡思雨一诺嘉文晨阳"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _headers(key: str) -> list[str]:
    return [column.header for column in SHEETS_BY_KEY[key].columns]


def workbook_generate(
    path: Path, *, tag: str, start: date, colleges: int, classes: int, students: int, mentors: int, counselors: int
) -> None:
    rng = random.Random(2026)

    def name() -> str:
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEETS_BY_KEY["colleges"].title)
    sheet.append(_headers("colleges"))
    college_codes = [f"{tag}C{i:02d}" for i in range(colleges)]
    for code in college_codes:
        sheet.append([code, f"第{code}学院"])
    majors_per_college = 4
    sheet = workbook.create_sheet(SHEETS_BY_KEY["majors"].title)
    sheet.append(_headers("majors"))
    major_codes = []
    for college in college_codes:
        for m in range(majors_per_college):
            major_codes.append(f"{college}M{m}")
            sheet.append([major_codes[-1], f"{major_codes[-1]}专业", college])
    sheet = workbook.create_sheet(SHEETS_BY_KEY["classes"].title)
    sheet.append(_headers("classes"))
    class_codes = [f"{tag}K{i:04d}" for i in range(classes)]
    for i, code in enumerate(class_codes):
        sheet.append([code, f"{code}班", major_codes[i % len(major_codes)], 2022 + i % 4])
    sheet = workbook.create_sheet(SHEETS_BY_KEY["students"].title)
    sheet.append(_headers("students"))
    student_numbers = [f"{tag}{i:08d}" for i in range(students)]
    for i, number in enumerate(student_numbers):
        sheet.append([number, name(), class_codes[i % classes], f"{number.lower()}@stu.example.edu.cn", ""])
    sheet = workbook.create_sheet(SHEETS_BY_KEY["staff"].title)
    sheet.append(_headers("staff"))
    mentor_numbers = [f"{tag}T{i:05d}" for i in range(mentors)]
    counselor_numbers = [f"{tag}F{i:04d}" for i in range(counselors)]
    for i, number in enumerate(mentor_numbers):
        sheet.append([number, name(), college_codes[i % colleges], rng.choice(("讲师", "副教授", "教授")), "", ""])
    for i, number in enumerate(counselor_numbers):
        sheet.append([number, name(), college_codes[i % colleges], "辅导员", "", ""])
    sheet = workbook.create_sheet(SHEETS_BY_KEY["mentors"].title)
    sheet.append(_headers("mentors"))
    for i, number in enumerate(student_numbers):
        sheet.append([number, mentor_numbers[i % mentors], start])
    sheet = workbook.create_sheet(SHEETS_BY_KEY["advisors"].title)
    sheet.append(_headers("advisors"))
    for i, code in enumerate(class_codes):
        sheet.append([code, mentor_numbers[i % mentors], start])
    sheet = workbook.create_sheet(SHEETS_BY_KEY["counselors"].title)
    sheet.append(_headers("counselors"))
    for i, code in enumerate(class_codes):
        sheet.append([code, counselor_numbers[i % counselors], start])
    workbook.save(path)


class Command(BaseCommand):
    help = "Benchmark the roster import with a generated 40,000-student workbook (budget: 60 s, 500 MB)."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=40_000)
        parser.add_argument("--mentors", type=int, default=3_000)
        parser.add_argument("--classes", type=int, default=1_000)
        parser.add_argument("--counselors", type=int, default=200)
        parser.add_argument("--colleges", type=int, default=25)
        parser.add_argument("--tag", default="B", help="prefix of every generated number and code")

    def handle(self, *args, students, mentors, classes, counselors, colleges, tag, **options):
        if College.objects.filter(code__startswith=f"{tag}C").exists():
            raise CommandError(f"Bench data with tag {tag!r} already exists: use another --tag or a fresh database.")
        semester = Semester.objects.order_by("start_date").first()
        if semester is None:
            first = date(2025, 9, 8)
            semester = semester_create(
                actor=None, start_year=2025, term=1, start_date=first, end_date=first + timedelta(days=18 * 7 - 1)
            )
            self.stdout.write(f"Created the semester {semester} for the start dates.")
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "bench-roster.xlsx"
            began = time.perf_counter()
            workbook_generate(
                path,
                tag=tag,
                start=semester.start_date,
                colleges=colleges,
                classes=classes,
                students=students,
                mentors=mentors,
                counselors=counselors,
            )
            content = path.read_bytes()
        generated = time.perf_counter()
        self.stdout.write(f"workbook: {len(content) / 1e6:.1f} MB, generated in {generated - began:.1f} s")

        plan = roster_validate(actor=None, content=content)
        if not plan.is_valid:
            raise CommandError(f"The generated workbook is invalid: {plan.errors[:5]}")
        validated = time.perf_counter()
        roster_apply(actor=None, content=content, source=path.name)
        applied = time.perf_counter()
        again = roster_apply(actor=None, content=content, source=path.name)
        reimported = time.perf_counter()
        unchanged = sum(count.unchanged for count in again.counts)
        changed = sum(count.created + count.updated for count in again.counts)

        self.stdout.write(f"validate:  {validated - generated:6.1f} s")
        self.stdout.write(f"apply:     {applied - validated:6.1f} s  (re-validates, then writes)")
        self.stdout.write(f"total:     {applied - generated:6.1f} s  (validate + apply; budget 60 s)")
        self.stdout.write(f"re-import: {reimported - applied:6.1f} s  ({unchanged} rows unchanged, {changed} changed)")
        self.stdout.write(f"peak RSS:  {_peak_rss_mb():6.0f} MB (budget 500 MB)")
