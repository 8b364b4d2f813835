"""Signals of the accounts app for the apps above it (which accounts may not import)."""

from django.dispatch import Signal

# Sent when people or the organisation (users, colleges, majors, classes, students, staff) were changed outside a
# service, in the admin site. The mentoring app drops what it has cached of them (its compliance numbers).
org_changed_outside_services = Signal()
