"""Loaded with `-p tests.test_mode` before pytest-django configures Django: tests run in DJANGO_ENV=test."""

import os

os.environ.setdefault("DJANGO_ENV", "test")
