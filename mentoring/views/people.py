"""Home page and the people pages: students, classes, staff, colleges — all scoped by selectors.people."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render

from mentoring.selectors.people import (
    carers_of,
    class_get_visible,
    classes_of,
    classes_visible_to,
    colleges_visible_to,
    roles_of,
    staff_visible_to,
    student_get_visible,
    students_of_mentor,
    students_visible_to,
)

PAGE_SIZE = 50


def _search(queryset, request, *fields: str):
    term = request.GET.get("q", "").strip()
    if term:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(condition)
    return queryset, term


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def home(request):
    user = request.user
    roles = roles_of(user)
    context: dict = {"roles": roles}
    if roles.is_mentor:
        context["mentor_students"] = list(students_of_mentor(user))
    if roles.is_advisor:
        context["advised_classes"] = list(classes_of(user, role="advisor"))
    if roles.is_counselor:
        context["counseled_classes"] = list(classes_of(user, role="counselor"))
    if roles.is_student:
        context["carers"] = carers_of(user.student)
    if roles.is_college_admin or roles.sees_all_colleges or roles.student_affairs_college_ids:
        context["colleges"] = list(
            colleges_visible_to(user).annotate(
                class_count=Count("majors__classes", distinct=True),
                student_count=Count("majors__classes__students", distinct=True),
            )
        )
    return render(request, "mentoring/home.html", context)


@login_required
@permission_required("mentoring.list_students", raise_exception=True)
def student_list(request):
    students, term = _search(students_visible_to(request.user), request, "user__number", "user__name")
    school_class = request.GET.get("class", "").strip()
    if school_class:
        students = students.filter(school_class__code=school_class)
    return render(
        request,
        "mentoring/student_list.html",
        {"page": _page(request, students), "q": term, "class_code": school_class},
    )


@login_required
def student_detail(request, number: str):
    student = student_get_visible(request.user, number=number)
    return render(request, "mentoring/student_detail.html", {"student": student, "carers": carers_of(student)})


@login_required
@permission_required("mentoring.list_classes", raise_exception=True)
def class_list(request):
    classes, term = _search(classes_visible_to(request.user), request, "code", "name")
    return render(request, "mentoring/class_list.html", {"page": _page(request, classes), "q": term})


@login_required
def class_detail(request, code: str):
    school_class = class_get_visible(request.user, code=code)
    students = students_visible_to(request.user).filter(school_class=school_class)
    return render(
        request,
        "mentoring/class_detail.html",
        {"school_class": school_class, "students": students},
    )


@login_required
@permission_required("mentoring.list_staff", raise_exception=True)
def staff_list(request):
    staff, term = _search(staff_visible_to(request.user), request, "user__number", "user__name")
    return render(request, "mentoring/staff_list.html", {"page": _page(request, staff), "q": term})
