"""The roster import: an .xlsx workbook of colleges, majors, classes, students, staff and assignments.

`spec` says what the workbook looks like, `parse` checks the file and reads its rows, `validate` compares them
with the database and plans every write (or lists every bad cell), `apply` carries the plan out in bulk.
Callers use `mentoring.services.roster`, not these modules.
"""
