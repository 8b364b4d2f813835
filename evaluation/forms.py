"""Browser forms of the evaluation; they only parse input, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.models import SCALE_MAX, SCALE_MIN, PeerMode
from evaluation.services.cycles import DEFAULT_QUESTIONS, CycleSettings
from mentoring.models import AcademicYear


class CycleOpenForm(forms.Form):
    academic_year = forms.ModelChoiceField(
        AcademicYear.objects.order_by("-start_year"), label=_("Academic year judged")
    )
    survey_until = forms.DateField(label=_("Self reports and student survey until"))
    peer_until = forms.DateField(label=_("Peer recognition until"))
    college_until = forms.DateField(label=_("College review until"))
    school_until = forms.DateField(label=_("School review until"))
    weight_compliance = forms.IntegerField(label=_("Weight of duty compliance (%)"), initial=40, min_value=0)
    weight_satisfaction = forms.IntegerField(label=_("Weight of student satisfaction (%)"), initial=40, min_value=0)
    weight_peer = forms.IntegerField(label=_("Weight of peer recognition (%)"), initial=20, min_value=0)
    pass_threshold = forms.IntegerField(
        label=_("Duty compliance passes at (percent of rules met)"), initial=100, min_value=0, max_value=100
    )
    peer_mode = forms.ChoiceField(label=_("Peer recognition by"), choices=PeerMode.choices, initial=PeerMode.VOTES)
    votes_per_person = forms.IntegerField(label=_("Votes per person"), initial=3, min_value=1, max_value=20)
    recommend_percent = forms.IntegerField(
        label=_("College recommendation quota (percent of the college's people in a role)"),
        initial=20,
        min_value=1,
        max_value=100,
    )
    questions = forms.CharField(
        label=_("Survey questions (one per line)"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["questions"].initial = "\n".join(str(q) for q in DEFAULT_QUESTIONS)
        for name in ("survey_until", "peer_until", "college_until", "school_until"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def to_settings(self) -> CycleSettings:
        data = self.cleaned_data
        return CycleSettings(
            survey_until=data["survey_until"],
            peer_until=data["peer_until"],
            college_until=data["college_until"],
            school_until=data["school_until"],
            weight_compliance=data["weight_compliance"],
            weight_satisfaction=data["weight_satisfaction"],
            weight_peer=data["weight_peer"],
            pass_threshold=data["pass_threshold"],
            peer_mode=data["peer_mode"],
            votes_per_person=data["votes_per_person"],
            recommend_percent=data["recommend_percent"],
            questions=tuple(line.strip() for line in data["questions"].splitlines() if line.strip()),
        )


class CycleDeadlinesForm(forms.Form):
    survey_until = forms.DateField(label=_("Self reports and student survey until"))
    peer_until = forms.DateField(label=_("Peer recognition until"))
    college_until = forms.DateField(label=_("College review until"))
    school_until = forms.DateField(label=_("School review until"))
    reason = forms.CharField(label=_("Reason (kept in the audit trail)"), max_length=500)

    def __init__(self, *args, cycle=None, **kwargs):
        if cycle is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(cycle, name) for name in self.base_fields if name != "reason"}
        super().__init__(*args, **kwargs)
        for name in ("survey_until", "peer_until", "college_until", "school_until"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


SCALE_CHOICES = [(n, str(n)) for n in range(SCALE_MIN, SCALE_MAX + 1)]


def survey_answers_from(post, targets, questions: int) -> tuple[dict[int, list[int]], dict[int, str]]:
    """Read `q_<candidate>_<n>` radio answers and `comment_<candidate>`; what is missing or not a number is 0."""
    answers: dict[int, list[int]] = {}
    comments: dict[int, str] = {}
    for target in targets:
        values = []
        for n in range(questions):
            raw = post.get(f"q_{target.pk}_{n}", "")
            values.append(int(raw) if raw.strip().lstrip("-").isdigit() else 0)
        answers[target.pk] = values
        comment = post.get(f"comment_{target.pk}", "")
        if comment.strip():
            comments[target.pk] = comment
    return answers, comments
