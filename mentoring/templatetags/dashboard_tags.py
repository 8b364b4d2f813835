"""Template filters of the dashboard pages: the rows' repeated cells rendered in one pass.

A school page shows some 30 counselors × 20 weeks of grid cells and 30 people's lacks; as template nodes they cost
more than the rest of the page together, so each row's cells are put together here, escaped the same way.
"""

from html import escape  # what django.utils.html.escape does to a str, without its check for lazy strings

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def week_cells(row) -> SafeString:
    """A counselor's week cells: a status colour, the counts as a tooltip and for screen readers, and a mark."""
    parts = []
    for cell in row.cells:
        counts = escape(cell.counts)
        parts.append(
            f'<td class="cell cell-{escape(cell.css)}" title="{counts}"><span class="sr-only">'
            f'{escape(cell.status or "—")} {counts}</span><span aria-hidden="true">{escape(cell.mark)}</span></td>'
        )
    return mark_safe("".join(parts))  # every value above is escaped


@register.filter
def lacks(person) -> SafeString:
    """What a person lacks, rule by rule: "title · 2 short · 3 records needed; …"."""
    parts = []
    for lack in person.lacks:
        text = escape(str(lack.title))
        if lack.short:
            text += " · " + escape(_("%(n)s short") % {"n": lack.short})
        if lack.records_needed:
            text += " · " + escape(_("%(n)s records needed") % {"n": lack.records_needed})
        parts.append(f'<span class="lack">{text}</span>')
    return mark_safe("; ".join(parts))  # every value above is escaped
