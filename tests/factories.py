"""factory_boy factories: plain data, no surprises. Relations that matter are made through services."""

from __future__ import annotations

from datetime import date

import factory

from accounts.models import College, Major, SchoolClass, Staff, Student, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"U{n:06d}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save(update_fields=["password"])


class CollegeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = College

    code = factory.Sequence(lambda n: f"C{n:02d}")
    name = factory.Sequence(lambda n: f"学院{n}")


class MajorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Major

    college = factory.SubFactory(CollegeFactory)
    code = factory.Sequence(lambda n: f"M{n:02d}")
    name = factory.Sequence(lambda n: f"专业{n}")


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    major = factory.SubFactory(MajorFactory)
    code = factory.Sequence(lambda n: f"K{n:03d}")
    name = factory.Sequence(lambda n: f"班级{n}")
    cohort = 2024


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    user = factory.SubFactory(UserFactory, number=factory.Sequence(lambda n: f"T{n:05d}"))
    college = None
    title = "讲师"


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    user = factory.SubFactory(UserFactory, number=factory.Sequence(lambda n: f"2024{n:06d}"))
    school_class = factory.SubFactory(SchoolClassFactory)


FALL_2025 = (date(2025, 9, 8), date(2026, 1, 18))
