"""`field__any_of=[ids]`: membership in a list of integers, without Django preparing each value on its own.

`__in` runs every element through the field's preparation (a related field's twice), which for the engine's lists of
a college's people and classes costs more than the query itself. The values here are ids already, and go to the
database as a plain IN list. Not as one array parameter (`= ANY(%s)`): PostgreSQL 15 tests a row against an IN list
of constants with a hash table but against an array parameter one element after another, which made a college's
colleague count (3,000 rows of the semester tested against 128 people twice) take 5 ms instead of 0.7 ms. An empty
list matches nothing.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import Lookup


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [int(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = self.rhs
        if not values:
            raise EmptyResultSet
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", (*lhs_params, *values)


models.IntegerField.register_lookup(AnyOf)
models.ForeignKey.register_lookup(AnyOf)
