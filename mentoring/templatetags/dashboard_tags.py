"""Template filters of the dashboard pages: the rows' repeated cells rendered in one pass.

A school page shows some 30 counselors × 20 weeks of grid cells and 30 people's lacks, and a drill-down a line per
student and 100 records; as template nodes they cost more than the rest of the page together, so each row's cells
are put together here, escaped the same way.
"""

from html import escape  # what django.utils.html.escape does to a str, without its check for lazy strings
from urllib.parse import quote

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def week_cells(row) -> SafeString:
    """A counselor's week cells: a status colour, the counts as a tooltip and for screen readers, and a mark."""
    parts = []
    seen: dict[tuple, str] = {}  # most cells of a row repeat a few statuses and counts
    for cell in row.cells:
        key = (cell.status, cell.counts)
        html = seen.get(key)
        if html is None:
            counts = escape(cell.counts)
            html = seen[key] = (
                f'<td class="cell cell-{escape(cell.css)}" title="{counts}"><span class="sr-only">'
                f'{escape(cell.status or "—")} {counts}</span><span aria-hidden="true">{escape(cell.mark)}</span></td>'
            )
        parts.append(html)
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
            n = lack.records_needed
            text += " · " + escape(ngettext("%(n)s record needed", "%(n)s records needed", n) % {"n": n})
        parts.append(f'<span class="lack">{text}</span>')
    return mark_safe("; ".join(parts))  # every value above is escaped


class PersonLinks:
    """How a row links to a person's drill-down for the semester in view (one reverse a page, not one a row)."""

    def __init__(self, prefix: str, semester_pk: int):
        self.prefix = prefix
        self.suffix = f"/?semester={semester_pk}"

    def link(self, number: str, name: str) -> str:
        return f'<a href="{escape(self.prefix + quote(number, safe=""))}{self.suffix}">{escape(name)}</a>'


def _status_tag(status: str) -> str:
    if status == "short":
        return f'<span class="tag bad">{escape(_("short"))}</span>'
    return f'<span class="tag warn">{escape(_("under way"))}</span>'


@register.filter
def laggard_rows(people, links: PersonLinks) -> SafeString:
    """The "who lags most" table's rows: name and number, short lines, records needed, what is lacking."""
    return mark_safe(  # every value below is escaped
        "".join(
            f'<tr><td>{links.link(p.number, p.name)} <span class="muted">{escape(p.number)}</span></td>'
            f'<td class="num">{p.short}</td><td class="num">{p.records_needed}</td>'
            f'<td class="long">{lacks(p)}</td></tr>'
            for p in people
        )
    )


def _unit_rows(units, links: PersonLinks, *, of_classes: bool) -> SafeString:
    """Students short of talks (mentor, student, talks, status) or classes short of meetings (class, who is
    responsible, the rule, meetings, status): counts of the minimum, each value escaped."""
    rows = []
    for u in units:
        unit = f'<td>{escape(u.unit_name)} <span class="muted">{escape(u.unit_code)}</span></td>'
        person = f"<td>{links.link(u.person_number, u.person_name)}</td>"
        middle = (
            unit + person + f'<td><span class="tag">{escape(u.requirement)}</span></td>'
            if of_classes
            else person + unit
        )
        rows.append(f'<tr>{middle}<td class="num">{u.count}/{u.required}</td><td>{_status_tag(u.status)}</td></tr>')
    return mark_safe("".join(rows))  # every value above is escaped


@register.filter
def student_rows(units, links: PersonLinks) -> SafeString:
    return _unit_rows(units, links, of_classes=False)


@register.filter
def class_rows(units, links: PersonLinks) -> SafeString:
    return _unit_rows(units, links, of_classes=True)


@register.filter
def person_link(row, links: PersonLinks) -> SafeString:
    """A grid row's counselor, linked to their drill-down."""
    return mark_safe(links.link(row.number, row.name))  # escaped in link()


def _line_status(status: str) -> str:
    if status == "met":
        return f'<span class="tag ok">{escape(_("met"))}</span>'
    if status == "short":
        return f'<span class="tag bad">{escape(_("short"))}</span>'
    if status == "pending":
        return f'<span class="tag warn">{escape(_("under way"))}</span>'
    return f'<span class="muted">{escape(_("not yet due"))}</span>'


@register.filter
def standing_rows(rows) -> SafeString:
    """A standing's lines on the drill-down: the student, class or colleague, the period, count/required, status."""
    tags: dict[str, str] = {}  # four statuses, translated once a table
    parts = []
    for row in rows:
        line = row.line
        tag = tags.get(line.status)
        if tag is None:
            tag = tags[line.status] = _line_status(line.status)
        parts.append(
            f"<tr><td>{escape(row.unit)}</td><td>{escape(row.period)}</td>"
            f'<td class="num">{line.count}/{line.required}</td><td>{tag}</td></tr>'
        )
    return mark_safe("".join(parts))  # every value above is escaped


@register.filter
def record_rows(records, detail_prefix: str) -> SafeString:
    """The drill-down's records: the date linking to the record (`detail_prefix` + id + "/"), a late mark, the
    kind's label, the class's name (— for none), the number of students (the view's `RecordRow`s)."""
    late = f' <span class="tag warn">{escape(_("late"))}</span>'
    prefix = escape(detail_prefix)
    return mark_safe(  # every value below is escaped
        "".join(
            f'<tr><td class="nowrap"><a href="{prefix}{r.pk}/">{r.day:%Y-%m-%d}</a>{late if r.late else ""}</td>'
            f"<td>{escape(str(r.kind_label))}</td><td>{escape(r.class_name or '—')}</td>"
            f'<td class="num">{r.student_count}</td></tr>'
            for r in records
        )
    )


@register.filter
def semester_options(semesters, chosen) -> SafeString:
    """The semester filter's options, `chosen` (a semester or None) selected: every dashboard page prints a dozen."""
    chosen_pk = getattr(chosen, "pk", None)
    return mark_safe(  # every value below is escaped
        "".join(
            f'<option value="{s.pk}"{" selected" if s.pk == chosen_pk else ""}>{escape(str(s))}</option>'
            for s in semesters
        )
    )


@register.filter
def standing_cards(standings) -> SafeString:
    """The drill-down's cards, one a rule: the requirement, the rule's title and its verdict, how many of the due
    periods or units are met (and how many records are still needed), the lines in a table that opens on demand
    (`standings`: the view's (standing, title, rows) triples)."""
    # The headers' strings outside the f-string: makemessages (xgettext) does not look inside one.
    unit, period, count, status = (escape(text) for text in (_("Unit"), _("Period"), _("Count"), _("Status")))
    head = (
        f'<thead><tr><th scope="col">{unit}</th><th scope="col">{period}</th>'
        f'<th scope="col" class="num">{count}</th><th scope="col">{status}</th></tr></thead>'
    )
    line_by_line = escape(_("Line by line"))
    cards = []
    for standing, title, rows in standings:
        if standing.short:
            verdict = f'<span class="tag bad">{escape(_("short"))}</span>'
        elif standing.pending:
            verdict = f'<span class="tag warn">{escape(_("under way"))}</span>'
        else:
            verdict = f'<span class="tag ok">{escape(_("met"))}</span>'
        numbers = {"met": standing.met, "total": standing.total}
        n = standing.records_needed
        if n:
            summary = ngettext(
                "%(met)s of %(total)s due met · %(n)s record needed",
                "%(met)s of %(total)s due met · %(n)s records needed",
                n,
            ) % {**numbers, "n": n}
        else:
            summary = _("%(met)s of %(total)s due met") % numbers
        cards.append(
            f'<section class="card"><h2><span class="tag">{escape(standing.rule.requirement)}</span> '
            f"{escape(str(title))} {verdict}</h2><p>{escape(summary)}</p>"
            f'<details><summary>{line_by_line}</summary><div class="table-wrap"><table>{head}'
            f"<tbody>{standing_rows(rows)}</tbody></table></div></details></section>"
        )
    return mark_safe("".join(cards))  # every value above is escaped
