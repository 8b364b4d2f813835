"""The Celery app. Settings (Redis broker and result backend from REDIS_URL, acks_late, prefetch 1, time limits,
the beat schedule) are the CELERY_* names of config/settings.py; without REDIS_URL tasks run inline (eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("yuren")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Reminder tasks live in `<app>/reminder_tasks.py` (mentoring's tasks.py holds its exports).
app.autodiscover_tasks(related_name="reminder_tasks")
